//! Acknowledging an alert: a professional on the patient's team says what was done
//! (contacted, plan changed, or no action with a reason), under the alert's version
//! (If-Match). Acknowledged, the alert's deadline job finds nothing to escalate.

use super::{AlertView, Signals};
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::signal::{AckInput, Acknowledgement, Alert};

impl Signals<'_> {
    pub async fn acknowledge(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: AlertId,
        input: &AckInput,
        expected_version: i64,
    ) -> Result<AlertView, AppError> {
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Update,
                Object::Alert,
                Detail::None,
            )
            .await?;
        let me = facts
            .membership
            .map(|m| m.member_id)
            .ok_or(AppError::Forbidden)?;
        let old = tx.get_alert(patient, id).await?.ok_or(AppError::NotFound)?;
        let at = Versioned {
            patient,
            object: Object::Alert,
            id: id.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let (outcome, note) = input.parse()?;
        let mut next = old.acknowledge(Acknowledgement {
            by: me,
            at: self.clock.now(),
            outcome,
            note,
        })?;
        let saved = tx.update_alert(&next, expected_version).await;
        let (mut tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_alert(patient, id).await?.ok_or(AppError::NotFound) })
            })
            .await?;
        next.version = version;
        self.event(
            &mut tx,
            &next,
            "acknowledged",
            Some(me),
            serde_json::json!({ "outcome": outcome }),
        )
        .await?;
        let view = self.view_of(&mut tx, &next).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Alert,
                id: id.to_string(),
                version,
                old: Some(&old),
                new: &next,
                reason: Some(format!("alert acknowledged: {}", outcome.as_str())),
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(view)
    }
}

impl crate::kernel::versioned::HasVersion for Alert {
    fn version(&self) -> i64 {
        self.version
    }
}
