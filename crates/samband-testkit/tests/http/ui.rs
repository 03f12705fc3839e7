//! The web UI: forms with CSRF, inline validation, stale-edit handling, language.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Backend, TestApp};
use serde_json::json;

both_backends!(
    form_edit_with_stale_version_shows_both_values_and_loses_nothing,
    forms_show_field_errors_and_write_nothing,
    state_changing_forms_need_the_csrf_token,
    language_follows_accept_language_and_the_switcher,
    security_headers_are_set,
    the_plan_is_one_form_and_keeps_what_was_typed_elsewhere,
);

async fn the_plan_is_one_form_and_keeps_what_was_typed_elsewhere(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm_api = t.api(&t.token("cm").await);
    let a = cm_api
        .post(
            &format!("/api/v1/patients/{}/actions", w.p),
            json!({"title": "Book follow-up", "owner_member_id": w.m_gp, "due_date": "2026-12-10"}),
        )
        .await;
    let aid = a.body["id"].as_str().unwrap().to_owned();
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let page = cm.get(&format!("/patients/{}", w.p)).await;
    assert_eq!(page.status, 200);
    let main = &page.text[page.text.find("<main").unwrap()..];
    assert_eq!(main.matches("<form").count(), 1, "the plan is one form");
    assert!(main.contains(&format!(
        r#"formaction="/patients/{}/actions/{aid}/status""#,
        w.p
    )));
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let plan_version = hidden_value(&page.text, "revision.version").unwrap();
    let status_key = format!("a-{aid}.status");
    let version_key = format!("a-{aid}.version");
    // A revision date typed, then the action's Save pressed (no JavaScript).
    let r = cm
        .post_form(
            &format!("/patients/{}/actions/{aid}/status", w.p),
            &[
                ("_csrf", &csrf),
                (&status_key, "done"),
                (&version_key, "1"),
                ("revision.version", &plan_version),
                ("revision.revision_date", "2027-01-15"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "shown again: the date is not saved yet");
    assert!(r.text.contains(r#"id="kept-notice""#));
    assert!(r
        .text
        .contains(r#"name="revision.revision_date" type="date" value="2027-01-15""#));
    let ov = cm_api.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(ov.body["actions"][0]["status"], "done");
    assert_eq!(ov.body["plan"]["revision_date"], serde_json::Value::Null);
    // Its own Save then saves it; nothing else typed: back to the overview.
    let r = cm
        .post_form(
            &format!("/patients/{}/revision", w.p),
            &[
                ("_csrf", &csrf),
                (&status_key, "done"),
                (&version_key, "2"),
                ("revision.version", &plan_version),
                ("revision.revision_date", "2027-01-15"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let ov = cm_api.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(ov.body["plan"]["revision_date"], "2027-01-15");
    // A bad date is refused at its field, a status changed meanwhile kept.
    let r = cm
        .post_form(
            &format!("/patients/{}/revision", w.p),
            &[
                ("_csrf", &csrf),
                (&status_key, "in_progress"),
                (&version_key, "2"),
                ("revision.version", "2"),
                ("revision.revision_date", "15.01.2027"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains(r#"id="revision-revision_date-error""#));
    assert!(r.text.contains(r#"<option value="in_progress" selected>"#));
}

async fn form_edit_with_stale_version_shows_both_values_and_loses_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp_api = t.api(&t.token("gp").await);
    let a = gp_api
        .post(
            &format!("/api/v1/patients/{}/actions", w.p),
            json!({"title": "Book follow-up", "owner_member_id": w.m_gp, "due_date": "2026-12-10"}),
        )
        .await;
    let id = a.body["id"].as_str().unwrap().to_owned();
    let edit = format!("/patients/{}/actions/{id}/edit", w.p);

    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let form = cm.get(&edit).await;
    assert_eq!(form.status, 200);
    let csrf = hidden_value(&form.text, "_csrf").unwrap();
    assert_eq!(hidden_value(&form.text, "version").as_deref(), Some("1"));

    // Meanwhile the GP changes the action.
    let r = gp_api.put(&format!("/api/v1/patients/{}/actions/{id}", w.p), Some("\"1\""), json!({"title": "Book follow-up in January", "owner_member_id": w.m_gp, "due_date": "2027-01-10"})).await;
    assert_eq!(r.status, 200);

    let mine = [
        ("_csrf", csrf.as_str()),
        ("version", "1"),
        ("title", "Book follow-up and blood tests"),
        ("owner_member_id", &w.m_gp.to_string()),
        ("due_date", "2026-12-15"),
        ("status", "planned"),
    ];
    let res = cm.post_form(&edit, &mine).await;
    assert_eq!(res.status, 409, "a stale form save is refused");
    assert!(res.text.contains("Gunnar Lege"), "names who changed it");
    assert!(
        res.text.contains("Book follow-up in January"),
        "shows their value"
    );
    assert!(
        res.text.contains("Book follow-up and blood tests"),
        "keeps what I typed"
    );
    assert_eq!(
        hidden_value(&res.text, "version").as_deref(),
        Some("2"),
        "continues from the current version"
    );
    let now = gp_api
        .get(&format!("/api/v1/patients/{}/actions/{id}", w.p))
        .await;
    assert_eq!(
        now.body["title"], "Book follow-up in January",
        "nothing was overwritten"
    );

    // Saving again from the re-shown form succeeds.
    let again = [
        ("_csrf", csrf.as_str()),
        ("version", "2"),
        ("title", "Book follow-up and blood tests"),
        ("owner_member_id", &w.m_gp.to_string()),
        ("due_date", "2026-12-15"),
        ("status", "planned"),
    ];
    let res = cm.post_form(&edit, &again).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let now = gp_api
        .get(&format!("/api/v1/patients/{}/actions/{id}", w.p))
        .await;
    assert_eq!(
        (now.body["title"].as_str(), now.body["version"].as_i64()),
        (Some("Book follow-up and blood tests"), Some(3))
    );
    let history = cm.get(&format!("/patients/{}/history", w.p)).await;
    assert!(history.text.contains("Cecilie Koordinator") && history.text.contains("Gunnar Lege"));
}

async fn forms_show_field_errors_and_write_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let page = cm.get(&format!("/patients/{}/actions/new", w.p)).await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let res = cm
        .post_form(
            &format!("/patients/{}/actions/new", w.p),
            &[
                ("_csrf", &csrf),
                ("version", ""),
                ("title", ""),
                ("owner_member_id", ""),
                ("due_date", "2020-01-01"),
                ("status", "planned"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    for id in ["title-error", "owner_member_id-error", "due_date-error"] {
        assert!(res.text.contains(&format!("id=\"{id}\"")), "missing {id}");
    }
    assert!(res.text.contains("aria-invalid=\"true\""));
    let api = t.api(&t.token("cm").await);
    assert!(
        api.get(&format!("/api/v1/patients/{}", w.p)).await.body["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Registering a patient with a wrong check digit.
    let page = cm.get("/patients/new").await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let res = cm
        .post_form(
            "/patients",
            &[
                ("_csrf", &csrf),
                ("name", "Ola"),
                ("birth_date", "1990-01-01"),
                ("national_id_country", "NO"),
                ("national_id", "01019012346"),
                ("preferred_contact", "in_app"),
                ("my_role", "GP"),
                ("my_responsibility", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text.contains("id=\"national_id-error\""));
    assert!(res.text.contains("value=\"Ola\""), "typed values are kept");
}

async fn state_changing_forms_need_the_csrf_token(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let form = [
        ("title", "Forged"),
        ("owner_member_id", &w.m_gp.to_string()),
        ("due_date", "2026-12-01"),
    ];
    let res = cm
        .post_form(&format!("/patients/{}/actions/new", w.p), &form)
        .await;
    assert_eq!(res.status, 403);
    let mut with_wrong = form.to_vec();
    with_wrong.push(("_csrf", "not-the-token"));
    assert_eq!(
        cm.post_form(&format!("/patients/{}/actions/new", w.p), &with_wrong)
            .await
            .status,
        403
    );
    let api = t.api(&t.token("cm").await);
    assert!(
        api.get(&format!("/api/v1/patients/{}", w.p)).await.body["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The sign-in form needs its own token too.
    let fresh = t.browser();
    let r = fresh
        .post_form("/login", &[("username", "cm"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 403);
    // Logout without the token does not sign out.
    assert_eq!(cm.post_form("/logout", &[]).await.status, 403);
    assert_eq!(cm.get("/patients").await.status, 200);
}

async fn language_follows_accept_language_and_the_switcher(b: Backend) {
    let t = TestApp::start(b).await;
    let br = t.browser();
    let nb = br
        .get_with("/login", ("accept-language", "nb-NO,nb;q=0.9,en;q=0.5"))
        .await;
    assert!(
        nb.text.contains("Logg inn i Samband"),
        "Norwegian from Accept-Language"
    );
    assert!(nb.text.contains("lang=\"nb\""));
    let da = br.get_with("/login", ("accept-language", "da")).await;
    assert!(da.text.contains("Log ind i Samband"));
    let r = br.get("/lang/da?next=/login").await;
    assert_eq!(r.status, 303);
    let after = br.get_with("/login", ("accept-language", "en")).await;
    assert!(
        after.text.contains("Log ind i Samband"),
        "the switcher's choice wins over Accept-Language"
    );
    let evil = br.get("/lang/nb?next=//evil.example/").await;
    assert_eq!(
        evil.header("location").as_deref(),
        Some("/"),
        "no open redirect"
    );
}

async fn security_headers_are_set(b: Backend) {
    let t = TestApp::start(b).await;
    let r = t.browser().get("/login").await;
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
    assert!(r.header("x-request-id").is_some());
    assert!(!r.text.contains("<script>"), "no inline scripts");
    let js = t.browser().get("/static/htmx.min.js").await;
    assert_eq!(js.status, 200);
    assert!(js
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
}
