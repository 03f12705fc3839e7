//! `/api/v1` handlers for self-monitoring: the instrument catalogue, check-in
//! schedules, answers and trends. Parse → one use case → JSON.

use crate::book::ApiBook;
use crate::dto::monitoring::{self as out, AnswerRequest, PauseRequest, ScheduleRequest};
use crate::errors::*;
use crate::extract::{Auth, IfMatch, IfMatchHeader, StrictJson};
use crate::problem::ApiError;
use crate::routes::{page_params, parse_id, versioned};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::monitoring::ScheduleView;
use samband_app::App;
use samband_domain::ids::*;
use samband_domain::instrument::{catalogue, InstrumentKey};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(instruments))
        .routes(routes!(schedules, set_schedule))
        .routes(routes!(change_schedule))
        .routes(routes!(end_schedule))
        .routes(routes!(pause_schedule))
        .routes(routes!(resume_schedule))
        .routes(routes!(answer))
        .routes(routes!(responses))
        .routes(routes!(trends))
}

/// The instrument catalogue: items, answer options (with ordinal values and LOINC
/// codes), bands and wording in en/nb/da. Licence-restricted instruments are not shipped.
#[utoipa::path(get, path = "/instruments",
    responses((status = 200, description = "Every instrument", body = Vec<out::Instrument>), Read))]
async fn instruments(Auth(_ctx): Auth) -> ApiResult {
    let list: Vec<out::Instrument> = catalogue::all().iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

fn view(app: &App, s: samband_app::monitoring::Schedule) -> out::Schedule {
    let today = app.today();
    out::Schedule::from(ScheduleView {
        due: s.is_due(today),
        missed: s.missed(today),
        schedule: s,
    })
}

/// The patient's check-in schedules (ended ones last), each with whether it is due.
#[utoipa::path(get, path = "/patients/{patient}/schedules", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The schedules", body = Vec<out::Schedule>), ReadOne))]
async fn schedules(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.monitoring().schedules(&ctx, patient).await?;
    let list: Vec<out::Schedule> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Set a check-in schedule (a professional on the team).
#[utoipa::path(post, path = "/patients/{patient}/schedules",
    params(("patient" = Uuid, Path)), request_body = ScheduleRequest,
    responses((status = 201, description = "The schedule (ETag: version)", body = out::Schedule), Write))]
async fn set_schedule(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<ScheduleRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let s = app
        .monitoring()
        .set_schedule(&ctx, patient, &input.into())
        .await?;
    Ok(versioned(StatusCode::CREATED, s.version, &view(&app, s)))
}

/// Change a schedule's interval or start day (its instrument stays).
#[utoipa::path(put, path = "/patients/{patient}/schedules/{schedule}",
    params(("patient" = Uuid, Path), ("schedule" = Uuid, Path), IfMatchHeader), request_body = ScheduleRequest,
    responses((status = 200, description = "The schedule (ETag: version)", body = out::Schedule), Update))]
async fn change_schedule(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, schedule)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<ScheduleRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<ScheduleId>(&schedule, "schedule")?;
    let s = app
        .monitoring()
        .change_schedule(&ctx, patient, id, &input.into(), v)
        .await?;
    Ok(versioned(StatusCode::OK, s.version, &view(&app, s)))
}

/// End a schedule today.
#[utoipa::path(post, path = "/patients/{patient}/schedules/{schedule}/end",
    params(("patient" = Uuid, Path), ("schedule" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The schedule (ETag: version)", body = out::Schedule), Step))]
async fn end_schedule(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, schedule)): Path<(String, String)>,
    IfMatch(v): IfMatch,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<ScheduleId>(&schedule, "schedule")?;
    let s = app.monitoring().end_schedule(&ctx, patient, id, v).await?;
    Ok(versioned(StatusCode::OK, s.version, &view(&app, s)))
}

