//! SQLite backend: the embedded default. One file in WAL mode with `synchronous=FULL`,
//! foreign keys on and a busy timeout; the store refuses to open on weaker settings.
//!
//! Reads and writes take different paths. Read use cases run on a pool of reader
//! connections, each transaction a WAL snapshot that never waits for the writer; their
//! audit entries are handed to the writer at commit. Writes go through the single
//! writer (`writer.rs`), which runs concurrent use cases back to back in savepoints of
//! one transaction and commits them with one fsync (group commit).
//!
//! The driver is rusqlite (bundled SQLite). A transaction owns its connection and runs
//! its statements inline from the connection's prepared-statement cache (`db.rs`):
//! handing each statement to a worker thread, as sqlx's SQLite driver does, cost two
//! thread wake-ups per statement and most of the server's CPU.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod access_log;
mod codec;
mod consent;
mod db;
mod directory;
mod jobs;
mod meetings;
mod messages;
mod migrate;
mod needs;
mod pathways;
mod plan;
mod readers;
mod records;
mod registry;
mod relapse;
mod self_reports;
mod signals;
mod succession;
mod team;
mod writer;

use async_trait::async_trait;
use readers::{ReadConn, Readers};
use rusqlite::{Connection, OpenFlags};
use samband_store::{AuditEntry, Store, StoreError, StoreResult, Tx};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use writer::{WriteHold, Writer};

pub use db::{count_statements, statements_run};

pub struct SqliteStore {
    readers: Arc<Readers>,
    writer: Arc<Writer>,
}

/// The connection a transaction runs on, owned by it until it ends: its statements run
/// on the calling thread.
pub(crate) enum Conn {
    /// A snapshot on a reader connection (`query_only`: a write fails loudly).
    Read(ReadConn),
    /// A savepoint on the writer, inside the open batch.
    Write(WriteHold),
}

impl std::ops::Deref for Conn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Conn::Read(r) => r,
            Conn::Write(w) => w,
        }
    }
}

pub(crate) struct SqliteTx {
    pub(crate) tx: Conn,
    /// A read transaction's audit entries, written through the writer at commit.
    pub(crate) audit: Vec<AuditEntry>,
    /// The patient's consent as read together with a membership earlier in this
    /// transaction (one statement for the policy's access facts), until the
    /// transaction saves a consent itself.
    pub(crate) consent: Option<(
        samband_domain::ids::PatientId,
        Option<samband_domain::consent::Consent>,
    )>,
    writer: Arc<Writer>,
}

/// Reader connections when the caller does not say: enough to keep both cores busy
/// while some readers wait on the page cache.
fn default_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    (cores * 2).clamp(4, 16)
}

/// How long a statement waits for a lock another process holds before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`), checks the
    /// durability settings took effect, and applies pending migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        Self::open_with(url, default_readers()).await
    }

    /// [`Self::open`] with `readers` reader connections.
    pub async fn open_with(url: &str, readers: u32) -> StoreResult<Self> {
        let (path, create) = parse_url(url)?;
        let n = readers.max(1);
        // Opening files and migrating block: off the runtime's threads. All reader
        // connections are opened up front and kept, so a read never waits for one to open.
        let (conn, readers) = tokio::task::spawn_blocking(move || -> StoreResult<_> {
            let mut conn = connect(&path, create, false)?;
            check_durability(&conn)?;
            migrate::run(&conn)?;
            db::maybe_count(&mut conn);
            let readers = (0..n)
                .map(|_| connect(&path, false, true))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok((conn, readers))
        })
        .await
        .map_err(|e| StoreError::Other(format!("opening the database did not finish: {e}")))??;
        Ok(Self {
            readers: Readers::new(readers),
            writer: Writer::new(conn),
        })
    }

    /// Runs `sql` on the writer as one use case of its own, committed durably. For tests
    /// and tools that must reach under the store's API (the tampering tests).
    pub async fn execute_raw(&self, sql: &str) -> StoreResult<()> {
        let hold = self.writer.begin().await?;
        // On failure the hold is dropped, which rolls the use case back.
        db::exec(&hold, sql)?;
        hold.release().await
    }
}

/// `sqlite://PATH` or `sqlite:PATH`, optionally `?mode=rwc` (create if missing, the
/// default) or `?mode=rw`. Other options are refused: the settings Samband needs
/// (WAL, synchronous=FULL, foreign keys) are not the URL's to change.
fn parse_url(url: &str) -> StoreResult<(PathBuf, bool)> {
    let bad = |why: &str| StoreError::Other(format!("bad SQLite URL: {why}"));
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| bad("it must start with sqlite://"))?;
    let (path, options) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(bad(
            "it must name a file (an in-memory database cannot be durable)",
        ));
    }
    let mut create = true;
    for option in options.split('&').filter(|o| !o.is_empty()) {
        match option {
            "mode=rwc" => create = true,
            "mode=rw" => create = false,
            other => {
                return Err(StoreError::Other(format!(
                    "refusing the SQLite URL option {other}: Samband sets its own (WAL, synchronous=FULL, foreign keys on)"
                )))
            }
        }
    }
    Ok((PathBuf::from(path), create))
}

