//! Enrolling a patient on a pathway from an anchor date.

use super::Pathways;
use crate::kernel::Change;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::pathway::{Enrolment, EnrolmentInput};
use samband_domain::ValidationErrors;

use super::EnrolmentView;

impl Pathways<'_> {
    /// Enrols the patient on the newest version of `input.template_key`, counted from
    /// `input.anchor_date`. A professional on the team with the plan's consent; the
    /// enrolment and its history row are one change.
    pub async fn enrol(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &EnrolmentInput,
    ) -> Result<EnrolmentView, AppError> {
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Create,
                Object::Pathway,
                Detail::None,
            )
            .await?;
        let member = facts
            .membership
            .map(|m| m.member_id)
            .ok_or(AppError::Forbidden)?;
        let mut errs = ValidationErrors::new();
        let anchor = errs.take(input.anchor(self.today()));
        let key = input.template_key.trim();
        let template = if key.is_empty() {
            errs.add("template_key", "required", "choose a pathway");
            None
        } else {
            let t = self.template(&mut tx, key, None).await?;
            if t.is_none() {
                errs.add(
                    "template_key",
                    "unknown_pathway",
                    "there is no such pathway",
                );
            }
            t
        };
        let (Some(anchor), Some(template)) = (anchor, template) else {
            return Err(errs.into());
        };
        errs.into_result()?;
        let already = tx.list_enrolments(patient).await?;
        if already
            .iter()
            .any(|e| e.template_key == template.key && e.ended_on.is_none())
        {
            return Err(ValidationErrors::single(
                "template_key",
                "already_enrolled",
                "the patient is already on this pathway",
            )
            .into());
        }
        let e = Enrolment {
            id: EnrolmentId::new(),
            patient_id: patient,
            template_key: template.key.clone(),
            template_version: template.version,
            anchor_date: anchor,
            enrolled_by: member,
            ended_on: None,
            completions: Vec::new(),
            version: 1,
        };
        tx.insert_enrolment(&e, self.clock.now()).await?;
        self.start_default_actions(&mut tx, ctx, &e, &template)
            .await?;
        self.schedule_milestone_jobs(&mut tx, &e, &template).await?;
        self.monitoring()
            .schedules_for_enrolment(&mut tx, ctx, &e, &template)
            .await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Pathway,
                id: e.id.to_string(),
                version: 1,
                old: None::<&Enrolment>,
                new: &e,
                reason: None,
                audit_id: Some(e.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(EnrolmentView::of(e, &template, self.today()))
    }
}
