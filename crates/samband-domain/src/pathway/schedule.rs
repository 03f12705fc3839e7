//! An enrolment's milestones as dates: each template milestone (and each repetition of
//! one) placed against the anchor date, and its state on a given day.

use super::template::{CareRole, Milestone, PathwayTemplate};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// One milestone occurrence on the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheduled {
    pub phase: String,
    pub milestone: String,
    /// 1 for the first (or only) occurrence, then 2, 3, … for repetitions.
    pub occurrence: u32,
    pub opens: NaiveDate,
    pub due: NaiveDate,
    pub role: CareRole,
}

/// Where an occurrence stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Its window has not opened yet.
    Upcoming,
    /// Inside its window.
    Open,
    /// Past its due date and not done.
    Overdue,
    Done,
}

impl MilestoneState {
    pub fn as_str(&self) -> &'static str {
        match self {
            MilestoneState::Upcoming => "upcoming",
            MilestoneState::Open => "open",
            MilestoneState::Overdue => "overdue",
            MilestoneState::Done => "done",
        }
    }
}

fn shift(anchor: NaiveDate, days: i64) -> NaiveDate {
    // Validated templates keep every day within ten years of the anchor; only an
    // anchor at the very edge of chrono's range could overflow, and then the anchor
    // itself is the honest answer.
    anchor
        .checked_add_signed(Duration::days(days))
        .unwrap_or(anchor)
}

fn occurrences(phase: &str, m: &Milestone, anchor: NaiveDate) -> Vec<Scheduled> {
    let (every, count) = m.repeat.map_or((0, 1), |r| (r.every_days, r.count));
    (0..count)
        .map(|i| {
            let offset = i64::from(every) * i64::from(i);
            Scheduled {
                phase: phase.to_owned(),
                milestone: m.key.clone(),
                occurrence: i + 1,
                opens: shift(anchor, i64::from(m.window.opens_day) + offset),
                due: shift(anchor, i64::from(m.window.due_day) + offset),
                role: m.role,
            }
        })
        .collect()
}

/// Every occurrence of every milestone, in due order (then template order).
pub fn schedule(t: &PathwayTemplate, anchor: NaiveDate) -> Vec<Scheduled> {
    let mut all: Vec<Scheduled> = t
        .phases
        .iter()
        .flat_map(|p| {
            p.milestones
                .iter()
                .flat_map(|m| occurrences(&p.key, m, anchor))
        })
        .collect();
    // A stable sort keeps the template's order among milestones due the same day.
    all.sort_by_key(|s| s.due);
    all
}

impl Scheduled {
    pub fn state(&self, today: NaiveDate, done: bool) -> MilestoneState {
        if done {
            MilestoneState::Done
        } else if today > self.due {
            MilestoneState::Overdue
        } else if today >= self.opens {
            MilestoneState::Open
        } else {
            MilestoneState::Upcoming
        }
    }
}
