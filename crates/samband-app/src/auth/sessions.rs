//! Signing in (throttled, answered alike whether or not the account exists), the
//! session behind a cookie, signing out, and the reader's own sessions.

use super::Auth;
use crate::auth::accounts::audit;
use crate::auth::passwords::DUMMY_HASH;
use crate::auth::random_token;
use crate::auth::sha256_hex;
use crate::auth::verify_password;
use crate::{AppError, Ctx};
use chrono::{DateTime, Duration, Utc};
use samband_domain::principal::{AccountRole, Principal, Scopes, Subject};
use samband_store::{Account, Secret, SessionRecord};

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

impl Auth<'_> {
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
