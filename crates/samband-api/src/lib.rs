//! The JSON API under `/api/v1`: the same use cases as the UI, as JSON, with RFC 9457
//! problem documents for every error, `ETag`/`If-Match` on versioned objects and an
//! OpenAPI 3.1 document at `/api/v1/openapi.json`.
//!
//! Clients authenticate with a bearer token from `POST /api/v1/auth/token`.
#![recursion_limit = "512"]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod book;
mod dto;
mod errors;
mod extract;
mod handovers;
mod meetings;
mod messages;
mod monitoring;
mod openapi;
mod pathways;
mod problem;
mod registry;
mod relapse;
mod routes;
mod signals;
mod succession;

use axum::Router;
use samband_app::App;

pub use problem::Problem;

/// Builds the `/api/v1` router (with its own problem+json fallback for unknown paths),
/// rate-limited per bearer token or, without one, per client address.
pub fn router(app: App) -> Router {
    let (api, _) = routes::book().split();
    let api = api
        .fallback(routes::not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            rate_limit,
        ))
        .with_state(app);
    Router::new().nest("/api/v1", api)
}

/// Every path template of the API router, prefixed `/api/v1`, as the router has them.
pub fn route_paths() -> Vec<String> {
    routes::book()
        .paths()
        .iter()
        .map(|p| format!("/api/v1{p}"))
        .collect()
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "This endpoint does not answer that method",
    )
}

async fn rate_limit(
    axum::extract::State(app): axum::extract::State<App>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let key = match req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        // Keyed by a hash prefix: the token itself is never kept in memory here.
        Some(token) => format!("token:{}", &samband_app::auth::sha256_hex(token)[..16]),
        None => format!(
            "address:{}",
            samband_http::client_address(
                req.headers(),
                req.extensions(),
                app.config.trust_forwarded_for
            )
        ),
    };
    match app.rate_limit(samband_app::ratelimit::LimitClass::Api, &key) {
        Ok(()) => next.run(req).await,
        Err(e) => Problem::from(e).into_response(),
    }
}
