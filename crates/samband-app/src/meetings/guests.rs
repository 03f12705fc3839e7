//! External guests: no account, a link with a secret token shows their own part of the
//! meeting; every view is audited.

use super::Meetings;
use crate::meetings::views::hhmm;
use crate::meetings::GuestView;
use crate::policy::Object;
use crate::AppError;
use chrono::Duration;
use samband_domain::meeting::*;

impl Meetings<'_> {
    /// What an external guest's link shows: their own items and nothing else.
    pub async fn guest_view(&self, token: &str) -> Result<GuestView, AppError> {
        if token.len() < 20 || token.len() > 200 {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin_read().await?;
        let guest = tx
            .participant_by_guest_token(&crate::auth::sha256_hex(token))
            .await?
            .filter(|p| p.kind == ParticipantKind::Guest)
            .ok_or(AppError::NotFound)?;
        let m = tx
            .get_meeting(guest.meeting_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let local_start = self.in_local_time(m.starts_at);
        let at = |offset: i64| hhmm(local_start + Duration::minutes(offset));
        let items = tx
            .list_agenda(m.id)
            .await?
            .into_iter()
            .filter(|i| i.participants.contains(&guest.id))
            .map(|i| (at(i.start_offset), at(i.end_offset()), i.title))
            .collect();
        tx.append_audit(&samband_store::AuditEntry {
            id: uuid::Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: None,
            patient_id: Some(m.patient_id),
            object_type: Object::Meeting.as_str().into(),
            object_id: Some(guest.id.to_string()),
            action: "read".into(),
            purpose: "guest".into(),
            request_id: None,
        })
        .await?;
        tx.commit().await?;
        Ok(GuestView {
            title: m.title,
            kind: m.kind,
            mode: m.mode,
            local_date: local_start.date(),
            video_link: m.video_link,
            place: m.place,
            organiser_name: m.organiser_name,
            cancelled: m.status == MeetingStatus::Cancelled,
            guest,
            items,
        })
    }

    /// The guest replies through their link.
    pub async fn guest_reply(&self, token: &str, reply: &str) -> Result<(), AppError> {
        let reply = Reply::parse("reply", reply)?;
        let mut tx = self.store.begin().await?;
        let guest = tx
            .participant_by_guest_token(&crate::auth::sha256_hex(token))
            .await?
            .ok_or(AppError::NotFound)?;
        let m = tx
            .get_meeting(guest.meeting_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let next = Participant {
            reply,
            ..guest.clone()
        };
        tx.update_participant(&next, guest.version).await?;
        tx.append_audit(&samband_store::AuditEntry {
            id: uuid::Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: None,
            patient_id: Some(m.patient_id),
            object_type: Object::Meeting.as_str().into(),
            object_id: Some(guest.id.to_string()),
            action: "update".into(),
            purpose: "guest".into(),
            request_id: None,
        })
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(())
    }
}
