//! Re-addressing an open request to another active professional on the team (issue 11,
//! part A): the request and its care-plan action move to them under the request's
//! version; they join the thread. The requester, the addressee or the coordinator may
//! do it.

use super::create::rename_field;
use super::Requests;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::ValidationErrors;

impl Requests<'_> {
    /// Addresses the open request `id` to `to` (a member of the patient's team) if it
    /// is still at `expected`.
    pub async fn readdress(
        &self,
        ctx: &Ctx,
        id: RequestId,
        to: Option<MemberId>,
        expected: i64,
        reason: Option<&str>,
    ) -> Result<Request, AppError> {
        let reason = crate::kernel::versioned::parse_reason(reason)?;
        let mut tx = self.store.begin().await?;
        let r = tx.get_request(id).await?.ok_or(AppError::NotFound)?;
        let thread = tx
            .get_thread(r.thread_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let patient = thread.patient_id;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let coordinator = self.team().coordinator_account(&mut tx, patient).await?;
        let me = ctx.principal.account_id;
        let detail = match self.messages().thread_detail(&mut tx, ctx, &thread).await? {
            Detail::None
                if r.addressee_account_id != me
                    && r.requester_account_id != me
                    && coordinator != Some(me) =>
            {
                Detail::OthersRequest
            }
            d => d,
        };
        let (tx, purpose) = self
            .authorize_in(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Update,
                Object::Message,
                thread.category,
                detail,
            )
            .await?;
        let at = Versioned {
            patient,
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
        let Some(to) = to else {
            return Err(ValidationErrors::single(
                "addressee_member_id",
                "required",
                "choose who the request goes to",
            )
            .into());
        };
        if to == r.addressee_member_id {
            return Err(ValidationErrors::single(
                "addressee_member_id",
                "unchanged",
                "the request is already addressed to this person",
            )
            .into());
        }
        let addressees = self
            .messages()
            .resolve_addressees(&mut tx, ctx, patient, &[format!("member:{to}")])
            .await
            .map_err(|e| rename_field(e, "to", "addressee_member_id"))?;
        self.messages()
            .check_recipients_may_read(&mut tx, patient, thread.category, &addressees)
            .await
            .map_err(|e| rename_field(e, "to", "addressee_member_id"))?;
        let Some(a) = addressees.into_iter().find(|a| a.member == Some(to)) else {
            return Err(ValidationErrors::single(
                "addressee_member_id",
                "not_on_team",
                "the addressee must be another professional on the care team",
            )
            .into());
        };
        let mut next = r.clone();
        next.addressee_account_id = a.account.id;
        next.addressee_member_id = to;
        next.addressee_name = a.name.clone();
        let saved = tx.update_request(&next, expected).await;
        let (mut tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_request(id).await?.ok_or(AppError::NotFound) })
            })
            .await?;
        next.version = version;
        // The request's action follows its addressee.
        if let Some(old) = tx.get_action(patient, r.action_id).await? {
            let mut moved = old.clone();
            moved.owner_member_id = to;
            let v = tx.update_action(&moved, old.version).await?;
            moved.version = v;
            self.record_change(
                &mut tx,
                ctx,
                patient,
                Object::Action,
                old.id.to_string(),
                v,
                Some(&old),
                &moved,
                reason.clone(),
            )
            .await?;
        }
        tx.add_participant(thread.id, a.account.id).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Message,
                id: r.id.to_string(),
                version,
                old: Some(&r),
                new: &next,
                reason: Some(match &reason {
                    Some(why) => format!(
                        "Re-addressed: {} → {}: {why}",
                        r.addressee_name, next.addressee_name
                    ),
                    None => format!(
                        "Re-addressed: {} → {}",
                        r.addressee_name, next.addressee_name
                    ),
                }),
                audit_id: Some(r.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        self.after_commit([a.account.id, r.addressee_account_id]);
        Ok(next)
    }
}
