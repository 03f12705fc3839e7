//! `/api/v1` handlers for the coordinator's caseload registry. Parse → one use case →
//! JSON (or CSV).

use crate::book::ApiBook;
use crate::dto::registry as out;
use crate::errors::*;
use crate::extract::Auth;
use crate::problem::ApiError;
use crate::routes::PageQuery;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::registry::RegistryParams;
use samband_app::App;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(registry))
        .routes(routes!(registry_csv))
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
    #[param(max_length = 1024)]
    cursor: Option<String>,
    /// Rows per page, 1–200 (50 when not given).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
}

impl RegistryQuery {
    fn params(self) -> Result<RegistryParams, ApiError> {
        let page = PageQuery::new(self.cursor, self.limit).params()?;
        Ok(RegistryParams {
            sort: self.sort,
            flags: self.flag.into_iter().collect(),
            coordinating: self.coordinating,
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
#[utoipa::path(get, path = "/registry.csv", params(RegistryQuery),
    responses((status = 200, description = "The registry as CSV", content_type = "text/csv", body = String), Read))]
async fn registry_csv(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<RegistryQuery>,
) -> ApiResult {
    let csv = app.registry().export_csv(&ctx, &q.params()?).await?;
    Ok(samband_http::csv_response(csv, "registry.csv"))
}
