//! National identifiers: Norwegian fødselsnummer / D-number / H-number (with both
//! modulus-11 check digits) and Danish CPR (date part and century rule; CPR numbers have
//! not needed to pass modulus 11 since 2007). Each parser also yields the birth date
//! the number encodes, so a patient's birth date can be checked against it.

use crate::country::Country;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Norwegian fødselsnummer.
    NoFnr,
    /// Norwegian D-number (day + 40), for people not registered as residents.
    NoDNumber,
    /// Norwegian H-number (month + 40), an auxiliary number used by health services.
    NoHNumber,
    /// Danish CPR number.
    DkCpr,
}

impl IdKind {
    /// The identifier system (OID) used in FHIR and messages.
    pub fn system(&self) -> &'static str {
        match self {
            IdKind::NoFnr => "urn:oid:2.16.578.1.12.4.1.4.1",
            IdKind::NoDNumber => "urn:oid:2.16.578.1.12.4.1.4.2",
            IdKind::NoHNumber => "urn:oid:2.16.578.1.12.4.1.4.3",
            IdKind::DkCpr => "urn:oid:1.2.208.176.1.2",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalId {
    pub kind: IdKind,
    pub value: String,
    pub birth_date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NationalIdError {
    #[error("must be 11 digits")]
    NorwegianLength,
    #[error("must be 10 digits (DDMMYY-SSSS)")]
    DanishLength,
    #[error("the date part is not a real date")]
    BadDate,
    #[error("the check digits do not match")]
    CheckDigit,
    #[error("the individual number does not fit the year of birth")]
    Century,
    #[error("unknown country; use NO or DK")]
    Country,
}

impl NationalId {
    /// Parses by country code (`NO` or `DK`).
    pub fn parse(country: &str, raw: &str) -> Result<Self, NationalIdError> {
        match country.trim().to_ascii_uppercase().as_str() {
            "NO" => Self::parse_norwegian(raw),
            "DK" => Self::parse_danish(raw),
            _ => Err(NationalIdError::Country),
        }
    }

    /// The country that issued the number.
    pub fn country(&self) -> Country {
        match self.kind {
            IdKind::DkCpr => Country::Denmark,
            IdKind::NoFnr | IdKind::NoDNumber | IdKind::NoHNumber => Country::Norway,
        }
    }

    pub fn parse_norwegian(raw: &str) -> Result<Self, NationalIdError> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let d = digits(&s, 11).ok_or(NationalIdError::NorwegianLength)?;
        let k1 = check_digit(&d[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2])?;
        let k2 = check_digit(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2])?;
        if d[9] != k1 || d[10] != k2 {
            return Err(NationalIdError::CheckDigit);
        }
        let mut day = d[0] * 10 + d[1];
        let mut month = d[2] * 10 + d[3];
        let mut kind = IdKind::NoFnr;
        if day > 40 {
            day -= 40;
            kind = IdKind::NoDNumber;
        }
        // Synthetic test numbers (Skatteetaten's Tenor) add 80 to the month; H-numbers 40.
        if month > 80 {
            month -= 80;
        } else if month > 40 {
            month -= 40;
            kind = IdKind::NoHNumber;
        }
        let yy = d[4] * 10 + d[5];
        let individual = d[6] * 100 + d[7] * 10 + d[8];
        let year = match (individual, yy) {
            (0..=499, _) => 1900 + yy,
            (500..=749, 54..=99) => 1800 + yy,
            (500..=999, 0..=39) => 2000 + yy,
            (900..=999, 40..=99) => 1900 + yy,
            _ => return Err(NationalIdError::Century),
        };
        let birth_date =
            NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(NationalIdError::BadDate)?;
        Ok(Self {
            kind,
            value: s,
            birth_date,
        })
    }

    pub fn parse_danish(raw: &str) -> Result<Self, NationalIdError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let d = digits(&s, 10).ok_or(NationalIdError::DanishLength)?;
        let day = d[0] * 10 + d[1];
        let month = d[2] * 10 + d[3];
        let yy = d[4] * 10 + d[5];
        let century = match (d[6], yy) {
            (0..=3, _) => 1900,
            (4 | 9, 0..=36) => 2000,
            (4 | 9, _) => 1900,
            (5..=8, 0..=57) => 2000,
            (5..=8, _) => 1800,
            _ => return Err(NationalIdError::Century),
        };
        let birth_date = NaiveDate::from_ymd_opt((century + yy) as i32, month, day)
            .ok_or(NationalIdError::BadDate)?;
        Ok(Self {
            kind: IdKind::DkCpr,
            value: s,
            birth_date,
        })
    }
}

/// A valid synthetic Norwegian number (month + 80, as in Skatteetaten's test register)
/// for `birth`, so demo and test data never hold a real person's number.
pub fn synthetic_fnr(birth: NaiveDate, seed: u32) -> Option<String> {
    use chrono::Datelike;
    let yy = (birth.year() % 100) as u32;
    let range: Vec<u32> = match birth.year() {
        1900..=1999 => (0..500).collect(),
        2000..=2039 => (500..1000).collect(),
        _ => return None,
    };
    let start = (seed as usize) % range.len();
    range
        .iter()
        .cycle()
        .skip(start)
        .take(range.len())
        .find_map(|ind| {
            let nine = format!("{:02}{:02}{yy:02}{ind:03}", birth.day(), birth.month() + 80);
            (0..100)
                .map(|k| format!("{nine}{k:02}"))
                .find(|c| NationalId::parse_norwegian(c).is_ok())
        })
}

