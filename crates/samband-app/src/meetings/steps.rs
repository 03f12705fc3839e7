//! The steps meeting use cases share: opening a meeting under the policy, local time,
//! saving a versioned meeting, finishing a change, and telling participants.

use super::Meetings;
use crate::kernel::{Change, TxBox, Versioned};
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use chrono::{DateTime, NaiveDateTime, Utc};
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::ValidationErrors;

impl Meetings<'_> {
    pub(crate) fn in_local_time(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.config.time_zone).naive_local()
    }

    pub(crate) fn local_to_utc(&self, t: NaiveDateTime) -> Result<DateTime<Utc>, AppError> {
        t.and_local_timezone(self.config.time_zone)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                ValidationErrors::single(
                    "starts_at",
                    "no_such_time",
                    "this local time does not exist",
                )
                .into()
            })
    }

    /// Loads a meeting and authorizes `op` on it; the transaction stays open.
    pub(crate) async fn open_meeting(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        op: Operation,
    ) -> Result<(TxBox, Meeting, Purpose), AppError> {
        self.open_meeting_for(ctx, id, op, Detail::None).await
    }

    /// As [`Self::open_meeting`], for what only the meeting's planners do
    /// (`Detail::Planning`: professionals caring for the patient).
    pub(crate) async fn open_meeting_for(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        op: Operation,
        detail: Detail,
    ) -> Result<(TxBox, Meeting, Purpose), AppError> {
        let mut tx = self.store.begin().await?;
        let m = tx.get_meeting(id).await?.ok_or(AppError::NotFound)?;
        let facts = self.load_facts(&mut tx, ctx, m.patient_id).await?;
        let (tx, purpose) = self
            .authorize_with(tx, ctx, m.patient_id, &facts, op, Object::Meeting, detail)
            .await?;
        Ok((tx, m, purpose))
    }

    /// Opens a meeting for a planner's change made from version `expected`: a stale
    /// version is answered with the current meeting and who changed it.
    pub(crate) async fn open_for_planning(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        expected: i64,
    ) -> Result<(TxBox, Meeting, Purpose), AppError> {
        let (tx, old, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let at = Versioned {
            patient: old.patient_id,
            object: Object::Meeting,
            id: id.to_string(),
            purpose,
        };
        let tx = self.check_version(tx, ctx, &at, &old, expected).await?;
        Ok((tx, old, purpose))
    }

    /// Writes the meeting if still at `expected`; otherwise the conflict answer with
    /// the stored meeting (someone saved between the check and the write).
    pub(crate) async fn save_meeting(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        m: &Meeting,
        expected: i64,
        purpose: Purpose,
    ) -> Result<(TxBox, i64), AppError> {
        let mut tx = tx;
        let saved = tx.update_meeting(m, expected).await;
        let at = Versioned {
            patient: m.patient_id,
            object: Object::Meeting,
            id: m.id.to_string(),
            purpose,
        };
        let id = m.id;
        self.versioned_save(tx, ctx, &at, saved, move |tx| {
            Box::pin(async move { tx.get_meeting(id).await?.ok_or(AppError::NotFound) })
        })
        .await
    }

    pub(crate) async fn finish_meeting_change(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        old: &Meeting,
        next: &Meeting,
        purpose: Purpose,
    ) -> Result<(), AppError> {
        self.commit_change(
            tx,
            ctx,
            next.patient_id,
            Change {
                object: Object::Meeting,
                id: next.id.to_string(),
                version: next.version,
                old: Some(old),
                new: next,
                reason: None,
                audit_id: Some(next.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await
    }

    /// Signals every invited account (live views refresh).
    pub(crate) async fn publish_meeting(&self, m: &Meeting) {
        // After the change committed; a failure here only delays others' refresh.
        let Ok(mut tx) = self.store.begin().await else {
            return;
        };
        let participants = tx.list_participants(m.id).await;
        let _ = tx.commit().await;
        if let Ok(ps) = participants {
            self.live.publish(ps.iter().filter_map(|p| p.account_id));
        }
    }
}
