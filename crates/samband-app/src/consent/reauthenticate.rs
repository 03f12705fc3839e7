//! Re-entering one's password before an act that needs it (transcribing a paper
//! consent, emergency access).

use super::Consents;
use crate::{AppError, Ctx};
use samband_domain::ValidationErrors;

impl Consents<'_> {
    /// Checks the signed-in user's password again before a sensitive action.
    pub async fn reauthenticate(&self, ctx: &Ctx, password: &str) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        let account = tx
            .get_account(ctx.principal.account_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        drop(tx);
        if crate::auth::verify_password(password, account.password_hash.expose()) {
            Ok(())
        } else {
            Err(
                ValidationErrors::single("password", "reauth_failed", "the password is not right")
                    .into(),
            )
        }
    }
}
