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
//!
//! The writer's connection lives inside the lock: a use case holding the lock runs its
//! statements on it directly, on its own thread. Only the flusher's seal and COMMIT
//! (the fsync, which can take milliseconds) move to a blocking thread, taking the
//! locked state with them and bringing it back.

use crate::db::exec_one;
use rusqlite::Connection;
use samband_store::{StoreError, StoreResult};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{oneshot, Mutex, Notify, OwnedMutexGuard};

/// What a waiting request learns about its batch.
type Ack = oneshot::Sender<Result<(), String>>;

pub(crate) struct WriterState {
    pub(crate) conn: Connection,
    /// The batch transaction is open (`BEGIN IMMEDIATE` ran, `COMMIT` not yet).
    open: bool,
    /// A use case's savepoint is open (between `begin` and `commit`, or left behind by
    /// a use case whose clean-up failed).
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
/// the use case back: the savepoint's rollback is quick (no fsync), so the drop runs it
/// there and then, on the connection it holds.
pub(crate) struct WriteHold {
    guard: Option<OwnedMutexGuard<WriterState>>,
    writer: Arc<Writer>,
    /// The use case has a savepoint of its own. One that runs a single statement needs
    /// none: SQLite undoes a failed statement alone and leaves the transaction open.
    savepoint: bool,
}

impl std::ops::Deref for WriteHold {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match &self.guard {
            Some(g) => &g.conn,
            None => unreachable!("a released writer hold is never used again"),
        }
    }
}

impl WriterState {
    /// Undoes a use case that did not finish (its savepoint), leaving the batch open.
    fn undo_use_case(&mut self) -> StoreResult<()> {
        if self.open && self.conn.is_autocommit() {
            // SQLite rolled the whole transaction back (an I/O error, a full disk):
            // the batch is gone, and the caller must abandon it.
            return Err(StoreError::Other(
                "the batch transaction was rolled back by SQLite".into(),
            ));
        }
        if self.in_use_case {
            // It may have sealed (and moved the anchor) inside its savepoint.
            self.head = None;
            exec_one(&self.conn, "ROLLBACK TO uc")?;
            exec_one(&self.conn, "RELEASE uc")?;
            self.in_use_case = false;
        }
        Ok(())
    }

    /// After a failure the batch cannot be trusted: roll everything back and tell every
    /// waiting request its write did not happen.
    fn abandon(&mut self, why: &str) {
        if !self.conn.is_autocommit() {
            let _ = exec_one(&self.conn, "ROLLBACK");
        }
        self.open = false;
        self.in_use_case = false;
        self.head = None;
        for ack in self.acks.drain(..) {
            let _ = ack.send(Err(why.to_owned()));
        }
    }

    /// Seals the batch's audit entries and commits it: the fsync. Blocking.
    fn seal_and_commit(&mut self) -> StoreResult<()> {
        crate::records::seal_pending(&self.conn, &mut self.head)?;
        exec_one(&self.conn, "COMMIT")
    }
}

