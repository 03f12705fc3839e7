//! The reader's inbox: one page of the threads addressed to them.

use super::Messages;
use crate::kernel::Facts;
use crate::messaging::InboxItem;
use crate::paging::{self, Page, PageParams};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;

impl Messages<'_> {
    /// One page of the reader's inbox: threads they take part in, newest activity
    /// first, each shown only if the policy lets them see it now (its patient's consent
    /// and their membership decide, per thread). `total` counts every thread they take
    /// part in, withheld ones included (those are never listed). Showing the inbox
    /// counts as delivery.
    pub async fn inbox(&self, ctx: &Ctx, page: &PageParams) -> Result<Page<InboxItem>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("inbox", page)?;
        let mut tx = self.store.begin().await?;
        let rows = tx
            .inbox_threads(ctx.principal.account_id, &req.probe())
            .await?;
        let (rows, next) = req.cut(rows, |r| (r.thread.last_message_at, r.thread.id.as_uuid()));
        let total = tx.count_inbox(ctx.principal.account_id).await?;
        let mut facts_by_patient: Vec<(PatientId, Facts, Option<String>)> = Vec::new();
        let mut out = Vec::new();
        for row in rows {
            let p = row.thread.patient_id;
            if !facts_by_patient.iter().any(|(id, _, _)| *id == p) {
                let facts = self.load_facts(&mut tx, ctx, p).await?;
                let name = match self.permits(
                    ctx,
                    p,
                    &facts,
                    Operation::List,
                    Object::Patient,
                    Detail::None,
                ) {
                    Some(purpose) => {
                        self.audit(
                            &mut tx,
                            ctx,
                            p,
                            Object::Message,
                            None,
                            Operation::List,
                            purpose,
                        )
                        .await?;
                        tx.get_patient(p).await?.map(|x| x.name)
                    }
                    None => None,
                };
                facts_by_patient.push((p, facts, name));
            }
            let Some((_, facts, name)) = facts_by_patient.iter().find(|(id, _, _)| *id == p) else {
                continue;
            };
            let (Some(name), Some(_)) = (
                name,
                self.permits_in(
                    ctx,
                    p,
                    facts,
                    Operation::List,
                    row.thread.category,
                    Detail::None,
                ),
            ) else {
                continue;
            };
            out.push(InboxItem {
                patient_name: name.clone(),
                thread: row.thread,
                unread: row.unread,
                awaiting_ack: row.awaiting_ack,
            });
        }
        let delivered = tx
            .mark_delivered(ctx.principal.account_id, self.clock.now())
            .await?;
        tx.commit().await?;
        if delivered > 0 {
            // Senders watching their message see it reach the inbox.
            self.live.publish(out.iter().map(|i| i.thread.created_by));
        }
        Ok(req.page(out, next, total))
    }
}
