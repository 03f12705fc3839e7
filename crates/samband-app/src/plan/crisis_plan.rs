//! The crisis plan: warning signs, what helps, whom to call.

use super::Plan;
use crate::kernel::versioned::parse_reason;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::plan::*;

impl Plan<'_> {
    pub async fn update_crisis_plan(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &CrisisPlanInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<CrisisPlan, AppError> {
        let reason = parse_reason(reason)?;
        let mut tx = self.store.begin().await?;
        let stored = tx
            .get_crisis_plan(patient)
            .await?
            .unwrap_or_else(|| CrisisPlan::empty(patient));
        let detail = if input.touches_only_what_helps(&stored) {
            Detail::CrisisWhatHelps
        } else {
            Detail::None
        };
        let (tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::CrisisPlan,
                detail,
            )
            .await?;
        let old = stored;
        let at = Versioned {
            patient,
            object: Object::CrisisPlan,
            id: patient.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let mut next = input.apply(&old)?;
        next.updated_at = Some(self.clock.now());
        let saved = tx.save_crisis_plan(&next, expected_version).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    Ok::<_, AppError>(
                        tx.get_crisis_plan(patient)
                            .await?
                            .unwrap_or_else(|| CrisisPlan::empty(patient)),
                    )
                })
            })
            .await?;
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::CrisisPlan,
                id: patient.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason,
                audit_id: None,
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }
}
