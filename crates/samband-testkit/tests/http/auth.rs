//! Sign-in, sessions, throttling and bearer tokens.

use chrono::Duration;
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Backend, ClockExt, TestApp};
use serde_json::json;

both_backends!(
    two_step_verification_enrols_and_then_guards_sign_in,
    required_two_step_verification_sends_professionals_to_set_it_up,
    users_list_and_end_their_own_sessions,
    api_consent_and_sign_in_are_rate_limited_with_retry_after,
    sessions_end_after_the_absolute_limit_even_when_active,
    failed_sign_ins_are_throttled_per_address,
    session_cookie_is_safe_and_expires_when_idle,
    logout_revokes_the_session,
    failed_sign_ins_are_throttled_per_account,
    bearer_tokens_are_checked_and_expire,
    admin_creates_accounts_with_password_rules,
);

async fn session_cookie_is_safe_and_expires_when_idle(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let br = t.browser();
    let r = br.login("cm", PASSWORD).await;
    assert_eq!(
        (r.status, r.header("location").as_deref()),
        (303, Some("/patients"))
    );
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("samband_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert_eq!(br.get("/patients").await.status, 200);
    t.clock.advance(Duration::minutes(29));
    assert_eq!(
        br.get("/patients").await.status,
        200,
        "activity keeps the session alive"
    );
    t.clock.advance(Duration::minutes(31));
    let r = br.get("/patients").await;
    assert_eq!(r.status, 303, "idle for 31 minutes: signed out");
    assert!(r.header("location").unwrap().starts_with("/login"));
}

async fn logout_revokes_the_session(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let session_of = |r: &samband_testkit::Reply| {
        r.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("samband_session="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    let br = t.browser();
    let first = session_of(&br.login("gp", PASSWORD).await);
    let second = session_of(&t.browser().login("gp", PASSWORD).await);
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let status_with = |cookie: String| {
        let replay = replay.clone();
        let url = t.url("/patients");
        async move {
            replay
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status_with(first.clone()).await, 200);
    let csrf = samband_testkit::hidden_value(&br.get("/patients").await.text, "_csrf").unwrap();
    assert_eq!(
        br.post_form("/logout", &[("_csrf", &csrf)]).await.status,
        303
    );
    assert_eq!(br.get("/patients").await.status, 303, "signed out");
    assert_eq!(
        status_with(first).await,
        303,
        "the old cookie no longer works anywhere"
    );
    assert_eq!(
        status_with(second).await,
        200,
        "the user's other session is not touched"
    );
}

async fn failed_sign_ins_are_throttled_per_account(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let client = reqwest::Client::new();
    let try_token = |password: &'static str| {
        let client = client.clone();
        let url = t.url("/api/v1/auth/token");
        async move {
            let r = client
                .post(url)
                .json(&json!({"username": "gp", "password": password, "name": "t"}))
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned()),
            )
        }
    };
    for _ in 0..5 {
        assert_eq!(try_token("wrong password!!").await.0, 401);
    }
    let (status, retry) = try_token(PASSWORD).await;
    assert_eq!(status, 429, "locked even with the right password");
    assert_eq!(retry.as_deref(), Some("900"));
    // Another account from the same address is not locked by gp's failures.
    let r = client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "cm", "password": PASSWORD, "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    t.clock.advance(Duration::minutes(16));
    assert_eq!(try_token(PASSWORD).await.0, 201, "the window passes");
    // Unknown accounts answer exactly like wrong passwords.
    let r = client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "nobody", "password": "whatever-long", "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let mut tx = t.app.store.begin().await.unwrap();
    let audit = tx.list_audit(None, 10_000).await.unwrap();
    assert!(audit.iter().filter(|e| e.action == "login_failed").count() >= 6);
}

async fn bearer_tokens_are_checked_and_expire(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let token = t.token("gp").await;
    let me = t.api(&token).get("/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["display_name"], "Gunnar Lege");
    assert_eq!(t.api("sbt_forged").get("/api/v1/me").await.status, 401);
    let r = reqwest::get(t.url("/api/v1/me")).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_some());
    let bad_scope = reqwest::Client::new()
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "gp", "password": PASSWORD, "name": "t", "scopes": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_scope.status(), 422);
    t.clock.advance(Duration::days(90));
    assert_eq!(
        t.api(&token).get("/api/v1/me").await.status,
        401,
        "tokens expire (90 days by default)"
    );
    // Only the hash is stored.
    let mut tx = t.app.store.begin().await.unwrap();
    assert!(tx.get_token_by_hash(&token).await.unwrap().is_none());
    assert!(tx
        .get_token_by_hash(&samband_app::auth::sha256_hex(&token))
        .await
        .unwrap()
        .is_some());
}

