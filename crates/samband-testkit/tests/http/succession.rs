//! Successors (issue 11, part A): ending a membership hands every open item to the
//! successor in one change, or to the coordinator flagged "needs a new owner"; the
//! successor reads what consent allows their organisation, earlier minutes included;
//! messages to someone who left are refused naming who took over, and replies skip
//! them; requests can be re-addressed; no open item is ever left with someone gone.

use samband_testkit::fixture::World;
use samband_testkit::{Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    ending_a_membership_hands_every_kind_of_open_item_to_a_new_successor,
    the_successor_reads_earlier_minutes_as_consent_allows_and_nothing_more,
    without_a_successor_the_coordinator_holds_the_items_flagged_until_reassigned,
    bad_endings_are_field_errors_that_write_nothing,
    messages_to_someone_who_left_are_refused_and_replies_skip_them,
    a_request_is_re_addressed_under_its_version,
    ending_every_member_one_by_one_leaves_nothing_orphaned,
    the_end_form_names_a_successor_and_the_patient_sees_who_took_over,
);

fn today(t: &TestApp) -> String {
    t.app.today().to_string()
}

async fn team_version(api: &Api, w: &World) -> String {
    let r = api.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    format!("\"{}\"", r.body["team"]["version"])
}

fn end_path(w: &World, member: impl std::fmt::Display) -> String {
    format!("/api/v1/patients/{}/team/members/{member}/end", w.p)
}

