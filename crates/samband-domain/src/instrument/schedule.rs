//! Check-in schedules: which instrument a patient answers how often, from which day,
//! set by a professional or by a pathway milestone; the patient may pause it (with a
//! reason the team sees) and answer early. An answer — early, on time or late — starts
//! the next interval from the day it was given, so a patient is never asked twice in
//! one interval and a late answer does not leave them "due" again at once.

use super::InstrumentKey;
use crate::ids::{AccountId, PatientId, ScheduleId};
use crate::text::{self, DateWindow, SHORT};
use crate::ValidationErrors;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest interval a schedule may have, in days.
pub const MAX_EVERY_DAYS: u32 = 365;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub reason: String,
    pub at: DateTime<Utc>,
    pub by: AccountId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: ScheduleId,
    pub patient_id: PatientId,
    pub instrument: InstrumentKey,
    pub every_days: u32,
    pub starts_on: NaiveDate,
    /// The pathway milestone that set it (`<template>/<milestone>`), if one did.
    pub milestone: Option<String>,
    pub next_due: NaiveDate,
    pub last_answered_on: Option<NaiveDate>,
    pub paused: Option<Pause>,
    pub ended_on: Option<NaiveDate>,
    pub set_by: AccountId,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// What a professional sets: a new schedule, or a change to one (the instrument of an
/// existing schedule is kept; a different instrument is a new schedule).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    #[serde(default)]
    pub instrument: String,
    pub every_days: Option<i64>,
    pub starts_on: Option<NaiveDate>,
    pub milestone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFields {
    pub instrument: InstrumentKey,
    pub every_days: u32,
    pub starts_on: NaiveDate,
    pub milestone: Option<String>,
}

impl ScheduleInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ScheduleFields, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let instrument = errs.take(InstrumentKey::parse("instrument", &self.instrument));
        let every_days = match self.every_days {
            None => {
                errs.add("every_days", "required", "say how often, in days");
                None
            }
            Some(n) if !(1..=i64::from(MAX_EVERY_DAYS)).contains(&n) => {
                errs.add(
                    "every_days",
                    "out_of_range",
                    format!("must be between 1 and {MAX_EVERY_DAYS} days"),
                );
                None
            }
            Some(n) => u32::try_from(n).ok(),
        };
        let starts_on = match self.starts_on {
            None => Some(today),
            Some(d) => errs.take(DateWindow::planning(today).check("starts_on", d)),
        };
        let milestone = errs
            .take(text::optional(
                "milestone",
                self.milestone.as_deref(),
                SHORT,
            ))
            .flatten();
        errs.into_result()?;
        match (instrument, every_days, starts_on) {
            (Some(instrument), Some(every_days), Some(starts_on)) => Ok(ScheduleFields {
                instrument,
                every_days,
                starts_on,
                milestone,
            }),
            _ => Err(ValidationErrors::single("", "invalid", "invalid schedule")),
        }
    }
}

/// The pause reason the patient gives: required, one line.
pub fn pause_reason(raw: &str) -> Result<String, ValidationErrors> {
    text::required("reason", raw, SHORT)
}

fn plus(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(days))).unwrap_or(d)
}

