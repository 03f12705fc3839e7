//! Signals and absences through the API: routing to the deputy of an absent
//! coordinator (and past a deputy who may not read it), escalation at the deadline on
//! the fake clock, dedupe per patient and class, acknowledgement that needs an
//! outcome, a member without consent for self-reports, and the patient-reported
//! crisis with its crisis-plan page.

use chrono::{TimeZone, Utc};
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    absences_are_recorded_listed_ended_early_and_overlaps_refused,
    a_crisis_goes_to_the_deputy_of_an_absent_coordinator_with_a_same_day_task,
    a_deputy_who_may_not_read_self_reports_is_passed_over,
    an_unacknowledged_alert_escalates_at_each_deadline_until_acknowledged,
    a_second_trigger_while_open_is_an_occurrence_not_a_second_alert,
    acknowledging_needs_an_outcome_and_a_reason_for_no_action,
    a_member_without_consent_for_self_reports_does_not_see_alerts,
    the_patient_reports_a_crisis_or_a_warning_sign_and_sees_the_crisis_plan,
    the_team_pages_list_show_and_acknowledge_alerts_keeping_what_was_typed,
    the_absence_page_records_and_refuses_an_overlap_at_its_field,
    thresholds_are_set_per_patient_under_a_version_and_used_by_the_detectors,
);

fn oslo(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    chrono_tz::Europe::Oslo
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A form's answer as the browser shows it: a See Other followed.
async fn shown(
    browser: &samband_testkit::Browser,
    r: samband_testkit::Reply,
) -> samband_testkit::Reply {
    if r.status == 303 {
        let to = r.header("location").unwrap();
        browser.get(&to).await
    } else {
        r
    }
}

async fn run_jobs(t: &TestApp) {
    t.app.run_due_jobs(None, 500).await.unwrap();
}

async fn kinds(api: &Api) -> Vec<String> {
    api.get("/api/v1/notifications").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn my_alerts(api: &Api) -> Vec<Value> {
    let r = api.get("/api/v1/alerts").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

async fn away(
    api: &Api,
    who: impl std::fmt::Display,
    from: &str,
    to: &str,
    deputy: Option<String>,
) -> Value {
    let r = api
        .post(
            &format!("/api/v1/professionals/{who}/absences"),
            json!({ "from": from, "to": to, "deputy": deputy }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

async fn absences_are_recorded_listed_ended_early_and_overlaps_refused(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    let path = format!("/api/v1/professionals/{}/absences", w.care_manager);
    let a = away(
        &cm,
        w.care_manager,
        "2026-11-23",
        "2026-12-04",
        Some(w.gp.to_string()),
    )
    .await;
    assert_eq!(a["deputy"], json!(w.gp));
    // Overlapping: refused on `from`, nothing written.
    let r = cm
        .post(&path, json!({ "from": "2026-12-04", "to": "2026-12-10" }))
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["from".to_owned()]),
        "{}",
        r.text
    );
    // Oneself as deputy, and a deputy who is no professional: field errors.
    let r = cm
        .post(
            &path,
            json!({ "from": "2026-12-20", "to": "2026-12-24", "deputy": w.care_manager }),
        )
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["deputy".to_owned()])
    );
    let r = cm
        .post(
            &path,
            json!({ "from": "2026-12-20", "to": "2026-12-24", "deputy": w.p }),
        )
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["deputy".to_owned()])
    );
    // Someone else may read but not record another's absence.
    let r = gp
        .post(&path, json!({ "from": "2026-12-20", "to": "2026-12-24" }))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let listed = gp.get(&path).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    // Ended early (back on the 25th): its freed days can be booked again.
    t.clock.set(oslo(2026, 11, 25, 9, 0));
    let end = format!("/api/v1/absences/{}/end", a["id"].as_str().unwrap());
    let stale = cm.post_if_match(&end, "\"7\"", json!({})).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let r = cm.post_if_match(&end, "\"1\"", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["last_day"], "2026-11-24");
    away(&cm, w.care_manager, "2026-11-30", "2026-12-02", None).await;
}

