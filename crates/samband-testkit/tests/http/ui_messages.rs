//! Messages and requests through the HTML forms: compose with recipients and a file,
//! refused input re-shown with field errors and nothing written, the request answer
//! form, receipts, preferences and follow, the patient's own messages.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, Backend, TestApp};
use serde_json::json;

both_backends!(
    compose_form_sends_to_the_ticked_recipients_with_a_file,
    compose_form_refuses_bad_input_and_keeps_what_was_typed,
    request_form_answer_form_and_receipt,
    patient_writes_from_their_page_and_sees_replies,
    preferences_and_follow_through_forms,
);

async fn compose_form_sends_to_the_ticked_recipients_with_a_file(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let page = gp.get(&format!("/patients/{}/messages", w.p)).await;
    assert_eq!(page.status, 200);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    assert!(page
        .text
        .contains(&format!("value=\"member:{}\"", w.m_care_manager)));
    assert!(page.text.contains("value=\"role:NAV supervisor\""));
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("to", format!("member:{}", w.m_care_manager))
        .text("to", "role:NAV supervisor")
        .text("category", "plan_and_actions")
        .text("subject", "Discharge letter")
        .text("body", "The letter is attached.")
        .text("needs_ack", "on")
        .part(
            "attachment",
            reqwest::multipart::Part::bytes(b"Discharge summary, invented.".to_vec())
                .file_name("letter.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
    let res = gp
        .client
        .post(t.url(&format!("/patients/{}/messages", w.p)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let path = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(path.starts_with("/threads/"), "{path}");
    let html = gp.get(&path).await.text;
    assert!(html.contains("letter.txt"));
    assert!(html.contains("Cecilie Koordinator") && html.contains("Nina Veileder"));
    assert!(html.contains("data-state=\"sent\""));
    // The care manager sees it in the inbox, opens it, acknowledges through the form.
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let inbox = cm.get("/inbox").await;
    assert!(inbox.text.contains("Discharge letter"));
    let thread = cm.get(&path).await;
    let csrf = hidden_value(&thread.text, "_csrf").unwrap();
    let ack = thread
        .text
        .split("action=\"/messages/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("an acknowledge form")
        .to_owned();
    let r = cm
        .post_form(
            &format!("/messages/{ack}/acknowledge"),
            &[("_csrf", &csrf), ("thread", &path)],
        )
        .await;
    let r = follow(&cm, r).await;
    assert!(r.text.contains("data-state=\"acknowledged\""));
    // Without the CSRF token nothing happens.
    let r = cm
        .post_form(
            &format!("/messages/{ack}/acknowledge"),
            &[("thread", &path)],
        )
        .await;
    assert_eq!(r.status, 403);
}

async fn compose_form_refuses_bad_input_and_keeps_what_was_typed(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let page = gp.get(&format!("/patients/{}/messages", w.p)).await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let r = gp
        .post_form(
            &format!("/patients/{}/messages", w.p),
            &[
                ("_csrf", &csrf),
                ("to", &format!("member:{}", w.m_care_manager)),
                ("subject", "Kept subject"),
                ("body", "   "),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("error-summary"));
    assert!(r.text.contains("id=\"body-error\""));
    assert!(r.text.contains("value=\"Kept subject\""));
    // The ticked recipient stays ticked.
    let ticked = format!("value=\"member:{}\" checked", w.m_care_manager);
    assert!(r.text.contains(&ticked), "recipient kept");
    // An executable with a harmless name is refused at the field.
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("to", "team")
        .text("subject", "File")
        .text("body", "See file")
        .part(
            "attachment",
            reqwest::multipart::Part::bytes(b"MZ\x90\x00binary".to_vec()).file_name("report.pdf"),
        );
    let res = gp
        .client
        .post(t.url(&format!("/patients/{}/messages", w.p)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("only PDF, PNG, JPEG or plain text"));
    let api = t.api(&t.token("gp").await);
    let threads = api.get(&format!("/api/v1/patients/{}/threads", w.p)).await;
    assert_eq!(
        threads.body["items"].as_array().unwrap().len(),
        0,
        "nothing written"
    );
}

async fn request_form_answer_form_and_receipt(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.browser();
    cm.login("cm", PASSWORD).await;
    let page = cm.get(&format!("/patients/{}/messages", w.p)).await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    // A deadline in the past is refused, the form kept.
    let r = cm
        .post_form(
            &format!("/patients/{}/requests", w.p),
            &[
                ("_csrf", &csrf),
                ("kind", "status_report"),
                ("addressee_member_id", &w.m_gp.to_string()),
                ("subject", "Status"),
                ("questions", "How is she?"),
                ("due_date", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("id=\"due_date-error\""));
    let r = cm
        .post_form(
            &format!("/patients/{}/requests", w.p),
            &[
                ("_csrf", &csrf),
                ("kind", "status_report"),
                ("addressee_member_id", &w.m_gp.to_string()),
                ("subject", "Status"),
                ("questions", "How is she?\nCan she work?"),
                ("due_date", ""),
            ],
        )
        .await;
    let r = follow(&cm, r).await;
    assert!(r.text.contains("id=\"request-status\">Requested"));
    // The requester may re-address it (that form names the thread too), not answer it.
    assert!(
        !r.text.contains("/answer\""),
        "the requester gets no answer form"
    );

    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let api = t.api(&t.token("gp").await);
    let inbox = api.get("/api/v1/inbox").await;
    let tid = inbox.body["items"][0]["thread"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = gp.get(&format!("/threads/{tid}")).await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let version = hidden_value(&page.text, "version").unwrap();
    let rid = page
        .text
        .split("action=\"/requests/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let r = gp
        .post_form(
            &format!("/requests/{rid}/answer"),
            &[
                ("_csrf", &csrf),
                ("version", &version),
                ("thread", &tid),
                ("question_count", "2"),
                ("answers[0]", "Better"),
                ("answers[1]", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("value=\"Better\"") || r.text.contains(">Better</textarea>"),
        "typed answer kept"
    );
    let r = gp
        .post_form(
            &format!("/requests/{rid}/answer"),
            &[
                ("_csrf", &csrf),
                ("version", &version),
                ("thread", &tid),
                ("question_count", "2"),
                ("answers[0]", "Better"),
                ("answers[1]", "Half days"),
            ],
        )
        .await;
    let r = follow(&gp, r).await;
    assert!(r.text.contains("id=\"request-status\">Answered"));
    // A second answer from a stale page is a conflict, not an overwrite.
    let r = gp
        .post_form(
            &format!("/requests/{rid}/answer"),
            &[
                ("_csrf", &csrf),
                ("version", &version),
                ("thread", &tid),
                ("question_count", "2"),
                ("answers[0]", "X"),
                ("answers[1]", "Y"),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    let v = t
        .api(&t.token("cm").await)
        .get(&format!("/api/v1/threads/{tid}"))
        .await;
    assert_eq!(v.body["request"]["answers"], json!(["Better", "Half days"]));
}

async fn patient_writes_from_their_page_and_sees_replies(b: Backend) {
    let t = TestApp::start(b).await;
    let _w = t.world().await;
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    let page = pia.get("/me/messages").await;
    assert_eq!(page.status, 200);
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let r = pia
        .post_form(
            "/me/messages",
            &[("_csrf", &csrf), ("subject", ""), ("body", "Hello")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("id=\"subject-error\""));
    let r = pia
        .post_form(
            "/me/messages",
            &[
                ("_csrf", &csrf),
                ("subject", "Question"),
                ("body", "Can I bring my sister?"),
            ],
        )
        .await;
    let r = follow(&pia, r).await;
    assert!(r.text.contains("Gunnar Lege") && r.text.contains("Cecilie Koordinator"));
    let list = pia.get("/me/messages").await;
    assert!(list.text.contains("Question"));
    // The patient's nav shows the inbox badge hook for live updates.
    assert!(list.text.contains("data-events=\"/inbox/events\""));
}

async fn preferences_and_follow_through_forms(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let nav = t.browser();
    nav.login("nav", PASSWORD).await;
    let page = nav.get("/account/notifications").await;
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let r = nav
        .post_form(
            "/account/notifications",
            &[
                ("_csrf", &csrf),
                ("mode", "digest"),
                ("email", "no-at-sign"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("id=\"email-error\""));
    let r = nav
        .post_form(
            "/account/notifications",
            &[
                ("_csrf", &csrf),
                ("mode", "digest"),
                ("email", "nina@nav.test"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r
        .text
        .contains("id=\"mode-digest\" name=\"mode\" value=\"digest\" checked"));
    let r = nav
        .post_form(
            &format!("/patients/{}/follow", w.p),
            &[("_csrf", &csrf), ("follow", "on")],
        )
        .await;
    let r = follow(&nav, r).await;
    assert!(r.text.contains("Stop following"));
    let prefs = nav.get("/account/notifications").await;
    assert!(prefs.text.contains("Pia Pasient"));
}

/// A form answered 303 See Other: fetch where it points.
async fn follow(b: &samband_testkit::Browser, r: samband_testkit::Reply) -> samband_testkit::Reply {
    assert_eq!(r.status, 303, "{}", r.text);
    let to = r.header("location").expect("a Location header");
    let page = b.get(&to).await;
    assert_eq!(page.status, 200, "{}", page.text);
    page
}