/// Opens one connection with Samband's settings: WAL, synchronous=FULL, foreign keys,
/// a busy timeout, a statement cache that holds every statement a use case runs; a
/// reader is `query_only`.
fn connect(path: &Path, create: bool, reader: bool) -> StoreResult<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags).map_err(codec::db_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(codec::db_err)?;
    // Reports the mode it ended in (checked below, not assumed).
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(codec::db_err)?;
    db::exec(&conn, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")?;
    if reader {
        db::exec(&conn, "PRAGMA query_only = ON")?;
    }
    conn.set_prepared_statement_cache_capacity(db::STATEMENT_CACHE);
    if reader {
        check_durability(&conn)?;
        db::maybe_count(&mut conn);
    }
    Ok(conn)
}

/// What the writer has done since the store opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Use cases waiting for the writer now.
    pub queued: usize,
    /// Batches committed, and the use cases acknowledged by them.
    pub batches: u64,
    pub use_cases: u64,
}

impl SqliteStore {
    pub fn writer_stats(&self) -> WriterStats {
        use std::sync::atomic::Ordering::Relaxed;
        WriterStats {
            queued: self.writer.queued.load(Relaxed),
            batches: self.writer.batches.load(Relaxed),
            use_cases: self.writer.batched.load(Relaxed),
        }
    }
}

