//! The daily digest jobs.

use super::Notifications;
use crate::notify::Notice;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_store::Job;

impl Notifications<'_> {
    /// Daily: one e-mail per person who chose the digest, if anything waited.
    pub(crate) async fn run_daily_digest(&self, job: &Job) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        for account in tx.digest_accounts().await? {
            let items = tx.take_digest(account).await?;
            let (_, address) = self.mail_route(&mut tx, account).await?;
            if let (false, Some(to)) = (items.is_empty(), address) {
                self.queue_email(&mut tx, &to, &format!("digest:{}", items.len()), account)
                    .await?;
            }
        }
        self.finish_run(tx, job, self.clock.now(), Vec::new()).await
    }

    /// Daily: for each follow, the changes since the last digest that the follower may
    /// see now (each change's category checked against the policy at this moment).
    pub(crate) async fn run_ongoing_digest(&self, job: &Job) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        for f in tx.list_follows(None).await? {
            let Some(account) = tx.get_account(f.account_id).await? else {
                continue;
            };
            if account.disabled {
                continue;
            }
            let principal =
                crate::auth::principal_for(&account, samband_domain::principal::Scopes::ALL)?;
            let ctx = Ctx {
                principal,
                request_id: None,
            };
            let facts = self.load_facts(&mut tx, &ctx, f.patient_id).await?;
            let changes = tx
                .list_history(
                    f.patient_id,
                    &samband_store::HistoryFilter::default(),
                    &samband_store::PageAt::first(500),
                )
                .await?;
            let visible = changes
                .iter()
                .filter(|h| h.at > f.digested_until && h.actor_account_id != f.account_id)
                .filter(|h| {
                    let object = Object::named(&h.object_type).unwrap_or(Object::PlanHeader);
                    self.permits(
                        &ctx,
                        f.patient_id,
                        &facts,
                        Operation::Notify,
                        object,
                        Detail::None,
                    )
                    .is_some()
                })
                .count();
            if visible > 0 {
                self.notify(
                    &mut tx,
                    Notice {
                        account: f.account_id,
                        patient: Some(f.patient_id),
                        kind: "ongoing",
                        thread: None,
                        actor: None,
                        detail: Some(visible.to_string()),
                        unread: true,
                    },
                )
                .await?;
                told.push(f.account_id);
            }
            tx.set_digested_until(f.account_id, f.patient_id, now)
                .await?;
        }
        self.finish_run(tx, job, now, told).await
    }
}
