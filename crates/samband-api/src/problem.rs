//! Errors as RFC 9457 problem documents. This is the one place API errors become
//! responses, and the one place unexpected errors are logged.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use samband_app::AppError;
use samband_domain::FieldError;
use serde::Serialize;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:samband:problem:<kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Each field that is not valid, with a message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub errors: Vec<FieldError>,
    /// For a stale update: the current state, its version and who changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
    #[serde(skip)]
    retry_after: Option<i64>,
}

/// A field-level error, as `samband_domain::FieldError` serializes it.
#[derive(utoipa::ToSchema)]
#[schema(as = FieldError)]
#[allow(dead_code)]
pub struct FieldErrorDoc {
    /// The field, as sent (`due_date`, `rules[2].category`, `If-Match`).
    field: String,
    /// A stable code (`required`, `too_long`, `bad_choice`, …).
    code: String,
    message: String,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str) -> Self {
        Self {
            kind: format!("urn:samband:problem:{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            current: None,
            current_version: None,
            changed_by: None,
            changed_at: None,
            retry_after: None,
        }
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request could not be read",
        )
        .detail(detail)
    }

    pub fn field(
        status: StatusCode,
        field: &str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let mut p = Self::new(status, "validation", "The input is not valid");
        p.errors.push(FieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
        p
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                h.insert(header::RETRY_AFTER, v);
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"samband\""),
            );
        }
        if let Some(v) = self.current_version {
            if let Ok(v) = HeaderValue::from_str(&format!("\"{v}\"")) {
                h.insert(header::ETAG, v);
            }
        }
        res
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(v) => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "The input is not valid",
                );
                p.errors = v.errors;
                p
            }
            AppError::NotFound => Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found"),
            AppError::Forbidden => {
                Problem::new(StatusCode::FORBIDDEN, "forbidden", "You may not do this")
            }
            AppError::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign-in required or failed",
            ),
            AppError::Conflict(c) => {
                let mut p = Problem::new(
                    StatusCode::PRECONDITION_FAILED,
                    "stale-version",
                    "Someone else changed this since you read it",
                )
                .detail("Your change was not saved. Compare with the current state and try again with its version.");
                p.current = Some(c.current);
                p.current_version = Some(c.current_version);
                p.changed_by = c.changed_by;
                p.changed_at = c.changed_at.map(|t| t.to_rfc3339());
                p
            }
            AppError::TooManyAttempts { retry_after_secs } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too-many-attempts",
                    "Too many attempts",
                );
                p.retry_after = Some(retry_after_secs);
                p
            }
            AppError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error in API request");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side",
                )
            }
        }
    }
}

/// Lets handlers use `?` on use-case results (boxed: results stay small).
pub struct ApiError(pub Box<Problem>);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(Box::new(e.into()))
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(Box::new(p))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}
