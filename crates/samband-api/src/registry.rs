//! `/api/v1` handlers for the coordinator's caseload registry. Parse → one use case →
//! JSON (or CSV).

use crate::book::ApiBook;
use crate::dto::registry as out;
use crate::dto::registry::CaseReviewRequest;
use crate::errors::*;
use crate::extract::Auth;
use crate::extract::StrictJson;
use crate::problem::ApiError;
use crate::routes::parse_id;
use crate::routes::PageQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::registry::RegistryParams;
use samband_app::App;
use samband_domain::ids::PatientId;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(registry))
        .routes(routes!(registry_csv))
        .routes(routes!(case_reviews, record_case_review))
}

/// How the registry is ordered and filtered.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegistryQuery {
    /// The order (name when not given).
    #[param(value_type = Option<crate::dto::choices::RegistrySort>)]
    sort: Option<String>,
    /// Flags every row must have, comma-separated.
    #[param(max_length = 200, example = "overdue,no_contact")]
    flag: Option<String>,
    /// Only patients I coordinate (true/false).
    #[param(value_type = Option<bool>)]
    coordinating: Option<String>,
    /// Only the case-review queue: new patients, those not improving, safety signals.
    #[param(value_type = Option<bool>)]
    review: Option<String>,
    #[param(max_length = 1024)]
    cursor: Option<String>,
    /// Rows per page, 1–200 (50 when not given).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
}

/// How the exported registry is ordered and filtered (the whole list: no page).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegistryExportQuery {
    /// The order (name when not given).
    #[param(value_type = Option<crate::dto::choices::RegistrySort>)]
    sort: Option<String>,
    /// Flags every row must have, comma-separated.
    #[param(max_length = 200, example = "overdue,no_contact")]
    flag: Option<String>,
    /// Only patients I coordinate (true/false).
    #[param(value_type = Option<bool>)]
    coordinating: Option<String>,
    /// Only the case-review queue.
    #[param(value_type = Option<bool>)]
    review: Option<String>,
}

impl RegistryExportQuery {
    fn params(self) -> RegistryParams {
        RegistryParams {
            sort: self.sort,
            flags: self.flag.into_iter().collect(),
            coordinating: self.coordinating,
            review: self.review,
            page: Default::default(),
        }
    }
}

impl RegistryQuery {
    fn params(self) -> Result<RegistryParams, ApiError> {
        let page = PageQuery::new(self.cursor, self.limit).params()?;
        Ok(RegistryParams {
            sort: self.sort,
            flags: self.flag.into_iter().collect(),
            coordinating: self.coordinating,
            review: self.review,
            page,
        })
    }
}

/// The coordinator's caseload registry: every patient on my caseload with enrolment,
/// weeks in treatment, scores, contacts, open and overdue work and flags, sorted and
/// filtered, a page at a time.
#[utoipa::path(get, path = "/registry", params(RegistryQuery),
    responses((status = 200, description = "One page of the registry", body = out::RegistryPage), ReadPage))]
async fn registry(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<RegistryQuery>,
) -> ApiResult {
    let page = app.registry().page(&ctx, &q.params()?).await?;
    Ok(Json(out::RegistryPage::from(page)).into_response())
}

/// The whole registry, as filtered and sorted, as CSV (columns as the JSON rows).
/// Every row is decided and audited as an export.
#[utoipa::path(get, path = "/registry.csv", params(RegistryExportQuery),
    responses((status = 200, description = "The registry as CSV", content_type = "text/csv", body = String), ReadPage))]
async fn registry_csv(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<RegistryExportQuery>,
) -> ApiResult {
    let csv = app.registry().export_csv(&ctx, &q.params()).await?;
    Ok(samband_http::csv_response(csv, "registry.csv"))
}

/// The patient's case-review recommendations, newest first.
#[utoipa::path(get, path = "/patients/{patient}/case-reviews", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The recommendations", body = Vec<out::CaseReview>), ReadOne))]
async fn case_reviews(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.registry().reviews(&ctx, patient).await?;
    let list: Vec<out::CaseReview> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Record a case-review recommendation: it becomes a plan action for the team's GP
/// (or the member named) due on the day given, and they are told.
#[utoipa::path(post, path = "/patients/{patient}/case-reviews", params(("patient" = Uuid, Path)),
    request_body = CaseReviewRequest,
    responses((status = 201, description = "The recommendation", body = out::CaseReview), Write))]
async fn record_case_review(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<CaseReviewRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let r = app
        .registry()
        .record_review(&ctx, patient, &input.into())
        .await?;
    Ok((StatusCode::CREATED, Json(out::CaseReview::from(r))).into_response())
}
