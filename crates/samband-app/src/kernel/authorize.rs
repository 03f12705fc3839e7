//! Asking the one access policy ([`crate::policy`]) inside a use case's transaction,
//! and recording a refusal: a denial is audited and committed before the use case
//! answers, and answered as *not found* unless the caller may already see the record.

use super::{Facts, TxBox};
use crate::policy::{self, AccessFacts, Decision, DenyReason, Detail, Object, Operation, Purpose};
use crate::{App, AppError, Ctx};
use samband_domain::consent::Category;
use samband_domain::ids::PatientId;
use samband_domain::principal::Subject;

impl App {
    pub(crate) fn decide(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Decision {
        self.decide_in(ctx, patient, facts, op, object, object.category(), detail)
    }

    /// As [`Self::decide`] for an object that carries its own category (a thread).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide_in(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        category: Category,
        detail: Detail,
    ) -> Decision {
        let access = AccessFacts {
            principal: &ctx.principal,
            patient,
            membership: facts.membership,
            consent: &facts.consent,
            defaults: &self.config.consent_defaults,
            today: self.today(),
            emergency: facts.emergency,
        };
        policy::decide_in(&access, op, object, category, detail)
    }

    /// Asks the policy; on denial records the refusal, commits it and answers NotFound
    /// (a denial never reveals whether the patient exists).
    pub(crate) async fn authorize(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Result<(TxBox, Purpose), AppError> {
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        self.authorize_with(tx, ctx, patient, &facts, op, object, detail)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn authorize_with(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Result<(TxBox, Purpose), AppError> {
        self.authorize_in(
            tx,
            ctx,
            patient,
            facts,
            op,
            object,
            object.category(),
            detail,
        )
        .await
    }

    /// As [`Self::authorize_with`] for an object that carries its own category.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn authorize_in(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        category: Category,
        detail: Detail,
    ) -> Result<(TxBox, Purpose), AppError> {
        match self.decide_in(ctx, patient, facts, op, object, category, detail) {
            Decision::Permit(purpose) => Ok((tx, purpose)),
            Decision::Deny(reason) => {
                tracing::info!(patient.id = %patient, ?reason, object = object.as_str(), "access denied");
                let entry = self.audit_entry(
                    ctx,
                    Some(patient),
                    object,
                    None,
                    "deny",
                    &format!("{reason:?}"),
                );
                tx.append_audit(&entry).await?;
                tx.commit().await?;
                // Only callers who may already see the record learn that it exists.
                Err(match reason {
                    // A team member refused one category still sees the record exists.
                    DenyReason::NoConsent if category != Category::PlanAndActions => {
                        AppError::Forbidden
                    }
                    DenyReason::ReadOnlyToken
                    | DenyReason::PatientMayNotEdit
                    | DenyReason::EmergencyReadOnly
                    | DenyReason::ConsentIsThePatients
                    | DenyReason::PatientOnly
                    | DenyReason::NotAddressed
                    // Reached only by those who may see the record (own, team, emergency).
                    | DenyReason::TeamProfessionalsOnly
                    | DenyReason::NotThePatient => AppError::Forbidden,
                    _ => AppError::NotFound,
                })
            }
        }
    }

    /// Asks the policy without recording a denial (for optional parts of a page).
    pub(crate) fn permits(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Option<Purpose> {
        match self.decide(ctx, patient, facts, op, object, detail) {
            Decision::Permit(p) => Some(p),
            Decision::Deny(_) => None,
        }
    }
    /// [`crate::policy::decide_unbound`] for `ctx`, with a denial audited.
    pub(crate) async fn authorize_unbound(
        &self,
        ctx: &Ctx,
        op: Operation,
    ) -> Result<Purpose, AppError> {
        match crate::policy::decide_unbound(&ctx.principal, op) {
            Decision::Permit(p) => Ok(p),
            Decision::Deny(reason) => {
                let entry = self.audit_entry(
                    ctx,
                    None,
                    Object::Patient,
                    None,
                    "deny",
                    &format!("{reason:?}"),
                );
                let mut tx = self.store.begin_read().await?;
                tx.append_audit(&entry).await?;
                tx.commit().await?;
                Err(AppError::Forbidden)
            }
        }
    }

    pub(crate) fn require_admin(&self, ctx: &Ctx) -> Result<(), AppError> {
        match ctx.principal.subject {
            Subject::Admin if ctx.principal.scopes.write => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    pub(crate) fn require_staff(&self, ctx: &Ctx) -> Result<(), AppError> {
        match ctx.principal.subject {
            Subject::Admin | Subject::Professional(_) if ctx.principal.scopes.read => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }
}
