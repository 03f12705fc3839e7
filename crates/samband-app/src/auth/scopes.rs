//! The scope rule for every write on a token-authenticated surface.

use super::Auth;
use crate::auth::accounts::audit;
use crate::{AppError, Ctx};

impl Auth<'_> {
    /// The scope rule for every write on a token-authenticated surface, decided before
    /// any use case runs: a token without `write` may change nothing. The refusal is
    /// audited like every other denial.
    pub async fn require_write_scope(&self, ctx: &Ctx, route: &str) -> Result<(), AppError> {
        if ctx.principal.scopes.write {
            return Ok(());
        }
        let mut entry = audit(
            self.clock.now(),
            Some(ctx.principal.account_id),
            "deny",
            ctx.request_id.clone(),
        );
        entry.object_type = "route".into();
        entry.object_id = Some(route.to_owned());
        entry.purpose = "ReadOnlyToken".into();
        let mut tx = self.store.begin().await?;
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        Err(AppError::Forbidden)
    }
}
