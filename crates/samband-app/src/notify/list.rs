//! The reader's notifications and unread count.

use super::Notifications;
use crate::notify::notices::describe;
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use serde::Serialize;

/// A notification as shown to its owner.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    pub id: NotificationId,
    pub kind: String,
    pub text: String,
    pub patient_id: Option<PatientId>,
    pub thread_id: Option<ThreadId>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

impl Notifications<'_> {
    /// One page of the signed-in person's notifications, newest first, worded through
    /// the policy (a patient the reader may no longer be told about is not named), with
    /// how many there are; opening the list marks them read.
    pub async fn list(
        &self,
        ctx: &Ctx,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<NotificationView>, AppError> {
        let req = crate::paging::parse::<chrono::DateTime<chrono::Utc>>("notifications", page)?;
        let mut tx = self.store.begin().await?;
        let rows = tx
            .list_notifications(ctx.principal.account_id, &req.probe())
            .await?;
        let (rows, next) = req.cut(rows, |n| (n.created_at, n.id.as_uuid()));
        let total = tx.count_notifications(ctx.principal.account_id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for n in rows {
            let patient_name = match n.patient_id {
                Some(p) => self.name_if_permitted(&mut tx, ctx, p).await?,
                None => None,
            };
            out.push(NotificationView {
                id: n.id,
                text: describe(&n, patient_name.as_deref(), ctx.principal.locale.as_deref()),
                kind: n.kind,
                patient_id: n.patient_id,
                thread_id: n.thread_id,
                created_at: n.created_at,
                read: n.read_at.is_some(),
            });
        }
        let changed = tx
            .mark_notifications_read(ctx.principal.account_id, self.clock.now())
            .await?;
        tx.commit().await?;
        if changed > 0 {
            self.live.publish([ctx.principal.account_id]);
        }
        Ok(req.page(out, next, total))
    }

    /// Unread messages plus unread notifications: the inbox badge.
    pub async fn unread_count(&self, ctx: &Ctx) -> Result<i64, AppError> {
        let mut tx = self.store.begin_read().await?;
        let m = tx.unread_messages(ctx.principal.account_id).await?;
        let n = tx.unread_notifications(ctx.principal.account_id).await?;
        tx.commit().await?;
        Ok(m + n)
    }
}
