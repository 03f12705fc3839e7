//! Following a patient: notices about their record without being addressed.

use super::Notifications;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_store::Follow;
use serde::Serialize;

/// A patient the person follows, named if the policy still allows it.
#[derive(Debug, Clone, Serialize)]
pub struct FollowView {
    pub patient_id: PatientId,
    pub patient_name: Option<String>,
    pub since: DateTime<Utc>,
}

impl Notifications<'_> {
    /// Starts "ongoing information" about a patient: a daily digest of the changes this
    /// person may see. Only team members (who may read the plan) can follow.
    pub async fn follow(&self, ctx: &Ctx, patient: PatientId) -> Result<(), AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::PlanHeader,
                Detail::Follow,
            )
            .await?;
        let now = self.clock.now();
        tx.follow(&Follow {
            account_id: ctx.principal.account_id,
            patient_id: patient,
            since: now,
            digested_until: now,
        })
        .await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::PlanHeader,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unfollow(&self, ctx: &Ctx, patient: PatientId) -> Result<(), AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, _) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::PlanHeader,
                Detail::Follow,
            )
            .await?;
        tx.unfollow(ctx.principal.account_id, patient).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn is_following(&self, ctx: &Ctx, patient: PatientId) -> Result<bool, AppError> {
        let mut tx = self.store.begin_read().await?;
        let f = tx.list_follows(Some(ctx.principal.account_id)).await?;
        tx.commit().await?;
        Ok(f.iter().any(|f| f.patient_id == patient))
    }
}
