//! Messages, receipts, requests, deadlines, jobs and live updates, through the API on
//! both backends.

use crate::common::{oslo, run_jobs};
use chrono::Duration;
use samband_app::{App, AppConfig};
use samband_testkit::{Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    receipts_go_sent_delivered_read_acknowledged,
    addressing_and_bad_input_change_nothing,
    only_the_addressed_and_the_patient_read_a_thread,
    consent_keeps_a_message_from_a_recipient_it_excludes,
    status_report_from_request_to_receipt,
    receipt_deadline_escalates_after_five_working_days_across_a_weekend,
    urgent_receipt_deadline_counts_one_working_day_across_a_weekend,
    request_reminder_and_overdue_follow_the_working_day_calendar,
    due_jobs_run_after_a_restart_and_once_with_two_runners,
    live_inbox_gets_the_new_unread_count,
    patient_writes_to_the_team_and_sees_who_read,
    attachments_are_checked_and_served_as_downloads,
    email_goes_through_the_outbox_by_preference_without_health_information,
    ongoing_information_digest_counts_what_the_follower_may_see,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_share_live_updates() {
    let a = TestApp::start(Backend::Postgres).await;
    let w = a.world().await;
    let b = TestApp::start_on(Backend::Postgres, a.app.store.clone(), AppConfig::default()).await;
    // The care manager watches the inbox on instance A; the GP writes through B.
    let mut res = reqwest::Client::new()
        .get(a.url("/api/v1/inbox/events"))
        .bearer_auth(a.token("cm").await)
        .send()
        .await
        .unwrap();
    let mut buf = String::new();
    assert_eq!(next_count(&mut res, &mut buf).await, 0);
    let gp = b.api(&b.token("gp").await);
    let r = send(&gp, w.p, json!({"subject": "Across", "body": "From B", "to": [format!("member:{}", w.m_care_manager)]})).await;
    assert_eq!(r.status, 201);
    assert_eq!(next_count(&mut res, &mut buf).await, 1);
}

/// The next `unread` count on a server-sent event stream (waits at most 10 s).
async fn next_count(res: &mut reqwest::Response, buf: &mut String) -> i64 {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                let v: Value = serde_json::from_str(data).unwrap();
                return v["unread"].as_i64().unwrap();
            }
            continue;
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), res.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("stream open");
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

fn thread_path(r: &samband_testkit::Reply) -> String {
    format!("/api/v1/threads/{}", r.body["thread_id"].as_str().unwrap())
}

async fn send(api: &Api, p: impl std::fmt::Display, body: Value) -> samband_testkit::Reply {
    api.post(&format!("/api/v1/patients/{p}/threads"), body)
        .await
}

