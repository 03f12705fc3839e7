//! API tokens: their lifetime chosen at issue time, listing my own (never their
//! secret), the last use, and revoking one (in the API and on "Your account").

use chrono::{DateTime, Duration, Utc};
use samband_app::auth::sha256_hex;
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{hidden_value, start_time, Backend, ClockExt, Reply, TestApp};
use serde_json::{json, Value};

both_backends!(
    tokens_last_ninety_days_unless_asked_and_never_over_the_maximum,
    my_tokens_are_listed_without_their_secret_with_their_last_use,
    a_revoked_token_is_refused_on_the_very_next_request,
    another_persons_token_cannot_be_revoked,
    the_account_page_lists_and_revokes_my_tokens,
);

/// Issues a token through `POST /api/v1/auth/token` with `extra` fields.
async fn issue(t: &TestApp, username: &str, name: &str, extra: Value) -> Reply {
    let mut body = json!({"username": username, "password": PASSWORD, "name": name});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let res = reqwest::Client::new()
        .post(t.url("/api/v1/auth/token"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    Reply {
        status,
        headers: Default::default(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// A token's secret and id.
async fn token(t: &TestApp, username: &str, name: &str, scopes: &str) -> (String, String) {
    let r = issue(t, username, name, json!({"scopes": scopes})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.body["token"].as_str().unwrap().to_owned(),
        r.body["id"].as_str().unwrap().to_owned(),
    )
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().map(|s| {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .with_timezone(&Utc)
    })
}

async fn tokens_last_ninety_days_unless_asked_and_never_over_the_maximum(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let r = issue(&t, "gp", "EHR sync", json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        time(&r.body["expires_at"]),
        Some(start_time() + Duration::days(90)),
        "90 days by default: {}",
        r.text
    );
    let secret = r.body["token"].as_str().unwrap().to_owned();
    let r = issue(&t, "gp", "Long", json!({"days": 365})).await;
    assert_eq!(r.status, 201, "the default maximum is 365 days: {}", r.text);
    assert_eq!(
        time(&r.body["expires_at"]),
        Some(start_time() + Duration::days(365))
    );
    for days in [366, 0] {
        let r = issue(&t, "gp", "Too long", json!({"days": days})).await;
        assert_eq!(r.status, 422, "{days} days: {}", r.text);
        assert_eq!(
            (r.error_fields(), r.error_codes()),
            (vec!["days".to_owned()], vec!["out_of_range".to_owned()]),
            "{}",
            r.text
        );
    }
    t.clock.advance(Duration::days(90) - Duration::minutes(1));
    assert_eq!(t.api(&secret).get("/api/v1/me").await.status, 200);
    t.clock.advance(Duration::minutes(1));
    assert_eq!(
        t.api(&secret).get("/api/v1/me").await.status,
        401,
        "refused from the 90th day on"
    );

    // A deployment with a shorter maximum: it caps the default and the document says so.
    let short = samband_app::AppConfig {
        token_max_days: 30,
        ..Default::default()
    };
    let t = TestApp::start_with(b, short).await;
    t.world().await;
    let r = issue(&t, "gp", "Capped", json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        time(&r.body["expires_at"]),
        Some(start_time() + Duration::days(30)),
        "the default never exceeds the maximum"
    );
    let r = issue(&t, "gp", "Over", json!({"days": 31})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_fields(), vec!["days"]);
    assert!(r.text.contains("between 1 and 30"), "{}", r.text);
    let doc = reqwest::get(t.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let days = &doc["components"]["schemas"]["TokenRequest"]["properties"]["days"];
    assert_eq!(
        (&days["maximum"], &days["default"]),
        (&json!(30), &json!(30))
    );
}

async fn my_tokens_are_listed_without_their_secret_with_their_last_use(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let (sync, sync_id) = token(&t, "gp", "EHR sync", "read write").await;
    t.clock.advance(Duration::minutes(1));
    let (report, report_id) = token(&t, "gp", "Weekly report", "read").await;
    let (cm, cm_id) = token(&t, "cm", "Care manager's", "read write").await;
    let listed_at = t.clock.now_for_tests();

    let r = t.api(&report).get("/api/v1/me/tokens").await;
    assert_eq!(r.status, 200, "{}", r.text);
    for secret in [&sync, &report, &cm] {
        assert!(!r.text.contains(secret.as_str()), "a secret is listed");
        assert!(!r.text.contains(&sha256_hex(secret)), "a hash is listed");
    }
    let list = r.body.as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec![report_id.as_str(), sync_id.as_str()],
        "my own, newest first"
    );
    assert!(!r.text.contains(&cm_id), "not someone else's");
    let (rep, syn) = (&list[0], &list[1]);
    assert_eq!(
        (&rep["name"], &rep["scopes"]),
        (&json!("Weekly report"), &json!("read"))
    );
    assert_eq!(
        (&syn["name"], &syn["scopes"]),
        (&json!("EHR sync"), &json!("read write"))
    );
    assert_eq!(time(&syn["created_at"]), Some(start_time()));
    assert_eq!(
        time(&syn["expires_at"]),
        Some(start_time() + Duration::days(90))
    );
    assert_eq!(syn["last_used_at"], Value::Null, "never used");
    assert_eq!(
        time(&rep["last_used_at"]),
        Some(listed_at),
        "the request that lists counts as a use"
    );

    // Used again within the minute: not written again; after it: written.
    let last_used = |list: &Value, id: &str| {
        time(
            &list
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == id)
                .unwrap()["last_used_at"],
        )
    };
    t.clock.advance(Duration::seconds(30));
    assert_eq!(t.api(&sync).get("/api/v1/me").await.status, 200);
    let first_use = t.clock.now_for_tests();
    t.clock.advance(Duration::seconds(30));
    let r = t.api(&sync).get("/api/v1/me/tokens").await;
    assert_eq!(last_used(&r.body, &sync_id), Some(first_use));
    assert_eq!(
        last_used(&r.body, &report_id),
        Some(listed_at),
        "another token's last use is its own"
    );
    t.clock.advance(Duration::seconds(31));
    let r = t.api(&sync).get("/api/v1/me/tokens").await;
    assert_eq!(
        last_used(&r.body, &sync_id),
        Some(t.clock.now_for_tests()),
        "over a minute later it is written again"
    );

    // Listing is audited; expired tokens are not listed.
    let mut tx = t.app.store.begin().await.unwrap();
    let audit = tx.list_audit(None, 10_000).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "tokens_listed"));
    drop(tx);
    let short = issue(&t, "gp", "Short", json!({"days": 1})).await;
    assert_eq!(short.status, 201);
    t.clock.advance(Duration::days(1));
    let r = t.api(&sync).get("/api/v1/me/tokens").await;
    assert_eq!(r.body.as_array().unwrap().len(), 2, "{}", r.text);
}

async fn a_revoked_token_is_refused_on_the_very_next_request(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let (keeper, keeper_id) = token(&t, "gp", "Keeper", "read write").await;
    let (lost, lost_id) = token(&t, "gp", "Lost laptop", "read write").await;
    assert_eq!(t.api(&lost).get("/api/v1/me").await.status, 200);
    let r = t
        .api(&keeper)
        .raw(reqwest::Client::new().delete(t.url(&format!("/api/v1/me/tokens/{lost_id}"))))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        t.api(&lost).get("/api/v1/me").await.status,
        401,
        "refused on the very next request"
    );
    let r = t.api(&keeper).get("/api/v1/me/tokens").await;
    assert_eq!(r.status, 200, "the other token still works");
    assert!(!r.text.contains(&lost_id), "a revoked token is not listed");
    let again = t
        .api(&keeper)
        .raw(reqwest::Client::new().delete(t.url(&format!("/api/v1/me/tokens/{lost_id}"))))
        .await;
    assert_eq!(again.status, 404, "revoked already: {}", again.text);

    let mut tx = t.app.store.begin().await.unwrap();
    let audit = tx.list_audit(None, 10_000).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "token_revoked")
        .expect("the revocation is audited");
    assert_eq!(
        (entry.object_type.as_str(), entry.object_id.as_deref()),
        ("api_token", Some(lost_id.as_str()))
    );
    drop(tx);

    // A read-only token may list but not revoke (the extractor's scope rule).
    let (reader, reader_id) = token(&t, "gp", "Reader", "read").await;
    let r = t
        .api(&reader)
        .raw(reqwest::Client::new().delete(t.url(&format!("/api/v1/me/tokens/{reader_id}"))))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(t.api(&reader).get("/api/v1/me").await.status, 200);
    // A token may revoke itself.
    let r = t
        .api(&keeper)
        .raw(reqwest::Client::new().delete(t.url(&format!("/api/v1/me/tokens/{keeper_id}"))))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(t.api(&keeper).get("/api/v1/me").await.status, 401);
    assert_eq!(t.api(&reader).get("/api/v1/me").await.status, 200);
}