/// Refuses to run on settings that could lose acknowledged writes.
fn check_durability(conn: &Connection) -> StoreResult<()> {
    fn pragma<T: rusqlite::types::FromSql>(conn: &Connection, name: &str) -> StoreResult<T> {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .map_err(codec::db_err)
    }
    let journal: String = pragma(conn, "journal_mode")?;
    let sync: i64 = pragma(conn, "synchronous")?;
    let fk: i64 = pragma(conn, "foreign_keys")?;
    let busy: i64 = pragma(conn, "busy_timeout")?;
    check_settings(&journal, sync, fk, busy)
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
        let hold = self.writer.begin().await?;
        Ok(Box::new(SqliteTx {
            tx: Conn::Write(hold),
            audit: Vec::new(),
            consent: None,
            writer: self.writer.clone(),
        }))
    }

    async fn begin_read(&self) -> StoreResult<Box<dyn Tx>> {
        // Nothing after the checkout awaits: a request dropped meanwhile either has no
        // connection yet or owns its transaction, whose drop rolls it back.
        let conn = self.readers.checkout().await?;
        db::exec_one(&conn, "BEGIN")?;
        Ok(Box::new(SqliteTx {
            tx: Conn::Read(conn),
            audit: Vec::new(),
            consent: None,
            writer: self.writer.clone(),
        }))
    }

    async fn ping(&self) -> StoreResult<()> {
        let conn = self.readers.checkout().await?;
        db::query_scalar("SELECT 1").fetch_one::<i64>(&conn)?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        let SqliteTx {
            tx, audit, writer, ..
        } = *self;
        match tx {
            Conn::Read(read) => {
                // The snapshot is done with; ending it first frees the reader while the
                // audit entries wait for their batch.
                db::exec_one(&read, "COMMIT")?;
                drop(read);
                if audit.is_empty() {
                    return Ok(());
                }
                if audit.len() <= records::AUDIT_ROWS_PER_INSERT {
                    // One statement, so no savepoint of its own (see `begin_single`).
                    let hold = writer.begin_single().await?;
                    records::insert_audits(&hold, &audit)?;
                    hold.release().await
                } else {
                    let hold = writer.begin().await?;
                    for rows in audit.chunks(records::AUDIT_ROWS_PER_INSERT) {
                        records::insert_audits(&hold, rows)?;
                    }
                    hold.release().await
                }
            }
            Conn::Write(hold) => hold.release().await,
        }
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
        let conn = store.readers.checkout().await.unwrap();
        assert!(check_durability(&conn).is_ok());
        // Readers are query-only: a write on one fails loudly.
        assert!(db::exec(&conn, "DELETE FROM audit_head").is_err());
        drop(conn);
        drop(store);
        // A second open finds the schema in place and applies nothing twice.
        let again = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("reopen: {e}"));
        let conn = again.readers.checkout().await.unwrap();
        let n: i64 = db::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(&conn)
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
                verify_chain(&store, 2)
                    .await
                    .ok()
                    .map(|s| (s.sealed, s.unsealed)),
                Some((5, 0)),
                "intact chain verifies"
            );
            // Someone with direct database access removes the guards and edits.
            store
                .execute_raw("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
                .await
                .unwrap_or_else(|e| panic!("drop triggers: {e}"));
            // The forged row carries a well-formed id, as a careful forger's would.
            let sql = sql.replace("id || '-forged'", "'00000000-0000-7000-8000-000000000001'");
            store
                .execute_raw(&sql)
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
        // Inserted unsealed, past the flusher's sealing (it commits on its own).
        store
            .execute_raw("INSERT INTO audit_log (id, at, object_type, action, purpose) VALUES ('00000000-0000-7000-8000-00000000000a', '2026-01-01T00:00:00.000000Z', 'x', 'read', 'p')")
            .await
            .unwrap_or_else(|e| panic!("insert: {e}"));
        // Sealed by the batch that held it; the seal can never be changed or removed.
        for sql in [
            "UPDATE audit_log SET action = 'none'",
            "UPDATE audit_log SET hash = 'x', prev_hash = 'y'",
            "UPDATE audit_log SET hash = NULL, prev_hash = NULL",
            "DELETE FROM audit_log",
        ] {
            assert!(store.execute_raw(sql).await.is_err(), "{sql}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    fn org(name: &str) -> samband_domain::organisation::Organisation {
        samband_domain::organisation::Organisation {
            id: samband_domain::ids::OrganisationId::new(),
            name: name.into(),
            sector: samband_domain::organisation::Sector::Primary,
            country: None,
            version: 0,
        }
    }

    /// Use cases that queue while the writer is busy commit together, and each one that
    /// fails or is abandoned rolls back alone: the others of its batch keep their
    /// writes, and nothing is acknowledged before the commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_use_cases_share_a_commit_and_fail_alone() {
        let (dir, url) = temp_url("group-commit");
        let store = Arc::new(SqliteStore::open(&url).await.unwrap());
        let before = store.writer_stats();
        let first = org("first");
        let mut holder = store.begin().await.unwrap();
        holder.insert_organisation(&first).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..20 {
            let store = store.clone();
            let first_id = first.id;
            tasks.push(tokio::spawn(async move {
                let o = org(&format!("org {i}"));
                let mut tx = store.begin().await.unwrap();
                match i % 4 {
                    // Abandoned halfway (an error, or the request went away).
                    0 => {
                        tx.insert_organisation(&o).await.unwrap();
                        drop(tx);
                        (o.id, false)
                    }
                    // A unique clash: the statement fails, the use case gives up.
                    1 => {
                        tx.insert_organisation(&o).await.unwrap();
                        let clash = samband_domain::organisation::Organisation {
                            id: first_id,
                            ..o.clone()
                        };
                        assert!(tx.insert_organisation(&clash).await.is_err());
                        drop(tx);
                        (o.id, false)
                    }
                    _ => {
                        tx.insert_organisation(&o).await.unwrap();
                        tx.commit().await.unwrap();
                        (o.id, true)
                    }
                }
            }));
        }
        // Let all twenty queue behind the holder.
        while store.writer_stats().queued < 20 {
            tokio::task::yield_now().await;
        }
        holder.commit().await.unwrap();
        let mut expected = vec![(first.id, true)];
        for t in tasks {
            expected.push(t.await.unwrap());
        }
        let after = store.writer_stats();
        // One batch, or two if the last to queue had not reached the lock's queue when
        // the holder let go; one commit each would be 21.
        let batches = after.batches - before.batches;
        assert!((1..=2).contains(&batches), "{batches} batches");
        assert_eq!(
            after.use_cases - before.use_cases,
            11,
            "acknowledged use cases"
        );
        let mut tx = store.begin_read().await.unwrap();
        for (id, kept) in expected {
            assert_eq!(tx.get_organisation(id).await.unwrap().is_some(), kept);
        }
        drop(tx);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn entry(id: uuid::Uuid, request: &str) -> AuditEntry {
        AuditEntry {
            id,
            at: chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
            actor_account_id: None,
            patient_id: None,
            object_type: "patient".into(),
            object_id: None,
            action: "read".into(),
            purpose: "care".into(),
            request_id: Some(request.into()),
        }
    }

    /// A read's audit entries join the writer's batch as one statement without a
    /// savepoint: one that fails (here a clashing id) fails alone, and the batch's
    /// other use cases commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reads_audit_insert_that_fails_fails_alone() {
        let (dir, url) = temp_url("read-audit");
        let store = Arc::new(SqliteStore::open(&url).await.unwrap());
        let before = store.writer_stats();
        let clash = uuid::Uuid::now_v7();
        let holder = store.begin().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..3 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin_read().await.unwrap();
                // Two entries with their own ids, and the third read's clashes with
                // the first's.
                let first = if i == 2 { clash } else { uuid::Uuid::now_v7() };
                let first = if i == 0 { clash } else { first };
                tx.append_audit(&entry(first, &format!("r{i}")))
                    .await
                    .unwrap();
                tx.append_audit(&entry(uuid::Uuid::now_v7(), &format!("r{i}")))
                    .await
                    .unwrap();
                tx.commit().await.is_ok()
            }));
        }
        let o = org("written beside them");
        let writing = {
            let store = store.clone();
            let o = o.clone();
            tokio::spawn(async move {
                while store.writer_stats().queued < 3 {
                    tokio::task::yield_now().await;
                }
                let mut tx = store.begin().await.unwrap();
                tx.insert_organisation(&o).await.unwrap();
                tx.commit().await.is_ok()
            })
        };
        while store.writer_stats().queued < 4 {
            tokio::task::yield_now().await;
        }
        holder.commit().await.unwrap();
        let mut ok = Vec::new();
        for t in tasks {
            ok.push(t.await.unwrap());
        }
        assert!(writing.await.unwrap(), "the write beside them commits");
        // The first of the two clashing reads to reach the writer wins.
        assert_eq!(ok.iter().filter(|k| **k).count(), 2, "{ok:?}");
        assert!(ok[1], "the read that clashes with nobody commits");
        let after = store.writer_stats();
        assert!((1..=2).contains(&(after.batches - before.batches)));
        let mut tx = store.begin_read().await.unwrap();
        assert!(tx.get_organisation(o.id).await.unwrap().is_some());
        let entries = tx.list_audit(None, 100).await.unwrap();
        // Two reads of two entries each; the failed read left neither of its own.
        assert_eq!(entries.len(), 4, "{entries:?}");
        assert_eq!(entries.iter().filter(|e| e.id == clash).count(), 1);
        drop(tx);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// With one reader, a read transaction dropped without commit must hand its
    /// connection back with its snapshot ended: the next read gets the connection (no
    /// wait for a free one) and sees what was committed meanwhile.
    #[tokio::test]
    async fn a_dropped_read_gives_its_connection_back_with_its_snapshot_ended() {
        let (dir, url) = temp_url("reader-drop");
        let store = SqliteStore::open_with(&url, 1).await.unwrap();
        let o = org("later");
        let mut read = store.begin_read().await.unwrap();
        assert!(read.get_organisation(o.id).await.unwrap().is_none());
        drop(read);
        let mut write = store.begin().await.unwrap();
        write.insert_organisation(&o).await.unwrap();
        write.commit().await.unwrap();
        let mut read = tokio::time::timeout(Duration::from_secs(5), store.begin_read())
            .await
            .expect("the only reader was not handed back")
            .unwrap();
        assert!(read.get_organisation(o.id).await.unwrap().is_some());
        read.commit().await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A read runs on its own snapshot while a write is in progress: it does not wait
    /// for the writer and does not see what is not committed.
    #[tokio::test]
    async fn reads_do_not_wait_for_the_writer_nor_see_its_uncommitted_work() {
        let (dir, url) = temp_url("reader");
        let store = SqliteStore::open(&url).await.unwrap();
        let o = org("pending");
        let mut writing = store.begin().await.unwrap();
        writing.insert_organisation(&o).await.unwrap();
        // The writer is held; this must finish on the reader alone (a hang fails the
        // test through the harness's own limit).
        let mut read = store.begin_read().await.unwrap();
        assert!(read.get_organisation(o.id).await.unwrap().is_none());
        read.commit().await.unwrap();
        writing.commit().await.unwrap();
        let mut read = store.begin_read().await.unwrap();
        assert!(read.get_organisation(o.id).await.unwrap().is_some());
        drop(read);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The sealer's one permitted change: filling the chain fields of an unsealed entry,
    /// once, with nothing else about the entry changed.
    #[tokio::test]
    async fn only_an_unsealed_entry_may_be_sealed_and_only_once() {
        let (dir, url) = temp_url("seal-guard");
        let store = SqliteStore::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        let insert = "INSERT INTO audit_log (id, at, object_type, action, purpose) VALUES ('b', 't', 'x', 'read', 'p')";
        // In one use case, so the flusher has not sealed it yet when we try.
        let ok =
            format!("{insert}; UPDATE audit_log SET prev_hash = 'p', hash = 'h' WHERE id = 'b'");
        store.execute_raw(&ok).await.unwrap();
        let (dir2, url2) = temp_url("seal-guard-2");
        let other = SqliteStore::open(&url2).await.unwrap();
        for bad in [
            "UPDATE audit_log SET prev_hash = 'p', hash = 'h', action = 'x' WHERE id = 'b'",
            "UPDATE audit_log SET prev_hash = 'p' WHERE id = 'b'",
        ] {
            let sql = format!("{insert}; {bad}");
            assert!(other.execute_raw(&sql).await.is_err(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(dir2);
    }
}
