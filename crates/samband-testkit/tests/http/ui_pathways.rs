//! Pathways in the web UI: the patient's pathways page (enrol with field errors that
//! keep what was typed and write nothing, complete by hand with a note, a stale
//! version), the overview's section, the caseload's indicator, the coordinator's list
//! and the patient's "what happens next".

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Backend, TestApp};

both_backends!(
    pathways_in_the_ui_enrol_complete_and_show_what_is_overdue,
    the_needs_mapping_form_names_bad_rows_keeps_them_and_completes_the_milestone,
);

async fn pathways_in_the_ui_enrol_complete_and_show_what_is_overdue(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let api = t.api(&t.token("gp").await);
    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let path = format!("/patients/{}/pathways", w.p);
    let page = gp.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(r#"id="no-pathways""#));
    let csrf = hidden_value(&page.text, "_csrf").unwrap();

    // Bad input: both fields named, what was typed kept, nothing enrolled.
    let r = gp
        .post_form(
            &path,
            &[
                ("_csrf", &csrf),
                ("enrol.template_key", "astrology"),
                ("enrol.anchor_date", "someday"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains(r#"id="enrol-template_key-error""#),
        "{}",
        r.text
    );
    assert!(r.text.contains(r#"id="enrol-anchor_date-error""#));
    assert!(r.text.contains("There is no such pathway."));
    assert!(r
        .text
        .contains(r#"name="enrol.anchor_date" type="date" value="someday""#));
    let none = api.get(&format!("/api/v1/patients/{}/pathways", w.p)).await;
    assert_eq!(none.body, serde_json::json!([]));

    // Enrolled on sick-leave follow-up from 1 October (the clock: 23 November).
    let r = gp
        .post_form(
            &path,
            &[
                ("_csrf", &csrf),
                ("enrol.template_key", "sick_leave_follow_up"),
                ("enrol.anchor_date", "2026-10-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = gp.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page
        .text
        .contains(r#"data-milestone="follow_up_plan" data-state="overdue""#));
    assert!(page
        .text
        .contains(r#"data-milestone="dialogue_meeting_2" data-state="upcoming""#));
    let list = api.get(&format!("/api/v1/patients/{}/pathways", w.p)).await;
    let eid = list.body[0]["id"].as_str().unwrap().to_owned();
    let note_key = format!("c-{eid}-follow_up_plan-1.note");
    let version_key = format!("c-{eid}-follow_up_plan-1.version");
    assert_eq!(hidden_value(&page.text, &version_key).as_deref(), Some("1"));
    let complete = format!("{path}/{eid}/complete");

    // No note: refused at the note, nothing written.
    let r = gp
        .post_form(
            &complete,
            &[
                ("_csrf", &csrf),
                ("complete", "follow_up_plan:1"),
                (&version_key, "1"),
                (&note_key, "  "),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r
        .text
        .contains(&format!(r#"id="c-{eid}-follow_up_plan-1-note-error""#)));
    let same = api.get(&format!("/api/v1/patients/{}/pathways", w.p)).await;
    assert_eq!(same.body[0]["version"], 1);
    // A stale version is a conflict, the note kept.
    let r = gp
        .post_form(
            &complete,
            &[
                ("_csrf", &csrf),
                ("complete", "follow_up_plan:1"),
                (&version_key, "0"),
                (&note_key, "Plan received on paper"),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains(r#"value="Plan received on paper""#));
    // With a note at the current version: done.
    let r = gp
        .post_form(
            &complete,
            &[
                ("_csrf", &csrf),
                ("complete", "follow_up_plan:1"),
                (&version_key, "1"),
                (&note_key, "Plan received on paper"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = gp.get(&path).await;
    assert!(page
        .text
        .contains(r#"data-milestone="follow_up_plan" data-state="done""#));
    assert!(page
        .text
        .contains(r#"data-milestone="dialogue_meeting_1" data-state="overdue""#));

    // The overview's section and the caseload's indicator: one milestone overdue.
    let ov = gp.get(&format!("/patients/{}", w.p)).await;
    assert!(ov.text.contains(r#"id="pathways""#));
    assert!(ov
        .text
        .contains(r#"class="milestone state-overdue" data-milestone="dialogue_meeting_1""#));
    let caseload = gp.get("/patients").await;
    assert!(
        caseload.text.contains(&format!(
            r#"class="pathway-overdue"><a class="overdue" href="/patients/{}/pathways">1</a>"#,
            w.p
        )),
        "{}",
        caseload.text
    );

    // The coordinator's list: the care manager coordinates this patient; the GP does not.
    let mine = gp.get("/pathways/due").await;
    assert_eq!(mine.status, 200);
    assert!(mine.text.contains(r#"id="nothing-due""#));
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let due = cm.get("/pathways/due").await;
    assert_eq!(due.status, 200, "{}", due.text);
    assert!(due
        .text
        .contains(r#"class="state-overdue" data-milestone="dialogue_meeting_1""#));
    assert!(!due.text.contains(r#"data-milestone="follow_up_plan""#));
    assert!(!due.text.contains(r#"data-milestone="end_of_benefit""#));

    // The patient reads what happens next in plain words.
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let me = pia.get("/me").await;
    assert_eq!(me.status, 200);
    assert!(me.text.contains(r#"id="pathway-next""#), "{}", me.text);
    assert!(me.text.contains(r#"data-milestone="dialogue_meeting_1""#));
    // And cannot open the professionals' page.
    assert_eq!(pia.get(&path).await.status, 303);
}

async fn the_needs_mapping_form_names_bad_rows_keeps_them_and_completes_the_milestone(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let api = t.api(&t.token("gp").await);
    let r = api
        .post(
            &format!("/api/v1/patients/{}/pathways", w.p),
            serde_json::json!({"template_key": "cancer_home", "anchor_date": "2026-11-10"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let path = format!("/patients/{}/needs-mapping", w.p);
    let page = gp.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let patient = w.m_patient.to_string();
    let nav = w.m_nav.to_string();
    // Row 2 (the third) is given to the patient, who is not a professional.
    let r = gp
        .post_form(
            &path,
            &[
                ("_csrf", &csrf),
                ("point", "hospital"),
                ("held_on", "2026-11-20"),
                ("need2.topic", "work_school"),
                ("need2.description", "Talk with the employer"),
                ("need2.owner", &patient),
                ("need2.due", "2026-12-15"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(r#"id="need2-owner-error""#), "{}", r.text);
    assert!(r.text.contains(r#"value="Talk with the employer""#));
    let none = api
        .get(&format!("/api/v1/patients/{}/needs-mappings", w.p))
        .await;
    assert_eq!(none.body, serde_json::json!([]));
    let r = gp
        .post_form(
            &path,
            &[
                ("_csrf", &csrf),
                ("point", "hospital"),
                ("held_on", "2026-11-20"),
                ("need2.topic", "work_school"),
                ("need2.description", "Talk with the employer"),
                ("need2.owner", &nav),
                ("need2.due", "2026-12-15"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = gp.get(&format!("/patients/{}/pathways", w.p)).await;
    assert!(page
        .text
        .contains(r#"data-milestone="needs_mapping_hospital" data-state="done""#));
    let ov = api.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert!(ov.body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(
            |a| a["title"] == "Work and education: Talk with the employer"
                && a["owner_member_id"] == nav.as_str()
        ));
}