async fn admin_creates_accounts_with_password_rules(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let admin = t.api(&t.token("admin").await);
    let weak = admin.post("/api/v1/accounts", json!({"username": "newgp", "password": "short", "role": "professional", "display_name": "New GP", "professional_id": w.gp})).await;
    assert_eq!(weak.error_fields(), vec!["password"]);
    let same = admin.post("/api/v1/accounts", json!({"username": "newgp", "password": "New GP", "role": "professional", "display_name": "newgp-newgp-x", "professional_id": w.gp})).await;
    assert_eq!(same.status, 422);
    let unlinked = admin.post("/api/v1/accounts", json!({"username": "newgp", "password": "a good long passphrase", "role": "professional", "display_name": "New GP"})).await;
    assert_eq!(unlinked.error_fields(), vec!["professional_id"]);
    let ok = admin.post("/api/v1/accounts", json!({"username": "newgp", "password": "a good long passphrase", "role": "professional", "display_name": "New GP", "professional_id": w.gp})).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let dup = admin.post("/api/v1/accounts", json!({"username": "newgp", "password": "a good long passphrase", "role": "admin", "display_name": "X"})).await;
    assert_eq!(dup.error_codes(), vec!["taken"]);
    let gp = t.api(&t.token("gp").await);
    assert_eq!(
        gp.post(
            "/api/v1/organisations",
            json!({"name": "X", "sector": "other"})
        )
        .await
        .status,
        403,
        "only administrators manage organisations"
    );
    assert_eq!(
        admin
            .post(
                "/api/v1/organisations",
                json!({"name": "X", "sector": "space"})
            )
            .await
            .error_fields(),
        vec!["sector"]
    );
}

async fn sessions_end_after_the_absolute_limit_even_when_active(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let br = t.browser();
    br.login("cm", PASSWORD).await;
    // Active every 20 minutes for 11 h 40 min: still signed in.
    for _ in 0..35 {
        t.clock.advance(Duration::minutes(20));
        assert_eq!(br.get("/patients").await.status, 200);
    }
    t.clock.advance(Duration::minutes(21));
    assert_eq!(
        br.get("/patients").await.status,
        303,
        "12 hours after sign-in the session ends"
    );
}

