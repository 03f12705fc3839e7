//! The patient's own signals from `/me`: "I need help now" raises a safety alert (a
//! patient-reported crisis), "I notice one of my warning signs" a deterioration alert
//! naming the sign, one of those written in their crisis plan. Either way the patient
//! is then shown their crisis plan and crisis numbers (the surfaces do that), since
//! nobody watches the alerts around the clock.

use super::Signals;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::plan::CrisisPlan;
use samband_domain::principal::Subject;
use samband_domain::signal::{Reason, SignalSource};
use samband_domain::ValidationErrors;

/// What a patient's signal did.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientSignalOutcome {
    pub alert: AlertId,
    /// A new alert, or another occurrence of the one already open.
    pub new: bool,
}

/// The warning signs of a crisis plan as the patient can tick them: one per line of
/// what was written (list marks and blank lines dropped).
pub fn warning_signs(plan: &CrisisPlan) -> Vec<String> {
    plan.warning_signs
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '*', '•']).trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Signals<'_> {
    fn own_patient(ctx: &Ctx) -> Result<PatientId, AppError> {
        match ctx.principal.subject {
            Subject::Patient(p) => Ok(p),
            _ => Err(AppError::Forbidden),
        }
    }

    /// "I need help now": a safety alert (patient-reported crisis).
    pub async fn report_crisis(&self, ctx: &Ctx) -> Result<PatientSignalOutcome, AppError> {
        let patient = Self::own_patient(ctx)?;
        self.patient_signal(ctx, patient, Reason::PatientCrisis)
            .await
    }

    /// "I notice one of my warning signs": `sign` is the number (from 0) of one of the
    /// warning signs in their crisis plan ([`warning_signs`]); anything else is a field
    /// error on `sign`.
    pub async fn report_warning_sign(
        &self,
        ctx: &Ctx,
        sign: &str,
    ) -> Result<PatientSignalOutcome, AppError> {
        let patient = Self::own_patient(ctx)?;
        let mut tx = self.store.begin_read().await?;
        let plan = tx
            .get_crisis_plan(patient)
            .await?
            .unwrap_or_else(|| CrisisPlan::empty(patient));
        tx.commit().await?;
        let signs = warning_signs(&plan);
        let picked = sign
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|i| signs.get(i).cloned())
            .ok_or_else(|| {
                ValidationErrors::single("sign", "bad_choice", "choose one of your warning signs")
            })?;
        self.patient_signal(ctx, patient, Reason::WarningSign { sign: picked })
            .await
    }

    async fn patient_signal(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        reason: Reason,
    ) -> Result<PatientSignalOutcome, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, _) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Alert,
                Detail::PatientSignal,
            )
            .await?;
        let raised = self
            .raise(&mut tx, Some(ctx), patient, reason, SignalSource::Patient)
            .await?;
        tx.commit().await?;
        self.after_commit(raised.told);
        Ok(PatientSignalOutcome {
            alert: raised.alert,
            new: raised.new,
        })
    }
}
