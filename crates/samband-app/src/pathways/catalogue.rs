//! Which templates a patient can be enrolled on: the shipped ones and, for each key the
//! deployment added, its newest stored version.

use super::Pathways;
use crate::kernel::TxBox;
use crate::{AppError, Ctx};
use samband_domain::pathway::catalogue::shipped;
use samband_domain::pathway::{AnchorKind, Localised, PathwayTemplate};
use serde::Serialize;
use std::sync::LazyLock;

/// The shipped templates, validated once. They are validated by the domain's tests on
/// every build, so a failure here is a build defect; it is still reported, not hidden.
static SHIPPED: LazyLock<Result<Vec<PathwayTemplate>, String>> =
    LazyLock::new(|| shipped().map_err(|(file, e)| format!("{file}: {e}")));

fn shipped_templates() -> Result<&'static [PathwayTemplate], AppError> {
    SHIPPED
        .as_deref()
        .map_err(|e| AppError::Internal(format!("a shipped pathway template is invalid: {e}")))
}

/// One template as the catalogue lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateSummary {
    pub key: String,
    pub version: u32,
    pub title: Localised,
    pub summary: Localised,
    pub anchor: AnchorKind,
    pub milestones: usize,
    /// Shipped with Samband (cloned, never edited in place) or the deployment's own.
    pub shipped: bool,
}

impl TemplateSummary {
    pub(crate) fn of(t: &PathwayTemplate, shipped: bool) -> Self {
        TemplateSummary {
            key: t.key.clone(),
            version: t.version,
            title: t.title.clone(),
            summary: t.summary.clone(),
            anchor: t.anchor,
            milestones: t.milestones().count(),
            shipped,
        }
    }
}

impl Pathways<'_> {
    /// Every template: shipped first, then the deployment's (their newest versions).
    pub(crate) async fn all_templates(
        &self,
        tx: &mut TxBox,
    ) -> Result<Vec<(PathwayTemplate, bool)>, AppError> {
        let mut out: Vec<(PathwayTemplate, bool)> = shipped_templates()?
            .iter()
            .cloned()
            .map(|t| (t, true))
            .collect();
        let stored = tx.list_stored_templates().await?;
        // Newest version per key: the list is ordered by key, then version.
        for s in stored.iter().rev() {
            if out.iter().any(|(t, _)| t.key == s.key) {
                continue;
            }
            let t = PathwayTemplate::from_toml("template", &s.source).map_err(|e| {
                AppError::Internal(format!("stored pathway template {} is invalid: {e}", s.key))
            })?;
            out.push((t, false));
        }
        Ok(out)
    }

    /// The template `key` at `version`, or at its newest when `version` is `None`.
    pub(crate) async fn template(
        &self,
        tx: &mut TxBox,
        key: &str,
        version: Option<u32>,
    ) -> Result<Option<PathwayTemplate>, AppError> {
        if let Some(t) = shipped_templates()?.iter().find(|t| t.key == key) {
            return Ok((version.is_none_or(|v| v == t.version)).then(|| t.clone()));
        }
        let stored = tx.list_stored_templates().await?;
        let found = stored
            .iter()
            .filter(|s| s.key == key && version.is_none_or(|v| v == s.version))
            .max_by_key(|s| s.version);
        found
            .map(|s| {
                PathwayTemplate::from_toml("template", &s.source).map_err(|e| {
                    AppError::Internal(format!("stored pathway template {key} is invalid: {e}"))
                })
            })
            .transpose()
    }

    /// The catalogue, for professionals and administrators.
    pub async fn templates(&self, ctx: &Ctx) -> Result<Vec<TemplateSummary>, AppError> {
        self.require_staff(ctx)?;
        let mut tx = self.store.begin_read().await?;
        let all = self.all_templates(&mut tx).await?;
        tx.commit().await?;
        Ok(all
            .iter()
            .map(|(t, s)| TemplateSummary::of(t, *s))
            .collect())
    }

    /// One template in full (its milestones and their windows), for staff.
    pub async fn template_detail(&self, ctx: &Ctx, key: &str) -> Result<PathwayTemplate, AppError> {
        self.require_staff(ctx)?;
        let mut tx = self.store.begin_read().await?;
        let t = self.template(&mut tx, key, None).await?;
        tx.commit().await?;
        t.ok_or(AppError::NotFound)
    }
}