async fn failed_sign_ins_are_throttled_per_address(b: Backend) {
    let t = TestApp::start(b).await;
    t.world().await;
    let client = reqwest::Client::new();
    // 20 failures spread over many usernames from one address (password spraying).
    for i in 0..20 {
        let r = client
            .post(t.url("/api/v1/auth/token"))
            .json(&json!({"username": format!("guess{i}"), "password": "wrong password!!", "name": "t"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "cm", "password": PASSWORD, "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        429,
        "the address is throttled, whatever the account"
    );
    t.clock.advance(Duration::minutes(16));
    let r = client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "cm", "password": PASSWORD, "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

async fn api_consent_and_sign_in_are_rate_limited_with_retry_after(b: Backend) {
    let config = samband_app::AppConfig {
        rate_limits: samband_app::ratelimit::RateLimits {
            api_per_minute: 5,
            consent_per_minute: 2,
            sign_in_per_minute: 3,
        },
        ..Default::default()
    };
    let t = TestApp::start_with(b, config).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    for _ in 0..5 {
        assert_eq!(gp.get("/api/v1/me").await.status, 200);
    }
    let r = gp.get("/api/v1/me").await;
    assert_eq!(r.status, 429);
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another token has its own allowance.
    let pia_token = t.token("pia").await;
    let pia = t.api(&pia_token);
    let path = format!("/api/v1/patients/{}/consent", w.p);
    assert_eq!(
        pia.put(&path, Some("\"0\""), json!({"rules": []}))
            .await
            .status,
        200
    );
    assert_eq!(
        pia.put(&path, Some("\"1\""), json!({"rules": []}))
            .await
            .status,
        200
    );
    let r = pia.put(&path, Some("\"2\""), json!({"rules": []})).await;
    assert_eq!(r.status, 429, "consent changes have their own, lower limit");
    t.clock.advance(Duration::seconds(61));
    assert_eq!(gp.get("/api/v1/me").await.status, 200, "a new minute");
    // Sign-in attempts per address: 3 a minute (below the API's own 5 per address).
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = client
            .post(t.url("/api/v1/auth/token"))
            .json(&json!({"username": "cm", "password": PASSWORD, "name": "t"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
}

async fn users_list_and_end_their_own_sessions(b: Backend) {
    use samband_testkit::hidden_value;
    let t = TestApp::start(b).await;
    t.world().await;
    let laptop = t.browser();
    laptop.login("gp", PASSWORD).await;
    let phone = t.browser();
    phone.login("gp", PASSWORD).await;
    let other = t.browser();
    other.login("cm", PASSWORD).await;
    let page = laptop.get("/account").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.text.matches("name=\"session\"").count(),
        1,
        "the other session can be ended, not this one"
    );
    assert!(page.text.contains("This browser"));
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let handle = hidden_value(&page.text, "session").unwrap();
    // Someone else's session cannot be ended from this account.
    let cm_page = other.get("/account").await;
    let cm_csrf = hidden_value(&cm_page.text, "_csrf").unwrap();
    assert_eq!(
        other
            .post_form(
                "/account/sessions/revoke",
                &[("_csrf", &cm_csrf), ("session", &handle)]
            )
            .await
            .status,
        404
    );
    assert_eq!(phone.get("/patients").await.status, 200);
    let r = laptop
        .post_form(
            "/account/sessions/revoke",
            &[("_csrf", &csrf), ("session", &handle)],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        phone.get("/patients").await.status,
        303,
        "the phone is signed out"
    );
    assert_eq!(
        laptop.get("/patients").await.status,
        200,
        "this browser stays signed in"
    );
}

fn code_at(secret: &str, t: chrono::DateTime<chrono::Utc>) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    totp.generate(t.timestamp() as u64).to_string()
}

async fn two_step_verification_enrols_and_then_guards_sign_in(b: Backend) {
    use samband_testkit::hidden_value;
    let t = TestApp::start(b).await;
    t.world().await;
    let gp = t.browser();
    gp.login("gp", PASSWORD).await;
    let page = gp.get("/account/2fa").await;
    assert_eq!(page.status, 200);
    let secret = hidden_value(&page.text, "secret").unwrap();
    let csrf = hidden_value(&page.text, "_csrf").unwrap();
    let wrong = gp
        .post_form(
            "/account/2fa",
            &[("_csrf", &csrf), ("secret", &secret), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 422, "a wrong code does not turn it on");
    let code = code_at(&secret, t.clock.now_for_tests());
    let done = gp
        .post_form(
            "/account/2fa",
            &[("_csrf", &csrf), ("secret", &secret), ("code", &code)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let recovery: Vec<String> = done
        .text
        .split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next().map(str::to_owned))
        .collect();
    assert_eq!(recovery.len(), 10);

    // Password alone no longer signs in; the same code is not accepted twice.
    assert_eq!(t.browser().login("gp", PASSWORD).await.status, 401);
    let replay = t.browser();
    let form = replay.get("/login").await;
    let token = hidden_value(&form.text, "_csrf").unwrap();
    let r = replay
        .post_form(
            "/login",
            &[
                ("_csrf", &token),
                ("username", "gp"),
                ("password", PASSWORD),
                ("code", &code),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 401, "a used code is refused");
    t.clock.advance(Duration::seconds(30));
    let fresh = code_at(&secret, t.clock.now_for_tests());
    let ok = t.browser();
    let form = ok.get("/login").await;
    let token = hidden_value(&form.text, "_csrf").unwrap();
    let r = ok
        .post_form(
            "/login",
            &[
                ("_csrf", &token),
                ("username", "gp"),
                ("password", PASSWORD),
                ("code", &fresh),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "password and a fresh code sign in");

    // A recovery code works once, for the API too.
    let client = reqwest::Client::new();
    let token_with = |code: String| {
        let client = client.clone();
        let url = t.url("/api/v1/auth/token");
        async move {
            client
                .post(url)
                .json(&json!({"username": "gp", "password": PASSWORD, "name": "t", "code": code}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(token_with(String::new()).await, 401);
    assert_eq!(token_with(recovery[0].clone()).await, 201);
    assert_eq!(
        token_with(recovery[0].clone()).await,
        401,
        "recovery codes are single-use"
    );
}

async fn required_two_step_verification_sends_professionals_to_set_it_up(b: Backend) {
    let config = samband_app::AppConfig {
        require_totp_for_professionals: true,
        ..Default::default()
    };
    let t = TestApp::start_with(b, config).await;
    t.world().await;
    let gp = t.browser();
    assert_eq!(gp.login("gp", PASSWORD).await.status, 303);
    let r = gp.get("/patients").await;
    assert_eq!(
        (r.status, r.header("location").as_deref()),
        (303, Some("/account/2fa"))
    );
    assert_eq!(gp.get("/account/2fa").await.status, 200);
    let api = reqwest::Client::new()
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "gp", "password": PASSWORD, "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.status(),
        422,
        "no API token before two-step verification is set up"
    );
    // Patients are not required to.
    let pia = t.browser();
    pia.login("pia", PASSWORD).await;
    assert_eq!(pia.get("/me").await.status, 200);
}
