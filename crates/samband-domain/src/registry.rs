//! The coordinator's caseload registry (collaborative care, DOMAIN.md §3): what one row
//! says about a patient, the flags that tell a care manager who needs them, and how the
//! list is sorted and filtered. The store computes the rows and applies the filters
//! and the order in the database (a caseload can hold thousands of patients); the
//! thresholds it uses are the constants here, bound into its query, so the rule is
//! written once.

use crate::string_enum;
use crate::ValidationErrors;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Weeks in treatment after which a patient who has not responded is flagged.
pub const NOT_IMPROVING_AFTER_WEEKS: i64 = 8;
/// Days without contact after which a patient is flagged.
pub const NO_CONTACT_DAYS: i64 = 30;

string_enum!(
    /// A reason a registry row needs attention.
    Flag {
        /// At or past week 8 with less than a 50 % reduction from the baseline score.
        NotImproving = "not_improving",
        /// No contact (a meeting held, or a message exchanged with the patient) in 30
        /// days, or never since enrolment more than 30 days ago.
        NoContact = "no_contact",
        /// An open safety signal.
        Safety = "safety",
        /// Work handed to the coordinator when a member left without a successor.
        NeedsNewOwner = "needs_new_owner",
        /// An open plan action past its due date.
        Overdue = "overdue",
        /// Enrolled in the last four weeks and not yet brought to case review.
        New = "new",
    }
);

string_enum!(
    /// The registry's orders. Each puts first the patients who most need attention
    /// by that measure.
    Sort {
        /// By name.
        Name = "name",
        /// Longest in treatment first.
        Enrolled = "enrolled",
        /// Longest without contact first (never contacted before anyone).
        LastContact = "last_contact",
        /// Most overdue actions first.
        Overdue = "overdue",
        /// Highest latest score first (no score last).
        LatestScore = "latest_score",
    }
);

/// Which rows a registry page holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// Rows with every one of these flags.
    pub flags: Vec<Flag>,
    /// Only patients the reader coordinates.
    pub coordinating: bool,
    /// Only the case-review queue: rows that are new, not improving or have a safety
    /// signal (any of them).
    pub review: bool,
}

impl Filter {
    /// Parses the filter as typed in a query string (`flag` may repeat or be
    /// comma-separated); an unknown flag is a field error.
    pub fn parse(flags: &[String], coordinating: Option<&str>) -> Result<Self, ValidationErrors> {
        Self::parse_with(flags, coordinating, None)
    }

    /// As [`Filter::parse`], with the case-review switch.
    pub fn parse_with(
        flags: &[String],
        coordinating: Option<&str>,
        review: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut out = Filter::default();
        for raw in flags.iter().flat_map(|f| f.split(',')).map(str::trim) {
            if raw.is_empty() {
                continue;
            }
            let flag = Flag::parse("flag", raw)?;
            if !out.flags.contains(&flag) {
                out.flags.push(flag);
            }
        }
        out.coordinating = switch("coordinating", coordinating)?;
        out.review = switch("review", review)?;
        Ok(out)
    }

    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }
}

/// A yes/no query parameter (a ticked box sends `on` or `true`).
fn switch(field: &str, raw: Option<&str>) -> Result<bool, ValidationErrors> {
    match raw.map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("on") => Ok(true),
        Some(_) => Err(ValidationErrors::single(
            field,
            "bad_choice",
            "must be true or false",
        )),
    }
}

/// The dates a registry query compares against, computed once from the clock so the
/// query binds plain values on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    /// A contact before this instant is too long ago.
    pub no_contact_before: DateTime<Utc>,
    /// Enrolled on or before this day: long enough in treatment to be judged.
    pub judged_if_enrolled_by: NaiveDate,
    /// Enrolled before this day and never contacted: flagged.
    pub uncontacted_if_enrolled_before: NaiveDate,
    /// Enrolled on or after this day and never reviewed: new.
    pub new_if_enrolled_from: NaiveDate,
}

impl Cutoffs {
    pub fn at(now: DateTime<Utc>, today: NaiveDate) -> Self {
        Self {
            today,
            now,
            no_contact_before: now - Duration::days(NO_CONTACT_DAYS),
            judged_if_enrolled_by: today - Duration::weeks(NOT_IMPROVING_AFTER_WEEKS),
            uncontacted_if_enrolled_before: today - Duration::days(NO_CONTACT_DAYS),
            new_if_enrolled_from: today - Duration::days(crate::case_review::NEW_FOR_DAYS),
        }
    }
}

/// Whole weeks from enrolment to today (0 in the first week; never negative).
pub fn weeks_in_treatment(enrolled: NaiveDate, today: NaiveDate) -> i64 {
    ((today - enrolled).num_days() / 7).max(0)
}

