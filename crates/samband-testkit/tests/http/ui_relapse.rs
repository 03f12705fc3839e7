//! The relapse-prevention plan in the web UI: the team's form (a refused agreement
//! names the row and keeps what was typed, nothing written; then agreed), the overview
//! section, the patient's page (their words saved, the team's part kept as it was),
//! and the hand-over page naming the missing plan, in Norwegian for a Norwegian reader.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Backend, TestApp};
use serde_json::json;

both_backends!(
    the_plan_is_written_agreed_and_co_written_in_the_pages,
    a_request_is_re_addressed_from_its_page,
    hand_over_notices_and_date_errors_are_in_the_readers_language,
);

async fn the_plan_is_written_agreed_and_co_written_in_the_pages(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let api = t.api(&t.token("cm").await);
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let path = format!("/patients/{}/relapse-plan", w.p);
    let page = cm.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(r#"data-state="none""#), "{}", page.text);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let cm_member = w.m_care_manager.to_string();

    // Agreeing with a sign nobody acts on: refused at that row, the words kept.
    let r = cm
        .post_form(
            &path,
            &[
                ("_csrf", &csrf),
                ("version", "0"),
                ("signs[0].words", "I stop answering the phone"),
                ("signs[0].action", "Call within a day"),
                ("signs[0].who_member_id", &cm_member),
                ("signs[1].words", "I sleep past noon"),
                ("signs[1].action", ""),
                ("signs[1].who_member_id", ""),
                ("what_helps", "Walks with my sister"),
                ("contacts", "Care manager on weekdays"),
                ("status", "agreed"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains(r#"id="signs[1]-action-error""#),
        "{}",
        r.text
    );
    assert!(r.text.contains("I sleep past noon"));
    assert!(r
        .text
        .contains("Fill this in before the plan can be agreed."));
    let plan = format!("/api/v1/patients/{}/relapse-plan", w.p);
    assert_eq!(
        api.get(&plan).await.body["version"],
        0,
        "nothing was written"
    );

    let r = cm
        .post_form(
            &path,
            &[
                ("_csrf", &csrf),
                ("version", "0"),
                ("signs[0].words", "I stop answering the phone"),
                ("signs[0].action", "Call within a day"),
                ("signs[0].who_member_id", &cm_member),
                ("signs[1].words", ""),
                ("what_helps", "Walks with my sister"),
                ("contacts", "Care manager on weekdays"),
                ("status", "agreed"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let ov = cm.get(&format!("/patients/{}", w.p)).await;
    assert!(
        ov.text.contains(r#"class="relapse" data-state="agreed""#),
        "{}",
        ov.text
    );
    assert!(ov.text.contains("Agreed on 23 Nov 2026"));
    assert!(ov.text.contains("«I stop answering the phone»"));

    // The patient sees the team's part and writes their own words.
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let mine = pia.get("/me/relapse-plan").await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert!(mine.text.contains("Call within a day"), "{}", mine.text);
    assert!(
        !mine.text.contains(r#"name="contacts""#),
        "the contacts are the team's"
    );
    let pcsrf = hidden_value(&mine.text, "_csrf").unwrap();
    let r = pia
        .post_form(
            "/me/relapse-plan",
            &[
                ("_csrf", &pcsrf),
                ("version", "1"),
                ("signs[0].words", "I stop picking up the phone"),
                ("signs[1].words", "I sleep past noon"),
                ("what_helps", "Walks, and music"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let saved = api.get(&plan).await.body;
    assert_eq!(saved["signs"][0]["words"], "I stop picking up the phone");
    assert_eq!(saved["signs"][0]["action"], "Call within a day");
    assert_eq!(saved["signs"][1]["words"], "I sleep past noon");
    assert_eq!(saved["contacts"], "Care manager on weekdays");
    assert_eq!(saved["state"], "draft", "a change after the agreement");

    // The closing hand-over to the GP, refused on its page at the missing agreement,
    // in the reader's language.
    let e = api
        .post(
            &format!("/api/v1/patients/{}/pathways", w.p),
            json!({"template_key": "depression_discharge", "anchor_date": "2025-12-18"}),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.text);
    let h = api
        .post(
            &format!("/api/v1/patients/{}/handovers", w.p),
            json!({
                "receiver": w.m_gp, "urgency": "green", "done_and_found": "A year of care",
                "medication": "", "medication_plan": "", "follow_up": [], "warning_signs": "",
                "work_capacity": "", "responsibilities": "", "patient_summary": "Your GP takes over."
            }),
        )
        .await;
    assert_eq!(h.status, 201, "{}", h.text);
    let view = format!(
        "/patients/{}/handovers/{}",
        w.p,
        h.body["id"].as_str().unwrap()
    );
    cm.get("/lang/nb").await;
    let r = cm
        .post_form(
            &format!("{view}/send"),
            &[("_csrf", &csrf), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text
            .contains("Avtal først en plan for å forebygge tilbakefall med pasienten"),
        "{}",
        r.text
    );

    // Ending the pathway from its page: the box first, then refused beside its button
    // while the plan is a draft; nothing ended.
    let eid = e.body["id"].as_str().unwrap();
    let pathways = format!("/patients/{}/pathways", w.p);
    let page = cm.get(&pathways).await;
    let ev = hidden_value(&page.text, &format!("end-{eid}.version")).unwrap();
    let end = format!("{pathways}/{eid}/end");
    let version_key = format!("end-{eid}.version");
    let confirm_key = format!("end-{eid}.confirm");
    let r = cm
        .post_form(
            &end,
            &[("_csrf", &csrf), (version_key.as_str(), ev.as_str())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains(&format!(r#"id="end-{eid}-confirm-error""#)),
        "{}",
        r.text
    );
    let r = cm
        .post_form(
            &end,
            &[
                ("_csrf", &csrf),
                (version_key.as_str(), ev.as_str()),
                (confirm_key.as_str(), "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text
            .contains("Avtal først en plan for å forebygge tilbakefall med pasienten"),
        "{}",
        r.text
    );
    let listed = api.get(&format!("/api/v1/patients/{}/pathways", w.p)).await;
    assert!(listed.body[0]["ended_on"].is_null(), "{}", listed.text);
}

/// Issue 11's leftover: the request view re-addresses an open request (a picker of
/// the team's active professionals, the error beside it, the version it was shown at).
async fn a_request_is_re_addressed_from_its_page(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let api = t.api(&t.token("cm").await);
    let r = api
        .post(
            &format!("/api/v1/patients/{}/requests", w.p),
            json!({"kind": "general_task", "addressee_member_id": w.m_nav, "subject": "Sick-leave certificate", "due_date": "2026-12-04"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["request_id"].as_str().unwrap().to_owned();
    let thread = r.body["thread_id"].as_str().unwrap().to_owned();
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let page = cm.get(&format!("/threads/{thread}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains(&format!(r#"action="/requests/{id}/readdress""#)),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!(r#"<option value="{}""#, w.m_gp)),
        "{}",
        page.text
    );
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let step = format!("/requests/{id}/readdress");
    // Nobody picked: the error beside the picker, nothing moved.
    let r = cm
        .post_form(
            &step,
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("thread", &thread),
                ("addressee_member_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains(r#"id="addressee_member_id-error""#),
        "{}",
        r.text
    );
    let gp = w.m_gp.to_string();
    let r = cm
        .post_form(
            &step,
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("thread", &thread),
                ("addressee_member_id", &gp),
                ("reason", "The GP writes certificates"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let list = api.get(&format!("/api/v1/threads/{thread}")).await;
    assert_eq!(
        list.body["request"]["addressee_member_id"], gp,
        "{}",
        list.text
    );
    // The page it was shown at is stale now: refused, nothing moved again.
    let nav = w.m_nav.to_string();
    let r = cm
        .post_form(
            &step,
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("thread", &thread),
                ("addressee_member_id", &nav),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let list = api.get(&format!("/api/v1/threads/{thread}")).await;
    assert_eq!(list.body["request"]["addressee_member_id"], gp);
}

/// Issue 11's leftover: the hand-over's notice and its date error come in the reader's
/// language (here Norwegian, chosen with the language switcher).
async fn hand_over_notices_and_date_errors_are_in_the_readers_language(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let api = t.api(&t.token("cm").await);
    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let h = api
        .post(
            &base,
            json!({
                "receiver": w.m_gp, "urgency": "green", "done_and_found": "Three weeks",
                "medication": "", "medication_plan": "", "follow_up": [], "warning_signs": "",
                "work_capacity": "", "responsibilities": "", "patient_summary": "Home today."
            }),
        )
        .await;
    assert_eq!(h.status, 201, "{}", h.text);
    let id = h.body["id"].as_str().unwrap();
    let sent = api
        .post_if_match(&format!("{base}/{id}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);

    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    gp.get("/lang/nb").await;
    let inbox = gp.get("/inbox").await;
    assert_eq!(inbox.status, 200, "{}", inbox.text);
    assert!(
        inbox
            .text
            .contains("har overført Pia Pasient til deg: bekreft at du har mottatt"),
        "{}",
        inbox.text
    );
    // The API reader without a language still reads English.
    let en = t
        .api(&t.token("gp").await)
        .get("/api/v1/notifications")
        .await;
    assert!(
        en.text.contains("handed Pia Pasient over to you"),
        "{}",
        en.text
    );

    // A follow-up date in the past, in Norwegian beside the row.
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    cm.get("/lang/nb").await;
    let new = format!("/patients/{}/handovers/new", w.p);
    let page = cm.get(&new).await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let gp_member = w.m_gp.to_string();
    let r = cm
        .post_form(
            &new,
            &[
                ("_csrf", &csrf),
                ("version", ""),
                ("receiver", &gp_member),
                ("urgency", "green"),
                ("patient_summary", "Hjem i dag."),
                ("follow_up[0].description", "Blodprøve"),
                ("follow_up[0].owner", &gp_member),
                ("follow_up[0].due", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains(r#"id="follow_up[0]-due-error""#),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("Datoen må være 2026-11-23 eller senere."),
        "{}",
        r.text
    );
}
