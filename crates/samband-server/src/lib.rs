//! Wiring: configuration, the store, the use cases, the two surfaces (API, UI), the
//! middleware stack and graceful shutdown. No business logic lives here.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod cli;
pub mod config;
pub mod mail;
mod middleware;

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use config::Config;
use samband_app::{App, AppConfig};
use samband_domain::clock::{Clock, SystemClock};
use samband_store::Store;
use secrecy::ExposeSecret;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Opens the configured backend and applies migrations.
pub async fn open_store(url: &str, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let s = samband_store_sqlite::SqliteStore::open(url)
            .await
            .context("opening SQLite database")?;
        Ok(Arc::new(s))
    } else {
        let s = samband_store_postgres::PgStore::open(url, None, max_connections)
            .await
            .context("opening PostgreSQL database")?;
        Ok(Arc::new(s))
    }
}

pub fn app_config(cfg: &Config) -> AppConfig {
    AppConfig {
        session_idle: chrono::Duration::minutes(cfg.session_idle_minutes),
        session_absolute: chrono::Duration::hours(cfg.session_absolute_hours),
        token_max_days: cfg.token_max_days,
        time_zone: cfg.time_zone,
        trust_forwarded_for: cfg.trust_forwarded_for,
        require_totp_for_professionals: cfg.require_totp,
        consent_defaults: cfg.consent_defaults.clone(),
        rate_limits: samband_app::ratelimit::RateLimits {
            api_per_minute: cfg.api_rate_per_minute,
            sign_in_per_minute: cfg.sign_in_rate_per_minute,
            ..Default::default()
        },
        calendar: samband_domain::calendar::WorkingCalendar::new(
            cfg.holidays,
            cfg.extra_holidays.iter().copied(),
        ),
        default_country: cfg.country,
        ack_working_days: cfg.ack_working_days,
        urgent_ack_working_days: cfg.urgent_ack_working_days,
        handover_ack_working_days: cfg.handover_ack_working_days,
        attachment_max_bytes: (cfg.attachment_max_kb as usize) * 1024,
        jobs: samband_app::jobs::JobSettings {
            lease: chrono::Duration::seconds(cfg.job_lease_seconds),
            max_attempts: cfg.job_max_attempts,
            backoff_base: chrono::Duration::seconds(cfg.job_backoff_seconds),
            ..Default::default()
        },
        mail: cfg
            .smtp_url
            .as_ref()
            .map(|_| samband_app::notify::MailSettings {
                from: cfg.mail_from.clone(),
                public_url: cfg.public_url.clone(),
                message_id_domain: message_id_domain(&cfg.public_url),
            }),
        ..AppConfig::default()
    }
}

/// The host part of the public URL, for Message-IDs (`<id@samband.example.org>`).
fn message_id_domain(public_url: &str) -> String {
    public_url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("samband.invalid")
        .to_owned()
}

/// The configured mailer, if a mail server is configured.
pub fn mailer(cfg: &Config) -> anyhow::Result<Option<Arc<dyn samband_app::jobs::Mailer>>> {
    match &cfg.smtp_url {
        Some(url) => {
            let ca = match &cfg.smtp_ca_file {
                Some(path) => Some(
                    std::fs::read(path).with_context(|| format!("reading SMTP CA file {path}"))?,
                ),
                None => None,
            };
            Ok(Some(Arc::new(mail::SmtpMailer::new(
                url.expose_secret(),
                &cfg.mail_from,
                ca.as_deref(),
            )?)))
        }
        None => Ok(None),
    }
}

/// Starts the background job runner; it stops when the returned sender is dropped or
/// set to true.
pub fn spawn_job_runner(
    app: &App,
    mailer: Option<Arc<dyn samband_app::jobs::Mailer>>,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let runner = app.clone().job_runner(mailer, rx);
    let handle = tokio::spawn(tracing::Instrument::instrument(
        runner,
        tracing::info_span!("job_runner"),
    ));
    (tx, handle)
}

pub async fn build_app(cfg: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
    let store = open_store(cfg.database_url.expose_secret(), cfg.max_connections).await?;
    Ok(App::new(store, clock, app_config(cfg)))
}

