//! Collaboration meetings through the API (and the guest page), on both backends.

use samband_app::AppConfig;
use samband_testkit::{hidden_value, Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    agenda_rules_invitations_and_each_participants_times,
    calendar_files_parse_with_icalendar_through_change_and_cancellation,
    pre_reads_follow_the_meeting_policy_and_consent,
    minutes_are_versioned_and_decisions_become_plan_actions,
    summary_follow_up_reminder_and_the_next_meeting,
    guests_see_only_their_items,
    meetings_are_part_of_the_record_for_access,
    the_organiser_changes_the_meeting_and_items_through_forms,
    my_meetings_lists_what_i_am_invited_to_across_patients,
    minutes_are_read_by_their_category_under_consent,
    cancelling_asks_for_confirmation_and_keeps_what_was_typed,
    the_chair_view_saves_minutes_with_a_decision_and_loses_nothing_typed,
);

async fn my_meetings_lists_what_i_am_invited_to_across_patients(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    // The GP also organises a meeting for Quentin.
    let gp = t.api(&t.token("gp").await);
    let r = gp
        .post(&format!("/api/v1/patients/{}/meetings", w.q), json!({"kind": "review", "mode": "in_person", "title": "Review with Quentin", "starts_at": "2026-12-03T13:00", "duration_minutes": 30, "place": "Room 2", "pre_read_policy": "at_meeting"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mine = gp.get("/api/v1/meetings").await;
    let titles: Vec<&str> = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meeting"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec!["Collaboration meeting", "Review with Quentin"],
        "soonest first, across patients"
    );
    let first = &mine.body["items"][0];
    assert_eq!(
        (first["invited"].as_i64(), first["pending"].as_i64()),
        (Some(4), Some(3))
    );
    // Not invited: nothing listed. Invited but consent withdrawn: not listed.
    assert_eq!(
        t.api(&t.token("er").await)
            .get("/api/v1/meetings")
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let nav = t.api(&t.token("nav").await);
    assert_eq!(
        nav.get("/api/v1/meetings").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let pia = t.api(&t.token("pia").await);
    pia.put(&format!("/api/v1/patients/{}/consent", w.p), Some("\"0\""), json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "plan_and_actions", "permit": false}]})).await;
    assert_eq!(
        nav.get("/api/v1/meetings").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // The page lists them too.
    let browser = t.browser();
    browser
        .login("gp", samband_testkit::fixture::PASSWORD)
        .await;
    let page = browser.get("/meetings").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("Review with Quentin")
            && page.text.contains(&m.path.replace("/api/v1", ""))
    );
}

