//! A patient's signal thresholds: read and changed by professionals on the team who
//! may read the patient's alerts, under a version (0 while the defaults apply), with
//! a history row. The safety threshold can be tuned but never switched off
//! (`Thresholds::validate`).

use super::Signals;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::signal::Thresholds;
use serde::Serialize;

/// The thresholds in force and their version (0: the defaults, never changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ThresholdsView {
    pub thresholds: Thresholds,
    pub version: i64,
}

impl crate::kernel::versioned::HasVersion for ThresholdsView {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Signals<'_> {
    pub async fn thresholds(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<ThresholdsView, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Alert,
                Detail::None,
            )
            .await?;
        let view = match tx.get_thresholds(patient).await? {
            Some((thresholds, version)) => ThresholdsView {
                thresholds,
                version,
            },
            None => ThresholdsView {
                thresholds: Thresholds::default(),
                version: 0,
            },
        };
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Alert,
            Some("thresholds".into()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn set_thresholds(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        next: &Thresholds,
        expected_version: i64,
    ) -> Result<ThresholdsView, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::Alert,
                Detail::None,
            )
            .await?;
        if !matches!(
            ctx.principal.subject,
            samband_domain::principal::Subject::Professional(_)
        ) {
            return Err(AppError::Forbidden);
        }
        let old = match tx.get_thresholds(patient).await? {
            Some((thresholds, version)) => ThresholdsView {
                thresholds,
                version,
            },
            None => ThresholdsView {
                thresholds: Thresholds::default(),
                version: 0,
            },
        };
        let id = format!("thresholds:{patient}");
        let at = Versioned {
            patient,
            object: Object::Alert,
            id: id.clone(),
            purpose,
        };
        let tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        next.validate()?;
        let mut tx = tx;
        let saved = tx
            .save_thresholds(patient, next, self.clock.now(), expected_version)
            .await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    let (thresholds, version) = tx
                        .get_thresholds(patient)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    Ok(ThresholdsView {
                        thresholds,
                        version,
                    })
                })
            })
            .await?;
        let view = ThresholdsView {
            thresholds: *next,
            version,
        };
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Alert,
                id: id.clone(),
                version,
                old: Some(&old),
                new: &view,
                reason: Some("signal thresholds changed".into()),
                audit_id: Some(id),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(view)
    }
}