/// The change from the baseline to the latest score in per cent, rounded towards
/// zero (−50 means halved); `None` without both, or from a baseline of 0 (no change
/// can be expressed as a share of nothing).
pub fn percent_change(baseline: Option<i64>, latest: Option<i64>) -> Option<i64> {
    match (baseline, latest) {
        (Some(b), Some(l)) if b > 0 => Some((l - b) * 100 / b),
        _ => None,
    }
}

/// A response in the collaborative-care sense: at least a 50 % reduction from the
/// baseline. Integer arithmetic, so 10 → 5 is a response and 10 → 6 is not.
pub fn responded(baseline: i64, latest: i64) -> bool {
    latest * 2 <= baseline
}

/// A short series of scores drawn as a sparkline: the points' coordinates in a
/// `width`×`height` box, oldest left, higher scores higher, each point's x by its
/// place in the series (a sparkline shows direction, the trend chart shows time).
pub fn sparkline_points(scores: &[i64], max: i64, width: f64, height: f64) -> Vec<(f64, f64)> {
    let n = scores.len();
    let max = max.max(1) as f64;
    scores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = if n <= 1 {
                width / 2.0
            } else {
                width * i as f64 / (n - 1) as f64
            };
            let y = height - height * (*s).clamp(0, max as i64) as f64 / max;
            (x, y)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_count_whole_weeks_and_never_go_negative() {
        assert_eq!(weeks_in_treatment(day("2026-01-01"), day("2026-01-07")), 0);
        assert_eq!(weeks_in_treatment(day("2026-01-01"), day("2026-01-08")), 1);
        assert_eq!(weeks_in_treatment(day("2026-01-01"), day("2026-02-26")), 8);
        assert_eq!(weeks_in_treatment(day("2026-03-01"), day("2026-01-01")), 0);
    }

    #[test]
    fn change_is_relative_to_the_baseline() {
        assert_eq!(percent_change(Some(20), Some(10)), Some(-50));
        assert_eq!(percent_change(Some(12), Some(15)), Some(25));
        assert_eq!(percent_change(Some(9), Some(5)), Some(-44));
        assert_eq!(percent_change(Some(0), Some(5)), None);
        assert_eq!(percent_change(None, Some(5)), None);
        assert_eq!(percent_change(Some(5), None), None);
    }

    /// Every pair of PHQ-9 totals: a response is exactly a reduction of at least
    /// half, and agrees with the percentage shown beside it.
    #[test]
    fn response_is_half_or_less_over_every_pair_of_totals() {
        for b in 1..=27i64 {
            for l in 0..=27i64 {
                let by_ratio = (l as f64) <= (b as f64) / 2.0;
                assert_eq!(responded(b, l), by_ratio, "{b} → {l}");
                let shown = percent_change(Some(b), Some(l)).unwrap();
                assert_eq!(shown <= -50, responded(b, l), "{b} → {l} shows {shown}");
            }
        }
    }

    #[test]
    fn cutoffs_are_thirty_days_and_eight_weeks_back() {
        let now: DateTime<Utc> = "2026-06-30T10:00:00Z".parse().unwrap();
        let c = Cutoffs::at(now, day("2026-06-30"));
        assert_eq!(
            c.no_contact_before.to_rfc3339(),
            "2026-05-31T10:00:00+00:00"
        );
        assert_eq!(c.judged_if_enrolled_by, day("2026-05-05"));
        assert_eq!(c.uncontacted_if_enrolled_before, day("2026-05-31"));
        assert_eq!(c.new_if_enrolled_from, day("2026-06-02"));
    }

    #[test]
    fn filter_parses_repeated_and_comma_separated_flags_and_refuses_unknown() {
        let f = Filter::parse(&["overdue,safety".into(), "overdue".into()], Some("on")).unwrap();
        assert_eq!(f.flags, vec![Flag::Overdue, Flag::Safety]);
        assert!(f.coordinating);
        let e = Filter::parse(&["sad".into()], None).unwrap_err();
        assert_eq!(e.errors[0].field, "flag");
        let e = Filter::parse(&[], Some("maybe")).unwrap_err();
        assert_eq!(e.errors[0].field, "coordinating");
        assert!(Filter::parse_with(&[], None, Some("true")).unwrap().review);
        let e = Filter::parse_with(&[], None, Some("x")).unwrap_err();
        assert_eq!(e.errors[0].field, "review");
    }

    #[test]
    fn sparkline_puts_higher_scores_higher_and_spans_the_width() {
        let p = sparkline_points(&[27, 0, 13], 27, 60.0, 20.0);
        assert_eq!(p[0], (0.0, 0.0));
        assert_eq!(p[1], (30.0, 20.0));
        assert_eq!(p[2].0, 60.0);
        assert!(p[2].1 > 0.0 && p[2].1 < 20.0);
        assert_eq!(sparkline_points(&[5], 27, 60.0, 20.0)[0].0, 30.0);
    }
}
