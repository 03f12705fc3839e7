//! Test harness: [`TestApp`] runs the real router on a real listener (port 0) over a
//! fresh database — a SQLite file in a temporary directory, or a fresh PostgreSQL
//! schema — with a manual clock, and seeds a small world of people to test with.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod fixture;
pub mod walk;

use chrono::{TimeZone, Utc};
use samband_app::{App, AppConfig};
use samband_domain::clock::ManualClock;
use samband_store::Store;
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub backend: Backend,
    dir: Option<std::path::PathBuf>,
    /// Where the data lives, for [`TestApp::fingerprint`].
    db: Option<Db>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Monday 23 November 2026, 09:00 UTC: tests that depend on dates start here.
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// Where a test database lives: a SQLite file, or a PostgreSQL schema.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(std::path::PathBuf),
    Postgres { url: String, schema: String },
}

pub async fn open_store(backend: Backend) -> (Arc<dyn Store>, Option<std::path::PathBuf>) {
    let (store, dir, _) = open_store_at(backend).await;
    (store, dir)
}

async fn open_store_at(backend: Backend) -> (Arc<dyn Store>, Option<std::path::PathBuf>, Db) {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("samband-test-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}", dir.join("t.db").display());
            let s = samband_store_sqlite::SqliteStore::open(&url)
                .await
                .expect("open sqlite");
            let file = dir.join("t.db");
            (Arc::new(s), Some(dir), Db::Sqlite(file))
        }
        Backend::Postgres => {
            let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
            let url = samband_store_postgres::test_database_url();
            let s = samband_store_postgres::PgStore::open(&url, Some(&schema), 8)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {url} must be reachable for tests: {e}"));
            (Arc::new(s), None, Db::Postgres { url, schema })
        }
    }
}

/// The manual clock's current time (tests compute TOTP codes from it).
pub trait ClockExt {
    fn now_for_tests(&self) -> chrono::DateTime<Utc>;
}

impl ClockExt for ManualClock {
    fn now_for_tests(&self) -> chrono::DateTime<Utc> {
        samband_domain::clock::Clock::now(self)
    }
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, AppConfig::default()).await
    }

    pub async fn start_with(backend: Backend, config: AppConfig) -> TestApp {
        let (store, dir, db) = open_store_at(backend).await;
        let mut t = Self::start_on(backend, store, config).await;
        t.dir = dir;
        t.db = Some(db);
        t
    }

    /// A second instance on an existing database (as behind a load balancer).
    pub async fn start_on(backend: Backend, store: Arc<dyn Store>, config: AppConfig) -> TestApp {
        let dir = None;
        let clock = Arc::new(ManualClock::new(start_time()));
        let app = App::new(store, clock.clone(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = app.clone();
        tokio::spawn(async move {
            let _ = samband_server::serve(listener, served, false, async {
                let _ = rx.await;
            })
            .await;
        });
        TestApp {
            base: format!("http://{addr}"),
            app,
            clock,
            backend,
            dir,
            db: None,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A bearer token for `username` (all fixture passwords are [`fixture::PASSWORD`]).
    pub async fn token(&self, username: &str) -> String {
        self.token_with_scopes(username, "read write").await
    }

    pub async fn token_with_scopes(&self, username: &str, scopes: &str) -> String {
        let res = reqwest::Client::new()
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": username, "password": fixture::PASSWORD, "name": "test", "scopes": scopes}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "token for {username}");
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn api(&self, token: &str) -> Api {
        Api {
            base: self.base.clone(),
            token: token.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            base: self.base.clone(),
            client,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A response reduced to what tests look at.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    async fn from(res: reqwest::Response) -> Reply {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn etag(&self) -> Option<String> {
        self.headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The field names of a problem document's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct Api {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Api {
    pub async fn get(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Reply::from(
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// PUT with `If-Match` (None sends no header).
    pub async fn put(&self, path: &str, if_match: Option<&str>, body: Value) -> Reply {
        let mut req = self
            .client
            .put(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body);
        if let Some(v) = if_match {
            req = req.header("if-match", v);
        }
        Reply::from(req.send().await.unwrap()).await
    }

    pub async fn post_if_match(&self, path: &str, if_match: &str, body: Value) -> Reply {
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("if-match", if_match)
            .json(&body);
        Reply::from(req.send().await.unwrap()).await
    }

    pub async fn raw(&self, req: reqwest::RequestBuilder) -> Reply {
        Reply::from(req.bearer_auth(&self.token).send().await.unwrap()).await
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

pub struct Browser {
    base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub async fn get(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> Reply {
        Reply::from(
            self.client
                .get(format!("{}{path}", self.base))
                .header(header.0, header.1)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        Reply::from(
            self.client
                .post(format!("{}{path}", self.base))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Signs in through the real form (with its CSRF token); returns the final reply.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        let page = self.get("/login").await;
        let token = hidden_value(&page.text, "_csrf").expect("login form has a CSRF token");
        self.post_form(
            "/login",
            &[
                ("_csrf", &token),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

/// The value of a hidden input in an HTML page (first match).
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}
