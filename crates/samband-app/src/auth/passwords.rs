//! Password hashing (argon2id), the rules for a new password, and the random secrets
//! and hashes behind session ids and API tokens.

use crate::AppError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use samband_domain::ValidationErrors;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const MIN_PASSWORD_LEN: usize = 12;

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

/// An argon2id hash of a random string, verified against when the username is unknown.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FtYmFuZGR1bW15c2FsdA$0p2m0mYjvGx6mQ2W2bUQ1TJ0Zc9Xz5e9t4R1lXKk1kY";

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
