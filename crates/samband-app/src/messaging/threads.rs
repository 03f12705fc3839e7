//! Reading threads: one thread with its messages (receipts marked read), and a
//! patient's threads, each as far as the policy lets the reader see it.

use super::Messages;
use crate::kernel::{Facts, TxBox};
use crate::messaging::MessageView;
use crate::messaging::RecipientView;
use crate::messaging::ThreadSummary;
use crate::messaging::ThreadView;
use crate::paging::{self, Page, PageParams};
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::principal::Subject;
use samband_store::ThreadFilter;

impl Messages<'_> {
    /// Loads a thread and authorizes `op` on it (addressed or not, consent for its
    /// category); on success the transaction stays open for the caller.
    pub(crate) async fn open_thread(
        &self,
        ctx: &Ctx,
        thread_id: ThreadId,
        op: Operation,
    ) -> Result<(TxBox, Thread, Purpose), AppError> {
        let mut tx = self.store.begin().await?;
        let thread = tx.get_thread(thread_id).await?.ok_or(AppError::NotFound)?;
        let facts = self.load_facts(&mut tx, ctx, thread.patient_id).await?;
        let detail = self.thread_detail(&mut tx, ctx, &thread).await?;
        let (tx, purpose) = self
            .authorize_in(
                tx,
                ctx,
                thread.patient_id,
                &facts,
                op,
                Object::Message,
                thread.category,
                detail,
            )
            .await?;
        Ok((tx, thread, purpose))
    }

    pub(crate) async fn thread_detail(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        thread: &Thread,
    ) -> Result<Detail, AppError> {
        Ok(
            if tx
                .is_participant(thread.id, ctx.principal.account_id)
                .await?
            {
                Detail::None
            } else {
                Detail::ThreadOutsider
            },
        )
    }

    /// Opens a thread: its messages with receipts, any request, and marks it read for
    /// the reader (which the senders then see).
    pub async fn thread_view(
        &self,
        ctx: &Ctx,
        thread_id: ThreadId,
    ) -> Result<ThreadView, AppError> {
        let (mut tx, thread, purpose) = self.open_thread(ctx, thread_id, Operation::Read).await?;
        let now = self.clock.now();
        let me = ctx.principal.account_id;
        let changed = tx.mark_thread_read(thread.id, me, now).await?;
        let messages = tx.list_messages(thread.id).await?;
        let recipients = tx.list_recipients(thread.id).await?;
        let attachments = tx.list_attachments(thread.id).await?;
        let request = tx.request_for_thread(thread.id).await?;
        let patient_name = tx
            .get_patient(thread.patient_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        let can_reply = self
            .thread_detail(&mut tx, ctx, &thread)
            .await
            .map(|d| d == Detail::None)
            .unwrap_or(false)
            && purpose != Purpose::Emergency
            && !matches!(ctx.principal.subject, Subject::Proxy { .. });
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(thread.id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        let today = self.today();
        let authors: Vec<AccountId> = messages.iter().map(|m| m.author_account_id).collect();
        if changed > 0 {
            self.live.publish(authors.into_iter().chain([me]));
        }
        let messages = messages
            .into_iter()
            .map(|m| {
                let rs: Vec<RecipientView> = recipients
                    .iter()
                    .filter(|r| r.message_id == m.id)
                    .map(|r| RecipientView {
                        account_id: r.account_id,
                        name: r.name.clone(),
                        state: r.state(),
                        delivered_at: r.delivered_at,
                        read_at: r.read_at,
                        acknowledged_at: r.acknowledged_at,
                        escalated: r.escalated_at.is_some(),
                    })
                    .collect();
                let awaiting_my_ack = m.needs_ack
                    && rs
                        .iter()
                        .any(|r| r.account_id == me && r.acknowledged_at.is_none());
                let ack_overdue = m.ack_due.is_some_and(|d| today > d)
                    && rs.iter().any(|r| r.acknowledged_at.is_none());
                MessageView {
                    attachments: attachments
                        .iter()
                        .filter(|a| a.message_id == m.id)
                        .cloned()
                        .collect(),
                    message: m,
                    recipients: rs,
                    awaiting_my_ack,
                    ack_overdue,
                }
            })
            .collect();
        let can_answer = request
            .as_ref()
            .is_some_and(|r| r.addressee_account_id == me && r.status.is_open());
        Ok(ThreadView {
            request_status: request.as_ref().map(|r| r.display_status(today)),
            request,
            thread,
            patient_name,
            messages,
            can_answer,
            can_reply,
            today,
        })
    }

    /// Which of the patient's threads this reader may see, as the policy decides it per
    /// information category for threads they take part in and threads they do not.
    pub(crate) fn visible_thread_categories(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
    ) -> (Vec<&'static str>, Vec<&'static str>) {
        let allowed = |detail| -> Vec<&'static str> {
            Category::ALL
                .iter()
                .filter(|c| {
                    self.permits_in(ctx, patient, facts, Operation::List, **c, detail)
                        .is_some()
                })
                .map(|c| c.as_str())
                .collect()
        };
        (allowed(Detail::None), allowed(Detail::ThreadOutsider))
    }

    /// One page of the patient's threads this reader may see (a professional: those
    /// they take part in; the patient and proxies: all), newest activity first, with how
    /// many there are. The policy decides which categories; the store filters by them.
    pub async fn patient_threads(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        page: &PageParams,
    ) -> Result<Page<ThreadSummary>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("threads", page)?;
        let mut tx = self.store.begin_read().await?;
        let facts: Facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::List,
                Object::Patient,
                Detail::None,
            )
            .await?;
        let today = self.today();
        let (mine, others) = self.visible_thread_categories(ctx, patient, &facts);
        let filter = ThreadFilter {
            reader: ctx.principal.account_id,
            participant_categories: &mine,
            other_categories: &others,
        };
        let rows = tx.list_threads(patient, &filter, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |t| (t.last_message_at, t.id.as_uuid()));
        let total = tx.count_threads(patient, &filter).await?;
        let mut out = Vec::new();
        for t in rows {
            let req = tx.request_for_thread(t.id).await?;
            out.push(ThreadSummary {
                request_kind: req.as_ref().map(|r| r.kind),
                request_status: req.as_ref().map(|r| r.display_status(today)),
                thread: t,
            });
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Message,
            None,
            Operation::List,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(out, next, total))
    }

    pub(crate) fn permits_in(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        category: Category,
        detail: Detail,
    ) -> Option<Purpose> {
        match self.decide_in(ctx, patient, facts, op, Object::Message, category, detail) {
            crate::policy::Decision::Permit(p) => Some(p),
            crate::policy::Decision::Deny(_) => None,
        }
    }
}
