//! The single SQLite writer, with group commit.
//!
//! SQLite allows one writer at a time, and a durable commit costs an fsync. Instead of
//! one transaction per request, the writer keeps one transaction open across the write
//! use cases that queue up while it is busy: each runs in its own `SAVEPOINT` (a use
//! case that fails or conflicts rolls back alone and gets its own error), and when the
//! queue has drained the flusher seals the new audit entries into the hash chain and
//! commits the whole batch with one fsync. No request is acknowledged before the commit
//! that holds its writes: `commit` returns only once the batch is durable.
//!
//! The lock is FIFO (tokio's mutex), and the flusher queues for it like a request does:
//! a batch is therefore everything that was already waiting when the first use case of
//! the batch finished, which is what makes it grow with load and shrink to one request
//! when the server is idle.

use crate::codec::db_err;
use samband_store::{StoreError, StoreResult};
use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{oneshot, Mutex, Notify, OwnedMutexGuard};

/// What a waiting request learns about its batch.
type Ack = oneshot::Sender<Result<(), String>>;

pub(crate) struct WriterState {
    pub(crate) conn: SqliteConnection,
    /// The batch transaction is open (`BEGIN IMMEDIATE` ran, `COMMIT` not yet).
    open: bool,
    /// A use case's savepoint is open (between `begin` and `commit`, or left behind by
    /// a use case that was dropped and not cleaned up yet).
    in_use_case: bool,
    /// Requests whose use case is released into the batch and who wait for its commit.
    acks: Vec<Ack>,
    /// The audit chain's anchor as of the last commit, so sealing need not read it
    /// (`None`: unknown, read it from the database).
    head: Option<(i64, String)>,
}

pub(crate) struct Writer {
    state: Arc<Mutex<WriterState>>,
    flush: Arc<Notify>,
    /// Use cases waiting for the writer (reported as the writer's queue depth).
    pub(crate) queued: AtomicUsize,
    /// Batches committed, and the use cases they held.
    pub(crate) batches: AtomicU64,
    pub(crate) batched: AtomicU64,
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Wakes the flusher so it finds the writer gone and ends.
        self.flush.notify_one();
    }
}

/// Holds the writer for one use case. Dropping it without [`WriteHold::release`] rolls
/// the use case back (on a task of its own: a drop cannot wait).
pub(crate) struct WriteHold {
    guard: Option<OwnedMutexGuard<WriterState>>,
    writer: Arc<Writer>,
}

impl std::ops::Deref for WriteHold {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match &self.guard {
            Some(g) => &g.conn,
            None => unreachable!("a released writer hold is never used again"),
        }
    }
}

impl std::ops::DerefMut for WriteHold {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match &mut self.guard {
            Some(g) => &mut g.conn,
            None => unreachable!("a released writer hold is never used again"),
        }
    }
}

/// Boxed so the futures that call it stay `Send` for any lifetime (sqlx's executor
/// futures otherwise trip the compiler's higher-ranked lifetime check in `spawn`).
fn exec<'c>(
    conn: &'c mut SqliteConnection,
    sql: &'static str,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = StoreResult<()>> + Send + 'c>> {
    Box::pin(async move {
        sqlx::query(sql).execute(conn).await.map_err(db_err)?;
        Ok(())
    })
}

impl WriterState {
    /// Undoes a use case that did not finish (its savepoint), leaving the batch open.
    async fn undo_use_case(&mut self) -> StoreResult<()> {
        if self.in_use_case {
            // It may have sealed (and moved the anchor) inside its savepoint.
            self.head = None;
            exec(&mut self.conn, "ROLLBACK TO uc").await?;
            exec(&mut self.conn, "RELEASE uc").await?;
            self.in_use_case = false;
        }
        Ok(())
    }

    /// After a failure the batch cannot be trusted: roll everything back and tell every
    /// waiting request its write did not happen.
    async fn abandon(&mut self, why: &str) {
        if self.open {
            let _ = exec(&mut self.conn, "ROLLBACK").await;
        }
        self.open = false;
        self.in_use_case = false;
        self.head = None;
        for ack in self.acks.drain(..) {
            let _ = ack.send(Err(why.to_owned()));
        }
    }
}

impl Writer {
    pub(crate) fn new(conn: SqliteConnection) -> Arc<Self> {
        let writer = Arc::new(Self {
            state: Arc::new(Mutex::new(WriterState {
                conn,
                open: false,
                in_use_case: false,
                acks: Vec::new(),
                head: None,
            })),
            flush: Arc::new(Notify::new()),
            queued: AtomicUsize::new(0),
            batches: AtomicU64::new(0),
            batched: AtomicU64::new(0),
        });
        // The flusher holds only a weak reference: when the store is dropped it ends.
        let weak = Arc::downgrade(&writer);
        let flush = writer.flush.clone();
        tokio::spawn(async move {
            loop {
                flush.notified().await;
                let Some(writer) = weak.upgrade() else { return };
                writer.flush_batch().await;
            }
        });
        writer
    }

