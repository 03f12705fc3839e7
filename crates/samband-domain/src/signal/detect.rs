//! The detectors: pure functions from what was answered (or not) to the signals it
//! raises. Their inputs are small types of their own, so a scored questionnaire
//! response, a button the patient pressed and a check-in schedule feed them alike.

use super::SignalClass;
use crate::ValidationErrors;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One scored answer of an instrument (PHQ-9 for the thresholds below): its total, its
/// severity band as an ordinal (0 = the lowest band), and item 9 when it was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorePoint {
    pub at: DateTime<Utc>,
    pub total: u16,
    pub band: u8,
    pub item9: Option<u8>,
}

/// Why an alert was raised (or an occurrence added to an open one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    Item9 { score: u8 },
    PatientCrisis,
    ScoreRise { from: u16, to: u16 },
    BandRise { from: u8, to: u8 },
    WarningSign { sign: String },
    MissedCheckIns { count: u32 },
    NoAnswer { days: i64 },
}

impl Reason {
    pub fn class(&self) -> SignalClass {
        match self {
            Reason::Item9 { .. } | Reason::PatientCrisis => SignalClass::Safety,
            Reason::ScoreRise { .. } | Reason::BandRise { .. } | Reason::WarningSign { .. } => {
                SignalClass::Deterioration
            }
            Reason::MissedCheckIns { .. } | Reason::NoAnswer { .. } => SignalClass::Engagement,
        }
    }

    /// The stable code (catalogue key suffix, API value).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Item9 { .. } => "item9",
            Reason::PatientCrisis => "patient_crisis",
            Reason::ScoreRise { .. } => "score_rise",
            Reason::BandRise { .. } => "band_rise",
            Reason::WarningSign { .. } => "warning_sign",
            Reason::MissedCheckIns { .. } => "missed_check_ins",
            Reason::NoAnswer { .. } => "no_answer",
        }
    }
}

/// One signal found by a detector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub class: SignalClass,
    pub reason: Reason,
}

impl From<Reason> for Detection {
    fn from(reason: Reason) -> Self {
        Self {
            class: reason.class(),
            reason,
        }
    }
}

/// Per-patient thresholds; [`Thresholds::default`] is the clinical default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Item 9 at or above this is a safety signal (1: any answer but "not at all").
    pub item9_at_least: u8,
    /// A total risen by at least this from the previous answer is deterioration.
    pub rise_points: u16,
    /// Whether moving up one severity band or more is deterioration too.
    pub band_rise: bool,
    /// Check-ins missed in a row that make an engagement signal.
    pub missed_in_a_row: u32,
    /// Days a due check-in may go unanswered before an engagement signal.
    pub silent_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            item9_at_least: 1,
            rise_points: 5,
            band_rise: true,
            missed_in_a_row: 2,
            silent_days: 7,
        }
    }
}

impl Thresholds {
    /// A professional may tune a patient's thresholds but never switch the safety
    /// signal off: item 9's threshold stays within its answer scale (1–3).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !(1..=3).contains(&self.item9_at_least) {
            e.add("item9_at_least", "out_of_range", "must be 1, 2 or 3");
        }
        if !(1..=27).contains(&self.rise_points) {
            e.add("rise_points", "out_of_range", "must be between 1 and 27");
        }
        if !(1..=10).contains(&self.missed_in_a_row) {
            e.add(
                "missed_in_a_row",
                "out_of_range",
                "must be between 1 and 10",
            );
        }
        if !(1..=60).contains(&self.silent_days) {
            e.add(
                "silent_days",
                "out_of_range",
                "must be between 1 and 60 days",
            );
        }
        e.into_result()
    }
}

/// What a newly scored answer raises, compared with the one before it (none for a
/// first answer, which can still be a safety signal): at most one per class.
pub fn detect_score(
    previous: Option<&ScorePoint>,
    current: &ScorePoint,
    th: &Thresholds,
) -> Vec<Detection> {
    let mut out = Vec::new();
    if let Some(score) = current.item9.filter(|s| *s >= th.item9_at_least.max(1)) {
        out.push(Reason::Item9 { score }.into());
    }
    if let Some(prev) = previous {
        if current.total >= prev.total.saturating_add(th.rise_points) {
            out.push(
                Reason::ScoreRise {
                    from: prev.total,
                    to: current.total,
                }
                .into(),
            );
        } else if th.band_rise && current.band > prev.band {
            out.push(
                Reason::BandRise {
                    from: prev.band,
                    to: current.band,
                }
                .into(),
            );
        }
    }
    out
}

/// How early an answer may come and still count for the check-in it was asked for
/// (the patient may answer early).
pub const EARLY_ANSWER: Duration = Duration::days(2);

