//! Live updates: after a change commits, the accounts it concerns are told so their
//! open inboxes (server-sent events) refresh. Only "something changed for you" travels
//! here; what changed is read through the policy by the receiving page.

use crate::{App, Ctx};
use futures_util::Stream;
use samband_domain::ids::AccountId;
use tokio::sync::{broadcast, watch};

/// A signal for one account's open pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveEvent {
    pub account: AccountId,
}

pub struct Live {
    tx: broadcast::Sender<LiveEvent>,
    /// Turns true at shutdown so open streams end and the server can drain.
    closed: watch::Sender<bool>,
    /// This instance, so it can ignore its own signals coming back from the database.
    instance: uuid::Uuid,
    /// Signals for other instances sharing the database (set by the server).
    remote: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<String>>>,
}

impl Default for Live {
    fn default() -> Self {
        // A lagging listener loses old signals, never new ones; it then re-reads.
        let (tx, _) = broadcast::channel(4096);
        let (closed, _) = watch::channel(false);
        Self {
            tx,
            closed,
            instance: uuid::Uuid::now_v7(),
            remote: std::sync::Mutex::new(None),
        }
    }
}

impl Live {
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    /// Ends every open stream (server shutdown).
    pub fn close(&self) {
        let _ = self.closed.send(true);
    }

    /// Call only after the change committed.
    pub fn publish(&self, accounts: impl IntoIterator<Item = AccountId>) {
        let mut ids = Vec::new();
        for account in accounts {
            // No listener is not an error: nobody has the inbox open.
            let _ = self.tx.send(LiveEvent { account });
            ids.push(account.to_string());
        }
        if ids.is_empty() {
            return;
        }
        if let Ok(remote) = self.remote.lock() {
            if let Some(r) = remote.as_ref() {
                let _ = r.send(format!("{};{}", self.instance, ids.join(",")));
            }
        }
    }

    /// From now on, signals are also handed out for other instances; the caller sends
    /// what the receiver yields through the database.
    pub fn connect_remote(&self) -> tokio::sync::mpsc::UnboundedReceiver<String> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        if let Ok(mut remote) = self.remote.lock() {
            *remote = Some(tx);
        }
        rx
    }

    /// A signal from another instance (its own come back too, and are ignored).
    pub fn deliver_remote(&self, payload: &str) {
        let Some((instance, ids)) = payload.split_once(';') else {
            return;
        };
        if instance == self.instance.to_string() {
            return;
        }
        for id in ids.split(',') {
            if let Ok(account) = id.parse::<AccountId>() {
                let _ = self.tx.send(LiveEvent { account });
            }
        }
    }
}

/// The reader's unread count now, and again whenever something changes for them, until
/// the server shuts down. Each value is read fresh from the store (and so through the
/// same rules as the inbox itself).
pub fn unread_stream(app: App, ctx: Ctx) -> impl Stream<Item = i64> + Send + 'static {
    let rx = app.live.subscribe();
    let closed = app.live.closed.subscribe();
    let me = ctx.principal.account_id;
    futures_util::stream::unfold(
        (app, ctx, rx, closed, true),
        move |(app, ctx, mut rx, mut closed, first)| async move {
            if !first {
                loop {
                    if *closed.borrow() {
                        return None;
                    }
                    tokio::select! {
                        r = rx.recv() => match r {
                            Ok(ev) if ev.account == me => break,
                            Ok(_) => continue,
                            Err(broadcast::error::RecvError::Lagged(_)) => break,
                            Err(broadcast::error::RecvError::Closed) => return None,
                        },
                        _ = closed.changed() => return None,
                    }
                }
            }
            let n = app.notifications().unread_count(&ctx).await.unwrap_or(-1);
            Some((n, (app, ctx, rx, closed, false)))
        },
    )
}
