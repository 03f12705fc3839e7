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

/// Parses an ISO date (`YYYY-MM-DD`) within a sane range.
pub fn date(field: &str, raw: &str) -> Result<NaiveDate, ValidationErrors> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        ValidationErrors::single(field, "bad_date", "must be a date written as YYYY-MM-DD")
    })?;
    let year = chrono::Datelike::year(&d);
    if !(1850..=2200).contains(&year) {
        return Err(ValidationErrors::single(
            field,
            "date_range",
            "must be between 1850 and 2200",
        ));
    }
    Ok(d)
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

    #[test]
    fn dates_phones_emails() {
        assert!(date("d", "2026-02-30").is_err());
        assert!(date("d", "1700-01-01").is_err());
        assert_eq!(
            date("d", "2026-11-22")
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
