//! Consent, emergency access and the patient's access log (issue #3), over HTTP.

use chrono::Duration;
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    consent_narrowing_and_widening_take_effect_on_the_next_request,
    consent_input_is_validated_and_changes_nothing,
    professionals_record_paper_consent_only_after_reauthentication,
    emergency_access_is_limited_logged_and_shown_to_the_patient,
    the_access_log_is_the_patients_own,
    paper_consent_form_records_a_rule_after_the_password,
    privacy_officers_review_emergency_access_in_their_own_organisation,
    a_proxy_reads_for_the_patient_and_changes_consent_only_if_authorised,
    consent_grid_access_log_and_emergency_pages_work_in_the_browser,
);

async fn consent_version(api: &samband_testkit::Api, p: impl std::fmt::Display) -> i64 {
    api.get(&format!("/api/v1/patients/{p}/consent")).await.body["version"]
        .as_i64()
        .unwrap()
}

async fn consent_narrowing_and_widening_take_effect_on_the_next_request(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    let nav = t.api(&t.token("nav").await);
    let pia = t.api(&t.token("pia").await);
    let ov = format!("/api/v1/patients/{}", w.p);
    let r = cm
        .put(
            &format!("{ov}/crisis-plan"),
            Some("\"0\""),
            json!({"warning_signs": "Stops answering the phone"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        gp.get(&ov).await.body["crisis_plan"].is_object(),
        "health sector sees it by default"
    );
    assert!(
        nav.get(&ov).await.body["crisis_plan"].is_null(),
        "social security does not by default"
    );

    // Narrow: primary care may no longer see the crisis plan.
    let narrow = json!({"rules": [{"recipient_kind": "sector", "recipient": "primary_care", "category": "crisis_plan", "permit": false}]});
    let r = pia
        .put(&format!("{ov}/consent"), Some("\"0\""), narrow)
        .await;
    assert_eq!(
        (r.status, r.etag().as_deref()),
        (200, Some("\"1\"")),
        "{}",
        r.text
    );
    let seen = gp.get(&ov).await;
    assert!(
        seen.body["crisis_plan"].is_null(),
        "withdrawal applies on the very next request"
    );
    let history = gp.get(&format!("{ov}/history")).await;
    assert!(
        history.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["object_type"] != "crisis_plan"),
        "history hides it too"
    );
    let r = gp
        .put(
            &format!("{ov}/crisis-plan"),
            Some("\"1\""),
            json!({"warning_signs": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "no writes to what one may not read");
    // The care manager's organisation is in primary care too.
    assert!(cm.get(&ov).await.body["crisis_plan"].is_null());

    // Widen: the GP's organisation specifically may see it again (beats the sector rule),
    // and NAV gets the crisis plan for a period.
    let v = consent_version(&pia, w.p).await;
    let widen = json!({"rules": [
        {"recipient_kind": "sector", "recipient": "primary_care", "category": "crisis_plan", "permit": false},
        {"recipient_kind": "organisation", "recipient": w.gp_org, "category": "crisis_plan", "permit": true},
        {"recipient_kind": "sector", "recipient": "social_security", "category": "crisis_plan", "permit": true, "valid_from": "2026-11-23", "valid_to": "2026-11-30", "purpose": "work_rehabilitation"}
    ]});
    let r = pia
        .put(&format!("{ov}/consent"), Some(&format!("\"{v}\"")), widen)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(gp.get(&ov).await.body["crisis_plan"].is_object());
    assert!(nav.get(&ov).await.body["crisis_plan"].is_object());
    t.clock.advance(Duration::days(8));
    assert!(
        nav.get(&ov).await.body["crisis_plan"].is_null(),
        "the grant's period ended"
    );

    let r = cm
        .post(
            &format!("{ov}/actions"),
            json!({"title": "Call NAV", "owner_member_id": w.m_nav, "due_date": "2026-12-24"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let before = nav.get("/api/v1/patients").await;
    assert_eq!(
        before.body["items"][0]["open_actions"], 1,
        "NAV sees the count while the plan is shared"
    );
    // Refusing the plan itself to social security leaves NAV only the patient's identity.
    let v = consent_version(&pia, w.p).await;
    let r = pia
        .put(&format!("{ov}/consent"), Some(&format!("\"{v}\"")), json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "plan_and_actions", "permit": false}]}))
        .await;
    assert_eq!(r.status, 200);
    let withheld = nav.get(&ov).await;
    assert_eq!(
        withheld.status, 200,
        "a team member still sees whose record it is"
    );
    assert_eq!(withheld.body["plan_visible"], false);
    assert!(withheld.body["actions"].as_array().unwrap().is_empty());
    assert!(withheld.body["members"].as_array().unwrap().is_empty());
    let r = nav
        .post(
            &format!("{ov}/actions"),
            json!({"title": "x", "owner_member_id": w.m_nav, "due_date": "2026-12-24"}),
        )
        .await;
    assert_eq!(r.status, 404, "no writes to the plan either");
    let listed = nav.get("/api/v1/patients").await;
    let row = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Pia Pasient")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            row["open_actions"].as_i64(),
            row["overdue_actions"].as_i64()
        ),
        (Some(0), Some(0)),
        "counts are plan information too"
    );
    // Every change is versioned with history.
    let changes = pia.get(&format!("{ov}/history?object_id={}", w.p)).await;
    let consent_changes = changes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["object_type"] == "consent")
        .count();
    assert_eq!(consent_changes, 3);
}

