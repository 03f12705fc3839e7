//! The pool of reader connections, all opened when the store opens and kept. A read
//! transaction checks one out and owns it until it ends; checking out waits (FIFO) only
//! while every reader is in use.

use crate::db::exec_one;
use rusqlite::Connection;
use samband_store::{StoreError, StoreResult};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a read waits for a free reader before it gives up.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct Readers {
    /// Connections not in use. Never locked across an `.await`.
    idle: Mutex<Vec<Connection>>,
    /// One permit per idle connection: whoever holds a permit finds one in `idle`.
    permits: Arc<Semaphore>,
}

/// A reader connection checked out of the pool. Dropping it ends whatever transaction
/// it still has (a read that was not committed) and puts it back.
pub(crate) struct ReadConn {
    conn: Option<Connection>,
    permit: Option<OwnedSemaphorePermit>,
    readers: Arc<Readers>,
}

impl Readers {
    pub(crate) fn new(conns: Vec<Connection>) -> Arc<Self> {
        let n = conns.len();
        Arc::new(Self {
            idle: Mutex::new(conns),
            permits: Arc::new(Semaphore::new(n)),
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while the lock was held cannot leave the list half changed (push and
        // pop only): carry on with it.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) async fn checkout(self: &Arc<Self>) -> StoreResult<ReadConn> {
        let permit = tokio::time::timeout(CHECKOUT_TIMEOUT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Other("no reader connection came free in time".into()))?
            .map_err(|_| StoreError::Other("the reader pool is closed".into()))?;
        let conn = self.idle().pop().ok_or_else(|| {
            StoreError::Other("reader pool: a permit without a connection".into())
        })?;
        Ok(ReadConn {
            conn: Some(conn),
            permit: Some(permit),
            readers: self.clone(),
        })
    }
}

impl std::ops::Deref for ReadConn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match &self.conn {
            Some(c) => c,
            None => unreachable!("a reader is only taken back when its checkout drops"),
        }
    }
}

impl Drop for ReadConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        // A read transaction holds no locks worth waiting on: its rollback is quick.
        if !conn.is_autocommit() && exec_one(&conn, "ROLLBACK").is_err() {
            // A connection in a state nobody knows is not handed to the next read: the
            // pool is one smaller from here on.
            tracing::error!("a reader connection could not end its transaction; closing it");
            if let Some(p) = self.permit.take() {
                p.forget();
            }
            return;
        }
        self.readers.idle().push(conn);
        // The permit goes back only now, after the connection it stands for.
        drop(self.permit.take());
    }
}
