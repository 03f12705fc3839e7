//! Two-step verification with time-based one-time codes (TOTP, RFC 6238, via the
//! `totp-rs` crate) and single-use recovery codes. A deployment can require it for
//! every professional; sign-in then needs the current code (or a recovery code), and
//! a code is never accepted twice.

use super::Auth;
use crate::auth::sha256_hex;
use crate::{AppError, Ctx};
use base64::Engine;
use rand::RngCore;
use samband_domain::principal::Subject;
use samband_domain::ValidationErrors;
use samband_store::{Account, AuditEntry, Tx};
use totp_rs::{Builder, Secret, Totp};
use uuid::Uuid;

/// A secret the user is about to register in their authenticator app. Both fields
/// carry the secret, so both debug-print as `[redacted]`.
#[derive(Debug, Clone)]
pub struct Enrollment {
    pub secret: samband_store::Secret,
    /// `otpauth://` URI for authenticator apps (shown as text; paste or type the secret).
    pub uri: samband_store::Secret,
}

pub(crate) fn totp(secret_b32: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_b32).map_err(|_| {
        ValidationErrors::single("secret", "bad_secret", "the setup key is not valid")
    })?;
    Builder::new()
        .with_secret(secret)
        .build()
        .map_err(|e| AppError::Internal(format!("totp: {e}")))
}

pub(crate) fn recovery_code() -> String {
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let s = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(b)
        .to_lowercase()
        .replace(['-', '_'], "x");
    format!("{}-{}", &s[..5], &s[5..10])
}

impl Auth<'_> {
    /// Does this account have to use two-step verification but has not set it up?
    pub fn must_enroll(&self, a: &Account) -> bool {
        self.config.require_totp_for_professionals
            && a.professional_id.is_some()
            && a.totp_secret.is_none()
    }

    pub fn start_totp_enrollment(&self, ctx: &Ctx) -> Enrollment {
        let mut bytes = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = Secret::from(bytes).to_base32();
        let label: String = ctx
            .principal
            .display_name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let uri = format!("otpauth://totp/Samband:{label}?secret={secret}&issuer=Samband&algorithm=SHA1&digits=6&period=30");
        Enrollment {
            secret: secret.into(),
            uri: uri.into(),
        }
    }

    /// Confirms the secret with a code from the app; returns the recovery codes, shown once.
    pub async fn confirm_totp(
        &self,
        ctx: &Ctx,
        secret: &str,
        code: &str,
    ) -> Result<Vec<String>, AppError> {
        if matches!(
            ctx.principal.subject,
            Subject::Admin | Subject::Professional(_) | Subject::Patient(_)
        ) && !ctx.principal.scopes.write
        {
            return Err(AppError::Forbidden);
        }
        let t = totp(secret)?;
        let now = self.clock.now().timestamp().max(0) as u64;
        let Some(step) = t.check(code.trim(), now) else {
            return Err(ValidationErrors::single(
                "code",
                "bad_code",
                "the code does not match; check the time on your phone",
            )
            .into());
        };
        let codes: Vec<String> = (0..10).map(|_| recovery_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| sha256_hex(c)).collect();
        let mut tx = self.store.begin().await?;
        tx.set_totp(ctx.principal.account_id, secret, &hashes)
            .await?;
        tx.advance_totp_step(ctx.principal.account_id, step as i64)
            .await?;
        tx.append_audit(&AuditEntry {
            id: Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: Some(ctx.principal.account_id),
            patient_id: None,
            object_type: "account".into(),
            object_id: Some(ctx.principal.account_id.to_string()),
            action: "totp_enabled".into(),
            purpose: "authentication".into(),
            request_id: ctx.request_id.clone(),
        })
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Checks a sign-in's second factor inside the sign-in transaction.
    pub(crate) async fn second_factor_ok(
        &self,
        tx: &mut Box<dyn Tx>,
        a: &Account,
        code: Option<&str>,
    ) -> Result<bool, AppError> {
        let Some(secret) = &a.totp_secret else {
            return Ok(true);
        };
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(false);
        };
        if code.contains('-') {
            return Ok(tx
                .use_recovery_code(a.id, &sha256_hex(&code.to_lowercase()), self.clock.now())
                .await?);
        }
        let now = self.clock.now().timestamp().max(0) as u64;
        match totp(secret.expose())?.check(code, now) {
            Some(step) => Ok(tx.advance_totp_step(a.id, step as i64).await?),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_random_and_readable() {
        let a = recovery_code();
        assert_eq!(a.len(), 11);
        assert_eq!(&a[5..6], "-");
        assert_ne!(a, recovery_code());
    }

    #[test]
    fn generated_codes_check_against_their_secret() {
        let secret = Secret::from([7u8; 20]).to_base32();
        let t = totp(&secret).expect("valid");
        let code = t.generate(1_800_000_000);
        assert!(t.check(&code.to_string(), 1_800_000_000).is_some());
        assert!(
            t.check(&code.to_string(), 1_800_000_000 + 300).is_none(),
            "ten steps later it is stale"
        );
        assert!(totp("not base32 !!").is_err());
    }
}
