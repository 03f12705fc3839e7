//! The agenda: items with their slot and people, and the patient's wish to change one.

use super::Meetings;
use crate::kernel::{Change, TxBox, Versioned};
use crate::notify::Notice;
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::meeting::*;

impl Meetings<'_> {
    pub async fn add_agenda_item(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &AgendaItemInput,
    ) -> Result<AgendaItem, AppError> {
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let invited: Vec<ParticipantId> = tx
            .list_participants(id)
            .await?
            .iter()
            .map(|p| p.id)
            .collect();
        let others = tx.list_agenda(id).await?;
        let f = input.check(
            self.in_local_time(m.starts_at),
            m.duration_minutes,
            &invited,
            &others,
        )?;
        let item = AgendaItem {
            id: AgendaItemId::new(),
            meeting_id: id,
            title: f.title,
            start_offset: f.start_offset,
            duration_minutes: f.duration_minutes,
            responsible: f.responsible,
            participants: f.participants,
            patient_present: f.patient_present,
            patient_request: None,
            minutes: String::new(),
            minutes_category: Category::PlanAndActions,
            version: 1,
        };
        tx.insert_agenda_item(&item).await?;
        self.commit_change(
            tx,
            ctx,
            m.patient_id,
            Change {
                object: Object::Meeting,
                id: item.id.to_string(),
                version: 1,
                old: None,
                new: &item,
                reason: None,
                audit_id: Some(item.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        self.publish_meeting(&m).await;
        Ok(item)
    }

    pub(crate) async fn load_item(
        &self,
        tx: &mut TxBox,
        m: &Meeting,
        item: AgendaItemId,
    ) -> Result<AgendaItem, AppError> {
        tx.list_agenda(m.id)
            .await?
            .into_iter()
            .find(|i| i.id == item)
            .ok_or(AppError::NotFound)
    }

    /// Changes an item's slot, people or the patient's presence.
    pub async fn update_agenda_item(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        input: &AgendaItemInput,
        expected: i64,
    ) -> Result<AgendaItem, AppError> {
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let old = self.load_item(&mut tx, &m, item).await?;
        let invited: Vec<ParticipantId> = tx
            .list_participants(id)
            .await?
            .iter()
            .map(|p| p.id)
            .collect();
        let others: Vec<AgendaItem> = tx
            .list_agenda(id)
            .await?
            .into_iter()
            .filter(|i| i.id != item)
            .collect();
        let f = input.check(
            self.in_local_time(m.starts_at),
            m.duration_minutes,
            &invited,
            &others,
        )?;
        let next = AgendaItem {
            title: f.title,
            start_offset: f.start_offset,
            duration_minutes: f.duration_minutes,
            responsible: f.responsible,
            participants: f.participants,
            patient_present: f.patient_present,
            // The organiser has answered the patient's wish by changing the item.
            patient_request: None,
            ..old.clone()
        };
        self.save_item(tx, ctx, &m, &old, next, expected, purpose)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn save_item(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        m: &Meeting,
        old: &AgendaItem,
        mut next: AgendaItem,
        expected: i64,
        purpose: Purpose,
    ) -> Result<AgendaItem, AppError> {
        let at = Versioned {
            patient: m.patient_id,
            object: Object::Meeting,
            id: old.id.to_string(),
            purpose,
        };
        let mut tx = self.check_version(tx, ctx, &at, old, expected).await?;
        let saved = tx.update_agenda_item(&next, expected).await;
        let (meeting, item) = (m.id, old.id);
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    tx.list_agenda(meeting)
                        .await?
                        .into_iter()
                        .find(|i| i.id == item)
                        .ok_or(AppError::NotFound)
                })
            })
            .await?;
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            m.patient_id,
            Change {
                object: Object::Meeting,
                id: old.id.to_string(),
                version: next.version,
                old: Some(old),
                new: &next,
                reason: None,
                audit_id: Some(old.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        self.publish_meeting(m).await;
        Ok(next)
    }

    /// The patient asks to change an item (be present, or not, or something else).
    pub async fn request_agenda_change(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        wish: &str,
    ) -> Result<(), AppError> {
        let wish = samband_domain::meeting::check_text("wish", wish)?;
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::PatientWish)
            .await?;
        let old = self.load_item(&mut tx, &m, item).await?;
        let mut next = AgendaItem {
            patient_request: Some(wish.clone()),
            ..old.clone()
        };
        next.version = tx.update_agenda_item(&next, old.version).await?;
        self.notifications()
            .notify(
                &mut tx,
                Notice {
                    account: m.organiser_account_id,
                    patient: Some(m.patient_id),
                    kind: "agenda_request",
                    thread: None,
                    actor: Some(&ctx.principal.display_name),
                    detail: Some(old.title.clone()),
                    unread: true,
                },
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(item.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        self.job_wake.notify_one();
        Ok(())
    }
}