/// A new professional (with an account) in the organisation named `org`.
async fn new_professional(t: &TestApp, org: &str, name: &str, title: &str, user: &str) -> String {
    let admin = t.api(&t.token("admin").await);
    let orgs = admin.get("/api/v1/organisations?limit=200").await;
    let org_id = orgs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == org)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = admin
        .post(
            "/api/v1/professionals",
            json!({"name": name, "title": title, "organisation_ids": [org_id]}),
        )
        .await;
    assert_eq!(p.status, 201, "{}", p.text);
    let pid = p.body["id"].as_str().unwrap().to_owned();
    let a = admin
        .post(
            "/api/v1/accounts",
            json!({"username": user, "password": samband_testkit::fixture::PASSWORD, "role": "professional", "display_name": name, "professional_id": pid}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    pid
}

/// Everything a member can hold, owned by `member` (whose account is `who`): an
/// action, a professional goal, a request from the care manager, a message asking
/// for a receipt, and an agenda item in an upcoming meeting.
struct Held {
    action: String,
    goal: String,
    request: String,
    request_thread: String,
    receipt_thread: String,
    meeting: String,
}

async fn give_everything(cm: &Api, w: &World, member: &str, title: &str) -> Held {
    let p = w.p;
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/actions"),
            json!({"title": format!("{title}: assessment"), "owner_member_id": member, "due_date": "2026-12-10"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let action = r.body["id"].as_str().unwrap().to_owned();
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/goals"),
            json!({"text": format!("{title}: back to work 50 %"), "author": "professional", "owner_member_id": member}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let goal = r.body["id"].as_str().unwrap().to_owned();
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/requests"),
            json!({"kind": "general_task", "addressee_member_id": member, "subject": format!("{title}: a task"), "due_date": "2026-12-04"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let request = r.body["request_id"].as_str().unwrap().to_owned();
    let request_thread = r.body["thread_id"].as_str().unwrap().to_owned();
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/threads"),
            json!({"subject": format!("{title}: please confirm"), "body": "Please confirm you have read the plan.", "to": [format!("member:{member}")], "needs_ack": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let receipt_thread = r.body["thread_id"].as_str().unwrap().to_owned();
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/meetings"),
            json!({"kind": "review", "mode": "in_person", "place": "Room 2", "title": format!("{title}: review"), "starts_at": "2026-12-02T09:00", "duration_minutes": 60, "pre_read_policy": "at_meeting"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let meeting = format!("/api/v1/meetings/{}", r.body["id"].as_str().unwrap());
    let r = cm
        .post(
            &format!("{meeting}/participants"),
            json!({"member_id": member}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let view = cm.get(&meeting).await;
    let who = view.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["member_id"] == member)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = cm
        .post(
            &format!("{meeting}/agenda"),
            json!({"title": format!("{title}: work"), "start": "09:00", "duration_minutes": 20, "responsible": who, "participants": [], "patient_present": false}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    Held {
        action,
        goal,
        request,
        request_thread,
        receipt_thread,
        meeting,
    }
}

fn find<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
}

async fn ending_a_membership_hands_every_kind_of_open_item_to_a_new_successor(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let nav_m = w.m_nav.to_string();
    let held = give_everything(&cm, &w, &nav_m, "NAV").await;
    let nils = new_professional(
        &t,
        "NAV Testby",
        "Nils Nyveileder",
        "NAV supervisor",
        "nils",
    )
    .await;
    let v = team_version(&cm, &w).await;
    let r = cm
        .post_if_match(
            &end_path(&w, w.m_nav),
            &v,
            json!({"last_day": today(&t), "reason": "Moved to another office", "new_successor": {"kind": "professional", "professional_id": nils, "role": "NAV supervisor", "responsibility": "Work-capacity follow-up", "active_from": today(&t)}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let successor = r.body["successor"].as_str().unwrap().to_owned();
    assert_ne!(successor, nav_m);
    assert_eq!(r.body["needs_new_owner"], false);
    assert_eq!(r.body["hands_over_coordination"], false);
    // The request's action and the action itself; the goal; the request; the receipt;
    // the agenda item.
    assert_eq!(r.body["actions"].as_array().unwrap().len(), 2, "{}", r.body);
    assert!(r.body["actions"]
        .as_array()
        .unwrap()
        .contains(&json!(held.action)));
    assert_eq!(r.body["goals"], json!([held.goal]));
    assert_eq!(r.body["requests"], json!([held.request]));
    assert_eq!(r.body["receipts"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["agenda_items"].as_array().unwrap().len(), 1);
    // The successor is told, with how many items are now theirs.
    let told = t
        .api(&t.token("nils").await)
        .get("/api/v1/notifications")
        .await;
    let texts: Vec<&str> = told.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "succession")
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec!["You took over from Nina Veileder on Pia Pasient's team: 6 open items moved to you"],
        "{}",
        told.text
    );
    let team = &r.body["team"]["members"];
    let leaver = team
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == nav_m)
        .unwrap();
    assert_eq!(leaver["active_to"], today(&t));

    // Each item is the successor's now, its version moved on.
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    let a = find(&ov.body["actions"], &held.action);
    assert_eq!(
        (a["owner_member_id"].as_str(), &a["version"]),
        (Some(successor.as_str()), &json!(2))
    );
    let g = find(&ov.body["goals"], &held.goal);
    assert_eq!(g["owner_member_id"], successor);
    let reqs = cm.get(&format!("/api/v1/patients/{}/requests", w.p)).await;
    let q = find(&reqs.body["items"], &held.request);
    assert_eq!(
        (
            q["addressee_member_id"].as_str(),
            q["addressee_name"].as_str(),
            &q["version"]
        ),
        (Some(successor.as_str()), Some("Nils Nyveileder"), &json!(2))
    );
    // The receipt is owed by the successor, and the leaver is no longer asked.
    let th = cm
        .get(&format!("/api/v1/threads/{}", held.receipt_thread))
        .await;
    let names: Vec<&str> = th.body["messages"][0]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Nils Nyveileder"]);
    // The agenda item: the successor is invited and responsible.
    let m = cm.get(&held.meeting).await;
    let nils_p = m.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["member_id"] == successor)
        .expect("the successor is invited")["id"]
        .clone();
    assert_eq!(m.body["agenda"][0]["responsible"], nils_p, "{}", m.body);
    // The successor reads the threads they took over.
    let nils_api = t.api(&t.token("nils").await);
    for thread in [&held.request_thread, &held.receipt_thread] {
        let r = nils_api.get(&format!("/api/v1/threads/{thread}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // History names the hand-over, item by item.
    let h = cm
        .get(&format!("/api/v1/patients/{}/history?limit=100", w.p))
        .await;
    let reasons: Vec<String> = h.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["reason"].as_str().map(str::to_owned))
        .filter(|r| r.starts_with("Hand-over: Nina Veileder → Nils Nyveileder"))
        .collect();
    // Team, two actions, goal, request, agenda item.
    assert_eq!(reasons.len(), 6, "{reasons:?}");
    assert!(reasons[0].ends_with("Moved to another office"));
    // The patient's "who helps you" sees who took over from whom.
    let pia = t.api(&t.token("pia").await);
    let s = pia
        .get(&format!("/api/v1/patients/{}/team/successions", w.p))
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(
        (
            s.body[0]["leaver_name"].as_str(),
            s.body[0]["successor_name"].as_str()
        ),
        (Some("Nina Veileder"), Some("Nils Nyveileder"))
    );
    // The audit trail records the team change.
    let audit = t
        .app
        .store
        .begin()
        .await
        .unwrap()
        .list_audit(Some(w.p), 10_000)
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|e| e.object_type == "team" && e.object_id.as_deref() == Some(nav_m.as_str())));
}

/// A meeting held before the NAV supervisor left: its minutes on plan and actions are
/// the successor's to read; its mental-health minutes are not, as they were not the
/// leaver's.
async fn the_successor_reads_earlier_minutes_as_consent_allows_and_nothing_more(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let r = cm
        .post(
            &format!("/api/v1/patients/{}/meetings", w.p),
            json!({"kind": "collaboration_after_assessment", "mode": "in_person", "place": "Room 1", "title": "Collaboration meeting", "starts_at": "2026-11-24T09:00", "duration_minutes": 60, "pre_read_policy": "at_meeting"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let meeting = format!("/api/v1/meetings/{}", r.body["id"].as_str().unwrap());
    for body in [json!({"member_id": w.m_gp}), json!({"member_id": w.m_nav})] {
        assert_eq!(
            cm.post(&format!("{meeting}/participants"), body)
                .await
                .status,
            201
        );
    }
    let view = cm.get(&meeting).await;
    let cmp = view.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Cecilie Koordinator")
        .unwrap()["id"]
        .clone();
    let mut items = Vec::new();
    for (title, start) in [("Work", "09:00"), ("Mood", "09:30")] {
        let r = cm
            .post(
                &format!("{meeting}/agenda"),
                json!({"title": title, "start": start, "duration_minutes": 20, "responsible": cmp, "participants": [], "patient_present": true}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        items.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let r = cm
        .put(
            &format!("{meeting}/agenda/{}/minutes", items[0]),
            Some("\"1\""),
            json!({"minutes": "Work trial at the bakery from January."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = cm
        .put(
            &format!("{meeting}/agenda/{}/minutes", items[1]),
            Some("\"2\""),
            json!({"minutes": "Low mood in the evenings.", "minutes_category": "mental_health"}),
        )
        .await;
    assert!(r.status == 200 || r.status == 412, "{}", r.text);
    if r.status == 412 {
        let v = r.body["current_version"].to_string();
        let r = cm
            .put(
                &format!("{meeting}/agenda/{}/minutes", items[1]),
                Some(&format!("\"{v}\"")),
                json!({"minutes": "Low mood in the evenings.", "minutes_category": "mental_health"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // The day after the meeting the NAV supervisor leaves; a new one takes over.
    t.clock.advance(chrono::Duration::days(2));
    let nils = new_professional(
        &t,
        "NAV Testby",
        "Nils Nyveileder",
        "NAV supervisor",
        "nils",
    )
    .await;
    let nils_api = t.api(&t.token("nils").await);
    assert_eq!(
        nils_api.get(&meeting).await.status,
        404,
        "not on the team yet"
    );
    let v = team_version(&cm, &w).await;
    let r = cm
        .post_if_match(
            &end_path(&w, w.m_nav),
            &v,
            json!({"last_day": today(&t), "new_successor": {"kind": "professional", "professional_id": nils, "role": "NAV supervisor", "responsibility": "Work-capacity follow-up", "active_from": today(&t)}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = nils_api.get(&meeting).await;
    assert_eq!(m.status, 200, "{}", m.text);
    let text = m.text.clone();
    assert!(text.contains("Work trial at the bakery"), "{text}");
    assert!(
        !text.contains("Low mood"),
        "mental-health minutes are not NAV's: {text}"
    );
    // The GP (health) reads both, as before.
    let gp = t.api(&t.token("gp").await);
    assert!(gp.get(&meeting).await.text.contains("Low mood"));
    // Another patient's record stays closed to the successor.
    assert_eq!(
        nils_api
            .get(&format!("/api/v1/patients/{}", w.q))
            .await
            .status,
        404
    );
}

async fn without_a_successor_the_coordinator_holds_the_items_flagged_until_reassigned(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp_m = w.m_gp.to_string();
    let held = give_everything(&cm, &w, &gp_m, "GP").await;
    let v = team_version(&cm, &w).await;
    let r = cm
        .post_if_match(&end_path(&w, w.m_gp), &v, json!({"last_day": today(&t)}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["successor"], w.m_care_manager.to_string());
    assert_eq!(r.body["needs_new_owner"], true);
    let flagged = cm
        .get(&format!("/api/v1/patients/{}/needs-new-owner", w.p))
        .await;
    assert_eq!(flagged.status, 200, "{}", flagged.text);
    // The overview shows the badges, and so does the same page shown again after a
    // refused plan form (a revision date in the past), with its pathways and
    // hand-overs sections: it is the same page.
    let page_user = t.browser();
    page_user
        .login("cm", samband_testkit::fixture::PASSWORD)
        .await;
    let fresh = page_user.get(&format!("/patients/{}", w.p)).await;
    let csrf = samband_testkit::hidden_value(&fresh.text, "_csrf").unwrap();
    let version = samband_testkit::hidden_value(&fresh.text, "revision.version").unwrap();
    let again = page_user
        .post_form(
            &format!("/patients/{}/revision", w.p),
            &[
                ("_csrf", &csrf),
                ("revision.version", &version),
                ("revision.revision_date", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.text);
    for page in [&fresh, &again] {
        assert!(page.text.contains("needs-new-owner"), "{}", page.text);
        assert!(page.text.contains(r#"id="pathways""#), "{}", page.text);
        assert!(page.text.contains(r#"id="handovers""#), "{}", page.text);
    }
    let kinds: Vec<&str> = flagged
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["action", "action", "goal", "request"]);
    // The caseload says so too.
    let mine = cm.get("/api/v1/patients").await;
    let row = find(&mine.body["items"], &w.p.to_string());
    assert_eq!(row["needs_new_owner"], 4);
    // The flags are plan information: someone outside the team gets nothing.
    let er = t.api(&t.token("er").await);
    assert_eq!(
        er.get(&format!("/api/v1/patients/{}/needs-new-owner", w.p))
            .await
            .status,
        404
    );
    // Reassigning the action to the NAV supervisor clears its flag.
    let path = format!("/api/v1/patients/{}/actions/{}", w.p, held.action);
    let a = cm.get(&path).await;
    let r = cm
        .put(
            &path,
            a.etag().as_deref(),
            json!({"title": a.body["title"], "owner_member_id": w.m_nav, "due_date": a.body["due_date"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let flagged = cm
        .get(&format!("/api/v1/patients/{}/needs-new-owner", w.p))
        .await;
    assert_eq!(flagged.body.as_array().unwrap().len(), 3);
    assert!(!flagged.text.contains(&held.action));
    let mine = cm.get("/api/v1/patients").await;
    assert_eq!(
        find(&mine.body["items"], &w.p.to_string())["needs_new_owner"],
        3
    );
    // The coordinator cannot leave without naming the next; naming one hands it on.
    let v = team_version(&cm, &w).await;
    let r = cm
        .post_if_match(
            &end_path(&w, w.m_care_manager),
            &v,
            json!({"last_day": today(&t)}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_fields(), r.error_codes()),
        (
            422,
            vec!["successor_id".to_owned()],
            vec!["coordinator_needs_successor".to_owned()]
        )
    );
    assert_eq!(team_version(&cm, &w).await, v, "nothing written");
    let r = cm
        .post_if_match(
            &end_path(&w, w.m_care_manager),
            &v,
            json!({"last_day": today(&t), "successor_id": w.m_nav}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["hands_over_coordination"], true);
    let nav_member = r.body["team"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == w.m_nav.to_string())
        .unwrap()
        .clone();
    assert_eq!(nav_member["is_coordinator"], true);
    // What the coordinator held for the GP went on to the new coordinator, who was
    // named: the goal is theirs.
    let ov = t
        .api(&t.token("nav").await)
        .get(&format!("/api/v1/patients/{}", w.p))
        .await;
    let g = find(&ov.body["goals"], &held.goal);
    assert_eq!(g["owner_member_id"], w.m_nav.to_string());
}

async fn bad_endings_are_field_errors_that_write_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let nav_m = w.m_nav.to_string();
    let held = give_everything(&cm, &w, &nav_m, "NAV").await;
    let v = team_version(&cm, &w).await;
    let path = end_path(&w, w.m_nav);
    for (body, field, code) in [
        (
            json!({"last_day": today(&t), "successor_id": w.m_patient}),
            "successor_id",
            "not_a_professional_member",
        ),
        (
            json!({"last_day": today(&t), "successor_id": w.m_nav}),
            "successor_id",
            "not_a_professional_member",
        ),
        (
            json!({"last_day": today(&t), "successor_id": uuid::Uuid::now_v7()}),
            "successor_id",
            "not_a_professional_member",
        ),
        (
            json!({"last_day": "2026-11-01", "successor_id": w.m_gp}),
            "last_day",
            "before_today",
        ),
        (
            json!({"last_day": "soon", "successor_id": w.m_gp}),
            "last_day",
            "bad_date",
        ),
        (
            json!({"last_day": today(&t), "new_successor": {"kind": "proxy", "name": "Ola", "role": "Relative", "responsibility": "Help", "active_from": today(&t)}}),
            "new_successor.kind",
            "not_a_professional",
        ),
        (
            json!({"last_day": today(&t), "new_successor": {"kind": "professional", "professional_id": uuid::Uuid::now_v7(), "role": "NAV", "responsibility": "Help", "active_from": today(&t)}}),
            "new_successor.professional_id",
            "unknown",
        ),
        (
            json!({"last_day": today(&t), "new_successor": {"kind": "professional", "professional_id": w.gp, "role": "NAV", "responsibility": "Help", "active_from": today(&t)}}),
            "new_successor.professional_id",
            "duplicate_member",
        ),
    ] {
        let r = cm.post_if_match(&path, &v, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert_eq!(r.error_fields(), vec![field.to_owned()], "{body}");
        assert_eq!(r.error_codes(), vec![code.to_owned()], "{body}");
    }
    // Stale: refused with the current version.
    let r = cm
        .post_if_match(
            &path,
            "\"1\"",
            json!({"last_day": today(&t), "successor_id": w.m_gp}),
        )
        .await;
    assert_eq!(r.status, 412, "{}", r.text);
    // Nothing was written: the team, the action, the history.
    assert_eq!(team_version(&cm, &w).await, v);
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(
        find(&ov.body["actions"], &held.action)["owner_member_id"],
        nav_m
    );
    assert_eq!(
        t.app
            .store
            .begin()
            .await
            .unwrap()
            .list_successions(w.p)
            .await
            .unwrap()
            .len(),
        0
    );
    // Ending the membership by editing the member's last day is refused while they
    // hold open work: the end form names the successor.
    let r = cm
        .put(
            &format!("/api/v1/patients/{}/team/members/{}", w.p, w.m_nav),
            Some(&v),
            json!({"kind": "professional", "professional_id": w.nav, "role": "NAV supervisor", "responsibility": "Work-capacity follow-up", "active_from": today(&t), "active_to": today(&t)}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_codes()),
        (422, vec!["has_open_items".to_owned()]),
        "{}",
        r.text
    );
    // A patient may not end anyone's membership.
    let pia = t.api(&t.token("pia").await);
    let r = pia
        .post_if_match(
            &path,
            &v,
            json!({"last_day": today(&t), "successor_id": w.m_gp}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

async fn messages_to_someone_who_left_are_refused_and_replies_skip_them(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    let nav = t.api(&t.token("nav").await);
    // A thread the NAV supervisor takes part in.
    let r = nav
        .post(
            &format!("/api/v1/patients/{}/threads", w.p),
            json!({"subject": "Work trial", "body": "Can we start in January?", "to": ["team"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let thread = r.body["thread_id"].as_str().unwrap().to_owned();
    let nils = new_professional(
        &t,
        "NAV Testby",
        "Nils Nyveileder",
        "NAV supervisor",
        "nils",
    )
    .await;
    let v = team_version(&cm, &w).await;
    let r = cm
        .post_if_match(
            &end_path(&w, w.m_nav),
            &v,
            json!({"last_day": today(&t), "new_successor": {"kind": "professional", "professional_id": nils, "role": "NAV supervisor", "responsibility": "Work-capacity follow-up", "active_from": today(&t)}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    t.clock.advance(chrono::Duration::days(1));
    // Writing to her, or asking her for a receipt, is refused naming her successor.
    for needs_ack in [false, true] {
        let r = gp
            .post(
                &format!("/api/v1/patients/{}/threads", w.p),
                json!({"subject": "Sick leave", "body": "Extended two weeks.", "to": [format!("member:{}", w.m_nav)], "needs_ack": needs_ack}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.error_fields(), vec!["to"]);
        assert_eq!(r.error_codes(), vec!["member_left"]);
        assert!(r.text.contains("Nina Veileder has left"), "{}", r.text);
        assert!(r.text.contains("Nils Nyveileder"), "{}", r.text);
    }
    // A request to her likewise.
    let r = gp
        .post(
            &format!("/api/v1/patients/{}/requests", w.p),
            json!({"kind": "general_task", "addressee_member_id": w.m_nav, "subject": "Form", "due_date": "2026-12-04"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_codes()),
        (422, vec!["member_left".to_owned()]),
        "{}",
        r.text
    );
    // A reply reaches the others and says who was skipped; she gets nothing.
    let r = gp
        .post(
            &format!("/api/v1/threads/{thread}/messages"),
            json!({"body": "January works for me.", "needs_ack": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["skipped"], json!(["Nina Veileder"]));
    let th = gp.get(&format!("/api/v1/threads/{thread}")).await;
    let last = th.body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let names: Vec<&str> = last["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Cecilie Koordinator"]);
    // The care manager's reply skips her too.
    let r = cm
        .post(
            &format!("/api/v1/threads/{thread}/messages"),
            json!({"body": "Good."}),
        )
        .await;
    assert_eq!(r.body["skipped"], json!(["Nina Veileder"]));
    // A reply in the web UI says so too, on the thread it was sent in.
    let page_user = t.browser();
    page_user
        .login("cm", samband_testkit::fixture::PASSWORD)
        .await;
    let page = page_user.get(&format!("/threads/{thread}")).await;
    let csrf = samband_testkit::hidden_value(&page.text, "_csrf").unwrap();
    let r = page_user
        .post_form(
            &format!("/threads/{thread}/reply"),
            &[("_csrf", &csrf), ("body", "See you in January.")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains(r#"id="reply-skipped""#), "{}", r.text);
    assert!(
        r.text.contains("<strong>Nina Veileder</strong>"),
        "{}",
        r.text
    );
    // Nothing was lost: the thread holds every message.
    assert_eq!(
        gp.get(&format!("/api/v1/threads/{thread}")).await.body["messages"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // Without a successor the refusal names the coordinator.
    let v = team_version(&cm, &w).await;
    let r = cm
        .post_if_match(&end_path(&w, w.m_gp), &v, json!({"last_day": today(&t)}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    t.clock.advance(chrono::Duration::days(1));
    let r = cm
        .post(
            &format!("/api/v1/patients/{}/threads", w.p),
            json!({"subject": "Medication", "body": "Question", "to": [format!("member:{}", w.m_gp)]}),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["member_left"]);
    assert!(r.text.contains("Gunnar Lege has left"), "{}", r.text);
    assert!(r.text.contains("Cecilie Koordinator"), "{}", r.text);
}

async fn a_request_is_re_addressed_under_its_version(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let r = cm
        .post(
            &format!("/api/v1/patients/{}/requests", w.p),
            json!({"kind": "general_task", "addressee_member_id": w.m_nav, "subject": "Sick-leave certificate", "due_date": "2026-12-04"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["request_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/requests/{id}/addressee");
    for (body, code) in [
        (json!({"addressee_member_id": w.m_patient}), "not_on_team"),
        (json!({"addressee_member_id": w.m_nav}), "unchanged"),
        (
            json!({"addressee_member_id": uuid::Uuid::now_v7()}),
            "not_on_team",
        ),
        (json!({}), "required"),
    ] {
        let r = cm.post_if_match(&path, "\"1\"", body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert_eq!(r.error_fields(), vec!["addressee_member_id"], "{body}");
        assert_eq!(r.error_codes(), vec![code.to_owned()], "{body}");
    }
    // Someone outside the request and not the coordinator may not move it.
    let gp = t.api(&t.token("gp").await);
    let r = gp
        .post_if_match(&path, "\"1\"", json!({"addressee_member_id": w.m_gp}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // The addressee hands it on.
    let nav = t.api(&t.token("nav").await);
    let r = nav
        .post_if_match(
            &path,
            "\"1\"",
            json!({"addressee_member_id": w.m_gp, "reason": "The GP writes certificates"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.etag().as_deref(), Some("\"2\""));
    assert_eq!(r.body["addressee_name"], "Gunnar Lege");
    assert_eq!(r.body["addressee_member_id"], w.m_gp.to_string());
    // Its action follows; the new addressee reads the thread and can answer it.
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    let action = find(&ov.body["actions"], r.body["action_id"].as_str().unwrap());
    assert_eq!(action["owner_member_id"], w.m_gp.to_string());
    let thread = r.body["thread_id"].as_str().unwrap();
    assert_eq!(
        gp.get(&format!("/api/v1/threads/{thread}")).await.status,
        200
    );
    let r = gp
        .post_if_match(
            &format!("/api/v1/requests/{id}/accept"),
            "\"2\"",
            json!(null),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A stale re-address is refused with the current version.
    let r = cm
        .post_if_match(&path, "\"2\"", json!({"addressee_member_id": w.m_nav}))
        .await;
    assert_eq!(r.status, 412, "{}", r.text);
    assert_eq!(r.body["current_version"], 3);
}

/// A generated team of six professionals; each holds one of everything. Members are
/// ended one by one — some with a successor, some without — and after each no open
/// item may point at anyone who is not active.
async fn ending_every_member_one_by_one_leaves_nothing_orphaned(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let mut members: Vec<(String, String)> = vec![
        (w.m_gp.to_string(), "gp".into()),
        (w.m_nav.to_string(), "nav".into()),
    ];
    for i in 0..3 {
        let name = format!("Test Fagperson {i}");
        let pid =
            new_professional(&t, "Testby legesenter", &name, "Nurse", &format!("pro{i}")).await;
        let v = team_version(&cm, &w).await;
        let r = cm
            .post(
                &format!("/api/v1/patients/{}/team/members", w.p),
                json!({"kind": "professional", "professional_id": pid, "role": "Nurse", "responsibility": "Home visits", "active_from": today(&t)}),
            )
            .await;
        assert_eq!(r.status, 428, "adding needs the team version");
        let r = cm
            .post_if_match(
                &format!("/api/v1/patients/{}/team/members", w.p),
                &v,
                json!({"kind": "professional", "professional_id": pid, "role": "Nurse", "responsibility": "Home visits", "active_from": today(&t)}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.body["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["professional_id"] == pid)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        members.push((id, format!("pro{i}")));
    }
    members.push((w.m_care_manager.to_string(), "cm".into()));
    let gp = t.api(&t.token("gp").await);
    for (i, (m, _)) in members.iter().enumerate() {
        // The care manager asks everyone; the GP asks the care manager.
        let from = if *m == w.m_care_manager.to_string() {
            &gp
        } else {
            &cm
        };
        give_everything(from, &w, m, &format!("M{i}")).await;
    }
    let check = |label: String| {
        let t = &t;
        let w = &w;
        async move {
            let mut tx = t.app.store.begin_read().await.unwrap();
            let team = tx.get_team(w.p).await.unwrap().unwrap();
            let today = t.app.today();
            for m in team
                .members
                .iter()
                .filter(|m| !m.is_active_on(today) || m.active_to.is_some())
            {
                let account = match m.professional_id {
                    Some(p) => tx.account_for_professional(p).await.unwrap().map(|a| a.id),
                    None => None,
                };
                let open = tx.open_items(w.p, m.id, account).await.unwrap();
                assert!(open.is_empty(), "{label}: {} still holds {open:?}", m.id);
            }
            // Every upcoming agenda item's responsible person is someone active.
            let meetings = tx
                .list_meetings(w.p, &samband_store::PageAt::first(100))
                .await
                .unwrap();
            for mt in meetings {
                let parts = tx.list_participants(mt.id).await.unwrap();
                for item in tx.list_agenda(mt.id).await.unwrap() {
                    let p = parts.iter().find(|p| p.id == item.responsible).unwrap();
                    let member = team.member(p.member_id.unwrap()).unwrap();
                    assert!(
                        member.active_to.is_none(),
                        "{label}: agenda item {} is with {} who left",
                        item.id,
                        p.name
                    );
                }
            }
        }
    };
    check("before".into()).await;
    // End everyone but the coordinator (last in the list), in turn: even ones without
    // a successor (the coordinator holds their items), odd ones with the next member
    // as successor (who later leaves too, handing on what they took over).
    let n = members.len();
    for i in 0..n - 1 {
        let (leaver, _) = &members[i];
        let successor = (i % 2 == 1).then(|| members[i + 1].0.clone());
        let v = team_version(&cm, &w).await;
        let mut body = json!({"last_day": today(&t)});
        if let Some(s) = &successor {
            body["successor_id"] = json!(s);
        }
        let r = cm.post_if_match(&end_path(&w, leaver), &v, body).await;
        assert_eq!(r.status, 200, "ending member {i}: {}", r.text);
        check(format!("after ending member {i}")).await;
    }
    // Nothing is flagged with someone who is gone either.
    let mut tx = t.app.store.begin_read().await.unwrap();
    let team = tx.get_team(w.p).await.unwrap().unwrap();
    for f in tx.flagged_items(w.p).await.unwrap() {
        assert!(team.member(f.holder_member_id).unwrap().active_to.is_none());
    }
}

/// The team page's end form: a successor who is not a professional is refused at the
/// field with what was typed kept; naming a new member hands everything over; the
/// caseload and overview mark what went to the coordinator; the patient's "Who helps
/// you" says who took over from whom.
async fn the_end_form_names_a_successor_and_the_patient_sees_who_took_over(b: Backend) {
    use samband_testkit::fixture::PASSWORD;
    use samband_testkit::hidden_value;
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm_api = t.api(&t.token("cm").await);
    let nav_m = w.m_nav.to_string();
    let held = give_everything(&cm_api, &w, &nav_m, "NAV").await;
    let nils = new_professional(
        &t,
        "NAV Testby",
        "Nils Nyveileder",
        "NAV supervisor",
        "nils",
    )
    .await;
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let edit = format!("/patients/{}/team/{}/edit", w.p, w.m_nav);
    let end = format!("/patients/{}/team/{}/end", w.p, w.m_nav);
    let page = cm.get(&edit).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(r#"id="successor_id""#));
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let version = hidden_value(&page.text, "version").unwrap();
    let today = today(&t);
    let base = |extra: &[(&str, String)]| {
        let mut f: Vec<(String, String)> = vec![
            ("_csrf".into(), csrf.clone()),
            ("version".into(), version.clone()),
            ("kind".into(), "professional".into()),
            ("professional_id".into(), w.nav.to_string()),
            ("role".into(), "NAV supervisor".into()),
            ("responsibility".into(), "Work-capacity follow-up".into()),
            ("active_from".into(), today.clone()),
            ("end_on".into(), today.clone()),
            ("end_confirm".into(), "on".into()),
            ("reason".into(), "Typed reason kept".into()),
        ];
        f.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        f
    };
    let post = |f: Vec<(String, String)>| {
        let cm = &cm;
        let end = end.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            cm.post_form(&end, &pairs).await
        }
    };
    // The patient as successor: refused at the field, the typed text kept.
    let r = post(base(&[("successor_id", w.m_patient.to_string())])).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(r#"id="successor_id-error""#), "{}", r.text);
    assert!(r.text.contains("Typed reason kept"));
    let ov = cm_api.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(
        find(&ov.body["actions"], &held.action)["owner_member_id"],
        nav_m
    );
    // A new member takes over.
    let r = post(base(&[
        ("new_successor_professional_id", nils.clone()),
        ("new_successor_role", "NAV supervisor".into()),
    ]))
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let ov = cm_api.get(&format!("/api/v1/patients/{}", w.p)).await;
    let owner = find(&ov.body["actions"], &held.action)["owner_member_id"].clone();
    let newm = ov.body["team"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["professional_id"] == nils)
        .unwrap()["id"]
        .clone();
    assert_eq!(owner, newm);
    // The patient reads who took over from whom.
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let me = pia.get("/me/team").await;
    assert_eq!(me.status, 200);
    assert!(
        me.text.contains("Took over from Nina Veileder"),
        "{}",
        me.text
    );
    // The GP leaves without a successor: the care manager's overview and caseload mark
    // the items as needing a new owner.
    let gp_m = w.m_gp.to_string();
    let gp_held = give_everything(&cm_api, &w, &gp_m, "GP").await;
    let v = team_version(&cm_api, &w).await;
    let r = cm_api
        .post_if_match(&end_path(&w, w.m_gp), &v, json!({"last_day": today}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let overview = cm.get(&format!("/patients/{}", w.p)).await;
    let at = overview
        .text
        .find(&format!(r#"id="action-{}""#, gp_held.action))
        .unwrap();
    let li = &overview.text[at..at + overview.text[at..].find("</li>").unwrap()];
    assert!(li.contains("Needs a new owner"), "{li}");
    let caseload = cm.get("/patients").await;
    assert!(
        caseload.text.contains("items need a new owner"),
        "{}",
        caseload.text
    );
}
