//! Statements per use case, counted by the database layer itself: on SQLite by
//! SQLite's trace hook on every connection of the store (every statement SQLite starts,
//! transaction statements included: `samband_store_sqlite::count_statements`), on
//! PostgreSQL from the driver's log of every statement it runs (target `sqlx::query`).
//! Each use case has a budget, and none may grow with the data: the same request
//! against a patient with a much larger plan runs exactly as many statements.
//!
//! Its own test binary, because counting needs a global subscriber and a process-wide
//! switch. Statements of the PostgreSQL audit sealer (a background task, span
//! `audit_sealer`) are not counted; nothing else runs in the background of a test
//! server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use samband_testkit::{Backend, TestApp};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

static STATEMENTS: AtomicU64 = AtomicU64::new(0);

struct CountStatements;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        if let Some(scope) = ctx.event_scope(event) {
            if scope.into_iter().any(|s| s.name() == "audit_sealer") {
                return;
            }
        }
        // A connection's set-up (the reader pool opens one when all are busy, at a
        // moment no test controls) is not part of any use case.
        struct Summary(bool);
        impl tracing::field::Visit for Summary {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                if f.name() == "summary" && format!("{v:?}").starts_with("\"PRAGMA") {
                    self.0 = true;
                }
            }
        }
        let mut setup = Summary(false);
        event.record(&mut setup);
        if setup.0 {
            return;
        }
        STATEMENTS.fetch_add(1, Ordering::SeqCst);
        if std::env::var_os("SAMBAND_SHOW_STATEMENTS").is_some() {
            // For finding what to cut: print each statement as the driver logged it.
            struct Show;
            impl tracing::field::Visit for Show {
                fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                    if f.name() == "summary" {
                        eprintln!("  statement: {v:?}");
                    }
                }
            }
            event.record(&mut Show);
        }
    }
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Before any store opens: the hook is installed on connections as they open.
        samband_store_sqlite::count_statements(
            std::env::var_os("SAMBAND_SHOW_STATEMENTS").is_some(),
        );
        let filter = tracing_subscriber::filter::Targets::new()
            .with_target("sqlx::query", tracing::Level::TRACE)
            .with_target("samband_server", tracing::Level::INFO);
        let subscriber = tracing_subscriber::registry().with(CountStatements.with_filter(filter));
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

/// Statements run on `backend` so far.
fn statements(backend: Backend) -> u64 {
    match backend {
        Backend::Sqlite => samband_store_sqlite::statements_run(),
        Backend::Postgres => STATEMENTS.load(Ordering::SeqCst),
    }
}

/// Statements the future ran.
async fn count<F: std::future::Future>(backend: Backend, f: F) -> (u64, F::Output) {
    let before = statements(backend);
    let out = f.await;
    (statements(backend) - before, out)
}

/// (use case, SQLite budget, PostgreSQL budget)
/// SQLite counts include the read snapshot's BEGIN and COMMIT and the writer's batch
/// statements (BEGIN, SAVEPOINT, RELEASE, sealing, COMMIT) of a batch that holds only
/// this request; under load a batch holds many and those are shared.
/// The overview's PostgreSQL budget holds the relapse-prevention plan beside the crisis
/// plan: its row and its own audit entry (SQLite sends a read's entries in one INSERT).
const BUDGETS: &[(&str, u64, u64)] = &[
    ("GET /api/v1/patients/{id}", 21, 17),
    ("PUT /api/v1/patients/{id}/actions/{id}", 16, 10),
    ("PUT /api/v1/patients/{id}/goals/{id}", 16, 10),
];

fn budget(backend: Backend, what: &str) -> u64 {
    let (_, s, p) = BUDGETS.iter().find(|(w, _, _)| *w == what).unwrap();
    match backend {
        Backend::Sqlite => *s,
        Backend::Postgres => *p,
    }
}

/// Statements of one JSON read, one action update and one goal update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    read: u64,
    action_update: u64,
    goal_update: u64,
}

