//! Audit entries: who read or changed what about which patient, for which purpose,
//! in which request. Appended in the same transaction as the access they record.

use super::TxBox;
use crate::policy::{Object, Operation, Purpose};
use crate::{App, AppError, Ctx};
use samband_domain::ids::PatientId;
use samband_store::AuditEntry;
use uuid::Uuid;

impl App {
    pub(crate) fn audit_entry(
        &self,
        ctx: &Ctx,
        patient: Option<PatientId>,
        object: Object,
        object_id: Option<String>,
        action: &str,
        purpose: &str,
    ) -> AuditEntry {
        AuditEntry {
            id: Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: Some(ctx.principal.account_id),
            patient_id: patient,
            object_type: object.as_str().into(),
            object_id,
            action: action.into(),
            purpose: purpose.into(),
            request_id: ctx.request_id.clone(),
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site shape: who, whose, what, how, why
    pub(crate) async fn audit(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        object: Object,
        object_id: Option<String>,
        op: Operation,
        purpose: Purpose,
    ) -> Result<(), AppError> {
        let e = self.audit_entry(
            ctx,
            Some(patient),
            object,
            object_id,
            op.as_str(),
            purpose.as_str(),
        );
        tx.append_audit(&e).await?;
        Ok(())
    }
}
