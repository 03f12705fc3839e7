//! The review of emergency access by the privacy officer.

use super::Consents;
use crate::consent::access_log::describe_actor;
use crate::paging::{self, Page, PageParams};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::ProfessionalId;
use samband_domain::principal::Subject;
use samband_store::{EmergencyGrant, Tx};
use uuid::Uuid;

/// An emergency-access event awaiting review, with who used it.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub grant: EmergencyGrant,
    pub who: String,
    pub role: String,
    pub organisation: Option<String>,
}

impl Consents<'_> {
    /// Whose share of the open grants the principal reviews: `None` for an
    /// administrator (every grant), their professional id for a privacy officer (grants
    /// used by people in their organisations); nobody else reviews.
    async fn review_share(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
    ) -> Result<Option<ProfessionalId>, AppError> {
        match ctx.principal.subject {
            Subject::Admin => Ok(None),
            Subject::Professional(me) => {
                let account = tx
                    .get_account(ctx.principal.account_id)
                    .await?
                    .ok_or(AppError::Unauthenticated)?;
                if account.privacy_officer {
                    Ok(Some(me))
                } else {
                    Err(AppError::Forbidden)
                }
            }
            Subject::Patient(_) | Subject::Proxy { .. } => Err(AppError::Forbidden),
        }
    }

    /// One page of the emergency-access events awaiting review, newest first, metadata
    /// only, each with who used it (name, title, organisation): every event for
    /// administrators, those by people in their organisations for a privacy officer.
    /// The share is decided in the database, so a page costs the same however many
    /// events other organisations have.
    pub async fn emergency_review_page(
        &self,
        ctx: &Ctx,
        page: &PageParams,
    ) -> Result<Page<ReviewItem>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("emergency_review", page)?;
        let mut tx = self.store.begin_read().await?;
        let share = self.review_share(&mut tx, ctx).await?;
        let rows = tx.emergency_review_page(share, &req.probe()).await?;
        let (grants, next) = req.cut(rows, |g| (g.started_at, g.id));
        let total = tx.count_emergency_review(share).await?;
        let mut out = Vec::with_capacity(grants.len());
        for grant in grants {
            let (who, role, organisation) = describe_actor(&mut tx, grant.account_id).await?;
            out.push(ReviewItem {
                grant,
                who,
                role,
                organisation,
            });
        }
        tx.commit().await?;
        Ok(req.page(out, next, total))
    }

    /// Marks an event reviewed; only an open event in the reviewer's share can be
    /// (another's is `NotFound`, as if it did not exist).
    pub async fn mark_emergency_reviewed(&self, ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
        if !ctx.principal.scopes.write {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        let share = self.review_share(&mut tx, ctx).await?;
        if tx.emergency_for_review(id, share).await?.is_none() {
            return Err(AppError::NotFound);
        }
        tx.mark_emergency_reviewed(id, ctx.principal.account_id, self.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
