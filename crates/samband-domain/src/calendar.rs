//! Working days: which dates count when a deadline is given in working days.
//!
//! Deadlines in care coordination are often stated in working days rather than calendar
//! days. For example, a deadline such as "5 working days" to acknowledge or answer a
//! dialogue message, as in the Norwegian driving rules for dialogue messages, means five
//! days on which the receiving service is normally staffed: weekends and public holidays
//! do not count. Computing such a deadline with calendar days would make it expire over
//! Easter or Christmas before anyone could reasonably have acted on the message.
//!
//! This module is pure: a [`WorkingCalendar`] knows its [`HolidayRegion`]'s public
//! holidays (computed, not looked up) and any extra closed dates it was configured with
//! (e.g. a municipality's own closing days). It never reads the system clock; callers pass
//! the dates in.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// Whose public holidays count as non-working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolidayRegion {
    Norway,
    Denmark,
    /// Only weekends are non-working days (plus any extra configured dates).
    None,
}

impl HolidayRegion {
    /// Parses a configuration value: `"no"`/`"norway"`, `"dk"`/`"denmark"` or `"none"`,
    /// ignoring ASCII case and surrounding whitespace. Anything else is `None` (the
    /// `Option`), so a typo in configuration is reported rather than silently treated as
    /// "no holidays".
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "no" | "norway" => Some(Self::Norway),
            "dk" | "denmark" => Some(Self::Denmark),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    fn rules(self) -> &'static [Holiday] {
        match self {
            Self::Norway => NORWAY,
            Self::Denmark => DENMARK,
            Self::None => &[],
        }
    }
}

/// When a public holiday falls in a given year.
#[derive(Debug, Clone, Copy)]
enum When {
    /// The same month and day every year.
    Fixed { month: u32, day: u32 },
    /// This many days after (negative: before) Easter Sunday.
    Easter(i64),
}

#[derive(Debug, Clone, Copy)]
struct Holiday {
    name: &'static str,
    when: When,
    /// The first year in which the holiday no longer exists, if it was abolished.
    abolished_from: Option<i32>,
}

const fn fixed(name: &'static str, month: u32, day: u32) -> Holiday {
    Holiday {
        name,
        when: When::Fixed { month, day },
        abolished_from: None,
    }
}

const fn easter(name: &'static str, offset: i64) -> Holiday {
    Holiday {
        name,
        when: When::Easter(offset),
        abolished_from: None,
    }
}

/// Norway's public holidays (helligdager and the two statutory public holidays 1 and 17
/// May). Christmas Eve and New Year's Eve are not public holidays in Norway; many offices
/// close early, but they are working days.
const NORWAY: &[Holiday] = &[
    fixed("New Year's Day", 1, 1),
    easter("Maundy Thursday", -3),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Constitution Day", 5, 17),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    fixed("Christmas Day", 12, 25),
    fixed("Boxing Day", 12, 26),
];

/// Denmark's public holidays, plus two days that are not statutory holidays but on which
/// most workplaces, including public services, are closed, so a working-day deadline
/// should not count them: Constitution Day (5 June) and Christmas Eve (24 December).
const DENMARK: &[Holiday] = &[
    fixed("New Year's Day", 1, 1),
    easter("Maundy Thursday", -3),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    // Store bededag was abolished as a public holiday by law from 2024.
    Holiday {
        name: "Great Prayer Day",
        when: When::Easter(26),
        abolished_from: Some(2024),
    },
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    // Not a statutory public holiday, but by custom and most collective agreements a day
    // (or half day) off.
    fixed("Constitution Day", 6, 5),
    // Not a statutory public holiday, but widely a non-working day: public offices and
    // most workplaces are closed, so a message sent on the 23rd will not be handled then.
    fixed("Christmas Eve", 12, 24),
    fixed("Christmas Day", 12, 25),
    fixed("Boxing Day", 12, 26),
];

