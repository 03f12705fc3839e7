//! Change from baseline in measurement-based care (DOMAIN.md §3): response is a
//! reduction of at least 50 % from baseline, remission a PHQ-9 total under 5.

use super::{Direction, Instrument, InstrumentKey};

/// Change from `baseline` to `latest` in whole percent of the baseline, rounded toward
/// zero (negative is a reduction). `None` for a zero baseline, where a percentage has
/// no meaning.
pub fn percent_change(baseline: u16, latest: u16) -> Option<i32> {
    if baseline == 0 {
        return None;
    }
    let (b, l) = (i32::from(baseline), i32::from(latest));
    Some((l - b) * 100 / b)
}

/// Response: `latest` at most half of `baseline` (a reduction of ≥ 50 %), decided in
/// integers so 10 → 5 is a response and 11 → 6 is not. Only for instruments where
/// lower is better, and not from a zero baseline.
pub fn is_response(inst: &Instrument, baseline: u16, latest: u16) -> Option<bool> {
    if inst.direction != Direction::LowerIsBetter || baseline == 0 {
        return None;
    }
    Some(2 * u32::from(latest) <= u32::from(baseline))
}

/// Remission: a PHQ-9 total under 5; `None` for other instruments.
pub fn is_remission(inst: &Instrument, total: u16) -> Option<bool> {
    (inst.key == InstrumentKey::Phq9).then_some(total < 5)
}
