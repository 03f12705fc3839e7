//! The patient's consent: one versioned document of rules, read and saved.

use super::Consents;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::consent::{Consent, ConsentSource, Recipient, RuleInput};
use samband_domain::ids::*;
use samband_domain::principal::Subject;
use samband_domain::ValidationErrors;

impl Consents<'_> {
    /// The patient's consent (patients and their team may read it).
    pub async fn current(&self, ctx: &Ctx, patient: PatientId) -> Result<Consent, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Consent,
                Detail::None,
            )
            .await?;
        let c = tx
            .get_consent(patient)
            .await?
            .unwrap_or_else(|| Consent::empty(patient));
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Consent,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Replaces the patient's consent rules if still at `expected`. A patient changes
    /// their own; a professional on the team may only record a consent given on paper,
    /// after re-entering their password.
    pub async fn save(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        rules: &[RuleInput],
        expected: i64,
        password_for_paper: Option<&str>,
    ) -> Result<Consent, AppError> {
        self.rate_limit(
            crate::ratelimit::LimitClass::Consent,
            &ctx.principal.account_id.to_string(),
        )?;
        let (source, detail) = match ctx.principal.subject {
            Subject::Patient(_) => (ConsentSource::Patient, Detail::None),
            Subject::Proxy { .. } => (ConsentSource::Proxy, Detail::None),
            _ => (ConsentSource::Paper, Detail::PaperConsent),
        };
        if source == ConsentSource::Paper {
            self.reauthenticate(ctx, password_for_paper.unwrap_or(""))
                .await?;
        }
        let mut errs = ValidationErrors::new();
        let parsed: Vec<_> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| errs.take(r.parse(&format!("rules[{i}]."), source, self.today())))
            .collect();
        if rules.len() > 500 {
            errs.add("rules", "too_many", "at most 500 rules");
        }
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(tx, ctx, patient, Operation::Update, Object::Consent, detail)
            .await?;
        for (i, r) in parsed.iter().enumerate() {
            if let Recipient::Organisation(o) = r.recipient {
                if tx.get_organisation(o).await?.is_none() {
                    errs.add(
                        &format!("rules[{i}].recipient"),
                        "unknown_recipient",
                        "no such organisation",
                    );
                }
            }
        }
        errs.into_result()?;
        let old = tx
            .get_consent(patient)
            .await?
            .unwrap_or_else(|| Consent::empty(patient));
        let at = Versioned {
            patient,
            object: Object::Consent,
            id: patient.to_string(),
            purpose,
        };
        let mut tx = self.check_version(tx, ctx, &at, &old, expected).await?;
        let mut next = Consent {
            patient_id: patient,
            rules: parsed,
            updated_at: Some(self.clock.now()),
            version: 0,
        };
        let saved = tx.save_consent(&next, expected).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    Ok::<_, AppError>(
                        tx.get_consent(patient)
                            .await?
                            .unwrap_or_else(|| Consent::empty(patient)),
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
                object: Object::Consent,
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
