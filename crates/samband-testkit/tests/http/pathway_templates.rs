//! Template administration: an administrator clones a shipped template, edits it and
//! saves a new version; a bad window is a field error that writes nothing; a shipped
//! key and a version not raised are refused; only administrators may.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Backend, TestApp};
use serde_json::json;

both_backends!(an_administrator_clones_edits_and_saves_a_template_version);

async fn an_administrator_clones_edits_and_saves_a_template_version(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let admin = t.api(&t.token("admin").await);
    let gp = t.api(&t.token("gp").await);
    let shipped = samband_domain::pathway::catalogue::shipped()
        .unwrap()
        .into_iter()
        .find(|t| t.key == "sick_leave_follow_up")
        .unwrap()
        .to_toml();
    let clone = shipped.replacen(
        "key = \"sick_leave_follow_up\"",
        "key = \"sick_leave_local\"",
        1,
    );
    assert_ne!(clone, shipped);
    let count = |body: &serde_json::Value| body.as_array().unwrap().len();
    let before = count(&gp.get("/api/v1/pathways").await.body);

    // A window that ends before it opens: named at its path, nothing stored.
    let bad = clone.replacen("due_day = 28", "due_day = -3", 1);
    let r = admin.post("/api/v1/pathways", json!({"source": bad})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.error_fields(),
        vec!["phases[0].milestones[0].window.due_day".to_owned()]
    );
    assert_eq!(count(&gp.get("/api/v1/pathways").await.body), before);
    // A shipped template cannot be overwritten.
    let r = admin
        .post(
            "/api/v1/pathways",
            json!({"source": shipped.replacen("version = 1", "version = 2", 1)}),
        )
        .await;
    assert_eq!((r.status, r.error_fields()), (422, vec!["key".to_owned()]));
    // Not for professionals.
    assert_eq!(
        gp.post("/api/v1/pathways", json!({"source": clone}))
            .await
            .status,
        403
    );

    // The clone, with the follow-up plan due a week later, saved and enrollable.
    let edited = clone.replacen("due_day = 28", "due_day = 35", 1);
    let r = admin
        .post("/api/v1/pathways", json!({"source": edited}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.body["key"].as_str(), r.body["shipped"].as_bool()),
        (Some("sick_leave_local"), Some(false))
    );
    assert_eq!(count(&gp.get("/api/v1/pathways").await.body), before + 1);
    // The save is in the audit trail: who saved which key and version; the refusals
    // before it left no entry.
    let mut saves = Vec::new();
    let mut url = "/api/v1/audit?limit=200".to_owned();
    loop {
        let page = admin.get(&url).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for i in page.body["items"].as_array().unwrap() {
            if i["object_type"] == "pathway_template" {
                saves.push((i["object_id"].to_string(), i["action"].to_string()));
            }
        }
        match page.body["next"].as_str() {
            Some(c) => url = format!("/api/v1/audit?limit=200&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        saves,
        vec![("\"sick_leave_local@1\"".to_owned(), "\"create\"".to_owned())]
    );
    // Saving the same version again is refused at the version.
    let r = admin
        .post("/api/v1/pathways", json!({"source": edited}))
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (422, vec!["version".to_owned()])
    );
    let e = gp
        .post(
            &format!("/api/v1/patients/{}/pathways", w.p),
            json!({"template_key": "sick_leave_local", "anchor_date": "2026-10-01"}),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.text);
    let plan = e.body["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["milestone"] == "follow_up_plan")
        .unwrap();
    assert_eq!(plan["due"], "2026-11-05");

    // The admin page: clone offered under a key of its own; a bad edit shown with its
    // field path and the typed text kept.
    let ui = t.browser();
    ui.login("admin", PASSWORD).await;
    let page = ui.get("/admin/pathways?from=cancer_home").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("key = &quot;cancer_home_local&quot;")
            || page.text.contains("key = &#34;cancer_home_local&#34;"),
        "{}",
        page.text
    );
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let bad = clone
        .replacen("key = \"sick_leave_local\"", "key = \"sick_leave_ui\"", 1)
        .replacen("role = \"employer\"", "role = \"astrologer\"", 1);
    let r = ui
        .post_form("/admin/pathways", &[("_csrf", &csrf), ("source", &bad)])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains("phases[0].milestones[0].role"),
        "{}",
        r.text
    );
    assert!(r.text.contains("astrologer"));
    let gp_ui = t.browser();
    gp_ui.login("gp", PASSWORD).await;
    assert_eq!(gp_ui.get("/admin/pathways").await.status, 403);
}
