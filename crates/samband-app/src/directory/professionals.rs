//! Professionals in the directory.

use super::Directory;
use crate::paging::{self, Page, PageParams};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::professional::{NewProfessional, Professional};
use samband_domain::ValidationErrors;

impl Directory<'_> {
    pub async fn create_professional(
        &self,
        ctx: &Ctx,
        new: NewProfessional,
    ) -> Result<Professional, AppError> {
        self.require_admin(ctx)?;
        let mut tx = self.store.begin().await?;
        for o in &new.organisation_ids {
            if tx.get_organisation(*o).await?.is_none() {
                return Err(ValidationErrors::single(
                    "organisation_ids",
                    "unknown",
                    "no such organisation",
                )
                .into());
            }
        }
        let p = Professional {
            id: ProfessionalId::new(),
            name: new.name,
            title: new.title,
            organisation_ids: new.organisation_ids,
            phone: new.phone,
            email: new.email,
            availability: new.availability,
            version: 1,
        };
        tx.insert_professional(&p).await?;
        tx.append_audit(&self.directory_audit(
            Some(ctx),
            "professional",
            p.id.to_string(),
            "create",
        ))
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn list_professionals(&self, ctx: &Ctx) -> Result<Vec<Professional>, AppError> {
        self.require_staff(ctx)?;
        let mut tx = self.store.begin_read().await?;
        Ok(tx.list_professionals().await?)
    }

    /// One page of the directory's professionals, by name.
    pub async fn professionals_page(
        &self,
        ctx: &Ctx,
        page: &PageParams,
    ) -> Result<Page<Professional>, AppError> {
        self.require_staff(ctx)?;
        let req = paging::parse::<String>("professionals", page)?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx.professionals_page(&req.probe()).await?;
        let (rows, next) = req.cut(rows, |r| (r.name.clone(), r.id.as_uuid()));
        let total = tx.count_professionals().await?;
        Ok(req.page(rows, next, total))
    }
}
