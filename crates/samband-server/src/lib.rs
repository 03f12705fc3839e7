//! Wiring: configuration, the store, the use cases, the two surfaces (API, UI), the
//! middleware stack and graceful shutdown. No business logic lives here.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod cli;
pub mod config;
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
        time_zone: cfg.time_zone,
        trust_forwarded_for: cfg.trust_forwarded_for,
        require_totp_for_professionals: cfg.require_totp,
        consent_defaults: cfg.consent_defaults.clone(),
        rate_limits: samband_app::ratelimit::RateLimits {
            api_per_minute: cfg.api_rate_per_minute,
            sign_in_per_minute: cfg.sign_in_rate_per_minute,
            ..Default::default()
        },
        ..AppConfig::default()
    }
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
    let ui = samband_ui::router(app.clone(), samband_ui::UiConfig { secure_cookies });
    let api = samband_api::router(app.clone());
    let health = Router::new()
        .route("/healthz", get(healthz))
        .with_state(app);
    middleware::wrap(health.merge(api).merge(ui), secure_cookies)
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: App,
    secure_cookies: bool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let router = router(app, secure_cookies);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")
}

/// The system clock, for the binary.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