/// Pause a schedule (the patient or their proxy), with a reason the team sees.
#[utoipa::path(post, path = "/patients/{patient}/schedules/{schedule}/pause",
    params(("patient" = Uuid, Path), ("schedule" = Uuid, Path), IfMatchHeader), request_body = PauseRequest,
    responses((status = 200, description = "The schedule (ETag: version)", body = out::Schedule), Update))]
async fn pause_schedule(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, schedule)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<PauseRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<ScheduleId>(&schedule, "schedule")?;
    let s = app
        .monitoring()
        .pause(&ctx, patient, id, &input.reason, v)
        .await?;
    Ok(versioned(StatusCode::OK, s.version, &view(&app, s)))
}

/// Resume a paused schedule (the patient or their proxy).
#[utoipa::path(post, path = "/patients/{patient}/schedules/{schedule}/resume",
    params(("patient" = Uuid, Path), ("schedule" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The schedule (ETag: version)", body = out::Schedule), Step))]
async fn resume_schedule(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, schedule)): Path<(String, String)>,
    IfMatch(v): IfMatch,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<ScheduleId>(&schedule, "schedule")?;
    let s = app.monitoring().resume(&ctx, patient, id, v).await?;
    Ok(versioned(StatusCode::OK, s.version, &view(&app, s)))
}

/// Answer a schedule's questionnaire (the patient or their proxy), when due or early.
/// Scored on the server; bad answers are field errors (`answers.<item>`) and nothing
/// is stored.
#[utoipa::path(post, path = "/patients/{patient}/schedules/{schedule}/responses",
    params(("patient" = Uuid, Path), ("schedule" = Uuid, Path)), request_body = AnswerRequest,
    responses((status = 201, description = "The response with its scores, and the schedule moved on", body = out::Answered), Write))]
async fn answer(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, schedule)): Path<(String, String)>,
    StrictJson(input): StrictJson<AnswerRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<ScheduleId>(&schedule, "schedule")?;
    let saved = app
        .monitoring()
        .answer(&ctx, patient, id, &input.answers)
        .await?;
    let body = out::Answered {
        milestones_completed: saved.after.milestones_completed,
        schedule: view(&app, saved.schedule),
        response: saved.record.into(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Which responses to list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ResponsesQuery {
    /// One instrument's responses; every instrument's when not given.
    #[param(value_type = Option<crate::dto::choices::InstrumentKey>)]
    instrument: Option<String>,
    /// The `next` of the previous page (opaque); the first page without it.
    #[param(max_length = 1024)]
    cursor: Option<String>,
    /// Rows per page, 1–200 (50 when not given).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
}

/// The patient's responses, newest first, a page at a time.
#[utoipa::path(get, path = "/patients/{patient}/responses",
    params(("patient" = Uuid, Path), ResponsesQuery),
    responses((status = 200, description = "One page of responses", body = out::ResponsePage), ReadOnePage))]
async fn responses(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<ResponsesQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let instrument = q
        .instrument
        .as_deref()
        .map(|i| InstrumentKey::parse("instrument", i))
        .transpose()
        .map_err(samband_app::AppError::from)?;
    let page = page_params(q.cursor, q.limit)?;
    let p = app
        .monitoring()
        .responses(&ctx, patient, instrument, &page)
        .await?;
    Ok(Json(out::ResponsePage {
        items: p.items.into_iter().map(Into::into).collect(),
        next: p.next,
        limit: p.limit,
    })
    .into_response())
}

/// Each instrument's trend: points oldest first, runs to join with lines (sparse data
/// is never joined across a long gap), the baseline, and whether there are too few
/// answers to read a trend from.
#[utoipa::path(get, path = "/patients/{patient}/trends", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The trends", body = Vec<out::Trend>), ReadOne))]
async fn trends(State(app): State<App>, Auth(ctx): Auth, Path(patient): Path<String>) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.monitoring().trends(&ctx, patient).await?;
    let list: Vec<out::Trend> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}
