//! Self-monitoring in the web UI: the team sets a schedule (field errors keep what was
//! typed), the patient sees "Check-ins due" on their page, answers on one scrolling
//! form of radio groups (a bad answer named beside its question, the others kept,
//! nothing stored), sees their trend in plain words, pauses with a reason the team
//! then sees.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Backend, TestApp};

both_backends!(the_patient_answers_on_one_form_and_the_team_sees_the_trend);

async fn the_patient_answers_on_one_form_and_the_team_sees_the_trend(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let api = t.api(&t.token("cm").await);
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let team = format!("/patients/{}/self-monitoring", w.p);
    let page = cm.get(&team).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let r = cm
        .post_form(
            &team,
            &[
                ("_csrf", &csrf),
                ("instrument", ""),
                ("every_days", "often"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(r#"id="instrument-error""#), "{}", r.text);
    assert!(r.text.contains(r#"id="every_days-error""#));
    assert!(r.text.contains(r#"value="often""#));
    let schedules = format!("/api/v1/patients/{}/schedules", w.p);
    assert_eq!(api.get(&schedules).await.body, serde_json::json!([]));
    let r = cm
        .post_form(
            &team,
            &[
                ("_csrf", &csrf),
                ("instrument", "phq9"),
                ("every_days", "14"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let id = api.get(&schedules).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let me = pia.get("/me").await;
    assert!(me.text.contains(r#"id="checkins-due""#), "{}", me.text);
    assert!(me.text.contains(&format!("/me/check-ins/{id}")));
    let form = pia.get(&format!("/me/check-ins/{id}")).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert_eq!(form.text.matches("<fieldset").count(), 9);
    assert_eq!(form.text.matches(r#"type="radio""#).count(), 36);
    assert!(form.text.contains("Nearly every day"));
    let csrf = hidden_value(&form.text, "_csrf").unwrap();
    let answer = format!("/me/check-ins/{id}");
    let r = pia
        .post_form(
            &answer,
            &[
                ("_csrf", &csrf),
                ("answers.interest", "2"),
                ("answers.sleep", "9"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(r#"id="answers-sleep-error""#), "{}", r.text);
    assert!(r
        .text
        .contains(r#"name="answers.interest" value="2" checked"#));
    let responses = format!("/api/v1/patients/{}/responses", w.p);
    assert_eq!(
        api.get(&responses).await.body["items"],
        serde_json::json!([])
    );

    let mut fields: Vec<(String, String)> = vec![("_csrf".into(), csrf.clone())];
    for k in [
        "interest",
        "down",
        "sleep",
        "tired",
        "appetite",
        "failure",
        "concentration",
        "psychomotor",
        "self_harm",
    ] {
        fields.push((format!("answers.{k}"), "1".into()));
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = pia.post_form(&answer, &borrowed).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let mine = pia.get("/me/check-ins").await;
    assert!(mine.text.contains(r#"<svg class="trend""#), "{}", mine.text);
    assert!(mine.text.contains("Lower is better."));
    assert!(mine.text.contains("Fewer than three answers"));
    assert!(mine.text.contains("not watched around the clock"));
    assert_eq!(
        api.get(&responses).await.body["items"][0]["scores"]["total"],
        9
    );

    // Pause: a blank reason is named; then paused, and the team sees why.
    let csrf = hidden_value(&mine.text, "_csrf").unwrap();
    let version = api.get(&schedules).await.body[0]["version"]
        .as_i64()
        .unwrap()
        .to_string();
    let pause = format!("/me/check-ins/{id}/pause");
    let r = pia
        .post_form(
            &pause,
            &[("_csrf", &csrf), ("version", &version), ("reason", " ")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(r#"id="reason-error""#), "{}", r.text);
    let r = pia
        .post_form(
            &pause,
            &[
                ("_csrf", &csrf),
                ("version", &version),
                ("reason", "Travelling"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let seen = cm.get(&team).await;
    assert!(
        seen.text.contains("Paused by the patient: Travelling"),
        "{}",
        seen.text
    );
    assert!(seen.text.contains(r#"<svg class="trend""#));
    assert!(seen.text.contains("<desc"));
    assert!(seen.text.contains("<table"));
}