async fn the_organiser_changes_the_meeting_and_items_through_forms(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let cmp = m.who("Cecilie Koordinator");
    let first = cm.post(&format!("{}/agenda", m.path), json!({"title": "One", "start": "09:00", "duration_minutes": 20, "responsible": cmp, "patient_present": true})).await;
    cm.post(&format!("{}/agenda", m.path), json!({"title": "Two", "start": "09:20", "duration_minutes": 20, "responsible": cmp, "patient_present": true})).await;
    let item = first.body["id"].as_str().unwrap().to_owned();
    let page_path = m.path.replace("/api/v1", "");
    let browser = t.browser();
    browser
        .login("cm", samband_testkit::fixture::PASSWORD)
        .await;
    let page = browser.get(&page_path).await;
    let csrf = samband_testkit::hidden_value(&page.text, "_csrf").unwrap();
    // Moving item one onto item two is refused, and nothing changes.
    let r = browser
        .post_form(
            &format!("{page_path}/do/edit-item"),
            &[
                ("_csrf", &csrf),
                ("item", &item),
                (&*format!("it-{item}.version"), "1"),
                (&*format!("it-{item}.title"), "One"),
                (&*format!("it-{item}.start"), "09:30"),
                (&*format!("it-{item}.duration_minutes"), "20"),
                (&*format!("it-{item}.responsible"), &cmp),
                (&*format!("it-{item}.participants"), &cmp),
                (&*format!("it-{item}.patient_present"), "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("overlaps the item"));
    // The patient leaves item one.
    let r = browser
        .post_form(
            &format!("{page_path}/do/edit-item"),
            &[
                ("_csrf", &csrf),
                ("item", &item),
                (&*format!("it-{item}.version"), "1"),
                (&*format!("it-{item}.title"), "One"),
                (&*format!("it-{item}.start"), "09:00"),
                (&*format!("it-{item}.duration_minutes"), "15"),
                (&*format!("it-{item}.responsible"), &cmp),
                (&*format!("it-{item}.participants"), &cmp),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let v = cm.get(&m.path).await;
    assert_eq!(v.body["agenda"][0]["patient_present"], false);
    assert_eq!(v.body["agenda"][0]["duration_minutes"], 15);
    // Moved to Wednesday: the calendar sequence rises.
    let version = v.etag().unwrap().trim_matches('"').to_owned();
    let r = browser
        .post_form(
            &format!("{page_path}/do/edit"),
            &[
                ("_csrf", &csrf),
                ("edit.version", &version),
                ("edit.kind", "collaboration_after_assessment"),
                ("edit.pre_read_policy", "at_meeting"),
                ("edit.pre_read_days", "3"),
                ("edit.title", "Collaboration meeting"),
                ("edit.mode", "digital"),
                ("edit.date", "2026-12-02"),
                ("edit.time", "10:00"),
                ("edit.duration_minutes", "60"),
                ("edit.video_link", "https://video.example/room/1"),
                ("edit.follow_up_date", "2026-12-29"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let v = cm.get(&m.path).await;
    assert_eq!(v.body["local_start"], "10:00");
    assert_eq!(v.body["meeting"]["sequence"], 1);
    // A follow-up before the meeting is shown at the field.
    let version = v.etag().unwrap().trim_matches('"').to_owned();
    let r = browser
        .post_form(
            &format!("{page_path}/do/edit"),
            &[
                ("_csrf", &csrf),
                ("edit.version", &version),
                ("edit.kind", "collaboration_after_assessment"),
                ("edit.pre_read_policy", "at_meeting"),
                ("edit.title", "Collaboration meeting"),
                ("edit.mode", "digital"),
                ("edit.date", "2026-12-02"),
                ("edit.time", "10:00"),
                ("edit.duration_minutes", "60"),
                ("edit.video_link", "https://video.example/room/1"),
                ("edit.follow_up_date", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("id=\"edit-follow_up_date-error\""));
}

fn mail_config() -> AppConfig {
    AppConfig {
        mail: Some(samband_app::notify::MailSettings {
            from: "Samband <no-reply@samband.test>".into(),
            public_url: "https://samband.test".into(),
            message_id_domain: "samband.test".into(),
        }),
        ..AppConfig::default()
    }
}

struct Planned {
    path: String,
    /// participant ids by name
    people: Vec<(String, String)>,
}

impl Planned {
    fn who(&self, name: &str) -> String {
        self.people
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| panic!("{name} not invited"))
    }
}

/// The care manager plans a digital meeting on Tuesday 1 December 09:00–10:00 (Oslo)
/// and invites the GP, the NAV supervisor and the patient.
async fn plan(t: &TestApp, cm: &Api, w: &samband_testkit::fixture::World, policy: &str) -> Planned {
    let r = cm
        .post(
            &format!("/api/v1/patients/{}/meetings", w.p),
            json!({"kind": "collaboration_after_assessment", "mode": "digital", "title": "Collaboration meeting", "starts_at": "2026-12-01T09:00", "duration_minutes": 60, "video_link": "https://video.example/room/1", "pre_read_policy": policy, "pre_read_days": 3, "follow_up_date": "2026-12-29"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/meetings/{id}");
    for body in [
        json!({"member_id": w.m_gp}),
        json!({"member_id": w.m_nav}),
        json!({"patient": true}),
    ] {
        let r = cm.post(&format!("{path}/participants"), body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let _ = t;
    let view = cm.get(&path).await;
    let people = view.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    Planned { path, people }
}

async fn agenda_rules_invitations_and_each_participants_times(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    // A follow-up before the meeting, a digital meeting without a link: refused.
    let r = cm
        .post(&format!("/api/v1/patients/{}/meetings", w.p), json!({"kind": "review", "mode": "digital", "title": "x", "starts_at": "2026-12-01T09:00", "duration_minutes": 60, "pre_read_policy": "at_meeting", "follow_up_date": "2026-11-30"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["video_link", "follow_up_date"]);
    let m = plan(&t, &cm, &w, "days_before").await;
    // Inviting someone twice is refused.
    let r = cm
        .post(
            &format!("{}/participants", m.path),
            json!({"member_id": w.m_gp}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_codes()),
        (422, vec!["already_invited".to_owned()])
    );
    let r = cm
        .post(
            &format!("{}/participants", m.path),
            json!({"patient": true}),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["already_invited"]);
    let g = json!({"guest": {"name": "Ola Arbeidsgiver", "organisation": "Bakeriet AS", "email": "ola@bakeriet.example"}});
    assert_eq!(
        cm.post(&format!("{}/participants", m.path), g.clone())
            .await
            .status,
        201
    );
    let r = cm
        .post(
            &format!("{}/participants", m.path),
            json!({"guest": {"name": "Ola A.", "email": "OLA@bakeriet.example"}}),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["already_invited"]);

    let (cmp, gp, nav) = (
        m.who("Cecilie Koordinator"),
        m.who("Gunnar Lege"),
        m.who("Nina Veileder"),
    );
    let agenda = format!("{}/agenda", m.path);
    let r = cm.post(&agenda, json!({"title": "Assessment results", "start": "09:00", "duration_minutes": 20, "responsible": cmp, "participants": [gp], "patient_present": true})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = cm.post(&agenda, json!({"title": "Work and sick leave", "start": "09:20", "duration_minutes": 20, "responsible": nav, "participants": [cmp], "patient_present": false})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (body, field, code) in [
        (
            json!({"title": "Overlap", "start": "09:10", "duration_minutes": 20, "responsible": cmp}),
            "start",
            "overlap",
        ),
        (
            json!({"title": "Too late", "start": "09:50", "duration_minutes": 20, "responsible": cmp}),
            "start",
            "outside_meeting",
        ),
        (
            json!({"title": "Too early", "start": "08:45", "duration_minutes": 10, "responsible": cmp}),
            "start",
            "outside_meeting",
        ),
        (
            json!({"title": "Stranger", "start": "09:40", "duration_minutes": 10, "responsible": uuid::Uuid::now_v7()}),
            "responsible",
            "not_invited",
        ),
    ] {
        let r = cm.post(&agenda, body.clone()).await;
        assert_eq!(r.status, 422, "{body}");
        assert!(
            r.error_fields().contains(&field.to_owned())
                && r.error_codes().contains(&code.to_owned()),
            "{body}: {}",
            r.text
        );
    }
    let view = cm.get(&m.path).await;
    assert_eq!(
        view.body["agenda"].as_array().unwrap().len(),
        2,
        "refused items were not written"
    );
    // Each participant sees their own times.
    let times = |name: &str| -> Vec<Value> {
        view.body["participants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["times"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(times("Gunnar Lege"), vec![json!(["09:00", "09:20"])]);
    assert_eq!(times("Nina Veileder"), vec![json!(["09:20", "09:40"])]);
    assert_eq!(
        times("Pia Pasient"),
        vec![json!(["09:00", "09:20"])],
        "present only for the first item"
    );
    // The patient sees which items she attends and can ask to change one.
    let pia = t.api(&t.token("pia").await);
    let pv = pia.get(&m.path).await;
    assert_eq!(pv.status, 200);
    let mine: Vec<bool> = pv.body["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["mine"].as_bool().unwrap())
        .collect();
    assert_eq!(mine, vec![true, false]);
    let second = pv.body["agenda"][1]["id"].as_str().unwrap().to_owned();
    let r = pia
        .post(
            &format!("{}/agenda/{second}/request", m.path),
            json!({"wish": "I would like to be there when we talk about work."}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = pia
        .post(
            &format!("{}/raise", m.path),
            json!({"raise": "I get tired after two hours."}),
        )
        .await;
    assert_eq!(r.status, 204);
    let after = cm.get(&m.path).await;
    assert_eq!(
        after.body["agenda"][1]["patient_request"],
        "I would like to be there when we talk about work."
    );
    let notes = cm.get("/api/v1/notifications").await;
    assert!(notes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "agenda_request"));
    // The GP replies.
    let gp_api = t.api(&t.token("gp").await);
    assert_eq!(
        gp_api
            .post(&format!("{}/reply", m.path), json!({"reply": "tentative"}))
            .await
            .status,
        204
    );
    assert_eq!(
        gp_api
            .post(&format!("{}/reply", m.path), json!({"reply": "maybe"}))
            .await
            .status,
        422
    );
    let v = cm.get(&m.path).await;
    let gp_reply = v.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Gunnar Lege")
        .unwrap()["reply"]
        .clone();
    assert_eq!(gp_reply, "tentative");
}

/// Parses an .ics text with Python's icalendar and returns what it found.
fn parse_ics(ics: &str) -> Value {
    let script = r#"
import sys, json
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.read())
events = [c for c in cal.walk() if c.name == "VEVENT"]
e = events[0]
att = e.get("attendee")
att = att if isinstance(att, list) else ([att] if att else [])
print(json.dumps({
  "events": len(events),
  "method": str(cal.get("method")),
  "uid": str(e.get("uid")),
  "sequence": int(e.get("sequence")),
  "start": e.decoded("dtstart").isoformat(),
  "end": e.decoded("dtend").isoformat(),
  "summary": str(e.get("summary")),
  "status": str(e.get("status")),
  "organizer": str(e.get("organizer")),
  "attendees": [str(a) for a in att],
}))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn calendar_files_parse_with_icalendar_through_change_and_cancellation(b: Backend) {
    let t = TestApp::start_with(b, mail_config()).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let r = cm.post(&format!("{}/participants", m.path), json!({"guest": {"name": "Ola Arbeidsgiver", "organisation": "Bakeriet AS", "email": "ola@bakeriet.example"}})).await;
    assert_eq!(r.status, 201);
    let gp = m.who("Gunnar Lege");
    let r = cm.post(&format!("{}/agenda", m.path), json!({"title": "Medication", "start": "09:30", "duration_minutes": 15, "responsible": gp, "participants": [m.who("Cecilie Koordinator")]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The GP's file covers the GP's own part: 09:30–09:45 Oslo (UTC+1).
    let token = t.token("gp").await;
    let res = reqwest::Client::new()
        .get(t.url(&format!("{}/calendar.ics", m.path)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let first = parse_ics(&res.text().await.unwrap());
    assert_eq!(first["events"], 1);
    assert_eq!(first["method"], "REQUEST");
    assert_eq!(first["sequence"], 0);
    assert_eq!(first["start"], "2026-12-01T08:30:00+00:00");
    assert_eq!(first["end"], "2026-12-01T08:45:00+00:00");
    assert_eq!(first["status"], "CONFIRMED");
    assert!(
        !first["summary"].as_str().unwrap().contains("Pia"),
        "no patient name in calendars"
    );
    // Moved by a day: same UID, higher SEQUENCE.
    let etag = cm.get(&m.path).await.etag().unwrap();
    let r = cm.put(&m.path, Some(&etag), json!({"kind": "collaboration_after_assessment", "mode": "digital", "title": "Collaboration meeting", "starts_at": "2026-12-02T09:00", "duration_minutes": 60, "video_link": "https://video.example/room/1", "pre_read_policy": "at_meeting", "follow_up_date": "2026-12-29"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let res = reqwest::Client::new()
        .get(t.url(&format!("{}/calendar.ics", m.path)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let moved = parse_ics(&res.text().await.unwrap());
    assert_eq!(moved["uid"], first["uid"]);
    assert_eq!(moved["sequence"], 1);
    assert_eq!(moved["start"], "2026-12-02T08:30:00+00:00");
    // Cancelled: the guest's e-mailed file says CANCEL, with the same UID as before.
    let etag = r.etag().unwrap();
    let r = cm
        .post_if_match(&format!("{}/cancel", m.path), &etag, json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut tx = t.app.store.begin().await.unwrap();
    let mails: Vec<Value> = tx
        .list_jobs(None, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| {
            j.kind == "email"
                && j.payload["to"] == "ola@bakeriet.example"
                && j.payload["calendar"].is_string()
        })
        .map(|j| j.payload)
        .collect();
    drop(tx);
    let parsed: Vec<Value> = mails
        .iter()
        .map(|p| parse_ics(p["calendar"].as_str().unwrap()))
        .collect();
    let cancel = parsed
        .iter()
        .find(|p| p["method"] == "CANCEL")
        .expect("a cancellation was sent");
    let invite = parsed
        .iter()
        .find(|p| p["method"] == "REQUEST" && p["sequence"] == 0)
        .expect("the invitation was sent");
    assert_eq!(cancel["uid"], invite["uid"]);
    assert_eq!(cancel["status"], "CANCELLED");
    assert_eq!(cancel["sequence"], 2);
    assert!(cancel["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "mailto:ola@bakeriet.example"));
    for p in &mails {
        assert!(!p["text"].as_str().unwrap().contains("Pia"));
    }
}

async fn pre_reads_follow_the_meeting_policy_and_consent(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "days_before").await;
    let r = cm.post(&format!("{}/pre-reads", m.path), json!({"kind": "assessment", "title": "Pain clinic assessment", "body": "Invented assessment text.", "category": "clinical_notes"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = cm.post(&format!("{}/pre-reads", m.path), json!({"kind": "suggested_actions", "title": "Suggested actions", "body": "Graded activity; work trial.", "category": "plan_and_actions"})).await;
    assert_eq!(r.status, 201);
    let gp = t.api(&t.token("gp").await);
    let nav = t.api(&t.token("nav").await);
    let pia = t.api(&t.token("pia").await);
    let count = |v: &Value| v["pre_reads"].as_array().unwrap().len();
    // Monday 23 November: not yet released (three days before is Saturday 28).
    let v = gp.get(&m.path).await;
    assert_eq!(
        (
            count(&v.body),
            v.body["pre_reads_held_back"].as_i64().unwrap()
        ),
        (0, 2)
    );
    t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-28T09:00:00+01:00")
            .unwrap()
            .into(),
    );
    assert_eq!(count(&gp.get(&m.path).await.body), 2);
    assert_eq!(count(&pia.get(&m.path).await.body), 2);
    // NAV is not a health service: the clinical assessment stays back.
    let v = nav.get(&m.path).await;
    assert_eq!(
        (
            count(&v.body),
            v.body["pre_reads_held_back"].as_i64().unwrap()
        ),
        (1, 1)
    );
    assert_eq!(v.body["pre_reads"][0]["title"], "Suggested actions");
    // The preparation overview shows who has read them.
    let v = cm.get(&m.path).await;
    let read: Vec<&str> = v.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["pre_reads_read_at"].is_string())
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        read.contains(&"Gunnar Lege")
            && read.contains(&"Pia Pasient")
            && read.contains(&"Nina Veileder"),
        "{read:?}"
    );

    // "Professionals only": the patient never gets them.
    let m2 = plan(&t, &cm, &w, "professionals_only").await;
    cm.post(
        &format!("{}/pre-reads", m2.path),
        json!({"kind": "notes", "title": "Notes", "body": "Invented."}),
    )
    .await;
    assert_eq!(count(&gp.get(&m2.path).await.body), 1);
    let v = pia.get(&m2.path).await;
    assert_eq!(
        (
            count(&v.body),
            v.body["pre_reads_held_back"].as_i64().unwrap()
        ),
        (0, 1)
    );
}

async fn minutes_are_versioned_and_decisions_become_plan_actions(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let r = cm.post(&format!("{}/agenda", m.path), json!({"title": "Plan", "start": "09:00", "duration_minutes": 30, "responsible": m.who("Cecilie Koordinator"), "participants": [m.who("Gunnar Lege")], "patient_present": true})).await;
    let item = r.body["id"].as_str().unwrap().to_owned();
    let minutes = format!("{}/agenda/{item}/minutes", m.path);
    let r = cm
        .put(
            &minutes,
            Some("\"1\""),
            json!({"minutes": "Pia describes her week."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let gp = t.api(&t.token("gp").await);
    // The GP typed from version 1 too: refused, with the current minutes.
    let r = gp
        .put(&minutes, Some("\"1\""), json!({"minutes": "GP's version"}))
        .await;
    assert_eq!(r.status, 412);
    assert_eq!(r.body["current"]["minutes"], "Pia describes her week.");
    let r = gp
        .put(
            &minutes,
            Some("\"2\""),
            json!({"minutes": "Pia describes her week. GP adds sleep."}),
        )
        .await;
    assert_eq!(r.status, 200);

    let decisions = format!("{}/agenda/{item}/decisions", m.path);
    for (body, field) in [
        (
            json!({"text": "Graded activity", "owner_member_id": w.m_gp, "due_date": "2026-11-25"}),
            "due_date",
        ),
        (
            json!({"text": "Graded activity", "owner_member_id": uuid::Uuid::now_v7(), "due_date": "2026-12-15"}),
            "owner_member_id",
        ),
        (
            json!({"text": " ", "owner_member_id": w.m_gp, "due_date": "2026-12-15"}),
            "text",
        ),
    ] {
        let r = cm.post(&decisions, body).await;
        assert_eq!((r.status, r.error_fields()), (422, vec![field.to_owned()]));
    }
    for (text, owner, due) in [
        ("Adjust sleep medication", w.m_gp, "2026-12-15"),
        ("Work trial 2 × 3 hours a week", w.m_nav, "2026-12-22"),
    ] {
        let r = cm
            .post(
                &decisions,
                json!({"text": text, "owner_member_id": owner, "due_date": due}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    let actions = ov.body["actions"].as_array().unwrap();
    let find = |title: &str| {
        actions
            .iter()
            .find(|a| a["title"] == title)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        find("Adjust sleep medication")["owner_member_id"],
        json!(w.m_gp)
    );
    assert_eq!(
        find("Work trial 2 × 3 hours a week")["due_date"],
        "2026-12-22"
    );
    let h = cm
        .get(&format!(
            "/api/v1/patients/{}/history?object_id={}",
            w.p,
            find("Adjust sleep medication")["id"].as_str().unwrap()
        ))
        .await;
    assert!(
        h.text.contains("decided at the meeting"),
        "linked back to the meeting"
    );
    // The meeting's record shows what happened since.
    let aid = find("Adjust sleep medication")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = cm.put(&format!("/api/v1/patients/{}/actions/{aid}", w.p), Some("\"1\""), json!({"title": "Adjust sleep medication", "owner_member_id": w.m_gp, "due_date": "2026-12-15", "status": "done"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = cm.get(&m.path).await;
    let ds = v.body["agenda"][0]["decisions"].as_array().unwrap();
    assert_eq!(ds.len(), 2);
    assert!(ds.iter().any(|d| d["action_status"] == "done"));
    t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-23T09:00:00+01:00")
            .unwrap()
            .into(),
    );
    let v = cm.get(&m.path).await;
    assert!(v.body["agenda"][0]["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["overdue"] == true));
}

async fn summary_follow_up_reminder_and_the_next_meeting(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let etag = cm.get(&m.path).await.etag().unwrap();
    let r = cm.put(&format!("{}/summary", m.path), Some(&etag), json!({"summary": "We agreed that you start a work trial and that the GP adjusts your sleep medicine.", "plan_next": true})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["meeting"]["status"], "held");
    let next = r.body["next_meeting"].as_str().unwrap().to_owned();
    let nv = cm.get(&format!("/api/v1/meetings/{next}")).await;
    assert_eq!(nv.body["local_date"], "2026-12-29");
    assert_eq!(
        nv.body["participants"].as_array().unwrap().len(),
        4,
        "the same people are invited"
    );
    let pia = t.api(&t.token("pia").await);
    let v = pia.get(&m.path).await;
    assert!(v.body["meeting"]["summary"]
        .as_str()
        .unwrap()
        .starts_with("We agreed"));
    // The follow-up date reminds the organiser.
    t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-29T08:30:00+01:00")
            .unwrap()
            .into(),
    );
    t.app.run_due_jobs(None, 100).await.unwrap();
    // A month later: a fresh token.
    let cm = t.api(&t.token("cm").await);
    let notes = cm.get("/api/v1/notifications").await;
    assert!(
        notes.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "follow_up_due"),
        "{}",
        notes.text
    );
    // A summary without text is refused.
    let etag = cm.get(&m.path).await.etag().unwrap();
    let r = cm
        .put(
            &format!("{}/summary", m.path),
            Some(&etag),
            json!({"summary": ""}),
        )
        .await;
    assert_eq!(r.status, 422);
}

async fn guests_see_only_their_items(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let r = cm.post(&format!("{}/participants", m.path), json!({"guest": {"name": "Ola Arbeidsgiver", "organisation": "Bakeriet AS", "email": "ola@bakeriet.example"}})).await;
    let link = r.body["guest_link"].as_str().unwrap().to_owned();
    let guest = r.body["participant"]["id"].as_str().unwrap().to_owned();
    cm.post(&format!("{}/agenda", m.path), json!({"title": "Health update", "start": "09:00", "duration_minutes": 20, "responsible": m.who("Gunnar Lege"), "patient_present": true})).await;
    let r = cm.post(&format!("{}/agenda", m.path), json!({"title": "Adapted work at the bakery", "start": "09:20", "duration_minutes": 20, "responsible": m.who("Nina Veileder"), "participants": [guest], "patient_present": true})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let page = t.browser().get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Adapted work at the bakery"));
    assert!(page.text.contains("09:20"));
    assert!(
        !page.text.contains("Health update"),
        "not the items they are not invited to"
    );
    assert!(!page.text.contains("Pia"), "nothing of the record");
    let r = t
        .browser()
        .post_form(&format!("{link}/reply"), &[("reply", "accepted")])
        .await;
    assert!(r.status == 303 || r.status == 200);
    let v = cm.get(&m.path).await;
    let g = v.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == guest.as_str())
        .unwrap()
        .clone();
    assert_eq!(g["reply"], "accepted");
    assert_eq!(
        t.browser()
            .get("/guest/not-a-real-token-at-all-0000000")
            .await
            .status,
        404
    );
    let mut tx = t.app.store.begin().await.unwrap();
    let audit = tx.list_audit(Some(w.p), 1000).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.purpose == "guest" && a.action == "read"));
}

async fn meetings_are_part_of_the_record_for_access(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    assert_eq!(t.api(&t.token("er").await).get(&m.path).await.status, 404);
    assert_eq!(
        t.api(&t.token("quentin").await).get(&m.path).await.status,
        404
    );
    // The patient may not plan, only take part.
    let pia = t.api(&t.token("pia").await);
    let r = pia.post(&format!("{}/agenda", m.path), json!({"title": "x", "start": "09:00", "duration_minutes": 10, "responsible": m.who("Pia Pasient")})).await;
    assert_eq!(r.status, 403);
    // The patient withdraws NAV's access to plans: NAV no longer sees the meeting.
    let nav = t.api(&t.token("nav").await);
    assert_eq!(nav.get(&m.path).await.status, 200);
    let r = pia.put(&format!("/api/v1/patients/{}/consent", w.p), Some("\"0\""), json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "plan_and_actions", "permit": false}]})).await;
    assert_eq!(r.status, 200);
    assert_eq!(nav.get(&m.path).await.status, 404);
}

/// Minutes (and the item's decisions) carry a category and are read under consent on
/// every path: the API's meeting, the meeting page, the chair view; a reader who may not
/// read them can neither overwrite them nor learn them from a conflict.
async fn minutes_are_read_by_their_category_under_consent(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let r = cm.post(&format!("{}/agenda", m.path), json!({"title": "Mood", "start": "09:00", "duration_minutes": 30, "responsible": m.who("Cecilie Koordinator"), "participants": [m.who("Gunnar Lege"), m.who("Nina Veileder")], "patient_present": true})).await;
    let item = r.body["id"].as_str().unwrap().to_owned();
    let minutes = format!("{}/agenda/{item}/minutes", m.path);
    const SECRET: &str = "Low mood since October; sertraline started.";
    let r = cm
        .put(
            &minutes,
            Some("\"1\""),
            json!({"minutes": SECRET, "minutes_category": "mental_health"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["minutes_category"], "mental_health");
    let r = cm
        .post(&format!("{}/agenda/{item}/decisions", m.path), json!({"text": "Review the dose in two weeks", "owner_member_id": w.m_gp, "due_date": "2026-12-15"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = cm
        .put(
            &minutes,
            Some("\"1\""),
            json!({"minutes": "x", "minutes_category": "nonsense"}),
        )
        .await;
    assert_eq!(r.error_fields(), vec!["minutes_category"], "{}", r.text);

    let nav = t.api(&t.token("nav").await);
    let gp = t.api(&t.token("gp").await);
    let item_of = |v: &Value| v["agenda"][0].clone();
    // The GP (health service) reads them; NAV (social security) does not by default.
    let g = item_of(&gp.get(&m.path).await.body);
    assert_eq!(
        (g["minutes"].as_str(), g["minutes_withheld"].as_bool()),
        (Some(SECRET), Some(false))
    );
    assert_eq!(g["decisions"].as_array().unwrap().len(), 1);
    let n = nav.get(&m.path).await;
    assert!(
        !n.text.contains(SECRET) && !n.text.contains("Review the dose"),
        "{}",
        n.text
    );
    let ni = item_of(&n.body);
    assert_eq!(
        (
            ni["minutes_withheld"].as_bool(),
            ni["decisions"].as_array().unwrap().len()
        ),
        (Some(true), 0)
    );
    // NAV may neither overwrite them nor learn them from a stale save.
    for v in ["\"1\"", "\"2\""] {
        let r = nav
            .put(&minutes, Some(v), json!({"minutes": "NAV's version"}))
            .await;
        assert!(matches!(r.status, 403 | 404), "{}", r.text);
        assert!(!r.text.contains(SECRET));
        let r = nav
            .put(
                &minutes,
                Some(v),
                json!({"minutes": "NAV's version", "minutes_category": "plan_and_actions"}),
            )
            .await;
        assert!(matches!(r.status, 403 | 404), "{}", r.text);
    }
    assert_eq!(item_of(&gp.get(&m.path).await.body)["minutes"], SECRET);
    // The pages: the meeting and the chair view show NAV neither the text nor a form for it.
    let browser = t.browser();
    browser
        .login("nav", samband_testkit::fixture::PASSWORD)
        .await;
    let page_path = m.path.replace("/api/v1", "");
    for path in [page_path.clone(), format!("{page_path}/chair")] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            !page.text.contains(SECRET) && !page.text.contains("Review the dose"),
            "{path}"
        );
        assert!(
            page.text.contains("has not shared with your service"),
            "{path}: says why"
        );
    }
    // The patient lets NAV see mental-health information: now NAV reads them; withdrawn: not.
    let pia = t.api(&t.token("pia").await);
    let consent = format!("/api/v1/patients/{}/consent", w.p);
    let v = pia.get(&consent).await.etag().unwrap();
    let r = pia.put(&consent, Some(&v), json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "mental_health", "permit": true}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(item_of(&nav.get(&m.path).await.body)["minutes"], SECRET);
    let v = r.etag().unwrap();
    let r = pia.put(&consent, Some(&v), json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "mental_health", "permit": false}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!nav.get(&m.path).await.text.contains(SECRET));
    assert!(!browser.get(&page_path).await.text.contains(SECRET));
}

/// Undoes the HTML escaping askama applies.
fn unescape(s: &str) -> String {
    s.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The field value a page renders for `name` (input `value` or textarea text).
fn field_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind('<')?;
    if html[tag_start..].starts_with("<textarea") {
        let open_end = at + html[at..].find('>')? + 1;
        let close = open_end + html[open_end..].find("</textarea>")?;
        return Some(unescape(&html[open_end..close]));
    }
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    Some(unescape(&tag[v..v + tag[v..].find('"')?]))
}

async fn cancelling_asks_for_confirmation_and_keeps_what_was_typed(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let before = cm.get(&m.path).await;
    let jobs_before = jobs(&t).await;
    let page_path = m.path.replace("/api/v1", "");
    let browser = t.browser();
    browser
        .login("cm", samband_testkit::fixture::PASSWORD)
        .await;
    let page = browser.get(&page_path).await;
    assert_eq!(page.status, 200);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let version = hidden_value(&page.text, "cancel.version").unwrap();
    assert!(
        page.text.contains(r#"class="danger" formaction=""#),
        "cancelling is styled apart"
    );
    // Without the box ticked: refused at the box, nothing changed, the summary typed
    // elsewhere on the page still in its field.
    for confirm in [None, Some("off"), Some("")] {
        let mut form = vec![
            ("_csrf", csrf.as_str()),
            ("cancel.version", version.as_str()),
            ("after.version", version.as_str()),
            ("after.summary", "A summary I was writing"),
        ];
        if let Some(c) = confirm {
            form.push(("cancel.confirm", c));
        }
        let r = browser
            .post_form(&format!("{page_path}/do/cancel"), &form)
            .await;
        assert_eq!(r.status, 422, "{confirm:?}");
        assert!(
            r.text.contains(r#"id="cancel-confirm-error""#),
            "the error is at the box"
        );
        assert!(r.text.contains(r#"aria-invalid="true""#));
        assert_eq!(
            field_value(&r.text, "after.summary").as_deref(),
            Some("A summary I was writing")
        );
        assert!(
            !r.text.contains(r#"name="cancel.confirm" checked"#),
            "never ticked for you"
        );
        let now = cm.get(&m.path).await;
        assert_eq!(now.body["meeting"]["status"], "planned");
        assert_eq!(now.etag(), before.etag(), "nothing changed");
    }
    assert_eq!(jobs(&t).await, jobs_before, "nobody was told");
    // Ticked: cancelled.
    let r = browser
        .post_form(
            &format!("{page_path}/do/cancel"),
            &[
                ("_csrf", &csrf),
                ("cancel.version", &version),
                ("cancel.confirm", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(cm.get(&m.path).await.body["meeting"]["status"], "cancelled");
}

async fn the_chair_view_saves_minutes_with_a_decision_and_loses_nothing_typed(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let m = plan(&t, &cm, &w, "at_meeting").await;
    let cmp = m.who("Cecilie Koordinator");
    let mut items = Vec::new();
    for (title, start) in [("One", "09:00"), ("Two", "09:20")] {
        let r = cm.post(&format!("{}/agenda", m.path), json!({"title": title, "start": start, "duration_minutes": 20, "responsible": cmp, "patient_present": true})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        items.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let (one, two) = (items[0].clone(), items[1].clone());
    let page_path = m.path.replace("/api/v1", "");
    let chair = format!("{page_path}/chair");
    let browser = t.browser();
    browser
        .login("cm", samband_testkit::fixture::PASSWORD)
        .await;
    let page = browser.get(&chair).await;
    assert_eq!(page.status, 200);
    let main = &page.text[page.text.find("<main").unwrap()..];
    assert_eq!(
        main.matches("<form").count(),
        1,
        "one form: every button posts everything typed"
    );
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let gp = w.m_gp.to_string();
    let k = |part: &str, item: &str, field: &str| format!("{part}-{item}.{field}");
    // Minutes typed at item one, a decision added at item one, a decision typed (not
    // added) at item two.
    let r = browser
        .post_form(
            &format!("{page_path}/do/decision"),
            &[
                ("_csrf", &csrf),
                ("item", &one),
                (&k("min", &one, "version"), "1"),
                (&k("min", &one, "minutes"), "Pia describes her week."),
                (&k("min", &one, "minutes_category"), "plan_and_actions"),
                (&k("min", &two, "version"), "1"),
                (&k("min", &two, "minutes"), ""),
                (&k("min", &two, "minutes_category"), "plan_and_actions"),
                (&k("dec", &one, "text"), "Adjust sleep medication"),
                (&k("dec", &one, "owner_member_id"), &gp),
                (&k("dec", &one, "due_date"), "2026-12-15"),
                (&k("dec", &two, "text"), "A decision still being typed"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "shown again: something typed is not saved");
    assert!(r.text.contains(r#"id="kept-notice""#));
    assert_eq!(
        field_value(&r.text, &k("dec", &two, "text")).as_deref(),
        Some("A decision still being typed")
    );
    assert_eq!(
        field_value(&r.text, &k("dec", &one, "text")).as_deref(),
        Some(""),
        "the added decision's fields are emptied"
    );
    let v = cm.get(&m.path).await;
    assert_eq!(v.body["agenda"][0]["minutes"], "Pia describes her week.");
    assert_eq!(v.body["agenda"][0]["version"], 2);
    assert_eq!(
        v.body["agenda"][0]["decisions"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        v.body["agenda"][1]["version"], 1,
        "untouched minutes not saved"
    );
    // Nothing else typed: back to the chair view.
    let r = browser
        .post_form(
            &format!("{page_path}/do/minutes"),
            &[
                ("_csrf", &csrf),
                ("item", &two),
                (&k("min", &one, "version"), "2"),
                (&k("min", &one, "minutes"), "Pia describes her week.\r\n"),
                (&k("min", &one, "minutes_category"), "plan_and_actions"),
                (&k("min", &two, "version"), "1"),
                (&k("min", &two, "minutes"), "Item two's minutes."),
                (&k("min", &two, "minutes_category"), "plan_and_actions"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let v = cm.get(&m.path).await;
    assert_eq!(
        v.body["agenda"][0]["version"], 2,
        "same text: not saved again"
    );
    assert_eq!(v.body["agenda"][1]["minutes"], "Item two's minutes.");
    // The GP saves item one's minutes meanwhile; the chair's stale save is refused
    // with the chair's text still in the field and the GP's shown, even when the
    // button pressed was another item's "Add decision".
    let r = t
        .api(&t.token("gp").await)
        .put(
            &format!("{}/agenda/{one}/minutes", m.path),
            Some("\"2\""),
            json!({"minutes": "The GP's minutes."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = browser
        .post_form(
            &format!("{page_path}/do/decision"),
            &[
                ("_csrf", &csrf),
                ("item", &two),
                (&k("min", &one, "version"), "2"),
                (&k("min", &one, "minutes"), "The chair's minutes."),
                (&k("min", &one, "minutes_category"), "plan_and_actions"),
                (&k("dec", &two, "text"), "Work trial"),
                (&k("dec", &two, "owner_member_id"), &w.m_nav.to_string()),
                (&k("dec", &two, "due_date"), "2026-12-22"),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(
        field_value(&r.text, &k("min", &one, "minutes")).as_deref(),
        Some("The chair's minutes.")
    );
    assert!(
        unescape(&r.text).contains("<div class=\"body\">The GP's minutes.</div>"),
        "the GP's minutes are shown beside"
    );
    assert_eq!(
        field_value(&r.text, &k("dec", &two, "text")).as_deref(),
        Some("Work trial"),
        "the decision was not added and is still typed"
    );
    let v = cm.get(&m.path).await;
    assert_eq!(v.body["agenda"][0]["minutes"], "The GP's minutes.");
    assert_eq!(
        v.body["agenda"][1]["decisions"].as_array().unwrap().len(),
        0
    );
    // Saving again from the page as shown (its version is the current one) is a
    // decision taken with the GP's text in view.
    let current = hidden_value(&r.text, &k("min", &one, "version")).unwrap();
    assert_eq!(current, "3");
    // A decision with no text: refused at its field; the minutes typed are saved.
    let r = browser
        .post_form(
            &format!("{page_path}/do/decision"),
            &[
                ("_csrf", &csrf),
                ("item", &two),
                (&k("min", &one, "version"), &current),
                (&k("min", &one, "minutes"), "The chair's minutes."),
                (&k("min", &one, "minutes_category"), "plan_and_actions"),
                (&k("dec", &two, "text"), " "),
                (&k("dec", &two, "owner_member_id"), &w.m_nav.to_string()),
                (&k("dec", &two, "due_date"), "2026-12-22"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains(&format!(r#"id="dec-{two}-text-error""#)));
    let v = cm.get(&m.path).await;
    assert_eq!(v.body["agenda"][0]["minutes"], "The chair's minutes.");
}

/// How many background jobs (e-mail, reminders) exist.
async fn jobs(t: &TestApp) -> usize {
    let mut tx = t.app.store.begin().await.unwrap();
    let n = tx.list_jobs(None, 100_000).await.unwrap().len();
    tx.commit().await.unwrap();
    n
}
