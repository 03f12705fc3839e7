//! What an enrolment starts: the milestones' default actions as plan actions owned by
//! the member who answers for the role (the coordinator when nobody on the team does),
//! and reminders and escalations through the job runner, each once per occurrence.

use crate::common::{oslo, run_jobs};
use samband_testkit::{Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    default_actions_are_created_with_the_enrolment_and_owned_by_the_role,
    a_milestone_reminds_its_owner_before_it_is_due_and_escalates_once_overdue,
);

/// A fresh token each time: the clock moves months, past any token's lifetime.
async fn notices(t: &TestApp, user: &str, kind: &str) -> Vec<String> {
    let api = t.api(&t.token(user).await);
    let r = api.get("/api/v1/notifications").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .map(|n| n["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn actions(api: &Api, patient: impl std::fmt::Display) -> Vec<Value> {
    api.get(&format!("/api/v1/patients/{patient}")).await.body["actions"]
        .as_array()
        .unwrap()
        .clone()
}

async fn default_actions_are_created_with_the_enrolment_and_owned_by_the_role(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let before = actions(&gp, w.p).await.len();
    let base = format!("/api/v1/patients/{}/pathways", w.p);
    // Sick leave from 1 October: dialogue meeting 2 is social security's, and the
    // team's "NAV supervisor" is social security.
    let r = gp
        .post(
            &base,
            json!({"template_key": "sick_leave_follow_up", "anchor_date": "2026-10-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let after = actions(&gp, w.p).await;
    let new: Vec<&Value> = after
        .iter()
        .filter(|a| a["title"] == "Invite to dialogue meeting 2 at least three weeks ahead")
        .collect();
    assert_eq!(new.len(), 1, "{after:?}");
    assert_eq!(new[0]["owner_member_id"], w.m_nav.to_string());
    // Due with the milestone: day 182 after 1 October 2026.
    assert_eq!(new[0]["due_date"], "2027-04-01");
    assert_eq!(new[0]["status"], "planned");
    // Chronic fatigue: the specialist's action goes to the coordinator (nobody on this
    // team is a specialist), the coordinator's to the coordinator.
    let r = gp
        .post(
            &base,
            json!({"template_key": "chronic_fatigue_pain", "anchor_date": "2026-11-20"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let all = actions(&gp, w.p).await;
    let summary = all
        .iter()
        .find(|a| a["title"] == "Write the assessment summary for the collaboration meeting")
        .unwrap();
    assert_eq!(summary["owner_member_id"], w.m_care_manager.to_string());
    assert_eq!(summary["due_date"], "2027-01-15");
    let invite = all
        .iter()
        .find(|a| a["title"] == "Invite the GP and the social-security caseworker")
        .unwrap();
    assert_eq!(invite["owner_member_id"], w.m_care_manager.to_string());
    assert_eq!(
        all.len(),
        before + 3,
        "exactly the default actions: {all:?}"
    );
    // Each has its history row naming the pathway.
    let id = summary["id"].as_str().unwrap();
    let h = gp
        .get(&format!("/api/v1/patients/{}/history?object_id={id}", w.p))
        .await;
    assert_eq!(h.status, 200, "{}", h.text);
    assert!(
        h.body["items"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Chronic fatigue"),
        "{}",
        h.text
    );
    // A refused enrolment (already on it) creates no actions.
    let again = gp
        .post(
            &base,
            json!({"template_key": "chronic_fatigue_pain", "anchor_date": "2026-11-21"}),
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(actions(&gp, w.p).await.len(), before + 3);
}

async fn a_milestone_reminds_its_owner_before_it_is_due_and_escalates_once_overdue(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let base = format!("/api/v1/patients/{}/pathways", w.p);
    // Sick leave from 20 November: the follow-up plan and dialogue meeting 1 are the
    // employer's (not on the team: the coordinator's), due 18 December and 8 January;
    // dialogue meeting 2 is social security's (the NAV supervisor), due 21 May.
    let r = gp
        .post(
            &base,
            json!({"template_key": "sick_leave_follow_up", "anchor_date": "2026-11-20"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    run_jobs(&t).await;
    assert!(notices(&t, "cm", "milestone_due").await.is_empty());
    // A week before the due date, in the morning: the reminder, to the owner only.
    t.clock.set(oslo(2027, 1, 1, 7, 59));
    run_jobs(&t).await;
    assert!(notices(&t, "cm", "milestone_due")
        .await
        .iter()
        .all(|n| !n.contains("Dialogue meeting 1")));
    t.clock.set(oslo(2027, 1, 1, 8, 1));
    run_jobs(&t).await;
    run_jobs(&t).await;
    let due = notices(&t, "cm", "milestone_due").await;
    assert_eq!(
        due.iter()
            .filter(|n| n.contains("Dialogue meeting 1"))
            .count(),
        1,
        "{due:?}"
    );
    assert!(notices(&t, "nav", "milestone_due").await.is_empty());
    // The follow-up plan was reminded and, past 18 December, escalated, once each.
    assert_eq!(
        due.iter().filter(|n| n.contains("Follow-up plan")).count(),
        1,
        "{due:?}"
    );
    let cm_over = notices(&t, "cm", "milestone_overdue").await;
    assert_eq!(
        cm_over
            .iter()
            .filter(|n| n.contains("Follow-up plan"))
            .count(),
        1,
        "{cm_over:?}"
    );
    // Dialogue meeting 1 is done by hand before it falls due: no escalation follows.
    let gp = t.api(&t.token("gp").await);
    let done = gp
        .post_if_match(
            &format!("{base}/{id}/completions"),
            "\"1\"",
            json!({"milestone": "dialogue_meeting_1", "note": "Held by video"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    t.clock.set(oslo(2027, 1, 10, 9, 0));
    run_jobs(&t).await;
    // Dialogue meeting 2 is reminded to the NAV supervisor a week ahead.
    t.clock.set(oslo(2027, 5, 14, 9, 0));
    run_jobs(&t).await;
    let nav_due = notices(&t, "nav", "milestone_due").await;
    assert_eq!(nav_due.len(), 1, "{nav_due:?}");
    assert!(nav_due[0].contains("Dialogue meeting 2"));
    // Past the due date of dialogue meeting 2 (21 May): escalated to the coordinator
    // and to its owner, once, however often the runner runs.
    t.clock.set(oslo(2027, 5, 22, 9, 0));
    run_jobs(&t).await;
    run_jobs(&t).await;
    t.clock.set(oslo(2027, 5, 23, 9, 0));
    run_jobs(&t).await;
    let over = notices(&t, "cm", "milestone_overdue").await;
    assert_eq!(
        over.iter()
            .filter(|n| n.contains("Dialogue meeting 2"))
            .count(),
        1,
        "{over:?}"
    );
    assert!(
        over.iter().all(|n| !n.contains("Dialogue meeting 1")),
        "{over:?}"
    );
    assert_eq!(
        notices(&t, "nav", "milestone_overdue")
            .await
            .iter()
            .filter(|n| n.contains("Dialogue meeting 2"))
            .count(),
        1
    );
    // Reminders name no one outside the team: the GP (not responsible) got none.
    assert!(notices(&t, "gp", "milestone_overdue").await.is_empty());
}
