//! API tokens: issuing one (shown once), the principal behind a bearer token, listing
//! and revoking one's own.

use super::Auth;
use crate::auth::accounts::audit;
use crate::auth::principal_for;
use crate::auth::random_token;
use crate::auth::sha256_hex;
use crate::{AppError, Ctx};
use chrono::{DateTime, Duration, Utc};
use samband_domain::ids::TokenId;
use samband_domain::principal::{Principal, Scopes};
use samband_domain::ValidationErrors;
use samband_store::{ApiToken, Secret};

/// An API token's lifetime when the request names none (capped at the deployment's
/// `AppConfig::token_max_days`).
pub const DEFAULT_TOKEN_DAYS: i64 = 90;

/// The deployment's default for `AppConfig::token_max_days`.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// A token's last use is written when it is unset or older than this, so a token in
/// constant use costs one write a minute, not one per request.
const TOKEN_LAST_USED_GRAIN: Duration = Duration::minutes(1);

/// One of the signed-in user's API tokens, for "your API tokens": what it is called,
/// what it may do and when it was made, last used and runs out — never its secret or
/// its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenView {
    pub id: TokenId,
    pub name: String,
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
    /// To the minute; `None` if the token was never used.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Auth<'_> {
    /// Issues an API token for a username/password pair (the JSON API's sign-in). The
    /// token is returned once; only its hash is kept. It lasts `days` (1 up to the
    /// deployment's `token_max_days`), by default [`DEFAULT_TOKEN_DAYS`].
    #[allow(clippy::too_many_arguments)] // mirrors the fields of the token request
    pub async fn issue_token(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
        address: &str,
        name: &str,
        scopes: &str,
        days: Option<i64>,
        request_id: Option<String>,
    ) -> Result<(Secret, ApiToken), AppError> {
        let mut errs = ValidationErrors::new();
        let name = errs.take(samband_domain::text::required("name", name, 100));
        let scopes = Scopes::parse(scopes);
        if scopes.is_none() {
            errs.add("scopes", "bad_choice", "must be read, write or both");
        }
        let max_days = self.config.token_max_days;
        let days = days.unwrap_or(DEFAULT_TOKEN_DAYS.min(max_days));
        if !(1..=max_days).contains(&days) {
            errs.add(
                "days",
                "out_of_range",
                format!("must be between 1 and {max_days}"),
            );
        }
        errs.into_result()?;
        let (Some(name), Some(scopes)) = (name, scopes) else {
            return Err(AppError::Internal("unreachable".into()));
        };
        let session = self
            .login(username, password, code, address, request_id.clone())
            .await?;
        if session.must_enroll {
            let mut tx = self.store.begin().await?;
            tx.revoke_session(&sha256_hex(session.cookie_value.expose()))
                .await?;
            tx.commit().await?;
            return Err(ValidationErrors::single(
                "code",
                "totp_setup_required",
                "set up two-step verification in Samband before using the API",
            )
            .into());
        }
        let now = self.clock.now();
        let secret = Secret::new(format!("sbt_{}", random_token()));
        let token = ApiToken {
            id: TokenId::new(),
            account_id: session.principal.account_id,
            token_hash: sha256_hex(secret.expose()).into(),
            name,
            scopes: scopes.as_string(),
            created_at: now,
            expires_at: Some(now + Duration::days(days)),
            revoked: false,
            last_used_at: None,
        };
        let mut tx = self.store.begin().await?;
        // The password exchange opened a session the API client will never use.
        tx.revoke_session(&sha256_hex(session.cookie_value.expose()))
            .await?;
        tx.insert_token(&token).await?;
        tx.append_audit(&audit(
            now,
            Some(token.account_id),
            "token_issued",
            request_id,
        ))
        .await?;
        tx.commit().await?;
        Ok((secret, token))
    }

    /// Resolves a bearer token; `None` if unknown, revoked or expired.
    pub async fn token_principal(&self, secret: &str) -> Result<Option<Principal>, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        let Some((t, account)) = tx.get_token_and_account(&sha256_hex(secret)).await? else {
            return Ok(None);
        };
        if t.revoked || t.expires_at.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        if account.disabled {
            return Ok(None);
        }
        let scopes = Scopes::parse(&t.scopes)
            .ok_or_else(|| AppError::Internal("bad stored scopes".into()))?;
        let principal = principal_for(&account, scopes)?;
        // Every API request comes through here: the last use is written only when it
        // is unknown or over a minute old (one conditional update), otherwise this
        // transaction stays read-only and is dropped.
        let stale_before = now - TOKEN_LAST_USED_GRAIN;
        if t.last_used_at.is_none_or(|u| u < stale_before) {
            drop(tx);
            let mut tx = self.store.begin().await?;
            tx.mark_token_used(t.id, now, stale_before).await?;
            tx.commit().await?;
        }
        Ok(Some(principal))
    }

    /// The caller's own API tokens that still work (not revoked, not expired), newest
    /// first. The listing is audited.
    pub async fn list_tokens(&self, ctx: &Ctx) -> Result<Vec<TokenView>, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        let tokens = tx.list_tokens(ctx.principal.account_id).await?;
        let views = tokens
            .into_iter()
            .filter(|t| t.expires_at.is_none_or(|e| e > now))
            .map(|t| {
                Ok(TokenView {
                    scopes: Scopes::parse(&t.scopes)
                        .ok_or_else(|| AppError::Internal("bad stored scopes".into()))?,
                    id: t.id,
                    name: t.name,
                    created_at: t.created_at,
                    last_used_at: t.last_used_at,
                    expires_at: t.expires_at,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        tx.append_audit(&audit(
            now,
            Some(ctx.principal.account_id),
            "tokens_listed",
            ctx.request_id.clone(),
        ))
        .await?;
        tx.commit().await?;
        Ok(views)
    }

    /// Revokes one of the caller's own API tokens: it is refused from the very next
    /// request. Someone else's token, an unknown id or one revoked already is
    /// `NotFound` (the store matches the token and the caller's account together).
    pub async fn revoke_token(&self, ctx: &Ctx, token: TokenId) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        tx.revoke_token(ctx.principal.account_id, token).await?;
        let mut entry = audit(
            self.clock.now(),
            Some(ctx.principal.account_id),
            "token_revoked",
            ctx.request_id.clone(),
        );
        entry.object_type = "api_token".into();
        entry.object_id = Some(token.to_string());
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        Ok(())
    }
}
