//! Emergency access ("break the glass"): a time-limited grant with its reason, and
//! whether the reader's access is one right now.

use super::Consents;
use crate::kernel::Facts;
use crate::policy::Purpose;
use crate::{AppError, Ctx};
use chrono::Duration;
use samband_domain::ids::*;
use samband_domain::text::{self, LONG};
use samband_domain::ValidationErrors;
use samband_store::{AuditEntry, EmergencyGrant};
use uuid::Uuid;

/// How long an emergency-access grant lasts, at most.
pub const EMERGENCY_HOURS: i64 = 4;

/// The reasons a professional may give for emergency access (plus free text).
pub const EMERGENCY_REASONS: &[&str] = &[
    "urgent_treatment",
    "patient_unconscious",
    "threat_to_life_or_health",
    "other",
];

impl Consents<'_> {
    /// Emergency access: a professional without access (not on the team, or refused by
    /// consent) states a reason and re-enters their password, and may then read this
    /// one patient's record for at most four hours. Everything they open is logged with
    /// the purpose "emergency", shown to the patient and flagged for review.
    pub async fn break_glass(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        reason_code: &str,
        reason_text: &str,
        password: &str,
    ) -> Result<EmergencyGrant, AppError> {
        // Asking for emergency access comes before any access to the record.
        self.authorize_unbound(ctx, crate::policy::Operation::Create)
            .await?;
        let mut errs = ValidationErrors::new();
        if !EMERGENCY_REASONS.contains(&reason_code) {
            errs.add(
                "reason_code",
                "bad_choice",
                format!("must be one of: {}", EMERGENCY_REASONS.join(", ")),
            );
        }
        let text = errs.take(text::required("reason_text", reason_text, LONG));
        if text.as_ref().is_some_and(|t| t.chars().count() < 10) {
            errs.add(
                "reason_text",
                "too_short_reason",
                "describe the situation (at least 10 characters)",
            );
        }
        errs.into_result()?;
        self.reauthenticate(ctx, password).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // The patient must exist; an unknown id is answered like any other.
        if tx.get_patient(patient).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let grant = EmergencyGrant {
            id: Uuid::now_v7(),
            patient_id: patient,
            account_id: ctx.principal.account_id,
            reason_code: reason_code.to_owned(),
            reason_text: text.unwrap_or_default(),
            started_at: now,
            expires_at: now + Duration::hours(EMERGENCY_HOURS),
            reviewed_at: None,
            reviewed_by: None,
        };
        tx.insert_emergency(&grant).await?;
        tx.append_audit(&AuditEntry {
            id: Uuid::now_v7(),
            at: now,
            actor_account_id: Some(ctx.principal.account_id),
            patient_id: Some(patient),
            object_type: "emergency_access".into(),
            object_id: Some(grant.id.to_string()),
            action: "emergency_access".into(),
            purpose: Purpose::Emergency.as_str().into(),
            request_id: ctx.request_id.clone(),
        })
        .await?;
        tx.commit().await?;
        tracing::warn!(patient.id = %patient, "emergency access granted");
        Ok(grant)
    }

    /// Emergency access by a national identity number (what an emergency room has) or a
    /// Samband patient id. An unknown identifier is answered as not found.
    pub async fn break_glass_by_identifier(
        &self,
        ctx: &Ctx,
        identifier: &str,
        reason_code: &str,
        reason_text: &str,
        password: &str,
    ) -> Result<(PatientId, EmergencyGrant), AppError> {
        let raw = identifier.trim();
        let patient = match raw.parse::<PatientId>() {
            Ok(id) => Some(id),
            Err(_) => {
                let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
                if digits.len() < 10 || digits.len() > 11 {
                    return Err(ValidationErrors::single(
                        "identifier",
                        "bad_identifier",
                        "give an 11-digit national identity number (10 for CPR) or a patient id",
                    )
                    .into());
                }
                let mut tx = self.store.begin().await?;
                tx.find_patient_by_national_id(&digits).await?
            }
        };
        let patient = patient.ok_or(AppError::NotFound)?;
        let grant = self
            .break_glass(ctx, patient, reason_code, reason_text, password)
            .await?;
        Ok((patient, grant))
    }

    /// Is this principal's access to the patient an emergency grant right now?
    pub async fn is_emergency_access(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<bool, AppError> {
        let mut tx = self.store.begin_read().await?;
        let facts: Facts = self.load_facts(&mut tx, ctx, patient).await?;
        Ok(facts.emergency && facts.membership.is_none())
    }
}
