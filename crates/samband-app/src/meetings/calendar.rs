//! The participant's RFC 5545 calendar file for a meeting.

use super::Meetings;
use crate::meetings::kind_label;
use crate::policy::{Object, Operation};
use crate::{AppError, Ctx};
use chrono::Duration;
use samband_domain::ics;
use samband_domain::ids::*;
use samband_domain::meeting::*;

impl Meetings<'_> {
    /// The participant's calendar file: their own part of the meeting (from their first
    /// item to their last, or the whole meeting), a UID stable per meeting and person,
    /// SEQUENCE from the meeting. No names of patients, no health information.
    pub(crate) fn calendar_for(
        &self,
        m: &Meeting,
        p: &Participant,
        all: &[Participant],
        agenda: &[AgendaItem],
        domain: &str,
    ) -> String {
        let mine: Vec<&AgendaItem> = agenda
            .iter()
            .filter(|i| i.participants.contains(&p.id))
            .collect();
        let (from, to) = match (
            mine.iter().map(|i| i.start_offset).min(),
            mine.iter().map(|i| i.end_offset()).max(),
        ) {
            (Some(a), Some(b))
                if p.kind != ParticipantKind::Member
                    || m.organiser_account_id != p.account_id.unwrap_or_default() =>
            {
                (a, b)
            }
            _ => (0, m.duration_minutes),
        };
        let organiser = all
            .iter()
            .find(|x| x.account_id == Some(m.organiser_account_id));
        let url = self.config.mail.as_ref().map(|mail| {
            format!(
                "{}/meetings/{}",
                mail.public_url.trim_end_matches('/'),
                m.id
            )
        });
        let event = ics::CalendarEvent {
            uid: format!("{}-{}@{domain}", m.id, p.id),
            sequence: m.sequence.max(0) as u32,
            method: if m.status == MeetingStatus::Cancelled {
                ics::Method::Cancel
            } else {
                ics::Method::Request
            },
            dtstamp: self.clock.now(),
            start: m.starts_at + Duration::minutes(from),
            end: m.starts_at + Duration::minutes(to),
            summary: format!("Samband: {}", kind_label(m.kind)),
            description: match &url {
                Some(u) => format!("Agenda and preparation: {u}"),
                None => "Agenda and preparation in Samband.".into(),
            },
            location: m.place.clone(),
            url: m.video_link.clone().or(url),
            organizer: ics::Person {
                name: m.organiser_name.clone(),
                email: organiser.and_then(|o| o.email.clone()),
            },
            attendees: all
                .iter()
                .map(|x| ics::Attendee {
                    person: ics::Person {
                        name: x.name.clone(),
                        email: x.email.clone(),
                    },
                    partstat: match x.reply {
                        Reply::Pending => ics::PartStat::NeedsAction,
                        Reply::Accepted => ics::PartStat::Accepted,
                        Reply::Declined => ics::PartStat::Declined,
                        Reply::Tentative => ics::PartStat::Tentative,
                    },
                    required: x.id == p.id || agenda.is_empty(),
                })
                .collect(),
        };
        ics::render(&event)
    }

    /// The reader's calendar file for a meeting they are invited to.
    pub async fn calendar(&self, ctx: &Ctx, id: MeetingId) -> Result<String, AppError> {
        let (mut tx, m, purpose) = self.open_meeting(ctx, id, Operation::Read).await?;
        let participants = tx.list_participants(id).await?;
        let agenda = tx.list_agenda(id).await?;
        let me = participants
            .iter()
            .find(|p| p.account_id == Some(ctx.principal.account_id))
            .cloned()
            .ok_or(AppError::Forbidden)?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(id.to_string()),
            Operation::Export,
            purpose,
        )
        .await?;
        tx.commit().await?;
        let domain = self
            .config
            .mail
            .as_ref()
            .map(|m| m.message_id_domain.clone())
            .unwrap_or_else(|| "samband.invalid".into());
        Ok(self.calendar_for(&m, &me, &participants, &agenda, &domain))
    }
}
