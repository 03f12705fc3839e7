//! Metrics after real, authorised requests: counted by route template, and nothing
//! in them names a patient (or anyone else) the requests touched.

use samband_testkit::{Backend, TestApp};

both_backends!(metrics_count_route_templates_and_name_no_patient);

async fn metrics_count_route_templates_and_name_no_patient(b: Backend) {
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let api = t.api(&t.token("gp").await);
    let read = api.get(&format!("/api/v1/patients/{}", w.p)).await;
    assert_eq!(read.status, 200, "{}", read.text);
    let history = api.get(&format!("/api/v1/patients/{}/history", w.p)).await;
    assert_eq!(history.status, 200, "{}", history.text);
    api.get(&format!("/api/v1/patients/{}", w.q)).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(samband_server::serve_metrics(listener, t.app.clone()));
    let res = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    // Other tests in this process may have counted too: at least ours are there.
    let count = |labels: &str| -> f64 {
        let prefix = format!("samband_http_requests_total{{{labels}}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or(0.0)
    };
    assert!(
        count(r#"method="GET",route="/api/v1/patients/{patient}",status="2xx""#) >= 1.0,
        "{text}"
    );
    assert!(
        count(r#"method="GET",route="/api/v1/patients/{patient}/history",status="2xx""#) >= 1.0,
        "{text}"
    );
    assert!(
        text.contains("samband_job_queue_jobs{status=\"pending\"} "),
        "{text}"
    );
    for id in [
        w.p.to_string(),
        w.q.to_string(),
        w.gp.to_string(),
        w.m_gp.to_string(),
    ] {
        assert!(!text.contains(&id), "{id} in\n{text}");
    }
    assert!(
        !text.contains("/api/v1/patients/0"),
        "a raw path in\n{text}"
    );
}
