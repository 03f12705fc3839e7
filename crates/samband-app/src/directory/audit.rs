//! The audit entry of a change to the directory.

use super::Directory;
use crate::Ctx;
use samband_store::AuditEntry;
use uuid::Uuid;

impl Directory<'_> {
    pub(crate) fn directory_audit(
        &self,
        ctx: Option<&Ctx>,
        object: &str,
        id: String,
        action: &str,
    ) -> AuditEntry {
        AuditEntry {
            id: Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: ctx.map(|c| c.principal.account_id),
            patient_id: None,
            object_type: object.into(),
            object_id: Some(id),
            action: action.into(),
            purpose: "administration".into(),
            request_id: ctx.and_then(|c| c.request_id.clone()),
        }
    }
}
