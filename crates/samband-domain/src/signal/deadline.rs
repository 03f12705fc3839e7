//! When an alert must be acknowledged, and how long each escalation step gets.
//! Safety is due the day it is raised — a safety signal at night or on a weekend is
//! still due that same day and escalates when it is not acknowledged, because the
//! calendar of working days is not the patient's; deterioration is reviewed by the
//! next working day; engagement within a few working days.

use super::SignalClass;
use crate::calendar::WorkingCalendar;
use chrono::{Duration, NaiveDate};

/// Working days an engagement signal gets for outreach.
pub const ENGAGEMENT_WORKING_DAYS: u32 = 3;
/// How long a safety alert waits at each step once its day has passed: short, since
/// nobody answering a risk to life is not a reason to wait until tomorrow.
pub const SAFETY_STEP: Duration = Duration::hours(1);

/// A deadline in the deployment's local time: the end of a local day, or a span from
/// now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    EndOfDay(NaiveDate),
    Within(Duration),
}

/// The deadline of a newly raised alert, raised on the local day `today`.
pub fn first_deadline(class: SignalClass, today: NaiveDate, cal: &WorkingCalendar) -> Due {
    match class {
        SignalClass::Safety => Due::EndOfDay(today),
        SignalClass::Deterioration => Due::EndOfDay(cal.add_working_days(today, 1)),
        SignalClass::Engagement => {
            Due::EndOfDay(cal.add_working_days(today, ENGAGEMENT_WORKING_DAYS))
        }
    }
}

/// The deadline of the next step after an escalation on the local day `today`.
pub fn step_deadline(class: SignalClass, today: NaiveDate, cal: &WorkingCalendar) -> Due {
    match class {
        SignalClass::Safety => Due::Within(SAFETY_STEP),
        SignalClass::Deterioration | SignalClass::Engagement => {
            Due::EndOfDay(cal.add_working_days(today, 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::HolidayRegion;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn safety_is_due_the_same_day_even_on_a_weekend_or_holiday() {
        let cal = WorkingCalendar::new(HolidayRegion::Norway, []);
        // Saturday, and Christmas Day.
        for day in ["2026-03-07", "2026-12-25"] {
            assert_eq!(
                first_deadline(SignalClass::Safety, d(day), &cal),
                Due::EndOfDay(d(day))
            );
        }
        assert_eq!(
            step_deadline(SignalClass::Safety, d("2026-03-07"), &cal),
            Due::Within(Duration::hours(1))
        );
    }

    #[test]
    fn deterioration_is_due_the_next_working_day_and_engagement_in_three() {
        let cal = WorkingCalendar::new(HolidayRegion::Norway, []);
        // Friday → Monday; Saturday → Monday.
        assert_eq!(
            first_deadline(SignalClass::Deterioration, d("2026-03-06"), &cal),
            Due::EndOfDay(d("2026-03-09"))
        );
        assert_eq!(
            first_deadline(SignalClass::Deterioration, d("2026-03-07"), &cal),
            Due::EndOfDay(d("2026-03-09"))
        );
        // Maundy Thursday 2026 is 2 April: Wednesday 1 April → Tuesday 7 April.
        assert_eq!(
            first_deadline(SignalClass::Deterioration, d("2026-04-01"), &cal),
            Due::EndOfDay(d("2026-04-07"))
        );
        assert_eq!(
            first_deadline(SignalClass::Engagement, d("2026-03-06"), &cal),
            Due::EndOfDay(d("2026-03-11"))
        );
        assert_eq!(
            step_deadline(SignalClass::Engagement, d("2026-03-06"), &cal),
            Due::EndOfDay(d("2026-03-09"))
        );
    }
}
