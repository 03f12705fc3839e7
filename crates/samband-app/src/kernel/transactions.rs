//! The two transaction shapes a use case runs in.
//!
//! * A use case that only reads opens [`samband_store::Store::begin_read`]: it runs on
//!   a reader connection (a snapshot) and never waits for the writer. Its audit
//!   entries still go through the transaction and are durable before `commit`
//!   returns, so nothing leaves the server unaudited.
//! * A use case that changes anything opens [`samband_store::Store::begin`]: on
//!   SQLite it joins the writer's group commit in a savepoint of its own, on
//!   PostgreSQL it runs concurrently on the pool. A 2xx means its commit returned.
//!
//! Either way the transaction is passed by value through `authorize` (which commits a
//! refusal's audit entry and ends the transaction) and on to the commit.

use crate::App;
use samband_domain::ids::AccountId;
use samband_store::Tx;

/// An open transaction, owned by the use case running in it.
pub(crate) type TxBox = Box<dyn Tx>;

impl App {
    /// Once a change has committed: signal the accounts it told (their open pages
    /// re-read) and wake the job runner for what it queued. Never before the commit: a
    /// page that re-read then could miss the change, and a woken runner find no job.
    pub(crate) fn after_commit(&self, told: impl IntoIterator<Item = AccountId>) {
        self.live.publish(told);
        self.job_wake.notify_one();
    }
}
