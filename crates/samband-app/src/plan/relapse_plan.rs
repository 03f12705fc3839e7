//! The relapse-prevention plan: co-written with the patient (the patient writes their
//! own words, the team its part), versioned, and what a collaborative-care episode
//! needs agreed before it ends or goes to the GP.

use super::Plan;
use crate::kernel::versioned::parse_reason;
use crate::kernel::{Change, TxBox, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::relapse::*;

impl Plan<'_> {
    /// The patient's plan (an empty draft at version 0 when none is written yet).
    pub async fn relapse_plan(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<RelapsePlan, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::RelapsePlan,
                Detail::None,
            )
            .await?;
        let plan = tx
            .get_relapse_plan(patient)
            .await?
            .unwrap_or_else(|| RelapsePlan::empty(patient));
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::RelapsePlan,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// The early warning signs in the patient's words, in the plan's order, with what
    /// the team does at each: the list the deterioration signal offers the patient to
    /// tick, and reads when one is ticked. Read through the policy and audited like the
    /// plan itself.
    pub async fn relapse_warning_signs(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<WarningSign>, AppError> {
        Ok(self.relapse_plan(ctx, patient).await?.signs)
    }

    /// None, draft or agreed (with the day) — for one patient, through the policy.
    pub async fn relapse_state(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<RelapseState, AppError> {
        let plan = self.relapse_plan(ctx, patient).await?;
        Ok(plan.state())
    }

    /// The states of a page of patients in one statement, inside the caller's
    /// transaction. For a list use case (the caseload registry) that has already asked
    /// the policy, per patient, for `Operation::List` or `Read` on
    /// `Object::RelapsePlan` and audits what it shows: this only reads.
    pub(crate) async fn relapse_states_in(
        &self,
        tx: &mut TxBox,
        patients: &[PatientId],
    ) -> Result<Vec<(PatientId, RelapseState)>, AppError> {
        Ok(tx.relapse_states(patients).await?)
    }

    /// Refuses, at `field`, a step that needs an agreed relapse-prevention plan. The
    /// refusal says only that the plan is not agreed, never what it holds.
    pub(crate) async fn require_agreed_relapse_plan(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
        field: &str,
    ) -> Result<(), AppError> {
        let plan = tx.get_relapse_plan(patient).await?;
        if RelapseState::of(plan.as_ref()).is_agreed() {
            Ok(())
        } else {
            Err(not_agreed(field).into())
        }
    }

    /// Saves `input` at `expected_version`. The patient may change only their own
    /// words (the policy's `RelapsePatientWords`); professionals on the team the rest,
    /// and they record the agreement.
    pub async fn update_relapse_plan(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &RelapsePlanInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<RelapsePlan, AppError> {
        let reason = parse_reason(reason)?;
        let mut tx = self.store.begin().await?;
        let stored = tx
            .get_relapse_plan(patient)
            .await?
            .unwrap_or_else(|| RelapsePlan::empty(patient));
        let detail = if input.touches_only_patient_words(&stored) {
            Detail::RelapsePatientWords
        } else {
            Detail::None
        };
        let (tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::RelapsePlan,
                detail,
            )
            .await?;
        let old = stored;
        let at = Versioned {
            patient,
            object: Object::RelapsePlan,
            id: patient.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let team = self.team().load(&mut tx, patient).await?;
        let mut next = input.apply(&old, &team, self.today())?;
        next.updated_at = Some(self.clock.now());
        let saved = tx.save_relapse_plan(&next, expected_version).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    Ok::<_, AppError>(
                        tx.get_relapse_plan(patient)
                            .await?
                            .unwrap_or_else(|| RelapsePlan::empty(patient)),
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
                object: Object::RelapsePlan,
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
