//! The tower stack every request passes: request id, one trace span per request with
//! allow-listed fields only (never bodies, query strings or raw paths, which may hold
//! patient data) and its metrics, panic catching, timeout, body limit and security
//! headers.

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{header, HeaderName, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;

/// Largest request body accepted, except where files may be attached.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Paths whose forms and JSON may carry attachments (a larger limit applies).
fn accepts_files(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    (p.starts_with("/api/v1/patients/") && p.ends_with("/threads"))
        || (p.starts_with("/api/v1/threads/") && p.ends_with("/messages"))
        || (p.starts_with("/patients/") && p.ends_with("/messages"))
        || (p.starts_with("/threads/") && p.ends_with("/reply"))
        || p == "/me/messages"
}

/// Refuses bodies over the limit for their path: at once when `Content-Length` says
/// so, and while reading otherwise (extractors then answer 413).
async fn body_limit(
    axum::extract::State(file_limit): axum::extract::State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if accepts_files(req.uri().path()) {
        file_limit.max(BODY_LIMIT)
    } else {
        BODY_LIMIT
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONNECTION, "close")],
            "The request is too large",
        )
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// Every error on `/api/` is a problem document, whoever answered it: the router's
/// 404 and 405, a body limit's 413, an extractor's rejection of a query string, the
/// timeout's 503. Responses that already are problem documents pass untouched.
async fn api_problems(req: axum::extract::Request, next: axum::middleware::Next) -> Response<Body> {
    use axum::response::IntoResponse;
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"));
    if !api || status.as_u16() < 400 || is_problem {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // The plain-text reason an extractor gave (axum's rejections say which part of
    // the request was wrong), bounded.
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let kind = match status {
        StatusCode::BAD_REQUEST => "bad-request",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ => "http-error",
    };
    let mut problem =
        samband_api::Problem::new(status, kind, status.canonical_reason().unwrap_or("Error"));
    if !detail.is_empty() {
        problem = problem.detail(detail);
    }
    let mut out = problem.into_response();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in parts.headers.iter() {
        if !out.headers().contains_key(name) {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("handler panicked");
    let mut res = Response::new(Body::from(
        r#"{"type":"urn:samband:problem:internal","title":"Something went wrong on our side","status":500}"#,
    ));
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

/// The patient a request concerns, where its route template names one
/// (`…/patients/{patient}…`): the id from the same segment of the path, and only if it
/// is a well-formed id (so never anything else a path may carry).
pub(crate) fn patient_in_path(template: &str, path: &str) -> Option<uuid::Uuid> {
    let mut template = template.split('/');
    let mut path = path.split('/');
    let mut after_patients = false;
    loop {
        let (t, p) = (template.next()?, path.next()?);
        if after_patients && t.starts_with('{') && t.ends_with('}') {
            return p.parse().ok();
        }
        after_patients = t == "patients";
    }
}

/// One span per request, with allow-listed fields only: request id, route template,
/// method, status, duration (to the response headers) and `patient.id` where the
/// route names a patient. Everything inside the request (use cases, store, errors)
/// logs within it. The request is also counted in the metrics by the same labels
/// (without the request and patient ids).
async fn observe(req: axum::extract::Request, next: axum::middleware::Next) -> Response<Body> {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let patient = route
        .as_deref()
        .and_then(|t| patient_in_path(t, req.uri().path()));
    let route = route.unwrap_or_else(|| samband_metrics::UNMATCHED_ROUTE.to_owned());
    let method = req.method().clone();
    // Set by SetRequestIdLayer (a UUID) unless the client sent one: kept only if it
    // looks like an id, never free text.
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or("")
        .to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %method,
        route = %route,
        patient.id = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    if let Some(p) = patient {
        span.record("patient.id", tracing::field::display(p));
    }
    let res = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    span.record("status", status);
    span.record("duration_ms", elapsed.as_secs_f64() * 1000.0);
    samband_metrics::record_request(method.as_str(), &route, status, elapsed);
    if res.status().is_server_error() {
        tracing::error!(parent: &span, "request failed");
    } else {
        tracing::debug!(parent: &span, "request answered");
    }
    res
}

pub fn wrap(router: Router, secure: bool, file_limit: usize) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let mut r = router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    if secure {
        r = r.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    r.layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(file_limit, body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(api_problems))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(axum::middleware::from_fn(observe))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

#[cfg(test)]
mod tests {
    use super::patient_in_path;

    #[test]
    fn the_patient_is_taken_from_routes_that_name_one() {
        let id = uuid::Uuid::now_v7();
        for (template, path) in [
            ("/patients/{id}", format!("/patients/{id}")),
            (
                "/api/v1/patients/{patient}/goals/{goal}",
                format!("/api/v1/patients/{id}/goals/{}", uuid::Uuid::now_v7()),
            ),
            (
                "/patients/{patient}/team/{member}/edit",
                format!("/patients/{id}/team/{}/edit", uuid::Uuid::now_v7()),
            ),
        ] {
            assert_eq!(patient_in_path(template, &path), Some(id), "{template}");
        }
        // No patient in the route, a literal after `patients`, or not an id.
        let thread = uuid::Uuid::now_v7();
        assert_eq!(
            patient_in_path("/threads/{id}", &format!("/threads/{thread}")),
            None
        );
        assert_eq!(patient_in_path("/patients/new", "/patients/new"), None);
        assert_eq!(
            patient_in_path("/api/v1/patients", "/api/v1/patients"),
            None
        );
        assert_eq!(
            patient_in_path("/patients/{id}", "/patients/Kari%20Nordmann"),
            None
        );
    }
}
