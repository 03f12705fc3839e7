//! Moving a request on: accepting, answering or declining it, with the action's
//! status following and the answer posted in the thread.

use super::Requests;
use crate::kernel::{Change, TxBox, Versioned};
use crate::messaging::Addressee;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::plan::{Action, ActionStatus};
use samband_domain::ValidationErrors;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[serde(default)]
    pub answers: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    #[serde(default)]
    pub reason: String,
}

/// What the addressee does with a request.
pub enum Transition {
    Accept,
    Answer(AnswerInput),
    Decline(DeclineInput),
}

pub(crate) fn answer_body(r: &Request) -> String {
    let mut out = String::new();
    for (q, a) in r.questions.iter().zip(&r.answers) {
        out.push_str(&format!("{q}\n→ {a}\n\n"));
    }
    if let Some(n) = &r.answer_note {
        out.push_str(n);
    }
    out.trim_end().to_owned()
}

impl Requests<'_> {
    /// The addressee accepts, answers or declines. `expected` is the request version
    /// the addressee saw: a stale one is refused with the current state.
    pub async fn transition(
        &self,
        ctx: &Ctx,
        id: RequestId,
        expected: i64,
        t: Transition,
    ) -> Result<Request, AppError> {
        let mut tx = self.store.begin().await?;
        let r = tx.get_request(id).await?.ok_or(AppError::NotFound)?;
        let thread = tx
            .get_thread(r.thread_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = self.load_facts(&mut tx, ctx, thread.patient_id).await?;
        // Only the addressee moves a request on; the policy says so (and audits it).
        let detail = match self.messages().thread_detail(&mut tx, ctx, &thread).await? {
            Detail::None if r.addressee_account_id != ctx.principal.account_id => {
                Detail::OthersRequest
            }
            d => d,
        };
        let (tx, purpose) = self
            .authorize_in(
                tx,
                ctx,
                thread.patient_id,
                &facts,
                Operation::Update,
                Object::Message,
                thread.category,
                detail,
            )
            .await?;
        let at = Versioned {
            patient: r.patient_id,
            object: Object::Message,
            id: r.id.to_string(),
            purpose,
        };
        let mut tx = self.check_version(tx, ctx, &at, &r, expected).await?;
        if !r.status.is_open() {
            return Err(ValidationErrors::single(
                "status",
                "closed",
                format!("the request is already {}", r.status.as_str()),
            )
            .into());
        }
        let now = self.clock.now();
        let mut next = r.clone();
        let (action_status, reply) = match t {
            Transition::Accept => {
                if r.status == RequestStatus::Accepted {
                    return Err(ValidationErrors::single(
                        "status",
                        "closed",
                        "the request is already accepted",
                    )
                    .into());
                }
                next.status = RequestStatus::Accepted;
                (ActionStatus::InProgress, None)
            }
            Transition::Answer(a) => {
                let (answers, note) = check_answer(&r.questions, &a.answers, a.note.as_deref())?;
                next.status = RequestStatus::Answered;
                next.answers = answers;
                next.answer_note = note;
                next.answered_at = Some(now);
                (
                    ActionStatus::Done,
                    Some((MessageKind::Answer, answer_body(&next))),
                )
            }
            Transition::Decline(d) => {
                let reason = samband_domain::text::required(
                    "reason",
                    &d.reason,
                    samband_domain::text::LONG,
                )?;
                next.status = RequestStatus::Declined;
                next.decline_reason = Some(reason.clone());
                next.answered_at = Some(now);
                (
                    ActionStatus::Cancelled,
                    Some((MessageKind::Decline, reason)),
                )
            }
        };
        let saved = tx.update_request(&next, expected).await;
        let (mut tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_request(id).await?.ok_or(AppError::NotFound) })
            })
            .await?;
        next.version = version;
        self.set_action_status(&mut tx, ctx, &r, action_status)
            .await?;
        let mut told = Vec::new();
        if let Some((kind, body)) = reply {
            let requester = tx
                .get_account(r.requester_account_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let to = vec![Addressee {
                name: r.requester_name.clone(),
                account: requester,
                member: None,
            }];
            // The requester confirms they received the answer: an explicit receipt.
            self.messages()
                .post(
                    &mut tx,
                    ctx,
                    &thread,
                    kind,
                    body,
                    kind == MessageKind::Answer,
                    false,
                    &to,
                    vec![],
                )
                .await?;
            told = to;
        }
        self.commit_change(
            tx,
            ctx,
            r.patient_id,
            Change {
                object: Object::Message,
                id: r.id.to_string(),
                version: next.version,
                old: Some(&r),
                new: &next,
                reason: None,
                audit_id: Some(r.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        self.messages().after_post(ctx, &told);
        self.live.publish([r.requester_account_id]);
        Ok(next)
    }

    /// Moves the request's care-plan action along with the request.
    pub(crate) async fn set_action_status(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        r: &Request,
        status: ActionStatus,
    ) -> Result<(), AppError> {
        let Some(old) = tx.get_action(r.patient_id, r.action_id).await? else {
            return Ok(());
        };
        // Someone closed it by hand already: leave their decision alone.
        if !old.status.is_open() {
            return Ok(());
        }
        let mut next = Action {
            status,
            ..old.clone()
        };
        next.version = tx.update_action(&next, old.version).await?;
        self.record_change(
            tx,
            ctx,
            r.patient_id,
            Object::Action,
            old.id.to_string(),
            next.version,
            Some(&old),
            &next,
            Some(format!("request {}", status.as_str().replace('_', " "))),
        )
        .await
    }
}
