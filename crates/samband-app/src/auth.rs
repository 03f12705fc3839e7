//! Accounts, sign-in, sessions and API tokens.
//!
//! Passwords are hashed with argon2id (OWASP parameters). Session ids and API tokens are
//! 256-bit random values; only their SHA-256 is stored, so a copy of the database yields
//! nothing usable. Failed sign-ins are throttled per account and per client address and
//! answered identically whether or not the account exists.

use crate::{App, AppError, Ctx};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use samband_domain::ids::{AccountId, TokenId};
use samband_domain::principal::{AccountRole, Principal, Scopes, Subject};
use samband_domain::ValidationErrors;
use samband_store::{Account, ApiToken, AuditEntry, Secret, SessionRecord, Tx};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub const MIN_PASSWORD_LEN: usize = 12;

/// An API token's lifetime when the request names none (capped at the deployment's
/// `AppConfig::token_max_days`).
pub const DEFAULT_TOKEN_DAYS: i64 = 90;

/// The deployment's default for `AppConfig::token_max_days`.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// A token's last use is written when it is unset or older than this, so a token in
/// constant use costs one write a minute, not one per request.
const TOKEN_LAST_USED_GRAIN: Duration = Duration::minutes(1);

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Checks a new password: long enough and not the username or display name.
pub fn check_new_password(
    password: &str,
    username: &str,
    display_name: &str,
) -> Result<(), ValidationErrors> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ValidationErrors::single(
            "password",
            "too_short",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if password.chars().count() > 1024 {
        return Err(ValidationErrors::single(
            "password",
            "too_long",
            "must be at most 1024 characters",
        ));
    }
    let lower = password.to_lowercase();
    let same_as = |v: &str| !v.trim().is_empty() && lower == v.trim().to_lowercase();
    if same_as(username) || same_as(display_name) {
        return Err(ValidationErrors::single(
            "password",
            "like_user_data",
            "must not be your name or username",
        ));
    }
    Ok(())
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two secrets in constant time.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A new session: the cookie value (give to the browser) and its CSRF token, both
/// secrets that debug-print as `[redacted]`.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie_value: Secret,
    pub csrf_token: Secret,
    pub principal: Principal,
    /// The deployment requires two-step verification and this account has none yet.
    pub must_enroll: bool,
}

/// A resolved session.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub principal: Principal,
    pub csrf_token: Secret,
    pub must_enroll: bool,
}

pub(crate) fn principal_for(a: &Account, scopes: Scopes) -> Result<Principal, AppError> {
    let subject = match (a.role, a.professional_id, a.patient_id) {
        (AccountRole::Admin, _, _) => Subject::Admin,
        (AccountRole::Professional, Some(p), _) => Subject::Professional(p),
        (AccountRole::Patient, _, Some(p)) => Subject::Patient(p),
        (AccountRole::Proxy, _, Some(p)) => Subject::Proxy {
            patient: p,
            may_consent: a.proxy_may_consent,
        },
        _ => {
            return Err(AppError::Internal(
                "account is not linked to a person".into(),
            ))
        }
    };
    Ok(Principal {
        account_id: a.id,
        display_name: a.display_name.clone(),
        subject,
        scopes,
        locale: a.locale.clone(),
    })
}

fn audit(
    at: DateTime<Utc>,
    account: Option<AccountId>,
    action: &str,
    request_id: Option<String>,
) -> AuditEntry {
    AuditEntry {
        id: Uuid::now_v7(),
        at,
        actor_account_id: account,
        patient_id: None,
        object_type: "account".into(),
        object_id: account.map(|a| a.to_string()),
        action: action.into(),
        purpose: "authentication".into(),
        request_id,
    }
}

impl App {
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

