//! Every list is paged: walking a list page by page yields every row exactly once, in
//! the list's order, with the whole list's count on every page; a malformed cursor or a
//! page size out of bounds is a field error that changes nothing.

use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Api, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    caseload_pages_walk_every_patient_once_by_name_then_id,
    history_pages_walk_every_change_once_newest_first,
    bad_cursors_and_page_sizes_are_field_errors_that_change_nothing,
    the_caseload_page_counts_patients_and_links_on_keeping_the_page_size,
    the_audit_export_pages_the_whole_trail_in_sequence_for_administrators,
    the_access_log_pages_newest_first_with_its_count,
    the_directory_pages_by_name_and_the_admin_page_keeps_each_lists_place,
);

/// Registers `n` patients with the GP as coordinator, their names drawn from three, so
/// the caseload's sort key is full of ties.
async fn register_many(gp: &Api, n: usize) {
    let names = ["Berg Ola", "Aas Kari", "Berg Ola", "Moe Per"];
    for i in 0..n {
        let r = gp
            .post(
                "/api/v1/patients",
                json!({"name": names[i % names.len()], "birth_date": "1980-01-01", "preferred_contact": "in_app", "my_role": "GP", "my_responsibility": "Medication"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

/// Every page of a list, following `next` from `first`.
async fn walk(api: &Api, first: &str) -> (Vec<Value>, Vec<Value>) {
    let mut pages = Vec::new();
    let mut items = Vec::new();
    let mut url = first.to_owned();
    for _ in 0..50 {
        let r = api.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        items.extend(r.body["items"].as_array().unwrap().iter().cloned());
        let next = r.body["next"].as_str().map(str::to_owned);
        pages.push(r.body);
        match next {
            Some(c) => {
                let sep = if first.contains('?') { '&' } else { '?' };
                url = format!("{first}{sep}cursor={c}");
            }
            None => return (pages, items),
        }
    }
    panic!("the walk of {first} does not end");
}

async fn caseload_pages_walk_every_patient_once_by_name_then_id(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let gp = t.api(&t.token("gp").await);
    register_many(&gp, 13).await;
    // The fixture's two patients are on the GP's caseload too: 15 in all.
    let (pages, items) = walk(&gp, "/api/v1/patients?limit=4").await;
    assert_eq!(pages.len(), 4, "4 + 4 + 4 + 3");
    for p in &pages {
        assert_eq!(p["total"], 15, "every page counts the whole caseload");
        assert_eq!(p["limit"], 4);
        assert!(p["items"].as_array().unwrap().len() <= 4);
    }
    assert!(pages[3]["next"].is_null(), "the last page has no next");
    let keys: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "by name then id, no patient twice");
    assert_eq!(keys.len(), 15, "no patient left out");
    // The default page holds them all.
    let all = gp.get("/api/v1/patients").await;
    assert_eq!(all.body["limit"], 50);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 15);
    assert!(all.body["next"].is_null());
}

async fn history_pages_walk_every_change_once_newest_first(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let a = gp
        .post(
            &format!("/api/v1/patients/{}/actions", w.p),
            json!({"title": "Review medication", "owner_member_id": w.m_gp, "due_date": "2026-12-24"}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let path = format!(
        "/api/v1/patients/{}/actions/{}",
        w.p,
        a.body["id"].as_str().unwrap()
    );
    // Six updates at the same instant (the clock stands still): ties on the sort key.
    for v in 1..=6 {
        let r = gp
            .put(
                &path,
                Some(&format!("\"{v}\"")),
                json!({"title": format!("Review medication {v}"), "owner_member_id": w.m_gp, "due_date": "2026-12-24"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let first = format!(
        "/api/v1/patients/{}/history?object_id={}&limit=3",
        w.p,
        a.body["id"].as_str().unwrap()
    );
    let (pages, items) = walk(&gp, &first).await;
    assert_eq!(pages.len(), 3, "3 + 3 + 1");
    assert!(pages.iter().all(|p| p["total"] == 7));
    let versions: Vec<i64> = items
        .iter()
        .map(|i| i["version"].as_i64().unwrap())
        .collect();
    assert_eq!(
        versions,
        [7, 6, 5, 4, 3, 2, 1],
        "newest first, each change once"
    );
}

async fn bad_cursors_and_page_sizes_are_field_errors_that_change_nothing(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    // A real cursor of another list is refused as well as a broken one.
    let other = gp
        .get(&format!("/api/v1/patients/{}/history?limit=1", w.p))
        .await;
    let foreign = other.body["next"].as_str().map(str::to_owned);
    let before = t.fingerprint().await;
    let mut cases = vec![
        ("/api/v1/patients?limit=0".to_owned(), "limit", "page_size"),
        (
            "/api/v1/patients?limit=201".to_owned(),
            "limit",
            "page_size",
        ),
        (
            "/api/v1/patients?limit=many".to_owned(),
            "limit",
            "page_size",
        ),
        (
            "/api/v1/patients?cursor=not-a-cursor".to_owned(),
            "cursor",
            "bad_cursor",
        ),
        (
            format!("/api/v1/patients/{}/history?cursor=%25%25", w.p),
            "cursor",
            "bad_cursor",
        ),
        (
            format!("/api/v1/patients/{}/history?limit=-3", w.p),
            "limit",
            "page_size",
        ),
    ];
    if let Some(c) = &foreign {
        cases.push((
            format!("/api/v1/patients?cursor={c}"),
            "cursor",
            "bad_cursor",
        ));
    }
    for (url, field, code) in &cases {
        let r = gp.get(url).await;
        assert_eq!(r.status, 422, "{url}: {}", r.text);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{url}"
        );
        assert_eq!(r.error_fields(), vec![field.to_string()], "{url}");
        assert_eq!(r.error_codes(), vec![code.to_string()], "{url}");
    }
    assert_eq!(
        t.fingerprint().await,
        before,
        "a refused page request wrote nothing"
    );
}

async fn the_caseload_page_counts_patients_and_links_on_keeping_the_page_size(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    register_many(&t.api(&t.token("gp").await), 4).await;
    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let first = gp.get("/patients?limit=4").await;
    assert_eq!(first.status, 200);
    assert!(first.text.contains("6 patients"), "{}", first.text);
    assert!(
        !first.text.contains("rel=\"first\""),
        "no way back from the first page"
    );
    let next = first
        .text
        .split("rel=\"next\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .map(|s| {
            s.trim_end_matches("\" ")
                .trim_end_matches('"')
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .unwrap();
    assert!(
        next.starts_with("/patients?cursor=") && next.ends_with("&limit=4"),
        "{next}"
    );
    let second = gp.get(&next).await;
    assert_eq!(second.status, 200);
    assert!(second.text.contains("6 patients"));
    assert!(second.text.contains("Showing 2 of 6"), "{}", second.text);
    assert!(
        second
            .text
            .contains("href=\"/patients?limit=4\" rel=\"first\""),
        "{}",
        second.text
    );
    assert!(!second.text.contains("rel=\"next\""), "the last page");
    // The two pages together name every patient once.
    let rows = |html: &str| html.matches("<td data-label=\"Name\">").count();
    assert_eq!(rows(&first.text) + rows(&second.text), 6);
    // A broken link is a 422 page that says what is wrong, in the reader's language.
    let bad = gp.get("/patients?cursor=xyz").await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("This page link is not valid"),
        "{}",
        bad.text
    );
}

async fn the_audit_export_pages_the_whole_trail_in_sequence_for_administrators(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    // Some traffic to export.
    let gp = t.api(&t.token("gp").await);
    for _ in 0..3 {
        assert_eq!(
            gp.get(&format!("/api/v1/patients/{}", w.p)).await.status,
            200
        );
    }
    let admin = t.api(&t.token("admin").await);
    let (pages, items) = walk(&admin, "/api/v1/audit?limit=7").await;
    assert!(pages.len() > 2, "several pages");
    let seqs: Vec<i64> = items.iter().map(|i| i["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "every entry once, in sequence order, none skipped"
    );
    let first_total = pages[0]["total"].as_i64().unwrap();
    assert!(first_total >= 7 && seqs.len() as i64 >= first_total);
    // Each page read is itself in the trail.
    assert!(items
        .iter()
        .any(|i| i["object_type"] == "audit_log" && i["action"] == "export"));
    let fhir = admin.get("/api/v1/audit?format=fhir&limit=2").await;
    assert_eq!(fhir.status, 200, "{}", fhir.text);
    assert_eq!(fhir.body["items"][0]["resourceType"], "AuditEvent");
    assert_eq!(fhir.body["items"].as_array().unwrap().len(), 2);
    let bad = admin.get("/api/v1/audit?format=xml").await;
    assert_eq!(
        (bad.status, bad.error_fields()),
        (422, vec!["format".to_owned()])
    );
    // Professionals and patients may not export it, and each refusal is in the trail.
    let denials = |items: &[serde_json::Value]| {
        items
            .iter()
            .filter(|i| i["object_type"] == "audit_log" && i["action"] == "deny")
            .count()
    };
    let before = denials(&walk(&admin, "/api/v1/audit?limit=200").await.1);
    assert_eq!(gp.get("/api/v1/audit").await.status, 403);
    assert_eq!(
        t.api(&t.token("pia").await)
            .get("/api/v1/audit")
            .await
            .status,
        403
    );
    let after = denials(&walk(&admin, "/api/v1/audit?limit=200").await.1);
    assert_eq!(after, before + 2, "both refused exports are audited");
}

async fn the_access_log_pages_newest_first_with_its_count(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    for _ in 0..5 {
        assert_eq!(
            gp.get(&format!("/api/v1/patients/{}", w.p)).await.status,
            200
        );
    }
    let pia = t.api(&t.token("pia").await);
    let all = pia
        .get(&format!("/api/v1/patients/{}/access-log?limit=200", w.p))
        .await;
    let everything = all.body["items"].as_array().unwrap().clone();
    let (pages, items) = walk(
        &pia,
        &format!("/api/v1/patients/{}/access-log?limit=3", w.p),
    )
    .await;
    assert!(pages.len() >= 2);
    // Reading the log is itself logged, after the read: the walk holds the log as the
    // first page found it — the earlier full read's own entry first, then everything
    // that read showed, in the same order — and later pages (older entries) never see
    // the walk's own reads, so nothing comes twice.
    assert_eq!(items.len(), everything.len() + 1);
    assert_eq!(items[0]["object"], "access_log");
    assert_eq!(items[1..].to_vec(), everything);
    assert!(pages
        .iter()
        .all(|p| p["total"].as_i64() >= Some(items.len() as i64)));
    assert_eq!(pages[0]["total"].as_i64(), Some(items.len() as i64));
}

async fn the_directory_pages_by_name_and_the_admin_page_keeps_each_lists_place(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let admin = t.api(&t.token("admin").await);
    let org = admin.get("/api/v1/organisations").await.body["items"][0]["id"].clone();
    for name in [
        "Aune Siri",
        "Aune Siri",
        "Bakke Tor",
        "Aune Siri",
        "Dahl Eva",
    ] {
        let r = admin
            .post(
                "/api/v1/professionals",
                json!({"name": name, "title": "Nurse", "organisation_ids": [org]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let (pages, items) = walk(&admin, "/api/v1/professionals?limit=2").await;
    let total = pages[0]["total"].as_i64().unwrap();
    assert!(total >= 5, "the fixture's and the five new ones: {total}");
    assert!(
        pages.iter().all(|p| p["total"] == total),
        "the count on every page"
    );
    assert!(pages
        .iter()
        .all(|p| p["items"].as_array().unwrap().len() <= 2));
    assert_eq!(items.len() as i64, total, "every professional once");
    let keys: Vec<(String, String)> = items
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "by name then id, no repeats");
    let (_, orgs) = walk(&admin, "/api/v1/organisations?limit=1").await;
    let all_orgs = admin.get("/api/v1/organisations?limit=200").await;
    assert_eq!(
        orgs.len() as i64,
        all_orgs.body["total"].as_i64().unwrap(),
        "every organisation once"
    );
    // The administration page pages each list on its own parameters and keeps the
    // others' place: the professionals' next link carries the organisations' page size.
    let web = t.browser();
    web.login("admin", PASSWORD).await;
    let page = web.get("/admin?pro_limit=2&org_limit=1").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let links: Vec<&str> = page
        .text
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/admin?"))
        .collect();
    assert!(
        links.iter().any(|h| h.contains("pro_cursor=")
            && h.contains("pro_limit=2")
            && h.contains("org_limit=1")),
        "{links:?}"
    );
    assert!(
        links.iter().any(|h| h.contains("org_cursor=")
            && h.contains("org_limit=1")
            && h.contains("pro_limit=2")),
        "{links:?}"
    );
}
