//! The needs-mapping conversation of the cancer pathway at home through the API: each
//! need becomes a plan action of its owner, the milestone asking for a mapping is
//! completed, bad input is named field by field and writes nothing.

use samband_testkit::{Backend, TestApp};
use serde_json::{json, Value};

both_backends!(a_needs_mapping_creates_owned_actions_and_completes_its_milestone);

fn milestone<'a>(e: &'a Value, key: &str) -> &'a Value {
    e["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["milestone"] == key)
        .unwrap_or_else(|| panic!("no milestone {key} in {e}"))
}

async fn a_needs_mapping_creates_owned_actions_and_completes_its_milestone(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let pathways = format!("/api/v1/patients/{}/pathways", w.p);
    let mappings = format!("/api/v1/patients/{}/needs-mappings", w.p);
    // Diagnosis given on 10 November; the clock stands at 23 November.
    let r = gp
        .post(
            &pathways,
            json!({"template_key": "cancer_home", "anchor_date": "2026-11-10"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        milestone(&r.body, "needs_mapping_hospital")["state"],
        "open"
    );
    let actions_before = gp.get(&format!("/api/v1/patients/{}", w.p)).await.body["actions"]
        .as_array()
        .unwrap()
        .len();

    // The patient is not a professional: refused at that need's owner; a need with
    // no description and a point that does not exist are named too. Nothing written.
    let bad = gp
        .post(
            &mappings,
            json!({"point": "someday", "held_on": "2026-11-20", "needs": [
                {"topic": "work_school", "description": "Talk to the employer", "owner_member_id": w.m_patient, "due": "2026-12-15"},
                {"topic": "nutrition", "description": " ", "owner_member_id": w.m_gp, "due": "2026-12-15"}
            ]}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(
        bad.error_fields(),
        vec![
            "point".to_owned(),
            "needs[0].owner".to_owned(),
            "needs[1].description".to_owned()
        ]
    );
    assert_eq!(gp.get(&mappings).await.body, json!([]));
    let still = gp.get(&pathways).await;
    assert_eq!(
        milestone(&still.body[0], "needs_mapping_hospital")["state"],
        "open"
    );

    // In hospital, three days ago: two needs, to the GP and to NAV.
    let r = gp
        .post(
            &mappings,
            json!({"point": "hospital", "held_on": "2026-11-20", "needs": [
                {"topic": "work_school", "description": "Plan a gradual return to work", "owner_member_id": w.m_nav, "due": "2026-12-15"},
                {"topic": "nutrition", "description": "Advice on eating during chemotherapy", "owner_member_id": w.m_gp, "due": "2026-12-01"}
            ], "notes": "Wants her sister at the next conversation"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["completed_milestones"], 1);
    assert_eq!(r.body["actions"].as_array().unwrap().len(), 2);
    let ov = gp.get(&format!("/api/v1/patients/{}", w.p)).await;
    let actions = ov.body["actions"].as_array().unwrap();
    assert_eq!(actions.len(), actions_before + 2);
    let work = actions
        .iter()
        .find(|a| a["title"] == "Work and education: Plan a gradual return to work")
        .unwrap();
    assert_eq!(work["owner_member_id"], w.m_nav.to_string());
    assert_eq!(work["due_date"], "2026-12-15");
    let food = actions
        .iter()
        .find(|a| a["title"] == "Nutrition: Advice on eating during chemotherapy")
        .unwrap();
    assert_eq!(food["owner_member_id"], w.m_gp.to_string());
    // The hospital mapping is done, by evidence; the 3–4-month one is still ahead.
    let now = gp.get(&pathways).await;
    let hosp = milestone(&now.body[0], "needs_mapping_hospital");
    assert_eq!(hosp["state"], "done", "{}", now.text);
    assert_eq!(hosp["completed_by"], "evidence");
    assert_eq!(hosp["completed_on"], "2026-11-20");
    assert_eq!(
        milestone(&now.body[0], "needs_mapping_3_4_months")["state"],
        "upcoming"
    );
    let listed = gp.get(&mappings).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["needs"][0]["topic"], "work_school");
    assert_eq!(
        listed.body[0]["notes"],
        "Wants her sister at the next conversation"
    );
    // Someone outside the team reads nothing.
    let other = t.api(&t.token("quentin").await);
    assert_eq!(other.get(&mappings).await.status, 404);

    // When the clock passes day 122 after the diagnosis (12 March 2027), the
    // 3–4-month mapping is overdue.
    t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2027-03-13T10:00:00+01:00")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    let gp = t.api(&t.token("gp").await);
    let later = gp.get(&pathways).await;
    let m34 = milestone(&later.body[0], "needs_mapping_3_4_months");
    assert_eq!(
        (m34["due"].as_str(), m34["state"].as_str()),
        (Some("2027-03-12"), Some("overdue"))
    );
}
