//! The JSON API under `/api/v1`: the same use cases as the UI, as JSON, with RFC 9457
//! problem documents for every error, `ETag`/`If-Match` on versioned objects and an
//! OpenAPI 3.1 document at `/api/v1/openapi.json`.
//!
//! Clients authenticate with a bearer token from `POST /api/v1/auth/token`.
#![recursion_limit = "512"]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod extract;
mod openapi;
mod problem;
mod routes;

use axum::Router;
use samband_app::App;

pub use problem::Problem;

/// Builds the `/api/v1` router (with its own problem+json fallback for unknown paths).
pub fn router(app: App) -> Router {
    Router::new().nest("/api/v1", routes::router().with_state(app))
}
