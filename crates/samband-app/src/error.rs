//! Use-case errors. Expected outcomes (invalid input, not found, conflict, throttled)
//! are kept apart from unexpected failures, which carry no patient data.

use samband_domain::ValidationErrors;
use samband_store::StoreError;
use serde::Serialize;

/// What a stale update collided with: the current state and who changed it.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictInfo {
    pub current_version: i64,
    pub current: serde_json::Value,
    pub changed_by: Option<String>,
    pub changed_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Validation(ValidationErrors),
    /// Also returned when access is denied, so a denial never reveals that a record exists.
    #[error("not found")]
    NotFound,
    /// The principal may not perform this operation on something they can see.
    #[error("forbidden")]
    Forbidden,
    #[error("not signed in")]
    Unauthenticated,
    #[error("the record was changed by someone else")]
    Conflict(Box<ConflictInfo>),
    #[error("too many attempts; retry after {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Validation(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Internal(format!("unexpected conflict: {m}")),
            StoreError::Other(m) => AppError::Internal(m),
        }
    }
}
