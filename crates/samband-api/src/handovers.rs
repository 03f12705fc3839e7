//! `/api/v1` handlers for structured hand-overs. Parse → one use case → JSON.

use crate::book::ApiBook;
use crate::dto::handovers::{self as out, HandoverRequest};
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
        .routes(routes!(list, draft))
        .routes(routes!(get_one, update))
        .routes(routes!(send))
        .routes(routes!(acknowledge))
}

fn ids(patient: &str, handover: &str) -> Result<(PatientId, HandoverId), ApiError> {
    Ok((
        parse_id::<PatientId>(patient, "patient")?,
        parse_id::<HandoverId>(handover, "handover")?,
    ))
}

/// The patient's hand-overs the caller may see (sent ones, and the caller's own
/// drafts), newest first; each section only where the consent allows.
#[utoipa::path(get, path = "/patients/{patient}/handovers", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "Hand-overs, newest first", body = Vec<out::Handover>), ReadOne))]
async fn list(State(app): State<App>, Auth(ctx): Auth, Path(patient): Path<String>) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.handovers().list(&ctx, patient).await?;
    let list: Vec<out::Handover> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Draft a hand-over to a receiving professional on the team.
#[utoipa::path(post, path = "/patients/{patient}/handovers",
    params(("patient" = Uuid, Path)), request_body = HandoverRequest,
    responses((status = 201, description = "The draft (ETag: version)", body = out::Handover), Write))]
async fn draft(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<HandoverRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let v = app.handovers().draft(&ctx, patient, &input.into()).await?;
    Ok(versioned(
        StatusCode::CREATED,
        v.version,
        &out::Handover::from(v),
    ))
}

/// One hand-over, each section only where the patient's consent allows.
#[utoipa::path(get, path = "/patients/{patient}/handovers/{handover}",
    params(("patient" = Uuid, Path), ("handover" = Uuid, Path)),
    responses((status = 200, description = "The hand-over (ETag: version)", body = out::Handover), ReadOne))]
async fn get_one(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, handover)): Path<(String, String)>,
) -> ApiResult {
    let (patient, id) = ids(&patient, &handover)?;
    let v = app.handovers().get(&ctx, patient, id).await?;
    Ok(versioned(
        StatusCode::OK,
        v.version,
        &out::Handover::from(v),
    ))
}

/// Edit a draft (its sender only).
#[utoipa::path(put, path = "/patients/{patient}/handovers/{handover}",
    params(("patient" = Uuid, Path), ("handover" = Uuid, Path), IfMatchHeader), request_body = HandoverRequest,
    responses((status = 200, description = "The draft (ETag: version)", body = out::Handover), Update))]
async fn update(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, handover)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    StrictJson(input): StrictJson<HandoverRequest>,
) -> ApiResult {
    let (patient, id) = ids(&patient, &handover)?;
    let v = app
        .handovers()
        .update(&ctx, patient, id, &input.into(), version)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        v.version,
        &out::Handover::from(v),
    ))
}

/// Send a draft: a plan action per follow-up item, the receiver asked to acknowledge
/// within the deployment's working days.
#[utoipa::path(post, path = "/patients/{patient}/handovers/{handover}/send",
    params(("patient" = Uuid, Path), ("handover" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The sent hand-over (ETag: version)", body = out::Handover), Update))]
async fn send(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, handover)): Path<(String, String)>,
    IfMatch(version): IfMatch,
) -> ApiResult {
    let (patient, id) = ids(&patient, &handover)?;
    let v = app.handovers().send(&ctx, patient, id, version).await?;
    Ok(versioned(
        StatusCode::OK,
        v.version,
        &out::Handover::from(v),
    ))
}

/// Acknowledge a hand-over addressed to the caller.
#[utoipa::path(post, path = "/patients/{patient}/handovers/{handover}/acknowledge",
    params(("patient" = Uuid, Path), ("handover" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The acknowledged hand-over (ETag: version)", body = out::Handover), Update))]
async fn acknowledge(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, handover)): Path<(String, String)>,
    IfMatch(version): IfMatch,
) -> ApiResult {
    let (patient, id) = ids(&patient, &handover)?;
    let v = app
        .handovers()
        .acknowledge(&ctx, patient, id, version)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        v.version,
        &out::Handover::from(v),
    ))
}
