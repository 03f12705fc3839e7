//! Form bodies, CSRF checks and the state a form is re-rendered with after an error.

use crate::session::Viewer;
use crate::UiState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use samband_app::auth::secrets_equal;
use samband_domain::{FieldError, ValidationErrors};
use std::collections::HashMap;

/// An `application/x-www-form-urlencoded` body as field → value (last one wins).
pub struct FormData(pub HashMap<String, String>);

impl FromRequest<UiState> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &UiState) -> Result<Self, Self::Rejection> {
        let ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !ok {
            return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, "form expected").into_response());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response())?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| (StatusCode::BAD_REQUEST, "malformed form").into_response())?;
        Ok(FormData(pairs.into_iter().collect()))
    }
}

impl FormData {
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }

    pub fn opt(&self, k: &str) -> Option<String> {
        self.0
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    pub fn version(&self) -> i64 {
        self.get("version").trim().parse().unwrap_or(-1)
    }
}

#[allow(clippy::result_large_err)] // the error is the response itself, returned at once
/// Refuses a state-changing request whose CSRF token does not match the session's.
pub fn check_csrf(
    viewer: &Viewer,
    form: &FormData,
    headers_token: Option<&str>,
) -> Result<(), Response> {
    let sent = form
        .0
        .get("_csrf")
        .map(String::as_str)
        .or(headers_token)
        .unwrap_or("");
    if !sent.is_empty() && secrets_equal(sent, &viewer.csrf) {
        Ok(())
    } else {
        Err((
            StatusCode::FORBIDDEN,
            "The form has expired. Go back, reload the page and try again.",
        )
            .into_response())
    }
}

/// Values and errors a form is shown with.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: ValidationErrors,
}

impl FormState {
    pub fn from_form(form: &FormData, errors: ValidationErrors) -> Self {
        Self {
            values: form.0.clone(),
            errors,
        }
    }

    pub fn val(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }

    pub fn is(&self, k: &str, v: &str) -> bool {
        self.values.get(k).is_some_and(|x| x == v)
    }

    pub fn checked(&self, k: &str) -> bool {
        self.values
            .get(k)
            .is_some_and(|x| x == "on" || x == "true" || x == "1")
    }

    pub fn err(&self, k: &str) -> Option<&FieldError> {
        self.errors.for_field(k)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// A form that may carry files (`multipart/form-data`) or not (urlencoded), with every
/// value of repeated fields kept (checkbox groups).
pub struct Submitted {
    pub form: FormData,
    pub multi: Vec<(String, String)>,
    pub files: Vec<samband_app::messaging::Upload>,
}

impl Submitted {
    /// Every value sent for `k`, in order.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.multi
            .iter()
            .filter(|(name, _)| name == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl FromRequest<UiState> for Submitted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &UiState) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if ct.starts_with("multipart/form-data") {
            let mut mp = axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(|e| (StatusCode::BAD_REQUEST, e.body_text()).into_response())?;
            let mut multi = Vec::new();
            let mut files = Vec::new();
            while let Some(field) = mp
                .next_field()
                .await
                .map_err(|e| (e.status(), e.body_text()).into_response())?
            {
                let name = field.name().unwrap_or_default().to_owned();
                match field.file_name().map(str::to_owned) {
                    Some(file_name) => {
                        let data = field
                            .bytes()
                            .await
                            .map_err(|e| (e.status(), e.body_text()).into_response())?;
                        // An empty file input sends a nameless, empty part: no file.
                        if !(file_name.is_empty() && data.is_empty()) {
                            files.push(samband_app::messaging::Upload {
                                file_name,
                                data: data.to_vec(),
                            });
                        }
                    }
                    None => {
                        let text = field
                            .text()
                            .await
                            .map_err(|e| (e.status(), e.body_text()).into_response())?;
                        multi.push((name, text));
                    }
                }
            }
            let form = FormData(multi.iter().cloned().collect());
            Ok(Submitted { form, multi, files })
        } else if ct.starts_with("application/x-www-form-urlencoded") {
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response())?;
            let multi: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|_| (StatusCode::BAD_REQUEST, "malformed form").into_response())?;
            let form = FormData(multi.iter().cloned().collect());
            Ok(Submitted {
                form,
                multi,
                files: vec![],
            })
        } else {
            Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, "form expected").into_response())
        }
    }
}