async fn another_persons_token_cannot_be_revoked(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let (gp, _) = token(&t, "gp", "GP's", "read write").await;
    let (cm, cm_id) = token(&t, "cm", "Care manager's", "read write").await;
    for id in [
        cm_id.as_str(),
        "not-a-token-id",
        &uuid::Uuid::now_v7().to_string(),
    ] {
        let r = t
            .api(&gp)
            .raw(reqwest::Client::new().delete(t.url(&format!("/api/v1/me/tokens/{id}"))))
            .await;
        assert_eq!(r.status, 404, "{id}: {}", r.text);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{id}"
        );
    }
    assert_eq!(
        t.api(&cm).get("/api/v1/me").await.status,
        200,
        "their token still works"
    );
    let r = t.api(&cm).get("/api/v1/me/tokens").await;
    assert!(r.text.contains(&cm_id), "and is still listed: {}", r.text);
}

async fn the_account_page_lists_and_revokes_my_tokens(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let page = gp.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("You have no API tokens."),
        "{}",
        page.text
    );

    let (secret, id) = token(&t, "gp", "EHR sync", "read").await;
    let (cm_secret, cm_id) = token(&t, "cm", "Care manager's", "read write").await;
    let page = gp.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("EHR sync"), "{}", page.text);
    assert!(
        !page.text.contains(&secret),
        "the secret is never shown again"
    );
    assert!(!page.text.contains(&sha256_hex(&secret)));
    assert!(!page.text.contains(&cm_id), "not someone else's");
    // Times in the deployment's zone (Europe/Oslo, UTC+1 in winter): created 23 Nov
    // 10:00, expiring 90 days later.
    assert!(page.text.contains("23 Nov 2026 10:00"), "{}", page.text);
    assert!(page.text.contains("21 Feb 2027 10:00"), "{}", page.text);
    assert!(page.text.contains("Never"), "never used yet");
    assert!(
        page.text.contains("class=\"danger\""),
        "revoking is destructive"
    );

    t.clock.advance(Duration::minutes(5));
    assert_eq!(t.api(&secret).get("/api/v1/me").await.status, 200);
    let page = gp.get("/account").await;
    assert!(
        page.text.contains("23 Nov 2026 10:05"),
        "last used: {}",
        page.text
    );
    assert_eq!(
        hidden_value(&page.text, "token").as_deref(),
        Some(id.as_str())
    );
    let csrf = hidden_value(&page.text, "_csrf").unwrap();

    // Without the CSRF token nothing happens.
    let r = gp
        .post_form("/account/tokens/revoke", &[("token", &id)])
        .await;
    assert_eq!(r.status, 403);
    let r = gp
        .post_form(
            "/account/tokens/revoke",
            &[("_csrf", "forged"), ("token", &id)],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(t.api(&secret).get("/api/v1/me").await.status, 200);
    // Someone else's token cannot be revoked from this page either.
    let r = gp
        .post_form(
            "/account/tokens/revoke",
            &[("_csrf", &csrf), ("token", &cm_id)],
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(t.api(&cm_secret).get("/api/v1/me").await.status, 200);

    let r = gp
        .post_form(
            "/account/tokens/revoke",
            &[("_csrf", &csrf), ("token", &id)],
        )
        .await;
    assert_eq!(
        (r.status, r.header("location").as_deref()),
        (303, Some("/account"))
    );
    assert_eq!(
        t.api(&secret).get("/api/v1/me").await.status,
        401,
        "revoked on the page: refused on the very next request"
    );
    let page = gp.get("/account").await;
    assert!(
        page.text.contains("You have no API tokens."),
        "{}",
        page.text
    );

    // Norwegian and Danish pages name the column and the action in their language.
    let (_, _) = token(&t, "gp", "Script", "read write").await;
    let page = gp.get_with("/account", ("accept-language", "nb")).await;
    assert!(page.text.contains("Trekk tilbake"), "{}", page.text);
    assert!(page.text.contains("23.11.2026 kl. 10:05"), "{}", page.text);
    let page = gp.get_with("/account", ("accept-language", "da")).await;
    assert!(page.text.contains("Tilbagekald"), "{}", page.text);
}