impl Holiday {
    fn applies_in(&self, year: i32) -> bool {
        self.abolished_from.is_none_or(|from| year < from)
    }

    /// The holiday's date in `year`, given that year's Easter Sunday (if representable).
    fn date_in(&self, year: i32, easter_sunday: Option<NaiveDate>) -> Option<NaiveDate> {
        if !self.applies_in(year) {
            return None;
        }
        match self.when {
            When::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            When::Easter(offset) => easter_sunday.and_then(|e| offset_days(e, offset)),
        }
    }
}

fn offset_days(date: NaiveDate, offset: i64) -> Option<NaiveDate> {
    let days = Days::new(offset.unsigned_abs());
    if offset >= 0 {
        date.checked_add_days(days)
    } else {
        date.checked_sub_days(days)
    }
}

/// Easter Sunday in `year` (proleptic Gregorian calendar), by the anonymous Gregorian
/// computus (Meeus/Jones/Butcher). `None` only if the date is outside what `NaiveDate`
/// can represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n.div_euclid(31)).ok()?;
    let day = u32::try_from(n.rem_euclid(31) + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Which dates are working days: not Saturday or Sunday, not a public holiday of the
/// region, and not one of the extra closed dates the calendar was configured with.
///
/// Used to compute deadlines stated in working days (e.g. "acknowledge within 5 working
/// days"), so that weekends and holidays do not eat into the time a service has to act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    region: HolidayRegion,
    extra: BTreeSet<NaiveDate>,
}

impl Default for WorkingCalendar {
    /// Norway's public holidays and no extra closed dates.
    fn default() -> Self {
        Self::new(HolidayRegion::Norway, [])
    }
}

