//! The structured hand-over (discharge) document: what was done and found, medication
//! and the plan for adjusting it, follow-up items each with an owner and a due date,
//! warning signs and what to do, work capacity, the Danish follow-up urgency colour,
//! who takes over what, and a plain-language summary for the patient.
//!
//! Each section declares its information category, so the consent decides section by
//! section who may read it; the summary for the patient is always the patient's.

use crate::calendar::WorkingCalendar;
use crate::consent::Category;
use crate::ids::{HandoverId, MemberId, PatientId};
use crate::string_enum;
use crate::text::{self, DateWindow, LONG, SHORT};
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Working days a receiver has to acknowledge a hand-over unless the deployment says
/// otherwise.
pub const DEFAULT_ACK_WORKING_DAYS: u32 = 2;
/// Most follow-up items one hand-over may carry.
pub const MAX_FOLLOW_UPS: usize = 50;

string_enum!(
    /// The follow-up recommendation colour of Danish discharge letters (Vejledning om
    /// epikriser 2019): red within 1–2 working days, yellow a vulnerable patient the GP
    /// should reach out to, green the patient contacts the GP, white no follow-up.
    Urgency {
        Red = "red",
        Yellow = "yellow",
        Green = "green",
        White = "white",
    }
);

string_enum!(
    HandoverStatus {
        Draft = "draft",
        Sent = "sent",
        Acknowledged = "acknowledged",
    }
);

string_enum!(
    /// The sections, each read under its own consent category.
    Section {
        DoneAndFound = "done_and_found",
        Medication = "medication",
        FollowUp = "follow_up",
        WarningSigns = "warning_signs",
        WorkCapacity = "work_capacity",
        Responsibilities = "responsibilities",
        PatientSummary = "patient_summary",
    }
);

