//! Self-monitoring wired to signals, the registry and live updates (issue 12, items
//! 4, 5 and 7 together; story 003): a rising PHQ-9 reaches the coordinator as a
//! deterioration alert and a positive item 9 as a safety alert (the patient is sent to
//! their crisis plan); the registry shows baseline, latest, change, the sparkline and the
//! safety flag, puts the patient on the case-review queue, and withholds all of it
//! from a member without consent for self-reports; silence after a due check-in is an
//! engagement alert; and the coordinator's open stream on one instance hears an answer
//! given through another.

use crate::common::run_jobs;
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    answers_raise_signals_and_fill_the_registry,
    silence_after_a_due_check_in_is_an_engagement_alert,
    a_pathway_with_a_questionnaire_milestone_sets_its_schedule,
);

const PHQ9: [&str; 9] = [
    "interest",
    "down",
    "sleep",
    "tired",
    "appetite",
    "failure",
    "concentration",
    "psychomotor",
    "self_harm",
];

/// A PHQ-9 answer: the first eight items `v`, item 9 `nine`.
fn phq9(v: i64, nine: i64) -> Value {
    let mut m = serde_json::Map::new();
    for k in &PHQ9[..8] {
        m.insert((*k).to_owned(), json!(v));
    }
    m.insert("self_harm".into(), json!(nine));
    json!({ "answers": m })
}

