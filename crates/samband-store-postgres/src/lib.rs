//! PostgreSQL backend: the scale option. Several Samband instances may share one
//! database; migrations take an advisory lock so concurrent starts apply each once.
//! PostgreSQL's defaults (fsync on, synchronous_commit on) give durable commits.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod access_log;
mod codec;
mod consent;
mod directory;
mod jobs;
mod meetings;
mod messages;
mod migrate;
mod needs;
mod pathways;
mod plan;
mod records;
mod registry;
mod relapse;
mod self_reports;
mod signals;
mod succession;
mod team;

use async_trait::async_trait;
use samband_store::{Store, StoreError, StoreResult, Tx};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub struct PgStore {
    pool: PgPool,
    /// The NOTIFY channel for live updates: per schema, so stores sharing a database
    /// but not a schema (tests) do not hear each other.
    channel: String,
    /// The gap in the audit sequence the sealer waits on, and since when (see
    /// `PgTx::seal`).
    sealer_gap: tokio::sync::Mutex<Option<(i64, chrono::DateTime<chrono::Utc>)>>,
}

pub(crate) struct PgTx {
    pub(crate) tx: Transaction<'static, Postgres>,
}

impl PgStore {
    /// Connects and migrates. `schema`, when given, is created if missing and used as the
    /// search path for every connection (tests give each test its own schema).
    pub async fn open(url: &str, schema: Option<&str>, max_connections: u32) -> StoreResult<Self> {
        let mut opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad PostgreSQL URL: {e}")))?
            .application_name("samband");
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(StoreError::Other("schema name must be alphanumeric".into()));
            }
            let setup = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(opts.clone())
                .await
                .map_err(codec::db_err)?;
            sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&setup)
                .await
                .map_err(codec::db_err)?;
            setup.close().await;
            opts = opts.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(codec::db_err)?;
        migrate::run(&pool).await?;
        let channel = match schema {
            Some(s) => format!("samband_live_{s}"),
            None => "samband_live".to_owned(),
        };
        Ok(Self {
            pool,
            channel,
            sealer_gap: tokio::sync::Mutex::new(None),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        // On its own task, so a request dropped halfway cannot cut the BEGIN off in
        // flight: sqlx 0.8 would then hand the pool a connection inside a transaction
        // nothing rolls back. A finished begin whose caller is gone is dropped, which
        // rolls it back.
        let pool = self.pool.clone();
        let tx = tokio::spawn(async move { pool.begin().await })
            .await
            .map_err(|e| StoreError::Other(format!("begin did not finish: {e}")))?
            .map_err(codec::db_err)?;
        Ok(Box::new(PgTx { tx }))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(codec::db_err)?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn seal_audit(&self) -> StoreResult<u64> {
        let mut gap = self.sealer_gap.lock().await;
        let pool = self.pool.clone();
        let mut tx = PgTx {
            tx: pool.begin().await.map_err(codec::db_err)?,
        };
        let started = std::time::Instant::now();
        let n = tx.seal(samband_store::SEAL_BATCH, &mut gap).await?;
        tx.tx.commit().await.map_err(codec::db_err)?;
        if n > 0 {
            samband_metrics::record_batch(samband_metrics::SEALER, n as usize, started.elapsed());
        }
        Ok(n)
    }

    fn sealer_interval(&self) -> Option<Duration> {
        Some(Duration::from_millis(50))
    }

    async fn broadcast(&self, payload: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&self.channel)
            .bind(payload)
            .execute(&self.pool)
            .await
            .map_err(codec::db_err)?;
        Ok(())
    }

    async fn listen(&self, sink: Box<dyn Fn(String) + Send + Sync>) -> StoreResult<()> {
        // PgListener reconnects by itself; a signal missed while it does is covered by
        // clients re-reading when their stream reconnects.
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool)
            .await
            .map_err(codec::db_err)?;
        listener
            .listen(&self.channel)
            .await
            .map_err(codec::db_err)?;
        loop {
            match listener.recv().await {
                Ok(n) => sink(n.payload().to_owned()),
                Err(sqlx::Error::PoolClosed) => return Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "live-update listener lost its connection");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }
}

#[async_trait]
impl Tx for PgTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        // Once asked, a commit finishes even if the request is dropped meanwhile.
        let tx = self.tx;
        tokio::spawn(async move { tx.commit().await })
            .await
            .map_err(|e| StoreError::Other(format!("commit did not finish: {e}")))?
            .map_err(codec::db_err)
    }
}

