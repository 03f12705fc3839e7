//! Self-monitoring through the API: the team sets a schedule, the patient answers
//! (scored on the server; bad answers named field by field and nothing stored),
//! pauses with a reason the team sees, resumes, is told when the next check-in falls
//! due, and the trend shows what was answered; a proxy answers for the patient; the
//! answer completes the pathway milestone asking for a PHQ-9. Refusals: another
//! patient, a member whose organisation has no consent for self-reports, a
//! professional answering in the patient's name, a stale If-Match.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    schedule_answer_pause_resume_notify_and_trend,
    refusals_leave_nothing_behind,
    a_proxy_answers_and_the_answer_completes_the_pathway_milestone,
    esas_trends_are_per_symptom_and_a_long_gap_is_left_open
);

fn all(value: i64, keys: &[&str]) -> Value {
    let m: serde_json::Map<String, Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), json!(value)))
        .collect();
    json!({ "answers": m })
}

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

async fn schedule_answer_pause_resume_notify_and_trend(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let pia = t.api(&t.token("pia").await);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    let r = cm
        .post(&schedules, json!({"instrument": "phq9", "every_days": 14}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.etag().as_deref(), Some("\"1\""));
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["next_due"], "2026-11-23");
    let mine = pia.get(&schedules).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body[0]["due"], true);

    // The catalogue carries the LOINC codes and the answer wording.
    let cat = pia.get("/api/v1/instruments").await;
    let phq9 = cat
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "phq9")
        .unwrap();
    assert_eq!(phq9["loinc_panel"], "44249-1");
    assert_eq!(phq9["items"][8]["loinc"], "44260-8");
    assert_eq!(phq9["options"][3]["label"]["nb"], "Nesten hver dag");

    // Bad answers: named by item, nothing stored, still due.
    let answer = format!("{schedules}/{id}/responses");
    let mut bad = all(1, &PHQ9);
    bad["answers"]["sleep"] = json!(4);
    bad["answers"]["bogus"] = json!(1);
    let r = pia.post(&answer, bad).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_fields(), vec!["answers.bogus", "answers.sleep"]);
    // A score from the client is not a field the server reads: refused outright.
    let mut with_total = all(0, &PHQ9);
    with_total["total"] = json!(0);
    assert_eq!(pia.post(&answer, with_total).await.status, 422);
    let responses = format!("/api/v1/patients/{}/responses", w.p);
    assert_eq!(pia.get(&responses).await.body["items"], json!([]));
    assert_eq!(pia.get(&schedules).await.body[0]["due"], true);

    // Answered: 8 × 2 + item 9 = 1 → 17, moderately severe, scored on the server.
    let mut a = all(2, &PHQ9);
    a["answers"]["self_harm"] = json!(1);
    let r = pia.post(&answer, a).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let s = &r.body["response"]["scores"];
    assert_eq!(
        (&s["total"], &s["band"], &s["item9"], &s["item9_state"]),
        (
            &json!(17),
            &json!("moderately_severe"),
            &json!(1),
            &json!("answered")
        )
    );
    assert_eq!(r.body["schedule"]["next_due"], "2026-12-07");
    assert_eq!(r.body["schedule"]["due"], false);
    let v = r.body["schedule"]["version"].as_i64().unwrap();

    // Paused with a reason the team sees; a stale If-Match is a conflict.
    let pause = format!("{schedules}/{id}/pause");
    let stale = pia
        .post_if_match(&pause, "\"1\"", json!({"reason": "On holiday"}))
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let blank = pia
        .post_if_match(&pause, &format!("\"{v}\""), json!({"reason": "  "}))
        .await;
    assert_eq!(blank.error_fields(), vec!["reason"]);
    let r = pia
        .post_if_match(&pause, &format!("\"{v}\""), json!({"reason": "On holiday"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let team_view = cm.get(&schedules).await;
    assert_eq!(team_view.body[0]["paused"]["reason"], "On holiday");
    // Paused on the due day: no notice.
    t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-07T10:00:00+01:00")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    t.app.run_due_jobs(None, 500).await.unwrap();
    let pia = t.api(&t.token("pia").await);
    let notes = pia.get("/api/v1/notifications").await;
    assert!(
        !notes.text.contains("checkin_due"),
        "told while paused: {}",
        notes.text
    );
    let r = pia
        .post_if_match(
            &format!("{schedules}/{id}/resume"),
            &format!("\"{}\"", v + 1),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["due"], true);
    t.app.run_due_jobs(None, 500).await.unwrap();
    let notes = pia.get("/api/v1/notifications").await;
    assert_eq!(
        notes.text.matches("checkin_due").count(),
        1,
        "told once: {}",
        notes.text
    );

    // Answered again: remission; the trend has both points, the baseline, and says
    // there are too few answers yet.
    let r = pia.post(&answer, all(0, &PHQ9)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["response"]["scores"]["band"], "minimal");
    let tr = cm.get(&format!("/api/v1/patients/{}/trends", w.p)).await;
    assert_eq!(tr.status, 200, "{}", tr.text);
    let phq = &tr.body[0];
    assert_eq!(phq["instrument"], "phq9");
    assert_eq!(phq["baseline"], 17);
    assert_eq!(phq["sparse"], true);
    let values: Vec<_> = phq["series"][0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_i64().unwrap())
        .collect();
    assert_eq!(values, [17, 0]);
    // Newest first, one per page.
    let p1 = cm.get(&format!("{responses}?limit=1")).await;
    assert_eq!(p1.body["items"][0]["scores"]["total"], 0);
    let next = p1.body["next"].as_str().unwrap();
    let p2 = cm.get(&format!("{responses}?limit=1&cursor={next}")).await;
    assert_eq!(p2.body["items"][0]["scores"]["total"], 17);
    assert_eq!(p2.body["next"], Value::Null);
}

async fn refusals_leave_nothing_behind(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    // Bad schedule input, named by field.
    let r = cm
        .post(
            &schedules,
            json!({"instrument": "bdi", "every_days": 0, "starts_on": "2040-01-01"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.error_fields(),
        vec!["instrument", "every_days", "starts_on"]
    );
    assert_eq!(cm.get(&schedules).await.body, json!([]));
    let r = cm
        .post(&schedules, json!({"instrument": "gad7", "every_days": 7}))
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let one = format!("{schedules}/{id}");
    // Stale If-Match, and a change of instrument.
    let r = cm
        .put(
            &one,
            Some("\"7\""),
            json!({"instrument": "gad7", "every_days": 14}),
        )
        .await;
    assert_eq!(r.status, 412, "{}", r.text);
    let r = cm
        .put(
            &one,
            Some("\"1\""),
            json!({"instrument": "phq9", "every_days": 14}),
        )
        .await;
    assert_eq!(r.error_fields(), vec!["instrument"]);
    let r = cm
        .put(
            &one,
            Some("\"1\""),
            json!({"instrument": "gad7", "every_days": 14}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["every_days"], 14);

    let answer = format!("{one}/responses");
    let gad = all(
        1,
        &[
            "nervous",
            "stop_worrying",
            "worry_too_much",
            "relaxing",
            "restless",
            "irritable",
            "afraid",
        ],
    );
    // Another patient sees and answers nothing of Pia's.
    let quentin = t.api(&t.token("quentin").await);
    assert_eq!(quentin.get(&schedules).await.status, 404);
    assert_eq!(quentin.post(&answer, gad.clone()).await.status, 404);
    // NAV (social security) has no consent for self-reports by default: a team
    // member refused one category learns only that (403), and reads nothing.
    let nav = t.api(&t.token("nav").await);
    assert_eq!(nav.get(&schedules).await.status, 403);
    assert_eq!(
        nav.get(&format!("/api/v1/patients/{}/trends", w.p))
            .await
            .status,
        403
    );
    assert_eq!(
        nav.post(&schedules, json!({"instrument": "who5", "every_days": 7}))
            .await
            .status,
        403
    );
    // A professional does not answer in the patient's name, nor pause for them.
    let r = cm.post(&answer, gad.clone()).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = cm
        .post_if_match(&format!("{one}/pause"), "\"2\"", json!({"reason": "x"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // The patient does not set schedules.
    let pia = t.api(&t.token("pia").await);
    let r = pia
        .post(&schedules, json!({"instrument": "who5", "every_days": 7}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        pia.get(&format!("/api/v1/patients/{}/responses", w.p))
            .await
            .body["items"],
        json!([])
    );
    // Ended: nothing more is answered.
    let r = cm
        .post_if_match(&format!("{one}/end"), "\"2\"", json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = pia.post(&answer, gad).await;
    assert_eq!(r.error_fields(), vec!["schedule"]);
    assert_eq!(
        pia.get(&format!("/api/v1/patients/{}/responses", w.p))
            .await
            .body["items"],
        json!([])
    );
}

async fn a_proxy_answers_and_the_answer_completes_the_pathway_milestone(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let admin = t.api(&t.token("admin").await);
    let r = admin
        .post("/api/v1/accounts", json!({"username": "sister", "password": PASSWORD, "role": "proxy", "display_name": "Sister", "patient_id": w.p, "proxy_may_consent": false}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let cm = t.api(&t.token("cm").await);
    // Discharged ten days ago: the first follow-up (PHQ-9, days 7–28) is open.
    let pathways = format!("/api/v1/patients/{}/pathways", w.p);
    let r = cm
        .post(
            &pathways,
            json!({"template_key": "depression_discharge", "anchor_date": "2026-11-13"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    let r = cm
        .post(&schedules, json!({"instrument": "phq9", "every_days": 14, "milestone": "depression_discharge/first_follow_up"}))
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let sister = t.api(&t.token("sister").await);
    // Item 9 left out: unknown, never 0; eight answers prorate.
    let mut a = all(1, &PHQ9);
    a["answers"].as_object_mut().unwrap().remove("self_harm");
    let r = sister.post(&format!("{schedules}/{id}/responses"), a).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["response"]["by_proxy"], true);
    assert_eq!(r.body["response"]["scores"]["item9_state"], "unanswered");
    assert_eq!(r.body["response"]["scores"]["item9"], Value::Null);
    assert_eq!(r.body["response"]["scores"]["total"], 9);
    assert_eq!(r.body["response"]["scores"]["prorated"], true);
    assert_eq!(r.body["milestones_completed"], 1);
    let e = cm.get(&pathways).await;
    let m = e.body[0]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["milestone"] == "first_follow_up")
        .unwrap()
        .clone();
    assert_eq!(
        (m["state"].as_str(), m["completed_by"].as_str()),
        (Some("done"), Some("evidence"))
    );
    // A proxy does not set schedules.
    let r = sister
        .post(&schedules, json!({"instrument": "who5", "every_days": 7}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

async fn esas_trends_are_per_symptom_and_a_long_gap_is_left_open(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    let r = cm
        .post(&schedules, json!({"instrument": "esas_r", "every_days": 7}))
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let answer = format!("{schedules}/{id}/responses");
    // Day 0 and day 7 (joined), then day 30: 23 days after, more than twice 7.
    for (day, pain) in [("2026-11-23", 5), ("2026-11-30", 6), ("2026-12-23", 3)] {
        t.clock.set(
            chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+01:00"))
                .unwrap()
                .with_timezone(&chrono::Utc),
        );
        let pia = t.api(&t.token("pia").await);
        let r = pia
            .post(&answer, json!({"answers": {"pain": pain, "nausea": 1}}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        // Per symptom, no total is made up.
        assert_eq!(r.body["response"]["scores"]["total"], Value::Null);
    }
    let cm = t.api(&t.token("cm").await);
    let tr = cm.get(&format!("/api/v1/patients/{}/trends", w.p)).await;
    let esas = tr
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["instrument"] == "esas_r")
        .unwrap();
    assert_eq!(esas["series"].as_array().unwrap().len(), 9);
    assert_eq!(esas["baseline"], Value::Null);
    let pain = &esas["series"][0];
    assert_eq!(pain["key"], "pain");
    let runs: Vec<usize> = pain["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().len())
        .collect();
    assert_eq!(runs, [2, 1], "{}", tr.text);
    // A symptom never answered has no points.
    assert_eq!(esas["series"][1]["points"], json!([]));
    // The catalogue keeps ESAS-r's required acknowledgement.
    let cat = cm.get("/api/v1/instruments").await;
    let e = cat
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "esas_r")
        .unwrap();
    assert!(e["acknowledgement"]["en"]
        .as_str()
        .unwrap()
        .contains("Alberta Health Services"));
}
