//! Text that must never be printed: passwords and their hashes, TOTP secrets, session
//! and token values and their hashes, credentials in URLs. `Secret` debug-prints as
//! `[redacted]`, has no `Display` and no `Serialize`, compares in constant time, and is
//! wiped from memory when dropped (it holds a `secrecy::SecretString`). Reading it takes
//! an explicit [`Secret::expose`].

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

#[derive(Clone, Default)]
pub struct Secret(SecretString);

/// What `Debug` prints instead of a secret.
pub const REDACTED: &str = "[redacted]";

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret itself, for the one place that needs it (a hash check, a query
    /// parameter, a cookie).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.expose().as_bytes(), other.expose().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-correct-horse");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{:?}", Some(s.clone())), "Some([redacted])");
        assert_eq!(format!("{s:#?}"), REDACTED);
        assert_eq!(s.expose(), "hunter2-correct-horse");
    }

    #[test]
    fn compares_by_value_and_deserializes_from_a_string() {
        assert_eq!(Secret::new("a"), Secret::from("a"));
        assert_ne!(Secret::new("a"), Secret::new("b"));
        assert_ne!(Secret::new("a"), Secret::new("ab"));
        let s: Secret = serde_json::from_str("\"pw\"").unwrap();
        assert_eq!(s.expose(), "pw");
        let parsed: Secret = "x".parse().unwrap();
        assert_eq!(parsed.expose(), "x");
    }
}