/// Counts the three use cases on a small plan, then again after growing the plan.
async fn count_on_a_small_and_a_large_plan(b: Backend) -> (Counts, Counts) {
    install();
    let t = TestApp::start(b).await;
    let w = t.world().await;
    let gp = t.api(&t.token("gp").await);
    let patient = format!("/api/v1/patients/{}", w.p);
    let goals = format!("{patient}/goals");
    let actions = format!("{patient}/actions");
    let goal = gp
        .post(&goals, json!({"text": "Sleep through the night", "author": "professional", "owner_member_id": w.m_gp}))
        .await;
    assert_eq!(goal.status, 201, "{}", goal.text);
    let goal_path = format!("{goals}/{}", goal.body["id"].as_str().unwrap());
    let action = gp
        .post(&actions, json!({"title": "Review medication", "owner_member_id": w.m_gp, "due_date": "2026-12-01"}))
        .await;
    assert_eq!(action.status, 201, "{}", action.text);
    let action_path = format!("{actions}/{}", action.body["id"].as_str().unwrap());
    // Warm: the first use of the token records its last use.
    assert_eq!(gp.get(&patient).await.status, 200);

    let mut rows = Vec::new();
    for (done, round) in ["small plan", "large plan"].into_iter().enumerate() {
        // Both were created at version 1 and each round updates them once.
        let version = done + 1;
        let (read, r) = count(b, gp.get(&patient)).await;
        assert_eq!(r.status, 200);
        let (update, r) = count(b, gp.put(
            &action_path,
            Some(&format!("\"{version}\"")),
            json!({"title": "Review medication", "owner_member_id": w.m_gp, "due_date": "2026-12-01", "status": "in_progress"}),
        ))
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let (goal_update, r) = count(b, gp.put(
            &goal_path,
            Some(&format!("\"{version}\"")),
            json!({"text": format!("Sleep through the night ({round})"), "author": "professional", "owner_member_id": w.m_gp}),
        ))
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        rows.push((round, read, update, goal_update));
        if round == "small plan" {
            // Grow the plan well past anything a per-item query would hide.
            for i in 0..25 {
                let r = gp
                    .post(&goals, json!({"text": format!("Goal {i}"), "author": "professional", "owner_member_id": w.m_gp}))
                    .await;
                assert_eq!(r.status, 201, "{}", r.text);
                let r = gp
                    .post(&actions, json!({"title": format!("Action {i}"), "owner_member_id": w.m_gp, "due_date": "2026-12-01"}))
                    .await;
                assert_eq!(r.status, 201, "{}", r.text);
            }
        }
    }
    for (round, read, update, goal_update) in &rows {
        eprintln!(
            "{b:?} {round}: read {read}, action update {update}, goal update {goal_update} statements"
        );
    }
    let counts = |(_, read, action_update, goal_update): (&str, u64, u64, u64)| Counts {
        read,
        action_update,
        goal_update,
    };
    (counts(rows[0]), counts(rows[1]))
}

fn within_budget(b: Backend, small: Counts) -> Vec<String> {
    [
        ("GET /api/v1/patients/{id}", small.read),
        (
            "PUT /api/v1/patients/{id}/actions/{id}",
            small.action_update,
        ),
        ("PUT /api/v1/patients/{id}/goals/{id}", small.goal_update),
    ]
    .into_iter()
    .filter_map(|(what, n)| {
        if n == 0 {
            Some(format!(
                "{what}: nothing counted — is the statement count reaching us?"
            ))
        } else if n > budget(b, what) {
            Some(format!(
                "{what} ran {n} statements, over its budget of {}",
                budget(b, what)
            ))
        } else {
            None
        }
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let (small, large) = count_on_a_small_and_a_large_plan(Backend::Sqlite).await;
    assert_eq!(small, large, "statement counts grew with the plan");
    assert_eq!(within_budget(Backend::Sqlite, small), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let (small, large) = count_on_a_small_and_a_large_plan(Backend::Postgres).await;
    assert_eq!(small, large, "statement counts grew with the plan");
    assert_eq!(
        within_budget(Backend::Postgres, small),
        Vec::<String>::new()
    );
}
