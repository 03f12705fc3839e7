//! Tests generated from the real routers: every path the API and the UI have (as
//! recorded when they were added) and every method the running server says each one
//! answers. A new route is walked by these tests the moment it exists.

use reqwest::Method;
use samband_testkit::walk::{allowed_methods, populate};
use samband_testkit::{Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    a_read_only_token_changes_nothing_on_any_route,
    every_route_and_method_is_in_the_openapi_document,
    outsiders_get_nothing_from_any_route_that_names_a_patient,
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

/// Path parameters that name a patient or an object of one.
const PATIENT_PARAMS: [&str; 12] = [
    "{patient}",
    "{member}",
    "{action}",
    "{goal}",
    "{service}",
    "{thread}",
    "{message}",
    "{attachment}",
    "{request}",
    "{meeting}",
    "{item}",
    "{grant}",
];

/// What only the walked patient's record holds: none of it may reach an outsider.
const SENTINELS: [&str; 8] = [
    "Pia Pasient",
    "Walk action",
    "Walk goal",
    "Walk service",
    "Walk message",
    "Walk request",
    "Walk meeting",
    "Walk item",
];

/// A body for `method template` made from the OpenAPI document's request schema: every
/// required field with a plausible value (ids of the walked patient's objects), so the
/// request gets past the parser to the policy.
fn probe_body(
    doc: &Value,
    template: &str,
    method: &Method,
    ids: &samband_testkit::walk::Ids,
) -> Value {
    let op = &doc["paths"][template][method.as_str().to_ascii_lowercase()];
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    example(doc, schema, "", ids, 0)
}

fn example(
    doc: &Value,
    schema: &Value,
    name: &str,
    ids: &samband_testkit::walk::Ids,
    depth: u8,
) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let key = r.trim_start_matches("#/components/schemas/");
        return example(
            doc,
            &doc["components"]["schemas"][key],
            name,
            ids,
            depth + 1,
        );
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let id_for = |name: &str| {
        let key = [
            "member", "goal", "action", "service", "meeting", "item", "request", "thread",
            "message",
        ]
        .into_iter()
        .find(|k| name.contains(k))
        .unwrap_or("patient");
        ids.0.get(key).cloned().unwrap_or_default()
    };
    match schema["type"].as_str() {
        Some("object") => {
            let mut out = serde_json::Map::new();
            for field in schema["required"].as_array().into_iter().flatten() {
                let f = field.as_str().unwrap_or_default();
                out.insert(
                    f.to_owned(),
                    example(doc, &schema["properties"][f], f, ids, depth + 1),
                );
            }
            Value::Object(out)
        }
        Some("array") => json!([]),
        Some("integer") | Some("number") => json!(schema["minimum"].as_i64().unwrap_or(30).max(30)),
        Some("boolean") => json!(false),
        _ => match schema["format"].as_str() {
            Some("uuid") => json!(id_for(name)),
            Some("date") => json!("2026-12-15"),
            _ if name == "starts_at" => json!("2026-12-10T10:00"),
            _ if name == "start" => json!("09:00"),
            _ => json!("Probe text"),
        },
    }
}

/// Templates filled for the walk: the verb parameters get each verb their handler takes.
fn expand(template: &str, ids: &samband_testkit::walk::Ids) -> Vec<String> {
    let verbs: &[&str] = if template.contains("{verb}") {
        samband_ui::MEETING_VERBS
    } else if template.contains("{step}") {
        samband_ui::REQUEST_STEPS
    } else {
        &[""]
    };
    verbs
        .iter()
        .map(|v| ids.fill(&template.replace("{verb}", v).replace("{step}", v)))
        .collect()
}