fn states(thread: &Value, msg: usize) -> Vec<(String, String)> {
    thread["messages"][msg]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn receipts_go_sent_delivered_read_acknowledged(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let cm = t.api(&t.token("cm").await);
    let r = send(
        &gp,
        w.p,
        json!({"subject": "Medication change", "body": "Please note the new dose.", "to": [format!("member:{}", w.m_care_manager)], "needs_ack": true}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = thread_path(&r);
    let view = gp.get(&path).await;
    assert_eq!(
        states(&view.body, 0),
        vec![("Cecilie Koordinator".into(), "sent".into())]
    );
    // Five working days from Monday 23 November.
    assert_eq!(view.body["messages"][0]["ack_due"], "2026-11-30");

    // The recipient's inbox shows it: delivered.
    let inbox = cm.get("/api/v1/inbox").await;
    assert_eq!(inbox.body["items"][0]["unread"], 1);
    assert_eq!(inbox.body["items"][0]["awaiting_ack"], 1);
    assert_eq!(inbox.body["items"][0]["patient_name"], "Pia Pasient");
    assert_eq!(states(&gp.get(&path).await.body, 0)[0].1, "delivered");

    // Opening the thread: read.
    let mine = cm.get(&path).await;
    assert_eq!(mine.body["messages"][0]["awaiting_my_ack"], true);
    assert_eq!(states(&gp.get(&path).await.body, 0)[0].1, "read");
    assert_eq!(cm.get("/api/v1/inbox/unread").await.body["unread"], 0);

    // Only a recipient can acknowledge; the recipient's receipt is recorded once.
    let mid = mine.body["messages"][0]["id"].as_str().unwrap().to_owned();
    let r = gp
        .post(&format!("/api/v1/messages/{mid}/acknowledge"), json!({}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_codes(), vec!["not_recipient"]);
    let r = cm
        .post(&format!("/api/v1/messages/{mid}/acknowledge"), json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let after = gp.get(&path).await;
    assert_eq!(states(&after.body, 0)[0].1, "acknowledged");
    let acked_at = after.body["messages"][0]["recipients"][0]["acknowledged_at"].clone();
    assert!(acked_at.is_string());
    let r = cm
        .post(&format!("/api/v1/messages/{mid}/acknowledge"), json!({}))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        gp.get(&path).await.body["messages"][0]["recipients"][0]["acknowledged_at"],
        acked_at,
        "a second receipt changes nothing"
    );
    // Reading the thread was audited as a read of a message.
    let mut tx = t.app.store.begin().await.unwrap();
    let audit = tx.list_audit(Some(w.p), 1000).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.object_type == "message" && a.action == "read"));
    assert!(audit
        .iter()
        .any(|a| a.object_type == "message" && a.action == "update"));
}

async fn addressing_and_bad_input_change_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let cm = t.api(&t.token("cm").await);
    let threads = format!("/api/v1/patients/{}/threads", w.p);

    // The whole team from the GP: the care manager and the NAV supervisor.
    let r = send(
        &gp,
        w.p,
        json!({"subject": "Team", "body": "Hello all", "to": ["team"]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mut names: Vec<String> = states(&gp.get(&thread_path(&r)).await.body, 0)
        .into_iter()
        .map(|s| s.0)
        .collect();
    names.sort();
    assert_eq!(names, vec!["Cecilie Koordinator", "Nina Veileder"]);
    // A role: "the GP".
    let r = send(
        &cm,
        w.p,
        json!({"subject": "Role", "body": "To the GP", "to": ["role:gp"]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        states(&cm.get(&thread_path(&r)).await.body, 0),
        vec![("Gunnar Lege".into(), "sent".into())]
    );
    let before = gp.get(&threads).await.body["items"]
        .as_array()
        .unwrap()
        .len();

    for (body, field, code) in [
        (
            json!({"subject": "x", "body": "  ", "to": ["team"]}),
            "body",
            "required",
        ),
        (
            json!({"subject": "", "body": "text", "to": ["team"]}),
            "subject",
            "required",
        ),
        (
            json!({"subject": "x", "body": "text", "to": []}),
            "to",
            "required",
        ),
        (
            json!({"subject": "x", "body": "text", "to": [format!("member:{}", uuid::Uuid::now_v7())]}),
            "to",
            "not_on_team",
        ),
        (
            json!({"subject": "x", "body": "text", "to": ["role:surgeon"]}),
            "to",
            "role_not_on_team",
        ),
        (
            json!({"subject": "x", "body": "text", "to": ["team"], "category": "gossip"}),
            "category",
            "bad_choice",
        ),
        (
            json!({"subject": "x", "body": "text", "to": ["team"], "attachments": [{"file_name": "tool.exe", "content_base64": "TVqQAAMAAAAEAAAA"}]}),
            "attachments[0]",
            "forbidden_type",
        ),
        (
            json!({"subject": "x", "body": "text", "to": ["team"], "attachments": [{"file_name": "a.txt", "content_base64": "%%%"}]}),
            "attachments[0].content_base64",
            "bad_base64",
        ),
    ] {
        let r = gp.post(&threads, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(
            r.error_fields().contains(&field.to_owned())
                && r.error_codes().contains(&code.to_owned()),
            "{body}: {:?} {:?}",
            r.error_fields(),
            r.error_codes()
        );
    }
    // Too large: over the configured limit.
    let small = TestApp::start_with(
        b,
        AppConfig {
            attachment_max_bytes: 1024,
            ..AppConfig::default()
        },
    )
    .await;
    let sw = small.world().await;
    let sgp = small.api(&small.token("gp").await);
    use base64::Engine;
    let big = base64::engine::general_purpose::STANDARD.encode(vec![b'a'; 2048]);
    let r = send(&sgp, sw.p, json!({"subject": "x", "body": "text", "to": ["team"], "attachments": [{"file_name": "big.txt", "content_base64": big}]})).await;
    assert_eq!(r.error_codes(), vec!["too_large"], "{}", r.text);

    // A request with a deadline in the past, and one to someone not on the team.
    let reqs = format!("/api/v1/patients/{}/requests", w.p);
    let r = cm
        .post(&reqs, json!({"kind": "general_task", "addressee_member_id": w.m_gp, "subject": "Check", "due_date": "2026-11-20"}))
        .await;
    assert_eq!(
        (r.status, r.error_codes()),
        (422, vec!["in_past".to_owned()])
    );
    let r = cm
        .post(&reqs, json!({"kind": "general_task", "addressee_member_id": uuid::Uuid::now_v7(), "subject": "Check"}))
        .await;
    assert_eq!(r.error_fields(), vec!["addressee_member_id"]);
    assert_eq!(
        gp.get(&threads).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        before,
        "refused input wrote nothing"
    );
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(ov.body["actions"].as_array().unwrap().len(), 0);
}

async fn only_the_addressed_and_the_patient_read_a_thread(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let r = send(&gp, w.p, json!({"subject": "Private", "body": "Between us", "to": [format!("member:{}", w.m_care_manager)]})).await;
    let path = thread_path(&r);
    assert_eq!(t.api(&t.token("cm").await).get(&path).await.status, 200);
    // On the team but not addressed: refused, and the refusal is audited.
    let nav = t.api(&t.token("nav").await);
    assert_eq!(nav.get(&path).await.status, 403);
    let listed = nav.get(&format!("/api/v1/patients/{}/threads", w.p)).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        listed.body["total"], 0,
        "the count holds back what the list does"
    );
    // Not on the team: the thread does not exist for them.
    assert_eq!(t.api(&t.token("er").await).get(&path).await.status, 404);
    assert_eq!(
        t.api(&t.token("quentin").await).get(&path).await.status,
        404
    );
    // The patient reads what is written about them.
    let pia = t.api(&t.token("pia").await);
    let r = pia.get(&path).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["messages"][0]["body"], "Between us");
    let mut tx = t.app.store.begin().await.unwrap();
    let audit = tx.list_audit(Some(w.p), 1000).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.object_type == "message" && a.action == "deny"));
}

async fn consent_keeps_a_message_from_a_recipient_it_excludes(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    // NAV is not a health service: by default it sees plans and actions only.
    let r = send(&gp, w.p, json!({"subject": "Mood", "body": "Low mood", "category": "mental_health", "to": [format!("member:{}", w.m_nav)]})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_codes(), vec!["no_consent"]);
    // To the whole team, the same message is refused rather than sent to some.
    let r = send(
        &gp,
        w.p,
        json!({"subject": "Mood", "body": "Low mood", "category": "mental_health", "to": ["team"]}),
    )
    .await;
    assert_eq!(r.status, 422);
    // The patient allows NAV to see mental-health information: now it goes.
    let pia = t.api(&t.token("pia").await);
    let c = format!("/api/v1/patients/{}/consent", w.p);
    let r = pia
        .put(&c, Some("\"0\""), json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "mental_health", "permit": true}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = send(&gp, w.p, json!({"subject": "Mood", "body": "Low mood", "category": "mental_health", "to": [format!("member:{}", w.m_nav)]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = thread_path(&r);
    let nav = t.api(&t.token("nav").await);
    assert_eq!(nav.get(&path).await.status, 200);
    // Withdrawn: the next read is refused.
    let v = pia.get(&c).await.body["version"].as_i64().unwrap();
    let r = pia
        .put(&c, Some(&format!("\"{v}\"")), json!({"rules": []}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(nav.get(&path).await.status, 403);
    assert_eq!(
        nav.get("/api/v1/inbox").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

async fn grant_nav_work_capacity(t: &TestApp, p: samband_domain::ids::PatientId) {
    let pia = t.api(&t.token("pia").await);
    let r = pia
        .put(&format!("/api/v1/patients/{p}/consent"), Some("\"0\""), json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "work_capacity", "permit": true}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn status_report_from_request_to_receipt(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let nav = t.api(&t.token("nav").await);
    let gp = t.api(&t.token("gp").await);
    let reqs = format!("/api/v1/patients/{}/requests", w.p);
    let body = json!({"kind": "status_report", "addressee_member_id": w.m_gp, "subject": "Status for work assessment", "body": "Needed for the work assessment.", "questions": ["Is she able to work part time?", "Expected course the next 3 months?"]});
    // Without the patient's consent NAV may not ask about work capacity.
    let r = nav.post(&reqs, body.clone()).await;
    assert_eq!(r.status, 403, "{}", r.text);
    grant_nav_work_capacity(&t, w.p).await;
    let r = nav.post(&reqs, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = thread_path(&r);
    let rid = r.body["request_id"].as_str().unwrap().to_owned();

    // It is an action in the plan, owned by the GP, due in five working days.
    let cm = t.api(&t.token("cm").await);
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    let action = &ov.body["actions"][0];
    assert_eq!(action["owner_member_id"], json!(w.m_gp));
    assert_eq!(action["due_date"], "2026-11-30");
    assert_eq!(action["status"], "planned");

    let view = gp.get(&path).await;
    assert_eq!(view.body["request_status"], "requested");
    assert_eq!(view.body["can_answer"], true);
    let etag = view.etag().unwrap();
    // Only the addressee acts on it.
    let r = nav
        .post_if_match(&format!("/api/v1/requests/{rid}/accept"), &etag, json!({}))
        .await;
    assert_eq!(r.status, 403);
    let r = gp
        .post_if_match(&format!("/api/v1/requests/{rid}/accept"), &etag, json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let accepted = r.etag().unwrap();
    // A stale version is refused with the current state.
    let r = gp
        .post_if_match(
            &format!("/api/v1/requests/{rid}/answer"),
            &etag,
            json!({"answers": ["a", "b"]}),
        )
        .await;
    assert_eq!(r.status, 412);
    assert_eq!(r.body["current"]["status"], "accepted");
    // Every question needs an answer.
    let r = gp
        .post_if_match(
            &format!("/api/v1/requests/{rid}/answer"),
            &accepted,
            json!({"answers": ["Yes, 50 %"]}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["answers[1]".to_owned()])
    );
    let r = gp
        .post_if_match(
            &format!("/api/v1/requests/{rid}/answer"),
            &accepted,
            json!({"answers": ["Yes, 50 %", "Gradual improvement"], "note": "Review in 8 weeks."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "answered");
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(ov.body["actions"][0]["status"], "done");

    // The caseworker gets the answer and gives an explicit receipt.
    let view = nav.get(&path).await;
    assert_eq!(view.body["request"]["answers"][1], "Gradual improvement");
    let answer = view.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "answer")
        .unwrap()
        .clone();
    assert_eq!(answer["awaiting_my_ack"], true);
    let r = nav
        .post(
            &format!(
                "/api/v1/messages/{}/acknowledge",
                answer["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204);
    let view = gp.get(&path).await;
    let answer = view.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "answer")
        .unwrap()
        .clone();
    assert_eq!(answer["recipients"][0]["state"], "acknowledged");
    // Closed: answering again is refused.
    let v = view.etag().unwrap();
    let r = gp
        .post_if_match(
            &format!("/api/v1/requests/{rid}/decline"),
            &v,
            json!({"reason": "late"}),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["closed"]);
    // The patient sees the exchange about them.
    let pia = t.api(&t.token("pia").await);
    assert_eq!(pia.get(&path).await.body["request_status"], "answered");
}

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

async fn receipt_deadline_escalates_after_five_working_days_across_a_weekend(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let r = send(&gp, w.p, json!({"subject": "Sick note", "body": "Please confirm.", "to": [format!("member:{}", w.m_nav)], "needs_ack": true})).await;
    let path = thread_path(&r);
    // Due Monday 30 November (Mon 23 + 5 working days, the weekend not counted).
    for (when, escalated) in [
        (oslo(2026, 11, 28, 12, 0), false),  // Saturday
        (oslo(2026, 11, 30, 23, 59), false), // the due day itself
        (oslo(2026, 12, 1, 0, 1), true),     // Tuesday: late
    ] {
        t.clock.set(when);
        run_jobs(&t).await;
        let view = gp.get(&path).await;
        assert_eq!(
            view.body["messages"][0]["recipients"][0]["escalated"], escalated,
            "at {when}"
        );
    }
    let view = gp.get(&path).await;
    assert_eq!(view.body["messages"][0]["ack_overdue"], true);
    // The sender is warned and gets a follow-up action; the coordinator is told.
    let gp_notes = notifications(&gp).await;
    assert!(
        gp_notes
            .iter()
            .any(|(k, text)| k == "ack_overdue" && text.contains("Pia Pasient")),
        "{gp_notes:?}"
    );
    let cm = t.api(&t.token("cm").await);
    assert!(notifications(&cm)
        .await
        .iter()
        .any(|(k, _)| k == "ack_overdue"));
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    let follow_up = ov.body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Follow up: no receipt from Nina Veileder")
        })
        .expect("follow-up action");
    assert_eq!(follow_up["owner_member_id"], json!(w.m_gp));
    // Running again escalates nothing twice.
    t.clock.set(oslo(2026, 12, 2, 9, 0));
    run_jobs(&t).await;
    let n = notifications(&gp)
        .await
        .iter()
        .filter(|(k, _)| k == "ack_overdue")
        .count();
    assert_eq!(n, 1);
}

async fn urgent_receipt_deadline_counts_one_working_day_across_a_weekend(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    t.clock.set(oslo(2026, 11, 27, 15, 0)); // Friday afternoon
    let gp = t.api(&t.token("gp").await);
    let r = send(&gp, w.p, json!({"subject": "Urgent", "body": "Call me.", "to": [format!("member:{}", w.m_care_manager)], "needs_ack": true, "urgent": true})).await;
    let path = thread_path(&r);
    assert_eq!(
        gp.get(&path).await.body["messages"][0]["ack_due"],
        "2026-11-30"
    );
    t.clock.set(oslo(2026, 11, 30, 12, 0)); // Monday noon: still in time
    run_jobs(&t).await;
    assert_eq!(
        gp.get(&path).await.body["messages"][0]["recipients"][0]["escalated"],
        false
    );
    // Acknowledged Monday afternoon: the deadline passes without escalation.
    let cm = t.api(&t.token("cm").await);
    let mid = cm.get(&path).await.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        cm.post(&format!("/api/v1/messages/{mid}/acknowledge"), json!({}))
            .await
            .status,
        204
    );
    t.clock.set(oslo(2026, 12, 1, 8, 0));
    run_jobs(&t).await;
    assert_eq!(
        gp.get(&path).await.body["messages"][0]["recipients"][0]["escalated"],
        false
    );
    assert!(!notifications(&gp)
        .await
        .iter()
        .any(|(k, _)| k == "ack_overdue"));
}

async fn request_reminder_and_overdue_follow_the_working_day_calendar(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    // Due Monday 30 November: the reminder goes the working day before (Friday 27).
    let r = cm
        .post(&format!("/api/v1/patients/{}/requests", w.p), json!({"kind": "advice_request", "addressee_member_id": w.m_gp, "subject": "Dose?", "body": "Advice on the dose, please.", "due_date": "2026-11-30"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = thread_path(&r);
    t.clock.set(oslo(2026, 11, 27, 7, 0));
    run_jobs(&t).await;
    assert!(!notifications(&gp)
        .await
        .iter()
        .any(|(k, _)| k == "request_reminder"));
    t.clock.set(oslo(2026, 11, 27, 8, 30));
    run_jobs(&t).await;
    assert!(notifications(&gp)
        .await
        .iter()
        .any(|(k, _)| k == "request_reminder"));
    t.clock.set(oslo(2026, 11, 30, 16, 0));
    run_jobs(&t).await;
    assert_eq!(gp.get(&path).await.body["request_status"], "requested");
    t.clock.set(oslo(2026, 12, 1, 0, 5));
    run_jobs(&t).await;
    assert_eq!(gp.get(&path).await.body["request_status"], "overdue");
    // Overdue reaches the requester (here also the coordinator) and the addressee.
    assert!(notifications(&cm)
        .await
        .iter()
        .any(|(k, _)| k == "request_overdue"));
    assert!(notifications(&gp)
        .await
        .iter()
        .any(|(k, _)| k == "request_overdue"));
}

async fn due_jobs_run_after_a_restart_and_once_with_two_runners(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let mut paths = Vec::new();
    for i in 0..20 {
        let r = send(&gp, w.p, json!({"subject": format!("Note {i}"), "body": "Confirm please", "to": [format!("member:{}", w.m_nav)], "needs_ack": true})).await;
        assert_eq!(r.status, 201);
        paths.push(thread_path(&r));
    }
    // Samband was down over the deadline. Two fresh instances start on the same
    // database (a restart, and a second node) and both run what fell due meanwhile.
    let clock = std::sync::Arc::new(samband_domain::clock::ManualClock::new(oslo(
        2026, 12, 3, 10, 0,
    )));
    let a = App::new(t.app.store.clone(), clock.clone(), AppConfig::default());
    let b2 = App::new(t.app.store.clone(), clock.clone(), AppConfig::default());
    let (ra, rb) = tokio::join!(a.run_due_jobs(None, 100), b2.run_due_jobs(None, 100));
    let ran: Vec<_> = ra.unwrap().into_iter().chain(rb.unwrap()).collect();
    let deadlines = ran.iter().filter(|r| r.kind == "ack_deadline").count();
    assert_eq!(deadlines, 20, "each deadline job ran exactly once");
    let mut ids: Vec<_> = ran.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ran.len(), "no job ran twice");
    t.clock.set(oslo(2026, 12, 3, 10, 0));
    let overdue = notifications(&gp)
        .await
        .iter()
        .filter(|(k, _)| k == "ack_overdue")
        .count();
    assert_eq!(overdue, 20);
}

async fn live_inbox_gets_the_new_unread_count(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm_token = t.token("cm").await;
    let mut res = reqwest::Client::new()
        .get(t.url("/api/v1/inbox/events"))
        .bearer_auth(&cm_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut buf = String::new();
    assert_eq!(next_count(&mut res, &mut buf).await, 0);
    let gp = t.api(&t.token("gp").await);
    send(
        &gp,
        w.p,
        json!({"subject": "Live", "body": "Now", "to": [format!("member:{}", w.m_care_manager)]}),
    )
    .await;
    assert_eq!(next_count(&mut res, &mut buf).await, 1);
}

async fn patient_writes_to_the_team_and_sees_who_read(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let pia = t.api(&t.token("pia").await);
    let r = send(
        &pia,
        w.p,
        json!({"subject": "Appointment", "body": "Can we move Thursday?"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = thread_path(&r);
    let mut names: Vec<String> = states(&pia.get(&path).await.body, 0)
        .into_iter()
        .map(|s| s.0)
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec!["Cecilie Koordinator", "Gunnar Lege", "Nina Veileder"]
    );
    let cm = t.api(&t.token("cm").await);
    cm.get(&path).await;
    let read: Vec<_> = states(&pia.get(&path).await.body, 0)
        .into_iter()
        .filter(|s| s.1 == "read")
        .map(|s| s.0)
        .collect();
    assert_eq!(read, vec!["Cecilie Koordinator"]);
    // The answer comes in the same thread, to the patient too.
    let r = cm
        .post(
            &format!("{path}/messages"),
            json!({"body": "Yes, Friday 10:00 works."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let view = pia.get(&path).await;
    assert_eq!(view.body["messages"][1]["body"], "Yes, Friday 10:00 works.");
    assert!(states(&view.body, 1)
        .iter()
        .any(|s| s.0 == "Pia Pasient" && s.1 == "read"));
    // A proxy or another patient cannot write here; the patient cannot send requests.
    let r = pia
        .post(
            &format!("/api/v1/patients/{}/requests", w.p),
            json!({"kind": "general_task", "addressee_member_id": w.m_gp, "subject": "x"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let q = t.api(&t.token("quentin").await);
    assert_eq!(
        send(&q, w.p, json!({"subject": "x", "body": "y"}))
            .await
            .status,
        404
    );
}

async fn attachments_are_checked_and_served_as_downloads(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    use base64::Engine;
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let r = send(&gp, w.p, json!({"subject": "Epicrisis", "body": "Attached.", "to": [format!("member:{}", w.m_care_manager)], "attachments": [{"file_name": "epikrise.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(&pdf)}]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = thread_path(&r);
    let cm_token = t.token("cm").await;
    let cm = t.api(&cm_token);
    let view = cm.get(&path).await;
    let a = &view.body["messages"][0]["attachments"][0];
    assert_eq!(a["content_type"], "application/pdf");
    let url = format!("/api/v1/attachments/{}", a["id"].as_str().unwrap());
    let res = cm
        .client()
        .get(t.url(&url))
        .bearer_auth(&cm_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    // Someone not addressed cannot fetch it.
    let nav_token = t.token("nav").await;
    let nav = t.api(&nav_token);
    let res = nav
        .client()
        .get(t.url(&url))
        .bearer_auth(&nav_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn email_goes_through_the_outbox_by_preference_without_health_information(b: Backend) {
    let t = TestApp::start_with(
        b,
        AppConfig {
            mail: Some(samband_app::notify::MailSettings {
                from: "Samband <no-reply@samband.test>".into(),
                public_url: "https://samband.test".into(),
                message_id_domain: "samband.test".into(),
            }),
            ..AppConfig::default()
        },
    )
    .await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let cm = t.api(&t.token("cm").await);
    let nav = t.api(&t.token("nav").await);
    // The care manager: immediately; NAV: daily digest; the GP: no e-mail.
    assert_eq!(
        cm.put(
            "/api/v1/me/notification-preferences",
            None,
            json!({"mode": "immediate", "email": "cecilie@legesenter.test"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        nav.put(
            "/api/v1/me/notification-preferences",
            None,
            json!({"mode": "digest", "email": "nina@nav.test"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        gp.put(
            "/api/v1/me/notification-preferences",
            None,
            json!({"mode": "off"})
        )
        .await
        .status,
        200
    );
    let r = gp
        .put(
            "/api/v1/me/notification-preferences",
            None,
            json!({"mode": "sometimes", "email": "not an address"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["mode", "email"]);
    for i in 0..2 {
        let r = send(&gp, w.p, json!({"subject": format!("Lab result {i}"), "body": "Haemoglobin 9.1", "to": ["team"]})).await;
        assert_eq!(r.status, 201);
    }
    send(
        &cm,
        w.p,
        json!({"subject": "Reply", "body": "Noted", "to": [format!("member:{}", w.m_gp)]}),
    )
    .await;
    let mut tx = t.app.store.begin().await.unwrap();
    let emails: Vec<_> = tx
        .list_jobs(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "email")
        .collect();
    drop(tx);
    // Two for the care manager, none for NAV (digest) or the GP (off).
    assert_eq!(emails.len(), 2, "{emails:?}");
    let mut ids = std::collections::HashSet::new();
    for e in &emails {
        assert_eq!(e.payload["to"], "cecilie@legesenter.test");
        assert_eq!(e.payload["subject"], "You have a new message in Samband");
        let text = e.payload["text"].as_str().unwrap();
        assert!(text.contains("https://samband.test/inbox"));
        for secret in ["Pia", "Haemoglobin", "Lab result", "Gunnar"] {
            assert!(
                !text.contains(secret) && !e.payload["subject"].as_str().unwrap().contains(secret)
            );
        }
        let mid = e.payload["message_id"].as_str().unwrap();
        assert!(mid.starts_with('<') && mid.ends_with("@samband.test>"));
        ids.insert(mid.to_owned());
    }
    assert_eq!(ids.len(), 2);
    // The daily digest at 07:00 sends NAV one e-mail for both.
    t.clock.set(oslo(2026, 11, 24, 7, 0));
    t.app.ensure_schedule().await.unwrap();
    t.app.ensure_schedule().await.unwrap(); // idempotent
    run_jobs(&t).await;
    let mut tx = t.app.store.begin().await.unwrap();
    let digests: Vec<_> = tx
        .list_jobs(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "email" && j.payload["to"] == "nina@nav.test")
        .collect();
    let scheduled = tx
        .list_jobs(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "daily_digest")
        .count();
    assert_eq!(scheduled, 1);
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0].payload["subject"], "Samband: 2 new items");
}

async fn ongoing_information_digest_counts_what_the_follower_may_see(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let nav = t.api(&t.token("nav").await);
    let cm = t.api(&t.token("cm").await);
    assert_eq!(
        nav.put(&format!("/api/v1/patients/{}/follow", w.p), None, json!({}))
            .await
            .status,
        204
    );
    // Not on Q's team: cannot follow Q.
    assert_eq!(
        nav.put(&format!("/api/v1/patients/{}/follow", w.q), None, json!({}))
            .await
            .status,
        404
    );
    t.clock.advance(Duration::minutes(5));
    // One action NAV may see, one crisis-plan change it may not (no consent).
    let r = cm.post(&format!("/api/v1/patients/{}/actions", w.p), json!({"title": "Plan work trial", "owner_member_id": w.m_nav, "due_date": "2026-12-15"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = cm
        .put(
            &format!("/api/v1/patients/{}/crisis-plan", w.p),
            Some("\"0\""),
            json!({"warning_signs": "Stops eating"}),
        )
        .await;
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    t.clock.set(oslo(2026, 11, 24, 7, 0));
    t.app.ensure_schedule().await.unwrap();
    let ran = run_jobs(&t).await;
    assert!(ran.contains(&"ongoing_digest".to_owned()), "{ran:?}");
    let notes = notifications(&nav).await;
    let ongoing: Vec<_> = notes.iter().filter(|(k, _)| k == "ongoing").collect();
    assert_eq!(ongoing.len(), 1, "{notes:?}");
    assert!(
        ongoing[0].1.starts_with("1 new changes in Pia Pasient"),
        "{:?}",
        ongoing[0]
    );
    let prefs = nav.get("/api/v1/me/notification-preferences").await;
    assert_eq!(prefs.body["follows"][0]["patient_name"], "Pia Pasient");
}
