//! Planning a meeting: creating it, changing time, place or policy, cancelling it.

use super::Meetings;
use crate::jobs;
use crate::kernel::{Change, TxBox};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::NaiveDate;
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::principal::Subject;
use samband_domain::ValidationErrors;
use samband_store::Job;

impl Meetings<'_> {
    pub async fn create(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &MeetingInput,
    ) -> Result<Meeting, AppError> {
        let f = input.check(self.in_local_time(self.clock.now()))?;
        let starts_at = self.local_to_utc(f.starts_at)?;
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Meeting,
                Detail::Planning,
            )
            .await?;
        let now = self.clock.now();
        let m = Meeting {
            id: MeetingId::new(),
            patient_id: patient,
            kind: f.kind,
            mode: f.mode,
            title: f.title,
            starts_at,
            duration_minutes: f.duration_minutes,
            video_link: f.video_link,
            place: f.place,
            organiser_account_id: ctx.principal.account_id,
            organiser_name: ctx.principal.display_name.clone(),
            pre_read_policy: f.pre_read_policy,
            pre_read_days: f.pre_read_days,
            follow_up_date: f.follow_up_date,
            summary: None,
            status: MeetingStatus::Planned,
            sequence: 0,
            created_at: now,
            version: 1,
        };
        tx.insert_meeting(&m).await?;
        // The organiser takes part (as the team member they are).
        if let Subject::Professional(pid) = ctx.principal.subject {
            let team = tx.get_team(patient).await?.ok_or(AppError::NotFound)?;
            if let Some(member) = team.active_professional(pid, self.today()) {
                let email = tx.get_professional(pid).await?.and_then(|p| p.email);
                tx.insert_participant(&Participant {
                    id: ParticipantId::new(),
                    meeting_id: m.id,
                    kind: ParticipantKind::Member,
                    member_id: Some(member.id),
                    account_id: Some(ctx.principal.account_id),
                    name: ctx.principal.display_name.clone(),
                    organisation: None,
                    email,
                    reply: Reply::Accepted,
                    raise: None,
                    pre_reads_read_at: None,
                    version: 1,
                })
                .await?;
            }
        }
        if let Some(d) = m.follow_up_date {
            self.schedule_follow_up(&mut tx, &m, d).await?;
        }
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Meeting,
                id: m.id.to_string(),
                version: 1,
                old: None,
                new: &m,
                reason: None,
                audit_id: Some(m.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(m)
    }

    pub(crate) async fn schedule_follow_up(
        &self,
        tx: &mut TxBox,
        m: &Meeting,
        d: NaiveDate,
    ) -> Result<(), AppError> {
        let at = d
            .and_hms_opt(8, 0, 0)
            .map(|t| self.local_to_utc(t))
            .transpose()?
            .unwrap_or_else(|| self.clock.now());
        let job = Job::new(
            jobs::MEETING_FOLLOW_UP,
            serde_json::json!({ "meeting_id": m.id, "date": d }),
            at,
            self.clock.now(),
        )
        .dedupe(format!("follow_up:{}:{d}", m.id));
        self.enqueue(tx, job).await?;
        Ok(())
    }

    /// Changes time, place, mode or policy; invitees get an updated calendar file.
    pub async fn update(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &MeetingInput,
        expected: i64,
    ) -> Result<Meeting, AppError> {
        let f = input.check(self.in_local_time(self.clock.now()))?;
        let starts_at = self.local_to_utc(f.starts_at)?;
        let (mut tx, old, purpose) = self.open_for_planning(ctx, id, expected).await?;
        // Agenda items must still fit a shorter meeting.
        let agenda = tx.list_agenda(id).await?;
        if agenda.iter().any(|i| i.end_offset() > f.duration_minutes) {
            return Err(ValidationErrors::single(
                "duration_minutes",
                "agenda_outside",
                "agenda items would lie outside the shorter meeting; move them first",
            )
            .into());
        }
        let mut next = Meeting {
            kind: f.kind,
            mode: f.mode,
            title: f.title,
            starts_at,
            duration_minutes: f.duration_minutes,
            video_link: f.video_link,
            place: f.place,
            pre_read_policy: f.pre_read_policy,
            pre_read_days: f.pre_read_days,
            follow_up_date: f.follow_up_date,
            sequence: old.sequence + 1,
            ..old.clone()
        };
        let (mut tx, version) = self.save_meeting(tx, ctx, &next, expected, purpose).await?;
        next.version = version;
        if let Some(d) = next
            .follow_up_date
            .filter(|d| Some(*d) != old.follow_up_date)
        {
            self.schedule_follow_up(&mut tx, &next, d).await?;
        }
        let told = self
            .send_invitations(&mut tx, ctx, &next, None, "meeting_changed")
            .await?;
        self.finish_meeting_change(tx, ctx, &old, &next, purpose)
            .await?;
        self.after_commit(told);
        Ok(next)
    }

    pub async fn cancel(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        expected: i64,
    ) -> Result<Meeting, AppError> {
        let (tx, old, purpose) = self.open_for_planning(ctx, id, expected).await?;
        let mut next = Meeting {
            status: MeetingStatus::Cancelled,
            sequence: old.sequence + 1,
            ..old.clone()
        };
        let (mut tx, version) = self.save_meeting(tx, ctx, &next, expected, purpose).await?;
        next.version = version;
        let told = self
            .send_invitations(&mut tx, ctx, &next, None, "meeting_cancelled")
            .await?;
        self.finish_meeting_change(tx, ctx, &old, &next, purpose)
            .await?;
        self.after_commit(told);
        Ok(next)
    }
}
