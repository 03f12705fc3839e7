//! Services the patient receives (what, from whom, how often).

use super::Plan;
use crate::kernel::versioned::parse_reason;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::plan::*;

impl Plan<'_> {
    pub async fn add_service(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &ServiceInput,
    ) -> Result<Service, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Service,
                Detail::None,
            )
            .await?;
        let (what, provider, frequency) = input.parse()?;
        let s = Service {
            id: ServiceId::new(),
            patient_id: patient,
            what,
            provider,
            frequency,
            version: 1,
        };
        tx.insert_service(&s).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Service,
                id: s.id.to_string(),
                version: 1,
                old: None::<&Service>,
                new: &s,
                reason: None,
                audit_id: Some(s.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(s)
    }

    pub async fn update_service(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ServiceId,
        input: &ServiceInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<Service, AppError> {
        let reason = parse_reason(reason)?;
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::Service,
                Detail::None,
            )
            .await?;
        let old = tx
            .get_service(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let at = Versioned {
            patient,
            object: Object::Service,
            id: id.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let (what, provider, frequency) = input.parse()?;
        let mut next = Service {
            what,
            provider,
            frequency,
            ..old.clone()
        };
        let saved = tx.update_service(&next, expected_version).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(
                    async move { tx.get_service(patient, id).await?.ok_or(AppError::NotFound) },
                )
            })
            .await?;
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Service,
                id: id.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason,
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }
}
