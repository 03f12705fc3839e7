//! Milestone windows over a range of anchor dates: every day of 2027–2029 (month ends,
//! the leap day of 2028, year ends), for every shipped template. The expected dates are
//! counted independently of the schedule, as day numbers since the common era.

use super::catalogue::shipped;
use super::*;
use chrono::{Datelike, NaiveDate};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn day_number(x: NaiveDate) -> i64 {
    i64::from(x.num_days_from_ce())
}

#[test]
fn every_window_lies_its_days_from_every_anchor_of_2027_to_2029() {
    let all = shipped().unwrap();
    let mut anchor = d(2027, 1, 1);
    let mut anchors = 0;
    while anchor <= d(2029, 12, 31) {
        for t in &all {
            let s = schedule(t, anchor);
            let expected: usize = t
                .milestones()
                .map(|(_, m)| m.repeat.map_or(1, |r| r.count as usize))
                .sum();
            assert_eq!(s.len(), expected, "{} from {anchor}", t.key);
            for occ in &s {
                let m = t.milestone(&occ.milestone).unwrap();
                let shift = m.repeat.map_or(0, |r| {
                    i64::from(r.every_days) * i64::from(occ.occurrence - 1)
                });
                assert_eq!(
                    day_number(occ.opens) - day_number(anchor),
                    i64::from(m.window.opens_day) + shift,
                    "{}:{} #{} opens, anchor {anchor}",
                    t.key,
                    occ.milestone,
                    occ.occurrence
                );
                assert_eq!(
                    day_number(occ.due) - day_number(anchor),
                    i64::from(m.window.due_day) + shift,
                    "{}:{} #{} due, anchor {anchor}",
                    t.key,
                    occ.milestone,
                    occ.occurrence
                );
                assert!(occ.opens <= occ.due);
                // The state turns on the exact days, whatever month they fall in.
                assert_eq!(occ.state(occ.due, false), MilestoneState::Open);
                assert_eq!(
                    occ.state(occ.due.succ_opt().unwrap(), false),
                    MilestoneState::Overdue
                );
                assert_eq!(
                    occ.state(occ.opens.pred_opt().unwrap(), false),
                    MilestoneState::Upcoming
                );
                assert_eq!(occ.state(occ.opens, false), MilestoneState::Open);
            }
            // Due order, whatever the anchor.
            assert!(s.windows(2).all(|w| w[0].due <= w[1].due));
        }
        anchors += 1;
        anchor = anchor.succ_opt().unwrap();
    }
    assert_eq!(anchors, 365 + 366 + 365);
}

#[test]
fn windows_across_month_ends_and_the_leap_day_fall_on_the_calendar_dates() {
    let all = shipped().unwrap();
    let sick = all
        .iter()
        .find(|t| t.key == "sick_leave_follow_up")
        .unwrap();
    let cancer = all.iter().find(|t| t.key == "cancer_home").unwrap();
    let due = |t: &PathwayTemplate, anchor: NaiveDate, key: &str| {
        schedule(t, anchor)
            .into_iter()
            .find(|s| s.milestone == key)
            .unwrap()
            .due
    };
    // The municipal contact is named within 14 days: from 31 January into February
    // of a common year and of the leap year, and from the leap day into March.
    assert_eq!(
        due(cancer, d(2027, 1, 31), "municipal_contact_named"),
        d(2027, 2, 14)
    );
    assert_eq!(
        due(cancer, d(2028, 2, 20), "municipal_contact_named"),
        d(2028, 3, 5)
    );
    assert_eq!(
        due(cancer, d(2027, 2, 20), "municipal_contact_named"),
        d(2027, 3, 6)
    );
    assert_eq!(
        due(cancer, d(2028, 2, 29), "municipal_contact_named"),
        d(2028, 3, 14)
    );
    // 3–4 months: day 91 to 122 after a diagnosis on 30 November crosses the year end.
    let s = schedule(cancer, d(2027, 11, 30));
    let m34 = s
        .iter()
        .find(|x| x.milestone == "needs_mapping_3_4_months")
        .unwrap();
    assert_eq!((m34.opens, m34.due), (d(2028, 2, 29), d(2028, 3, 31)));
    // 52 weeks of benefit from the first day of sick leave is 364 days, leap day or not.
    let first = sick.phases[0].milestones[0].window;
    assert!(first.due_day > 0);
    let end_key = sick
        .milestones()
        .map(|(_, m)| m)
        .max_by_key(|m| m.window.due_day)
        .unwrap();
    let days = i64::from(end_key.window.due_day);
    for anchor in [d(2027, 3, 1), d(2028, 3, 1), d(2027, 2, 28), d(2028, 2, 28)] {
        let got = due(sick, anchor, &end_key.key);
        assert_eq!(day_number(got) - day_number(anchor), days);
    }
    // Concretely: over the leap day of 2028 and not.
    assert_eq!(due(sick, d(2028, 2, 28), "end_of_benefit"), d(2029, 2, 26));
    assert_eq!(due(sick, d(2027, 3, 1), "end_of_benefit"), d(2028, 2, 28));
}
