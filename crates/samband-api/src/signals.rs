//! `/api/v1` handlers for signals, alerts and absences. Parse → one use case → JSON.

use crate::book::ApiBook;
use crate::dto::output::Page;
use crate::dto::signals::{
    self as out, AbsenceRequest, AckRequest, ThresholdsRequest, WarningSignRequest,
};
use crate::errors::*;
use crate::extract::{Auth, IfMatch, IfMatchHeader, StrictJson};
use crate::problem::ApiError;
use crate::routes::{parse_id, versioned, PageQuery};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::App;
use samband_domain::ids::*;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(my_alerts))
        .routes(routes!(patient_alerts))
        .routes(routes!(get_alert))
        .routes(routes!(acknowledge_alert))
        .routes(routes!(report_crisis))
        .routes(routes!(report_warning_sign))
        .routes(routes!(list_absences, record_absence))
        .routes(routes!(end_absence))
        .routes(routes!(get_thresholds, put_thresholds))
}

/// The patient's signal thresholds (the defaults, version 0, until changed).
#[utoipa::path(get, path = "/patients/{patient}/signal-thresholds", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The thresholds (ETag: version)", body = out::Thresholds), ReadOne))]
async fn get_thresholds(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let v = app.signals().thresholds(&ctx, patient).await?;
    Ok(versioned(
        StatusCode::OK,
        v.version,
        &out::Thresholds::from(v),
    ))
}

/// Change the patient's signal thresholds (`If-Match: "0"` the first time); safety
/// can be tuned, never switched off.
#[utoipa::path(put, path = "/patients/{patient}/signal-thresholds",
    params(("patient" = Uuid, Path), IfMatchHeader), request_body = ThresholdsRequest,
    responses((status = 200, description = "The thresholds (ETag: version)", body = out::Thresholds), Update))]
async fn put_thresholds(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(version): IfMatch,
    StrictJson(input): StrictJson<ThresholdsRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let v = app
        .signals()
        .set_thresholds(&ctx, patient, &input.into(), version)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        v.version,
        &out::Thresholds::from(v),
    ))
}

/// The open alerts I hold, across patients, soonest deadline first.
#[utoipa::path(get, path = "/alerts", params(PageQuery),
    responses((status = 200, description = "One page of my open alerts", body = Page<out::Alert>), ReadPage))]
async fn my_alerts(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app.signals().mine(&ctx, true, &q.params()?).await?;
    Ok(Json(Page::from(page, out::Alert::from)).into_response())
}

/// The patient's alerts, open and acknowledged, soonest deadline first.
#[utoipa::path(get, path = "/patients/{patient}/alerts", params(("patient" = Uuid, Path), PageQuery),
    responses((status = 200, description = "One page of the patient's alerts", body = Page<out::Alert>), ReadOnePage))]
async fn patient_alerts(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let page = app
        .signals()
        .for_patient(&ctx, patient, false, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, out::Alert::from)).into_response())
}

/// One alert with its history.
#[utoipa::path(get, path = "/patients/{patient}/alerts/{alert}",
    params(("patient" = Uuid, Path), ("alert" = Uuid, Path)),
    responses((status = 200, description = "The alert (ETag: version)", body = out::AlertView), ReadOne))]
async fn get_alert(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, alert)): Path<(String, String)>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<AlertId>(&alert, "alert")?;
    let v = app.signals().get(&ctx, patient, id).await?;
    Ok(versioned(
        StatusCode::OK,
        v.alert.version,
        &out::AlertView::from(v),
    ))
}

/// Acknowledge an alert with what was done (`no_action` needs a reason).
#[utoipa::path(post, path = "/patients/{patient}/alerts/{alert}/acknowledge",
    params(("patient" = Uuid, Path), ("alert" = Uuid, Path), IfMatchHeader), request_body = AckRequest,
    responses((status = 200, description = "The acknowledged alert (ETag: version)", body = out::AlertView), Update))]
async fn acknowledge_alert(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, alert)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    StrictJson(input): StrictJson<AckRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let id = parse_id::<AlertId>(&alert, "alert")?;
    let v = app
        .signals()
        .acknowledge(&ctx, patient, id, &input.into(), version)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        v.alert.version,
        &out::AlertView::from(v),
    ))
}

/// The patient: "I need help now" (a safety alert to their team). Nobody watches
/// alerts around the clock: the answer to show is the crisis plan and crisis numbers.
#[utoipa::path(post, path = "/me/crisis",
    responses((status = 201, description = "The safety alert raised (or its new occurrence)", body = out::PatientSignal), Act))]
async fn report_crisis(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    let r = app.signals().report_crisis(&ctx).await?;
    Ok((
        StatusCode::CREATED,
        Json(out::PatientSignal {
            alert: r.alert.as_uuid(),
            new: r.new,
        }),
    )
        .into_response())
}

/// The patient: "I notice one of my warning signs" (a deterioration alert).
#[utoipa::path(post, path = "/me/warning-signs", request_body = WarningSignRequest,
    responses((status = 201, description = "The deterioration alert raised (or its new occurrence)", body = out::PatientSignal), Write))]
async fn report_warning_sign(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(input): StrictJson<WarningSignRequest>,
) -> ApiResult {
    let r = app
        .signals()
        .report_warning_sign(&ctx, &input.sign.to_string())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(out::PatientSignal {
            alert: r.alert.as_uuid(),
            new: r.new,
        }),
    )
        .into_response())
}

/// A professional's absence periods, by first day.
#[utoipa::path(get, path = "/professionals/{professional}/absences", params(("professional" = Uuid, Path)),
    responses((status = 200, description = "Absences", body = Vec<out::Absence>), ReadOne))]
async fn list_absences(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(professional): Path<String>,
) -> ApiResult {
    let who = parse_id::<ProfessionalId>(&professional, "professional")?;
    let list = app.directory().absences(&ctx, who).await?;
    let list: Vec<out::Absence> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Record an absence (the professional themself or an administrator); overlapping
/// another is refused on `from`.
#[utoipa::path(post, path = "/professionals/{professional}/absences", params(("professional" = Uuid, Path)),
    request_body = AbsenceRequest,
    responses((status = 201, description = "The absence (ETag: version)", body = out::Absence), Write))]
async fn record_absence(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(professional): Path<String>,
    StrictJson(input): StrictJson<AbsenceRequest>,
) -> ApiResult {
    let who = parse_id::<ProfessionalId>(&professional, "professional")?;
    let a = app
        .directory()
        .record_absence(&ctx, who, &input.into())
        .await?;
    Ok(versioned(
        StatusCode::CREATED,
        a.version,
        &out::Absence::from(a),
    ))
}

/// End an absence early: back today.
#[utoipa::path(post, path = "/absences/{absence}/end", params(("absence" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The absence (ETag: version)", body = out::Absence), Step))]
async fn end_absence(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(absence): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult {
    let id = parse_id::<AbsenceId>(&absence, "absence")?;
    let a = app.directory().end_absence(&ctx, id, version).await?;
    Ok(versioned(StatusCode::OK, a.version, &out::Absence::from(a)))
}
