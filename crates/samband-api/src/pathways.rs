//! `/api/v1` handlers for care pathways. Parse → one use case → JSON.

use crate::book::ApiBook;
use crate::dto::pathways::{
    self as out, CompletionRequest, EnrolRequest, NeedsMappingRequest, TemplateSourceRequest,
};
use crate::errors::*;
use crate::extract::{Auth, IfMatch, IfMatchHeader, StrictJson};
use crate::problem::ApiError;
use crate::routes::{parse_id, versioned};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::App;
use samband_domain::ids::*;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(templates, save_template))
        .routes(routes!(enrolments, enrol))
        .routes(routes!(complete))
        .routes(routes!(end_enrolment))
        .routes(routes!(needs_mappings, record_needs_mapping))
}

/// The pathway catalogue: the templates Samband ships and the deployment's own.
#[utoipa::path(get, path = "/pathways",
    responses((status = 200, description = "Every template", body = Vec<out::PathwayTemplate>), Read))]
async fn templates(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    let list = app.pathways().templates(&ctx).await?;
    let list: Vec<out::PathwayTemplate> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// The patient's pathways, each milestone with its window and its state today.
#[utoipa::path(get, path = "/patients/{patient}/pathways", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The patient's enrolments, oldest first", body = Vec<out::Enrolment>), ReadOne))]
async fn enrolments(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.pathways().enrolments(&ctx, patient).await?;
    let list: Vec<out::Enrolment> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Enrol the patient on a pathway from an anchor date.
#[utoipa::path(post, path = "/patients/{patient}/pathways",
    params(("patient" = Uuid, Path)), request_body = EnrolRequest,
    responses((status = 201, description = "The enrolment (ETag: version)", body = out::Enrolment), Write))]
async fn enrol(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<EnrolRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let v = app.pathways().enrol(&ctx, patient, &input.into()).await?;
    let version = v.enrolment.version;
    Ok(versioned(
        StatusCode::CREATED,
        version,
        &out::Enrolment::from(v),
    ))
}

/// Complete a milestone by hand, with a note.
#[utoipa::path(post, path = "/patients/{patient}/pathways/{enrolment}/completions",
    params(("patient" = Uuid, Path), ("enrolment" = Uuid, Path), IfMatchHeader), request_body = CompletionRequest,
    responses((status = 200, description = "The enrolment (ETag: version)", body = out::Enrolment), Update))]
async fn complete(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, enrolment)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<CompletionRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<EnrolmentId>(&enrolment, "enrolment")?;
    let e = app
        .pathways()
        .complete_by_hand(&ctx, patient, id, &input.into(), v)
        .await?;
    let version = e.enrolment.version;
    Ok(versioned(StatusCode::OK, version, &out::Enrolment::from(e)))
}

/// End the enrolment today. A collaborative-care episode (the severe-depression
/// pathway) ends only with an agreed relapse-prevention plan: otherwise 422 at
/// `relapse_plan`.
#[utoipa::path(post, path = "/patients/{patient}/pathways/{enrolment}/end",
    params(("patient" = Uuid, Path), ("enrolment" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The ended enrolment (ETag: version)", body = out::Enrolment), Update))]
async fn end_enrolment(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, enrolment)): Path<(String, String)>,
    IfMatch(v): IfMatch,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<EnrolmentId>(&enrolment, "enrolment")?;
    let e = app.pathways().end_enrolment(&ctx, patient, id, v).await?;
    let version = e.enrolment.version;
    Ok(versioned(StatusCode::OK, version, &out::Enrolment::from(e)))
}

/// The patient's needs-mapping conversations, by day.
#[utoipa::path(get, path = "/patients/{patient}/needs-mappings", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The conversations, oldest first", body = Vec<out::NeedsMapping>), ReadOne))]
async fn needs_mappings(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.pathways().needs_mappings(&ctx, patient).await?;
    let list: Vec<out::NeedsMapping> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Record a needs-mapping conversation: each need becomes a plan action of its owner,
/// and the pathway milestone it evidences is completed.
#[utoipa::path(post, path = "/patients/{patient}/needs-mappings",
    params(("patient" = Uuid, Path)), request_body = NeedsMappingRequest,
    responses((status = 201, description = "The conversation, its actions and the milestones it completed", body = out::NeedsMapping), Write))]
async fn record_needs_mapping(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<NeedsMappingRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let r = app
        .pathways()
        .record_needs_mapping(&ctx, patient, &input.into())
        .await?;
    Ok((StatusCode::CREATED, Json(out::NeedsMapping::from(r))).into_response())
}

/// Save a version of the deployment's own template (administrators). Validated like the
/// shipped ones: every bad field is named by its path; a shipped key or a version not
/// higher than the saved one is refused.
#[utoipa::path(post, path = "/pathways", request_body = TemplateSourceRequest,
    responses((status = 201, description = "The saved template", body = out::PathwayTemplate), Write))]
async fn save_template(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(input): StrictJson<TemplateSourceRequest>,
) -> ApiResult {
    let t = app.pathways().save_template(&ctx, &input.source).await?;
    Ok((StatusCode::CREATED, Json(out::PathwayTemplate::from(t))).into_response())
}
