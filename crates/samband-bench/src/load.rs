//! A closed-loop load generator: `concurrency` workers each send one request at a time
//! for `seconds`, after a warm-up; latencies are measured from send to full body on
//! loopback, which bounds the server time from above.

use crate::seed::{BENCH_PASSWORD, BENCH_USER};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    /// overview (HTML page), api-read (JSON patient), action-update (PUT with If-Match)
    #[arg(long)]
    kind: String,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    #[arg(long, default_value_t = 3)]
    warmup: u64,
}

struct Item {
    patient: String,
    action: Value,
    version: i64,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency * 2)
        .build()?;
    let token: String = http
        .post(format!("{}/api/v1/auth/token", a.base))
        .json(&json!({"username": BENCH_USER, "password": BENCH_PASSWORD, "name": "bench"}))
        .send()
        .await?
        .error_for_status()?
        .json::<Value>()
        .await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // The caseload is paged: walk it 200 at a time.
    let mut patients: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}/api/v1/patients?limit=200", a.base);
        if let Some(c) = &cursor {
            url.push_str("&cursor=");
            url.push_str(c);
        }
        let page = http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?
            .json::<Value>()
            .await?;
        patients.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["id"].as_str().map(str::to_owned)),
        );
        match page["next"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    anyhow::ensure!(
        !patients.is_empty(),
        "the benchmark account has no patients; run `seed` first"
    );
    eprintln!(
        "{} patients in the benchmark account's caseload",
        patients.len()
    );

    // The HTML page needs a signed-in browser session.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(a.concurrency * 2)
        .build()?;
    if a.kind == "overview" {
        let page = browser
            .get(format!("{}/login", a.base))
            .send()
            .await?
            .text()
            .await?;
        let csrf = page
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_owned();
        let r = browser
            .post(format!("{}/login", a.base))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", BENCH_USER),
                ("password", BENCH_PASSWORD),
                ("next", "/patients"),
            ])
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "sign-in failed: {}", r.status());
    }

    // For updates every worker owns distinct actions and tracks their versions.
    let mut pools: Vec<Vec<Item>> = (0..a.concurrency).map(|_| Vec::new()).collect();
    if a.kind == "action-update" {
        let mut n = 0;
        for p in patients.iter().take(400) {
            let ov: Value = http
                .get(format!("{}/api/v1/patients/{p}", a.base))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            let today = ov["today"].as_str().unwrap_or_default().to_owned();
            for action in ov["actions"].as_array().into_iter().flatten() {
                // Only actions whose due date a valid update may keep.
                if action["status"] == "planned" || action["status"] == "in_progress" {
                    let mut body = json!({
                        "title": action["title"], "owner_member_id": action["owner_member_id"],
                        "due_date": action["due_date"].as_str().map(|d| if d < today.as_str() { today.clone() } else { d.to_owned() }),
                        "status": "planned"
                    });
                    if let Some(g) = action["goal_id"].as_str() {
                        body["goal_id"] = json!(g);
                    }
                    let version = action["version"].as_i64().unwrap_or(1);
                    pools[n % a.concurrency].push(Item {
                        patient: p.clone(),
                        action: json!({"id": action["id"], "body": body}),
                        version,
                    });
                    n += 1;
                }
            }
        }
        eprintln!("{n} open actions to update");
    }

    let start = Instant::now();
    let warm_until = start + Duration::from_secs(a.warmup);
    let end = warm_until + Duration::from_secs(a.seconds);
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut handles = Vec::new();
    for (w, mut pool) in pools.into_iter().enumerate() {
        let (http, browser, token, base, kind) = (
            http.clone(),
            browser.clone(),
            token.clone(),
            a.base.clone(),
            a.kind.clone(),
        );
        let patients = patients.clone();
        let latencies = latencies.clone();
        let errors = errors.clone();
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut i = w;
            while Instant::now() < end {
                let t0 = Instant::now();
                let ok = match kind.as_str() {
                    "overview" => {
                        let p = &patients[i % patients.len()];
                        fetched(browser.get(format!("{base}/patients/{p}")).send().await).await
                    }
                    "api-read" => {
                        let p = &patients[i % patients.len()];
                        fetched(
                            http.get(format!("{base}/api/v1/patients/{p}"))
                                .bearer_auth(&token)
                                .send()
                                .await,
                        )
                        .await
                    }
                    _ => {
                        if pool.is_empty() {
                            break;
                        }
                        let n = pool.len();
                        let item = &mut pool[i % n];
                        let url = format!(
                            "{base}/api/v1/patients/{}/actions/{}",
                            item.patient,
                            item.action["id"].as_str().unwrap_or_default()
                        );
                        match http
                            .put(url)
                            .bearer_auth(&token)
                            .header("if-match", format!("\"{}\"", item.version))
                            .json(&item.action["body"])
                            .send()
                            .await
                        {
                            Ok(r) if r.status() == 200 => {
                                item.version += 1;
                                r.bytes().await.is_ok()
                            }
                            _ => false,
                        }
                    }
                };
                let took = t0.elapsed();
                if t0 >= warm_until {
                    if ok {
                        mine.push(took);
                    } else {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                i += a.concurrency.max(1);
            }
            latencies.lock().await.extend(mine);
        }));
    }
    for h in handles {
        h.await?;
    }
    let mut l = latencies.lock().await.clone();
    l.sort();
    let pct = |p: f64| {
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    println!(
        "{}: {} ok, {} errors in {} s at concurrency {} → {:.0} req/s; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
        a.kind,
        l.len(),
        errors.load(std::sync::atomic::Ordering::Relaxed),
        a.seconds,
        a.concurrency,
        l.len() as f64 / a.seconds as f64,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        l.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    );
    Ok(())
}

/// A 200 whose whole body arrived.
async fn fetched(r: Result<reqwest::Response, reqwest::Error>) -> bool {
    match r {
        Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
        _ => false,
    }
}