    /// Signs in with username and password from `address`. Every failure, whatever its
    /// cause, gives the same answer.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
        address: &str,
        request_id: Option<String>,
    ) -> Result<NewSession, AppError> {
        self.rate_limit(crate::ratelimit::LimitClass::SignIn, address)?;
        let now = self.clock.now();
        let since = now - self.config.throttle_window;
        let account_key = format!("account:{}", username.trim().to_lowercase());
        let address_key = format!("address:{address}");
        let mut tx = self.store.begin().await?;
        let by_account = tx.count_login_failures(&account_key, since).await?;
        let by_address = tx.count_login_failures(&address_key, since).await?;
        if by_account >= self.config.max_failures_per_account
            || by_address >= self.config.max_failures_per_address
        {
            return Err(AppError::TooManyAttempts {
                retry_after_secs: self.config.throttle_window.num_seconds(),
            });
        }
        let account = tx.get_account_by_username(username.trim()).await?;
        let ok = match &account {
            Some(a) => verify_password(password, a.password_hash.expose()) && !a.disabled,
            None => {
                // Spend the same time as a real check so timing does not reveal accounts.
                let _ = verify_password(password, DUMMY_HASH);
                false
            }
        };
        // The second factor counts like the password: any failure is the same failure.
        let ok = match (&account, ok) {
            (Some(a), true) => self.second_factor_ok(&mut tx, a, code).await?,
            _ => false,
        };
        let account = match (ok, account) {
            (true, Some(a)) => a,
            (_, a) => {
                tx.record_login_failure(&account_key, now).await?;
                tx.record_login_failure(&address_key, now).await?;
                tx.append_audit(&audit(now, a.map(|a| a.id), "login_failed", request_id))
                    .await?;
                tx.commit().await?;
                return Err(AppError::Unauthenticated);
            }
        };
        tx.clear_login_failures(&account_key).await?;
        let cookie_value = Secret::new(random_token());
        let csrf_token = Secret::new(random_token());
        tx.insert_session(&SessionRecord {
            id_hash: sha256_hex(cookie_value.expose()).into(),
            account_id: account.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            revoked: false,
        })
        .await?;
        tx.append_audit(&audit(now, Some(account.id), "login", request_id))
            .await?;
        tx.commit().await?;
        Ok(NewSession {
            cookie_value,
            csrf_token,
            must_enroll: self.must_enroll(&account),
            principal: principal_for(&account, Scopes::ALL)?,
        })
    }

    /// Resolves a session cookie; `None` if unknown, revoked, idle too long or too old.
    pub async fn session(&self, cookie_value: &str) -> Result<Option<ActiveSession>, AppError> {
        let now = self.clock.now();
        let hash = sha256_hex(cookie_value);
        let mut tx = self.store.begin_read().await?;
        let Some((s, account)) = tx.get_session_and_account(&hash).await? else {
            return Ok(None);
        };
        if s.revoked
            || now - s.last_seen_at > self.config.session_idle
            || now - s.created_at > self.config.session_absolute
        {
            return Ok(None);
        }
        if account.disabled {
            return Ok(None);
        }
        // Touch at most once a minute: idle expiry needs no finer grain, and every
        // touch is a durable write.
        if now - s.last_seen_at > Duration::seconds(60) {
            drop(tx);
            let mut tx = self.store.begin().await?;
            tx.touch_session(&hash, now).await?;
            tx.commit().await?;
        }
        Ok(Some(ActiveSession {
            must_enroll: self.must_enroll(&account),
            principal: principal_for(&account, Scopes::ALL)?,
            csrf_token: s.csrf_token,
        }))
    }

    pub async fn logout(
        &self,
        cookie_value: &str,
        request_id: Option<String>,
    ) -> Result<(), AppError> {
        let hash = sha256_hex(cookie_value);
        let mut tx = self.store.begin().await?;
        if let Some(s) = tx.get_session(&hash).await? {
            tx.revoke_session(&hash).await?;
            tx.append_audit(&audit(
                self.clock.now(),
                Some(s.account_id),
                "logout",
                request_id,
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

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

    /// Creates an account inside an open transaction (used by admin use cases and seeding).
    #[allow(clippy::too_many_arguments)] // the fields of one account, checked together
    pub(crate) async fn insert_account(
        &self,
        tx: &mut dyn Tx,
        username: &str,
        password: &str,
        role: AccountRole,
        display_name: &str,
        link: Subject,
        privacy_officer: bool,
    ) -> Result<Account, AppError> {
        let mut errs = ValidationErrors::new();
        let uname = username.trim();
        if uname.len() < 2
            || uname.len() > 64
            || !uname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        {
            errs.add(
                "username",
                "bad_username",
                "2–64 characters: letters, digits, . - _ @",
            );
        }
        if let Err(e) = check_new_password(password, uname, display_name) {
            errs.errors.extend(e.errors);
        }
        errs.into_result()?;
        if tx.get_account_by_username(uname).await?.is_some() {
            return Err(
                ValidationErrors::single("username", "taken", "this username is taken").into(),
            );
        }
        let (professional_id, patient_id, proxy_may_consent) = match link {
            Subject::Professional(p) => (Some(p), None, false),
            Subject::Patient(p) => (None, Some(p), false),
            Subject::Proxy {
                patient,
                may_consent,
            } => (None, Some(patient), may_consent),
            Subject::Admin => (None, None, false),
        };
        let account = Account {
            id: AccountId::new(),
            username: uname.to_owned(),
            password_hash: hash_password(password)?.into(),
            role,
            professional_id,
            patient_id,
            display_name: display_name.to_owned(),
            locale: None,
            disabled: false,
            created_at: self.clock.now(),
            totp_secret: None,
            totp_last_step: None,
            privacy_officer,
            proxy_may_consent,
        };
        tx.insert_account(&account).await?;
        Ok(account)
    }
}

/// One of the signed-in user's sessions, for "your sessions".
#[derive(Debug, Clone)]
pub struct SessionView {
    /// An opaque handle (the stored hash, never the cookie value); shown only in the
    /// owner's own "end this session" form, never printed.
    pub handle: Secret,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub current: bool,
}

impl App {
    /// The signed-in user's live sessions; `current_cookie` marks the one in use.
    pub async fn my_sessions(
        &self,
        ctx: &Ctx,
        current_cookie: Option<&str>,
    ) -> Result<Vec<SessionView>, AppError> {
        let now = self.clock.now();
        let current = current_cookie.map(sha256_hex);
        let mut tx = self.store.begin_read().await?;
        let sessions = tx.list_sessions(ctx.principal.account_id).await?;
        Ok(sessions
            .into_iter()
            .filter(|s| {
                now - s.last_seen_at <= self.config.session_idle
                    && now - s.created_at <= self.config.session_absolute
            })
            .map(|s| SessionView {
                current: current.as_deref() == Some(s.id_hash.expose()),
                handle: s.id_hash,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect())
    }

    /// Ends one of the user's own sessions (another browser, a lost phone).
    pub async fn revoke_my_session(&self, ctx: &Ctx, handle: &str) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        match tx.get_session(handle).await? {
            Some(s) if s.account_id == ctx.principal.account_id => {
                tx.revoke_session(handle).await?;
                tx.append_audit(&audit(
                    self.clock.now(),
                    Some(ctx.principal.account_id),
                    "session_revoked",
                    ctx.request_id.clone(),
                ))
                .await?;
                tx.commit().await?;
                Ok(())
            }
            _ => Err(AppError::NotFound),
        }
    }
}

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

impl App {
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

/// An argon2id hash of a random string, verified against when the username is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FtYmFuZGR1bW15c2FsdA$0p2m0mYjvGx6mQ2W2bUQ1TJ0Zc9Xz5e9t4R1lXKk1kY";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert_eq!(
            check_new_password("short", "u", "n").unwrap_err().errors[0].code,
            "too_short"
        );
        assert_eq!(
            check_new_password("kari.nordmann", "kari.nordmann", "Kari")
                .unwrap_err()
                .errors[0]
                .code,
            "like_user_data"
        );
        assert!(check_new_password("correct horse battery", "kari", "Kari Nordmann").is_ok());
    }

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_password("correct horse battery").expect("hash");
        let b = hash_password("correct horse battery").expect("hash");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong horse battery", &a));
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "dummy hash must parse so the timing matches"
        );
    }

    #[test]
    fn tokens_are_random_and_compared_in_constant_time() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert!(a.len() >= 43);
        assert!(secrets_equal(&a, &a.clone()));
        assert!(!secrets_equal(&a, &random_token()));
    }
}