impl Schedule {
    /// A new schedule, first due on its start day.
    pub fn new(
        patient_id: PatientId,
        f: ScheduleFields,
        set_by: AccountId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: ScheduleId::new(),
            patient_id,
            instrument: f.instrument,
            every_days: f.every_days,
            starts_on: f.starts_on,
            milestone: f.milestone,
            next_due: f.starts_on,
            last_answered_on: None,
            paused: None,
            ended_on: None,
            set_by,
            version: 1,
            created_at: now,
        }
    }

    pub fn is_active(&self) -> bool {
        self.ended_on.is_none()
    }

    /// Due on `today`: active, not paused, and its next due day has come.
    pub fn is_due(&self, today: NaiveDate) -> bool {
        self.is_active() && self.paused.is_none() && self.next_due <= today
    }

    /// Overdue by more than one interval: the patient skipped a whole check-in.
    pub fn missed(&self, today: NaiveDate) -> bool {
        self.is_due(today) && plus(self.next_due, self.every_days) <= today
    }

    /// A changed interval or start day; the next due day follows from the last answer
    /// if there was one, else from the (new) start day — never before the start day.
    /// Refuses a change of instrument (`instrument`).
    pub fn change(&self, f: ScheduleFields) -> Result<Self, ValidationErrors> {
        if f.instrument != self.instrument {
            return Err(ValidationErrors::single(
                "instrument",
                "immutable",
                "a schedule keeps its instrument; end it and set a new one",
            ));
        }
        let mut next = self.clone();
        next.every_days = f.every_days;
        next.starts_on = f.starts_on;
        next.milestone = f.milestone;
        next.next_due = match self.last_answered_on {
            Some(d) => plus(d, f.every_days).max(f.starts_on),
            None => f.starts_on,
        };
        Ok(next)
    }

    /// Answered on `on`: the next interval starts from that day.
    pub fn answered(&self, on: NaiveDate) -> Self {
        let mut next = self.clone();
        next.last_answered_on = Some(on);
        next.next_due = plus(on, self.every_days).max(self.starts_on);
        next
    }

    pub fn pause(&self, reason: String, by: AccountId, at: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.paused = Some(Pause { reason, at, by });
        next
    }

    pub fn resume(&self) -> Self {
        let mut next = self.clone();
        next.paused = None;
        next
    }

    pub fn end(&self, on: NaiveDate) -> Self {
        let mut next = self.clone();
        next.ended_on = Some(on);
        next.paused = None;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sched(every: i64, start: &str) -> Schedule {
        let f = ScheduleInput {
            instrument: "phq9".into(),
            every_days: Some(every),
            starts_on: Some(d(start)),
            milestone: None,
        }
        .validate(d("2026-03-01"))
        .unwrap();
        Schedule::new(PatientId::new(), f, AccountId::new(), t0())
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn due_from_the_start_day_then_each_interval_from_the_answer() {
        let s = sched(14, "2026-03-02");
        assert!(!s.is_due(d("2026-03-01")));
        assert!(s.is_due(d("2026-03-02")));
        // Late by three days: the next is 14 days from the answer, not from the due day.
        let s = s.answered(d("2026-03-05"));
        assert_eq!(s.next_due, d("2026-03-19"));
        assert!(!s.is_due(d("2026-03-18")));
        // Early: answering a week ahead moves the next one with it.
        let s = s.answered(d("2026-03-12"));
        assert_eq!(s.next_due, d("2026-03-26"));
        assert!(!s.missed(d("2026-04-08")) && s.missed(d("2026-04-09")));
    }

    #[test]
    fn paused_or_ended_is_never_due() {
        let s = sched(7, "2026-03-01");
        let p = s.pause("On holiday".into(), AccountId::new(), t0());
        assert!(!p.is_due(d("2026-04-01")));
        assert!(p.resume().is_due(d("2026-04-01")));
        assert!(!s.end(d("2026-03-03")).is_due(d("2026-04-01")));
        assert!(pause_reason("   ").is_err());
    }

    #[test]
    fn change_keeps_the_instrument_and_recomputes_next_due() {
        let s = sched(14, "2026-03-01").answered(d("2026-03-01"));
        let f = |every: i64, instrument: &str| {
            ScheduleInput {
                instrument: instrument.into(),
                every_days: Some(every),
                starts_on: Some(d("2026-03-01")),
                milestone: None,
            }
            .validate(d("2026-03-01"))
            .unwrap()
        };
        assert_eq!(s.change(f(28, "phq9")).unwrap().next_due, d("2026-03-29"));
        let e = s.change(f(28, "gad7")).unwrap_err();
        assert!(e.for_field("instrument").is_some());
    }

    #[test]
    fn input_errors_name_their_fields() {
        let e = ScheduleInput {
            instrument: "bdi".into(),
            every_days: Some(0),
            starts_on: Some(d("2040-01-01")),
            milestone: None,
        }
        .validate(d("2026-03-01"))
        .unwrap_err();
        for f in ["instrument", "every_days", "starts_on"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let e = ScheduleInput::default()
            .validate(d("2026-03-01"))
            .unwrap_err();
        assert!(e.for_field("every_days").is_some());
    }
}
