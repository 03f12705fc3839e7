//! The relapse-prevention plan through the API: co-written (the patient their words,
//! the team its part), versioned with If-Match, field errors that write nothing, the
//! agreement and its day, read under the crisis plan's consent category; and the two
//! steps of a collaborative-care episode that need it agreed — the hand-over to the GP
//! that closes the episode, and ending the severe-depression pathway.

use samband_testkit::fixture::World;
use samband_testkit::{Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    the_plan_is_co_written_versioned_and_agreed,
    the_episode_goes_to_the_gp_and_ends_only_with_an_agreed_plan,
);

fn plan_url(w: &World) -> String {
    format!("/api/v1/patients/{}/relapse-plan", w.p)
}

/// The care manager writes and agrees a plan with one sign; returns it.
pub(crate) async fn agree_plan(api: &Api, w: &World) -> Value {
    let url = plan_url(w);
    let v = api.get(&url).await.etag().unwrap();
    let r = api
        .put(
            &url,
            Some(&v),
            json!({
                "signs": [{"words": "I stop answering the phone", "action": "Call within a day", "who_member_id": w.m_care_manager}],
                "what_helps": "Walks with my sister",
                "contacts": "Care manager on weekdays; 113 at night",
                "status": "agreed"
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

async fn the_plan_is_co_written_versioned_and_agreed(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let url = plan_url(&w);
    let cm = t.api(&t.token("cm").await);
    let pia = t.api(&t.token("pia").await);

    let none = cm.get(&url).await;
    assert_eq!(
        (none.status, none.body["state"].as_str()),
        (200, Some("none"))
    );
    let sign = json!({"words": "I stop answering the phone", "action": "Call within a day", "who_member_id": w.m_care_manager});
    let r = cm
        .put(
            &url,
            Some("\"0\""),
            json!({"signs": [sign], "contacts": "Care manager on weekdays"}),
        )
        .await;
    assert_eq!(
        (r.status, r.etag().as_deref()),
        (200, Some("\"1\"")),
        "{}",
        r.text
    );
    assert_eq!(r.body["state"], "draft");
    let stale = cm.put(&url, Some("\"0\""), json!({"contacts": "x"})).await;
    assert_eq!(stale.status, 412, "{}", stale.text);

    // The patient writes their own words, the team's part of the sign as it is.
    let own = pia
        .put(
            &url,
            Some("\"1\""),
            json!({
                "signs": [
                    {"words": "I stop picking up the phone", "action": "Call within a day", "who_member_id": w.m_care_manager},
                    {"words": "I sleep past noon"}
                ],
                "what_helps": "Walks with my sister"
            }),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.body["signs"][0]["words"], "I stop picking up the phone");
    // ... but not the team's part, nor the agreement.
    for body in [
        json!({"contacts": "Nobody"}),
        json!({"status": "agreed"}),
        json!({"signs": [{"words": "I stop picking up the phone", "action": "Wait and see", "who_member_id": w.m_care_manager}]}),
    ] {
        let r = pia.put(&url, Some("\"2\""), body).await;
        assert_eq!(r.status, 403, "{}", r.text);
    }

    // Agreeing needs an action and who for every sign: refused at the row, nothing
    // written; a member who is not a professional cannot be the one who acts.
    let half = cm
        .put(&url, Some("\"2\""), json!({"status": "agreed"}))
        .await;
    assert_eq!(half.status, 422, "{}", half.text);
    assert_eq!(half.error_fields(), vec!["signs[1].action"]);
    let wrong_who = cm
        .put(
            &url,
            Some("\"2\""),
            json!({"signs": [sign, {"words": "I sleep past noon", "action": "Visit", "who_member_id": w.m_patient}]}),
        )
        .await;
    assert_eq!(wrong_who.error_fields(), vec!["signs[1].who_member_id"]);
    assert_eq!(cm.get(&url).await.etag().as_deref(), Some("\"2\""));

    let agreed = cm
        .put(
            &url,
            Some("\"2\""),
            json!({
                "signs": [
                    {"words": "I stop picking up the phone", "action": "Call within a day", "who_member_id": w.m_care_manager},
                    {"words": "I sleep past noon", "action": "GP sees me that week", "who_member_id": w.m_gp}
                ],
                "status": "agreed",
                "reason": "Agreed at the review with Pia"
            }),
        )
        .await;
    assert_eq!(agreed.status, 200, "{}", agreed.text);
    assert_eq!(agreed.body["state"], "agreed");
    assert_eq!(agreed.body["agreed_on"], "2026-11-23");

    // The overview carries it; the GP (health sector) reads it, social security does
    // not by default (the crisis plan's category), and the answer holds none of it.
    let ov = cm.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(ov.body["relapse_plan"]["state"], "agreed");
    let gp = t.api(&t.token("gp").await);
    assert_eq!(
        gp.get(&url).await.body["signs"][1]["words"],
        "I sleep past noon"
    );
    let nav = t.api(&t.token("nav").await);
    let withheld = nav.get(&url).await;
    assert_ne!(withheld.status, 200, "{}", withheld.text);
    assert!(!withheld.text.contains("phone"), "{}", withheld.text);
    assert!(nav.get(&format!("/api/v1/patients/{}", w.p)).await.body["relapse_plan"].is_null());

    // The patient changing their words afterwards makes it a draft to agree again.
    let later = pia
        .put(
            &url,
            Some("\"3\""),
            json!({"what_helps": "Walks, and music"}),
        )
        .await;
    assert_eq!(later.status, 200, "{}", later.text);
    assert_eq!(later.body["state"], "draft");
    assert!(later.body["agreed_on"].is_null());

    // Every version is in the history, with the reason given.
    let h = cm
        .get(&format!(
            "/api/v1/patients/{}/history?object_id={}",
            w.p, w.p
        ))
        .await;
    let entries: Vec<&Value> = h.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["object_type"] == "relapse_plan")
        .collect();
    assert_eq!(entries.len(), 4, "{}", h.text);
    assert_eq!(entries[1]["reason"], "Agreed at the review with Pia");
    assert_eq!(entries[1]["new"]["status"], "agreed");
}

async fn the_episode_goes_to_the_gp_and_ends_only_with_an_agreed_plan(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    // Discharged 340 days ago: the closing hand-over to the GP (days 335–365) is open.
    let pathways = format!("/api/v1/patients/{}/pathways", w.p);
    let e = cm
        .post(
            &pathways,
            json!({"template_key": "depression_discharge", "anchor_date": "2025-12-18"}),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.text);
    let eid = e.body["id"].as_str().unwrap().to_owned();
    let other = cm
        .post(
            &pathways,
            json!({"template_key": "smi_municipal", "anchor_date": "2026-11-01"}),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.text);

    let base = format!("/api/v1/patients/{}/handovers", w.p);
    let draft = |receiver: samband_domain::ids::MemberId| {
        json!({
            "receiver": receiver,
            "urgency": "green",
            "done_and_found": "A year of collaborative care; PHQ-9 from 19 to 4.",
            "follow_up": [{"description": "Review medication", "owner": w.m_gp, "due": "2026-12-20"}],
            "patient_summary": "Your GP takes over now."
        })
    };
    let to_gp = cm.post(&base, draft(w.m_gp)).await;
    assert_eq!(to_gp.status, 201, "{}", to_gp.text);
    let gp_id = to_gp.body["id"].as_str().unwrap().to_owned();
    let actions = || async {
        cm.get(&format!("/api/v1/patients/{}", w.p)).await.body["actions"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = actions().await;

    // No plan yet: the hand-over to the GP and the end of the episode are refused at
    // the missing plan, and nothing is written.
    let send = cm
        .post_if_match(&format!("{base}/{gp_id}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(send.status, 422, "{}", send.text);
    assert_eq!(send.error_fields(), vec!["relapse_plan"]);
    assert_eq!(send.error_codes(), vec!["relapse_plan_not_agreed"]);
    let still = cm.get(&format!("{base}/{gp_id}")).await;
    assert_eq!(still.body["status"], "draft", "{}", still.text);
    assert_eq!(actions().await, before, "no follow-up action was created");
    let end = format!("{pathways}/{eid}/end");
    let refused = cm.post_if_match(&end, "\"1\"", json!({})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.error_fields(), vec!["relapse_plan"]);
    let listed = cm.get(&pathways).await;
    assert!(listed.body[0]["ended_on"].is_null(), "{}", listed.text);

    // A draft plan is not enough.
    let url = plan_url(&w);
    let r = cm
        .put(
            &url,
            Some("\"0\""),
            json!({"signs": [{"words": "I stop answering the phone"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let send = cm
        .post_if_match(&format!("{base}/{gp_id}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(send.error_fields(), vec!["relapse_plan"]);

    // Hand-overs to anyone but the GP, and ending a pathway that is not the episode,
    // never needed it.
    let to_nav = cm.post(&base, draft(w.m_nav)).await;
    let nav_id = to_nav.body["id"].as_str().unwrap();
    let sent = cm
        .post_if_match(&format!("{base}/{nav_id}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let oid = other.body["id"].as_str().unwrap();
    let ended = cm
        .post_if_match(&format!("{pathways}/{oid}/end"), "\"1\"", json!({}))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(ended.body["ended_on"], "2026-11-23");

    // Agreed: the GP gets the hand-over, and the episode ends.
    agree_plan(&cm, &w).await;
    let send = cm
        .post_if_match(&format!("{base}/{gp_id}/send"), "\"1\"", json!({}))
        .await;
    assert_eq!(send.status, 200, "{}", send.text);
    let done = cm.post_if_match(&end, "\"1\"", json!({})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["ended_on"], "2026-11-23");
    let again = cm.post_if_match(&end, "\"2\"", json!({})).await;
    assert_eq!(again.error_fields(), vec!["ended_on"]);
    let stale = cm.post_if_match(&end, "\"1\"", json!({})).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
}
