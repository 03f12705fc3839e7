//! Page handlers, grouped by area. Errors from use cases become HTML here, in
//! [`error_response`], and nowhere else.

pub mod account;
pub mod admin;
pub mod auth;
pub mod case_review;
pub mod consent;
pub mod handovers;
pub mod meetings;
pub mod messages;
pub mod monitoring;
pub mod pathways;
pub mod patient_portal;
pub mod patients;
pub mod plan;
pub mod registry;
pub mod relapse;
pub mod signals;
pub mod team;

use crate::base::Base;
use crate::session::anon_base;
use crate::UiState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use samband_app::AppError;

/// An id from the path; one that cannot exist is simply not found.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// 303 See Other after a form has done its work.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    base: Base,
    heading: String,
    message: String,
    /// For invalid input: each field's error, translated ("the page link is not valid").
    errors: Vec<String>,
}

/// The one mapping from use-case errors to HTML responses.
pub fn error_response(base: &Base, e: AppError) -> Response {
    let errors = match &e {
        AppError::Validation(v) => v.errors.iter().map(|f| base.t_err(f)).collect(),
        _ => Vec::new(),
    };
    let (status, heading, message) = match e {
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            "error.not_found_title",
            "error.not_found_text",
        ),
        AppError::Forbidden => (
            StatusCode::FORBIDDEN,
            "error.forbidden_title",
            "error.forbidden_text",
        ),
        AppError::Unauthenticated => return Redirect::to("/login").into_response(),
        AppError::Conflict(_) => (
            StatusCode::CONFLICT,
            "error.conflict_title",
            "error.conflict_text",
        ),
        AppError::TooManyAttempts { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "error.throttled_title",
            "error.throttled_text",
        ),
        AppError::Validation(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "error.invalid_title",
            "error.invalid_text",
        ),
        AppError::Internal(msg) => {
            tracing::error!(error = %msg, "internal error in UI request");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "error.internal_title",
                "error.internal_text",
            )
        }
    };
    let mut base = base.clone();
    base.title = base.t(heading);
    let page = ErrorPage {
        heading: base.t(heading),
        message: base.t(message),
        errors,
        base,
    };
    render(status, &page)
}

pub async fn not_found(State(state): State<UiState>, headers: HeaderMap, uri: Uri) -> Response {
    error_response(&anon_base(&state, &headers, uri.path()), AppError::NotFound)
}
