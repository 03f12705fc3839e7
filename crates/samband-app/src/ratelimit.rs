//! Request rate limits: fixed one-minute windows per key (a token, a principal or a
//! client address), kept in memory per instance. Exceeding a limit answers 429 with
//! the seconds until the window ends. A limit of 0 turns a class off.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitClass {
    /// Every JSON API request, per bearer token (or client address without one).
    Api,
    /// Consent changes, per principal.
    Consent,
    /// Sign-in attempts, per client address (failures are also throttled per account).
    SignIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub api_per_minute: u32,
    pub consent_per_minute: u32,
    pub sign_in_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            api_per_minute: 3_000,
            consent_per_minute: 30,
            sign_in_per_minute: 30,
        }
    }
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(LimitClass, String), (i64, u32)>>,
}

impl RateLimiter {
    /// Counts one request; `Err(retry_after_secs)` when over the limit.
    pub fn check(
        &self,
        limits: &RateLimits,
        class: LimitClass,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), i64> {
        let limit = match class {
            LimitClass::Api => limits.api_per_minute,
            LimitClass::Consent => limits.consent_per_minute,
            LimitClass::SignIn => limits.sign_in_per_minute,
        };
        if limit == 0 {
            return Ok(());
        }
        let minute = now.timestamp().div_euclid(60);
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        // Forget old windows now and then so the map stays small.
        if w.len() > 50_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let slot = w.entry((class, key.to_owned())).or_insert((minute, 0));
        if slot.0 != minute {
            *slot = (minute, 0);
        }
        if slot.1 >= limit {
            return Err(60 - now.timestamp().rem_euclid(60));
        }
        slot.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn limits_per_key_and_window() {
        let r = RateLimiter::default();
        let limits = RateLimits {
            api_per_minute: 3,
            consent_per_minute: 1,
            sign_in_per_minute: 0,
        };
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 10).unwrap();
        for _ in 0..3 {
            assert!(r.check(&limits, LimitClass::Api, "a", t).is_ok());
        }
        assert_eq!(
            r.check(&limits, LimitClass::Api, "a", t),
            Err(50),
            "retry when the minute ends"
        );
        assert!(
            r.check(&limits, LimitClass::Api, "b", t).is_ok(),
            "other keys are counted apart"
        );
        assert!(
            r.check(&limits, LimitClass::Consent, "a", t).is_ok(),
            "classes are counted apart"
        );
        assert!(
            r.check(
                &limits,
                LimitClass::Api,
                "a",
                t + chrono::Duration::seconds(50)
            )
            .is_ok(),
            "a new minute"
        );
        for _ in 0..100 {
            assert!(
                r.check(&limits, LimitClass::SignIn, "x", t).is_ok(),
                "0 turns the class off"
            );
        }
    }
}
