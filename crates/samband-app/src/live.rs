//! Live updates: after a change commits, the accounts it concerns are told so their
//! open inboxes (server-sent events) refresh. Only "something changed for you" travels
//! here; what changed is read through the policy by the receiving page.

use samband_domain::ids::AccountId;
use tokio::sync::broadcast;

/// A signal for one account's open pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveEvent {
    pub account: AccountId,
}

pub struct Live {
    tx: broadcast::Sender<LiveEvent>,
}

impl Default for Live {
    fn default() -> Self {
        // A lagging listener loses old signals, never new ones; it then re-reads.
        let (tx, _) = broadcast::channel(4096);
        Self { tx }
    }
}

impl Live {
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    /// Call only after the change committed.
    pub fn publish(&self, accounts: impl IntoIterator<Item = AccountId>) {
        for account in accounts {
            // No listener is not an error: nobody has the inbox open.
            let _ = self.tx.send(LiveEvent { account });
        }
    }
}
