//! Accounts, sign-in, sessions and API tokens.
//!
//! Passwords are hashed with argon2id (OWASP parameters). Session ids and API tokens are
//! 256-bit random values; only their SHA-256 is stored, so a copy of the database yields
//! nothing usable. Failed sign-ins are throttled per account and per client address and
//! answered identically whether or not the account exists.
//!
//! Two-step verification ([`two_factor`]) is part of signing in. Entry point:
//! [`crate::App::auth`].

mod accounts;
mod passwords;
mod scopes;
mod sessions;
mod tokens;
pub mod two_factor;

pub(crate) use passwords::verify_password;
pub use passwords::{
    check_new_password, hash_password, random_token, secrets_equal, sha256_hex, MIN_PASSWORD_LEN,
};
pub(crate) use sessions::principal_for;
pub use sessions::{ActiveSession, NewSession, SessionView};
pub use tokens::{TokenView, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS};
pub use two_factor::Enrollment;

crate::kernel::capability!(
    /// Use cases on signing in, sessions, tokens and two-step verification
    /// (`app.auth()`).
    Auth
);
