//! Care pathways through the API: the catalogue, enrolling a patient from an anchor
//! date, milestones with their windows and states, completing one by hand, and bad
//! input that is named field by field and writes nothing.

use samband_testkit::{Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    the_catalogue_lists_every_shipped_template_for_staff_only,
    a_patient_is_enrolled_and_milestones_show_their_state_and_complete_by_hand,
    bad_enrolments_and_completions_are_field_errors_that_write_nothing,
    a_held_meeting_of_the_kind_a_milestone_asks_for_completes_it,
);

async fn the_catalogue_lists_every_shipped_template_for_staff_only(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let gp = t.api(&t.token("gp").await);
    let r = gp.get("/api/v1/pathways").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut keys: Vec<String> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_owned())
        .collect();
    keys.sort();
    // Every file the domain ships, nothing else (no stored templates yet).
    let mut shipped: Vec<String> = samband_domain::pathway::catalogue::SHIPPED
        .iter()
        .map(|(file, _)| file.trim_end_matches(".toml").to_owned())
        .collect();
    shipped.sort();
    assert_eq!(keys, shipped);
    let sick = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "sick_leave_follow_up")
        .unwrap();
    assert_eq!(sick["anchor"], "sick_leave_start");
    assert_eq!(sick["shipped"], true);
    assert_eq!(sick["title"]["nb"], "Oppfølging ved sykefravær");
    // Patients enrol on nothing themselves: the catalogue is for staff.
    let pia = t.api(&t.token("pia").await);
    assert_eq!(pia.get("/api/v1/pathways").await.status, 403);
}

fn milestone<'a>(e: &'a Value, key: &str) -> &'a Value {
    e["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["milestone"] == key)
        .unwrap_or_else(|| panic!("no milestone {key} in {e}"))
}