    /// Takes the writer for one use case and opens its savepoint (and the batch
    /// transaction if none is open).
    pub(crate) async fn begin(self: &Arc<Self>) -> StoreResult<WriteHold> {
        self.queued.fetch_add(1, Ordering::Relaxed);
        let guard = self.state.clone().lock_owned().await;
        self.queued.fetch_sub(1, Ordering::Relaxed);
        // From here the statements run to completion on their own task even if the
        // request is dropped: cut off halfway they would leave the connection in a
        // state nobody knows.
        let writer = self.clone();
        tokio::spawn(async move {
            let mut hold = WriteHold {
                guard: Some(guard),
                writer,
            };
            hold.open_use_case().await.map(|()| hold)
        })
        .await
        .map_err(|e| StoreError::Other(format!("begin did not finish: {e}")))?
    }

    /// Commits the open batch and answers everyone in it. Runs on the flusher task.
    async fn flush_batch(&self) {
        let mut state = self.state.clone().lock_owned().await;
        // A use case dropped halfway whose cleanup has not run yet: undo it first.
        if let Err(e) = state.undo_use_case().await {
            state.abandon(&e.to_string()).await;
            return;
        }
        if !state.open {
            return;
        }
        let size = state.acks.len();
        let started = Instant::now();
        let state = &mut *state;
        let sealed = crate::records::seal_pending(&mut state.conn, &mut state.head).await;
        let result = match sealed {
            Ok(_) => exec(&mut state.conn, "COMMIT").await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                state.open = false;
                self.batches.fetch_add(1, Ordering::Relaxed);
                self.batched.fetch_add(size as u64, Ordering::Relaxed);
                for ack in state.acks.drain(..) {
                    let _ = ack.send(Ok(()));
                }
                tracing::trace!(
                    size,
                    micros = started.elapsed().as_micros() as u64,
                    "writer batch committed"
                );
            }
            Err(e) => {
                tracing::error!(error = %e, size, "writer batch failed to commit");
                state.abandon(&e.to_string()).await;
            }
        }
    }
}

impl WriteHold {
    /// The connection and the writer's copy of the chain's anchor, for sealing inside
    /// a use case (the copy must move with what the use case seals).
    pub(crate) fn conn_and_head(&mut self) -> (&mut SqliteConnection, &mut Option<(i64, String)>) {
        let state = self.state();
        (&mut state.conn, &mut state.head)
    }

    fn state(&mut self) -> &mut WriterState {
        match &mut self.guard {
            Some(g) => g,
            None => unreachable!("a released writer hold is never used again"),
        }
    }

    async fn open_use_case(&mut self) -> StoreResult<()> {
        let state = self.state();
        // Whatever a dropped predecessor left behind is undone before we start.
        state.undo_use_case().await?;
        if !state.open {
            exec(&mut state.conn, "BEGIN IMMEDIATE").await?;
            state.open = true;
        }
        exec(&mut state.conn, "SAVEPOINT uc").await?;
        state.in_use_case = true;
        Ok(())
    }

    /// Keeps the use case's writes in the batch, lets the next request have the writer,
    /// and waits until the batch is durable.
    pub(crate) async fn release(mut self) -> StoreResult<()> {
        let Some(guard) = self.guard.take() else {
            return Err(StoreError::Other("use case released twice".into()));
        };
        let writer = self.writer.clone();
        let waiting = tokio::spawn(async move {
            let mut state = guard;
            if let Err(e) = exec(&mut state.conn, "RELEASE uc").await {
                // The use case could not be kept: undo it alone.
                let _ = state.undo_use_case().await;
                return Err(e);
            }
            state.in_use_case = false;
            let (tx, rx) = oneshot::channel();
            state.acks.push(tx);
            drop(state);
            writer.flush.notify_one();
            Ok(rx)
        })
        .await
        .map_err(|e| StoreError::Other(format!("commit did not finish: {e}")))??;
        match waiting.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Other(format!("commit failed: {e}"))),
            Err(_) => Err(StoreError::Other(
                "the writer stopped before committing".into(),
            )),
        }
    }
}

impl Drop for WriteHold {
    fn drop(&mut self) {
        // Not released: the use case failed or its request went away. Undo it on a
        // task of its own, then let the flusher commit whatever else is in the batch.
        if let Some(mut state) = self.guard.take() {
            let writer = self.writer.clone();
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(async move {
                    if let Err(e) = state.undo_use_case().await {
                        state.abandon(&e.to_string()).await;
                    }
                    drop(state);
                    writer.flush.notify_one();
                });
            }
        }
    }
}

/// Opens the writer's own connection (outside any pool: its transactions are managed
/// here, statement by statement).
pub(crate) async fn connect(
    opts: &sqlx::sqlite::SqliteConnectOptions,
) -> StoreResult<SqliteConnection> {
    SqliteConnection::connect_with(opts).await.map_err(db_err)
}