async fn a_crisis_goes_to_the_deputy_of_an_absent_coordinator_with_a_same_day_task(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    let pia = t.api(&t.token("pia").await);
    away(
        &cm,
        w.care_manager,
        "2026-11-23",
        "2026-12-04",
        Some(w.gp.to_string()),
    )
    .await;
    // 03:00 on Tuesday night.
    t.clock.set(oslo(2026, 11, 24, 3, 0));
    let r = pia.post("/api/v1/me/crisis", json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["new"], true);
    let mine = my_alerts(&gp).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    let a = &mine[0];
    assert_eq!(
        (
            a["class"].as_str(),
            a["route"].as_str(),
            a["assignee"].clone()
        ),
        (Some("safety"), Some("deputy"), json!(w.m_gp))
    );
    assert_eq!(a["reason"]["code"], "patient_crisis");
    // Due the same day: the end of Tuesday in Oslo.
    assert_eq!(a["deadline"], json!(oslo(2026, 11, 25, 0, 0)));
    assert!(my_alerts(&cm).await.is_empty());
    assert!(kinds(&gp).await.contains(&"alert_urgent".to_owned()));
    assert!(!kinds(&cm).await.iter().any(|k| k.starts_with("alert")));
    // The deputy has a same-day risk assessment on the patient's plan.
    let ov = gp.get(&format!("/api/v1/patients/{}", w.p)).await;
    let actions = ov.body["actions"].as_array().unwrap().clone();
    let task = actions
        .iter()
        .find(|x| x["title"].as_str().unwrap().starts_with("Risk assessment"))
        .unwrap_or_else(|| panic!("no risk assessment in {actions:?}"));
    assert_eq!(
        (task["owner_member_id"].clone(), task["due_date"].as_str()),
        (json!(w.m_gp), Some("2026-11-24"))
    );
    // Once the coordinator is back, a new alert goes to them again.
    let ack = format!(
        "/api/v1/patients/{}/alerts/{}/acknowledge",
        w.p,
        a["id"].as_str().unwrap()
    );
    let r = gp
        .post_if_match(&ack, "\"1\"", json!({ "outcome": "contacted" }))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    t.clock.set(oslo(2026, 12, 7, 10, 0));
    pia.post("/api/v1/me/crisis", json!({})).await;
    let mine = my_alerts(&cm).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["route"], "coordinator");
}

async fn a_deputy_who_may_not_read_self_reports_is_passed_over(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    let nav = t.api(&t.token("nav").await);
    let er = t.api(&t.token("er").await);
    let pia = t.api(&t.token("pia").await);
    // The NAV supervisor is on the team, but NAV may not read self-reports by default.
    away(
        &cm,
        w.care_manager,
        "2026-11-23",
        "2026-11-27",
        Some(w.nav.to_string()),
    )
    .await;
    pia.post("/api/v1/me/crisis", json!({})).await;
    assert!(my_alerts(&nav).await.is_empty());
    let mine = my_alerts(&gp).await;
    assert_eq!((mine.len(), mine[0]["route"].as_str()), (1, Some("role")));
    assert!(my_alerts(&er).await.is_empty());
}

