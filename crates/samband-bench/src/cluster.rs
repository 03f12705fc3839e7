//! `samband-bench cluster`: several instances on one PostgreSQL (issue #10, item 7).
//!
//! Three `samband serve` processes (the first one `samband demo`, which seeds) on
//! loopback ports share one fresh schema and one real SMTP server
//! (`tests/smtp/sink.py`). A mixed load goes round-robin over them — messages, replies,
//! versioned updates, new actions, typed requests (tasks) with their reminder jobs,
//! reads — and one instance is SIGKILLed at a random moment in it. Meanwhile messages
//! posted on one instance must reach the recipient's inbox streams (server-sent
//! events; the API's `/api/v1/inbox/events` and the inbox page's `/inbox/events`, both
//! open on every instance) on another. Afterwards, when no due job is left:
//!
//! - every acknowledged write is there (read back through a surviving instance) with
//!   its audit entry, and `samband audit verify` passes;
//! - every due job is done, none dead; every task's reminder ran exactly once (one
//!   reminder notification per task); every e-mail job's message reached the SMTP
//!   server, nothing else did, and a message arrived twice only if its job was taken
//!   over from the killed instance (sent, then killed before it was marked done: the
//!   resend carries the same Message-ID), at most once per killed instance;
//! - every live probe reached the other instance's stream, after the kill too.

use crate::harness::*;
use anyhow::{bail, Context};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    samband: PathBuf,
    /// Where to create the schema (default SAMBAND_TEST_DATABASE_URL or
    /// postgres://postgres@127.0.0.1:5432/test); it is dropped afterwards.
    #[arg(long)]
    postgres_url: Option<String>,
    /// The SMTP sink script (tests/smtp/sink.py).
    #[arg(long)]
    sink: PathBuf,
    #[arg(long, default_value_t = 3)]
    instances: usize,
    /// How long the load runs; the kill comes between 25 % and 60 % of it.
    #[arg(long, default_value_t = 6000)]
    load_ms: u64,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    #[arg(long)]
    seed: Option<u64>,
    /// The job lease (SAMBAND_JOB_LEASE_SECONDS): how long a job held by the killed
    /// instance waits to be taken over. A job still running when its lease ends may be
    /// taken by another runner too, so it must stay well above any job's duration.
    #[arg(long, default_value_t = 10)]
    lease_seconds: u64,
    #[arg(long)]
    keep: bool,
}

/// Live probes that must cross instances after the kill.
const PROBES_AFTER_KILL: usize = 3;

pub async fn run(a: Args) -> anyhow::Result<()> {
    let bin = std::fs::canonicalize(&a.samband)
        .with_context(|| format!("no samband binary at {}", a.samband.display()))?;
    let seed = a.seed.unwrap_or_else(rand::random);
    anyhow::ensure!(a.instances >= 3, "at least three instances");
    let work = std::env::temp_dir().join(format!("samband-cluster-{}-{seed}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let admin = a.postgres_url.clone().unwrap_or_else(default_pg_url);
    let (name, url) = create_pg_schema(&admin, "samband_cluster").await?;
    println!(
        "cluster test: {} instances on one PostgreSQL database, {} ms of load at concurrency {}, seed {seed}",
        a.instances, a.load_ms, a.concurrency
    );
    let result = cluster(&a, &bin, &url, &work, seed).await;
    drop_pg_schema(&admin, &name).await?;
    match &result {
        Ok(()) if !a.keep => {
            let _ = std::fs::remove_dir_all(&work);
        }
        _ => println!("work directory (logs, mail): {}", work.display()),
    }
    result
}

struct Sink {
    child: tokio::process::Child,
    port: u16,
    out: PathBuf,
}

async fn start_sink(script: &Path, work: &Path) -> anyhow::Result<Sink> {
    use tokio::io::AsyncBufReadExt;
    let out = work.join("mail");
    std::fs::create_dir_all(&out)?;
    let log = std::fs::File::create(work.join("sink.log"))?;
    let mut child = tokio::process::Command::new("python3")
        .arg(script)
        .args(["--port", "0", "--out"])
        .arg(&out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .context("starting the SMTP sink (python3 with aiosmtpd)")?;
    let stdout = child.stdout.take().context("sink stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .context("the SMTP sink did not start")??
        .unwrap_or_default();
    let port = line
        .strip_prefix("READY ")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("the SMTP sink said {line:?}"))?;
    Ok(Sink { child, port, out })
}

/// Message-ID → how many times the sink received it.
fn received(dir: &Path) -> anyhow::Result<HashMap<String, usize>> {
    let mut n = HashMap::new();
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        if path.extension().is_none_or(|x| x != "eml") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path)?).into_owned();
        let id = text
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("message-id")
                    .then(|| v.trim().to_owned())
            })
            .unwrap_or_else(|| format!("(none in {})", path.display()));
        *n.entry(id).or_insert(0) += 1;
    }
    Ok(n)
}

