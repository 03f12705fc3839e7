//! The OpenAPI 3.1 document, generated from the handlers (`#[utoipa::path]` on each,
//! added to the router by `routes!` in one step, see `book.rs`) and from the API's
//! own request and response types (`dto`). `docs/openapi.json` is the committed copy
//! for the default configuration; a test fails when the two differ, so every change
//! to the contract shows in review.

use axum::extract::State;
use axum::Json;
use samband_app::App;
use serde_json::{json, Value};
use std::sync::OnceLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Samband API",
        version = "1",
        description = "Cross-sectoral care coordination. Every error is an RFC 9457 problem document (`application/problem+json`); versioned objects carry an `ETag` and updates need `If-Match`. Sign in with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    components(schemas(
        crate::problem::Problem,
        crate::problem::FieldErrorDoc,
        // Named by query parameters, whose schemas utoipa does not collect.
        crate::dto::choices::AuditFormat
    )),
    modifiers(&Bearer),
    security(("bearer" = []))
)]
struct Base;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        for (name, response) in crate::errors::components() {
            components.responses.insert(name, response);
        }
    }
}

/// This document (served without a token).
#[utoipa::path(get, path = "/openapi.json", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object),
        (status = 429, description = "Too many requests; see Retry-After", content_type = "application/problem+json", body = crate::problem::Problem)))]
pub async fn document(State(app): State<App>) -> Json<Value> {
    Json(spec(app.config.token_max_days))
}

/// The document as generated, paths under `/api/v1` (built once).
fn generated() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, api) = crate::routes::book().split();
        let mut doc = Base::openapi();
        doc.merge(api);
        let mut doc = serde_json::to_value(doc).unwrap_or_default();
        if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
            let prefixed: serde_json::Map<String, Value> = std::mem::take(paths)
                .into_iter()
                .map(|(p, item)| (format!("/api/v1{p}"), item))
                .collect();
            *paths = prefixed;
        }
        doc
    })
}

/// The document for a deployment: it states the configured longest token lifetime.
pub fn spec(token_max_days: i64) -> Value {
    let mut doc = generated().clone();
    let days = &mut doc["components"]["schemas"]["TokenRequest"]["properties"]["days"];
    if let Some(days) = days.as_object_mut() {
        days.insert("maximum".into(), json!(token_max_days));
        days.insert(
            "default".into(),
            json!(samband_app::auth::DEFAULT_TOKEN_DAYS.min(token_max_days)),
        );
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed copy, for the default configuration (tokens last at most 365 days).
    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");

    fn rendered() -> String {
        let doc = spec(samband_app::auth::MAX_TOKEN_DAYS);
        serde_json::to_string_pretty(&doc).unwrap() + "\n"
    }

    /// Every change to the contract shows in review: the generated document must
    /// equal `docs/openapi.json`. After an intended change, regenerate it with
    /// `SAMBAND_UPDATE_OPENAPI=1 cargo test -p samband-api openapi` and commit it.
    #[test]
    fn the_generated_document_is_the_committed_one() {
        let now = rendered();
        if std::env::var_os("SAMBAND_UPDATE_OPENAPI").is_some() {
            std::fs::write(COMMITTED, &now).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
        if committed != now {
            let first = committed
                .lines()
                .zip(now.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(now.lines().count()));
            panic!(
                "docs/openapi.json is not the document the code generates (first difference at line {}).\n\
                 If the change is intended, regenerate it:\n  \
                 SAMBAND_UPDATE_OPENAPI=1 cargo test -p samband-api openapi\n\
                 and commit docs/openapi.json with the change.",
                first + 1
            );
        }
    }

    #[test]
    fn the_page_size_bounds_are_the_ones_the_use_cases_check() {
        let doc = spec(365);
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for op in item.as_object().unwrap().values() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["name"] == "limit" {
                        let s = &p["schema"];
                        assert_eq!(
                            (&s["minimum"], &s["maximum"], &s["default"]),
                            (
                                &json!(1),
                                &json!(samband_app::paging::MAX_LIMIT),
                                &json!(samband_app::paging::DEFAULT_LIMIT)
                            ),
                            "{path}: {s}"
                        );
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen >= 10, "every paged list documents its limit ({seen})");
    }

    #[test]
    fn the_token_lifetime_is_the_deployments() {
        let doc = spec(30);
        let days = &doc["components"]["schemas"]["TokenRequest"]["properties"]["days"];
        assert_eq!(
            (&days["maximum"], &days["default"]),
            (&json!(30), &json!(30))
        );
    }

    /// Every operation answers its errors as problem documents, names 401 unless it
    /// is public, and every body-taking one names 413, 415 and 422; every `If-Match`
    /// one 412 and 428; every path naming an object 404.
    #[test]
    fn every_operation_states_the_errors_its_extractors_can_answer() {
        let doc = spec(365);
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let r = &op["responses"];
                let has = |code: &str| r.get(code).is_some();
                let public = op["security"] == json!([{}]);
                assert!(public || has("401") && has("429"), "{method} {path}");
                if op.get("requestBody").is_some() {
                    assert!(has("413") && has("415") && has("422"), "{method} {path}");
                }
                let params = op["parameters"].as_array().cloned().unwrap_or_default();
                if params.iter().any(|p| p["name"] == "If-Match") {
                    assert!(has("412") && has("428"), "{method} {path}");
                }
                if params.iter().any(|p| p["in"] == "path") {
                    assert!(has("404"), "{method} {path}");
                }
                for (code, resp) in r.as_object().unwrap() {
                    let resp = match resp["$ref"].as_str() {
                        Some(r) => {
                            let name = r.trim_start_matches("#/components/responses/");
                            &doc["components"]["responses"][name]
                        }
                        None => resp,
                    };
                    if code.starts_with('4') {
                        assert!(
                            resp["content"]["application/problem+json"].is_object(),
                            "{method} {path} {code}"
                        );
                    }
                    if code == "204" {
                        assert!(
                            resp.get("content").is_none(),
                            "{method} {path}: 204 has no body"
                        );
                    }
                }
            }
        }
    }
}
