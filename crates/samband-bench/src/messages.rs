//! Messages: how many a server accepts per second (each one a durable commit with its
//! receipts, notification, outbox row and audit entry), and how long from posting a
//! message until the recipient's open inbox stream (server-sent events) shows it.
//!
//! Runs against `samband demo` (Søren Nielsen writes to Camilla Poulsen about Mads
//! Andersen, story 003).

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    #[arg(long, default_value = "samband-demo-2026")]
    password: String,
    /// Messages posted one at a time for the live-inbox latency.
    #[arg(long, default_value_t = 300)]
    latency_samples: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
}

async fn token(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> anyhow::Result<String> {
    let v: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": user, "password": password, "name": "bench"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(v["token"].as_str().unwrap_or_default().to_owned())
}

fn pct(l: &[Duration], p: f64) -> f64 {
    l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency * 2)
        .build()?;
    let sender = token(&http, &a.base, "soren.nielsen", &a.password).await?;
    let receiver = token(&http, &a.base, "camilla.poulsen", &a.password).await?;
    // The caseload is paged; the demo's fits on one page of the largest size.
    let page: Value = http
        .get(format!("{}/api/v1/patients?limit=200", a.base))
        .bearer_auth(&sender)
        .send()
        .await?
        .json()
        .await?;
    let patients = page["items"].as_array().cloned().unwrap_or_default();
    let patient = patients
        .iter()
        .find(|p| p["name"] == "Mads Andersen")
        .and_then(|p| p["id"].as_str())
        .ok_or_else(|| anyhow::anyhow!("run against `samband demo`: Mads Andersen not found"))?
        .to_owned();
    let ov: Value = http
        .get(format!("{}/api/v1/patients/{patient}", a.base))
        .bearer_auth(&sender)
        .send()
        .await?
        .json()
        .await?;
    let member = ov["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["display_name"] == "Camilla Poulsen")
        .and_then(|m| m["member"]["id"].as_str())
        .ok_or_else(|| anyhow::anyhow!("Camilla Poulsen is not on Mads's team"))?
        .to_owned();
    let url = format!("{}/api/v1/patients/{patient}/threads", a.base);
    let body = |i: usize| json!({"subject": format!("Benchmark {i}"), "body": "Invented benchmark text.", "to": [format!("member:{member}")]});

    // The recipient's live stream: every event's arrival time.
    let events: Arc<Mutex<Vec<(Instant, i64)>>> = Arc::default();
    let mut stream = http
        .get(format!("{}/api/v1/inbox/events", a.base))
        .bearer_auth(&receiver)
        .send()
        .await?
        .error_for_status()?;
    let seen = events.clone();
    let reader = tokio::spawn(async move {
        let mut buf = String::new();
        while let Ok(Some(chunk)) = stream.chunk().await {
            let now = Instant::now();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let ev: String = buf.drain(..end + 2).collect();
                if let Some(n) = ev
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .and_then(|d| serde_json::from_str::<Value>(d).ok())
                    .and_then(|v| v["unread"].as_i64())
                {
                    seen.lock().await.push((now, n));
                }
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    // 1. Post → live inbox, one message at a time.
    let mut live = Vec::new();
    for i in 0..a.latency_samples {
        let before = events.lock().await.len();
        let t0 = Instant::now();
        http.post(&url)
            .bearer_auth(&sender)
            .json(&body(i))
            .send()
            .await?
            .error_for_status()?;
        let deadline = t0 + Duration::from_secs(5);
        loop {
            let arrived = events.lock().await.get(before).map(|e| e.0);
            if let Some(at) = arrived {
                live.push(at.saturating_duration_since(t0));
                break;
            }
            anyhow::ensure!(Instant::now() < deadline, "no live event within 5 s");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    live.sort();
    println!(
        "post → live inbox: {} samples; ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
        live.len(),
        pct(&live, 0.5),
        pct(&live, 0.9),
        pct(&live, 0.99),
        live.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    );

    // 2. Throughput: closed loop at the given concurrency.
    let end = Instant::now() + Duration::from_secs(a.seconds);
    let lat: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..a.concurrency {
        let (http, url, sender, lat, errors) = (
            http.clone(),
            url.clone(),
            sender.clone(),
            lat.clone(),
            errors.clone(),
        );
        let member = member.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut i = w;
            while Instant::now() < end {
                let t0 = Instant::now();
                let b = json!({"subject": format!("Load {i}"), "body": "Invented benchmark text.", "to": [format!("member:{member}")]});
                match http.post(&url).bearer_auth(&sender).json(&b).send().await {
                    Ok(r) if r.status() == 201 => mine.push(t0.elapsed()),
                    _ => {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                i += 1000;
            }
            lat.lock().await.extend(mine);
        }));
    }
    for w in workers {
        w.await?;
    }
    let mut l = lat.lock().await.clone();
    l.sort();
    println!(
        "messages posted: {} ok, {} errors in {} s at concurrency {} → {:.0} messages/s; ms p50 {:.2} p90 {:.2} p99 {:.2}",
        l.len(),
        errors.load(std::sync::atomic::Ordering::Relaxed),
        a.seconds,
        a.concurrency,
        l.len() as f64 / a.seconds as f64,
        pct(&l, 0.5),
        pct(&l, 0.9),
        pct(&l, 0.99)
    );
    reader.abort();
    Ok(())
}
