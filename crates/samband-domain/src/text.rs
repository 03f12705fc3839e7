//! Bounded text fields. Every free-text input in Samband has a maximum length and is
//! trimmed; required fields may not be blank. Parsing returns field-level errors.

use crate::ValidationErrors;
use chrono::NaiveDate;

/// Short single-line text (names, titles, roles).
pub const SHORT: usize = 200;
/// Multi-line text (responsibilities, goals, crisis-plan sections).
pub const LONG: usize = 4000;

/// Trims and checks a required text field.
pub fn required(field: &str, raw: &str, max: usize) -> Result<String, ValidationErrors> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(ValidationErrors::single(
            field,
            "required",
            "must not be empty",
        ));
    }
    bounded(field, v, max)
}

/// Trims an optional text field; blank becomes `None`.
pub fn optional(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ValidationErrors> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

fn bounded(field: &str, v: &str, max: usize) -> Result<String, ValidationErrors> {
    if v.chars().count() > max {
        return Err(ValidationErrors::single(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ValidationErrors::single(
            field,
            "control_chars",
            "contains control characters",
        ));
    }
    Ok(v.to_owned())
}

/// The dates a field may plausibly hold. Every date a person types is parsed
/// against one (there is no unbounded date parser), so a year such as 1899 or 2300
/// is caught at the field instead of being stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
}

/// How far before and after today a plan, a team membership, a consent period or a
/// meeting may reach.
pub const PLANNING_YEARS: i32 = 5;

impl DateWindow {
    /// Birth dates: from 1 January 1900 up to today.
    pub fn birth(today: NaiveDate) -> Self {
        Self {
            earliest: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN),
            latest: today,
        }
    }

    /// Dates of care: memberships, consent periods, meetings, due dates — within
    /// [`PLANNING_YEARS`] of today either way.
    pub fn planning(today: NaiveDate) -> Self {
        let shift = |years: i32| chrono::Months::new(12 * years.unsigned_abs());
        Self {
            earliest: today
                .checked_sub_months(shift(PLANNING_YEARS))
                .unwrap_or(today),
            latest: today
                .checked_add_months(shift(PLANNING_YEARS))
                .unwrap_or(today),
        }
    }

    /// From today on, as far ahead as [`DateWindow::planning`].
    pub fn ahead(today: NaiveDate) -> Self {
        Self {
            earliest: today,
            ..Self::planning(today)
        }
    }

    /// Refuses `d` outside the window, at `field`.
    pub fn check(&self, field: &str, d: NaiveDate) -> Result<NaiveDate, ValidationErrors> {
        if d < self.earliest {
            Err(ValidationErrors::single(
                field,
                "too_early",
                format!("must be on or after {}", self.earliest),
            ))
        } else if d > self.latest {
            Err(ValidationErrors::single(
                field,
                "too_late",
                format!("must be on or before {}", self.latest),
            ))
        } else {
            Ok(d)
        }
    }
}

/// Parses an ISO date (`YYYY-MM-DD`) that must fall within `window`.
pub fn date(field: &str, raw: &str, window: DateWindow) -> Result<NaiveDate, ValidationErrors> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        ValidationErrors::single(field, "bad_date", "must be a date written as YYYY-MM-DD")
    })?;
    window.check(field, d)
}

/// A phone number: digits, spaces and an optional leading `+`, 5–20 characters.
pub fn phone(field: &str, raw: Option<&str>) -> Result<Option<String>, ValidationErrors> {
    let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let ok_chars = v
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || (i == 0 && c == '+'));
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if !ok_chars || !(5..=15).contains(&digits) || v.len() > 20 {
        return Err(ValidationErrors::single(
            field,
            "bad_phone",
            "must be a phone number: digits and spaces, optionally starting with +",
        ));
    }
    Ok(Some(v.to_owned()))
}

/// A plausible e-mail address (one `@`, something on each side, a dot in the domain).
pub fn email(field: &str, raw: Option<&str>) -> Result<Option<String>, ValidationErrors> {
    let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && !d.contains('@')
        })
        && !v.chars().any(char::is_whitespace);
    if !ok {
        return Err(ValidationErrors::single(
            field,
            "bad_email",
            "must be an e-mail address",
        ));
    }
    Ok(Some(v.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_rejects_blank_and_trims() {
        assert_eq!(required("t", "  x ", 5).ok().as_deref(), Some("x"));
        assert_eq!(
            required("t", "   ", 5).unwrap_err().errors[0].code,
            "required"
        );
        assert_eq!(
            required("t", "abcdef", 5).unwrap_err().errors[0].code,
            "too_long"
        );
        assert_eq!(
            required("t", "a\u{0}b", 5).unwrap_err().errors[0].code,
            "control_chars"
        );
    }

    /// Every day from 1890 to six years ahead, against windows computed here from
    /// calendar fields (not from the code's month arithmetic).
    #[test]
    fn date_windows_hold_exactly_the_plausible_days() {
        use chrono::Datelike;
        for today in ["2026-11-23", "2028-02-29", "2027-03-01"] {
            let today = NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap();
            let clamp = |y: i32| {
                let last = (28..=31)
                    .rev()
                    .find(|d| NaiveDate::from_ymd_opt(y, today.month(), *d).is_some())
                    .unwrap();
                (y, today.month(), today.day().min(last))
            };
            let (lo, hi) = (clamp(today.year() - 5), clamp(today.year() + 5));
            let mut d = NaiveDate::from_ymd_opt(1890, 1, 1).unwrap();
            let end = NaiveDate::from_ymd_opt(today.year() + 6, 12, 31).unwrap();
            let mut checked = 0;
            while d <= end {
                let t = (d.year(), d.month(), d.day());
                let raw = d.to_string();
                assert_eq!(
                    date("f", &raw, DateWindow::birth(today)).is_ok(),
                    t >= (1900, 1, 1) && d <= today,
                    "birth date {raw} with today {today}"
                );
                assert_eq!(
                    date("f", &raw, DateWindow::planning(today)).is_ok(),
                    t >= lo && t <= hi,
                    "planning date {raw} with today {today}"
                );
                assert_eq!(
                    date("f", &raw, DateWindow::ahead(today)).is_ok(),
                    d >= today && t <= hi,
                    "date ahead {raw} with today {today}"
                );
                d = d.succ_opt().unwrap();
                checked += 1;
            }
            assert!(checked > 365 * 140, "walked {checked} days");
        }
    }

    #[test]
    fn dates_phones_emails() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let w = DateWindow::planning(today);
        assert!(date("d", "2026-02-30", w).is_err());
        assert!(date("d", "1700-01-01", w).is_err());
        assert_eq!(
            date("d", "2026-11-22", w)
                .ok()
                .map(|d| d.to_string())
                .as_deref(),
            Some("2026-11-22")
        );
        assert!(phone("p", Some("+47 22 00 00 00")).is_ok());
        assert!(phone("p", Some("call me")).is_err());
        assert!(email("e", Some("gp@legekontor.example")).is_ok());
        assert!(email("e", Some("not-an-address")).is_err());
    }
}