/// One inbox stream: every unread count it reported.
struct Stream {
    seen: Arc<Mutex<Vec<i64>>>,
    task: tokio::task::JoinHandle<()>,
}

/// A browser session (cookies) signed in as `user`, without an overall timeout: its
/// inbox stream stays open for the whole test.
async fn browser(base: &str, user: &str) -> anyhow::Result<reqwest::Client> {
    let b = reqwest::Client::builder().cookie_store(true).build()?;
    let page = b.get(format!("{base}/login")).send().await?.text().await?;
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let r = b
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", user),
            ("password", DEMO_PASSWORD),
            ("next", "/inbox"),
        ])
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "sign-in as {user}: {}", r.status());
    Ok(b)
}

/// The inbox stream: the API's (`/api/v1/inbox/events`, JSON data, bearer token) or
/// the pages' (`/inbox/events`, a bare number, the session cookie).
async fn open_stream(
    base: &str,
    token: &str,
    page: Option<&reqwest::Client>,
) -> anyhow::Result<Stream> {
    let req = match page {
        Some(b) => b.get(format!("{base}/inbox/events")),
        None => reqwest::Client::builder()
            .build()?
            .get(format!("{base}/api/v1/inbox/events"))
            .bearer_auth(token),
    };
    let mut r = req.send().await?.error_for_status()?;
    let seen: Arc<Mutex<Vec<i64>>> = Arc::default();
    let s = seen.clone();
    let task = tokio::spawn(async move {
        let mut buf = String::new();
        while let Ok(Some(chunk)) = r.chunk().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let ev: String = buf.drain(..end + 2).collect();
                if let Some(n) = ev
                    .lines()
                    .find_map(|l| l.strip_prefix("data:"))
                    .and_then(|d| serde_json::from_str::<Value>(d.trim()).ok())
                    .and_then(|v| v.as_i64().or_else(|| v["unread"].as_i64()))
                {
                    s.lock().unwrap_or_else(|e| e.into_inner()).push(n);
                }
            }
        }
    });
    // The first event is the count when the stream opened.
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "inbox stream on {base} sent nothing"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(Stream { seen, task })
}

impl Stream {
    fn first(&self) -> i64 {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())[0]
    }
    fn latest(&self) -> i64 {
        *self
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last()
            .unwrap_or(&0)
    }
}

#[derive(Default)]
struct Probes {
    delivered: Vec<Duration>,
    after_kill: usize,
    sender_killed: usize,
    problems: Vec<String>,
}

