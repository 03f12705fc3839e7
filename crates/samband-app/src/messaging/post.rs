//! Posting one message into a thread: attachments checked, receipts and notices for
//! each recipient, the receipt deadline queued, live signals after commit.

use super::Messages;
use crate::jobs;
use crate::kernel::TxBox;
use crate::messaging::Addressee;
use crate::messaging::Upload;
use crate::notify::Notice;
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::ValidationErrors;
use samband_store::Job;
use sha2::{Digest, Sha256};

impl Messages<'_> {
    /// Everyone in the thread except the principal, as addressees; `skipped` names
    /// the participants left out because their membership on the patient's team has
    /// ended (a message is never delivered to them).
    pub(crate) async fn thread_others_skipping(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        thread: &Thread,
        skipped: &mut Vec<String>,
    ) -> Result<Vec<Addressee>, AppError> {
        let today = self.today();
        let team = tx.get_team(thread.patient_id).await?;
        let mut ids: Vec<AccountId> = vec![thread.created_by];
        for r in tx.list_recipients(thread.id).await? {
            ids.push(r.account_id);
        }
        for m in tx.list_messages(thread.id).await? {
            ids.push(m.author_account_id);
        }
        let mut out: Vec<Addressee> = Vec::new();
        for id in ids {
            if id == ctx.principal.account_id || out.iter().any(|o| o.account.id == id) {
                continue;
            }
            if let Some(account) = tx.get_account(id).await? {
                if account.disabled {
                    continue;
                }
                if let (Some(pid), Some(team)) = (account.professional_id, team.as_ref()) {
                    let was_member = team.members.iter().any(|m| m.professional_id == Some(pid));
                    if was_member && team.active_professional(pid, today).is_none() {
                        if !skipped.contains(&account.display_name) {
                            skipped.push(account.display_name.clone());
                        }
                        continue;
                    }
                }
                out.push(Addressee {
                    name: account.display_name.clone(),
                    account,
                    member: None,
                });
            }
        }
        if out.is_empty() && !skipped.is_empty() {
            return Err(ValidationErrors::single(
                "body",
                "recipients_left",
                format!(
                    "nobody else can receive this: {} left the care team",
                    skipped.join(", ")
                ),
            )
            .into());
        }
        if out.is_empty() {
            return Err(ValidationErrors::single(
                "body",
                "no_recipients",
                "nobody else takes part in this thread",
            )
            .into());
        }
        Ok(out)
    }

    pub(crate) fn check_uploads(
        &self,
        uploads: &[Upload],
        e: &mut ValidationErrors,
    ) -> Vec<(Upload, AttachmentType)> {
        let mut out = Vec::new();
        for (i, u) in uploads.iter().enumerate() {
            if let Some((name, t)) = e.take(check_attachment(
                &format!("attachments[{i}]"),
                &u.file_name,
                &u.data,
                self.config.attachment_max_bytes,
            )) {
                out.push((
                    Upload {
                        file_name: name,
                        data: u.data.clone(),
                    },
                    t,
                ));
            }
        }
        out
    }

    /// Writes one message with its receipts, attachments, notifications and the job
    /// that checks its receipt deadline, all in the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn post(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        thread: &Thread,
        kind: MessageKind,
        body: String,
        needs_ack: bool,
        urgent: bool,
        recipients: &[Addressee],
        files: Vec<(Upload, AttachmentType)>,
    ) -> Result<MessageId, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let ack_due = needs_ack.then(|| {
            let days = if urgent {
                self.config.urgent_ack_working_days
            } else {
                self.config.ack_working_days
            };
            self.config.calendar.add_working_days(today, days)
        });
        let m = Message {
            id: MessageId::new(),
            thread_id: thread.id,
            patient_id: thread.patient_id,
            author_account_id: ctx.principal.account_id,
            author_name: ctx.principal.display_name.clone(),
            kind,
            body,
            sent_at: now,
            needs_ack,
            urgent,
            ack_due,
        };
        let rows: Vec<Recipient> = recipients
            .iter()
            .map(|r| Recipient {
                message_id: m.id,
                account_id: r.account.id,
                name: r.name.clone(),
                delivered_at: None,
                read_at: None,
                acknowledged_at: None,
                escalated_at: None,
            })
            .collect();
        tx.insert_message(&m, &rows).await?;
        tx.add_participant(thread.id, ctx.principal.account_id)
            .await?;
        for r in recipients {
            tx.add_participant(thread.id, r.account.id).await?;
        }
        for (u, t) in files {
            let a = Attachment {
                id: AttachmentId::new(),
                message_id: m.id,
                file_name: u.file_name,
                content_type: t.content_type().into(),
                size_bytes: u.data.len() as i64,
                sha256: format!("{:x}", Sha256::digest(&u.data)),
            };
            tx.insert_attachment(&a, &u.data).await?;
        }
        if let Some(due) = ack_due {
            let job = Job::new(
                jobs::ACK_DEADLINE,
                serde_json::json!({ "message_id": m.id }),
                self.end_of_day(due),
                now,
            )
            .dedupe(format!("ack:{}", m.id));
            self.enqueue(tx, job).await?;
        }
        let notice_kind = match kind {
            MessageKind::Message => "message",
            MessageKind::Request => "request",
            MessageKind::Answer => "request_answered",
            MessageKind::Decline => "request_declined",
        };
        for r in recipients {
            self.notifications()
                .notify(
                    tx,
                    Notice {
                        account: r.account.id,
                        patient: Some(thread.patient_id),
                        kind: notice_kind,
                        thread: Some(thread.id),
                        actor: Some(&ctx.principal.display_name),
                        detail: None,
                        unread: false,
                    },
                )
                .await?;
        }
        Ok(m.id)
    }

    /// After the commit: live updates for the recipients, and the e-mail runner.
    pub(crate) fn after_post(&self, ctx: &Ctx, recipients: &[Addressee]) {
        self.after_commit(
            recipients
                .iter()
                .map(|r| r.account.id)
                .chain([ctx.principal.account_id]),
        );
    }
}
