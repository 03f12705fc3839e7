//! A patient's enrolment on a pathway: the template version it started on, the anchor
//! date, and which milestone occurrences are done, how (evidence or a note) and when.
//! What is due, open or overdue follows from the schedule and these completions.

use super::needs::MappingPoint;
use super::schedule::{schedule, MilestoneState, Scheduled};
use super::template::{Evidence, PathwayTemplate};
use crate::ids::{EnrolmentId, MemberId, PatientId};
use crate::meeting::MeetingKind;
use crate::text::{self, DateWindow, LONG};
use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How a milestone occurrence was completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum CompletedBy {
    /// The event its template names happened (the app records which object).
    Evidence { reference: String },
    /// A professional completed it by hand, with a note saying why.
    Manual { member: MemberId, note: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub milestone: String,
    pub occurrence: u32,
    pub on: NaiveDate,
    pub by: CompletedBy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub id: EnrolmentId,
    pub patient_id: PatientId,
    pub template_key: String,
    pub template_version: u32,
    pub anchor_date: NaiveDate,
    pub enrolled_by: MemberId,
    pub ended_on: Option<NaiveDate>,
    pub completions: Vec<Completion>,
    pub version: i64,
}

/// An event that may complete a milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    MeetingHeld(MeetingKind),
    HandoverAcknowledged,
    /// A needs-mapping conversation at this point of the pathway.
    NeedsMappingRecorded(MappingPoint),
    QuestionnaireAnswered(&'a str),
}

impl Evidence {
    fn matches(&self, e: &Event<'_>) -> bool {
        match (self, e) {
            (Evidence::Meeting { meeting }, Event::MeetingHeld(k)) => meeting == k,
            (Evidence::HandoverAcknowledged, Event::HandoverAcknowledged) => true,
            (Evidence::NeedsMapping { point }, Event::NeedsMappingRecorded(at)) => {
                point.is_none_or(|p| p == *at)
            }
            (Evidence::Questionnaire { instrument }, Event::QuestionnaireAnswered(i)) => {
                instrument == i
            }
            _ => false,
        }
    }
}

/// One occurrence with its state, as the overview and the patient's page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneView {
    pub scheduled: Scheduled,
    pub state: MilestoneState,
    pub completion: Option<Completion>,
}

impl Enrolment {
    pub fn is_done(&self, milestone: &str, occurrence: u32) -> bool {
        self.completion(milestone, occurrence).is_some()
    }

    fn completion(&self, milestone: &str, occurrence: u32) -> Option<&Completion> {
        self.completions
            .iter()
            .find(|c| c.milestone == milestone && c.occurrence == occurrence)
    }

    /// Every occurrence with its state on `today`.
    pub fn milestones(&self, t: &PathwayTemplate, today: NaiveDate) -> Vec<MilestoneView> {
        schedule(t, self.anchor_date)
            .into_iter()
            .map(|s| {
                let completion = self.completion(&s.milestone, s.occurrence).cloned();
                let state = s.state(today, completion.is_some());
                MilestoneView {
                    scheduled: s,
                    state,
                    completion,
                }
            })
            .collect()
    }

    /// The occurrences overdue on `today` (none once the enrolment has ended).
    pub fn overdue(&self, t: &PathwayTemplate, today: NaiveDate) -> Vec<Scheduled> {
        if self.ended_on.is_some() {
            return Vec::new();
        }
        self.milestones(t, today)
            .into_iter()
            .filter(|m| m.state == MilestoneState::Overdue)
            .map(|m| m.scheduled)
            .collect()
    }

    /// Whether a hand-over acknowledged on `on` would close this episode: the template
    /// ends with an agreed relapse-prevention plan and an occurrence completed by an
    /// acknowledged hand-over is open now (the hand-over to the GP at the end of the
    /// severe-depression pathway; not the discharge letter at its start, whose
    /// window has not opened then).
    pub fn handover_closes_episode(&self, t: &PathwayTemplate, on: NaiveDate) -> bool {
        t.closes_with_relapse_plan
            && self
                .completed_by_event(t, &Event::HandoverAcknowledged, on)
                .is_some()
    }

    /// The occurrence an event completes: the earliest one not yet done whose evidence
    /// matches and whose window has opened by `on` (an overdue one first, since it is
    /// earlier). An event before any window opens completes nothing: a meeting held
    /// months early is not the one the pathway asks for.
    pub fn completed_by_event(
        &self,
        t: &PathwayTemplate,
        event: &Event<'_>,
        on: NaiveDate,
    ) -> Option<Scheduled> {
        if self.ended_on.is_some() {
            return None;
        }
        schedule(t, self.anchor_date).into_iter().find(|s| {
            !self.is_done(&s.milestone, s.occurrence)
                && s.opens <= on
                && t.milestone(&s.milestone)
                    .is_some_and(|m| m.completed_by.matches(event))
        })
    }
}

/// A manual completion as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualCompletionInput {
    #[serde(default)]
    pub milestone: String,
    pub occurrence: Option<u32>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub on: String,
}

impl ManualCompletionInput {
    pub fn validate(
        &self,
        enrolment: &Enrolment,
        t: &PathwayTemplate,
        member: MemberId,
        today: NaiveDate,
    ) -> Result<Completion, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let occurrence = self.occurrence.unwrap_or(1);
        let known = schedule(t, enrolment.anchor_date)
            .into_iter()
            .any(|s| s.milestone == self.milestone.trim() && s.occurrence == occurrence);
        if !known {
            errs.add(
                "milestone",
                "unknown_milestone",
                "this pathway has no such milestone",
            );
        } else if enrolment.is_done(self.milestone.trim(), occurrence) {
            errs.add(
                "milestone",
                "already_done",
                "this milestone is already done",
            );
        }
        let note = errs.take(text::required("note", &self.note, LONG));
        let on = if self.on.trim().is_empty() {
            Some(today)
        } else {
            let window = DateWindow {
                earliest: enrolment.anchor_date.min(today),
                latest: today,
            };
            errs.take(text::date("on", &self.on, window))
        };
        errs.into_result()?;
        Ok(Completion {
            milestone: self.milestone.trim().to_owned(),
            occurrence,
            on: on.unwrap_or(today),
            by: CompletedBy::Manual {
                member,
                note: note.unwrap_or_default(),
            },
        })
    }
}

/// An enrolment request as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentInput {
    #[serde(default)]
    pub template_key: String,
    #[serde(default)]
    pub anchor_date: String,
}

impl EnrolmentInput {
    /// Checks the anchor date; the app resolves the template key against the catalogue
    /// and reports an unknown one at `template_key`.
    pub fn anchor(&self, today: NaiveDate) -> Result<NaiveDate, ValidationErrors> {
        if self.anchor_date.trim().is_empty() {
            return Err(ValidationErrors::single(
                "anchor_date",
                "required",
                "say the date the pathway counts from",
            ));
        }
        text::date(
            "anchor_date",
            &self.anchor_date,
            DateWindow::planning(today),
        )
    }
}
