//! Absence periods of professionals, with a named deputy: recorded and ended early by
//! the professional themself or an administrator, read by any signed-in professional
//! (who is away is what colleagues need to know). Signals are routed around them.

use super::Directory;
use crate::error::ConflictInfo;
use crate::{AppError, Ctx};
use samband_domain::absence::{Absence, AbsenceInput};
use samband_domain::ids::*;
use samband_domain::principal::Subject;

impl Directory<'_> {
    fn may_manage_absences(&self, ctx: &Ctx, who: ProfessionalId) -> Result<(), AppError> {
        match ctx.principal.subject {
            Subject::Admin => Ok(()),
            Subject::Professional(p) if p == who => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    pub async fn record_absence(
        &self,
        ctx: &Ctx,
        who: ProfessionalId,
        input: &AbsenceInput,
    ) -> Result<Absence, AppError> {
        self.may_manage_absences(ctx, who)?;
        let mut tx = self.store.begin().await?;
        if tx.get_professional(who).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let existing = tx.list_absences(who).await?;
        // A deputy is an active professional: in the directory with an account that
        // is not disabled (someone who can sign in and answer).
        let deputy_active = match input.deputy {
            Some(d) => tx
                .account_for_professional(d)
                .await?
                .is_some_and(|a| !a.disabled),
            None => false,
        };
        let fields = input.parse(who, self.today(), &existing, &|_| deputy_active)?;
        let a = Absence {
            id: AbsenceId::new(),
            professional_id: who,
            from: fields.from,
            to: fields.to,
            deputy: fields.deputy,
            note: fields.note,
            ended_on: None,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_absence(&a).await?;
        tx.append_audit(&self.directory_audit(Some(ctx), "absence", a.id.to_string(), "create"))
            .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Ends an absence early (back today), at `expected_version`.
    pub async fn end_absence(
        &self,
        ctx: &Ctx,
        id: AbsenceId,
        expected_version: i64,
    ) -> Result<Absence, AppError> {
        let mut tx = self.store.begin().await?;
        let old = tx.get_absence(id).await?.ok_or(AppError::NotFound)?;
        self.may_manage_absences(ctx, old.professional_id)?;
        let stale = |current: &Absence| {
            AppError::Conflict(Box::new(ConflictInfo {
                current_version: current.version,
                current: serde_json::to_value(current).unwrap_or_default(),
                changed_by: None,
                changed_at: None,
            }))
        };
        if old.version != expected_version {
            return Err(stale(&old));
        }
        let mut next = old.end_early(self.today())?;
        match tx.update_absence(&next, expected_version).await {
            Ok(v) => next.version = v,
            Err(samband_store::StoreError::Conflict(_)) => {
                let current = tx.get_absence(id).await?.ok_or(AppError::NotFound)?;
                return Err(stale(&current));
            }
            Err(e) => return Err(e.into()),
        }
        tx.append_audit(&self.directory_audit(Some(ctx), "absence", id.to_string(), "update"))
            .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// A professional's absences, by first day.
    pub async fn absences(&self, ctx: &Ctx, who: ProfessionalId) -> Result<Vec<Absence>, AppError> {
        self.require_staff(ctx)?;
        let mut tx = self.store.begin_read().await?;
        let list = tx.list_absences(who).await?;
        tx.commit().await?;
        Ok(list)
    }
}
