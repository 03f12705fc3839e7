//! The coordinator's caseload registry through the API and the UI: the professional's
//! own caseload with its facts and flags, filtered and ordered by the server and paged
//! by a cursor of its own order; bad parameters named; a row withheld by consent left
//! out of an order that rests on what is withheld; the CSV export with every row
//! audited as an export; patients have none.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    the_registry_lists_my_caseload_with_flags_filters_orders_and_pages,
    the_registry_leaves_out_what_consent_withholds_and_exports_audited_csv,
    a_case_review_recommendation_becomes_the_gps_task,
);

fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_registry_lists_my_caseload_with_flags_filters_orders_and_pages(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let cm = t.api(&t.token("cm").await);
    // One overdue action on Pia (owned by the GP), one open and not yet due.
    for (title, due) in [("Blood test", "2026-11-30"), ("Review", "2026-12-20")] {
        let r = cm
            .post(
                &format!("/api/v1/patients/{}/actions", w.p),
                json!({"title": title, "owner_member_id": w.m_gp, "due_date": due}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    // Twelve days on: the blood test is overdue, the review is not.
    t.clock.set(at(2026, 12, 5));

    let all = gp.get("/api/v1/registry").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(names(&all.body), ["Pia Pasient", "Quentin Annen"]);
    assert_eq!(all.body["total"], 2);
    assert_eq!(all.body["sort"], "name");
    let pia = &all.body["items"][0];
    assert_eq!(pia["patient_id"], w.p.to_string());
    assert_eq!(
        (
            pia["open_actions"].as_i64(),
            pia["overdue_actions"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        pia["flags"],
        json!(["overdue", "new"]),
        "new: joined twelve days ago, never reviewed"
    );
    assert_eq!(
        pia["is_coordinator"], false,
        "the care manager coordinates Pia"
    );
    assert_eq!(
        pia["weeks_in_treatment"], 1,
        "the membership began twelve days ago"
    );
    assert_eq!(pia["enrolled_on"], "2026-11-23");
    assert_eq!(pia["last_contact"], Value::Null);
    assert_eq!(
        pia["relapse_plan"], "none",
        "no relapse-prevention plan written yet"
    );
    let quentin = &all.body["items"][1];
    assert_eq!(quentin["is_coordinator"], true);
    assert_eq!(quentin["flags"], json!(["new"]));

    // Filters and orders are the server's.
    let r = gp.get("/api/v1/registry?flag=overdue").await;
    assert_eq!(names(&r.body), ["Pia Pasient"]);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["flags"], json!(["overdue"]));
    let r = gp.get("/api/v1/registry?coordinating=true").await;
    assert_eq!(names(&r.body), ["Quentin Annen"]);
    let r = gp
        .get("/api/v1/registry?flag=overdue,needs_new_owner")
        .await;
    assert_eq!(r.body["total"], 0, "every flag must hold");
    let r = gp.get("/api/v1/registry?sort=overdue&limit=1").await;
    assert_eq!(names(&r.body), ["Pia Pasient"], "most overdue first");
    let next = r.body["next"].as_str().unwrap().to_owned();
    let r2 = gp
        .get(&format!(
            "/api/v1/registry?sort=overdue&limit=1&cursor={next}"
        ))
        .await;
    assert_eq!(names(&r2.body), ["Quentin Annen"]);
    assert_eq!(r2.body["next"], Value::Null);

    // Bad parameters: each named, nothing read.
    let r = gp.get("/api/v1/registry?sort=age&flag=sad").await;
    assert_eq!(r.status, 422, "{}", r.text);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["flag", "sort"]);
    let r = gp
        .get(&format!("/api/v1/registry?sort=name&cursor={next}"))
        .await;
    assert_eq!(r.status, 422, "a cursor of another order");
    assert_eq!(r.error_fields(), ["cursor"]);
    let r = gp.get("/api/v1/registry?limit=0").await;
    assert_eq!(r.error_fields(), ["limit"]);

    // Thirty days without contact since they joined the caseload: both flagged.
    t.clock.set(at(2026, 12, 22));
    let r = gp.get("/api/v1/registry?flag=no_contact").await;
    assert_eq!(r.body["total"], 0, "a month has not passed");
    t.clock.set(at(2026, 12, 30));
    let r = gp.get("/api/v1/registry?flag=no_contact").await;
    assert_eq!(names(&r.body), ["Pia Pasient", "Quentin Annen"]);
    t.clock.set(at(2026, 12, 5));

    // The care manager's registry holds Pia only; a patient has none.
    let r = cm.get("/api/v1/registry").await;
    assert_eq!(names(&r.body), ["Pia Pasient"]);
    assert_eq!(r.body["items"][0]["is_coordinator"], true);
    let pia_api = t.api(&t.token("pia").await);
    let r = pia_api.get("/api/v1/registry").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["total"], 0);

    // The page: rows, the filter kept in the form and in the export link.
    let browser = t.browser();
    browser.login("gp", PASSWORD).await;
    let page = browser.get("/registry?flag=overdue&sort=overdue").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Pia Pasient"));
    assert!(!page.text.contains("Quentin Annen"), "filtered out");
    assert!(page.text.contains(r#"value="overdue" checked"#));
    assert!(page.text.contains(r#"<option value="overdue" selected>"#));
    assert!(
        page.text
            .contains(r#"href="/registry/export.csv?flag=overdue&#38;sort=overdue""#),
        "{}",
        page.text
    );
    assert!(page.text.contains("flag-overdue"));
    let csv = browser
        .get("/registry/export.csv?flag=overdue&sort=overdue")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(
        csv.text.lines().count(),
        2,
        "the header and Pia: {}",
        csv.text
    );
    let patient = t.browser();
    patient.login("pia", PASSWORD).await;
    let r = patient.get("/registry").await;
    assert_eq!(r.status, 303);
}

async fn the_registry_leaves_out_what_consent_withholds_and_exports_audited_csv(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let nav = t.api(&t.token("nav").await);
    let r = cm
        .post(
            &format!("/api/v1/patients/{}/actions", w.p),
            json!({"title": "Blood test", "owner_member_id": w.m_gp, "due_date": "2026-11-30"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    t.clock.set(at(2026, 12, 5));
    let r = nav.get("/api/v1/registry").await;
    assert_eq!(
        r.body["items"][0]["overdue_actions"], 1,
        "plan information is social security's by default"
    );

    // Pia withholds plan information from social security.
    let pia = t.api(&t.token("pia").await);
    let r = pia
        .put(
            &format!("/api/v1/patients/{}/consent", w.p),
            Some("\"0\""),
            json!({"rules": [{"recipient_kind": "sector", "recipient": "social_security", "category": "plan_and_actions", "permit": false}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = nav.get("/api/v1/registry").await;
    assert_eq!(
        names(&r.body),
        ["Pia Pasient"],
        "still on the caseload by name"
    );
    let row = &r.body["items"][0];
    assert_eq!(row["overdue_actions"], 0);
    assert_eq!(row["open_actions"], 0);
    assert_eq!(row["flags"], json!([]));
    assert_eq!(row["enrolled_on"], Value::Null);
    assert_eq!(
        row["withheld"],
        json!(["self_reports", "plan", "relapse_plan"]),
        "social security reads no self-reports and no crisis or relapse plan by default either"
    );
    assert_eq!(row["relapse_plan"], Value::Null);
    // An order or filter on plan information would place her by it: she is left out
    // and counted as hidden.
    for q in ["sort=overdue", "flag=overdue"] {
        let r = nav.get(&format!("/api/v1/registry?{q}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(names(&r.body), Vec::<String>::new(), "{q}");
        assert_eq!(r.body["hidden"], 1, "{q}");
    }

    // The export: the columns of the JSON rows, one line per patient, each audited as
    // an export in the patient's access log.
    let gp = t.api(&t.token("gp").await);
    let csv = gp
        .raw(
            gp.client()
                .get(t.url("/api/v1/registry.csv?sort=overdue"))
                .bearer_auth(t.token("gp").await),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(csv.header("cache-control").as_deref(), Some("no-store"));
    let mut lines = csv.text.lines();
    assert_eq!(
        lines.next().unwrap(),
        samband_app::registry::CSV_COLUMNS.join(",")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].starts_with(&format!("{},Pia Pasient,GP,false,", w.p)),
        "{}",
        rows[0]
    );
    assert!(rows[0].ends_with(",overdue new,"), "{}", rows[0]);
    let log = pia
        .get(&format!("/api/v1/patients/{}/access-log?limit=200", w.p))
        .await;
    assert!(
        log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["who"] == "Gunnar Lege" && e["action"] == "export"),
        "the export is in Pia's access log: {}",
        log.text
    );
}

/// The case-review queue holds the new patients; a recommendation recorded for one
/// becomes the GP's task (found by role), tells them, takes the patient off the queue,
/// and is read under clinical notes (social security sees neither it nor its text in the
/// task). Bad input is named field by field and writes nothing, in the API and the form.
async fn a_case_review_recommendation_becomes_the_gps_task(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let cm = t.api(&t.token("cm").await);
    let gp = t.api(&t.token("gp").await);
    let nav = t.api(&t.token("nav").await);
    let queue = cm.get("/api/v1/registry?review=true").await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    assert_eq!(names(&queue.body), ["Pia Pasient"]);
    assert_eq!(queue.body["review"], true);
    assert_eq!(queue.body["items"][0]["flags"], json!(["new"]));
    let path = format!("/api/v1/patients/{}/case-reviews", w.p);
    let actions_before = cm.get(&format!("/api/v1/patients/{}", w.p)).await.body["actions"]
        .as_array()
        .unwrap()
        .len();

    let r = cm
        .post(
            &path,
            json!({"recommendation": " ", "to_member": w.p.to_string(), "due_date": "2026-11-01"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["due_date", "recommendation", "to_member"]);
    assert_eq!(cm.get(&path).await.body, json!([]), "nothing recorded");

    let r = cm
        .post(
            &path,
            json!({"recommendation": "Raise sertraline to 100 mg; PHQ-9 again in 4 weeks", "due_date": "2026-12-07"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["to_member_id"],
        w.m_gp.to_string(),
        "the team's GP, by role"
    );
    assert_eq!(r.body["reviewer_member_id"], w.m_care_manager.to_string());
    let action_id = r.body["action_id"].as_str().unwrap().to_owned();
    let ov = gp.get(&format!("/api/v1/patients/{}", w.p)).await;
    let actions = ov.body["actions"].as_array().unwrap();
    assert_eq!(actions.len(), actions_before + 1);
    let task = actions
        .iter()
        .find(|a| a["id"] == action_id.as_str())
        .unwrap();
    assert_eq!(task["owner_member_id"], w.m_gp.to_string());
    assert_eq!(task["due_date"], "2026-12-07");
    assert!(
        !task["title"].as_str().unwrap().contains("sertraline"),
        "the task names the review, not the advice"
    );
    let notes = gp.get("/api/v1/notifications").await;
    assert!(
        notes.text.contains("case-review recommendation"),
        "{}",
        notes.text
    );
    let listed = gp.get(&path).await;
    assert_eq!(
        listed.body[0]["recommendation"],
        "Raise sertraline to 100 mg; PHQ-9 again in 4 weeks"
    );

    // Off the queue, with the day of the review on the registry row.
    let queue = cm.get("/api/v1/registry?review=true").await;
    assert_eq!(queue.body["total"], 0);
    let row = &cm.get("/api/v1/registry").await.body["items"][0];
    assert!(row["last_review"].is_string());
    assert_eq!(row["flags"], json!([]));

    // Social security: the advice is clinical, not theirs to read.
    let r = nav.get(&path).await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    assert!(!r.text.contains("sertraline"));
    assert!(!nav
        .get(&format!("/api/v1/patients/{}", w.p))
        .await
        .text
        .contains("sertraline"));

    // The form: errors beside their fields with what was typed kept, then recorded.
    let browser = t.browser();
    browser.login("cm", PASSWORD).await;
    let form_path = format!("/patients/{}/case-reviews", w.p);
    let page = browser.get(&form_path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("Raise sertraline"),
        "the earlier recommendation is listed"
    );
    let csrf = samband_testkit::hidden_value(&page.text, "_csrf").unwrap();
    let r = browser
        .post_form(
            &form_path,
            &[
                ("_csrf", &csrf),
                ("recommendation", "Add CBT referral"),
                ("to_member", ""),
                ("due_date", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains(r#"id="due_date-error""#), "{}", r.text);
    assert!(r.text.contains(">Add CBT referral</textarea>"));
    assert!(
        r.text.contains("must be on or after 2026-11-23"),
        "the message states the bound"
    );
    let r = browser
        .post_form(
            &form_path,
            &[
                ("_csrf", &csrf),
                ("recommendation", "Add CBT referral"),
                ("to_member", ""),
                ("due_date", "2026-12-14"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(gp.get(&path).await.body.as_array().unwrap().len(), 2);
    let page = browser.get("/registry?review=true").await;
    assert!(page.text.contains("No patients match."), "{}", page.text);
    assert!(page.text.contains("<h1>Case review</h1>"));
}
