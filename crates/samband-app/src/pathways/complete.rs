//! Completing a milestone occurrence by hand, with a note saying why.

use super::EnrolmentView;
use super::Pathways;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::pathway::ManualCompletionInput;

impl Pathways<'_> {
    /// Records `input` on the enrolment at `expected_version`; a stale version is
    /// answered with the current enrolment, as every versioned change is.
    pub async fn complete_by_hand(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: EnrolmentId,
        input: &ManualCompletionInput,
        expected_version: i64,
    ) -> Result<EnrolmentView, AppError> {
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Update,
                Object::Pathway,
                Detail::None,
            )
            .await?;
        let member = facts
            .membership
            .map(|m| m.member_id)
            .ok_or(AppError::Forbidden)?;
        let old = tx
            .get_enrolment(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let at = Versioned {
            patient,
            object: Object::Pathway,
            id: id.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let template = self
            .template(&mut tx, &old.template_key, Some(old.template_version))
            .await?
            .ok_or_else(|| AppError::Internal("the enrolment's template version is gone".into()))?;
        let completion = input.validate(&old, &template, member, self.today())?;
        let saved = tx
            .complete_milestone(id, &completion, expected_version)
            .await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    tx.get_enrolment(patient, id)
                        .await?
                        .ok_or(AppError::NotFound)
                })
            })
            .await?;
        let mut next = old.clone();
        next.completions.push(completion);
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Pathway,
                id: id.to_string(),
                version,
                old: Some(&old),
                new: &next,
                reason: None,
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(EnrolmentView::of(next, &template, self.today()))
    }
}