async fn cluster(a: &Args, bin: &Path, url: &str, work: &Path, seed: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let http = client()?;
    let mut sink = start_sink(&a.sink, work).await?;
    let env: Vec<(String, String)> = [
        (
            "SAMBAND_SMTP_URL",
            format!("smtp://127.0.0.1:{}", sink.port),
        ),
        ("SAMBAND_MAIL_FROM", "samband@cluster.test".into()),
        ("SAMBAND_PUBLIC_URL", "http://samband.cluster.test".into()),
        ("SAMBAND_JOB_LEASE_SECONDS", a.lease_seconds.to_string()),
        ("SAMBAND_JOB_BACKOFF_SECONDS", "1".into()),
        ("SAMBAND_LOG", "warn".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut servers =
        vec![Server::start(bin, "demo", url, &env, work.join("instance-0.log")).await?];
    for i in 1..a.instances {
        servers.push(
            Server::start(
                bin,
                "serve",
                url,
                &env,
                work.join(format!("instance-{i}.log")),
            )
            .await?,
        );
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let world = World::load(&http, &bases[0]).await?;
    let probe_to = world.member("Mette Holm")?;
    let mette = token(&http, &bases[1], "mette.holm").await?;
    // On every instance, Mette's inbox open twice: in the API and on the inbox page.
    let page = browser(&bases[2], "mette.holm").await?;
    let mut streams = Vec::new();
    for b in &bases {
        streams.push([
            open_stream(b, &mette, None).await?,
            open_stream(b, &mette, Some(&page)).await?,
        ]);
    }
    let streams = Arc::new(streams);

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let spec = LoadSpec {
        world: world.clone(),
        bases: bases.clone(),
        recipient: world.member("Camilla Poulsen")?,
        cycle: 1,
        tag: format!("cluster{seed:x}"),
        concurrency: a.concurrency,
        tasks_per_worker: 6,
        creates_per_worker: 10,
        seed,
    };
    let owned = owned_actions(&http, &spec, &ledger).await?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await?;

    let alive = Arc::new(Mutex::new(vec![true; a.instances]));
    let killed_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let load = start_load(&http, &spec, &owned, &ledger);

    // Time passes for the reminders: each task's reminder (due the working day before
    // its deadline) is made due now, so the runners of all instances take them while
    // the load runs and across the kill.
    let mover = {
        let (pool, stop) = (pool.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let _ = make_reminders_due(&pool).await;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };

    // Live probes: a message to Mette posted on instance i must show in her inbox
    // stream on instance j != i.
    let probes = {
        let (http, world, streams, alive, killed_at, stop, ledger) = (
            http.clone(),
            world.clone(),
            streams.clone(),
            alive.clone(),
            killed_at.clone(),
            stop.clone(),
            ledger.clone(),
        );
        let (bases, tag, probe_to) = (bases.clone(), spec.tag.clone(), probe_to.clone());
        tokio::spawn(async move {
            let mut out = Probes::default();
            let mut acked = 0i64;
            let mut k = 0usize;
            // Past the end of the load until three probes crossed after the kill (a
            // slow machine must not make the test pass or fail by how many fit in).
            let give_up = Instant::now() + Duration::from_secs(120);
            while !stop.load(Ordering::SeqCst) || out.after_kill < PROBES_AFTER_KILL {
                if Instant::now() > give_up {
                    out.problems.push(format!(
                        "only {} live probes crossed instances after the kill in two minutes",
                        out.after_kill
                    ));
                    break;
                }
                k += 1;
                let up: Vec<usize> = {
                    let al = alive.lock().unwrap_or_else(|e| e.into_inner());
                    (0..al.len()).filter(|&i| al[i]).collect()
                };
                let (from, to) = (up[k % up.len()], up[(k + 1) % up.len()]);
                let rid = format!("{tag}-probe-{k}");
                let subject = format!("Probe {k}");
                let body = format!("Invented probe {k}");
                let t0 = Instant::now();
                let r = http
                    .post(format!("{}/api/v1/patients/{}/threads", bases[from], world.patient))
                    .bearer_auth(&world.token)
                    .header("x-request-id", &rid)
                    .json(&json!({"subject": subject, "body": body, "to": [format!("member:{probe_to}")]}))
                    .send()
                    .await;
                let thread = match r {
                    Ok(r) if r.status() == 201 => match r.json::<Value>().await {
                        Ok(v) => v["thread_id"].as_str().unwrap_or_default().to_owned(),
                        Err(_) => continue,
                    },
                    _ => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                acked += 1;
                {
                    let mut l = ledger.lock().unwrap_or_else(|e| e.into_inner());
                    l.threads.insert(
                        thread.clone(),
                        AckThread {
                            subject,
                            first_body: body,
                            replies: Vec::new(),
                            cycle: 1,
                        },
                    );
                    l.ack(&rid, "create", Some(&thread));
                }
                // Unanswered probes may have been stored too, so at least this many.
                let want = [
                    streams[to][0].first() + acked,
                    streams[to][1].first() + acked,
                ];
                let deadline = t0 + Duration::from_secs(10);
                loop {
                    if streams[to][0].latest() >= want[0] && streams[to][1].latest() >= want[1] {
                        out.delivered.push(t0.elapsed());
                        if killed_at
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .is_some_and(|at| t0 > at)
                        {
                            out.after_kill += 1;
                        }
                        break;
                    }
                    let up = alive.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    if !up[to] {
                        // The receiving instance was the one killed meanwhile.
                        break;
                    }
                    if !up[from] {
                        // The sender died after answering: its signal to the others is
                        // not durable (the count is; the next signal shows it).
                        out.sender_killed += 1;
                        break;
                    }
                    if Instant::now() > deadline {
                        out.problems.push(format!(
                            "probe {k} posted on instance {from} never reached the inbox streams on instance {to} (unread: API {} page {}, want {want:?})",
                            streams[to][0].latest(), streams[to][1].latest()
                        ));
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            out
        })
    };

    let kill_ms = rng.gen_range(a.load_ms / 4..=a.load_ms * 3 / 5);
    let victim = rng.gen_range(0..a.instances);
    tokio::time::sleep(Duration::from_millis(kill_ms)).await;
    for (i, s) in servers.iter_mut().enumerate() {
        anyhow::ensure!(s.alive(), "instance {i} died by itself");
    }
    alive.lock().unwrap_or_else(|e| e.into_inner())[victim] = false;
    servers[victim].kill9().await?;
    *killed_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    println!("killed instance {victim} (SIGKILL) {kill_ms} ms into the load");
    tokio::time::sleep(Duration::from_millis(a.load_ms - kill_ms)).await;
    load.join().await;
    stop.store(true, Ordering::SeqCst);
    let _ = mover.await;
    let probes = probes.await?;
    let mut problems = probes.problems.clone();
    let survivor = (0..a.instances).find(|&i| i != victim).unwrap_or(0);

    // The killed instance comes back on the same database and rejoins: a message
    // posted on a survivor reaches the inbox streams opened on it, and one posted on it
    // reaches the survivor's.
    servers[victim] = Server::start(
        bin,
        "serve",
        url,
        &env,
        work.join(format!("instance-{victim}-restarted.log")),
    )
    .await?;
    let back = servers[victim].base.clone();
    let back_streams = [
        open_stream(&back, &mette, None).await?,
        open_stream(&back, &mette, Some(&page)).await?,
    ];
    for (rejoined, (from, to, what)) in [
        (
            &bases[survivor],
            &back_streams,
            "a survivor to the restarted instance",
        ),
        (
            &back,
            &streams[survivor],
            "the restarted instance to a survivor",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let want = [to[0].latest() + 1, to[1].latest() + 1];
        let rid = format!("{}-rejoin-{rejoined}", spec.tag);
        let (subject, body) = (
            format!("Rejoin {rejoined}"),
            format!("Invented rejoin probe {rejoined}"),
        );
        let r = http
            .post(format!("{from}/api/v1/patients/{}/threads", world.patient))
            .bearer_auth(&world.token)
            .header("x-request-id", &rid)
            .json(&json!({"subject": subject, "body": body, "to": [format!("member:{probe_to}")]}))
            .send()
            .await?;
        anyhow::ensure!(r.status() == 201, "rejoin probe: {}", r.status());
        let v: Value = r.json().await?;
        let thread = v["thread_id"].as_str().unwrap_or_default().to_owned();
        {
            let mut l = ledger.lock().unwrap_or_else(|e| e.into_inner());
            l.threads.insert(
                thread.clone(),
                AckThread {
                    subject,
                    first_body: body,
                    replies: Vec::new(),
                    cycle: 1,
                },
            );
            l.ack(&rid, "create", Some(&thread));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while to[0].latest() < want[0] || to[1].latest() < want[1] {
            if Instant::now() > deadline {
                problems.push(format!(
                    "a message from {what} never reached its inbox streams (API {} page {}, want {want:?})",
                    to[0].latest(),
                    to[1].latest()
                ));
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    make_reminders_due(&pool).await?;

    // Wait until no job is due: the killed instance's job comes back after its lease.
    let deadline = Instant::now() + Duration::from_secs(60 + 2 * a.lease_seconds);
    let mut quiet = 0;
    while quiet < 3 {
        let due: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at <= now()",
        )
        .fetch_one(&pool)
        .await?;
        quiet = if due == 0 { quiet + 1 } else { 0 };
        if Instant::now() > deadline {
            bail!("{due} due jobs still not done a minute after the load");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (i, s) in servers.iter_mut().enumerate() {
        anyhow::ensure!(s.alive(), "instance {i} died by itself");
    }

    // 1. Every acknowledged write, through a surviving instance; its audit entry.
    let (checked, p) = check_objects(&http, &bases[survivor], &world, &ledger, |_, _| true).await?;
    problems.extend(p);
    let (entries, p) = check_audit(bin, url, work, &ledger).await?;
    problems.extend(p);

    // 2. Jobs.
    let jobs: Vec<(String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT id::text, kind, status, attempts, last_error FROM jobs WHERE run_at <= now()",
    )
    .fetch_all(&pool)
    .await?;
    for (id, kind, status, _, err) in &jobs {
        if status != "done" {
            problems.push(format!("due {kind} job {id} is {status}: {err:?}"));
        }
    }
    // Nothing in this test fails on its own: a job waiting for a retry is a failure.
    let retrying: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id::text, kind, last_error FROM jobs WHERE status <> 'done' AND attempts > 0",
    )
    .fetch_all(&pool)
    .await?;
    for (id, kind, err) in &retrying {
        problems.push(format!(
            "{kind} job {id} failed and waits for a retry: {err:?}"
        ));
    }
    let tasks = ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .tasks
        .clone();
    for t in &tasks {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM jobs WHERE dedupe_key = $1")
                .bind(format!("reminder:{}", t.request))
                .fetch_optional(&pool)
                .await?;
        if status.as_deref() != Some("done") {
            problems.push(format!("task {}: reminder job is {status:?}", t.request));
        }
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM notifications WHERE kind = 'request_reminder' AND thread_id = $1::uuid",
        )
        .bind(&t.thread)
        .fetch_one(&pool)
        .await?;
        if n != 1 {
            problems.push(format!(
                "task {}: {n} reminders instead of exactly one",
                t.request
            ));
        }
    }
    let mail = received(&sink.out)?;
    let email_jobs: HashMap<String, (String, i64)> = jobs
        .iter()
        .filter(|j| j.1 == "email")
        .map(|j| (j.0.clone(), (j.2.clone(), j.3)))
        .collect();
    let mut duplicates = 0;
    for (message_id, n) in &mail {
        let job = message_id
            .trim_start_matches('<')
            .split('@')
            .next()
            .unwrap_or_default();
        match email_jobs.get(job) {
            None => problems.push(format!(
                "the SMTP server got {message_id}, which no e-mail job sent"
            )),
            Some((_, attempts)) if *n > 1 => {
                duplicates += n - 1;
                if *attempts < 2 {
                    problems.push(format!(
                        "{message_id} arrived {n} times from a job run once"
                    ));
                }
            }
            Some(_) => {}
        }
    }
    if duplicates > 1 {
        problems.push(format!(
            "{duplicates} e-mails arrived twice; one killed instance can leave at most one sent but unfinished"
        ));
    }
    for (id, (status, _)) in &email_jobs {
        if status == "done" && !mail.keys().any(|m| m.starts_with(&format!("<{id}@"))) {
            problems.push(format!(
                "e-mail job {id} is done but its message never arrived"
            ));
        }
    }
    let reminders: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications WHERE kind = 'request_reminder'")
            .fetch_one(&pool)
            .await?;

    for s in streams.iter().flatten().chain(back_streams.iter()) {
        s.task.abort();
    }
    for s in servers.iter_mut() {
        s.kill9().await?;
    }
    let _ = sink.child.start_kill();
    let _ = sink.child.wait().await;
    pool.close().await;
    fail_if(&problems, "cluster")?;

    let l = ledger.lock().unwrap_or_else(|e| e.into_inner());
    let mut lat = probes.delivered.clone();
    lat.sort();
    let ms = |d: Option<&Duration>| d.map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0);
    println!(
        "cluster test passed in {:.0} s: {} acknowledged writes and {} reads over {} instances, {} unanswered; \
         0 lost ({checked} objects read back, {entries} audit entries, chain verified); \
         {} due jobs all done, {} e-mails received for {} e-mail jobs ({duplicates} resent after the kill), \
         {} tasks each reminded exactly once ({reminders} reminders); \
         {} live probes crossed instances ({} after the kill), ms p50 {:.1} max {:.1}; \
         the killed instance restarted and live updates crossed to and from it",
        started.elapsed().as_secs_f64(),
        l.writes(),
        l.reads(),
        a.instances,
        l.unknown,
        jobs.len(),
        mail.values().sum::<usize>(),
        email_jobs.len(),
        tasks.len(),
        lat.len(),
        probes.after_kill,
        ms(lat.get(lat.len() / 2)),
        ms(lat.last()),
    );
    Ok(())
}

async fn make_reminders_due(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE jobs SET run_at = now() - interval '1 second' \
         WHERE kind = 'request_reminder' AND status = 'pending' AND run_at > now()",
    )
    .execute(pool)
    .await?;
    Ok(())
}