/// Engagement over one schedule: `due` are its check-ins' due times, `answers` when it
/// was answered. A check-in's window runs from [`EARLY_ANSWER`] before it is due to
/// that long before the next is due; it is *missed* when its window has closed with no
/// answer in it. Signals when the last `missed_in_a_row` closed check-ins were all
/// missed, or when the latest due check-in has had no answer for `silent_days`.
pub fn detect_engagement(
    due: &[DateTime<Utc>],
    answers: &[DateTime<Utc>],
    now: DateTime<Utc>,
    th: &Thresholds,
) -> Option<Detection> {
    let mut due: Vec<_> = due.iter().copied().filter(|d| *d <= now).collect();
    due.sort();
    let answered = |from: DateTime<Utc>, to: Option<DateTime<Utc>>| {
        answers
            .iter()
            .any(|a| *a >= from - EARLY_ANSWER && to.is_none_or(|t| *a < t - EARLY_ANSWER))
    };
    let mut missed = 0u32;
    for (i, d) in due.iter().enumerate().rev() {
        let Some(next) = due.get(i + 1) else { continue };
        if answered(*d, Some(*next)) {
            break;
        }
        missed += 1;
    }
    if missed >= th.missed_in_a_row.max(1) {
        return Some(Reason::MissedCheckIns { count: missed }.into());
    }
    let last = *due.last()?;
    let days = (now - last).num_days();
    if !answered(last, None) && days >= th.silent_days {
        return Some(Reason::NoAnswer { days }.into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn p(total: u16, band: u8, item9: Option<u8>) -> ScorePoint {
        ScorePoint {
            at: at(1, 12),
            total,
            band,
            item9,
        }
    }

    fn reasons(v: Vec<Detection>) -> Vec<Reason> {
        v.into_iter().map(|d| d.reason).collect()
    }

    #[test]
    fn item9_at_or_over_the_threshold_is_safety_even_on_a_first_answer() {
        let th = Thresholds::default();
        assert_eq!(
            reasons(detect_score(None, &p(3, 0, Some(1)), &th)),
            vec![Reason::Item9 { score: 1 }]
        );
        assert!(detect_score(None, &p(3, 0, Some(0)), &th).is_empty());
        assert!(detect_score(None, &p(3, 0, None), &th).is_empty());
        let strict = Thresholds {
            item9_at_least: 2,
            ..th
        };
        assert!(detect_score(None, &p(3, 0, Some(1)), &strict).is_empty());
        // A threshold of 0 would switch safety off; it still fires at 1.
        let zero = Thresholds {
            item9_at_least: 0,
            ..th
        };
        assert_eq!(detect_score(None, &p(3, 0, Some(1)), &zero).len(), 1);
        assert!(zero.validate().is_err());
    }

    #[test]
    fn a_rise_of_five_points_or_a_band_is_deterioration_once() {
        let th = Thresholds::default();
        let prev = p(6, 1, Some(0));
        assert_eq!(
            reasons(detect_score(Some(&prev), &p(11, 2, Some(0)), &th)),
            vec![Reason::ScoreRise { from: 6, to: 11 }]
        );
        // Four points within the band: nothing.
        assert!(detect_score(Some(&p(5, 1, None)), &p(9, 1, None), &th).is_empty());
        // Two points but up a band.
        assert_eq!(
            reasons(detect_score(Some(&p(8, 1, None)), &p(10, 2, None), &th)),
            vec![Reason::BandRise { from: 1, to: 2 }]
        );
        let no_band = Thresholds {
            band_rise: false,
            ..th
        };
        assert!(detect_score(Some(&p(8, 1, None)), &p(10, 2, None), &no_band).is_empty());
        // Falling is never a signal; both classes at once when both hold.
        assert!(detect_score(Some(&p(20, 4, None)), &p(5, 1, None), &th).is_empty());
        let both = detect_score(Some(&p(4, 0, Some(0))), &p(15, 2, Some(2)), &th);
        assert_eq!(
            both.iter().map(|d| d.class).collect::<Vec<_>>(),
            vec![SignalClass::Safety, SignalClass::Deterioration]
        );
    }

    #[test]
    fn two_missed_check_ins_in_a_row_is_engagement() {
        let th = Thresholds::default();
        let due = [at(1, 9), at(8, 9), at(15, 9), at(22, 9)];
        // Answered the first only: check-ins of the 8th and 15th missed (their windows
        // closed before the 22nd's opened); the 22nd's is still open.
        let d = detect_engagement(&due, &[at(1, 10)], at(22, 10), &th).unwrap();
        assert_eq!(d.reason, Reason::MissedCheckIns { count: 2 });
        assert_eq!(d.class, SignalClass::Engagement);
        // One missed only.
        assert!(detect_engagement(&due[..3], &[at(1, 10)], at(15, 10), &th).is_none());
        // An early answer (a day before due) counts for the check-in it precedes.
        assert!(detect_engagement(&due, &[at(1, 10), at(14, 8)], at(22, 10), &th).is_none());
    }

    #[test]
    fn a_due_check_in_unanswered_for_seven_days_is_engagement() {
        let th = Thresholds::default();
        let due = [at(1, 9)];
        assert!(detect_engagement(&due, &[], at(7, 9), &th).is_none());
        assert_eq!(
            detect_engagement(&due, &[], at(8, 9), &th).unwrap().reason,
            Reason::NoAnswer { days: 7 }
        );
        assert!(detect_engagement(&due, &[at(3, 9)], at(20, 9), &th).is_none());
        // Nothing due yet: nothing to miss.
        assert!(detect_engagement(&[at(30, 9)], &[], at(20, 9), &th).is_none());
    }
}