/// Counts a use case as queued for the writer until it has the lock or gave up.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Writer {
    pub(crate) fn new(conn: Connection) -> Arc<Self> {
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
    /// transaction if none is open). Nothing after the lock awaits, so a request
    /// dropped while it waits holds nothing, and one that got the lock has its hold.
    pub(crate) async fn begin(self: &Arc<Self>) -> StoreResult<WriteHold> {
        self.hold(true).await
    }

    /// [`Self::begin`] for a use case of exactly one statement, which runs without a
    /// savepoint (a read transaction's audit entries, inserted in one statement).
    pub(crate) async fn begin_single(self: &Arc<Self>) -> StoreResult<WriteHold> {
        self.hold(false).await
    }

    async fn hold(self: &Arc<Self>, savepoint: bool) -> StoreResult<WriteHold> {
        self.queued.fetch_add(1, Ordering::Relaxed);
        let queued = Queued(&self.queued);
        let guard = self.state.clone().lock_owned().await;
        drop(queued);
        let mut hold = WriteHold {
            guard: Some(guard),
            writer: self.clone(),
            savepoint,
        };
        hold.open_use_case()?;
        Ok(hold)
    }

    /// Commits the open batch and answers everyone in it. Runs on the flusher task; the
    /// sealing and the COMMIT (the fsync) run on a blocking thread, with the writer's
    /// lock held so no use case can start inside the batch meanwhile.
    async fn flush_batch(&self) {
        let mut state = self.state.clone().lock_owned().await;
        // A use case whose clean-up failed: undo it first.
        if let Err(e) = state.undo_use_case() {
            state.abandon(&e.to_string());
            return;
        }
        if !state.open {
            return;
        }
        let size = state.acks.len();
        let started = Instant::now();
        let done = tokio::task::spawn_blocking(move || {
            let result = state.seal_and_commit();
            (state, result)
        })
        .await;
        let (mut state, result) = match done {
            Ok(done) => done,
            Err(e) => {
                // The lock went down with the blocking task and every waiter's ack
                // with it (each learns its write is not known to be durable). Whatever
                // the transaction holds is rolled back, not left for the next batch.
                tracing::error!(error = %e, size, "writer batch commit did not finish");
                self.state
                    .clone()
                    .lock_owned()
                    .await
                    .abandon(&e.to_string());
                return;
            }
        };
        match result {
            Ok(()) => {
                state.open = false;
                let commit = started.elapsed();
                self.batches.fetch_add(1, Ordering::Relaxed);
                self.batched.fetch_add(size as u64, Ordering::Relaxed);
                for ack in state.acks.drain(..) {
                    let _ = ack.send(Ok(()));
                }
                samband_metrics::record_batch(samband_metrics::WRITER, size, commit);
                tracing::trace!(
                    size,
                    micros = commit.as_micros() as u64,
                    "writer batch committed"
                );
            }
            Err(e) => {
                tracing::error!(error = %e, size, "writer batch failed to commit");
                state.abandon(&e.to_string());
            }
        }
    }
}

impl WriteHold {
    /// The connection and the writer's copy of the chain's anchor, for sealing inside
    /// a use case (the copy must move with what the use case seals).
    pub(crate) fn conn_and_head(&mut self) -> (&Connection, &mut Option<(i64, String)>) {
        let state = self.state();
        (&state.conn, &mut state.head)
    }

    fn state(&mut self) -> &mut WriterState {
        match &mut self.guard {
            Some(g) => g,
            None => unreachable!("a released writer hold is never used again"),
        }
    }

    fn open_use_case(&mut self) -> StoreResult<()> {
        let savepoint = self.savepoint;
        let state = self.state();
        // Whatever a failed predecessor left behind is undone before we start.
        if let Err(e) = state.undo_use_case() {
            state.abandon(&e.to_string());
        }
        if !state.open {
            exec_one(&state.conn, "BEGIN IMMEDIATE")?;
            state.open = true;
        }
        if savepoint {
            exec_one(&state.conn, "SAVEPOINT uc")?;
            state.in_use_case = true;
        }
        Ok(())
    }

    /// Keeps the use case's writes in the batch, lets the next request have the writer,
    /// and waits until the batch is durable.
    pub(crate) async fn release(mut self) -> StoreResult<()> {
        let Some(mut state) = self.guard.take() else {
            return Err(StoreError::Other("use case released twice".into()));
        };
        let kept = if self.savepoint {
            exec_one(&state.conn, "RELEASE uc")
        } else if state.conn.is_autocommit() {
            Err(StoreError::Other(
                "the batch transaction was rolled back by SQLite".into(),
            ))
        } else {
            Ok(())
        };
        if let Err(e) = kept {
            // The use case could not be kept: undo it alone.
            if let Err(undo) = state.undo_use_case() {
                state.abandon(&undo.to_string());
            }
            drop(state);
            self.writer.flush.notify_one();
            return Err(e);
        }
        state.in_use_case = false;
        let (tx, rx) = oneshot::channel();
        state.acks.push(tx);
        drop(state);
        self.writer.flush.notify_one();
        match rx.await {
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
        // Not released: the use case failed or its request went away. Undo it now,
        // then let the flusher commit whatever else is in the batch.
        if let Some(mut state) = self.guard.take() {
            if let Err(e) = state.undo_use_case() {
                state.abandon(&e.to_string());
            }
            drop(state);
            self.writer.flush.notify_one();
        }
    }
}
