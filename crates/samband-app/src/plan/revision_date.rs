//! The plan's next revision date (its header).

use super::Plan;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::plan::*;
use samband_domain::text;
use samband_domain::ValidationErrors;

impl Plan<'_> {
    pub async fn set_revision_date(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        raw_date: &str,
        expected_version: i64,
    ) -> Result<PlanHeader, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::PlanHeader,
                Detail::None,
            )
            .await?;
        let date = match raw_date.trim() {
            "" => None,
            raw => Some(text::date(
                "revision_date",
                raw,
                text::DateWindow::planning(self.today()),
            )?),
        };
        if date.is_some_and(|d| d < self.today()) {
            return Err(ValidationErrors::single(
                "revision_date",
                "in_past",
                "cannot be in the past",
            )
            .into());
        }
        let old = tx.get_plan_header(patient).await?.unwrap_or(PlanHeader {
            patient_id: patient,
            revision_date: None,
            version: 0,
        });
        let at = Versioned {
            patient,
            object: Object::PlanHeader,
            id: patient.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let mut next = PlanHeader {
            revision_date: date,
            ..old.clone()
        };
        let saved = tx.save_plan_header(&next, expected_version).await;
        let fallback = old.clone();
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    Ok::<_, AppError>(tx.get_plan_header(patient).await?.unwrap_or(fallback))
                })
            })
            .await?;
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::PlanHeader,
                id: patient.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason: None,
                audit_id: None,
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }
}
