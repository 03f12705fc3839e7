//! Ending an enrolment: the pathway is over for this patient today. Its reminders go
//! quiet (they check `ended_on`), its milestones stay as they were. A collaborative-care
//! episode (a template that `closes_with_relapse_plan`) ends only with an agreed
//! relapse-prevention plan.

use super::EnrolmentView;
use super::Pathways;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::ValidationErrors;

impl Pathways<'_> {
    pub async fn end_enrolment(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: EnrolmentId,
        expected_version: i64,
    ) -> Result<EnrolmentView, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::Pathway,
                Detail::None,
            )
            .await?;
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
        if old.ended_on.is_some() {
            return Err(ValidationErrors::single(
                "ended_on",
                "already_ended",
                "this pathway has ended already",
            )
            .into());
        }
        let template = self
            .template(&mut tx, &old.template_key, Some(old.template_version))
            .await?
            .ok_or_else(|| AppError::Internal("the enrolment's template version is gone".into()))?;
        if template.closes_with_relapse_plan {
            self.plan()
                .require_agreed_relapse_plan(&mut tx, patient, "relapse_plan")
                .await?;
        }
        let mut next = old.clone();
        next.ended_on = Some(self.today());
        let saved = tx.update_enrolment(&next, expected_version).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    tx.get_enrolment(patient, id)
                        .await?
                        .ok_or(AppError::NotFound)
                })
            })
            .await?;
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
                reason: Some("pathway ended".into()),
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(EnrolmentView::of(next, &template, self.today()))
    }
}
