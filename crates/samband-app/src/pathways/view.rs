//! A patient's pathways as the overview, the caseload and the patient see them.

use super::Pathways;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::NaiveDate;
use samband_domain::ids::*;
use samband_domain::pathway::{
    Enrolment, Localised, MilestoneState, MilestoneView, PathwayTemplate,
};
use serde::Serialize;

/// One enrolment with its template's words and every milestone occurrence's state today.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentView {
    pub enrolment: Enrolment,
    pub title: Localised,
    pub summary: Localised,
    pub milestones: Vec<MilestoneLine>,
    pub overdue: usize,
}

/// A milestone occurrence with the words to show it.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneLine {
    pub title: Localised,
    pub patient_text: Localised,
    #[serde(flatten)]
    pub view: MilestoneView,
}

impl EnrolmentView {
    /// The enrolment on `today`, in the words of its template (the version it started on).
    pub(crate) fn of(e: Enrolment, t: &PathwayTemplate, today: NaiveDate) -> Self {
        let milestones: Vec<MilestoneLine> = e
            .milestones(t, today)
            .into_iter()
            .filter_map(|v| {
                let m = t.milestone(&v.scheduled.milestone)?;
                Some(MilestoneLine {
                    title: m.title.clone(),
                    patient_text: m.patient_text.clone(),
                    view: v,
                })
            })
            .collect();
        let overdue = if e.ended_on.is_some() {
            0
        } else {
            milestones
                .iter()
                .filter(|m| m.view.state == MilestoneState::Overdue)
                .count()
        };
        EnrolmentView {
            enrolment: e,
            title: t.title.clone(),
            summary: t.summary.clone(),
            milestones,
            overdue,
        }
    }
}

impl Pathways<'_> {
    /// The patient's enrolments, oldest first, each with its milestones' states.
    pub async fn enrolments(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<EnrolmentView>, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Pathway,
                Detail::None,
            )
            .await?;
        let list = tx.list_enrolments(patient).await?;
        let today = self.today();
        let mut out = Vec::with_capacity(list.len());
        for e in list {
            let Some(t) = self
                .template(&mut tx, &e.template_key, Some(e.template_version))
                .await?
            else {
                return Err(AppError::Internal(format!(
                    "enrolment {} names a template version that is gone",
                    e.id
                )));
            };
            out.push(EnrolmentView::of(e, &t, today));
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Pathway,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}
