//! Destructive actions in the UI — ending a team membership, withdrawing consent — are
//! apart from Save, styled apart, and happen only after a confirmation the server
//! checks: without it they are refused at the confirmation, and nothing changes.
//! (Cancelling a meeting: `meetings.rs`.)

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Backend, TestApp};

both_backends!(
    ending_a_membership_needs_the_box_ticked,
    withdrawing_consent_needs_the_box_ticked,
);

async fn ending_a_membership_needs_the_box_ticked(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm_api = t.api(&t.token("cm").await);
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let edit = format!("/patients/{}/team/{}/edit", w.p, w.m_nav);
    let end = format!("/patients/{}/team/{}/end", w.p, w.m_nav);
    let page = cm.get(&edit).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(r#"class="danger-zone""#), "placed apart");
    assert!(
        page.text
            .contains(&format!(r#"class="danger" formaction="{end}""#)),
        "styled apart, its own button"
    );
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let version = hidden_value(&page.text, "version").unwrap();
    let today = t.app.today().to_string();
    let nav = w.nav.to_string();
    let team_before = cm_api.get(&format!("/api/v1/patients/{}", w.p)).await.body["team"].clone();
    let fields = |extra: &[(&'static str, &str)]| {
        let mut f: Vec<(String, String)> = [
            ("_csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("kind", "professional"),
            ("professional_id", nav.as_str()),
            ("role", "NAV supervisor"),
            ("responsibility", "Work-capacity follow-up, typed anew"),
            ("active_from", today.as_str()),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        f.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        f
    };
    let post = |path: String, f: Vec<(String, String)>| {
        let cm = &cm;
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            cm.post_form(&path, &pairs).await
        }
    };
    // "End the membership" without the box, and Save with an end date of today
    // without the box: both refused at the box, what was typed still there.
    for (path, extra) in [
        (end.clone(), vec![("end_on", today.as_str())]),
        (edit.clone(), vec![("active_to", today.as_str())]),
        (
            end.clone(),
            vec![("end_on", today.as_str()), ("end_confirm", "")],
        ),
    ] {
        let r = post(path.clone(), fields(&extra)).await;
        assert_eq!(r.status, 422, "{path}: {}", r.text);
        assert!(
            r.text.contains(r#"id="end_confirm-error""#),
            "{path}: the error is at the box"
        );
        assert!(r.text.contains("Work-capacity follow-up, typed anew"));
        let team = cm_api.get(&format!("/api/v1/patients/{}", w.p)).await.body["team"].clone();
        assert_eq!(team, team_before, "{path}: nothing changed");
    }
    // A later end date is planning, not ending: saved without the box.
    let r = post(edit.clone(), fields(&[("active_to", "2027-12-31")])).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = cm.get(&edit).await;
    let version = hidden_value(&page.text, "version").unwrap();
    // Ticked: ended today, with the responsibility typed in the form saved too.
    let mut f = fields(&[("end_on", today.as_str()), ("end_confirm", "on")]);
    f[1].1 = version;
    let r = post(end.clone(), f).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let team = cm_api.get(&format!("/api/v1/patients/{}", w.p)).await.body["team"].clone();
    let m = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == w.m_nav.to_string())
        .unwrap()
        .clone();
    assert_eq!(m["active_to"], today.as_str());
    assert_eq!(m["responsibility"], "Work-capacity follow-up, typed anew");
    // The last day is today: still on the team until it ends.
    let page = cm.get(&edit).await;
    assert!(page.text.contains(r#"id="end-membership""#));
}

async fn withdrawing_consent_needs_the_box_ticked(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let page = pia.get("/me/consent").await;
    assert_eq!(page.status, 200);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let version = hidden_value(&page.text, "version").unwrap();
    let gp_org = w.gp_org.to_string();
    let field = format!("c.{gp_org}.medication");
    assert!(
        page.text
            .contains(&format!(r#"name="{field}" value="yes" checked"#)),
        "the GP's practice sees medication before"
    );
    let gp = t.api(&t.token("gp").await);
    let consent_before = t
        .api(&t.token("pia").await)
        .get(&format!("/api/v1/patients/{}/consent", w.p))
        .await
        .body
        .clone();
    // Saying no to the GP's practice without the box: refused, the choice still shown,
    // what was withdrawn named, nothing changed.
    let r = pia
        .post_form(
            "/me/consent",
            &[("_csrf", &csrf), ("version", &version), (&field, "no")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(r#"id="withdraw_confirm-error""#));
    assert!(
        r.text
            .contains(&format!(r#"name="{field}" value="no" checked"#)),
        "the choice made is still shown"
    );
    assert!(r.text.contains(r#"class="confirm-list""#));
    assert!(r.text.contains("Testby legesenter"));
    let consent_now = t
        .api(&t.token("pia").await)
        .get(&format!("/api/v1/patients/{}/consent", w.p))
        .await
        .body
        .clone();
    assert_eq!(consent_now, consent_before, "nothing changed");
    let ov = gp.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(ov.status, 200);
    // Sharing more never asks.
    let r = pia
        .post_form(
            "/me/consent",
            &[("_csrf", &csrf), ("version", &version), (&field, "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    // Ticked: withdrawn.
    let version = hidden_value(&pia.get("/me/consent").await.text, "version").unwrap();
    let r = pia
        .post_form(
            "/me/consent",
            &[
                ("_csrf", &csrf),
                ("version", &version),
                (&field, "no"),
                ("withdraw_confirm", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = pia.get("/me/consent").await;
    assert!(page
        .text
        .contains(&format!(r#"name="{field}" value="no" checked"#)));
}