/// Every route of the API and the UI that names patient P or an object of P's, every
/// method, as four outsiders: a professional on no team, another patient, a proxy of
/// another patient, an administrator. Each is refused (403/404), sees nothing of P's,
/// and nothing is written.
async fn outsiders_get_nothing_from_any_route_that_names_a_patient(b: Backend) {
    use samband_testkit::fixture::PASSWORD;
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let ids = populate(&t, &w).await;
    // A professional on no team (the fixture's ER doctor holds an emergency grant now),
    // and a proxy for the other patient.
    let admin = t.api(&t.token("admin").await);
    let org = admin.get("/api/v1/organisations").await.body["items"][0]["id"].clone();
    let p = admin
        .post(
            "/api/v1/professionals",
            json!({"name": "Sigurd Stranger", "title": "GP", "organisation_ids": [org]}),
        )
        .await;
    let r = admin.post("/api/v1/accounts", json!({"username": "stranger", "password": PASSWORD, "role": "professional", "display_name": "Sigurd Stranger", "professional_id": p.body["id"]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = admin.post("/api/v1/accounts", json!({"username": "qproxy", "password": PASSWORD, "role": "proxy", "display_name": "Quentin's proxy", "patient_id": w.q, "proxy_may_consent": true})).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let api_routes: Vec<String> = samband_api::route_paths()
        .into_iter()
        .filter(|p| PATIENT_PARAMS.iter().any(|n| p.contains(n)))
        .collect();
    let ui_routes: Vec<String> = samband_ui::route_paths()
        .into_iter()
        .filter(|p| PATIENT_PARAMS.iter().any(|n| p.contains(n)))
        .collect();
    let doc = reqwest::get(t.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    // Everyone signs in first (a token and a session each), so that from here on the
    // only rows a request may touch are the last-use marks.
    let mut signed_in = Vec::new();
    for who in ["stranger", "quentin", "qproxy", "admin"] {
        let token = t.token(who).await;
        let browser = t.browser();
        let r = browser.login(who, PASSWORD).await;
        assert_eq!(r.status, 303, "{who} signs in");
        let csrf = samband_testkit::hidden_value(&browser.get("/account").await.text, "_csrf")
            .unwrap_or_default();
        signed_in.push((who, token, browser, csrf));
    }
    let before = t.fingerprint().await;
    let mut walked = 0;
    let mut by_input = Vec::new();
    for (who, token, browser, csrf) in &signed_in {
        let who = *who;
        let client = reqwest::Client::new();
        for template in &api_routes {
            // Administrators review emergency access (who and why, never content):
            // theirs to write, and tested with the emergency-access rules.
            if who == "admin" && template.contains("{grant}") {
                continue;
            }
            for path in expand(template, &ids) {
                for method in allowed_methods(&t, &path).await {
                    let res = client
                        .request(method.clone(), t.url(&path))
                        .bearer_auth(token)
                        .header("if-match", "\"1\"")
                        .json(&probe_body(&doc, template, &method, &ids))
                        .send()
                        .await
                        .unwrap();
                    let status = res.status().as_u16();
                    let body = res.text().await.unwrap();
                    // Breaking the glass is how a professional outside the team gets in
                    // (reason and password required: the empty body is refused at its fields).
                    let glass = who == "stranger"
                        && method == Method::POST
                        && template.ends_with("/{patient}/emergency-access");
                    // A use case checks its input before it opens the record: a refusal
                    // at a field of the probe (422) reveals nothing either, and is counted.
                    if status == 422 && !glass {
                        by_input.push(format!("{method} {template}"));
                    }
                    let ok = if glass {
                        status == 422
                    } else {
                        matches!(status, 403 | 404 | 422)
                    };
                    assert!(ok, "{who}: {method} {path} answered {status}: {body}");
                    for s in SENTINELS {
                        assert!(!body.contains(s), "{who}: {method} {path} showed {s:?}");
                    }
                    walked += 1;
                }
            }
        }
        for template in &ui_routes {
            if who == "admin" && template.contains("{grant}") {
                continue;
            }
            for path in expand(template, &ids) {
                for method in allowed_methods(&t, &path).await {
                    let req = browser.client.request(method.clone(), t.url(&path));
                    let req = if method == Method::GET {
                        req
                    } else {
                        req.form(&[("_csrf", csrf.as_str()), ("version", "1")])
                    };
                    let res = req.send().await.unwrap();
                    let status = res.status().as_u16();
                    let location = res
                        .headers()
                        .get("location")
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default();
                    let body = res.text().await.unwrap();
                    // A patient's own pages live under /me: sending them there names
                    // nothing of the record they asked for.
                    let to_own = status == 303
                        && method == Method::GET
                        && location.starts_with("/me")
                        && !location.contains(&w.p.to_string());
                    assert!(
                        to_own || matches!(status, 403 | 404),
                        "{who}: page {method} {path} answered {status} {location}"
                    );
                    for s in SENTINELS {
                        assert!(
                            !body.contains(s),
                            "{who}: page {method} {path} showed {s:?}"
                        );
                    }
                    walked += 1;
                }
            }
        }
    }
    assert_eq!(
        t.fingerprint().await,
        before,
        "an outsider's request wrote something"
    );
    by_input.sort();
    by_input.dedup();
    println!(
        "outsider walk: {} API and {} UI routes naming a patient, {walked} requests; refused at the input before the policy: {by_input:?}",
        api_routes.len(),
        ui_routes.len()
    );
}
