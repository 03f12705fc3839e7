//! Structured hand-overs through the API: sections read under the patient's consent,
//! sending that creates the follow-up actions, versions, field errors that write
//! nothing, acknowledgement by the receiver alone, escalation on the working-day
//! calendar, and the pathway milestone an acknowledgement completes.

use crate::common::{oslo, run_jobs};
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    each_section_is_read_under_the_patients_consent,
    sending_creates_one_action_per_follow_up_item_owned_by_its_owner,
    stale_versions_are_412_and_field_errors_write_nothing,
    only_the_receiver_acknowledges_a_sent_hand_over,
    an_unacknowledged_hand_over_escalates_once_two_working_days_after_a_friday,
    acknowledging_completes_the_pathway_milestone_that_asks_for_it,
    the_pages_keep_what_was_typed_and_show_each_reader_their_sections,
    the_patient_reads_the_summary_written_for_them_once_it_is_sent,
);

async fn notifications(api: &Api) -> Vec<(String, String)> {
    api.get("/api/v1/notifications").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A discharge letter with every section filled.
fn discharge(receiver: impl serde::Serialize, follow_up: Value) -> Value {
    json!({
        "receiver": receiver,
        "urgency": "red",
        "done_and_found": "Admitted for severe depression; no psychotic symptoms.",
        "medication": "Sertraline 100 mg daily",
        "medication_plan": "Raise to 150 mg if PHQ-9 has not fallen by week 4",
        "follow_up": follow_up,
        "warning_signs": "Stops eating or talks of hopelessness: call the crisis team",
        "work_capacity": "Not fit for work for four weeks; graded return after",
        "responsibilities": "GP: medication. Care manager: weekly calls.",
        "patient_summary": "You were in hospital for depression. Your GP will see you this week."
    })
}

/// Drafts and sends `body` as `who`; returns the sent hand-over.
async fn draft_and_send(api: &Api, base: &str, body: Value) -> Value {
    let r = api.post(base, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let s = api
        .post_if_match(&format!("{base}/{id}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    s.body
}

async fn each_section_is_read_under_the_patients_consent(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let cm = t.api(&t.token("cm").await);
    let items = json!([{"description": "See the patient", "owner": w.m_gp, "due": "2026-11-25"}]);
    let h = draft_and_send(&cm, &base, discharge(w.m_gp, items)).await;
    let id = h["id"].as_str().unwrap();
    let one = format!("{base}/{id}");

    // The GP (primary care, a health sector) reads every section by default.
    let gp = t.api(&t.token("gp").await);
    let r = gp.get(&one).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["medication"], "Sertraline 100 mg daily");
    assert_eq!(
        r.body["medication_plan"],
        "Raise to 150 mg if PHQ-9 has not fallen by week 4"
    );
    assert_eq!(r.body["withheld"], json!([]));
    assert_eq!(r.body["may_acknowledge"], true);

    // Social security reads the plan's sections, not the health ones nor work
    // capacity (not consented by default), and the text is nowhere in the answer.
    let nav = t.api(&t.token("nav").await);
    let r = nav.get(&one).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for hidden in [
        "medication",
        "medication_plan",
        "done_and_found",
        "warning_signs",
        "work_capacity",
    ] {
        assert!(
            r.body[hidden].is_null(),
            "{hidden} shown to NAV: {}",
            r.text
        );
    }
    assert!(!r.text.contains("Sertraline"), "{}", r.text);
    assert_eq!(
        r.body["patient_summary"],
        "You were in hospital for depression. Your GP will see you this week."
    );
    assert_eq!(r.body["follow_up"][0]["owner_name"], "Gunnar Lege");
    let withheld: Vec<&str> = r.body["withheld"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        withheld,
        vec![
            "done_and_found",
            "medication",
            "warning_signs",
            "work_capacity"
        ]
    );
    let list = nav.get(&base).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(!list.text.contains("Sertraline"), "{}", list.text);
    // Nor through the history, which names the change but carries no section text.
    let hist = nav
        .get(&format!("/api/v1/patients/{}/history?object_id={id}", w.p))
        .await;
    assert_eq!(hist.status, 200, "{}", hist.text);
    assert_eq!(
        hist.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        hist.text
    );
    assert!(!hist.text.contains("Sertraline"), "{}", hist.text);

    // The patient's consent decides: work capacity to social security, medication not
    // to primary care.
    let pia = t.api(&t.token("pia").await);
    let r = pia
        .put(
            &format!("/api/v1/patients/{}/consent", w.p),
            Some("\"0\""),
            json!({"rules": [
                {"recipient_kind": "sector", "recipient": "social_security", "category": "work_capacity", "permit": true},
                {"recipient_kind": "sector", "recipient": "primary_care", "category": "medication", "permit": false}
            ]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = nav.get(&one).await;
    assert_eq!(
        r.body["work_capacity"],
        "Not fit for work for four weeks; graded return after"
    );
    assert!(r.body["medication"].is_null());
    let r = gp.get(&one).await;
    assert!(r.body["medication"].is_null(), "{}", r.text);
    assert!(r.body["medication_plan"].is_null(), "{}", r.text);
    assert_eq!(r.body["withheld"], json!(["medication"]));
    assert!(!r.text.contains("Sertraline"));

    // Each read is in the patient's access log; an outsider gets nothing.
    let log = pia
        .get(&format!("/api/v1/patients/{}/access-log", w.p))
        .await;
    assert_eq!(log.status, 200, "{}", log.text);
    assert!(log.text.contains("handover"), "{}", log.text);
    let quentin = t.api(&t.token("quentin").await);
    assert_eq!(quentin.get(&one).await.status, 404);
    let er = t.api(&t.token("er").await);
    assert_eq!(er.get(&one).await.status, 404);
}

async fn sending_creates_one_action_per_follow_up_item_owned_by_its_owner(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let overview = format!("/api/v1/patients/{}", w.p);
    let cm = t.api(&t.token("cm").await);
    let actions = |ov: &Value| ov["actions"].as_array().unwrap().len();
    let before = actions(&cm.get(&overview).await.body);
    let items = json!([
        {"description": "Review sertraline dose", "owner": w.m_gp, "due": "2026-12-21"},
        {"description": "Plan graded return to work", "owner": w.m_nav, "due": "2026-12-14"}
    ]);
    let r = cm.post(&base, discharge(w.m_gp, items)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    let id = r.body["id"].as_str().unwrap().to_owned();
    // A draft is its sender's: no actions yet, nobody else sees it.
    assert_eq!(actions(&cm.get(&overview).await.body), before);
    let gp = t.api(&t.token("gp").await);
    assert_eq!(gp.get(&format!("{base}/{id}")).await.status, 404);
    assert_eq!(gp.get(&base).await.body, json!([]));

    let s = cm
        .post_if_match(&format!("{base}/{id}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.body["status"], "sent");
    assert_eq!(s.header("etag").as_deref(), Some("\"2\""));
    // Monday 23 November + 2 working days.
    assert_eq!(s.body["ack_due"], "2026-11-25");
    let ov = cm.get(&overview).await.body;
    assert_eq!(actions(&ov), before + 2, "one action per item");
    let find = |title: &str| {
        ov["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("no action {title} in {ov}"))
            .clone()
    };
    let dose = find("Review sertraline dose");
    assert_eq!(dose["owner_member_id"], json!(w.m_gp));
    assert_eq!(dose["due_date"], "2026-12-21");
    assert_eq!(dose["sector"], "primary_care");
    let work = find("Plan graded return to work");
    assert_eq!(work["owner_member_id"], json!(w.m_nav));
    assert_eq!(work["sector"], "social_security");
    // The receiver is told and now sees it; sending twice is refused.
    assert!(notifications(&gp)
        .await
        .iter()
        .any(|(k, text)| k == "handover" && text.contains("Pia Pasient")));
    assert_eq!(gp.get(&base).await.body.as_array().unwrap().len(), 1);
    let again = cm
        .post_if_match(&format!("{base}/{id}/send"), "\"2\"", json!({}))
        .await;
    assert_eq!(
        (again.status, again.error_fields()),
        (422, vec!["status".to_owned()])
    );
    assert_eq!(actions(&cm.get(&overview).await.body), before + 2);
}

async fn stale_versions_are_412_and_field_errors_write_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let cm = t.api(&t.token("cm").await);
    let nav = t.api(&t.token("nav").await);
    let before = t.fingerprint().await;
    // No receiver, a colour that does not exist, an item without owner or date, an
    // empty summary: every field named, nothing written.
    let r = cm
        .post(
            &base,
            json!({"urgency": "purple", "done_and_found": "Seen", "patient_summary": " ",
                   "follow_up": [{"description": "Call", "due": ""}]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.error_fields(),
        vec![
            "receiver",
            "urgency",
            "patient_summary",
            "follow_up[0].owner",
            "follow_up[0].due"
        ]
    );
    // The patient and a proxy are not professionals: not a receiver nor an owner.
    let mut body = discharge(
        w.m_patient,
        json!([{"description": "Call", "owner": w.m_patient, "due": "2026-11-30"}]),
    );
    body["urgency"] = json!("green");
    let r = cm.post(&base, body).await;
    assert_eq!(
        (r.status, r.error_codes()),
        (
            422,
            vec![
                "not_a_professional_member".to_owned(),
                "not_a_professional_member".to_owned()
            ]
        ),
        "{}",
        r.text
    );
    assert_eq!(r.error_fields(), vec!["receiver", "follow_up[0].owner"]);
    // Social security may not write the health sections it may not read.
    let r = nav
        .post(
            &base,
            discharge(
                w.m_gp,
                json!([{"description": "Call", "owner": w.m_gp, "due": "2026-11-30"}]),
            ),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.error_fields(),
        vec![
            "done_and_found",
            "medication",
            "medication_plan",
            "warning_signs",
            "work_capacity"
        ]
    );
    assert!(
        t.fingerprint().await == before,
        "refused input wrote nothing"
    );
    assert_eq!(cm.get(&base).await.body, json!([]));

    // A draft edited at version 1 → 2; a second edit from version 1 is stale.
    let items = json!([{"description": "Call", "owner": w.m_gp, "due": "2026-11-30"}]);
    let r = cm.post(&base, discharge(w.m_gp, items.clone())).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let one = format!("{base}/{}", r.body["id"].as_str().unwrap());
    let mut edited = discharge(w.m_gp, items.clone());
    edited["urgency"] = json!("yellow");
    edited["follow_up"] = json!([]);
    let r = cm.put(&one, Some("\"1\""), edited.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["urgency"], "yellow");
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    edited["urgency"] = json!("white");
    let stale = cm.put(&one, Some("\"1\""), edited.clone()).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(stale.body["current_version"], 2);
    let stale = cm
        .post_if_match(&format!("{one}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(cm.get(&one).await.body["urgency"], "yellow");
    assert_eq!(cm.get(&one).await.body["status"], "draft");
    // Without If-Match: 428. A bad edit leaves the draft as it was.
    assert_eq!(cm.put(&one, None, edited.clone()).await.status, 428);
    edited["receiver"] = Value::Null;
    let r = cm.put(&one, Some("\"2\""), edited).await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["receiver".to_owned()])
    );
    let r = cm.get(&one).await;
    assert_eq!(
        (r.body["version"].as_i64(), r.body["receiver"].clone()),
        (Some(2), json!(w.m_gp))
    );
}

async fn only_the_receiver_acknowledges_a_sent_hand_over(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let cm = t.api(&t.token("cm").await);
    let mut body = discharge(w.m_gp, json!([]));
    body["urgency"] = json!("green");
    let h = draft_and_send(&cm, &base, body).await;
    let ack = format!("{base}/{}/acknowledge", h["id"].as_str().unwrap());
    // The sender, another member and the patient may not acknowledge for the GP.
    for who in ["cm", "nav", "pia"] {
        let api = t.api(&t.token(who).await);
        let r = api.post_if_match(&ack, "\"2\"", json!({})).await;
        assert_eq!(r.status, 403, "{who}: {}", r.text);
    }
    let gp = t.api(&t.token("gp").await);
    let r = gp.post_if_match(&ack, "\"2\"", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "acknowledged");
    assert!(r.body["acknowledged_at"].is_string());
    assert_eq!(r.body["may_acknowledge"], false);
    // The sender is told; a second acknowledgement is refused at its field.
    assert!(notifications(&cm)
        .await
        .iter()
        .any(|(k, _)| k == "handover_acknowledged"));
    let again = gp.post_if_match(&ack, "\"3\"", json!({})).await;
    assert_eq!(
        (again.status, again.error_fields()),
        (422, vec!["status".to_owned()])
    );
}

async fn an_unacknowledged_hand_over_escalates_once_two_working_days_after_a_friday(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    t.clock.set(oslo(2026, 11, 27, 15, 0)); // Friday afternoon
    let gp = t.api(&t.token("gp").await);
    let nav = t.api(&t.token("nav").await);
    let cm = t.api(&t.token("cm").await);
    let mut body = discharge(w.m_nav, json!([]));
    body["urgency"] = json!("white");
    body["medication"] = Value::Null;
    body["medication_plan"] = Value::Null;
    let late = draft_and_send(&gp, &base, body.clone()).await;
    // The weekend does not count: Monday 30 November and Tuesday 1 December.
    assert_eq!(late["ack_due"], "2026-12-01");
    // A second one, to the care manager, acknowledged in time, never escalates.
    body["receiver"] = json!(w.m_care_manager);
    let in_time = draft_and_send(&gp, &base, body).await;
    let overdue_notes = |n: Vec<(String, String)>| {
        n.into_iter()
            .filter(|(k, _)| k == "handover_ack_overdue")
            .collect::<Vec<_>>()
    };
    for when in [
        oslo(2026, 11, 28, 12, 0), // Saturday
        oslo(2026, 11, 30, 12, 0), // Monday
        oslo(2026, 12, 1, 23, 59), // the due day itself
    ] {
        t.clock.set(when);
        run_jobs(&t).await;
        assert!(
            overdue_notes(notifications(&gp).await).is_empty(),
            "at {when}"
        );
        assert_eq!(
            gp.get(&format!("{base}/{}", late["id"].as_str().unwrap()))
                .await
                .body["ack_overdue"],
            false
        );
    }
    t.clock.set(oslo(2026, 12, 1, 10, 0));
    let r = cm
        .post_if_match(
            &format!("{base}/{}/acknowledge", in_time["id"].as_str().unwrap()),
            "\"2\"",
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Wednesday, one minute past midnight: late.
    t.clock.set(oslo(2026, 12, 2, 0, 1));
    run_jobs(&t).await;
    let sender = overdue_notes(notifications(&gp).await);
    assert_eq!(sender.len(), 1, "{sender:?}");
    assert!(sender[0].1.contains("Nina Veileder"), "{sender:?}");
    assert!(sender[0].1.contains("Pia Pasient"), "{sender:?}");
    assert_eq!(
        overdue_notes(notifications(&cm).await).len(),
        1,
        "the coordinator is told"
    );
    assert!(overdue_notes(notifications(&nav).await).is_empty());
    let ov = gp.get(&format!("/api/v1/patients/{}", w.p)).await.body;
    let follow_ups: Vec<&Value> = ov["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Follow up: hand-over not acknowledged by")
        })
        .collect();
    assert_eq!(follow_ups.len(), 1, "{ov}");
    assert_eq!(follow_ups[0]["owner_member_id"], json!(w.m_gp));
    assert!(follow_ups[0]["title"]
        .as_str()
        .unwrap()
        .contains("Nina Veileder"));
    let view = gp
        .get(&format!("{base}/{}", late["id"].as_str().unwrap()))
        .await;
    assert_eq!(view.body["ack_overdue"], true);
    // Days later, more job runs: still once.
    for day in [3, 4, 7] {
        t.clock.set(oslo(2026, 12, day, 9, 0));
        t.app.ensure_schedule().await.unwrap();
        run_jobs(&t).await;
    }
    assert_eq!(overdue_notes(notifications(&gp).await).len(), 1);
    assert_eq!(overdue_notes(notifications(&cm).await).len(), 1);
    let ov = gp.get(&format!("/api/v1/patients/{}", w.p)).await.body;
    assert_eq!(
        ov["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["title"]
                .as_str()
                .unwrap()
                .starts_with("Follow up: hand-over not acknowledged"))
            .count(),
        1
    );
}

async fn acknowledging_completes_the_pathway_milestone_that_asks_for_it(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    // Discharged 340 days ago: the hand-over to the GP (days 335–365) is open.
    let pathways = format!("/api/v1/patients/{}/pathways", w.p);
    let r = cm
        .post(
            &pathways,
            json!({"template_key": "depression_discharge", "anchor_date": "2025-12-18"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let state = |e: &Value| {
        e["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["milestone"] == "handover_to_gp")
            .unwrap()
            .clone()
    };
    assert_eq!(state(&r.body)["state"], "open");
    // This hand-over closes the collaborative-care episode: it needs an agreed plan.
    crate::relapse::agree_plan(&cm, &w).await;
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let mut body = discharge(w.m_gp, json!([]));
    body["urgency"] = json!("green");
    let h = draft_and_send(&cm, &base, body).await;
    // Sending is not enough: the receiver's acknowledgement is the evidence.
    assert_eq!(state(&cm.get(&pathways).await.body[0])["state"], "open");
    let r = gp
        .post_if_match(
            &format!("{base}/{}/acknowledge", h["id"].as_str().unwrap()),
            "\"2\"",
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = state(&cm.get(&pathways).await.body[0]);
    assert_eq!(m["state"], "done", "{m}");
    assert_eq!(m["completed_by"], "evidence");
    assert_eq!(m["completed_on"], "2026-11-23");
}

async fn the_pages_keep_what_was_typed_and_show_each_reader_their_sections(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let new = format!("/patients/{}/handovers/new", w.p);
    let page = cm.get(&new).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let gp = w.m_gp.to_string();
    // No receiver and an item without a date: the form again, errors at the fields
    // (the item's on the row it was typed in), the text as typed, nothing written.
    let r = cm
        .post_form(
            &new,
            &[
                ("_csrf", &csrf),
                ("version", ""),
                ("urgency", "red"),
                ("done_and_found", "Inpatient stay, three weeks"),
                ("medication", "Sertraline 100 mg"),
                ("patient_summary", "You are going home."),
                ("follow_up[1].description", "Blood test"),
                ("follow_up[1].owner", &gp),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text
            .contains(r#"id="receiver" name="receiver" required aria-invalid="true""#),
        "{}",
        r.text
    );
    assert!(
        r.text.contains(r#"id="follow_up[1]-due-error""#),
        "{}",
        r.text
    );
    assert!(r.text.contains(">Inpatient stay, three weeks</textarea>"));
    assert!(r.text.contains(r#"value="Blood test""#));
    let api = t.api(&t.token("cm").await);
    assert_eq!(
        api.get(&format!("/api/v1/patients/{}/handovers", w.p))
            .await
            .body,
        json!([])
    );
    // Complete: saved as a draft, then sent from its page.
    let r = cm
        .post_form(
            &new,
            &[
                ("_csrf", &csrf),
                ("version", ""),
                ("receiver", &gp),
                ("urgency", "red"),
                ("done_and_found", "Inpatient stay, three weeks"),
                ("medication", "Sertraline 100 mg"),
                ("patient_summary", "You are going home."),
                ("follow_up[1].description", "Blood test"),
                ("follow_up[1].owner", &gp),
                ("follow_up[1].due", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let view = r.header("location").unwrap();
    let page = cm.get(&view).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Blood test"));
    let r = cm
        .post_form(
            &format!("{view}/send"),
            &[("_csrf", &csrf), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    // The overview lists it; NAV's page names the medication section as withheld.
    let ov = cm.get(&format!("/patients/{}", w.p)).await;
    assert!(ov.text.contains(&view), "the overview links the hand-over");
    let nav = t.browser();
    nav.login("nav", PASSWORD).await;
    let page = nav.get(&view).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(!page.text.contains("Sertraline"));
    assert!(page.text.contains("does not share this section"));
    assert!(
        !page.text.contains("/acknowledge"),
        "only the receiver is offered it"
    );
    // The GP acknowledges from the page; the print view has the medication.
    let g = t.browser();
    g.login("gp", PASSWORD).await;
    let page = g.get(&view).await;
    assert!(page.text.contains("Sertraline 100 mg"));
    let gcsrf = hidden_value(&page.text, "_csrf").unwrap();
    let r = g
        .post_form(
            &format!("{view}/acknowledge"),
            &[("_csrf", &gcsrf), ("version", "2")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let print = g.get(&format!("{view}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.text.contains("Sertraline 100 mg"));
    assert!(print.text.contains("Acknowledged"));
    // A stale send is answered with the page, not a silent change.
    let r = g
        .post_form(
            &format!("{view}/acknowledge"),
            &[("_csrf", &gcsrf), ("version", "2")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
}

async fn the_patient_reads_the_summary_written_for_them_once_it_is_sent(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let cm = t.api(&t.token("cm").await);
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    // A draft is its writer's alone: nothing of it on the patient's page.
    let draft = cm
        .post(
            &base,
            json!({"receiver": w.m_gp, "urgency": "green", "done_and_found": "Seen in clinic",
                   "patient_summary": "Draft words the patient must not see yet"}),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let page = pia.get("/me").await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("Draft words"), "a draft is not shown");
    assert!(!page.text.contains("id=\"handovers-for-you\""));
    let items = json!([{"description": "See the patient", "owner": w.m_gp, "due": "2026-11-25"}]);
    draft_and_send(&cm, &base, discharge(w.m_gp, items)).await;
    let page = pia.get("/me").await.text;
    assert!(page.contains("id=\"handovers-for-you\""), "{page}");
    assert!(
        page.contains("You were in hospital for depression. Your GP will see you this week."),
        "the summary written for the patient"
    );
    assert!(
        !page.contains("Sertraline") && !page.contains("Admitted for severe depression"),
        "only the summary, not the professionals' sections"
    );
    // The other patient sees nothing of it.
    let quentin = t.browser();
    quentin.login("quentin", PASSWORD).await;
    assert!(!quentin
        .get("/me")
        .await
        .text
        .contains("You were in hospital"));
}
