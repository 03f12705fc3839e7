//! API tokens: their lifetime chosen at issue time.

use chrono::{DateTime, Duration, Utc};
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{start_time, Backend, Reply, TestApp};
use serde_json::{json, Value};

both_backends!(tokens_last_ninety_days_unless_asked_and_never_over_the_maximum,);

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
