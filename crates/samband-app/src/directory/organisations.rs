//! Organisations in the directory (administrators create them, staff list them).

use super::Directory;
use crate::paging::{self, Page, PageParams};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::organisation::{NewOrganisation, Organisation};

impl Directory<'_> {
    pub async fn create_organisation(
        &self,
        ctx: &Ctx,
        name: &str,
        sector: &str,
        country: Option<&str>,
    ) -> Result<Organisation, AppError> {
        self.require_admin(ctx)?;
        let new = NewOrganisation::parse(name, sector, country)?;
        let org = Organisation {
            id: OrganisationId::new(),
            name: new.name,
            sector: new.sector,
            country: new.country,
            version: 1,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_organisation(&org).await?;
        tx.append_audit(&self.directory_audit(
            Some(ctx),
            "organisation",
            org.id.to_string(),
            "create",
        ))
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn list_organisations(&self, ctx: &Ctx) -> Result<Vec<Organisation>, AppError> {
        self.require_staff(ctx)?;
        let mut tx = self.store.begin_read().await?;
        Ok(tx.list_organisations().await?)
    }

    /// One page of the directory's organisations, by name.
    pub async fn organisations_page(
        &self,
        ctx: &Ctx,
        page: &PageParams,
    ) -> Result<Page<Organisation>, AppError> {
        self.require_staff(ctx)?;
        let req = paging::parse::<String>("organisations", page)?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx.organisations_page(&req.probe()).await?;
        let (rows, next) = req.cut(rows, |r| (r.name.clone(), r.id.as_uuid()));
        let total = tx.count_organisations().await?;
        Ok(req.page(rows, next, total))
    }
}
