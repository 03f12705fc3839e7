//! What a trend chart shows, decided here so it can be tested without drawing: one
//! series per instrument total (its chart value) or, for ESAS-r, per symptom; the
//! baseline (the first answer); and where the line must break. Sparse data is shown
//! as sparse: points are joined only when the gap between them is at most twice the
//! schedule's interval, nothing is smoothed or interpolated, and fewer than three
//! answers are flagged so the page can say so.

use super::{Instrument, InstrumentKey, MissingRule, ScoredResponse, Text3};
use chrono::{DateTime, Duration, Utc};

/// Below this many answers a trend is called out as too few to read a trend from.
pub const FEW_ANSWERS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendPoint {
    pub at: DateTime<Utc>,
    pub value: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// `total`, or the item's key for a per-item series.
    pub key: &'static str,
    pub label: Option<Text3>,
    /// Oldest first.
    pub points: Vec<TrendPoint>,
    /// Runs of consecutive points close enough to join with a line; a run of one is a
    /// point alone.
    pub runs: Vec<Vec<TrendPoint>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    pub instrument: InstrumentKey,
    pub series: Vec<Series>,
    /// The first answer's value, for the baseline line (totals only).
    pub baseline: Option<u16>,
    /// Fewer than [`FEW_ANSWERS`] answers.
    pub sparse: bool,
    pub max_gap: Duration,
}

/// Splits `points` (oldest first) where two neighbours are more than `max_gap` apart.
pub fn runs(points: &[TrendPoint], max_gap: Duration) -> Vec<Vec<TrendPoint>> {
    let mut out: Vec<Vec<TrendPoint>> = Vec::new();
    for p in points {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|l| p.at - l.at <= max_gap) => run.push(*p),
            _ => out.push(vec![*p]),
        }
    }
    out
}

/// The trend of `responses` (any order) of `inst`, breaking lines at gaps over twice
/// `every_days`.
pub fn trend(inst: &Instrument, responses: &[ScoredResponse], every_days: u32) -> Trend {
    let mut rs: Vec<&ScoredResponse> = responses
        .iter()
        .filter(|r| r.instrument == inst.key)
        .collect();
    rs.sort_by_key(|r| r.answered_at);
    let max_gap = Duration::days(2 * i64::from(every_days.max(1)));
    let series_of = |key: &'static str, label, value: &dyn Fn(&ScoredResponse) -> Option<u16>| {
        let points: Vec<TrendPoint> = rs
            .iter()
            .filter_map(|r| {
                value(r).map(|v| TrendPoint {
                    at: r.answered_at,
                    value: v,
                })
            })
            .collect();
        Series {
            key,
            label,
            runs: runs(&points, max_gap),
            points,
        }
    };
    let series = if inst.missing == MissingRule::PerItemOnly {
        inst.items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                series_of(item.key, Some(item.text), &|r: &ScoredResponse| {
                    r.items.get(i).copied().flatten().map(u16::from)
                })
            })
            .collect()
    } else {
        vec![series_of("total", None, &|r: &ScoredResponse| {
            r.scores.chart_value()
        })]
    };
    let baseline = if inst.missing == MissingRule::PerItemOnly {
        None
    } else {
        series
            .first()
            .and_then(|s| s.points.first())
            .map(|p| p.value)
    };
    Trend {
        instrument: inst.key,
        sparse: rs.len() < FEW_ANSWERS,
        series,
        baseline,
        max_gap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PatientId;
    use crate::instrument::get;

    fn at(day: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::days(day)
    }

    fn phq9(day: i64, each: u8) -> ScoredResponse {
        ScoredResponse::new(
            get(InstrumentKey::Phq9),
            PatientId::new(),
            vec![Some(each); 9],
            at(day),
        )
        .unwrap()
    }

    #[test]
    fn a_gap_over_twice_the_interval_breaks_the_line() {
        // Every 14 days: 0, 14, 28 joined; 28 → 57 is 29 days (> 28), a break; 57 → 85 joined.
        let rs = [
            phq9(57, 1),
            phq9(0, 3),
            phq9(14, 2),
            phq9(28, 2),
            phq9(85, 0),
        ];
        let t = trend(get(InstrumentKey::Phq9), &rs, 14);
        let s = &t.series[0];
        assert_eq!(s.points.len(), 5);
        let lens: Vec<_> = s.runs.iter().map(Vec::len).collect();
        assert_eq!(lens, [3, 2]);
        assert_eq!(t.baseline, Some(27));
        assert!(!t.sparse);
        // Exactly twice the interval still joins.
        let t = trend(get(InstrumentKey::Phq9), &[phq9(0, 1), phq9(28, 1)], 14);
        assert_eq!(t.series[0].runs.len(), 1);
        assert!(t.sparse);
    }

    #[test]
    fn a_response_without_a_total_is_left_out_not_guessed() {
        let mut items = vec![Some(1); 9];
        items[0] = None;
        items[1] = None;
        let gap =
            ScoredResponse::new(get(InstrumentKey::Phq9), PatientId::new(), items, at(14)).unwrap();
        let t = trend(
            get(InstrumentKey::Phq9),
            &[phq9(0, 1), gap, phq9(28, 1)],
            14,
        );
        assert_eq!(t.series[0].points.len(), 2);
    }

    #[test]
    fn esas_has_one_series_per_symptom_and_no_baseline() {
        let inst = get(InstrumentKey::EsasR);
        let mut a = vec![None; 9];
        a[0] = Some(7);
        let r = ScoredResponse::new(inst, PatientId::new(), a, at(0)).unwrap();
        let t = trend(inst, &[r], 7);
        assert_eq!(t.series.len(), 9);
        assert_eq!(t.series[0].points[0].value, 7);
        assert!(t.series[1].points.is_empty());
        assert_eq!(t.baseline, None);
    }
}
