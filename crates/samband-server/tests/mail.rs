//! E-mail end to end: the real `samband` binary, a real SMTP server
//! (`tests/smtp/sink.py`, aiosmtpd) and a real database, SQLite and PostgreSQL.
//!
//! - an SMTP outage: 200 notifications queue up while the mail server is down, and
//!   once it is up every one of them arrives exactly once;
//! - SIGKILL in the middle of sending: after a restart on the same database every
//!   message arrives; the few sent twice carry the same Message-ID and content;
//! - a mail server that refuses for good (5xx), or keeps saying "later" (4xx) until
//!   the attempts run out: the job is dead-lettered and the administrators are told.
//!
//! Needs `python3` with `aiosmtpd`, and PostgreSQL on 127.0.0.1:5432 (trust auth,
//! user postgres; `SAMBAND_TEST_PG_URL` overrides the server URL). Each PostgreSQL run
//! creates a database of its own with `psql` and drops it at the end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs an `async fn(Backend)` once per backend, as two named tests.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::Backend::Postgres).await
            }
        }
    )*};
}

both_backends!(
    smtp_outage_then_all_200_arrive_exactly_once,
    sigkill_mid_dispatch_loses_nothing,
    permanent_5xx_is_dead_lettered_and_admins_alerted,
    transient_4xx_until_max_attempts_is_dead_lettered,
    starttls_and_auth_with_a_private_ca_deliver,
    a_wrong_smtp_password_is_dead_lettered,
    implicit_tls_smtps_delivers,
);

const ADMIN_PASSWORD: &str = "a long enough passphrase";
const PRO_PASSWORD: &str = "professional passphrase 1";
const PATIENT_NAME: &str = "Torvald Hemmelighetsen";
const B_ADDRESS: &str = "berit.mottaker@kommune.example";
const A_ADDRESS: &str = "anders.avsender@legesenter.example";
/// Words of the message subject and body that must never reach an e-mail.
const SUBJECT_WORDS: &str = "Insulindose endret";
const BODY_WORDS: &str = "HbA1c 9.1 og ny diagnose";

// ---- harness ------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A scratch directory for one test run, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("samband-mail-{name}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        } else {
            eprintln!("kept {} for inspection", self.0.display());
        }
    }
}

/// A fresh database: a SQLite file in the scratch directory, or a PostgreSQL database
/// of its own (dropped again when this is dropped).
struct Database {
    url: String,
    pg_name: Option<String>,
}