fn digits(s: &str, len: usize) -> Option<Vec<u32>> {
    if s.len() != len {
        return None;
    }
    s.chars().map(|c| c.to_digit(10)).collect()
}

fn check_digit(d: &[u32], weights: &[u32]) -> Result<u32, NationalIdError> {
    let sum: u32 = d.iter().zip(weights).map(|(a, b)| a * b).sum();
    match 11 - (sum % 11) {
        11 => Ok(0),
        10 => Err(NationalIdError::CheckDigit),
        k => Ok(k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    /// Builds a valid Norwegian number from a six-digit date part and the first
    /// individual digit, trying individual numbers until the check digits exist.
    fn complete(nine: &str) -> Option<String> {
        let (date, ind) = nine.split_at(6);
        let first = ind.chars().next()?.to_digit(10)?;
        (0..100).find_map(|rest| complete9(&format!("{date}{first}{rest:02}")))
    }

    fn complete9(nine: &str) -> Option<String> {
        let d: Vec<u32> = nine.chars().filter_map(|c| c.to_digit(10)).collect();
        let k1 = check_digit(&d, &[3, 7, 6, 1, 8, 9, 4, 5, 2]).ok()?;
        let mut ten = d.clone();
        ten.push(k1);
        let k2 = check_digit(&ten, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]).ok()?;
        Some(format!("{nine}{k1}{k2}"))
    }

    #[test]
    fn accepts_valid_fnr_and_derives_birth_date() {
        let n = complete("010190123").expect("valid prefix");
        let id = NationalId::parse("NO", &n).expect("valid");
        assert_eq!(id.kind, IdKind::NoFnr);
        assert_eq!(id.country(), Country::Norway);
        assert_eq!(
            id.birth_date,
            NaiveDate::from_ymd_opt(1990, 1, 1).expect("date")
        );
    }

    #[test]
    fn rejects_a_changed_check_digit() {
        let mut n = complete("010190123").expect("valid prefix");
        let last = n.pop().and_then(|c| c.to_digit(10)).expect("digit");
        n.push(char::from_digit((last + 1) % 10, 10).expect("digit"));
        assert_eq!(
            NationalId::parse("NO", &n),
            Err(NationalIdError::CheckDigit)
        );
    }

    #[test]
    fn every_single_digit_error_is_caught() {
        let n = complete("150385456").expect("valid prefix");
        for pos in 0..11 {
            for delta in 1..10 {
                let mut d: Vec<u32> = n.chars().filter_map(|c| c.to_digit(10)).collect();
                d[pos] = (d[pos] + delta) % 10;
                let s: String = d.iter().map(|x| x.to_string()).collect();
                assert!(NationalId::parse("NO", &s).is_err(), "{s} accepted");
            }
        }
    }

    #[test]
    fn d_number_and_synthetic_numbers() {
        let d = complete("410190123").expect("valid prefix");
        let id = NationalId::parse("NO", &d).expect("valid d-number");
        assert_eq!(id.kind, IdKind::NoDNumber);
        assert_eq!(id.country(), Country::Norway);
        assert_eq!(id.birth_date.to_string(), "1990-01-01");
        let syn = complete("018190123").expect("valid prefix");
        let id = NationalId::parse("NO", &syn).expect("valid synthetic");
        assert_eq!(id.birth_date.to_string(), "1990-01-01");
    }

    #[test]
    fn synthetic_numbers_are_valid_and_carry_the_birth_date() {
        for (i, d) in ["1951-06-30", "1990-01-01", "2004-02-29"]
            .iter()
            .enumerate()
        {
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
            let n = synthetic_fnr(date, i as u32 * 37).expect("a synthetic number exists");
            assert_eq!(
                NationalId::parse_norwegian(&n).expect("valid").birth_date,
                date
            );
            assert_eq!(&n[2..3], if date.month() + 80 >= 90 { "9" } else { "8" });
        }
    }

    #[test]
    fn rejects_impossible_dates_and_lengths() {
        let n = complete("310290123").expect("valid prefix"); // 31 February
        assert_eq!(NationalId::parse("NO", &n), Err(NationalIdError::BadDate));
        assert_eq!(
            NationalId::parse("NO", "123"),
            Err(NationalIdError::NorwegianLength)
        );
        assert_eq!(
            NationalId::parse("NO", "0101901234a"),
            Err(NationalIdError::NorwegianLength)
        );
    }

    #[test]
    fn danish_cpr_date_and_century() {
        let id = NationalId::parse("DK", "070761-4285").expect("valid cpr");
        assert_eq!(id.birth_date.to_string(), "1961-07-07");
        assert_eq!(id.country(), Country::Denmark);
        let id = NationalId::parse("DK", "0101104000").expect("valid cpr");
        assert_eq!(id.birth_date.to_string(), "2010-01-01");
        assert_eq!(
            NationalId::parse("DK", "3102901234"),
            Err(NationalIdError::BadDate)
        );
        assert_eq!(
            NationalId::parse("DK", "31029012"),
            Err(NationalIdError::DanishLength)
        );
        assert_eq!(
            NationalId::parse("SE", "3102901234"),
            Err(NationalIdError::Country)
        );
    }
}