async fn consent_input_is_validated_and_changes_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let pia = t.api(&t.token("pia").await);
    let path = format!("/api/v1/patients/{}/consent", w.p);
    let bad = json!({"rules": [
        {"recipient_kind": "sector", "recipient": "primary_care", "category": "gossip", "permit": false},
        {"recipient_kind": "sector", "recipient": "primary_care", "category": "medication", "permit": false, "valid_from": "2026-12-01", "valid_to": "2026-11-01"},
        {"recipient_kind": "organisation", "recipient": uuid::Uuid::now_v7(), "category": "medication", "permit": true}
    ]});
    let r = pia.put(&path, Some("\"0\""), bad).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let fields = r.error_fields();
    for f in ["rules[0].category", "rules[1].valid_to"] {
        assert!(fields.contains(&f.to_owned()), "{fields:?}");
    }
    let r = pia
        .put(&path, Some("\"0\""), json!({"rules": [{"recipient_kind": "organisation", "recipient": uuid::Uuid::now_v7(), "category": "medication", "permit": true}]}))
        .await;
    assert_eq!(
        r.error_fields(),
        vec!["rules[0].recipient"],
        "a recipient that does not exist"
    );
    let r = pia
        .put(&path, Some("\"0\""), json!({"rules": [], "extra": 1}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(consent_version(&pia, w.p).await, 0, "nothing was written");
    let ok = pia.put(&path, Some("\"0\""), json!({"rules": []})).await;
    assert_eq!(ok.status, 200);
    let stale = pia.put(&path, Some("\"0\""), json!({"rules": []})).await;
    assert_eq!(stale.status, 412);
}

async fn professionals_record_paper_consent_only_after_reauthentication(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let path = format!("/api/v1/patients/{}/consent", w.p);
    let rules = json!([{"recipient_kind": "sector", "recipient": "social_security", "category": "work_capacity", "permit": true}]);
    let r = cm.put(&path, Some("\"0\""), json!({"rules": rules})).await;
    assert_eq!(r.error_codes(), vec!["reauth_failed"]);
    let r = cm
        .put(
            &path,
            Some("\"0\""),
            json!({"rules": rules, "password": "not my password"}),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["reauth_failed"]);
    let r = cm
        .put(
            &path,
            Some("\"0\""),
            json!({"rules": rules, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["rules"][0]["source"], "paper",
        "marked as recorded from paper"
    );
    let er = t.api(&t.token("er").await);
    let r = er
        .put(
            &path,
            Some("\"1\""),
            json!({"rules": [], "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 404, "only the team may record consent");
}

async fn emergency_access_is_limited_logged_and_shown_to_the_patient(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    cm.put(
        &format!("/api/v1/patients/{}/crisis-plan", w.p),
        Some("\"0\""),
        json!({"contacts": "Sister: +47 400 00 000"}),
    )
    .await;
    let er = t.api(&t.token("er").await);
    let ov = format!("/api/v1/patients/{}", w.p);
    let glass = format!("{ov}/emergency-access");
    assert_eq!(er.get(&ov).await.status, 404);
    let r = er.post(&glass, json!({"reason_code": "curiosity", "reason_text": "Just looking around", "password": PASSWORD})).await;
    assert_eq!(r.error_fields(), vec!["reason_code"]);
    let r = er
        .post(
            &glass,
            json!({"reason_code": "urgent_treatment", "reason_text": "ill", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.error_fields(), vec!["reason_text"]);
    let r = er.post(&glass, json!({"reason_code": "urgent_treatment", "reason_text": "Brought in unconscious", "password": "wrong one!!"})).await;
    assert_eq!(r.error_codes(), vec!["reauth_failed"]);
    assert_eq!(
        er.get(&ov).await.status,
        404,
        "refused attempts grant nothing"
    );

    let r = er.post(&glass, json!({"reason_code": "patient_unconscious", "reason_text": "Brought in unconscious by ambulance", "password": PASSWORD})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let seen = er.get(&ov).await;
    assert_eq!(seen.status, 200);
    assert_eq!(
        seen.body["crisis_plan"]["contacts"], "Sister: +47 400 00 000",
        "the crisis plan is what an emergency needs"
    );
    assert_eq!(seen.body["can_edit_plan"], false);
    let r = er
        .post(
            &format!("{ov}/actions"),
            json!({"title": "x", "owner_member_id": w.m_gp, "due_date": "2026-12-01"}),
        )
        .await;
    assert_eq!(r.status, 403, "emergency access is read-only");
    assert_eq!(
        er.get(&format!("/api/v1/patients/{}", w.q)).await.status,
        404,
        "one patient only"
    );
    t.clock.advance(Duration::hours(3) + Duration::minutes(59));
    assert_eq!(er.get(&ov).await.status, 200, "still inside four hours");
    t.clock.advance(Duration::minutes(1));
    assert_eq!(er.get(&ov).await.status, 404, "gone after four hours");

    // The patient sees it in their access log, marked as emergency access.
    let pia = t.api(&t.token("pia").await);
    let log = pia.get(&format!("{ov}/access-log?limit=200")).await;
    assert_eq!(log.status, 200);
    assert!(log.body["next"].is_null(), "one page of 200 holds it all");
    let rows = log.body["items"].as_array().unwrap();
    let emergency: Vec<&Value> = rows.iter().filter(|r| r["emergency"] == true).collect();
    assert!(
        emergency.iter().any(|r| r["action"] == "emergency_access"),
        "the grant itself is listed"
    );
    assert!(
        emergency
            .iter()
            .any(|r| r["object"] == "crisis_plan" && r["action"] == "read"),
        "and what was viewed"
    );
    assert!(emergency.iter().all(|r| r["who"] == "Erik Akutt"
        && r["role"] == "Emergency physician"
        && r["organisation"] == "Testby akuttmottak"));
    // Flagged for review; only administrators see the list, and nothing clinical.
    assert_eq!(er.get("/api/v1/emergency-access").await.status, 403);
    let admin = t.api(&t.token("admin").await);
    let open = admin.get("/api/v1/emergency-access").await;
    assert_eq!(open.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(open.body["total"], 1);
    assert_eq!(open.body["next"], serde_json::Value::Null, "one page");
    let item = &open.body["items"][0];
    assert_eq!(item["reason_code"], "patient_unconscious");
    assert_eq!(
        (
            &item["used_by"],
            &item["used_by_title"],
            &item["used_by_organisation"]
        ),
        (
            &json!("Erik Akutt"),
            &json!("Emergency physician"),
            &json!("Testby akuttmottak")
        ),
        "the list names who used it"
    );
    assert_eq!(
        admin
            .get("/api/v1/emergency-access?limit=0")
            .await
            .error_fields(),
        vec!["limit"],
        "the page size is bounded"
    );
    let id = item["id"].as_str().unwrap();
    let r = admin
        .post(&format!("/api/v1/emergency-access/{id}/review"), json!({}))
        .await;
    assert_eq!(r.status, 204);
    assert!(admin.get("/api/v1/emergency-access").await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
}

async fn the_access_log_is_the_patients_own(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let path = format!("/api/v1/patients/{}/access-log", w.p);
    let gp = t.api(&t.token("gp").await);
    gp.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(gp.get(&path).await.status, 403);
    assert_eq!(
        t.api(&t.token("quentin").await).get(&path).await.status,
        404
    );
    let log = t.api(&t.token("pia").await).get(&path).await;
    assert_eq!(log.status, 200);
    let rows = log.body["items"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["who"] == "Gunnar Lege" && r["action"] == "read" && r["purpose"] == "care"),
        "the GP's read is listed"
    );
    assert!(
        rows.windows(2)
            .all(|p| p[0]["at"].as_str() >= p[1]["at"].as_str()),
        "newest first"
    );
}

async fn consent_grid_access_log_and_emergency_pages_work_in_the_browser(b: Backend) {
    use samband_testkit::hidden_value;
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    cm.put(
        &format!("/api/v1/patients/{}/crisis-plan", w.p),
        Some("\"0\""),
        json!({"contacts": "Call 113"}),
    )
    .await;
    let gp = t.api(&t.token("gp").await);
    assert!(gp.get(&format!("/api/v1/patients/{}", w.p)).await.body["crisis_plan"].is_object());

    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let page = pia.get("/me/consent").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("Testby legesenter") && page.text.contains("NAV Testby"),
        "one section per organisation on the team"
    );
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let version = hidden_value(&page.text, "version").unwrap();
    let field = format!("c.{}.crisis_plan", w.gp_org);
    // Taking access away is confirmed (refusal without it: destructive.rs).
    let r = pia
        .post_form(
            "/me/consent",
            &[
                ("_csrf", &csrf),
                ("version", &version),
                (&field, "no"),
                ("withdraw_confirm", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(
        gp.get(&format!("/api/v1/patients/{}", w.p)).await.body["crisis_plan"].is_null(),
        "the GP's office no longer sees it"
    );
    let again = pia.get("/me/consent").await;
    let no_radio = format!(
        "id=\"n-{}-crisis_plan\" name=\"{field}\" value=\"no\" checked",
        w.gp_org
    );
    assert!(
        again.text.contains(&no_radio),
        "the grid shows the new choice"
    );
    // Submitting the same page twice (stale version) does not overwrite.
    let stale = pia
        .post_form(
            "/me/consent",
            &[("_csrf", &csrf), ("version", &version), (&field, "yes")],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(gp.get(&format!("/api/v1/patients/{}", w.p)).await.body["crisis_plan"].is_null());

    let log = pia.get("/me/access-log").await;
    assert_eq!(log.status, 200);
    assert!(log.text.contains("Gunnar Lege") && log.text.contains("Looked at"));

    let er = t.browser();
    er.login("er", PASSWORD).await;
    let form = er.get("/emergency").await;
    let csrf = hidden_value(&form.text, "_csrf").unwrap();
    let bad = er
        .post_form(
            "/emergency",
            &[
                ("_csrf", &csrf),
                ("identifier", "123"),
                ("reason_code", "urgent_treatment"),
                ("reason_text", "Chest pain, unresponsive"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("id=\"identifier-error\""));
    let ok = er
        .post_form(
            "/emergency",
            &[
                ("_csrf", &csrf),
                ("identifier", &w.p.to_string()),
                ("reason_code", "urgent_treatment"),
                ("reason_text", "Chest pain, unresponsive"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (ok.status, ok.header("location")),
        (303, Some(format!("/patients/{}", w.p)))
    );
    let overview = er.get(&format!("/patients/{}", w.p)).await;
    assert_eq!(overview.status, 200);
    assert!(
        overview.text.contains("emergency access"),
        "a banner says so"
    );
    let log = pia.get("/me/access-log").await;
    assert!(log.text.contains("Erik Akutt") && log.text.contains("emergency-row"));
}

async fn paper_consent_form_records_a_rule_after_the_password(b: Backend) {
    use samband_testkit::hidden_value;
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let path = format!("/patients/{}/consent", w.p);
    let page = cm.get(&path).await;
    assert_eq!(page.status, 200);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let version = hidden_value(&page.text, "version").unwrap();
    let form = |password: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", version.clone()),
            ("recipient", "sector:social_security".to_owned()),
            ("category", "work_capacity".to_owned()),
            ("permit", "yes".to_owned()),
            ("valid_from", "2026-12-01".to_owned()),
            ("valid_to", "2026-11-01".to_owned()),
            ("password", password.to_owned()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let bad = as_refs(&form("wrong password!"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = cm.post_form(&path, &bad).await;
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("id=\"password-error\""),
        "re-authentication failed is shown"
    );
    let mut good = as_refs(&form(PASSWORD));
    good.retain(|(k, _)| *k != "valid_to");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = cm.post_form(&path, &good).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let consent = t
        .api(&t.token("pia").await)
        .get(&format!("/api/v1/patients/{}/consent", w.p))
        .await;
    assert_eq!(consent.body["rules"][0]["source"], "paper");
    assert_eq!(consent.body["rules"][0]["category"], "work_capacity");
    let shown = cm.get(&path).await;
    assert!(shown.text.contains("From paper") && shown.text.contains("Work capacity"));
}

async fn privacy_officers_review_emergency_access_in_their_own_organisation(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let admin = t.api(&t.token("admin").await);
    let orgs = admin.get("/api/v1/organisations").await;
    let org_id = |name: &str| {
        orgs.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap()["id"]
            .clone()
    };
    let mut officers = Vec::new();
    for (user, org) in [
        ("po.er", "Testby akuttmottak"),
        ("po.gp", "Testby legesenter"),
    ] {
        let p = admin.post("/api/v1/professionals", json!({"name": format!("Officer {user}"), "title": "Privacy officer", "organisation_ids": [org_id(org)]})).await;
        assert_eq!(p.status, 201, "{}", p.text);
        let a = admin
            .post("/api/v1/accounts", json!({"username": user, "password": PASSWORD, "role": "professional", "display_name": user, "professional_id": p.body["id"], "privacy_officer": true}))
            .await;
        assert_eq!(a.status, 201, "{}", a.text);
        officers.push(user);
    }
    let bad = admin.post("/api/v1/accounts", json!({"username": "po.bad", "password": PASSWORD, "role": "admin", "display_name": "x", "privacy_officer": true})).await;
    assert_eq!(
        bad.error_fields(),
        vec!["privacy_officer"],
        "only professionals"
    );
    let er = t.api(&t.token("er").await);
    let r = er
        .post(&format!("/api/v1/patients/{}/emergency-access", w.p), json!({"reason_code": "urgent_treatment", "reason_text": "Collapsed in the waiting room", "password": PASSWORD}))
        .await;
    assert_eq!(r.status, 201);
    let po_er = t.api(&t.token("po.er").await);
    let po_gp = t.api(&t.token("po.gp").await);
    let list = po_er.get("/api/v1/emergency-access").await;
    assert_eq!(
        (
            list.body["items"].as_array().unwrap().len(),
            &list.body["total"]
        ),
        (1, &json!(1)),
        "the ER's officer sees the ER doctor's access"
    );
    let theirs = po_gp.get("/api/v1/emergency-access").await;
    assert_eq!(
        (
            theirs.body["items"].as_array().unwrap().len(),
            &theirs.body["total"]
        ),
        (0, &json!(0)),
        "another organisation's officer does not, nor counts it"
    );
    assert_eq!(
        t.api(&t.token("gp").await)
            .get("/api/v1/emergency-access")
            .await
            .status,
        403,
        "ordinary professionals do not review"
    );
    let id = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    let officer_page = t.browser();
    officer_page.login("po.er", PASSWORD).await;
    let page = officer_page.get("/account").await.text;
    assert!(
        page.contains("Erik Akutt") && page.contains("Emergency physician"),
        "the review names who used it"
    );
    assert_eq!(
        po_gp
            .post(&format!("/api/v1/emergency-access/{id}/review"), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        po_er
            .post(&format!("/api/v1/emergency-access/{id}/review"), json!({}))
            .await
            .status,
        204
    );
    assert!(po_er.get("/api/v1/emergency-access").await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let web = t.browser();
    web.login("po.er", PASSWORD).await;
    assert!(web
        .get("/account")
        .await
        .text
        .contains("Emergency access to review"));
    let _ = officers;
}

async fn a_proxy_reads_for_the_patient_and_changes_consent_only_if_authorised(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let admin = t.api(&t.token("admin").await);
    for (user, may) in [("sister", false), ("guardian", true)] {
        let r = admin
            .post("/api/v1/accounts", json!({"username": user, "password": PASSWORD, "role": "proxy", "display_name": user, "patient_id": w.p, "proxy_may_consent": may}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let bad = admin
        .post("/api/v1/accounts", json!({"username": "x.proxy", "password": PASSWORD, "role": "proxy", "display_name": "x"}))
        .await;
    assert_eq!(
        bad.error_fields(),
        vec!["patient_id"],
        "a proxy acts for a named patient"
    );
    let sister = t.api(&t.token("sister").await);
    let guardian = t.api(&t.token("guardian").await);
    let ov = format!("/api/v1/patients/{}", w.p);
    assert_eq!(
        sister.get(&ov).await.status,
        200,
        "a proxy reads the patient's record"
    );
    assert_eq!(
        sister
            .get(&format!("/api/v1/patients/{}", w.q))
            .await
            .status,
        404,
        "and no one else's"
    );
    let r = sister
        .post(&format!("{ov}/goals"), json!({"text": "Mine"}))
        .await;
    assert_eq!(r.status, 403, "a proxy does not write the plan");
    let consent = json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "work_capacity", "permit": true}]});
    assert_eq!(
        sister
            .put(&format!("{ov}/consent"), Some("\"0\""), consent.clone())
            .await
            .status,
        403,
        "not authorised"
    );
    let r = guardian
        .put(&format!("{ov}/consent"), Some("\"0\""), consent)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["rules"][0]["source"], "proxy");
    let log = t
        .api(&t.token("pia").await)
        .get(&format!("{ov}/access-log?limit=200"))
        .await;
    assert!(
        log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["who"] == "sister" && e["purpose"] == "proxy"),
        "the patient sees the proxy's reads"
    );
    let web = t.browser();
    web.login("guardian", PASSWORD).await;
    assert_eq!(
        web.get("/me").await.status,
        200,
        "proxies use the patient's pages"
    );
    assert_eq!(web.get("/me/consent").await.status, 200);
}