async fn a_patient_is_enrolled_and_milestones_show_their_state_and_complete_by_hand(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let base = format!("/api/v1/patients/{}/pathways", w.p);
    // Sick leave from 1 October; the test clock stands at 23 November (day 53).
    let r = gp
        .post(
            &base,
            json!({"template_key": "sick_leave_follow_up", "anchor_date": "2026-10-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let id = r.body["id"].as_str().unwrap().to_owned();
    let plan = milestone(&r.body, "follow_up_plan");
    assert_eq!(
        (plan["due"].as_str(), plan["state"].as_str()),
        (Some("2026-10-29"), Some("overdue"))
    );
    assert_eq!(milestone(&r.body, "dialogue_meeting_1")["state"], "overdue");
    assert_eq!(
        milestone(&r.body, "dialogue_meeting_2")["state"],
        "upcoming"
    );
    assert_eq!(milestone(&r.body, "end_of_benefit")["due"], "2027-09-30");
    assert_eq!(r.body["overdue"], 2);

    // Done by hand, with a note: one fewer overdue; the note shows on the milestone.
    let done = gp
        .post_if_match(
            &format!("{base}/{id}/completions"),
            "\"1\"",
            json!({"milestone": "follow_up_plan", "note": "The employer's plan came on paper"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(done.body["overdue"], 1);
    let plan = milestone(&done.body, "follow_up_plan");
    assert_eq!(plan["state"], "done");
    assert_eq!(plan["completed_by"], "manual");
    assert_eq!(plan["completion_note"], "The employer's plan came on paper");
    assert_eq!(plan["completed_on"], "2026-11-23");
    // A change from the old version is refused as stale (with the current state), not
    // recorded as a second completion.
    let stale = gp
        .post_if_match(
            &format!("{base}/{id}/completions"),
            "\"1\"",
            json!({"milestone": "dialogue_meeting_1", "note": "Held by phone"}),
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(stale.body["current_version"], 2);

    // The patient sees their pathway in plain words; another patient does not.
    let pia = t.api(&t.token("pia").await);
    let mine = pia.get(&base).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    assert!(
        milestone(&mine.body[0], "dialogue_meeting_1")["patient_text"]["en"]
            .as_str()
            .unwrap()
            .contains("employer")
    );
    assert_eq!(
        pia.post(
            &base,
            json!({"template_key": "smi_municipal", "anchor_date": "2026-11-01"})
        )
        .await
        .status,
        403,
        "a patient does not enrol themselves"
    );
    let quentin = t.api(&t.token("quentin").await);
    assert_eq!(quentin.get(&base).await.status, 404);
    // The change is in the patient's history.
    let h = gp
        .get(&format!("/api/v1/patients/{}/history?object_id={id}", w.p))
        .await;
    assert_eq!(h.status, 200, "{}", h.text);
    assert_eq!(h.body["items"].as_array().unwrap().len(), 2, "{}", h.text);
}

async fn bad_enrolments_and_completions_are_field_errors_that_write_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let base = format!("/api/v1/patients/{}/pathways", w.p);
    let r = gp
        .post(
            &base,
            json!({"template_key": "astrology", "anchor_date": "someday"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (
            422,
            vec!["anchor_date".to_owned(), "template_key".to_owned()]
        ),
        "{}",
        r.text
    );
    let r = gp
        .post(&base, json!({"template_key": "", "anchor_date": ""}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(gp.get(&base).await.body, json!([]), "nothing was enrolled");

    let ok = gp
        .post(
            &base,
            json!({"template_key": "smi_municipal", "anchor_date": "2026-11-01"}),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let id = ok.body["id"].as_str().unwrap().to_owned();
    let again = gp
        .post(
            &base,
            json!({"template_key": "smi_municipal", "anchor_date": "2026-11-02"}),
        )
        .await;
    assert_eq!(
        (again.status, again.error_fields()),
        (422, vec!["template_key".to_owned()])
    );
    let r = gp
        .post_if_match(
            &format!("{base}/{id}/completions"),
            "\"1\"",
            json!({"milestone": "party", "note": " ", "on": "2026-12-24"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (
            422,
            vec!["milestone".to_owned(), "note".to_owned(), "on".to_owned()]
        ),
        "{}",
        r.text
    );
    let list = gp.get(&base).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(
        list.body[0]["version"], 1,
        "the bad completion wrote nothing"
    );
}

async fn a_held_meeting_of_the_kind_a_milestone_asks_for_completes_it(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let base = format!("/api/v1/patients/{}/pathways", w.p);
    // Enrolled 1 August: the first responsibility-group meeting was due by 31 October.
    let r = cm
        .post(
            &base,
            json!({"template_key": "smi_municipal", "anchor_date": "2026-08-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["overdue"], 1);
    let meeting = |kind: &str| json!({"kind": kind, "mode": "in_person", "title": "Ansvarsgruppemøte", "starts_at": "2026-12-01T09:00", "duration_minutes": 60, "place": "Room 1", "pre_read_policy": "at_meeting"});
    // A review meeting is not what the milestone asks for: held, it completes nothing.
    let hold = |id: String| {
        let cm = &cm;
        async move {
            let path = format!("/api/v1/meetings/{id}");
            let etag = cm.get(&path).await.etag().unwrap();
            let r = cm
                .put(
                    &format!("{path}/summary"),
                    Some(&etag),
                    json!({"summary": "We went through how things are going.", "plan_next": false}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    };
    let m = cm
        .post(
            &format!("/api/v1/patients/{}/meetings", w.p),
            meeting("review"),
        )
        .await;
    assert_eq!(m.status, 201, "{}", m.text);
    hold(m.body["id"].as_str().unwrap().to_owned()).await;
    let now = cm.get(&base).await;
    assert_eq!(now.body[0]["overdue"], 1, "{}", now.text);
    // A coordination meeting held is the evidence: the overdue occurrence is done.
    let m = cm
        .post(
            &format!("/api/v1/patients/{}/meetings", w.p),
            meeting("coordination"),
        )
        .await;
    assert_eq!(m.status, 201, "{}", m.text);
    let id = m.body["id"].as_str().unwrap().to_owned();
    hold(id.clone()).await;
    let now = cm.get(&base).await;
    let e = &now.body[0];
    assert_eq!(e["overdue"], 0, "{}", now.text);
    let first = e["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["milestone"] == "coordination_meeting" && m["occurrence"] == 1)
        .unwrap();
    assert_eq!(first["state"], "done");
    assert_eq!(first["completed_by"], "evidence");
    assert_eq!(first["completed_on"], "2026-12-01");
    assert_eq!(e["version"], 2);
    // Saving the summary again does not complete a second occurrence.
    hold(id).await;
    assert_eq!(cm.get(&base).await.body[0]["version"], 2);
}
