//! The review of emergency access by the privacy officer.

use super::Consents;
use crate::consent::access_log::describe_actor;
use crate::{AppError, Ctx};
use samband_domain::principal::Subject;
use samband_store::EmergencyGrant;
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
    /// Emergency-access events awaiting review, metadata only: all of them for
    /// administrators; for a privacy officer, those by people in their organisation.
    pub async fn emergency_to_review(&self, ctx: &Ctx) -> Result<Vec<EmergencyGrant>, AppError> {
        let mut tx = self.store.begin_read().await?;
        let open = tx.list_emergency(None, true).await?;
        match ctx.principal.subject {
            Subject::Admin => Ok(open),
            Subject::Professional(me) => {
                let account = tx
                    .get_account(ctx.principal.account_id)
                    .await?
                    .ok_or(AppError::Unauthenticated)?;
                if !account.privacy_officer {
                    return Err(AppError::Forbidden);
                }
                let my_orgs = tx
                    .get_professional(me)
                    .await?
                    .map(|p| p.organisation_ids)
                    .unwrap_or_default();
                let mut mine = Vec::new();
                for g in open {
                    let theirs = match tx
                        .get_account(g.account_id)
                        .await?
                        .and_then(|a| a.professional_id)
                    {
                        Some(p) => tx
                            .get_professional(p)
                            .await?
                            .map(|p| p.organisation_ids)
                            .unwrap_or_default(),
                        None => Vec::new(),
                    };
                    if theirs.iter().any(|o| my_orgs.contains(o)) {
                        mine.push(g);
                    }
                }
                Ok(mine)
            }
            Subject::Patient(_) | Subject::Proxy { .. } => Err(AppError::Forbidden),
        }
    }

    /// The review list with each professional's name, title and organisation.
    pub async fn emergency_review_list(&self, ctx: &Ctx) -> Result<Vec<ReviewItem>, AppError> {
        let grants = self.emergency_to_review(ctx).await?;
        let mut tx = self.store.begin().await?;
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
        Ok(out)
    }

    pub async fn mark_emergency_reviewed(&self, ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
        if !ctx.principal.scopes.write {
            return Err(AppError::Forbidden);
        }
        // Only an event this reviewer may see can be marked.
        if !self
            .emergency_to_review(ctx)
            .await?
            .iter()
            .any(|g| g.id == id)
        {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin().await?;
        tx.mark_emergency_reviewed(id, ctx.principal.account_id, self.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