fn pg_server() -> String {
    std::env::var("SAMBAND_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

fn psql(sql: &str) -> Result<(), String> {
    let out = Command::new("psql")
        .args([
            &format!("{}/postgres", pg_server()),
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            sql,
        ])
        .output()
        .map_err(|e| format!("running psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Database {
    fn new(backend: Backend, dir: &Path) -> Database {
        match backend {
            Backend::Sqlite => Database {
                url: format!("sqlite://{}", dir.join("samband.db").display()),
                pg_name: None,
            },
            Backend::Postgres => {
                let name = format!("samband_mail_{}", uuid::Uuid::now_v7().simple());
                psql(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL at {} must be reachable for these tests: {e}",
                        pg_server()
                    )
                });
                Database {
                    url: format!("{}/{name}", pg_server()),
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Err(e) = psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
                eprintln!("could not drop database {name}: {e}");
            }
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if done() {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The SMTP sink (`tests/smtp/sink.py`) as a child process.
struct Sink {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Sink {
    /// Starts the sink on `port` (0: any free port) with extra flags; returns once it
    /// says it is listening.
    fn start(port: u16, out: &Path, flags: &[&str]) -> Sink {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/smtp/sink.py");
        let log = out.with_extension("sink.log");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--port", &port.to_string(), "--out"])
            .arg(out)
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("python3 runs the SMTP sink");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let ready = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!(
                    "the SMTP sink did not start (is aiosmtpd installed?): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        let port = ready
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from the sink: {ready:?}"));
        Sink { child, port, log }
    }

    /// SIGTERM, and wait for a clean exit.
    fn stop(mut self) {
        signal(&self.child, "TERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the sink exited with {status:?}");
    }

    /// How many SMTP transactions it refused (4xx/5xx variants).
    fn refusals(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("refused "))
            .count()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {}", child.id());
}

/// The mail files the sink has written so far, in arrival order.
fn mail_files(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(out) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn mail_count(out: &Path) -> usize {
    mail_files(out).len()
}

fn mails(out: &Path) -> Vec<Mail> {
    mail_files(out)
        .iter()
        .map(|p| Mail::parse(p, std::fs::read(p).unwrap()))
        .collect()
}

/// The `samband` binary, serving on a port of its own choice.
struct Samband {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Samband {
    fn start(dir: &Path, name: &str, db: &Database, env: &[(String, String)]) -> Samband {
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_samband"));
        cmd.current_dir(dir)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env_remove("SAMBAND_CONFIG")
            .env("SAMBAND_DATABASE_URL", &db.url)
            .env("SAMBAND_LOG", "info")
            .env("SAMBAND_MAX_CONNECTIONS", "4")
            .env("SAMBAND_PUBLIC_URL", "https://samband.test")
            .env("SAMBAND_MAIL_FROM", "Samband <no-reply@samband.test>")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let start = Instant::now();
        let base = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(url) = text
                .lines()
                .find_map(|l| l.strip_prefix("Samband is listening on "))
            {
                break url.trim().trim_end_matches('/').to_owned();
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("samband exited with {status:?} before listening:\n{text}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "samband did not start listening:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Samband { child, base, log }
    }

    /// SIGKILL: no shutdown, no cleanup.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM: graceful shutdown, exit 0.
    fn stop(mut self) {
        signal(&self.child, "TERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "samband exited with {status:?}");
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Samband {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- samband log ({}):\n{}",
                self.log.display(),
                self.log_tail()
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `samband user add` for the administrator (runs the migrations too).
fn add_admin(db: &Database) {
    let out = Command::new(env!("CARGO_BIN_EXE_samband"))
        .env_remove("SAMBAND_CONFIG")
        .env_remove("SAMBAND_DATABASE_URL")
        .args([
            "user",
            "add",
            "--database-url",
            &db.url,
            "--username",
            "admin",
        ])
        .args(["--display-name", "Drift"])
        .env("SAMBAND_NEW_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "user add: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A JSON client for one server and one bearer token.
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    fn new(base: &str) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: base.to_owned(),
            token: None,
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self
            .send(self.client.get(format!("{}{path}", self.base)))
            .await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn post(&self, path: &str, body: Value, expect: u16) -> Value {
        let (status, res) = self
            .send(self.client.post(format!("{}{path}", self.base)).json(&body))
            .await;
        assert_eq!(status, expect, "POST {path}: {res}");
        res
    }

    /// The same token against another server (a restarted `samband`).
    fn at(&self, base: &str) -> Api {
        Api {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    async fn signed_in(&self, username: &str, password: &str) -> Api {
        let body = self
            .post(
                "/api/v1/auth/token",
                json!({"username": username, "password": password, "name": "mail test"}),
                201,
            )
            .await;
        Api {
            token: Some(body["token"].as_str().unwrap().to_owned()),
            ..self.clone()
        }
    }
}

/// Who takes part: the administrator, professional A (coordinator of the patient's
/// team) and professional B (a member), both with e-mail addresses and accounts.
struct World {
    admin: Api,
    a: Api,
    patient: String,
    b_member: String,
}

async fn world(base: &str) -> World {
    let anon = Api::new(base);
    let admin = anon.signed_in("admin", ADMIN_PASSWORD).await;
    let org = admin
        .post(
            "/api/v1/organisations",
            json!({"name": "Fjordby kommune", "sector": "primary_care"}),
            201,
        )
        .await;
    let mut pros = Vec::new();
    for (user, name, title, email) in [
        ("anders", "Anders Avsender", "GP", A_ADDRESS),
        ("berit", "Berit Mottaker", "Nurse", B_ADDRESS),
    ] {
        let p = admin
            .post(
                "/api/v1/professionals",
                json!({"name": name, "title": title, "organisation_ids": [org["id"]],
                       "phone": null, "email": email, "availability": null}),
                201,
            )
            .await;
        admin
            .post(
                "/api/v1/accounts",
                json!({"username": user, "password": PRO_PASSWORD, "role": "professional",
                       "display_name": name, "professional_id": p["id"]}),
                201,
            )
            .await;
        pros.push(p["id"].as_str().unwrap().to_owned());
    }
    let a = anon.signed_in("anders", PRO_PASSWORD).await;
    let overview = a
        .post(
            "/api/v1/patients",
            json!({"name": PATIENT_NAME, "birth_date": "1961-04-05",
                   "preferred_contact": "in_app", "my_role": "GP",
                   "my_responsibility": "Coordinates the plan"}),
            201,
        )
        .await;
    let patient = overview["patient"]["id"].as_str().unwrap().to_owned();
    let version = overview["team"]["version"].as_i64().unwrap();
    let (status, team) = a
        .send(
            a.client
                .post(format!("{base}/api/v1/patients/{patient}/team/members"))
                .header("if-match", format!("\"{version}\""))
                .json(&json!({"kind": "professional", "professional_id": pros[1],
                              "role": "Home nurse", "responsibility": "Daily visits",
                              "active_from": overview["today"]})),
        )
        .await;
    assert_eq!(status, 201, "adding B to the team: {team}");
    let b_member = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["professional_id"].as_str() == Some(pros[1].as_str()))
        .expect("B is on the team")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        admin,
        a,
        patient,
        b_member,
    }
}

/// A sends `n` messages to B, each in a new thread: `n` notifications, `n` e-mails.
async fn send_messages(w: &World, n: usize) {
    let path = format!("/api/v1/patients/{}/threads", w.patient);
    for i in 0..n {
        w.a.post(
            &path,
            json!({"subject": format!("{SUBJECT_WORDS} {i}"),
                   "body": format!("{BODY_WORDS} ({PATIENT_NAME}, melding {i})"),
                   "to": [format!("member:{}", w.b_member)]}),
            201,
        )
        .await;
    }
}

/// The admin's view of the e-mail jobs with a status (`""`: all of them, newest first,
/// at most 200).
async fn email_jobs(admin: &Api, status: &str) -> Vec<Value> {
    let path = match status {
        "" => "/api/v1/jobs".to_owned(),
        s => format!("/api/v1/jobs?status={s}"),
    };
    admin
        .get(&path)
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["kind"] == "email")
        .cloned()
        .collect()
}

// ---- e-mail as received -------------------------------------------------------------

/// One received message: unfolded headers and the body as sent.
struct Mail {
    file: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Headers a relay adds or that describe the transfer rather than the message.
const TRANSPORT_HEADERS: [&str; 6] = [
    "received",
    "return-path",
    "delivered-to",
    "x-peer",
    "x-mailfrom",
    "x-rcptto",
];

impl Mail {
    fn parse(path: &Path, raw: Vec<u8>) -> Mail {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| (i, i + 4))
            .or_else(|| {
                raw.windows(2)
                    .position(|w| w == b"\n\n")
                    .map(|i| (i, i + 2))
            })
            .unwrap_or((raw.len(), raw.len()));
        let head = String::from_utf8_lossy(&raw[..split.0]).into_owned();
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        Mail {
            file: path.file_name().unwrap().to_string_lossy().into_owned(),
            headers,
            body: raw[split.1..].to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn message_id(&self) -> String {
        self.header("message-id")
            .unwrap_or_else(|| panic!("{} has no Message-ID", self.file))
            .to_owned()
    }

    /// The address in the To header (`Name <addr>` or `addr`).
    fn to_address(&self) -> String {
        let to = self.header("to").unwrap_or_default();
        match (to.rfind('<'), to.rfind('>')) {
            (Some(a), Some(b)) if a < b => to[a + 1..b].to_owned(),
            _ => to.to_owned(),
        }
    }

    /// Everything a reader would see: decoded headers and the decoded body.
    fn readable(&self) -> String {
        let mut s = String::new();
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {}\n", decode_words(v)));
        }
        let cte = self
            .header("content-transfer-encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        let body = match cte.as_str() {
            "base64" => base64_decode(&self.body),
            "quoted-printable" => qp_decode(&self.body),
            _ => self.body.clone(),
        };
        s.push_str(&String::from_utf8_lossy(&body));
        s
    }

    /// The message without transport headers: what must be the same in a resend.
    fn content(&self) -> (Vec<(String, String)>, &[u8]) {
        let headers = self
            .headers
            .iter()
            .filter(|(k, _)| !TRANSPORT_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
            .cloned()
            .collect();
        (headers, &self.body)
    }
}

fn base64_decode(data: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let compact: Vec<u8> = data
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("valid base64 body")
}

fn qp_decode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'=' if data[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if data[i + 1..].starts_with(b"\n") => i += 2,
            b'=' if i + 2 < data.len() => {
                let hex = std::str::from_utf8(&data[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&data[i..i + 3]),
                }
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`).
fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(start) = rest.find("=?") {
        out.push_str(&rest[..start]);
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let end = parts.get(2).and_then(|p| p.find("?="));
        match (parts.as_slice(), end) {
            ([_, enc, text], Some(end)) => {
                let text = &text[..end];
                let bytes = if enc.eq_ignore_ascii_case("b") {
                    base64_decode(text.as_bytes())
                } else {
                    qp_decode(text.replace('_', " ").as_bytes())
                };
                out.push_str(&String::from_utf8_lossy(&bytes));
                let consumed = 2 + parts[0].len() + 1 + enc.len() + 1 + end + 2;
                rest = &rest[start + consumed..];
                // Whitespace between two encoded words is not part of the text.
                if rest.trim_start().starts_with("=?") {
                    rest = rest.trim_start();
                }
            }
            _ => {
                out.push_str("=?");
                rest = word;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The checks every received e-mail must pass: addressed to B, no health information.
fn assert_mail_is_clean(m: &Mail) {
    assert_eq!(m.to_address(), B_ADDRESS, "{}: To", m.file);
    let text = m.readable();
    for secret in [
        PATIENT_NAME,
        "Torvald",
        "Hemmelighetsen",
        SUBJECT_WORDS,
        BODY_WORDS,
        "HbA1c",
    ] {
        assert!(
            !text.contains(secret),
            "{} carries {secret:?}, e-mail must not carry health information:\n{text}",
            m.file
        );
    }
    assert!(
        text.contains("https://samband.test/inbox"),
        "{}: link\n{text}",
        m.file
    );
}

fn mail_env(smtp_port: u16, settings: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![(
        "SAMBAND_SMTP_URL".to_owned(),
        format!("smtp://127.0.0.1:{smtp_port}"),
    )];
    env.extend(
        settings
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

// ---- the tests ----------------------------------------------------------------------

const N: usize = 200;

async fn smtp_outage_then_all_200_arrive_exactly_once(backend: Backend) {
    let dir = Scratch::new("outage");
    let db = Database::new(backend, dir.path());
    add_admin(&db);
    // The mail server's port is known, but nothing listens there yet.
    let smtp_port = free_port();
    let out = dir.path().join("mail");
    let env = mail_env(
        smtp_port,
        &[
            ("SAMBAND_JOB_BACKOFF_SECONDS", "1"),
            ("SAMBAND_JOB_MAX_ATTEMPTS", "50"),
        ],
    );
    let samband = Samband::start(dir.path(), "samband", &db, &env);
    let w = world(&samband.base).await;
    let posting = Instant::now();
    send_messages(&w, N).await;
    let posted_in = posting.elapsed();

    // The runner keeps trying: connection refused, retried later, nothing lost. Wait
    // a few seconds, and until every e-mail has failed at least once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut jobs = Vec::new();
    for _ in 0..300 {
        jobs = email_jobs(&w.admin, "").await;
        if jobs.iter().all(|j| j["last_error"].is_string()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(jobs.len(), N, "one e-mail job per notification");
    assert!(
        jobs.iter()
            .all(|j| j["status"] == "pending" || j["status"] == "running"),
        "every e-mail waits while the server is down: {jobs:?}"
    );
    assert!(
        jobs.iter()
            .all(|j| j["last_error"].as_str().is_some_and(|e| e.contains("SMTP"))),
        "every e-mail was tried and the failure recorded: {jobs:?}"
    );
    let max_attempts = jobs
        .iter()
        .filter_map(|j| j["attempts"].as_i64())
        .max()
        .unwrap_or(0);
    assert_eq!(mail_count(&out), 0);

    let sink = Sink::start(smtp_port, &out, &[]);
    let arrived_in = wait_until(
        "200 e-mails after the outage",
        Duration::from_secs(90),
        || mail_count(&out) >= N,
    );
    // Anything sent twice would turn up now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = mails(&out);
    assert_eq!(got.len(), N, "exactly {N} e-mails, none twice");
    let ids: HashSet<String> = got.iter().map(Mail::message_id).collect();
    assert_eq!(ids.len(), N, "{N} distinct Message-IDs");
    for m in &got {
        assert_mail_is_clean(m);
    }
    assert!(email_jobs(&w.admin, "pending").await.is_empty());
    assert!(email_jobs(&w.admin, "dead").await.is_empty());
    println!(
        "[{backend:?}] posted {N} messages in {posted_in:.1?}; up to {max_attempts} attempts each \
         during the outage; all {N} e-mails arrived {arrived_in:.1?} after the SMTP server started"
    );
    samband.stop();
    sink.stop();
}

async fn sigkill_mid_dispatch_loses_nothing(backend: Backend) {
    let dir = Scratch::new("sigkill");
    let db = Database::new(backend, dir.path());
    add_admin(&db);
    let out = dir.path().join("mail");
    let sink = Sink::start(0, &out, &["--delay-ms", "30"]);
    let env = mail_env(
        sink.port,
        &[
            ("SAMBAND_JOB_LEASE_SECONDS", "2"),
            ("SAMBAND_JOB_BACKOFF_SECONDS", "1"),
            ("SAMBAND_JOB_MAX_ATTEMPTS", "50"),
        ],
    );
    let samband = Samband::start(dir.path(), "samband-1", &db, &env);
    let w = world(&samband.base).await;
    send_messages(&w, N).await;
    let posted = mail_count(&out);
    wait_until(
        "30 e-mails before the kill",
        Duration::from_secs(60),
        || mail_count(&out) >= 30,
    );
    samband.kill();
    // What the first process had handed over completely still lands a moment later.
    std::thread::sleep(Duration::from_millis(500));
    let at_kill = mail_count(&out);
    assert!(
        at_kill < N,
        "the kill must land while e-mail is still being sent ({at_kill} of {N} had arrived)"
    );

    let killed = Instant::now();
    let samband = Samband::start(dir.path(), "samband-2", &db, &env);
    let distinct = || {
        mails(&out)
            .iter()
            .map(Mail::message_id)
            .collect::<HashSet<_>>()
            .len()
    };
    let arrived_in = wait_until(
        "200 distinct e-mails after the restart",
        Duration::from_secs(90),
        || distinct() >= N,
    );
    let since_kill = killed.elapsed();
    // A message caught in flight is sent again once its lease (2 s) runs out; wait
    // past that so a late duplicate is seen too.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = mails(&out);
    let mut by_id: BTreeMap<String, Vec<&Mail>> = BTreeMap::new();
    for m in &got {
        assert_mail_is_clean(m);
        by_id.entry(m.message_id()).or_default().push(m);
    }
    assert_eq!(by_id.len(), N, "every message arrived");
    let duplicates = got.len() - by_id.len();
    for (id, copies) in by_id.iter().filter(|(_, c)| c.len() > 1) {
        let first = copies[0];
        let seq: usize = first.file.trim_end_matches(".eml").parse().unwrap();
        assert!(
            seq <= at_kill,
            "{id} was sent twice but its first copy ({}) arrived after the kill",
            first.file
        );
        for other in &copies[1..] {
            assert_eq!(
                first.header("subject"),
                other.header("subject"),
                "{id}: Subject"
            );
            assert_eq!(first.header("to"), other.header("to"), "{id}: To");
            assert_eq!(first.body, other.body, "{id}: body");
            assert_eq!(
                first.content(),
                other.content(),
                "{id}: a resend is the same message ({} vs {})",
                first.file,
                other.file
            );
        }
    }
    println!(
        "[{backend:?}] {posted} e-mails had arrived when posting finished, {at_kill} at SIGKILL; \
         all {N} arrived {arrived_in:.1?} after the restart ({since_kill:.1?} after the kill); \
         duplicates: {duplicates}"
    );
    assert!(
        duplicates <= 5,
        "only e-mails in flight at the kill may arrive twice, got {duplicates} duplicates"
    );
    let admin = w.admin.at(&samband.base);
    assert!(email_jobs(&admin, "pending").await.is_empty());
    assert!(email_jobs(&admin, "running").await.is_empty());
    samband.stop();
    sink.stop();
}

/// A job_dead notification for the administrator, naming the job kind.
async fn assert_admin_alerted(admin: &Api) {
    let notes = admin.get("/api/v1/notifications").await;
    let dead: Vec<&Value> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "job_dead")
        .collect();
    assert_eq!(dead.len(), 1, "one alert for the one dead job: {notes}");
    assert!(
        dead[0]["text"].as_str().unwrap().contains("email"),
        "{}",
        dead[0]
    );
}

async fn permanent_5xx_is_dead_lettered_and_admins_alerted(backend: Backend) {
    let dir = Scratch::new("5xx");
    let db = Database::new(backend, dir.path());
    add_admin(&db);
    let out = dir.path().join("mail");
    let sink = Sink::start(0, &out, &["--code-5xx"]);
    let env = mail_env(
        sink.port,
        &[
            ("SAMBAND_JOB_BACKOFF_SECONDS", "1"),
            ("SAMBAND_JOB_MAX_ATTEMPTS", "2"),
        ],
    );
    let samband = Samband::start(dir.path(), "samband", &db, &env);
    let w = world(&samband.base).await;
    send_messages(&w, 1).await;
    let mut dead = Vec::new();
    for _ in 0..300 {
        dead = email_jobs(&w.admin, "dead").await;
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dead.len(), 1, "the e-mail job is dead-lettered");
    // 550 will not change by asking again: buried at once, not retried.
    assert_eq!(dead[0]["attempts"], 1, "{}", dead[0]);
    assert!(
        dead[0]["last_error"].as_str().unwrap().contains("550"),
        "{}",
        dead[0]
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.refusals(), 1, "no retry after a permanent refusal");
    assert_eq!(mail_count(&out), 0);
    assert!(email_jobs(&w.admin, "pending").await.is_empty());
    assert_admin_alerted(&w.admin).await;
    samband.stop();
    sink.stop();
}

async fn transient_4xx_until_max_attempts_is_dead_lettered(backend: Backend) {
    let dir = Scratch::new("4xx");
    let db = Database::new(backend, dir.path());
    add_admin(&db);
    let out = dir.path().join("mail");
    let sink = Sink::start(0, &out, &["--code-4xx"]);
    let env = mail_env(
        sink.port,
        &[
            ("SAMBAND_JOB_BACKOFF_SECONDS", "1"),
            ("SAMBAND_JOB_MAX_ATTEMPTS", "2"),
        ],
    );
    let samband = Samband::start(dir.path(), "samband", &db, &env);
    let w = world(&samband.base).await;
    send_messages(&w, 1).await;
    let mut dead = Vec::new();
    for _ in 0..300 {
        dead = email_jobs(&w.admin, "dead").await;
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dead.len(), 1, "the e-mail job is dead-lettered");
    assert_eq!(
        dead[0]["attempts"], 2,
        "tried the maximum number of times: {}",
        dead[0]
    );
    assert!(
        dead[0]["last_error"].as_str().unwrap().contains("451"),
        "{}",
        dead[0]
    );
    assert_eq!(sink.refusals(), 2, "one SMTP transaction per attempt");
    assert_eq!(mail_count(&out), 0);
    assert_admin_alerted(&w.admin).await;
    samband.stop();
    sink.stop();
}

/// The decoders the privacy check relies on (Norwegian and Danish e-mails are not
/// 7-bit, so their text arrives encoded).
#[test]
fn encoded_headers_and_bodies_are_decoded_before_checking() {
    assert_eq!(
        decode_words("=?utf-8?b?RHUgaGFyIG5vZSBueXR0?= =?utf-8?q?_i_S=C3=A5mband?="),
        "Du har noe nytt i Såmband"
    );
    assert_eq!(decode_words("plain, =? not a word"), "plain, =? not a word");
    assert_eq!(
        qp_decode(b"Logg inn for =C3=A5 lese den: https://x/inbox=\r\n?a=3D1"),
        "Logg inn for å lese den: https://x/inbox?a=1".as_bytes()
    );
    let m = Mail::parse(
        Path::new("1.eml"),
        b"To: Berit <b@x.example>\r\nSubject: =?utf-8?b?aGVp?=\r\nContent-Transfer-Encoding: base64\r\n\r\naMOl\r\n".to_vec(),
    );
    assert_eq!(m.to_address(), "b@x.example");
    assert!(m.readable().contains("Subject: hei\n"));
    assert!(m.readable().ends_with("hå"));
}

// ---- TLS and authentication ---------------------------------------------------------

/// A private CA and a server certificate for 127.0.0.1, made with openssl.
fn make_certs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Samband test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

fn tls_env(port: u16, password: &str, ca: &Path) -> Vec<(String, String)> {
    vec![
        (
            "SAMBAND_SMTP_URL".to_owned(),
            format!("smtp://mailer:{password}@127.0.0.1:{port}?tls=required"),
        ),
        ("SAMBAND_SMTP_CA_FILE".to_owned(), ca.display().to_string()),
        ("SAMBAND_JOB_BACKOFF_SECONDS".to_owned(), "1".to_owned()),
        ("SAMBAND_JOB_MAX_ATTEMPTS".to_owned(), "2".to_owned()),
    ]
}

async fn starttls_and_auth_with_a_private_ca_deliver(backend: Backend) {
    let dir = Scratch::new("tls");
    let (ca, cert, key) = make_certs(dir.path());
    let db = Database::new(backend, dir.path());
    add_admin(&db);
    let out = dir.path().join("mail");
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let sink = Sink::start(
        0,
        &out,
        &[
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
            "--auth",
            "mailer:s3cret-relay",
        ],
    );
    let env = tls_env(sink.port, "s3cret-relay", &ca);
    let samband = Samband::start(dir.path(), "samband", &db, &env);
    let w = world(&samband.base).await;
    send_messages(&w, 3).await;
    wait_until("3 mails over STARTTLS", Duration::from_secs(60), || {
        mail_count(&out) >= 3
    });
    let log = std::fs::read_to_string(&sink.log).unwrap_or_default();
    assert!(log.lines().any(|l| l == "auth ok"), "authenticated: {log}");
    assert!(!log.contains("auth refused"), "{log}");
    for m in mails(&out) {
        assert_mail_is_clean(&m);
    }
    assert!(email_jobs(&w.admin, "dead").await.is_empty());
    samband.stop();
    sink.stop();
}

async fn a_wrong_smtp_password_is_dead_lettered(backend: Backend) {
    let dir = Scratch::new("tls-auth");
    let (ca, cert, key) = make_certs(dir.path());
    let db = Database::new(backend, dir.path());
    add_admin(&db);
    let out = dir.path().join("mail");
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let sink = Sink::start(
        0,
        &out,
        &[
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
            "--auth",
            "mailer:s3cret-relay",
        ],
    );
    let env = tls_env(sink.port, "not-the-password", &ca);
    let samband = Samband::start(dir.path(), "samband", &db, &env);
    let w = world(&samband.base).await;
    send_messages(&w, 1).await;
    let mut dead = Vec::new();
    for _ in 0..300 {
        dead = email_jobs(&w.admin, "dead").await;
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        dead.len(),
        1,
        "a refused login is buried, not retried for ever: {:?} / sink: {}",
        email_jobs(&w.admin, "").await,
        std::fs::read_to_string(&sink.log).unwrap_or_default()
    );
    assert!(
        dead[0]["last_error"].as_str().unwrap().contains("535"),
        "{}",
        dead[0]
    );
    assert_eq!(mail_count(&out), 0);
    assert_admin_alerted(&w.admin).await;
    samband.stop();
    sink.stop();
}

async fn implicit_tls_smtps_delivers(backend: Backend) {
    let dir = Scratch::new("smtps");
    let (ca, cert, key) = make_certs(dir.path());
    let db = Database::new(backend, dir.path());
    add_admin(&db);
    let out = dir.path().join("mail");
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let sink = Sink::start(
        0,
        &out,
        &[
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
            "--implicit-tls",
            "--auth",
            "mailer:s3cret-relay",
        ],
    );
    let mut env = tls_env(sink.port, "s3cret-relay", &ca);
    env[0].1 = format!("smtps://mailer:s3cret-relay@127.0.0.1:{}", sink.port);
    let samband = Samband::start(dir.path(), "samband", &db, &env);
    let w = world(&samband.base).await;
    send_messages(&w, 2).await;
    wait_until("2 mails over implicit TLS", Duration::from_secs(60), || {
        mail_count(&out) >= 2
    });
    assert!(email_jobs(&w.admin, "dead").await.is_empty());
    samband.stop();
    sink.stop();
}
