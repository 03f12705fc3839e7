//! Template administration: an administrator saves a new version of the deployment's
//! own template (a clone of a shipped one, edited as TOML). It is validated by the same
//! code as the shipped ones, so a bad window, an unknown role or evidence is a field
//! error naming its path, and nothing is stored.

use super::catalogue::TemplateSummary;
use super::Pathways;
use crate::{AppError, Ctx};
use samband_domain::pathway::PathwayTemplate;
use samband_domain::ValidationErrors;
use samband_store::StoredTemplate;

impl Pathways<'_> {
    /// A template's TOML, to clone or edit (administrators).
    pub async fn template_source(&self, ctx: &Ctx, key: &str) -> Result<String, AppError> {
        self.require_admin(ctx)?;
        let mut tx = self.store.begin_read().await?;
        let t = self.template(&mut tx, key, None).await?;
        tx.commit().await?;
        t.map(|t| t.to_toml()).ok_or(AppError::NotFound)
    }

    /// Saves `source` as a version of the deployment's own template. A shipped key
    /// cannot be overwritten (clone it under a new key); each save must raise the version.
    pub async fn save_template(
        &self,
        ctx: &Ctx,
        source: &str,
    ) -> Result<TemplateSummary, AppError> {
        self.require_admin(ctx)?;
        let t = PathwayTemplate::from_toml("source", source)?;
        let mut tx = self.store.begin().await?;
        let all = self.all_templates(&mut tx).await?;
        if let Some((existing, shipped)) = all.iter().find(|(e, _)| e.key == t.key) {
            if *shipped {
                return Err(ValidationErrors::single(
                    "key",
                    "shipped_key",
                    "a shipped template cannot be changed: give the clone a key of its own",
                )
                .into());
            }
            if t.version <= existing.version {
                return Err(ValidationErrors::single(
                    "version",
                    "version_not_newer",
                    format!("must be higher than the saved version {}", existing.version),
                )
                .into());
            }
        }
        tx.insert_stored_template(&StoredTemplate {
            key: t.key.clone(),
            version: t.version,
            source: source.to_owned(),
            created_by: ctx.principal.account_id,
            created_at: self.clock.now(),
        })
        .await?;
        // A template decides milestones and default actions for every patient enrolled
        // on it: who saved which version is part of the trail, like a directory change.
        let entry = self.directory().directory_audit(
            Some(ctx),
            "pathway_template",
            format!("{}@{}", t.key, t.version),
            "create",
        );
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        Ok(TemplateSummary::of(&t, false))
    }
}
