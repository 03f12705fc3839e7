//! The JSON API: validation, versioned updates, history, audit.

use samband_testkit::{Backend, TestApp};
use serde_json::json;

both_backends!(
    health_and_openapi,
    register_patient_validates_every_field_and_writes_nothing_on_error,
    action_lifecycle_with_etags_conflicts_and_history,
    bad_action_input_is_refused_and_changes_nothing,
    team_keeps_exactly_one_coordinator_and_refuses_stale_versions,
    crisis_plan_goals_services_and_revision_date,
    malformed_and_oversized_bodies,
    every_read_and_write_is_audited_in_the_same_transaction,
);

async fn health_and_openapi(b: Backend) {
    let t = TestApp::start(b).await;
    let r = reqwest::get(t.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = reqwest::get(t.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/patients/{patient}/actions/{action}"]["put"].is_object());
    let r = reqwest::get(t.url("/api/v1/no-such-thing")).await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn register_patient_validates_every_field_and_writes_nothing_on_error(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let api = t.api(&t.token("gp").await);
    let before = api.get("/api/v1/patients").await.body["items"]
        .as_array()
        .unwrap()
        .len();
    let bad = api
        .post(
            "/api/v1/patients",
            json!({
                "name": "  ",
                "birth_date": "1990-02-30",
                "national_id_country": "NO",
                "national_id": "01019012345",
                "preferred_contact": "pigeon",
                "phone": "call me",
                "my_role": "GP",
                "my_responsibility": "Medication"
            }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(
        bad.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let fields = bad.error_fields();
    for f in [
        "name",
        "birth_date",
        "national_id",
        "preferred_contact",
        "phone",
    ] {
        assert!(
            fields.contains(&f.to_owned()),
            "no error for {f}: {fields:?}"
        );
    }
    // A valid fødselsnummer that does not match the stated birth date.
    let fnr = samband_domain::national_id::synthetic_fnr(
        chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        7,
    )
    .unwrap();
    let mismatch = api
        .post(
            "/api/v1/patients",
            json!({"name": "Ola", "birth_date": "1991-01-01", "national_id": fnr, "preferred_contact": "in_app", "my_role": "GP", "my_responsibility": "x"}),
        )
        .await;
    assert_eq!(
        mismatch.error_codes(),
        vec!["mismatch_national_id"],
        "{}",
        mismatch.text
    );
    let unknown = api
        .post("/api/v1/patients", json!({"name": "Ola", "birth_date": "1990-01-01", "preferred_contact": "in_app", "my_role": "GP", "my_responsibility": "x", "shoe_size": 44}))
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.error_codes(), vec!["unknown_field"]);
    let sms_without_phone = api
        .post("/api/v1/patients", json!({"name": "Ola", "birth_date": "1990-01-01", "preferred_contact": "sms", "my_role": "GP", "my_responsibility": "x"}))
        .await;
    assert_eq!(sms_without_phone.error_fields(), vec!["phone"]);
    assert_eq!(
        api.get("/api/v1/patients").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        before,
        "nothing written"
    );

    let ok = api
        .post(
            "/api/v1/patients",
            json!({"name": "Ola Nordmann", "birth_date": "1985-05-17", "national_id_country": "DK", "national_id": "170585-1234", "preferred_contact": "in_app", "my_role": "GP", "my_responsibility": "Medication"}),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert!(ok
        .header("location")
        .unwrap()
        .starts_with("/api/v1/patients/"));
    assert_eq!(ok.body["members"][0]["member"]["is_coordinator"], true);
    assert_eq!(
        api.get("/api/v1/patients").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        before + 1
    );
}

async fn action_lifecycle_with_etags_conflicts_and_history(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let cm = t.api(&t.token("cm").await);
    let base = format!("/api/v1/patients/{}/actions", w.p);
    let created = gp
        .post(&base, json!({"title": "Review medication", "owner_member_id": w.m_gp, "due_date": "2026-12-01"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.etag().as_deref(), Some("\"1\""));
    assert_eq!(created.body["status"], "planned");
    assert_eq!(
        created.body["sector"], "primary_care",
        "sector defaults to the owner's organisation's"
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("{base}/{id}");
    let read = cm.get(&path).await;
    assert_eq!((read.status, read.etag().as_deref()), (200, Some("\"1\"")));

    let update = json!({"title": "Review medication", "owner_member_id": w.m_gp, "due_date": "2026-12-01", "status": "in_progress", "reason": "Started at the visit"});
    let no_precondition = gp.put(&path, None, update.clone()).await;
    assert_eq!(no_precondition.status, 428);
    let first = gp.put(&path, Some("\"1\""), update.clone()).await;
    assert_eq!(
        (first.status, first.etag().as_deref()),
        (200, Some("\"2\"")),
        "{}",
        first.text
    );
    // The care manager still holds version 1: refused, with the current state.
    let stale = cm
        .put(&path, Some("\"1\""), json!({"title": "Review medication and sleep", "owner_member_id": w.m_gp, "due_date": "2026-12-05"}))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(stale.body["current_version"], 2);
    assert_eq!(stale.body["current"]["status"], "in_progress");
    assert_eq!(stale.body["changed_by"], "Gunnar Lege");
    assert_eq!(stale.etag().as_deref(), Some("\"2\""));
    let now = cm.get(&path).await;
    assert_eq!(
        now.body["title"], "Review medication",
        "the stale write changed nothing"
    );

    let history = cm
        .get(&format!("/api/v1/patients/{}/history?object_id={id}", w.p))
        .await;
    let entries = history.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(history.body["total"], 2);
    assert!(history.body["next"].is_null(), "one page holds it all");
    assert_eq!(entries[0]["version"], 2);
    assert_eq!(entries[0]["changed_by"], "Gunnar Lege");
    assert_eq!(entries[0]["reason"], "Started at the visit");
    assert_eq!(entries[0]["old"]["status"], "planned");
    assert_eq!(entries[0]["new"]["status"], "in_progress");
    assert!(entries[1]["old"].is_null(), "creation has no old value");
}

async fn bad_action_input_is_refused_and_changes_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let base = format!("/api/v1/patients/{}/actions", w.p);
    let count = || async {
        gp.get(&format!("/api/v1/patients/{}", w.p)).await.body["actions"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count().await;
    let cases = [
        (
            json!({"title": "", "owner_member_id": w.m_gp, "due_date": "2026-12-01"}),
            "title",
        ),
        (
            json!({"title": "x".repeat(201), "owner_member_id": w.m_gp, "due_date": "2026-12-01"}),
            "title",
        ),
        (
            json!({"title": "Call", "owner_member_id": w.m_gp, "due_date": "2026-11-22"}),
            "due_date",
        ),
        (
            json!({"title": "Call", "owner_member_id": w.m_gp, "due_date": "tomorrow"}),
            "due_date",
        ),
        (
            json!({"title": "Call", "owner_member_id": uuid::Uuid::now_v7(), "due_date": "2026-12-01"}),
            "owner_member_id",
        ),
        (
            json!({"title": "Call", "due_date": "2026-12-01"}),
            "owner_member_id",
        ),
        (
            json!({"title": "Call", "owner_member_id": w.m_gp, "due_date": "2026-12-01", "status": "finished"}),
            "status",
        ),
        (
            json!({"title": "Call", "owner_member_id": w.m_gp, "due_date": "2026-12-01", "sector": "space"}),
            "sector",
        ),
        (
            json!({"title": "Call", "owner_member_id": w.m_gp, "due_date": "2026-12-01", "goal_id": uuid::Uuid::now_v7()}),
            "goal_id",
        ),
        (
            json!({"title": "Call", "owner_member_id": "not-a-uuid", "due_date": "2026-12-01"}),
            "owner_member_id",
        ),
    ];
    for (body, field) in cases {
        let r = gp.post(&base, body.clone()).await;
        assert_eq!(r.status, 422, "{body} -> {}", r.text);
        assert!(
            r.error_fields().iter().any(|f| f == field),
            "{body}: expected error on {field}, got {:?}",
            r.error_fields()
        );
    }
    // An owner from another patient's team is refused too.
    let q_team = gp.get(&format!("/api/v1/patients/{}", w.q)).await;
    let q_member = q_team.body["team"]["members"][0]["id"].clone();
    let r = gp
        .post(
            &base,
            json!({"title": "Call", "owner_member_id": q_member, "due_date": "2026-12-01"}),
        )
        .await;
    assert_eq!(r.error_fields(), vec!["owner_member_id"]);
    assert_eq!(count().await, before, "no action was written");
}

async fn team_keeps_exactly_one_coordinator_and_refuses_stale_versions(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    let v = ov.body["team"]["version"].as_i64().unwrap();
    let path = format!("/api/v1/patients/{}/team/members/{}", w.p, w.m_care_manager);
    // Removing the only coordinator's role is refused.
    let r = cm
        .put(&path, Some(&format!("\"{v}\"")), json!({"kind": "professional", "professional_id": w.care_manager, "role": "Care manager", "responsibility": "Coordinates", "is_coordinator": false, "active_from": "2026-11-23"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.error_codes().contains(&"one_coordinator".to_owned()));
    // Making the GP coordinator moves the role.
    let gp_path = format!("/api/v1/patients/{}/team/members/{}", w.p, w.m_gp);
    let r = cm
        .put(&gp_path, Some(&format!("\"{v}\"")), json!({"kind": "professional", "professional_id": w.gp, "role": "GP", "responsibility": "Medication and coordination", "is_coordinator": true, "active_from": "2026-11-23"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let coords: Vec<_> = r.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["is_coordinator"] == true)
        .collect();
    assert_eq!(coords.len(), 1);
    assert_eq!(coords[0]["id"], json!(w.m_gp));
    // The same stale version again: 412.
    let stale = cm
        .post_if_match(&format!("/api/v1/patients/{}/team/members", w.p), &format!("\"{v}\""), json!({"kind": "proxy", "name": "Per Pårørende", "role": "Brother", "responsibility": "Accompanies to social services", "active_from": "2026-11-23"}))
        .await;
    assert_eq!(stale.status, 412);
    // Bad member input: end before start, unknown professional, duplicate professional.
    let v2 = format!("\"{}\"", v + 1);
    let members = format!("/api/v1/patients/{}/team/members", w.p);
    let r = cm.post_if_match(&members, &v2, json!({"kind": "professional", "professional_id": w.er, "role": "ER", "responsibility": "x", "active_from": "2026-11-23", "active_to": "2026-11-01"})).await;
    assert_eq!(r.error_fields(), vec!["active_to"]);
    let r = cm.post_if_match(&members, &v2, json!({"kind": "professional", "professional_id": uuid::Uuid::now_v7(), "role": "ER", "responsibility": "x", "active_from": "2026-11-23"})).await;
    assert_eq!(r.error_fields(), vec!["professional_id"]);
    let r = cm.post_if_match(&members, &v2, json!({"kind": "professional", "professional_id": w.nav, "role": "NAV", "responsibility": "again", "active_from": "2026-11-23"})).await;
    assert_eq!(r.error_codes(), vec!["duplicate_member"]);
    let r = cm.post_if_match(&members, &v2, json!({"kind": "professional", "professional_id": w.er, "organisation_id": w.gp_org, "role": "ER", "responsibility": "x", "active_from": "2026-11-23"})).await;
    assert_eq!(
        r.error_codes(),
        vec!["not_member"],
        "professional must work in the organisation"
    );
    let after = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(
        after.body["team"]["version"],
        v + 1,
        "refused changes wrote nothing"
    );
    // A valid proxy member is added.
    let r = cm.post_if_match(&members, &v2, json!({"kind": "proxy", "name": "Per Pårørende", "role": "Brother", "responsibility": "Accompanies to social services", "phone": "+47 900 00 000", "active_from": "2026-11-23"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn crisis_plan_goals_services_and_revision_date(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let cp = format!("/api/v1/patients/{}/crisis-plan", w.p);
    let r = cm
        .put(
            &cp,
            Some("\"0\""),
            json!({"warning_signs": "Sleeps badly", "contacts": "Call 113"}),
        )
        .await;
    assert_eq!(
        (r.status, r.etag().as_deref()),
        (200, Some("\"1\"")),
        "{}",
        r.text
    );
    let r = cm
        .put(&cp, Some("\"0\""), json!({"warning_signs": "Other"}))
        .await;
    assert_eq!(r.status, 412);
    let goal = cm
        .post(&format!("/api/v1/patients/{}/goals", w.p), json!({"text": "Return to work 50 %", "author": "professional", "owner_member_id": w.m_nav}))
        .await;
    assert_eq!(goal.status, 201, "{}", goal.text);
    let no_owner = cm
        .post(
            &format!("/api/v1/patients/{}/goals", w.p),
            json!({"text": "x", "author": "professional"}),
        )
        .await;
    assert_eq!(no_owner.error_fields(), vec!["owner_member_id"]);
    let s = cm
        .post(
            &format!("/api/v1/patients/{}/services", w.p),
            json!({"what": "Home nursing", "provider": "Testby kommune", "frequency": "Daily"}),
        )
        .await;
    assert_eq!(s.status, 201);
    let sid = s.body["id"].as_str().unwrap();
    let s2 = cm
        .put(
            &format!("/api/v1/patients/{}/services/{sid}", w.p),
            Some("\"1\""),
            json!({"what": "Home nursing", "provider": "Testby kommune", "frequency": ""}),
        )
        .await;
    assert_eq!(s2.error_fields(), vec!["frequency"]);
    let plan = cm
        .put(
            &format!("/api/v1/patients/{}/plan", w.p),
            Some("\"1\""),
            json!({"revision_date": "2027-05-01"}),
        )
        .await;
    assert_eq!(plan.status, 200, "{}", plan.text);
    let past = cm
        .put(
            &format!("/api/v1/patients/{}/plan", w.p),
            Some("\"2\""),
            json!({"revision_date": "2026-01-01"}),
        )
        .await;
    assert_eq!(past.error_codes(), vec!["in_past"]);
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(ov.body["plan"]["revision_date"], "2027-05-01");
    assert_eq!(ov.body["crisis_plan"]["contacts"], "Call 113");
    assert_eq!(ov.body["goals"][0]["text"], "Return to work 50 %");
    assert_eq!(ov.body["services"][0]["frequency"], "Daily");
}

async fn malformed_and_oversized_bodies(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let url = t.url(&format!("/api/v1/patients/{}/actions", w.p));
    let r = gp
        .raw(
            gp.client()
                .post(&url)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = gp
        .raw(
            gp.client()
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
        )
        .await;
    assert_eq!(r.status, 415);
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(300 * 1024));
    // Its own client: the server answers 413 without reading the rest and closes the
    // connection, which must not be reused for the next request.
    let r = gp
        .raw(
            reqwest::Client::new()
                .post(&url)
                .header("content-type", "application/json")
                .header("connection", "close")
                .body(huge),
        )
        .await;
    assert_eq!(r.status, 413);
    let r = gp.get("/api/v1/patients/not-a-uuid").await;
    assert_eq!(r.status, 404);
}

async fn every_read_and_write_is_audited_in_the_same_transaction(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let er = t.api(&t.token("er").await);
    let audit = || async {
        let mut tx = t.app.store.begin().await.unwrap();
        tx.list_audit(Some(w.p), 10_000).await.unwrap()
    };
    let before = audit().await.len();
    assert_eq!(
        cm.get(&format!("/api/v1/patients/{}", w.p)).await.status,
        200
    );
    let after_read = audit().await;
    let reads: Vec<_> = after_read[before..]
        .iter()
        .filter(|e| e.action == "read")
        .collect();
    assert!(!reads.is_empty(), "a read of the overview is audited");
    assert!(reads
        .iter()
        .all(|e| e.purpose == "care" && e.actor_account_id.is_some()));
    assert!(
        reads.iter().any(|e| e.object_type == "crisis_plan"),
        "the crisis plan read is audited as its own category"
    );
    assert_eq!(
        er.get(&format!("/api/v1/patients/{}", w.p)).await.status,
        404
    );
    let after_deny = audit().await;
    assert_eq!(
        after_deny.last().unwrap().action,
        "deny",
        "denials are audited"
    );
    let r = cm
        .post(
            &format!("/api/v1/patients/{}/actions", w.p),
            json!({"title": "Call", "owner_member_id": w.m_gp, "due_date": "2026-12-01"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let last = audit().await.last().cloned().unwrap();
    assert_eq!(
        (last.action.as_str(), last.object_type.as_str()),
        ("create", "action")
    );
    assert_eq!(last.object_id.as_deref(), r.body["id"].as_str());
    assert!(last.request_id.is_some(), "the request id is recorded");
}