impl WorkingCalendar {
    /// A calendar for `region` where the `extra` dates (e.g. local closing days) are
    /// non-working days too.
    pub fn new(region: HolidayRegion, extra: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            region,
            extra: extra.into_iter().collect(),
        }
    }

    pub fn region(&self) -> HolidayRegion {
        self.region
    }

    /// The extra non-working dates, in order.
    pub fn extra_dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.extra.iter().copied()
    }

    /// The English name of the region's public holiday on `date`, if any (the first, if
    /// two fall on the same day). Extra configured dates are not holidays in this sense.
    pub fn public_holiday(&self, date: NaiveDate) -> Option<&'static str> {
        let year = date.year();
        let mut easter = None;
        self.region.rules().iter().find_map(|rule| {
            let easter_sunday = match rule.when {
                When::Fixed { .. } => None,
                When::Easter(_) => *easter.get_or_insert_with(|| easter_sunday(year)),
            };
            (rule.date_in(year, easter_sunday) == Some(date)).then_some(rule.name)
        })
    }

    /// Whether `date` is a working day: not a Saturday or Sunday, not a public holiday of
    /// the region, and not an extra configured date.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !self.extra.contains(&date)
            && self.public_holiday(date).is_none()
    }

    /// `date` itself if it is a working day, otherwise the first working day after it.
    /// (Saturates at the last date `NaiveDate` can represent.)
    pub fn next_working_day_on_or_after(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
        }
        d
    }

    /// The date `n` working days after `start`. `start` itself never counts, so Friday + 1
    /// is Monday (in a normal week), whether or not `start` is a working day. With `n = 0`
    /// the result is `start` if it is a working day, otherwise the next working day: the
    /// earliest day on which something received on `start` can be handled.
    /// (Saturates at the last date `NaiveDate` can represent.)
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return self.next_working_day_on_or_after(start);
        }
        let mut d = start;
        let mut counted = 0;
        while counted < n {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
            if self.is_working_day(d) {
                counted += 1;
            }
        }
        d
    }

    /// The number of working days `d` with `a < d <= b`; negative (minus the number of
    /// working days in `b < d <= a`) if `b` is before `a`. For a working day `start` and
    /// `n > 0`, `working_days_between(start, add_working_days(start, n)) == n`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count: i64 = 0;
        let mut d = from;
        while d < to {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
            if self.is_working_day(d) {
                count += 1;
            }
        }
        sign * count
    }

    /// The region's public holidays in `year`, by date, with their English names. Two
    /// holidays on the same date (e.g. Norway's Constitution Day and Whit Monday in 2027)
    /// are both listed. Extra configured dates are not included.
    pub fn holidays(&self, year: i32) -> Vec<(NaiveDate, &'static str)> {
        let easter = easter_sunday(year);
        let mut days: Vec<(NaiveDate, &'static str)> = self
            .region
            .rules()
            .iter()
            .filter_map(|rule| rule.date_in(year, easter).map(|date| (date, rule.name)))
            .collect();
        // Stable: same-date holidays keep the order of the rule table.
        days.sort_by_key(|(date, _)| *date);
        days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn norway() -> WorkingCalendar {
        WorkingCalendar::new(HolidayRegion::Norway, [])
    }

    fn denmark() -> WorkingCalendar {
        WorkingCalendar::new(HolidayRegion::Denmark, [])
    }

    #[test]
    fn easter_sunday_known_years() {
        for (year, expected) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
            // Extremes of the Gregorian range: 22 March and 25 April.
            (2285, "2285-03-22"),
            (1943, "1943-04-25"),
            (2000, "2000-04-23"),
        ] {
            assert_eq!(easter_sunday(year), Some(date(expected)), "{year}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_between_22_march_and_25_april() {
        for year in 1583..=2500 {
            let e = easter_sunday(year).unwrap();
            assert_eq!(e.weekday(), Weekday::Sun, "{year}");
            assert!(e >= NaiveDate::from_ymd_opt(year, 3, 22).unwrap(), "{year}");
            assert!(e <= NaiveDate::from_ymd_opt(year, 4, 25).unwrap(), "{year}");
        }
    }

    #[test]
    fn parse_accepts_codes_and_names() {
        assert_eq!(HolidayRegion::parse("no"), Some(HolidayRegion::Norway));
        assert_eq!(HolidayRegion::parse("norway"), Some(HolidayRegion::Norway));
        assert_eq!(HolidayRegion::parse(" NO "), Some(HolidayRegion::Norway));
        assert_eq!(HolidayRegion::parse("dk"), Some(HolidayRegion::Denmark));
        assert_eq!(
            HolidayRegion::parse("Denmark"),
            Some(HolidayRegion::Denmark)
        );
        assert_eq!(HolidayRegion::parse("none"), Some(HolidayRegion::None));
        assert_eq!(HolidayRegion::parse(""), None);
        assert_eq!(HolidayRegion::parse("se"), None);
        assert_eq!(HolidayRegion::parse("nor"), None);
    }

    #[test]
    fn default_is_norway_without_extra_dates() {
        let cal = WorkingCalendar::default();
        assert_eq!(cal.region(), HolidayRegion::Norway);
        assert_eq!(cal.extra_dates().count(), 0);
        assert_eq!(cal, norway());
    }

    #[test]
    fn norway_holidays_2026() {
        let expected = [
            ("2026-01-01", "New Year's Day"),
            ("2026-04-02", "Maundy Thursday"),
            ("2026-04-03", "Good Friday"),
            ("2026-04-05", "Easter Sunday"),
            ("2026-04-06", "Easter Monday"),
            ("2026-05-01", "Labour Day"),
            ("2026-05-14", "Ascension Day"),
            ("2026-05-17", "Constitution Day"),
            ("2026-05-24", "Whit Sunday"),
            ("2026-05-25", "Whit Monday"),
            ("2026-12-25", "Christmas Day"),
            ("2026-12-26", "Boxing Day"),
        ]
        .map(|(d, name)| (date(d), name));
        assert_eq!(norway().holidays(2026), expected.to_vec());
    }

    #[test]
    fn denmark_holidays_include_great_prayer_day_only_before_2024() {
        let h2023 = denmark().holidays(2023);
        assert!(h2023.contains(&(date("2023-05-05"), "Great Prayer Day")));
        assert_eq!(h2023.len(), 13);
        assert!(!denmark().is_working_day(date("2023-05-05")));

        let h2024 = denmark().holidays(2024);
        assert!(h2024.iter().all(|(_, name)| *name != "Great Prayer Day"));
        assert_eq!(h2024.len(), 12);
        // Easter 2024 + 26 = Friday 26 April 2024: an ordinary working day now.
        assert!(denmark().is_working_day(date("2024-04-26")));
        assert!(h2024.contains(&(date("2024-06-05"), "Constitution Day")));
        assert!(h2024.contains(&(date("2024-12-24"), "Christmas Eve")));
    }

    #[test]
    fn holidays_are_sorted_and_coinciding_ones_are_both_listed() {
        let h = norway().holidays(2027);
        assert!(h.windows(2).all(|w| w[0].0 <= w[1].0));
        let on_17_may: Vec<_> = h
            .iter()
            .filter(|(d, _)| *d == date("2027-05-17"))
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(on_17_may, ["Constitution Day", "Whit Monday"]);
        assert!(WorkingCalendar::new(HolidayRegion::None, [])
            .holidays(2027)
            .is_empty());
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        let cal = norway();
        assert!(cal.is_working_day(date("2026-11-27"))); // Friday
        assert!(!cal.is_working_day(date("2026-11-28"))); // Saturday
        assert!(!cal.is_working_day(date("2026-11-29"))); // Sunday
        assert!(!cal.is_working_day(date("2026-01-01"))); // Thursday, New Year's Day
        assert!(!cal.is_working_day(date("2026-05-14"))); // Thursday, Ascension Day
                                                          // 17 May 2027 is a Monday (and Whit Monday): not a working day in Norway.
        assert!(!cal.is_working_day(date("2027-05-17")));
        assert_eq!(
            cal.public_holiday(date("2027-05-17")),
            Some("Constitution Day")
        );
        // 5 June is Constitution Day in Denmark, not in Norway.
        assert!(cal.is_working_day(date("2026-06-05")));
        assert!(!denmark().is_working_day(date("2026-06-05")));
        assert_eq!(cal.public_holiday(date("2026-06-05")), None);
    }

    #[test]
    fn region_none_only_skips_weekends() {
        let cal = WorkingCalendar::new(HolidayRegion::None, []);
        assert!(cal.is_working_day(date("2026-12-25")));
        assert!(cal.is_working_day(date("2026-01-01")));
        assert!(!cal.is_working_day(date("2026-12-26")));
        assert_eq!(
            cal.add_working_days(date("2026-12-23"), 2),
            date("2026-12-25")
        );
    }

    #[test]
    fn adding_working_days_skips_weekends() {
        let cal = norway();
        assert_eq!(
            cal.add_working_days(date("2026-11-27"), 1),
            date("2026-11-30")
        );
        assert_eq!(
            cal.add_working_days(date("2026-11-23"), 5),
            date("2026-11-30")
        );
        // Start on a Saturday: the start does not count, Monday is the first.
        assert_eq!(
            cal.add_working_days(date("2026-11-28"), 1),
            date("2026-11-30")
        );
    }

    #[test]
    fn adding_zero_working_days() {
        let cal = norway();
        assert_eq!(
            cal.add_working_days(date("2026-11-27"), 0),
            date("2026-11-27")
        );
        assert_eq!(
            cal.add_working_days(date("2026-11-28"), 0),
            date("2026-11-30")
        );
        assert_eq!(
            cal.next_working_day_on_or_after(date("2026-12-25")),
            date("2026-12-28")
        );
        assert_eq!(
            cal.next_working_day_on_or_after(date("2026-12-24")),
            date("2026-12-24")
        );
    }

    #[test]
    fn christmas_2026_norway_and_denmark_differ_on_christmas_eve() {
        // Norway: 24 December is not a public holiday.
        assert_eq!(
            norway().add_working_days(date("2026-12-23"), 1),
            date("2026-12-24")
        );
        // 25 Fri and 26 Sat are holidays, 27 is a Sunday.
        assert_eq!(
            norway().add_working_days(date("2026-12-24"), 1),
            date("2026-12-28")
        );
        // Denmark: Christmas Eve is a non-working day too.
        assert_eq!(
            denmark().add_working_days(date("2026-12-23"), 1),
            date("2026-12-28")
        );
    }

    #[test]
    fn easter_2026_norway() {
        // Thu 2 Maundy Thursday, Fri 3 Good Friday, Sat, Sun, Mon 6 Easter Monday.
        assert_eq!(
            norway().add_working_days(date("2026-04-01"), 1),
            date("2026-04-07")
        );
        assert_eq!(
            norway().working_days_between(date("2026-04-01"), date("2026-04-07")),
            1
        );
    }

    #[test]
    fn extra_dates_are_skipped() {
        let cal = WorkingCalendar::new(HolidayRegion::Norway, [date("2026-11-30")]);
        assert!(!cal.is_working_day(date("2026-11-30")));
        assert_eq!(cal.public_holiday(date("2026-11-30")), None);
        assert_eq!(
            cal.add_working_days(date("2026-11-27"), 1),
            date("2026-12-01")
        );
        assert_eq!(
            cal.extra_dates().collect::<Vec<_>>(),
            vec![date("2026-11-30")]
        );
        assert!(cal
            .holidays(2026)
            .iter()
            .all(|(d, _)| *d != date("2026-11-30")));
    }

    #[test]
    fn working_days_between_counts_the_half_open_interval() {
        let cal = norway();
        // Mon 23 .. Mon 30 November 2026: 24, 25, 26, 27, 30.
        assert_eq!(
            cal.working_days_between(date("2026-11-23"), date("2026-11-30")),
            5
        );
        assert_eq!(
            cal.working_days_between(date("2026-11-30"), date("2026-11-23")),
            -5
        );
        assert_eq!(
            cal.working_days_between(date("2026-11-23"), date("2026-11-23")),
            0
        );
        // Friday to Sunday: no working days.
        assert_eq!(
            cal.working_days_between(date("2026-11-27"), date("2026-11-29")),
            0
        );
        // Whole of 2026: 365 days, 104 weekend days, 8 holidays on weekdays (Easter
        // Sunday, Constitution Day, Whit Sunday and Boxing Day fall on weekends).
        assert_eq!(
            cal.working_days_between(date("2025-12-31"), date("2026-12-31")),
            365 - 104 - 8
        );
    }

    #[test]
    fn working_days_between_agrees_with_add_working_days() {
        for cal in [
            norway(),
            denmark(),
            WorkingCalendar::new(
                HolidayRegion::Norway,
                [date("2026-07-15"), date("2026-10-02")],
            ),
        ] {
            let mut start = date("2026-01-01");
            while start < date("2027-01-01") {
                for n in 0..15u32 {
                    let end = cal.add_working_days(start, n);
                    assert!(end >= start);
                    assert!(cal.is_working_day(end), "{start} + {n} = {end}");
                    if n > 0 && cal.is_working_day(start) {
                        assert_eq!(
                            cal.working_days_between(start, end),
                            i64::from(n),
                            "{start} + {n} = {end}"
                        );
                        assert_eq!(cal.working_days_between(end, start), -i64::from(n));
                    }
                    if n > 0 {
                        // Whether or not start is a working day, it never counts.
                        assert_eq!(cal.working_days_between(start, end), i64::from(n));
                    }
                }
                start = start.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let cal = norway();
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 3), NaiveDate::MAX);
        let _ = cal.holidays(NaiveDate::MAX.year());
        let _ = cal.holidays(NaiveDate::MIN.year());
        let _ = cal.is_working_day(NaiveDate::MIN);
        assert_eq!(easter_sunday(i32::MAX), None);
    }
}
