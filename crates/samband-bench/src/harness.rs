//! What the crash and cluster tests share: starting and SIGKILLing real `samband`
//! processes, a mixed write + read load through the real HTTP API that records every
//! acknowledged (2xx) request in a ledger, and the checks that every acknowledged
//! request is still there afterwards — the objects through the API of a restarted
//! server, the audit entries through `samband audit export` and the chain through
//! `samband audit verify` of the binary under test.
//!
//! A request that errored or got no answer may or may not have taken effect; the
//! ledger holds only what the server acknowledged, so every check must hold in every
//! run.

use anyhow::{bail, Context};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const DEMO_PASSWORD: &str = "samband-demo-2026";

// ---- processes ----------------------------------------------------------------------

/// One running `samband serve` (or `demo`), its output in a log file.
pub struct Server {
    child: tokio::process::Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `samband <sub> --bind 127.0.0.1:0` and waits for its listening line (the
    /// real port is read from it), or fails with the end of its log if it exits.
    pub async fn start(
        bin: &Path,
        sub: &str,
        database_url: &str,
        env: &[(String, String)],
        log: PathBuf,
    ) -> anyhow::Result<Server> {
        let out = std::fs::File::create(&log).with_context(|| format!("{}", log.display()))?;
        let err = out.try_clone()?;
        let dir = log.parent().unwrap_or(Path::new(".")).to_owned();
        let mut cmd = tokio::process::Command::new(bin);
        cmd.arg(sub)
            .arg("--bind")
            .arg("127.0.0.1:0")
            .current_dir(&dir)
            .env("SAMBAND_DATABASE_URL", database_url)
            .env("SAMBAND_API_RATE_PER_MINUTE", "0")
            .env("NO_COLOR", "1")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text
                .lines()
                .find_map(|l| l.strip_prefix("Samband is listening on "))
            {
                let base = rest.trim().trim_end_matches('/').to_owned();
                return Ok(Server { child, base, log });
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "samband {sub} exited ({status}) before listening:\n{}",
                    tail(&text, 30)
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "samband {sub} did not listen within 120 s:\n{}",
                    tail(&text, 30)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no shutdown, no flush, nothing the process could still do.
    pub async fn kill9(&mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// The process is still running (it has not crashed by itself).
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs a `samband` subcommand against the database to completion.
pub async fn cli(bin: &Path, database_url: &str, args: &[&str]) -> anyhow::Result<(bool, String)> {
    let out = tokio::process::Command::new(bin)
        .args(args)
        .env("SAMBAND_DATABASE_URL", database_url)
        .env("NO_COLOR", "1")
        .env("SAMBAND_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .with_context(|| format!("running samband {}", args.join(" ")))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

// ---- PostgreSQL: one fresh schema per run -----------------------------------------

/// Creates a schema with a unique name in `admin_url`'s database and returns its name
/// and the URL that makes every connection use it (`options[search_path]`). A schema,
/// not a database: dropping a database forces a checkpoint of the whole cluster,
/// which on a busy shared server takes tens of seconds.
pub async fn create_pg_schema(admin_url: &str, prefix: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        rand::thread_rng().gen_range(100_000..999_999)
    );
    let mut c = sqlx::PgConnection::connect(admin_url)
        .await
        .with_context(|| "connecting to PostgreSQL")?;
    sqlx::query(&format!("CREATE SCHEMA {name}"))
        .execute(&mut c)
        .await?;
    c.close().await?;
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    Ok((
        name.clone(),
        format!("{admin_url}{sep}options[search_path]={name}"),
    ))
}

pub async fn drop_pg_schema(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
        .execute(&mut c)
        .await?;
    c.close().await?;
    Ok(())
}

pub fn default_pg_url() -> String {
    std::env::var("SAMBAND_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

// ---- the API ----------------------------------------------------------------------

pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(64)
        .build()?)
}

pub async fn token(http: &reqwest::Client, base: &str, user: &str) -> anyhow::Result<String> {
    let v: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": user, "password": DEMO_PASSWORD, "name": "crash test"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    v["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no token for {user}"))
}

/// The demo's story 003 as Søren Nielsen sees it: Mads Andersen's record and the
/// member ids of his team.
#[derive(Clone, Debug)]
pub struct World {
    pub token: String,
    pub patient: String,
    pub today: String,
    /// display name → member id
    pub members: HashMap<String, String>,
}

impl World {
    pub async fn load(http: &reqwest::Client, base: &str) -> anyhow::Result<World> {
        let token = token(http, base, "soren.nielsen").await?;
        // The caseload is paged; the demo's fits on one page of the largest size.
        let page: Value = http
            .get(format!("{base}/api/v1/patients?limit=200"))
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let patients = page["items"].as_array().cloned().unwrap_or_default();
        let patient = patients
            .iter()
            .find(|p| p["name"] == "Mads Andersen")
            .and_then(|p| p["id"].as_str())
            .ok_or_else(|| anyhow::anyhow!("not the demo data: Mads Andersen not found"))?
            .to_owned();
        let ov: Value = http
            .get(format!("{base}/api/v1/patients/{patient}"))
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let members = ov["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some((
                    m["display_name"].as_str()?.to_owned(),
                    m["member"]["id"].as_str()?.to_owned(),
                ))
            })
            .collect();
        Ok(World {
            token,
            patient,
            today: ov["today"].as_str().unwrap_or_default().to_owned(),
            members,
        })
    }

    pub fn member(&self, name: &str) -> anyhow::Result<String> {
        self.members
            .get(name)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("{name} is not on Mads Andersen's team"))
    }

    /// A date `days` after today (YYYY-MM-DD).
    pub fn day(&self, days: i64) -> String {
        chrono::NaiveDate::parse_from_str(&self.today, "%Y-%m-%d")
            .map(|d| (d + chrono::Duration::days(days)).to_string())
            .unwrap_or_else(|_| self.today.clone())
    }
}

// ---- the ledger of acknowledged requests ------------------------------------------

#[derive(Debug, Clone)]
pub struct AckThread {
    pub subject: String,
    pub first_body: String,
    /// (message id, body) of every acknowledged reply.
    pub replies: Vec<(String, String)>,
    /// The last cycle that acknowledged something in it.
    pub cycle: usize,
}

#[derive(Debug, Clone)]
pub struct AckAction {
    /// The highest acknowledged version and the title it was acknowledged with.
    pub version: i64,
    pub title: String,
    pub cycle: usize,
}

#[derive(Debug, Clone)]
pub struct AckRequest {
    pub request_id: String,
    /// The audit entry it must have left: `create`, `update` or `read`.
    pub action: &'static str,
    /// For writes: the object the entry must name.
    pub object_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AckTask {
    pub request: String,
    pub thread: String,
}

#[derive(Default)]
pub struct Ledger {
    pub threads: HashMap<String, AckThread>,
    pub actions: HashMap<String, AckAction>,
    pub tasks: Vec<AckTask>,
    pub requests: Vec<AckRequest>,
    /// Requests sent that got no 2xx (an error, no answer, a cut connection).
    pub unknown: usize,
}

impl Ledger {
    pub fn ack(&mut self, request_id: &str, action: &'static str, object_id: Option<&str>) {
        self.requests.push(AckRequest {
            request_id: request_id.to_owned(),
            action,
            object_id: object_id.map(str::to_owned),
        });
    }
    pub fn writes(&self) -> usize {
        self.requests.iter().filter(|r| r.action != "read").count()
    }
    pub fn reads(&self) -> usize {
        self.requests.iter().filter(|r| r.action == "read").count()
    }
}

// ---- the load ---------------------------------------------------------------------

/// What one cycle of load runs against.
#[derive(Clone)]
pub struct LoadSpec {
    pub world: World,
    /// The servers; requests go round-robin over them.
    pub bases: Vec<String>,
    /// Recipient of the load's messages and addressee of its tasks.
    pub recipient: String,
    pub cycle: usize,
    /// Unique per run, so request ids never repeat across runs on one database.
    pub tag: String,
    pub concurrency: usize,
    /// Also create typed requests (tasks), at most this many per worker and cycle.
    pub tasks_per_worker: usize,
    pub creates_per_worker: usize,
    pub seed: u64,
}

/// The actions the updating workers own, one each (created once, acknowledged).
pub async fn owned_actions(
    http: &reqwest::Client,
    spec: &LoadSpec,
    ledger: &Arc<Mutex<Ledger>>,
) -> anyhow::Result<Vec<String>> {
    let owner = spec.world.member("Søren Nielsen")?;
    let mut ids = Vec::new();
    for w in 0..spec.concurrency {
        if w % 4 != 1 {
            continue;
        }
        let rid = format!("{}-setup-action-{w}", spec.tag);
        let title = format!("Crash test action {w}");
        let r = http
            .post(format!(
                "{}/api/v1/patients/{}/actions",
                spec.bases[0], spec.world.patient
            ))
            .bearer_auth(&spec.world.token)
            .header("x-request-id", &rid)
            .json(
                &json!({"title": title, "owner_member_id": owner, "due_date": spec.world.day(30)}),
            )
            .send()
            .await?
            .error_for_status()?;
        let v: Value = r.json().await?;
        let id = v["id"].as_str().unwrap_or_default().to_owned();
        let mut l = ledger.lock().unwrap_or_else(|e| e.into_inner());
        l.actions.insert(
            id.clone(),
            AckAction {
                version: 1,
                title,
                cycle: 0,
            },
        );
        l.ack(&rid, "create", Some(&id));
        ids.push(id);
    }
    Ok(ids)
}

pub struct Load {
    pub stop: Arc<AtomicBool>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    pub async fn join(self) {
        self.stop.store(true, Ordering::SeqCst);
        for h in self.handles {
            let _ = h.await;
        }
    }
}

/// Starts `concurrency` workers: w % 4 == 0 writes messages (new threads, then replies
/// to them), 1 updates its own action with If-Match, 2 creates actions (and tasks when
/// asked), 3 reads (the overview, an acknowledged thread, an action). Every request
/// carries its own `x-request-id`; every 2xx lands in the ledger.
pub fn start_load(
    http: &reqwest::Client,
    spec: &LoadSpec,
    owned: &[String],
    ledger: &Arc<Mutex<Ledger>>,
) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    let mut owned = owned.iter();
    for w in 0..spec.concurrency {
        let mine = if w % 4 == 1 {
            owned.next().cloned()
        } else {
            None
        };
        let worker = Worker {
            http: http.clone(),
            spec: spec.clone(),
            ledger: ledger.clone(),
            stop: stop.clone(),
            w,
            n: 0,
            rng: StdRng::seed_from_u64(spec.seed ^ ((w as u64) << 32) ^ spec.cycle as u64),
        };
        handles.push(tokio::spawn(worker.run(mine)));
    }
    Load { stop, handles }
}

struct Worker {
    http: reqwest::Client,
    spec: LoadSpec,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    w: usize,
    n: usize,
    rng: StdRng,
}

enum Outcome {
    /// The `ETag` (a version) and the body.
    Ok(Option<String>, Value),
    Unknown,
}

impl Worker {
    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn next(&mut self) -> (String, String) {
        self.n += 1;
        let base = self.spec.bases[(self.n + self.w) % self.spec.bases.len()].clone();
        let rid = format!(
            "{}-c{}-w{}-n{}",
            self.spec.tag, self.spec.cycle, self.w, self.n
        );
        (base, rid)
    }

    /// Sends one request; a 2xx whose body arrived whole is `Ok`, everything else —
    /// refused, cut off, no answer — is unknown.
    async fn send(&mut self, req: reqwest::RequestBuilder, rid: &str) -> Outcome {
        let r = req
            .bearer_auth(&self.spec.world.token)
            .header("x-request-id", rid)
            .send()
            .await;
        let out = match r {
            Ok(r) => {
                let status = r.status();
                let etag = r
                    .headers()
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .map(|s| s.trim_matches('"').to_owned());
                match r.bytes().await {
                    Ok(b) if status.is_success() => {
                        Outcome::Ok(etag, serde_json::from_slice(&b).unwrap_or(Value::Null))
                    }
                    _ => Outcome::Unknown,
                }
            }
            Err(_) => Outcome::Unknown,
        };
        if matches!(out, Outcome::Unknown) {
            self.ledger().unknown += 1;
            // A dead server refuses at once; do not spin.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        out
    }

    async fn run(mut self, mine: Option<String>) {
        let mut thread: Option<(String, usize)> = None;
        let mut version: Option<i64> = None;
        let mut created = 0;
        let mut tasks = 0;
        let p = self.spec.world.patient.clone();
        while !self.stop.load(Ordering::SeqCst) {
            match self.w % 4 {
                0 => {
                    let (base, rid) = self.next();
                    let body = format!("Invented load text {rid}");
                    match thread.clone() {
                        Some((t, replies)) if replies < 10 => {
                            let req = self
                                .http
                                .post(format!("{base}/api/v1/threads/{t}/messages"))
                                .json(&json!({"body": body}));
                            if let Outcome::Ok(_, v) = self.send(req, &rid).await {
                                let m = v["message_id"].as_str().unwrap_or_default().to_owned();
                                let cycle = self.spec.cycle;
                                let mut l = self.ledger();
                                if let Some(th) = l.threads.get_mut(&t) {
                                    th.replies.push((m.clone(), body));
                                    th.cycle = cycle;
                                }
                                l.ack(&rid, "create", None);
                                drop(l);
                                thread = Some((t, replies + 1));
                            }
                        }
                        _ => {
                            let subject = format!("Crash {rid}");
                            let req = self
                                .http
                                .post(format!("{base}/api/v1/patients/{p}/threads"))
                                .json(&json!({"subject": subject, "body": body, "to": [format!("member:{}", self.spec.recipient)]}));
                            if let Outcome::Ok(_, v) = self.send(req, &rid).await {
                                let t = v["thread_id"].as_str().unwrap_or_default().to_owned();
                                let cycle = self.spec.cycle;
                                let mut l = self.ledger();
                                l.threads.insert(
                                    t.clone(),
                                    AckThread {
                                        subject,
                                        first_body: body,
                                        replies: Vec::new(),
                                        cycle,
                                    },
                                );
                                l.ack(&rid, "create", Some(&t));
                                drop(l);
                                thread = Some((t, 0));
                            }
                        }
                    }
                }
                1 => {
                    let Some(a) = mine.clone() else { break };
                    let (base, rid) = self.next();
                    let url = format!("{base}/api/v1/patients/{p}/actions/{a}");
                    match version {
                        // After a restart or an unknown outcome: learn where it stands.
                        None => {
                            let req = self.http.get(&url);
                            if let Outcome::Ok(etag, _) = self.send(req, &rid).await {
                                version = etag.and_then(|e| e.parse().ok());
                                self.ledger().ack(&rid, "read", None);
                            }
                        }
                        Some(v) => {
                            let title = format!("Crash {rid}");
                            let owner = self.spec.world.member("Søren Nielsen").unwrap_or_default();
                            let req = self
                                .http
                                .put(&url)
                                .header("if-match", format!("\"{v}\""))
                                .json(&json!({"title": title, "owner_member_id": owner, "due_date": self.spec.world.day(30)}));
                            match self.send(req, &rid).await {
                                Outcome::Ok(etag, _) => {
                                    let nv = etag.and_then(|e| e.parse().ok()).unwrap_or(v + 1);
                                    let cycle = self.spec.cycle;
                                    let mut l = self.ledger();
                                    let e = l.actions.entry(a.clone()).or_insert(AckAction {
                                        version: 0,
                                        title: String::new(),
                                        cycle,
                                    });
                                    if nv > e.version {
                                        *e = AckAction {
                                            version: nv,
                                            title,
                                            cycle,
                                        };
                                    }
                                    l.ack(&rid, "update", Some(&a));
                                    drop(l);
                                    version = Some(nv);
                                }
                                Outcome::Unknown => version = None,
                            }
                        }
                    }
                }
                2 if created < self.spec.creates_per_worker
                    || tasks < self.spec.tasks_per_worker =>
                {
                    let (base, rid) = self.next();
                    if tasks < self.spec.tasks_per_worker && self.n.is_multiple_of(2) {
                        let subject = format!("Task {rid}");
                        let req = self
                            .http
                            .post(format!("{base}/api/v1/patients/{p}/requests"))
                            .json(&json!({
                                "kind": "general_task",
                                "addressee_member_id": self.spec.recipient,
                                "subject": subject,
                                "body": format!("Invented task {rid}"),
                                "due_date": self.spec.world.day(14),
                            }));
                        if let Outcome::Ok(_, v) = self.send(req, &rid).await {
                            let t = v["thread_id"].as_str().unwrap_or_default().to_owned();
                            let r = v["request_id"].as_str().unwrap_or_default().to_owned();
                            let cycle = self.spec.cycle;
                            let mut l = self.ledger();
                            l.threads.insert(
                                t.clone(),
                                AckThread {
                                    subject,
                                    first_body: format!("Invented task {rid}"),
                                    replies: Vec::new(),
                                    cycle,
                                },
                            );
                            l.tasks.push(AckTask {
                                request: r.clone(),
                                thread: t,
                            });
                            l.ack(&rid, "create", Some(&r));
                            tasks += 1;
                        }
                    } else {
                        let title = format!("Crash {rid}");
                        let owner = self.spec.world.member("Søren Nielsen").unwrap_or_default();
                        let req = self
                            .http
                            .post(format!("{base}/api/v1/patients/{p}/actions"))
                            .json(&json!({"title": title, "owner_member_id": owner, "due_date": self.spec.world.day(30)}));
                        if let Outcome::Ok(_, v) = self.send(req, &rid).await {
                            let id = v["id"].as_str().unwrap_or_default().to_owned();
                            let cycle = self.spec.cycle;
                            let mut l = self.ledger();
                            l.actions.insert(
                                id.clone(),
                                AckAction {
                                    version: 1,
                                    title,
                                    cycle,
                                },
                            );
                            l.ack(&rid, "create", Some(&id));
                            created += 1;
                        }
                    }
                }
                _ => {
                    let (base, rid) = self.next();
                    let pick = self.rng.gen_range(0..3);
                    let url = match pick {
                        0 => format!("{base}/api/v1/patients/{p}"),
                        1 => {
                            let t = {
                                let l = self.ledger();
                                let n = l.threads.len();
                                (n > 0)
                                    .then(|| l.threads.keys().nth(self.n % n).cloned())
                                    .flatten()
                            };
                            match t {
                                Some(t) => format!("{base}/api/v1/threads/{t}"),
                                None => format!("{base}/api/v1/patients/{p}"),
                            }
                        }
                        _ => format!("{base}/api/v1/inbox/unread"),
                    };
                    let req = self.http.get(url);
                    if let Outcome::Ok(..) = self.send(req, &rid).await {
                        if pick < 2 {
                            // The unread count reads no record, so leaves no entry.
                            self.ledger().ack(&rid, "read", None);
                        }
                    }
                }
            }
        }
    }
}

// ---- the checks ---------------------------------------------------------------------

/// Every acknowledged object, read back through the API of a (restarted) server:
/// created threads and actions exist with what was acknowledged, every acknowledged
/// reply is in its thread, and a versioned action is at least at its highest
/// acknowledged version — with the acknowledged title when at exactly that version
/// (a later version can only come from a later write whose answer was lost).
/// `only` picks the objects to check (all at the end, the latest cycle's and a sample
/// of earlier ones in between).
pub async fn check_objects(
    http: &reqwest::Client,
    base: &str,
    world: &World,
    ledger: &Arc<Mutex<Ledger>>,
    only: impl Fn(usize, &str) -> bool,
) -> anyhow::Result<(usize, Vec<String>)> {
    let (threads, actions) = {
        let l = ledger.lock().unwrap_or_else(|e| e.into_inner());
        let t: Vec<(String, AckThread)> = l
            .threads
            .iter()
            .filter(|(id, t)| only(t.cycle, id))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let a: Vec<(String, AckAction)> = l
            .actions
            .iter()
            .filter(|(id, a)| only(a.cycle, id))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (t, a)
    };
    let mut problems = Vec::new();
    let checked = threads.len() + actions.len();
    let mut set = tokio::task::JoinSet::new();
    let sem = Arc::new(tokio::sync::Semaphore::new(8));
    for (id, t) in threads {
        let (http, base, world, sem) = (http.clone(), base.to_owned(), world.clone(), sem.clone());
        set.spawn(async move {
            let _p = sem.acquire().await;
            let r = http
                .get(format!("{base}/api/v1/threads/{id}"))
                .bearer_auth(&world.token)
                .send()
                .await;
            let v: Value = match r {
                Ok(r) if r.status() == 200 => r.json().await.unwrap_or(Value::Null),
                Ok(r) => {
                    return vec![format!(
                        "acknowledged thread {id} ({}): {}",
                        t.subject,
                        r.status()
                    )]
                }
                Err(e) => return vec![format!("thread {id}: {e}")],
            };
            let mut p = Vec::new();
            if v["thread"]["subject"] != t.subject.as_str() {
                p.push(format!(
                    "thread {id}: subject {} != acknowledged {}",
                    v["thread"]["subject"], t.subject
                ));
            }
            let msgs = v["messages"].as_array().cloned().unwrap_or_default();
            if !msgs.iter().any(|m| m["body"] == t.first_body.as_str()) {
                p.push(format!("thread {id}: its first message is missing"));
            }
            for (m, body) in &t.replies {
                if !msgs
                    .iter()
                    .any(|x| x["id"] == m.as_str() && x["body"] == body.as_str())
                {
                    p.push(format!("thread {id}: acknowledged reply {m} is missing"));
                }
            }
            p
        });
    }
    for (id, a) in actions {
        let (http, base, world, sem) = (http.clone(), base.to_owned(), world.clone(), sem.clone());
        set.spawn(async move {
            let _p = sem.acquire().await;
            let r = http
                .get(format!(
                    "{base}/api/v1/patients/{}/actions/{id}",
                    world.patient
                ))
                .bearer_auth(&world.token)
                .send()
                .await;
            let v: Value = match r {
                Ok(r) if r.status() == 200 => r.json().await.unwrap_or(Value::Null),
                Ok(r) => return vec![format!("acknowledged action {id}: {}", r.status())],
                Err(e) => return vec![format!("action {id}: {e}")],
            };
            let version = v["version"].as_i64().unwrap_or(-1);
            if version < a.version {
                vec![format!(
                    "action {id}: version {version} is older than the acknowledged {}",
                    a.version
                )]
            } else if version == a.version && v["title"] != a.title.as_str() {
                vec![format!(
                    "action {id}: at the acknowledged version {version} the title is {} not {}",
                    v["title"], a.title
                )]
            } else {
                Vec::new()
            }
        });
    }
    while let Some(r) = set.join_next().await {
        problems.extend(r?);
    }
    Ok((checked, problems))
}

/// `samband audit verify` passes (an unsealed tail it may report is fine; a break is
/// not), and every acknowledged request has its audit entry: a read its `read` entry,
/// a write its `create`/`update` entry naming the object it made or changed.
pub async fn check_audit(
    bin: &Path,
    database_url: &str,
    work: &Path,
    ledger: &Arc<Mutex<Ledger>>,
) -> anyhow::Result<(usize, Vec<String>)> {
    let mut problems = Vec::new();
    let file = work.join("audit.jsonl");
    let path = file.to_string_lossy().into_owned();
    // Both read the database as it is; run side by side.
    let export = ["audit", "export", "--format", "jsonl", "--output", &path];
    let (verified, exported) = tokio::join!(
        cli(bin, database_url, &["audit", "verify"]),
        cli(bin, database_url, &export)
    );
    let (ok, out) = verified?;
    if !ok {
        problems.push(format!("samband audit verify failed: {}", out.trim()));
    }
    if out.contains("unsealed tail") {
        UNSEALED_TAILS.fetch_add(1, Ordering::Relaxed);
    }
    let (ok, out) = exported?;
    if !ok {
        problems.push(format!("samband audit export failed: {}", out.trim()));
        return Ok((0, problems));
    }
    let text = std::fs::read_to_string(&file)?;
    let _ = std::fs::remove_file(&file);
    let mut by_request: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
    let mut entries = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).context("an audit export line")?;
        entries += 1;
        if let Some(r) = v["request_id"].as_str() {
            by_request.entry(r.to_owned()).or_default().push((
                v["action"].as_str().unwrap_or_default().to_owned(),
                v["object_id"].as_str().map(str::to_owned),
            ));
        }
    }
    let l = ledger.lock().unwrap_or_else(|e| e.into_inner());
    for r in &l.requests {
        let found = by_request.get(&r.request_id).is_some_and(|es| {
            es.iter().any(|(action, object)| {
                action == r.action && (r.object_id.is_none() || r.object_id == *object)
            })
        });
        if !found {
            problems.push(format!(
                "acknowledged request {} has no `{}` audit entry{}",
                r.request_id,
                r.action,
                r.object_id
                    .as_deref()
                    .map(|o| format!(" for {o}"))
                    .unwrap_or_default()
            ));
        }
    }
    Ok((entries, problems))
}

/// How many `audit verify` runs reported an unsealed tail (fine, and worth counting).
pub static UNSEALED_TAILS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn fail_if(problems: &[String], what: &str) -> anyhow::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    for p in problems.iter().take(30) {
        eprintln!("  FAILED: {p}");
    }
    bail!("{what}: {} problem(s)", problems.len())
}
