//! Tests generated from the real routers: every path the API and the UI have (as
//! recorded when they were added) and every method the running server says each one
//! answers. A new route is walked by these tests the moment it exists.

use reqwest::Method;
use samband_testkit::walk::{allowed_methods, populate};
use samband_testkit::{Backend, TestApp};
use serde_json::Value;

both_backends!(
    a_read_only_token_changes_nothing_on_any_route,
    every_route_and_method_is_in_the_openapi_document,
);

/// Every write method of every API route, with a token that may only read: 403, a
/// problem document, and not one stored row changed (re-read from the database).
async fn a_read_only_token_changes_nothing_on_any_route(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let ids = populate(&t, &w).await;
    let token = t.token_with_scopes("cm", "read").await;
    let client = reqwest::Client::new();
    let before = t.fingerprint().await;
    let mut walked = Vec::new();
    for template in samband_api::route_paths() {
        if template.ends_with("/auth/token") {
            continue; // signs in: takes no token at all
        }
        let path = ids.fill(&template);
        for method in allowed_methods(&t, &path).await {
            if method == Method::GET {
                continue;
            }
            let res = client
                .request(method.clone(), t.url(&path))
                .bearer_auth(&token)
                .header("if-match", "\"1\"")
                .json(&Value::Object(Default::default()))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let ct = res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(
                (status, ct.as_deref()),
                (403, Some("application/problem+json")),
                "{method} {template} with a read-only token"
            );
            walked.push(format!("{method} {template}"));
        }
    }
    assert!(
        walked
            .iter()
            .any(|r| r.starts_with("PUT /api/v1/patients/{patient}/follow"))
            && walked.iter().any(|r| r.starts_with("DELETE "))
            && walked.iter().any(|r| r.starts_with("POST ")),
        "the walk must reach every kind of write: {walked:?}"
    );
    assert_eq!(
        t.fingerprint().await,
        before,
        "a refused write changed stored data"
    );
    println!("read-only walk: {} write routes", walked.len());
}

/// The OpenAPI document names every route the router has, with every method.
async fn every_route_and_method_is_in_the_openapi_document(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let ids = populate(&t, &w).await;
    let doc = reqwest::get(t.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let mut checked = 0;
    for template in samband_api::route_paths() {
        let entry = &doc["paths"][template.as_str()];
        assert!(entry.is_object(), "{template} is not documented");
        for method in allowed_methods(&t, &ids.fill(&template)).await {
            let m = method.as_str().to_ascii_lowercase();
            assert!(
                entry[&m].is_object(),
                "{method} {template} is not documented"
            );
            checked += 1;
        }
    }
    println!("openapi: {checked} operations checked against the router");
}
