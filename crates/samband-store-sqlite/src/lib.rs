//! SQLite backend: the embedded default. One file in WAL mode with `synchronous=FULL`,
//! foreign keys on and a busy timeout; the store refuses to open on weaker settings.
//! All transactions take the write lock up front (`BEGIN IMMEDIATE`) through a single
//! writer connection, so writers queue in-process instead of spinning on SQLITE_BUSY.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod access_log;
mod codec;
mod consent;
mod directory;
mod jobs;
mod meetings;
mod messages;
mod migrate;
mod plan;
mod records;
mod team;

use async_trait::async_trait;
use samband_store::{Store, StoreError, StoreResult, Tx};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
}

pub(crate) struct SqliteTx {
    pub(crate) tx: Transaction<'static, Sqlite>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`), checks the
    /// durability settings took effect, and applies pending migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(codec::db_err)?;
        let store = Self { pool };
        store.check_durability().await?;
        migrate::run(&store.pool).await?;
        Ok(store)
    }

    /// Refuses to run on settings that could lose acknowledged writes.
    async fn check_durability(&self) -> StoreResult<()> {
        let journal: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await
            .map_err(codec::db_err)?
            .try_get(0)
            .map_err(codec::db_err)?;
        let sync: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&self.pool)
            .await
            .map_err(codec::db_err)?
            .try_get(0)
            .map_err(codec::db_err)?;
        let fk: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&self.pool)
            .await
            .map_err(codec::db_err)?
            .try_get(0)
            .map_err(codec::db_err)?;
        let busy: i64 = sqlx::query("PRAGMA busy_timeout")
            .fetch_one(&self.pool)
            .await
            .map_err(codec::db_err)?
            .try_get(0)
            .map_err(codec::db_err)?;
        check_settings(&journal, sync, fk, busy)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The durability settings Samband requires (synchronous: 2 = FULL, 3 = EXTRA).
