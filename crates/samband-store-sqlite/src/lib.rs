//! SQLite backend: the embedded default. One file in WAL mode with `synchronous=FULL`,
//! foreign keys on and a busy timeout; the store refuses to open on weaker settings.
//! All transactions take the write lock up front (`BEGIN IMMEDIATE`) through a single
//! writer connection, so writers queue in-process instead of spinning on SQLITE_BUSY.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

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
        // sqlx acknowledges a custom BEGIN before it creates the `Transaction` that
        // would roll it back; a caller dropped in between (a request whose client went
        // away) would return the one writer connection still inside a transaction,
        // and every later begin would fail. The begin therefore runs to the end on its
        // own task; if nobody waits for it any more, its transaction is dropped there,
        // which rolls it back.
        let pool = self.pool.clone();
        let tx = tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
            .await
            .map_err(|e| StoreError::Other(format!("begin task failed: {e}")))?
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
        self.tx.commit().await.map_err(codec::db_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn temp_url(name: &str) -> (std::path::PathBuf, String) {
        let dir =
            std::env::temp_dir().join(format!("samband-sqlite-{name}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
        let url = format!("sqlite://{}", dir.join("test.db").display());
        (dir, url)
    }

    /// A request dropped while its transaction begins (the client went away) must not
    /// leave the one writer connection inside a transaction nobody can end: every later
    /// request would fail ("begin_with at non-zero transaction depth").
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_begin_cancelled_at_any_point_leaves_the_store_usable() {
        let (dir, url) = temp_url("cancel");
        let store = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        // Drop the begin after its first, second, … poll: every await point in it.
        for polls in 1..40usize {
            for _ in 0..5 {
                let mut begin = store.begin();
                let mut n = 0;
                std::future::poll_fn(|cx| {
                    if n == polls {
                        return std::task::Poll::Ready(());
                    }
                    n += 1;
                    begin.as_mut().poll(cx).map(|_| ())
                })
                .await;
                drop(begin);
                let tx = tokio::time::timeout(std::time::Duration::from_secs(20), store.begin())
                    .await
                    .unwrap_or_else(|_| panic!("begin hung after a drop at poll {polls}"))
                    .unwrap_or_else(|e| panic!("begin failed after a drop at poll {polls}: {e}"));
                tx.commit()
                    .await
                    .unwrap_or_else(|e| panic!("commit after a drop at poll {polls}: {e}"));
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn conformance() {
        let (dir, url) = temp_url("conformance");
        let store = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        let store: Arc<dyn samband_store::Store> = Arc::new(store);
        assert_eq!(
            samband_store::conformance::run_all(store.clone()).await,
            samband_store::conformance::SCENARIOS
        );
        // Everything the scenarios audited must still form an intact hash chain.
        let verified = samband_store::chain::verify_chain(&*store, 7).await;
        assert!(
            matches!(verified, Ok(n) if n > 0),
            "audit chain after conformance: {verified:?}"
        );
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
