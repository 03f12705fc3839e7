//! Dates within plausible bounds per field, on the API and in forms: each refused
//! at its field, and nothing stored. (Today is 2026-11-23 on the test clock.)

use samband_testkit::{hidden_value, Backend, TestApp};
use serde_json::json;

both_backends!(
    implausible_dates_are_refused_at_the_field_on_the_api,
    implausible_dates_are_refused_at_the_field_in_forms,
);

async fn implausible_dates_are_refused_at_the_field_on_the_api(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let pia = t.api(&t.token("pia").await);
    let p = w.p;
    let team_version = cm.get(&format!("/api/v1/patients/{p}")).await.body["team"]["version"]
        .as_i64()
        .unwrap();
    let consent_version = pia
        .get(&format!("/api/v1/patients/{p}/consent"))
        .await
        .etag()
        .unwrap();
    let before = t.fingerprint().await;
    let patient = |birth: &str| json!({"name": "Ny Pasient", "birth_date": birth, "preferred_contact": "in_app", "my_role": "GP", "my_responsibility": "Coordinates"});
    let rule = |to: &str| json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "mental_health", "permit": true, "valid_to": to}]});
    let meeting = |at: &str| json!({"kind": "review", "mode": "in_person", "title": "Review", "starts_at": at, "duration_minutes": 60, "place": "Room 1", "pre_read_policy": "at_meeting"});
    let cases = vec![
        ("birth 1899", cm.post("/api/v1/patients", patient("1899-12-31")).await, "birth_date", "too_early"),
        ("birth in the future", cm.post("/api/v1/patients", patient("2026-11-24")).await, "birth_date", "too_late"),
        (
            "membership from 1899",
            cm.post_if_match(&format!("/api/v1/patients/{p}/team/members"), &format!("\"{team_version}\""), json!({"kind": "proxy", "name": "Per", "role": "Brother", "responsibility": "Accompanies", "active_from": "1899-01-01"})).await,
            "active_from",
            "too_early",
        ),
        (
            "membership until 2300",
            cm.post_if_match(&format!("/api/v1/patients/{p}/team/members"), &format!("\"{team_version}\""), json!({"kind": "proxy", "name": "Per", "role": "Brother", "responsibility": "Accompanies", "active_from": "2026-11-23", "active_to": "2300-01-01"})).await,
            "active_to",
            "too_late",
        ),
        (
            "consent valid until 1899",
            pia.put(&format!("/api/v1/patients/{p}/consent"), Some(&consent_version), rule("1899-01-01")).await,
            "rules[0].valid_to",
            "too_early",
        ),
        (
            "consent that has already ended",
            pia.put(&format!("/api/v1/patients/{p}/consent"), Some(&consent_version), rule("2026-11-01")).await,
            "rules[0].valid_to",
            "in_past",
        ),
        (
            "meeting in 2300",
            cm.post(&format!("/api/v1/patients/{p}/meetings"), meeting("2300-01-01T10:00")).await,
            "starts_at",
            "too_late",
        ),
        (
            "action due in 1899",
            cm.post(&format!("/api/v1/patients/{p}/actions"), json!({"title": "Old", "owner_member_id": w.m_gp, "due_date": "1899-01-01"})).await,
            "due_date",
            "too_early",
        ),
        (
            "request due in 2300",
            cm.post(&format!("/api/v1/patients/{p}/requests"), json!({"kind": "general_task", "addressee_member_id": w.m_gp, "subject": "Check", "due_date": "2300-01-01"})).await,
            "due_date",
            "too_late",
        ),
    ];
    for (what, r, field, code) in cases {
        assert_eq!(r.status, 422, "{what}: {}", r.text);
        assert_eq!(
            (r.error_fields(), r.error_codes()),
            (vec![field.to_owned()], vec![code.to_owned()]),
            "{what}: {}",
            r.text
        );
    }
    assert_eq!(t.fingerprint().await, before, "a refused date was stored");
    // The bounds are in the contract.
    let doc = reqwest::get(t.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    // The field names its schema (shared by every birth date), which states the bound.
    let field = &doc["components"]["schemas"]["RegisterPatient"]["properties"]["birth_date"];
    let name = field["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .unwrap_or_else(|| panic!("birth_date names a schema: {field}"));
    let birth = &doc["components"]["schemas"][name];
    assert_eq!(birth["format"], "date", "{birth}");
    assert!(
        birth["description"]
            .as_str()
            .unwrap_or_default()
            .contains("1900-01-01"),
        "the document states the birth-date bound: {birth}"
    );
}

async fn implausible_dates_are_refused_at_the_field_in_forms(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.browser();
    cm.login("cm", samband_testkit::fixture::PASSWORD).await;
    let before = t.fingerprint().await;
    let page = cm.get("/patients/new").await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let res = cm
        .post_form(
            "/patients",
            &[
                ("_csrf", &csrf),
                ("name", "Ola"),
                ("birth_date", "1899-06-01"),
                ("preferred_contact", "in_app"),
                ("my_role", "GP"),
                ("my_responsibility", "Coordinates"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("id=\"birth_date-error\""), "{}", res.text);
    assert!(
        res.text.contains("1900-01-01"),
        "the message states the bound"
    );
    assert!(res.text.contains("value=\"Ola\""), "typed values are kept");
    let res = cm
        .post_form(
            &format!("/patients/{}/meetings", w.p),
            &[
                ("_csrf", &csrf),
                ("kind", "review"),
                ("mode", "in_person"),
                ("title", "Far ahead"),
                ("date", "2300-01-01"),
                ("time", "10:00"),
                ("duration_minutes", "60"),
                ("place", "Room 1"),
                ("pre_read_policy", "at_meeting"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("id=\"date-error\""), "{}", res.text);
    assert!(
        res.text.contains("value=\"Far ahead\""),
        "typed values are kept"
    );
    assert_eq!(t.fingerprint().await, before, "a refused date was stored");
}
