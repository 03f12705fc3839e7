//! The follow-up: the plain-language summary and the follow-up job on its date.

use super::Meetings;
use crate::notify::Notice;
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::ValidationErrors;
use samband_store::Job;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryInput {
    pub summary: String,
    /// Also plan the next meeting on the follow-up date.
    #[serde(default)]
    pub plan_next: bool,
}

impl Meetings<'_> {
    /// After the meeting: the plain-language summary for the patient; the meeting is
    /// then held. With `plan_next`, the next meeting is planned on the follow-up date.
    pub async fn save_summary(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &SummaryInput,
        expected: i64,
    ) -> Result<(Meeting, Option<MeetingId>), AppError> {
        let summary = samband_domain::meeting::check_text("summary", &input.summary)?;
        let (tx, old, purpose) = self.open_for_planning(ctx, id, expected).await?;
        if input.plan_next && old.follow_up_date.is_none() {
            return Err(ValidationErrors::single(
                "plan_next",
                "no_follow_up",
                "set a follow-up date first",
            )
            .into());
        }
        let mut next = Meeting {
            summary: Some(summary),
            status: MeetingStatus::Held,
            ..old.clone()
        };
        let (mut tx, version) = self.save_meeting(tx, ctx, &next, expected, purpose).await?;
        next.version = version;
        if old.status != MeetingStatus::Held {
            // A pathway milestone that asks for a meeting of this kind is done by it.
            let on = self.in_local_time(old.starts_at).date();
            self.pathways()
                .record_evidence(
                    &mut tx,
                    ctx,
                    old.patient_id,
                    &samband_domain::pathway::Event::MeetingHeld(old.kind),
                    on,
                    &format!("meeting:{}", old.id),
                )
                .await?;
        }
        let mut next_id = None;
        if let (true, Some(d)) = (input.plan_next, old.follow_up_date) {
            let local = self.in_local_time(old.starts_at);
            let starts_at = self.local_to_utc(d.and_time(local.time()))?;
            let follow = Meeting {
                id: MeetingId::new(),
                kind: MeetingKind::Review,
                title: format!("Follow-up: {}", old.title)
                    .chars()
                    .take(samband_domain::text::SHORT)
                    .collect(),
                starts_at,
                follow_up_date: None,
                summary: None,
                status: MeetingStatus::Planned,
                sequence: 0,
                created_at: self.clock.now(),
                version: 1,
                ..old.clone()
            };
            tx.insert_meeting(&follow).await?;
            for p in tx.list_participants(id).await? {
                let copy = Participant {
                    id: ParticipantId::new(),
                    meeting_id: follow.id,
                    reply: if p.account_id == Some(ctx.principal.account_id) {
                        Reply::Accepted
                    } else {
                        Reply::Pending
                    },
                    raise: None,
                    pre_reads_read_at: None,
                    version: 1,
                    ..p
                };
                tx.insert_participant(&copy).await?;
            }
            let told = self
                .send_invitations(&mut tx, ctx, &follow, None, "meeting_invite")
                .await?;
            self.live.publish(told);
            next_id = Some(follow.id);
        }
        if let Some(patient_account) = tx
            .list_participants(id)
            .await?
            .iter()
            .find(|p| p.kind == ParticipantKind::Patient)
            .and_then(|p| p.account_id)
        {
            self.notifications()
                .notify(
                    &mut tx,
                    Notice {
                        account: patient_account,
                        patient: Some(old.patient_id),
                        kind: "meeting_changed",
                        thread: None,
                        actor: Some(&ctx.principal.display_name),
                        detail: None,
                        unread: true,
                    },
                )
                .await?;
        }
        self.finish_meeting_change(tx, ctx, &old, &next, purpose)
            .await?;
        self.publish_meeting(&next).await;
        self.job_wake.notify_one();
        Ok((next, next_id))
    }

    /// Job: the follow-up date has come; the organiser and the coordinator are told.
    pub(crate) async fn run_meeting_follow_up(&self, job: &Job) -> Result<(), AppError> {
        let id: MeetingId = serde_json::from_value(job.payload["meeting_id"].clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        if let Some(m) = tx.get_meeting(id).await? {
            let still =
                m.follow_up_date.map(|d| serde_json::json!(d)) == Some(job.payload["date"].clone());
            if still && m.status != MeetingStatus::Cancelled {
                let mut to = vec![m.organiser_account_id];
                if let Some(c) = self
                    .team()
                    .coordinator_account(&mut tx, m.patient_id)
                    .await?
                {
                    if !to.contains(&c) {
                        to.push(c);
                    }
                }
                for a in &to {
                    self.notifications()
                        .notify(
                            &mut tx,
                            Notice {
                                account: *a,
                                patient: Some(m.patient_id),
                                kind: "follow_up_due",
                                thread: None,
                                actor: None,
                                detail: None,
                                unread: true,
                            },
                        )
                        .await?;
                }
                told = to;
            }
        }
        self.finish_run(tx, job, now, told).await
    }
}