pub fn check_settings(
    journal: &str,
    synchronous: i64,
    foreign_keys: i64,
    busy_ms: i64,
) -> StoreResult<()> {
    let mut problems = Vec::new();
    if !journal.eq_ignore_ascii_case("wal") {
        problems.push(format!("journal_mode is {journal}, need wal"));
    }
    if synchronous < 2 {
        problems.push(format!("synchronous is {synchronous}, need FULL (2)"));
    }
    if foreign_keys != 1 {
        problems.push("foreign_keys is off".to_owned());
    }
    if busy_ms <= 0 {
        problems.push("busy_timeout is not set".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Other(format!(
            "refusing to start on unsafe SQLite settings: {}",
            problems.join(", ")
        )))
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        // The BEGIN runs to completion on its own task even if the request that asked
        // is dropped halfway (a live stream whose reader left): sqlx 0.8 leaves a
        // connection whose BEGIN was cut off in flight marked as inside a transaction
        // that nothing rolls back, and with one writer connection every later request
        // would then fail. A finished begin whose caller is gone is simply dropped,
        // which rolls it back.
        let pool = self.pool.clone();
        let tx = tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
            .await
            .map_err(|e| StoreError::Other(format!("begin did not finish: {e}")))?
            .map_err(codec::db_err)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(codec::db_err)?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        // Once asked, a commit finishes even if the request is dropped meanwhile (see
        // `begin`): cut off halfway it would leave the connection in an unknown state.
        let tx = self.tx;
        tokio::spawn(async move { tx.commit().await })
            .await
            .map_err(|e| StoreError::Other(format!("commit did not finish: {e}")))?
            .map_err(codec::db_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::Arc;

    fn temp_url(name: &str) -> (std::path::PathBuf, String) {
        let dir =
            std::env::temp_dir().join(format!("samband-sqlite-{name}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
        let url = format!("sqlite://{}", dir.join("test.db").display());
        (dir, url)
    }

    /// The shared suite, each scenario on a fresh database file of its own: every
    /// registered scenario must complete (`run_all` leaves out any that panicked or
    /// timed out).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn conformance() {
        use samband_store::conformance::{run_all, SCENARIOS};
        use std::collections::BTreeSet;
        let (dir, _) = temp_url("conformance");
        let completed = run_all(|| {
            let url = format!(
                "sqlite://{}",
                dir.join(format!("{}.db", uuid::Uuid::now_v7())).display()
            );
            async move {
                let store = SqliteStore::open(&url)
                    .await
                    .unwrap_or_else(|e| panic!("open: {e}"));
                let store: Arc<dyn samband_store::Store> = Arc::new(store);
                store
            }
        })
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        let completed: BTreeSet<&str> = completed.into_iter().collect();
        let registered: BTreeSet<&str> = SCENARIOS.iter().map(|s| s.name).collect();
        let missing: Vec<_> = registered.difference(&completed).collect();
        assert!(
            missing.is_empty(),
            "scenarios that did not complete: {missing:?}"
        );
        assert_eq!(completed, registered);
    }

    /// `run_scenarios` counts only what completed: a scenario that panics is left out
    /// and the ones after it still run.
    #[tokio::test]
    async fn conformance_counts_only_completed_scenarios() {
        use samband_store::conformance::{run_scenarios, Scenario, ScenarioFuture};
        let (dir, _) = temp_url("harness");
        let scenarios = [
            Scenario {
                name: "passes",
                run: |store| -> ScenarioFuture {
                    Box::pin(async move { store.ping().await.unwrap() })
                },
            },
            Scenario {
                name: "panics",
                run: |_| -> ScenarioFuture { Box::pin(async { panic!("deliberately") }) },
            },
            Scenario {
                name: "also_passes",
                run: |_| -> ScenarioFuture { Box::pin(async {}) },
            },
        ];
        let completed = run_scenarios(&scenarios, || {
            let url = format!(
                "sqlite://{}",
                dir.join(format!("{}.db", uuid::Uuid::now_v7())).display()
            );
            async move {
                let store: Arc<dyn samband_store::Store> = Arc::new(
                    SqliteStore::open(&url)
                        .await
                        .unwrap_or_else(|e| panic!("open: {e}")),
                );
                store
            }
        })
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(completed, vec!["passes", "also_passes"]);
    }

    /// A request dropped while its transaction is starting (a live stream whose reader
    /// went away, say) must not leave the writer connection stuck inside a transaction
    /// nobody rolls back: every later begin would fail.
    #[tokio::test]
    async fn a_begin_dropped_halfway_leaves_the_store_usable() {
        let (dir, url) = temp_url("cancelled-begin");
        let store = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        for i in 0..200 {
            // Poll the begin a few times (so BEGIN is on its way at some point of
            // its flight), then drop it unfinished.
            {
                let mut begin = std::pin::pin!(store.begin());
                for _ in 0..(i % 12) {
                    let ready = std::future::poll_fn(|cx| {
                        std::task::Poll::Ready(begin.as_mut().poll(cx).is_ready())
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
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn opens_with_wal_full_sync_and_foreign_keys_and_reopens_migrated() {
        let (dir, url) = temp_url("settings");
        let store = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        assert!(store.check_durability().await.is_ok());
        drop(store);
        // A second open finds the schema in place and applies nothing twice.
        let again = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("reopen: {e}"));
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(again.pool())
            .await
            .and_then(|r| r.try_get(0))
            .unwrap_or_else(|e| panic!("count: {e}"));
        assert_eq!(n, migrate::MIGRATIONS.len() as i64);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn weaker_settings_are_refused() {
        assert!(check_settings("wal", 2, 1, 5000).is_ok());
        assert!(check_settings("delete", 2, 1, 5000).is_err());
        assert!(check_settings("wal", 1, 1, 5000).is_err());
        assert!(check_settings("wal", 2, 0, 5000).is_err());
        assert!(check_settings("wal", 2, 1, 0).is_err());
    }

    #[tokio::test]
    async fn audit_chain_verifies_and_every_tampering_is_found() {
        use samband_store::chain::{verify_chain, VerifyError};
        use samband_store::conformance::{append_entries, tamper_cases};
        for (name, sql, expect_seq) in tamper_cases() {
            let (dir, url) = temp_url(&format!("chain-{name}"));
            let store = SqliteStore::open(&url)
                .await
                .unwrap_or_else(|e| panic!("open: {e}"));
            append_entries(&store, 5).await;
            assert_eq!(
                verify_chain(&store, 2).await.ok(),
                Some(5),
                "intact chain verifies"
            );
            // Someone with direct database access removes the guards and edits.
            sqlx::raw_sql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
                .execute(store.pool())
                .await
                .unwrap_or_else(|e| panic!("drop triggers: {e}"));
            // The forged row carries a well-formed id, as a careful forger's would.
            let sql = sql.replace("id || '-forged'", "'00000000-0000-7000-8000-000000000001'");
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
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[tokio::test]
    async fn audit_log_refuses_updates_and_deletes() {
        let (dir, url) = temp_url("audit");
        let store = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        sqlx::query("INSERT INTO audit_log (id, at, object_type, action, purpose) VALUES ('a', 't', 'x', 'read', 'p')")
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
        let _ = std::fs::remove_dir_all(dir);
    }
}