fn classes(alerts: &Value) -> Vec<String> {
    let mut v: Vec<String> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["class"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

async fn answers_raise_signals_and_fill_the_registry(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let nav = t.api(&t.token("nav").await);
    let pia = t.api(&t.token("pia").await);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    let r = cm
        .post(&schedules, json!({"instrument": "phq9", "every_days": 14}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let answer = format!("{schedules}/{}/responses", r.body["id"].as_str().unwrap());

    // Baseline 8 (mild): no signal.
    let r = pia.post(&answer, phq9(1, 0)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        classes(&cm.get("/api/v1/alerts").await.body),
        Vec::<String>::new()
    );
    // 16, up eight points and two bands: deterioration, to the coordinator.
    let r = pia.post(&answer, phq9(2, 0)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        classes(&cm.get("/api/v1/alerts").await.body),
        ["deterioration"]
    );
    // Item 9 answered "several days": safety, with the same-day risk assessment.
    let r = pia.post(&answer, phq9(2, 1)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let alerts = cm.get("/api/v1/alerts").await;
    assert_eq!(classes(&alerts.body), ["deterioration", "safety"]);
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert!(ov.body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["title"].as_str().unwrap().starts_with("Risk assessment")));

    // The registry: first and latest PHQ-9 with a total, the change, the points, the
    // safety flag, and a place on the case-review queue.
    let reg = cm.get("/api/v1/registry").await;
    let row = &reg.body["items"][0];
    assert_eq!(row["patient_id"], w.p.to_string());
    assert_eq!(
        (row["baseline_score"].as_i64(), row["latest_score"].as_i64()),
        (Some(8), Some(17))
    );
    assert_eq!(row["change_percent"], 112);
    assert_eq!(row["recent_scores"], json!([8, 16, 17]));
    assert!(
        row["flags"].as_array().unwrap().contains(&json!("safety")),
        "{}",
        row
    );
    let r = cm.get("/api/v1/registry?flag=safety").await;
    assert_eq!(r.body["total"], 1);
    let r = cm.get("/api/v1/registry?sort=latest_score").await;
    assert_eq!(r.body["items"][0]["patient_id"], w.p.to_string());
    // Social security may not read self-reports: no score, no safety flag, and no place
    // in an order or filter that rests on them.
    let reg = nav.get("/api/v1/registry").await;
    let row = &reg.body["items"][0];
    assert_eq!(row["latest_score"], Value::Null);
    assert_eq!(row["recent_scores"], json!([]));
    assert!(!row["flags"].as_array().unwrap().contains(&json!("safety")));
    assert!(row["withheld"]
        .as_array()
        .unwrap()
        .contains(&json!("self_reports")));
    let r = nav.get("/api/v1/registry?flag=safety").await;
    assert_eq!(
        (
            r.body["items"].as_array().unwrap().len(),
            r.body["hidden"].as_i64()
        ),
        (0, Some(1))
    );

    // In the browser the safety answer leads to the crisis plan and the numbers.
    let browser = t.browser();
    browser.login("pia", PASSWORD).await;
    let list = browser.get("/me/check-ins").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let sid = r_schedule_id(&cm, &schedules).await;
    let page = browser.get(&format!("/me/check-ins/{sid}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csrf = samband_testkit::hidden_value(&page.text, "_csrf").unwrap();
    let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf)];
    for k in &PHQ9[..8] {
        form.push((format!("answers.{k}"), "1".into()));
    }
    form.push(("answers.self_harm".into(), "2".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = browser
        .post_form(&format!("/me/check-ins/{sid}"), &pairs)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/me/crisis-plan?help=1")
    );
    let crisis = browser.get("/me/crisis-plan?help=1").await;
    assert!(crisis.text.contains("113"), "the crisis numbers are shown");
    // Still one open safety alert: the second positive answer is an occurrence of it.
    assert_eq!(
        classes(&cm.get("/api/v1/alerts").await.body),
        ["deterioration", "safety"]
    );
}

async fn r_schedule_id(cm: &samband_testkit::Api, schedules: &str) -> String {
    cm.get(schedules).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn silence_after_a_due_check_in_is_an_engagement_alert(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    let r = cm
        .post(&schedules, json!({"instrument": "phq9", "every_days": 14}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Due today (23 November): the due notice runs, and the silence is looked at a week on.
    run_jobs(&t).await;
    t.clock.set(crate::common::oslo(2026, 11, 29, 12, 0));
    run_jobs(&t).await;
    assert_eq!(
        classes(&cm.get("/api/v1/alerts").await.body),
        Vec::<String>::new(),
        "six days: not yet"
    );
    t.clock.set(crate::common::oslo(2026, 11, 30, 12, 0));
    let ran = run_jobs(&t).await;
    assert!(ran.contains(&"engagement_check".to_owned()), "{ran:?}");
    assert_eq!(
        classes(&cm.get("/api/v1/alerts").await.body),
        ["engagement"]
    );
    // An interval on, still silent: the same alert (escalated on by now, since nobody
    // acknowledged it), not a second one.
    t.clock.set(crate::common::oslo(2026, 12, 14, 12, 0));
    run_jobs(&t).await;
    let open = cm.get(&format!("/api/v1/patients/{}/alerts", w.p)).await;
    assert_eq!(open.status, 200, "{}", open.text);
    assert_eq!(classes(&open.body), ["engagement"], "{}", open.text);
}

/// The coordinator's open stream on instance A hears an answer given through instance
/// B (PostgreSQL carries the signal between them), so the registry and alert pages
/// that reload on it are live across instances.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_through_one_instance_reaches_the_coordinator_on_another() {
    use samband_app::AppConfig;
    let a = TestApp::start(Backend::Postgres).await;
    let w = a.world().await;
    let b = TestApp::start_on(Backend::Postgres, a.app.store.clone(), AppConfig::default()).await;
    let cm = a.api(&a.token("cm").await);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    let r = cm
        .post(&schedules, json!({"instrument": "phq9", "every_days": 14}))
        .await;
    let answer = format!("{schedules}/{}/responses", r.body["id"].as_str().unwrap());
    let mut res = reqwest::Client::new()
        .get(a.url("/api/v1/inbox/events"))
        .bearer_auth(a.token("cm").await)
        .send()
        .await
        .unwrap();
    let mut buf = String::new();
    let first = next_event(&mut res, &mut buf).await;
    let pia = b.api(&b.token("pia").await);
    let r = pia.post(&answer, phq9(1, 1)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let second = next_event(&mut res, &mut buf).await;
    assert!(
        second["unread"].as_i64() > first["unread"].as_i64(),
        "the safety alert's notice arrived live: {first} → {second}"
    );
    let reg = cm.get("/api/v1/registry").await;
    assert_eq!(reg.body["items"][0]["latest_score"], 9);
}

/// The next event's data on a server-sent event stream (at most 10 s).
async fn next_event(res: &mut reqwest::Response, buf: &mut String) -> Value {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                return serde_json::from_str(data).unwrap();
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

/// A pathway whose milestones are completed by a questionnaire sets its check-in
/// schedule on enrolment (fortnightly, tied to the milestone), once: a schedule already
/// running for that instrument is not doubled; a pathway without questionnaires sets none.
async fn a_pathway_with_a_questionnaire_milestone_sets_its_schedule(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    let pathways = format!("/api/v1/patients/{}/pathways", w.p);
    let r = cm
        .post(
            &pathways,
            json!({"template_key": "sick_leave_follow_up", "anchor_date": "2026-11-02"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        cm.get(&schedules).await.body,
        json!([]),
        "no questionnaire, no schedule"
    );
    let r = cm
        .post(
            &pathways,
            json!({"template_key": "depression_discharge", "anchor_date": "2026-11-20"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let list = cm.get(&schedules).await;
    let all = list.body.as_array().unwrap();
    assert_eq!(all.len(), 1, "{}", list.text);
    assert_eq!(all[0]["instrument"], "phq9");
    assert_eq!(all[0]["every_days"], 14);
    assert_eq!(
        all[0]["next_due"], "2026-11-23",
        "due from today (after the anchor)"
    );
    assert!(all[0]["milestone"]
        .as_str()
        .unwrap()
        .starts_with("depression_discharge/"));
    // The patient sees it due.
    let pia = t.api(&t.token("pia").await);
    assert_eq!(pia.get(&schedules).await.body[0]["due"], true);
    // A patient whose PHQ-9 the team already set by hand: enrolling does not double it.
    let gp = t.api(&t.token("gp").await);
    let q_schedules = format!("/api/v1/patients/{}/schedules", w.q);
    let r = gp
        .post(
            &q_schedules,
            json!({"instrument": "phq9", "every_days": 28}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = gp
        .post(
            &format!("/api/v1/patients/{}/pathways", w.q),
            json!({"template_key": "depression_discharge", "anchor_date": "2026-11-20"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let list = gp.get(&q_schedules).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{}", list.text);
    assert_eq!(
        list.body[0]["every_days"], 28,
        "the team's own schedule stays"
    );
}
