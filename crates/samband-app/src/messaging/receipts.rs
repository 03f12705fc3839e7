//! Receipts: acknowledging a message, and the job that follows up a receipt not given
//! by its deadline.

use super::Messages;
use crate::kernel::TxBox;
use crate::notify::Notice;
use crate::policy::{Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::ValidationErrors;
use samband_store::Job;

impl Messages<'_> {
    /// An explicit receipt: "I have received this and take it from here".
    pub async fn acknowledge(&self, ctx: &Ctx, message_id: MessageId) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        let m = tx
            .get_message(message_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(tx);
        let (mut tx, thread, purpose) = self
            .open_thread(ctx, m.thread_id, Operation::Update)
            .await?;
        let recipients = tx.list_recipients(thread.id).await?;
        let mine = recipients
            .iter()
            .find(|r| r.message_id == m.id && r.account_id == ctx.principal.account_id);
        match mine {
            None => {
                return Err(ValidationErrors::single(
                    "message",
                    "not_recipient",
                    "only a recipient can acknowledge a message",
                )
                .into())
            }
            Some(r) if r.acknowledged_at.is_some() => {
                // Acknowledging twice changes nothing and is not an error.
                tx.commit().await?;
                return Ok(());
            }
            Some(_) => {}
        }
        tx.acknowledge(m.id, ctx.principal.account_id, self.clock.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(m.id.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.live
            .publish([m.author_account_id, ctx.principal.account_id]);
        Ok(())
    }

    /// Job: a receipt deadline passed. Recipients who have not acknowledged are marked
    /// escalated; the sender gets a warning and a follow-up action in the care plan, and
    /// the coordinator is told.
    pub(crate) async fn run_ack_deadline(&self, job: &Job) -> Result<(), AppError> {
        let id: MessageId = serde_json::from_value(job.payload["message_id"].clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(m) = tx.get_message(id).await? else {
            return self.finish_run(tx, job, now, Vec::new()).await;
        };
        let missing = tx.escalate_unacknowledged(m.id, now).await?;
        let mut told = Vec::new();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|r| r.name.as_str()).collect();
            let thread = tx
                .get_thread(m.thread_id)
                .await?
                .ok_or(AppError::NotFound)?;
            self.follow_up_action(&mut tx, &m, &thread, &names.join(", "))
                .await?;
            let mut to = vec![m.author_account_id];
            if let Some(c) = self
                .team()
                .coordinator_account(&mut tx, m.patient_id)
                .await?
            {
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
                            patient: Some(m.patient_id),
                            kind: "ack_overdue",
                            thread: Some(m.thread_id),
                            actor: Some(&m.author_name),
                            detail: Some(names.join(", ")),
                            unread: true,
                        },
                    )
                    .await?;
            }
            told = to;
        }
        self.finish_run(tx, job, now, told).await
    }

    /// A care-plan action for the sender: follow up the missing receipt.
    pub(crate) async fn follow_up_action(
        &self,
        tx: &mut TxBox,
        m: &Message,
        thread: &Thread,
        names: &str,
    ) -> Result<(), AppError> {
        let Some(sender) = tx.get_account(m.author_account_id).await? else {
            return Ok(());
        };
        let Some(pid) = sender.professional_id else {
            return Ok(());
        };
        let Some(team) = tx.get_team(m.patient_id).await? else {
            return Ok(());
        };
        let today = self.today();
        let Some(member) = team.active_professional(pid, today).cloned() else {
            return Ok(());
        };
        let sector = match member.organisation_id {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        }
        .unwrap_or(samband_domain::organisation::Sector::Other);
        let title: String = format!(
            "Follow up: no receipt from {names} for \"{}\"",
            thread.subject
        )
        .chars()
        .take(samband_domain::text::SHORT)
        .collect();
        let action = samband_domain::plan::Action {
            id: ActionId::new(),
            patient_id: m.patient_id,
            title,
            owner_member_id: member.id,
            sector,
            due_date: today,
            status: samband_domain::plan::ActionStatus::Planned,
            goal_id: None,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.system_history(
            tx,
            &sender,
            m.patient_id,
            Object::Action,
            action.id.to_string(),
            &action,
        )
        .await
    }
}
