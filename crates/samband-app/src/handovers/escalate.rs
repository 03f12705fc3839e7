//! The job that follows up a hand-over nobody acknowledged by its day: the sender is
//! warned and gets a follow-up action, and the coordinator is told — once, since the
//! job is queued once per hand-over (its dedupe key) and finishes in the transaction
//! of its effect.

use super::Handovers;
use crate::notify::Notice;
use crate::policy::Object;
use crate::AppError;
use samband_domain::handover::HandoverStatus;
use samband_domain::ids::*;
use samband_domain::organisation::Sector;
use samband_domain::plan::{Action, ActionStatus};
use samband_store::Job;

impl Handovers<'_> {
    pub(crate) async fn run_ack_deadline(&self, job: &Job) -> Result<(), AppError> {
        let bad = |e: serde_json::Error| AppError::Internal(format!("bad job payload: {e}"));
        let patient: PatientId =
            serde_json::from_value(job.payload["patient_id"].clone()).map_err(bad)?;
        let id: HandoverId =
            serde_json::from_value(job.payload["handover_id"].clone()).map_err(bad)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let h = tx.get_handover(patient, id).await?;
        // Acknowledged in time (or gone): nothing to follow up.
        let Some(h) = h.filter(|h| h.status == HandoverStatus::Sent) else {
            return self.finish_run(tx, job, now, Vec::new()).await;
        };
        let Some(team) = tx.get_team(patient).await? else {
            return self.finish_run(tx, job, now, Vec::new()).await;
        };
        let contacts = tx.member_contacts(patient).await?;
        let receiver_name = contacts
            .iter()
            .find(|c| c.member_id == h.content.receiver)
            .and_then(|c| c.professional_name.clone())
            .unwrap_or_default();
        let today = self.today();
        let mut to = Vec::new();
        let sender_account = match team.member(h.sender).and_then(|m| m.professional_id) {
            Some(pid) => tx.account_for_professional(pid).await?,
            None => None,
        };
        if let Some(sender) = &sender_account {
            to.push(sender.id);
            // A follow-up action for the sender, while they are on the team.
            if let Some(member) = team.member(h.sender).filter(|m| m.is_active_on(today)) {
                let sector = match member.organisation_id {
                    Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
                    None => None,
                }
                .unwrap_or(Sector::Other);
                let title: String =
                    format!("Follow up: hand-over not acknowledged by {receiver_name}")
                        .chars()
                        .take(samband_domain::text::SHORT)
                        .collect();
                let action = Action {
                    id: ActionId::new(),
                    patient_id: patient,
                    title,
                    owner_member_id: member.id,
                    sector,
                    due_date: today,
                    status: ActionStatus::Planned,
                    goal_id: None,
                    created_at: now,
                    version: 1,
                };
                tx.insert_action(&action).await?;
                self.system_history(
                    &mut tx,
                    sender,
                    patient,
                    Object::Action,
                    action.id.to_string(),
                    &action,
                )
                .await?;
            }
        }
        if let Some(c) = self.team().coordinator_account(&mut tx, patient).await? {
            if !to.contains(&c) {
                to.push(c);
            }
        }
        for account in &to {
            self.notifications()
                .notify(
                    &mut tx,
                    Notice {
                        account: *account,
                        patient: Some(patient),
                        kind: "handover_ack_overdue",
                        thread: None,
                        actor: None,
                        detail: Some(receiver_name.clone()),
                        unread: true,
                    },
                )
                .await?;
        }
        self.finish_run(tx, job, now, to).await
    }
}
