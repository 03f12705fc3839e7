//! HTTP-level tests through the real router on a real listener. Every test runs on
//! SQLite and on PostgreSQL (`SAMBAND_TEST_DATABASE_URL`, default the local server).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Runs an `async fn(Backend)` once per backend, as two named tests.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(samband_testkit::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(samband_testkit::Backend::Postgres).await
            }
        }
    )*};
}

mod api;
mod api_errors;
mod auth;
mod bounds;
mod common;
mod consent;
mod destructive;
mod emergency;
mod handovers;
mod meetings;
mod messages;
mod monitoring_signals;
mod needs_mapping;
mod observability;
mod paging;
mod pathway_jobs;
mod pathway_templates;
mod pathways;
mod policy;
mod registry;
mod relapse;
mod routes;
mod self_monitoring;
mod signals;
mod simulated_month;
mod succession;
mod tokens;
mod ui;
mod ui_messages;
mod ui_pathways;
mod ui_relapse;
mod ui_self_monitoring;
