//! Starting a thread and replying to one.

use super::Messages;
use crate::messaging::ComposeInput;
use crate::messaging::ReplyInput;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::ValidationErrors;

impl Messages<'_> {
    /// Starts a thread with its first message.
    pub async fn start_thread(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: ComposeInput,
    ) -> Result<ThreadId, AppError> {
        let mut e = ValidationErrors::new();
        let text = e.take(check_new_thread(&input.subject, &input.body));
        let category = match input.category.as_deref().map(str::trim) {
            None | Some("") => Some(Category::PlanAndActions),
            Some(c) => e.take(Category::parse("category", c)),
        };
        let files = self.check_uploads(&input.attachments, &mut e);
        e.into_result()?;
        let (Some(text), Some(category)) = (text, category) else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_in(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Create,
                Object::Message,
                category,
                Detail::None,
            )
            .await?;
        let recipients = self
            .resolve_addressees(&mut tx, ctx, patient, &input.to)
            .await?;
        self.check_recipients_may_read(&mut tx, patient, category, &recipients)
            .await?;
        let now = self.clock.now();
        let thread = Thread {
            id: ThreadId::new(),
            patient_id: patient,
            subject: text.subject,
            category,
            created_by: ctx.principal.account_id,
            created_at: now,
            last_message_at: now,
        };
        tx.insert_thread(&thread).await?;
        tx.add_participant(thread.id, ctx.principal.account_id)
            .await?;
        let needs_ack = input.needs_ack && ctx.principal.subject.own_patient().is_none();
        let m = self
            .post(
                &mut tx,
                ctx,
                &thread,
                MessageKind::Message,
                text.body,
                needs_ack,
                input.urgent,
                &recipients,
                files,
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Message,
            Some(thread.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.after_post(ctx, &recipients);
        tracing::info!(message.id = %m, "message sent");
        Ok(thread.id)
    }

    /// Replies in a thread: to everyone else taking part in it.
    pub async fn reply(
        &self,
        ctx: &Ctx,
        thread_id: ThreadId,
        input: ReplyInput,
    ) -> Result<MessageId, AppError> {
        Ok(self.reply_reporting(ctx, thread_id, input).await?.id)
    }

    /// [`Self::reply`], saying who was skipped because they left the care team.
    pub async fn reply_reporting(
        &self,
        ctx: &Ctx,
        thread_id: ThreadId,
        input: ReplyInput,
    ) -> Result<ReplyOutcome, AppError> {
        let mut e = ValidationErrors::new();
        let body = e.take(check_body(&input.body));
        let files = self.check_uploads(&input.attachments, &mut e);
        e.into_result()?;
        let body = body.unwrap_or_default();
        let (mut tx, thread, purpose) = self.open_thread(ctx, thread_id, Operation::Create).await?;
        let mut skipped = Vec::new();
        let recipients = self
            .thread_others_skipping(&mut tx, ctx, &thread, &mut skipped)
            .await?;
        self.check_recipients_may_read(&mut tx, thread.patient_id, thread.category, &recipients)
            .await?;
        let needs_ack = input.needs_ack && ctx.principal.subject.own_patient().is_none();
        let id = self
            .post(
                &mut tx,
                ctx,
                &thread,
                MessageKind::Message,
                body,
                needs_ack,
                input.urgent,
                &recipients,
                files,
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(thread.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.after_post(ctx, &recipients);
        Ok(ReplyOutcome { id, skipped })
    }
}

/// A reply sent, and the participants it did not go to because they left the team.
#[derive(Debug, Clone)]
pub struct ReplyOutcome {
    pub id: MessageId,
    pub skipped: Vec<String>,
}