/// The database URL the tests use: `SAMBAND_TEST_DATABASE_URL`, else the local server.
pub fn test_database_url() -> String {
    std::env::var("SAMBAND_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn fresh(name: &str) -> PgStore {
        let schema = format!("t_{name}_{}", uuid::Uuid::now_v7().simple());
        PgStore::open(&test_database_url(), Some(&schema), 4)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL at {} must be reachable for tests: {e}",
                    test_database_url()
                )
            })
    }

    /// A request dropped while its transaction is starting must leave its pooled
    /// connection clean (one connection, so the next begin gets the same one).
    #[tokio::test]
    async fn a_begin_dropped_halfway_leaves_the_store_usable() {
        let schema = format!("t_cancel_{}", uuid::Uuid::now_v7().simple());
        let store = PgStore::open(&test_database_url(), Some(&schema), 1)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        for i in 0..100 {
            {
                let mut begin = std::pin::pin!(store.begin());
                for _ in 0..(i % 12) {
                    let ready = std::future::poll_fn(|cx| {
                        std::task::Poll::Ready(
                            std::future::Future::poll(begin.as_mut(), cx).is_ready(),
                        )
                    })
                    .await;
                    if ready {
                        break;
                    }
                    tokio::task::yield_now().await;
                }
            }
            let tx = store
                .begin()
                .await
                .unwrap_or_else(|e| panic!("begin after a dropped begin (round {i}): {e}"));
            tx.commit()
                .await
                .unwrap_or_else(|e| panic!("commit (round {i}): {e}"));
            // Outside any transaction, each statement has its own now(); inside a
            // stale one left open, both would read the transaction's start.
            let mut stamps = Vec::new();
            for _ in 0..2 {
                let t: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT now()")
                    .fetch_one(&store.pool)
                    .await
                    .unwrap_or_else(|e| panic!("probe (round {i}): {e}"));
                stamps.push(t);
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            assert_ne!(
                stamps[0], stamps[1],
                "round {i}: the connection was left inside a transaction"
            );
        }
    }

    /// The shared suite, each scenario on a fresh schema of its own: every registered
    /// scenario must complete (`run_all` leaves out any that panicked or timed out).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn conformance() {
        use samband_store::conformance::{run_all, SCENARIOS};
        use std::collections::BTreeSet;
        let completed = run_all(|| async {
            let store: Arc<dyn samband_store::Store> = Arc::new(fresh("conf").await);
            store
        })
        .await;
        let completed: BTreeSet<&str> = completed.into_iter().collect();
        let registered: BTreeSet<&str> = SCENARIOS.iter().map(|s| s.name).collect();
        let missing: Vec<_> = registered.difference(&completed).collect();
        assert!(
            missing.is_empty(),
            "scenarios that did not complete: {missing:?}"
        );
        assert_eq!(completed, registered);
    }

    #[tokio::test]
    async fn audit_chain_verifies_and_every_tampering_is_found() {
        use samband_store::chain::{verify_chain, VerifyError};
        use samband_store::conformance::{append_entries, tamper_cases};
        for (name, sql, expect_seq) in tamper_cases() {
            let store = fresh(&format!("chain_{name}")).await;
            append_entries(&store, 5).await;
            assert_eq!(
                verify_chain(&store, 2)
                    .await
                    .ok()
                    .map(|s| (s.sealed, s.unsealed)),
                Some((5, 0)),
                "intact chain verifies"
            );
            sqlx::raw_sql("DROP TRIGGER audit_log_no_change ON audit_log")
                .execute(store.pool())
                .await
                .unwrap_or_else(|e| panic!("drop trigger: {e}"));
            // PostgreSQL's ids are UUIDs: the forged row gets a fresh one.
            let sql = sql.replace("id || '-forged'", "gen_random_uuid()");
            sqlx::raw_sql(&sql)
                .execute(store.pool())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            match verify_chain(&store, 2).await {
                Err(VerifyError::Broken(b)) => {
                    assert_eq!(b.seq, expect_seq, "{name}: {}", b.reason)
                }
                other => panic!("{name}: tampering not detected: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn audit_log_refuses_updates_and_deletes() {
        let store = fresh("audit").await;
        sqlx::query("INSERT INTO audit_log (id, at, object_type, action, purpose) VALUES (gen_random_uuid(), now(), 'x', 'read', 'p')")
            .execute(store.pool())
            .await
            .unwrap_or_else(|e| panic!("insert: {e}"));
        assert!(sqlx::query("UPDATE audit_log SET action = 'none'")
            .execute(store.pool())
            .await
            .is_err());
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(store.pool())
            .await
            .is_err());
    }

    #[tokio::test]
    async fn migrations_apply_once_when_reopened() {
        let schema = format!("t_mig_{}", uuid::Uuid::now_v7().simple());
        let url = test_database_url();
        let a = PgStore::open(&url, Some(&schema), 2)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        let b = PgStore::open(&url, Some(&schema), 2)
            .await
            .unwrap_or_else(|e| panic!("reopen: {e}"));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(b.pool())
            .await
            .unwrap_or_else(|e| panic!("count: {e}"));
        assert_eq!(n, migrate::MIGRATIONS.len() as i64);
        drop(a);
    }
}
