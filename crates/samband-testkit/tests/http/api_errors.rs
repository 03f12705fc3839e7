//! Strict JSON and honest errors: every error under /api/v1 is a problem document,
//! whichever layer answered, and a field error names the field as the request
//! spelled it. A refused body writes nothing.

use samband_testkit::{Backend, TestApp};
use serde_json::json;

both_backends!(
    bodies_that_are_not_one_json_value_are_refused_and_write_nothing,
    every_error_on_the_api_is_a_problem_document,
    field_errors_name_the_field_as_sent,
);

async fn bodies_that_are_not_one_json_value_are_refused_and_write_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let token = t.token("cm").await;
    let goals = t.url(&format!("/api/v1/patients/{}/goals", w.p));
    let owner = w.m_nav.to_string();
    let before = t.fingerprint().await;
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "a second JSON value after the first",
            format!(r#"{{"text":"x","author":"professional","owner_member_id":"{owner}"}} {{"text":"y"}}"#).into_bytes(),
        ),
        (
            "a key given twice",
            format!(r#"{{"text":"x","text":"y","author":"professional","owner_member_id":"{owner}"}}"#).into_bytes(),
        ),
        (
            "a key given twice in a nested object",
            br#"{"text":"x","author":"professional","extra":{"a":1,"a":2}}"#.to_vec(),
        ),
        ("invalid UTF-8 in a string", {
            let mut v = br#"{"text":""#.to_vec();
            v.extend_from_slice(&[0xff, 0xfe]);
            v.extend_from_slice(format!(r#"","author":"professional","owner_member_id":"{owner}"}}"#).as_bytes());
            v
        }),
        ("not JSON at all", b"text=x".to_vec()),
    ];
    for (what, body) in bodies {
        let res = reqwest::Client::new()
            .post(&goals)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        let text = res.text().await.unwrap();
        assert_eq!(
            (status, ct.as_str()),
            (400, "application/problem+json"),
            "{what}: {text}"
        );
    }
    assert_eq!(t.fingerprint().await, before, "a refused body was written");
}

async fn every_error_on_the_api_is_a_problem_document(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let token = t.token("cm").await;
    let c = reqwest::Client::new();
    let goals = t.url(&format!("/api/v1/patients/{}/goals", w.p));
    let cases = vec![
        (
            "413: a body over the limit",
            c.post(&goals)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(vec![b' '; 300 * 1024]),
            413,
        ),
        (
            "415: not JSON",
            c.post(&goals)
                .bearer_auth(&token)
                .header("content-type", "text/plain")
                .body("hello"),
            415,
        ),
        (
            "404: an unknown route",
            c.get(t.url("/api/v1/no-such-thing")).bearer_auth(&token),
            404,
        ),
        (
            "405: a method the route lacks",
            c.delete(&goals).bearer_auth(&token),
            405,
        ),
        (
            "400: a bad query string",
            c.get(t.url(&format!("/api/v1/patients/{}/history?shoe_size=44", w.p)))
                .bearer_auth(&token),
            400,
        ),
        ("401: no token", c.get(t.url("/api/v1/me")), 401),
    ];
    for (what, req, want) in cases {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        assert_eq!(
            (status, ct.as_deref()),
            (want, Some("application/problem+json")),
            "{what}: {body}"
        );
        assert_eq!(
            body["status"], want,
            "{what}: the document states the status"
        );
        assert!(body["title"].is_string(), "{what}: a title");
    }
}

async fn field_errors_name_the_field_as_sent(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    // Registering a patient without the role I have on the team.
    let r = cm
        .post(
            "/api/v1/patients",
            json!({"name": "Ny Pasient", "birth_date": "1980-01-01", "preferred_contact": "in_app", "my_responsibility": "Coordinates"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_fields(), vec!["my_role"], "{}", r.text);
    let r = cm
        .post(
            "/api/v1/patients",
            json!({"name": "Ny Pasient", "birth_date": "1980-01-01", "preferred_contact": "in_app", "my_role": " ", "my_responsibility": "Coordinates"}),
        )
        .await;
    assert_eq!(r.error_fields(), vec!["my_role"], "{}", r.text);
    // A meeting: a guest with a bad e-mail address, the patient's wish and raise.
    let r = cm
        .post(&format!("/api/v1/patients/{}/meetings", w.p), json!({"kind": "review", "mode": "in_person", "title": "Review", "starts_at": "2026-12-03T09:00", "duration_minutes": 60, "place": "Room 1", "pre_read_policy": "at_meeting"}))
        .await;
    let meeting = format!("/api/v1/meetings/{}", r.body["id"].as_str().unwrap());
    let r = cm
        .post(
            &format!("{meeting}/participants"),
            json!({"guest": {"name": "Gjest", "email": "not-an-address"}}),
        )
        .await;
    assert_eq!(r.error_fields(), vec!["guest.email"], "{}", r.text);
    let r = cm
        .post(&format!("{meeting}/participants"), json!({"patient": true}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let pia = t.api(&t.token("pia").await);
    let r = pia.post(&format!("{meeting}/raise"), json!({})).await;
    assert_eq!(r.error_fields(), vec!["raise"], "{}", r.text);
    let r = pia
        .post(
            &format!("{meeting}/raise"),
            json!({"raise": "x".repeat(5000)}),
        )
        .await;
    assert_eq!(r.error_fields(), vec!["raise"], "{}", r.text);
}