async fn healthz(State(app): State<App>) -> (StatusCode, &'static str) {
    match app.health().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}

/// The complete HTTP application: API, UI, health check and the middleware stack.
pub fn router(app: App, secure_cookies: bool) -> Router {
    // Attachments travel as base64 in JSON (a third larger) or as multipart parts.
    let file_limit = app.config.attachment_max_bytes / 3 * 4 + 256 * 1024;
    let ui = samband_ui::router(app.clone(), samband_ui::UiConfig { secure_cookies });
    let api = samband_api::router(app.clone());
    let health = Router::new()
        .route("/healthz", get(healthz))
        .with_state(app);
    middleware::wrap(health.merge(api).merge(ui), secure_cookies, file_limit)
}

/// `GET /metrics`: everything `samband_metrics` holds, in the Prometheus text format,
/// with the job queue counted just before. Served on its own listener
/// (`SAMBAND_METRICS_BIND`), never on the application's.
async fn metrics(State(app): State<App>) -> impl axum::response::IntoResponse {
    match job_queue_depth(&app).await {
        Ok((pending, running, dead)) => samband_metrics::set_job_queue(pending, running, dead),
        Err(e) => tracing::warn!(error = %e, "metrics: could not count the job queue"),
    }
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                samband_metrics::CONTENT_TYPE,
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        samband_metrics::render(),
    )
}

/// Counted in a read transaction, so a scrape never waits for (or holds) the writer.
async fn job_queue_depth(app: &App) -> anyhow::Result<(i64, i64, i64)> {
    let mut tx = app.store.begin_read().await?;
    let pending = tx.count_jobs("pending").await?;
    let running = tx.count_jobs("running").await?;
    let dead = tx.count_jobs("dead").await?;
    drop(tx);
    Ok((pending, running, dead))
}

/// The metrics endpoint's router (`/metrics` only).
pub fn metrics_router(app: App) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(app)
}

/// Serves `/metrics` on `listener` until its task is aborted (at shutdown).
pub async fn serve_metrics(listener: TcpListener, app: App) -> anyhow::Result<()> {
    axum::serve(listener, metrics_router(app))
        .await
        .context("serving metrics")
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: App,
    secure_cookies: bool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let live = app.live.clone();
    spawn_live_bridge(&app);
    let sealer = spawn_audit_sealer(&app);
    let router = router(app, secure_cookies);
    // Live streams never end by themselves: close them so the drain can finish.
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP");
    if let Some(sealer) = sealer {
        sealer.abort();
    }
    served
}

/// Links committed audit entries into the hash chain off the request path, on a store
/// that does not seal before its commits return (PostgreSQL; one sealer works at a
/// time across instances, the others find its lock taken). Runs again at once while
/// there is a backlog, otherwise every `sealer_interval`.
pub fn spawn_audit_sealer(app: &App) -> Option<tokio::task::JoinHandle<()>> {
    let store = app.store.clone();
    let pause = store.sealer_interval()?;
    let sealing = async move {
        loop {
            match store.seal_audit().await {
                Ok(n) if n >= samband_store::SEAL_BATCH as u64 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "audit sealing failed; will retry"),
            }
            tokio::time::sleep(pause).await;
        }
    };
    Some(tokio::spawn(tracing::Instrument::instrument(
        sealing,
        tracing::info_span!("audit_sealer"),
    )))
}

/// Carries live-update signals between instances that share a PostgreSQL database
/// (LISTEN/NOTIFY); on SQLite there is one instance and this does nothing.
pub fn spawn_live_bridge(app: &App) {
    let mut outgoing = app.live.connect_remote();
    let store = app.store.clone();
    tokio::spawn(async move {
        while let Some(payload) = outgoing.recv().await {
            if let Err(e) = store.broadcast(&payload).await {
                tracing::warn!(error = %e, "could not signal other instances");
            }
        }
    });
    let store = app.store.clone();
    let live = app.live.clone();
    tokio::spawn(async move {
        if let Err(e) = store
            .listen(Box::new(move |payload| live.deliver_remote(&payload)))
            .await
        {
            tracing::warn!(error = %e, "live updates from other instances are off");
        }
    });
}

/// The system clock, for the binary.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
