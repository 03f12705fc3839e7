//! `/api/v1` handlers for the relapse-prevention plan. Parse → one use case → JSON.

use crate::book::ApiBook;
use crate::dto::relapse::{self as out, RelapsePlanRequest};
use crate::errors::*;
use crate::extract::{Auth, IfMatch, IfMatchHeader, StrictJson};
use crate::problem::ApiError;
use crate::routes::{parse_id, versioned};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use samband_app::App;
use samband_domain::ids::*;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new().routes(routes!(relapse_plan, update_relapse_plan))
}

/// The patient's relapse-prevention plan (version 0, state `none`, when never written).
#[utoipa::path(get, path = "/patients/{patient}/relapse-plan", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The plan (ETag: version)", body = out::RelapsePlan), ReadOne))]
async fn relapse_plan(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let p = app.plan().relapse_plan(&ctx, patient).await?;
    Ok(versioned(
        StatusCode::OK,
        p.version,
        &out::RelapsePlan::from(p),
    ))
}

/// Change the relapse-prevention plan (`If-Match: "0"` for its first version).
/// Patients may change only their own words; `status: agreed` records the agreement.
#[utoipa::path(put, path = "/patients/{patient}/relapse-plan",
    params(("patient" = Uuid, Path), IfMatchHeader), request_body = RelapsePlanRequest,
    responses((status = 200, description = "The plan (ETag: version)", body = out::RelapsePlan), Update))]
async fn update_relapse_plan(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<RelapsePlanRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let input = samband_domain::relapse::RelapsePlanInput::from(input);
    let p = app
        .plan()
        .update_relapse_plan(&ctx, patient, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(
        StatusCode::OK,
        p.version,
        &out::RelapsePlan::from(p),
    ))
}