async fn an_unacknowledged_alert_escalates_at_each_deadline_until_acknowledged(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    let pia = t.api(&t.token("pia").await);
    // Saturday 28 November, 02:30: due at the end of Saturday all the same.
    t.clock.set(oslo(2026, 11, 28, 2, 30));
    pia.post("/api/v1/me/crisis", json!({})).await;
    let a = my_alerts(&cm).await[0].clone();
    let one = format!(
        "/api/v1/patients/{}/alerts/{}",
        w.p,
        a["id"].as_str().unwrap()
    );
    assert_eq!(a["deadline"], json!(oslo(2026, 11, 29, 0, 0)));
    t.clock.set(oslo(2026, 11, 28, 23, 59));
    run_jobs(&t).await;
    assert_eq!(cm.get(&one).await.body["alert"]["level"], 0);
    // At the deadline: one step up, to the GP (a suitable role), with an hour.
    t.clock.set(oslo(2026, 11, 29, 0, 0));
    run_jobs(&t).await;
    let r = gp.get(&one).await;
    assert_eq!(
        (
            r.body["alert"]["level"].as_i64(),
            r.body["alert"]["assignee"].clone(),
            r.body["alert"]["route"].as_str()
        ),
        (Some(1), json!(w.m_gp), Some("role"))
    );
    assert_eq!(r.body["alert"]["deadline"], json!(oslo(2026, 11, 29, 1, 0)));
    assert!(kinds(&gp)
        .await
        .contains(&"alert_escalated_urgent".to_owned()));
    // Running again before the new deadline changes nothing (one job per step).
    run_jobs(&t).await;
    assert_eq!(gp.get(&one).await.body["alert"]["level"], 1);
    // Past the end of the chain: everyone clinical is told, every hour, never dropped.
    for (hour, level) in [(1, 2), (2, 3), (3, 4)] {
        t.clock.set(oslo(2026, 11, 29, hour, 0));
        run_jobs(&t).await;
        let r = gp.get(&one).await;
        assert_eq!(r.body["alert"]["level"], level, "at {hour}:00");
        assert_eq!(r.body["alert"]["route"], "everyone");
        assert_eq!(r.body["alert"]["status"], "open");
    }
    let told_cm = kinds(&cm)
        .await
        .iter()
        .filter(|k| *k == "alert_escalated_urgent")
        .count();
    assert_eq!(
        told_cm, 3,
        "the coordinator is told at every step past the chain"
    );
    let r = gp
        .post_if_match(
            &format!("{one}/acknowledge"),
            "\"5\"",
            json!({ "outcome": "contacted" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    t.clock.set(oslo(2026, 11, 30, 12, 0));
    run_jobs(&t).await;
    let r = gp.get(&one).await;
    assert_eq!(
        (
            r.body["alert"]["level"].as_i64(),
            r.body["alert"]["status"].as_str()
        ),
        (Some(4), Some("acknowledged"))
    );
    let events: Vec<_> = r.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "raised",
            "escalated",
            "escalated",
            "escalated",
            "escalated",
            "acknowledged"
        ]
    );
}

async fn a_second_trigger_while_open_is_an_occurrence_not_a_second_alert(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let pia = t.api(&t.token("pia").await);
    let first = pia.post("/api/v1/me/crisis", json!({})).await;
    let second = pia.post("/api/v1/me/crisis", json!({})).await;
    assert_eq!(second.status, 201);
    assert_eq!(
        (first.body["new"].as_bool(), second.body["new"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(first.body["alert"], second.body["alert"]);
    let list = cm.get(&format!("/api/v1/patients/{}/alerts", w.p)).await;
    assert_eq!(list.body["total"], 1, "{}", list.text);
    assert_eq!(list.body["items"][0]["occurrences"], 2);
    // Another class is another alert; one notification per alert, not per trigger.
    cm.put(
        &format!("/api/v1/patients/{}/crisis-plan", w.p),
        Some("\"0\""),
        json!({ "warning_signs": "- Sleeping badly\n- Stop answering the phone", "contacts": "Call 113" }),
    )
    .await;
    let r = pia
        .post("/api/v1/me/warning-signs", json!({ "sign": 1 }))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let list = cm.get(&format!("/api/v1/patients/{}/alerts", w.p)).await;
    assert_eq!(list.body["total"], 2);
    let urgent = kinds(&cm)
        .await
        .iter()
        .filter(|k| *k == "alert_urgent")
        .count();
    assert_eq!(urgent, 1);
}

async fn acknowledging_needs_an_outcome_and_a_reason_for_no_action(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let pia = t.api(&t.token("pia").await);
    let r = pia.post("/api/v1/me/crisis", json!({})).await;
    let one = format!(
        "/api/v1/patients/{}/alerts/{}",
        w.p,
        r.body["alert"].as_str().unwrap()
    );
    let ack = format!("{one}/acknowledge");
    let r = cm.post_if_match(&ack, "\"1\"", json!({})).await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["outcome".to_owned()]),
        "{}",
        r.text
    );
    let r = cm
        .post_if_match(&ack, "\"1\"", json!({ "outcome": "no_action" }))
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["reason".to_owned()])
    );
    let r = cm
        .post_if_match(&ack, "\"1\"", json!({ "outcome": "phoned" }))
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["outcome".to_owned()])
    );
    // Nothing was written by the refusals; a stale version is 412.
    assert_eq!(cm.get(&one).await.body["alert"]["status"], "open");
    let r = cm
        .post_if_match(&ack, "\"3\"", json!({ "outcome": "contacted" }))
        .await;
    assert_eq!(r.status, 412, "{}", r.text);
    // The patient may not acknowledge their own alert.
    let r = pia
        .post_if_match(&ack, "\"1\"", json!({ "outcome": "contacted" }))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = cm
        .post_if_match(
            &ack,
            "\"1\"",
            json!({ "outcome": "no_action", "reason": "Seen in clinic an hour ago" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.etag().as_deref(), Some("\"2\""));
    let k = &r.body["alert"]["acknowledgement"];
    assert_eq!(
        (
            k["outcome"].as_str(),
            k["note"].as_str(),
            k["by_name"].as_str()
        ),
        (
            Some("no_action"),
            Some("Seen in clinic an hour ago"),
            Some("Cecilie Koordinator")
        )
    );
    let again = cm
        .post_if_match(&ack, "\"2\"", json!({ "outcome": "contacted" }))
        .await;
    assert_eq!(
        (again.status, again.error_fields()),
        (422, vec!["status".to_owned()])
    );
    // Acknowledged, it is closed: the next crisis is a new alert.
    let r = pia.post("/api/v1/me/crisis", json!({})).await;
    assert_eq!(r.body["new"], true);
    assert!(my_alerts(&cm).await.len() == 1);
}

async fn a_member_without_consent_for_self_reports_does_not_see_alerts(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let nav = t.api(&t.token("nav").await);
    let gp = t.api(&t.token("gp").await);
    let pia = t.api(&t.token("pia").await);
    let r = pia.post("/api/v1/me/crisis", json!({})).await;
    let one = format!(
        "/api/v1/patients/{}/alerts/{}",
        w.p,
        r.body["alert"].as_str().unwrap()
    );
    // On the team, but NAV may not read self-reports: refused, and no notification.
    assert_eq!(
        nav.get(&format!("/api/v1/patients/{}/alerts", w.p))
            .await
            .status,
        403
    );
    assert_eq!(nav.get(&one).await.status, 403);
    let r = nav
        .post_if_match(
            &format!("{one}/acknowledge"),
            "\"1\"",
            json!({ "outcome": "contacted" }),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(!kinds(&nav).await.iter().any(|k| k.starts_with("alert")));
    // A health-sector member reads it; someone on no team does not learn it exists.
    assert_eq!(gp.get(&one).await.status, 200);
    let er = t.api(&t.token("er").await);
    assert_eq!(er.get(&one).await.status, 404);
}

async fn the_patient_reports_a_crisis_or_a_warning_sign_and_sees_the_crisis_plan(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    cm.put(
        &format!("/api/v1/patients/{}/crisis-plan", w.p),
        Some("\"0\""),
        json!({ "warning_signs": "Sleeping badly\nStop answering the phone", "contacts": "Call Cecilie on 22 00 00 00" }),
    )
    .await;
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let me = pia.get("/me").await;
    assert_eq!(me.status, 200);
    assert!(me.text.contains("I need help now"), "{}", me.text);
    let csrf = hidden_value(&me.text, "_csrf").unwrap();
    let r = pia.post_form("/me/help", &[("_csrf", &csrf)]).await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/me/crisis-plan?help=1")
    );
    let r = shown(&pia, r).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.contains("This is not watched around the clock"),
        "{}",
        r.text
    );
    assert!(r.text.contains("113"));
    assert!(r.text.contains("Call Cecilie on 22 00 00 00"));
    // A warning sign: one of the crisis plan's, in the patient's words.
    let page = pia.get("/me/crisis-plan").await;
    assert!(page.text.contains("Stop answering the phone"));
    let r = pia
        .post_form("/me/warning-sign", &[("_csrf", &csrf), ("sign", "1")])
        .await;
    let r = shown(&pia, r).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("This is not watched around the clock"));
    // A sign that is not one of theirs: an error at the field, nothing raised.
    let r = pia
        .post_form("/me/warning-sign", &[("_csrf", &csrf), ("sign", "7")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let list = cm.get(&format!("/api/v1/patients/{}/alerts", w.p)).await;
    let classes: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["class"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(list.body["total"], 2, "{classes:?}");
    assert!(
        classes.contains(&"safety".to_owned()) && classes.contains(&"deterioration".to_owned())
    );
    let det = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["class"] == "deterioration")
        .unwrap()
        .clone();
    assert_eq!(det["reason"]["sign"], "Stop answering the phone");
    // Deterioration is reviewed by the next working day (Monday → Tuesday).
    assert_eq!(det["deadline"], json!(oslo(2026, 11, 25, 0, 0)));
}

async fn the_team_pages_list_show_and_acknowledge_alerts_keeping_what_was_typed(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let pia = t.api(&t.token("pia").await);
    let r = pia.post("/api/v1/me/crisis", json!({})).await;
    let alert = r.body["alert"].as_str().unwrap().to_owned();
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let list = cm.get("/alerts").await;
    assert_eq!(list.status, 200);
    assert!(
        list.text.contains("Pia Pasient") && list.text.contains("The patient asked for help now"),
        "{}",
        list.text
    );
    let ov = cm.get(&format!("/patients/{}", w.p)).await;
    assert!(
        ov.text.contains("id=\"alerts\"") && ov.text.contains(&alert),
        "{}",
        ov.text
    );
    let page_path = format!("/patients/{}/alerts/{alert}", w.p);
    let page = cm.get(&page_path).await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let ack = format!("{page_path}/acknowledge");
    // No outcome: the error beside the field, the note as typed.
    let r = cm
        .post_form(
            &ack,
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("reason", "Tried twice, no answer"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("field-error") && r.text.contains("Tried twice, no answer"));
    let r = cm
        .post_form(
            &ack,
            &[("_csrf", &csrf), ("version", "1"), ("outcome", "no_action")],
        )
        .await;
    assert_eq!(r.status, 422);
    let r = cm
        .post_form(
            &ack,
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("outcome", "contacted"),
                ("reason", "Phoned her"),
            ],
        )
        .await;
    let r = shown(&cm, r).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.contains("Acknowledged by Cecilie Koordinator"),
        "{}",
        r.text
    );
    assert!(!cm.get("/alerts").await.text.contains(&alert));
    // NAV may not read self-reports: no alerts section, the alert page refused.
    let nav = t.browser();
    nav.login("nav", PASSWORD).await;
    let ov = nav.get(&format!("/patients/{}", w.p)).await;
    assert_eq!(ov.status, 200);
    assert!(!ov.text.contains("id=\"alerts\""));
    assert_eq!(nav.get(&page_path).await.status, 403);
}