impl Section {
    pub fn category(&self) -> Category {
        match self {
            Section::DoneAndFound | Section::WarningSigns => Category::ClinicalNotes,
            Section::Medication => Category::Medication,
            Section::WorkCapacity => Category::WorkCapacity,
            Section::FollowUp | Section::Responsibilities | Section::PatientSummary => {
                Category::PlanAndActions
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpItem {
    pub description: String,
    pub owner: MemberId,
    pub due: NaiveDate,
}

/// The content a sender writes; validated as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverContent {
    pub receiver: MemberId,
    pub urgency: Urgency,
    pub done_and_found: String,
    pub medication: Option<String>,
    pub medication_plan: Option<String>,
    pub follow_up: Vec<FollowUpItem>,
    pub warning_signs: Option<String>,
    pub work_capacity: Option<String>,
    pub responsibilities: Option<String>,
    pub patient_summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub id: HandoverId,
    pub patient_id: PatientId,
    pub sender: MemberId,
    pub content: HandoverContent,
    pub status: HandoverStatus,
    pub sent_at: Option<DateTime<Utc>>,
    /// The last day the receiver may acknowledge before it escalates.
    pub ack_due: Option<NaiveDate>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// When a hand-over sent on `sent_on` must be acknowledged: `working_days` working days
/// later in the deployment's calendar (a Friday's hand-over is due on Tuesday).
pub fn ack_due(calendar: &WorkingCalendar, sent_on: NaiveDate, working_days: u32) -> NaiveDate {
    calendar.add_working_days(sent_on, working_days)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    #[serde(default)]
    pub description: String,
    pub owner: Option<MemberId>,
    #[serde(default)]
    pub due: String,
}

/// A hand-over as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    pub receiver: Option<MemberId>,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub done_and_found: String,
    pub medication: Option<String>,
    pub medication_plan: Option<String>,
    #[serde(default)]
    pub follow_up: Vec<FollowUpInput>,
    pub warning_signs: Option<String>,
    pub work_capacity: Option<String>,
    pub responsibilities: Option<String>,
    #[serde(default)]
    pub patient_summary: String,
}

/// Who may receive a hand-over or own a follow-up item, as the team says today.
pub trait TeamCheck {
    /// An active professional member of the patient's team.
    fn is_professional(&self, m: MemberId) -> bool;
}

impl<F: Fn(MemberId) -> bool> TeamCheck for F {
    fn is_professional(&self, m: MemberId) -> bool {
        self(m)
    }
}

impl HandoverInput {
    pub fn validate(
        &self,
        sender: MemberId,
        today: NaiveDate,
        team: &impl TeamCheck,
    ) -> Result<HandoverContent, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let receiver = match self.receiver {
            None => {
                errs.add("receiver", "required", "a hand-over needs a receiver");
                None
            }
            Some(r) if r == sender => {
                errs.add("receiver", "self", "hand over to someone else");
                None
            }
            Some(r) if !team.is_professional(r) => {
                errs.add(
                    "receiver",
                    "not_a_professional_member",
                    "the receiver must be an active professional on the patient's team",
                );
                None
            }
            Some(r) => Some(r),
        };
        let urgency = errs.take(Urgency::parse("urgency", &self.urgency));
        let done_and_found = errs
            .take(text::required("done_and_found", &self.done_and_found, LONG))
            .unwrap_or_default();
        let mut opt = |f: &str, v: &Option<String>| {
            errs.take(text::optional(f, v.as_deref(), LONG)).flatten()
        };
        let medication = opt("medication", &self.medication);
        let medication_plan = opt("medication_plan", &self.medication_plan);
        let warning_signs = opt("warning_signs", &self.warning_signs);
        let work_capacity = opt("work_capacity", &self.work_capacity);
        let responsibilities = opt("responsibilities", &self.responsibilities);
        let patient_summary = errs
            .take(text::required(
                "patient_summary",
                &self.patient_summary,
                LONG,
            ))
            .unwrap_or_default();
        if self.follow_up.len() > MAX_FOLLOW_UPS {
            errs.add(
                "follow_up",
                "too_many",
                format!("at most {MAX_FOLLOW_UPS} follow-up items"),
            );
        }
        let mut follow_up = Vec::new();
        for (i, f) in self.follow_up.iter().enumerate() {
            let p = format!("follow_up[{i}]");
            let description = errs.take(text::required(
                &format!("{p}.description"),
                &f.description,
                SHORT,
            ));
            let owner = match f.owner {
                None => {
                    errs.add(
                        &format!("{p}.owner"),
                        "required",
                        "every item needs an owner",
                    );
                    None
                }
                Some(o) if !team.is_professional(o) => {
                    errs.add(
                        &format!("{p}.owner"),
                        "not_a_professional_member",
                        "the owner must be an active professional on the patient's team",
                    );
                    None
                }
                Some(o) => Some(o),
            };
            let due = if f.due.trim().is_empty() {
                errs.add(
                    &format!("{p}.due"),
                    "required",
                    "every item needs a due date",
                );
                None
            } else {
                errs.take(text::date(
                    &format!("{p}.due"),
                    &f.due,
                    DateWindow::ahead(today),
                ))
            };
            if let (Some(description), Some(owner), Some(due)) = (description, owner, due) {
                follow_up.push(FollowUpItem {
                    description,
                    owner,
                    due,
                });
            }
        }
        if urgency == Some(Urgency::Red) && follow_up.is_empty() {
            errs.add(
                "follow_up",
                "required",
                "a red hand-over asks for follow-up: say what, by whom and when",
            );
        }
        errs.into_result()?;
        Ok(HandoverContent {
            // Both present: a missing one returned above.
            receiver: receiver.unwrap_or(sender),
            urgency: urgency.unwrap_or(Urgency::White),
            done_and_found,
            medication,
            medication_plan,
            follow_up,
            warning_signs,
            work_capacity,
            responsibilities,
            patient_summary,
        })
    }
}

impl HandoverContent {
    /// A section's text, for the sections that are text (follow-up is a list).
    pub fn section_text(&self, s: Section) -> Option<String> {
        match s {
            Section::DoneAndFound => Some(self.done_and_found.clone()),
            Section::Medication => match (&self.medication, &self.medication_plan) {
                (None, None) => None,
                (a, b) => Some(
                    [a.as_deref(), b.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                ),
            },
            Section::FollowUp => None,
            Section::WarningSigns => self.warning_signs.clone(),
            Section::WorkCapacity => self.work_capacity.clone(),
            Section::Responsibilities => self.responsibilities.clone(),
            Section::PatientSummary => Some(self.patient_summary.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::HolidayRegion;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ids() -> (MemberId, MemberId, MemberId) {
        let n = || MemberId(uuid::Uuid::now_v7());
        (n(), n(), n())
    }

    fn input(receiver: MemberId, owner: MemberId) -> HandoverInput {
        HandoverInput {
            receiver: Some(receiver),
            urgency: "red".into(),
            done_and_found: "Admitted for severe depression; sertraline started.".into(),
            medication: Some("Sertraline 100 mg".into()),
            medication_plan: Some("Raise to 150 mg if PHQ-9 not down by week 4".into()),
            follow_up: vec![FollowUpInput {
                description: "See the patient within two working days".into(),
                owner: Some(owner),
                due: "2026-03-04".into(),
            }],
            warning_signs: Some("Stops eating; stays in bed".into()),
            work_capacity: Some("Not fit for work for 4 weeks".into()),
            responsibilities: Some("GP: medication. Care manager: weekly calls.".into()),
            patient_summary: "You were in hospital for depression. Your GP sees you this week."
                .into(),
        }
    }

    #[test]
    fn a_complete_hand_over_is_accepted() {
        let (sender, receiver, owner) = ids();
        let team = |m: MemberId| m == receiver || m == owner;
        let c = input(receiver, owner)
            .validate(sender, d(2026, 3, 2), &team)
            .unwrap();
        assert_eq!(c.urgency, Urgency::Red);
        assert_eq!(c.follow_up[0].due, d(2026, 3, 4));
        assert_eq!(
            c.section_text(Section::Medication).unwrap(),
            "Sertraline 100 mg\n\nRaise to 150 mg if PHQ-9 not down by week 4"
        );
    }

    #[test]
    fn a_hand_over_without_a_receiver_or_with_a_stranger_is_refused_at_its_field() {
        let (sender, receiver, owner) = ids();
        let team = |m: MemberId| m == receiver || m == owner;
        let mut i = input(receiver, owner);
        i.receiver = None;
        let e = i.validate(sender, d(2026, 3, 2), &team).unwrap_err();
        assert_eq!(e.for_field("receiver").unwrap().code, "required");
        i.receiver = Some(MemberId(uuid::Uuid::now_v7()));
        let e = i.validate(sender, d(2026, 3, 2), &team).unwrap_err();
        assert_eq!(
            e.for_field("receiver").unwrap().code,
            "not_a_professional_member"
        );
        i.receiver = Some(sender);
        let e = i.validate(sender, d(2026, 3, 2), &team).unwrap_err();
        assert_eq!(e.for_field("receiver").unwrap().code, "self");
    }

    #[test]
    fn each_follow_up_item_needs_a_description_an_owner_on_the_team_and_a_future_date() {
        let (sender, receiver, owner) = ids();
        let team = |m: MemberId| m == receiver || m == owner;
        let mut i = input(receiver, owner);
        i.follow_up = vec![
            FollowUpInput {
                description: " ".into(),
                owner: None,
                due: "".into(),
            },
            FollowUpInput {
                description: "x".into(),
                owner: Some(MemberId(uuid::Uuid::now_v7())),
                due: "2026-03-01".into(),
            },
        ];
        let e = i.validate(sender, d(2026, 3, 2), &team).unwrap_err();
        let f: Vec<_> = e
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            f,
            vec![
                ("follow_up[0].description", "required"),
                ("follow_up[0].owner", "required"),
                ("follow_up[0].due", "required"),
                ("follow_up[1].owner", "not_a_professional_member"),
                ("follow_up[1].due", "too_early"),
                ("follow_up", "required"),
            ]
        );
    }

    #[test]
    fn every_section_reads_under_a_category_and_health_sections_are_health() {
        for s in Section::ALL {
            let c = s.category();
            let health = matches!(
                s,
                Section::DoneAndFound | Section::WarningSigns | Section::Medication
            );
            assert_eq!(c.is_health(), health, "{s}");
        }
    }

    #[test]
    fn acknowledgement_is_due_two_working_days_later_across_weekends_and_holidays() {
        let cal = WorkingCalendar::new(HolidayRegion::parse("no").unwrap(), []);
        // Friday → Tuesday.
        assert_eq!(ack_due(&cal, d(2026, 3, 6), 2), d(2026, 3, 10));
        // Wednesday before Easter 2026 (2 April Maundy Thursday, 3 Good Friday, 6
        // Easter Monday in Norway) → Tuesday 7 and Wednesday 8.
        assert_eq!(ack_due(&cal, d(2026, 4, 1), 2), d(2026, 4, 8));
    }
}