async fn the_absence_page_records_and_refuses_an_overlap_at_its_field(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let page = cm.get("/absences").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("Gunnar Lege"),
        "colleagues to pick a deputy from"
    );
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let gp = w.gp.to_string();
    let r = cm
        .post_form(
            "/absences",
            &[
                ("_csrf", &csrf),
                ("from", "2026-12-01"),
                ("to", "2026-12-11"),
                ("deputy", &gp),
                ("note", "Course"),
            ],
        )
        .await;
    let r = shown(&cm, r).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.contains("Gunnar Lege") && r.text.contains("1 Dec"),
        "{}",
        r.text
    );
    let r = cm
        .post_form(
            "/absences",
            &[
                ("_csrf", &csrf),
                ("from", "2026-12-10"),
                ("to", "2026-12-20"),
                ("note", "Holiday"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains("field-error")
            && r.text.contains("Holiday")
            && r.text.contains("2026-12-20")
    );
    let api = t.api(&t.token("cm").await);
    let listed = api
        .get(&format!(
            "/api/v1/professionals/{}/absences",
            w.care_manager
        ))
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
}

async fn thresholds_are_set_per_patient_under_a_version_and_used_by_the_detectors(b: Backend) {
    use samband_domain::signal::ScorePoint;
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let nav = t.api(&t.token("nav").await);
    let path = format!("/api/v1/patients/{}/signal-thresholds", w.p);
    let r = cm.get(&path).await;
    assert_eq!(
        (
            r.status,
            r.body["rise_points"].as_i64(),
            r.etag().as_deref()
        ),
        (200, Some(5), Some("\"0\""))
    );
    let body = |rise: u16, item9: u8| json!({"item9_at_least": item9, "rise_points": rise, "band_rise": false, "missed_in_a_row": 2, "silent_days": 7});
    // Safety cannot be switched off; nothing is written.
    let r = cm.put(&path, Some("\"0\""), body(3, 0)).await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["item9_at_least".to_owned()]),
        "{}",
        r.text
    );
    let r = cm.put(&path, Some("\"0\""), body(3, 1)).await;
    assert_eq!(
        (r.status, r.etag().as_deref()),
        (200, Some("\"1\"")),
        "{}",
        r.text
    );
    assert_eq!(cm.put(&path, Some("\"0\""), body(4, 1)).await.status, 412);
    assert_eq!(nav.put(&path, Some("\"1\""), body(4, 1)).await.status, 403);
    // A rise of three points within a band is now deterioration for this patient only.
    let at = samband_domain::clock::Clock::now(&*t.clock);
    let point = |total| ScorePoint {
        at,
        total,
        band: 1,
        item9: Some(0),
    };
    for (p, expected) in [(w.p, 1), (w.q, 0)] {
        let patient = samband_app::Ctx {
            principal: samband_domain::principal::Principal {
                account_id: samband_domain::ids::AccountId::new(),
                display_name: "patient".into(),
                subject: samband_domain::principal::Subject::Patient(p),
                scopes: samband_domain::principal::Scopes::ALL,
                locale: None,
            },
            request_id: None,
        };
        let mut tx = t.app.store.begin().await.unwrap();
        let raised = t
            .app
            .signals()
            .on_scored_response(&mut tx, &patient, p, Some(&point(5)), &point(8))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(raised.len(), expected, "{p}");
    }
}
