//! A pathway template: phases, milestones with due windows relative to an anchor date,
//! the role responsible for each, the actions it starts with and the evidence that
//! completes it. Templates are data (TOML), so a deployment can clone and adjust them;
//! everything read from outside goes through [`TemplateInput::validate`], which names
//! every bad field by its path (`phases[1].milestones[0].window.due_day`).

use super::needs::MappingPoint;
use crate::meeting::MeetingKind;
use crate::string_enum;
use crate::text::{self, LONG, SHORT};
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// How far a milestone may lie from its anchor: ten years, in days. A template that
/// asks for more is a typo (days for weeks), not a plan.
pub const MAX_DAY: i32 = 3653;
/// Most milestones one template may hold once repetitions are expanded.
pub const MAX_OCCURRENCES: usize = 400;

string_enum!(
    /// The date a pathway's windows are counted from.
    AnchorKind {
        Referral = "referral",
        Diagnosis = "diagnosis",
        Discharge = "discharge",
        Enrolment = "enrolment",
        SickLeaveStart = "sick_leave_start",
    }
);

string_enum!(
    /// The role that answers for a milestone. Team roles are free text ("Fastlege",
    /// "Care manager"); a pathway needs a fixed vocabulary so a milestone can be routed.
    CareRole {
        Coordinator = "coordinator",
        Gp = "gp",
        CareManager = "care_manager",
        Specialist = "specialist",
        Psychiatrist = "psychiatrist",
        HospitalContact = "hospital_contact",
        MunicipalContact = "municipal_contact",
        SocialSecurity = "social_security",
        Employer = "employer",
        Patient = "patient",
    }
);

/// What completes a milestone. Anything else than `Manual` is recognised by the app
/// when the event happens; every milestone can also be completed by hand with a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A meeting of this kind was held.
    Meeting { meeting: MeetingKind },
    /// A structured hand-over was acknowledged by its receiver.
    HandoverAcknowledged,
    /// A needs-mapping conversation was recorded — at this point of the pathway
    /// (`needs_mapping:months_3_4`), or at any (`needs_mapping`).
    NeedsMapping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        point: Option<MappingPoint>,
    },
    /// A questionnaire of this instrument was answered (instrument key, e.g. `phq9`).
    Questionnaire { instrument: String },
    /// Only a professional's note completes it.
    Manual,
}

impl Evidence {
    /// The wire spelling: `meeting:coordination`, `handover_acknowledged`,
    /// `needs_mapping` or `needs_mapping:hospital`, `questionnaire:phq9`, `manual`.
    pub fn as_spec(&self) -> String {
        match self {
            Evidence::Meeting { meeting } => format!("meeting:{}", meeting.as_str()),
            Evidence::HandoverAcknowledged => "handover_acknowledged".into(),
            Evidence::NeedsMapping { point: None } => "needs_mapping".into(),
            Evidence::NeedsMapping { point: Some(p) } => format!("needs_mapping:{}", p.as_str()),
            Evidence::Questionnaire { instrument } => format!("questionnaire:{instrument}"),
            Evidence::Manual => "manual".into(),
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let raw = raw.trim();
        let bad = || {
            ValidationErrors::single(
                field,
                "bad_choice",
                "must be one of: meeting:<kind>, handover_acknowledged, needs_mapping[:<point>], \
                 questionnaire:<instrument>, manual",
            )
        };
        match raw.split_once(':') {
            None => match raw {
                "handover_acknowledged" => Ok(Evidence::HandoverAcknowledged),
                "needs_mapping" => Ok(Evidence::NeedsMapping { point: None }),
                "manual" => Ok(Evidence::Manual),
                _ => Err(bad()),
            },
            Some(("needs_mapping", point)) => Ok(Evidence::NeedsMapping {
                point: Some(MappingPoint::parse(field, point)?),
            }),
            Some(("meeting", kind)) => Ok(Evidence::Meeting {
                meeting: MeetingKind::parse(field, kind)?,
            }),
            Some(("questionnaire", instrument)) => {
                let ok = !instrument.is_empty()
                    && instrument.len() <= 32
                    && instrument
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if ok {
                    Ok(Evidence::Questionnaire {
                        instrument: instrument.to_owned(),
                    })
                } else {
                    Err(ValidationErrors::single(
                        field,
                        "bad_instrument",
                        "the instrument key must be 1–32 lower-case letters, digits or _",
                    ))
                }
            }
            Some(_) => Err(bad()),
        }
    }
}

/// A user-facing text in each of Samband's three languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Localised {
    pub en: String,
    pub nb: String,
    pub da: String,
}

impl Localised {
    /// The text in `lang` (`en`, `nb`, `da`); English for any other tag.
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "nb" => &self.nb,
            "da" => &self.da,
            _ => &self.en,
        }
    }

    fn validate(&self, field: &str, max: usize, errs: &mut ValidationErrors) -> Localised {
        let mut one = |lang: &str, v: &str| {
            errs.take(text::required(&format!("{field}.{lang}"), v, max))
                .unwrap_or_default()
        };
        Localised {
            en: one("en", &self.en),
            nb: one("nb", &self.nb),
            da: one("da", &self.da),
        }
    }
}

/// When a milestone may be done: from `opens_day` to `due_day` days after the anchor
/// (negative: before it, as a planning meeting before discharge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueWindow {
    pub opens_day: i32,
    pub due_day: i32,
}

/// A milestone that comes back: every `every_days`, `count` times in all (the first
/// included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeat {
    pub every_days: i32,
    pub count: u32,
}

/// An action the milestone puts in the care plan when the patient is enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultAction {
    pub title: Localised,
    pub role: CareRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Stable within the template (`dialogue_meeting_1`); enrolments refer to it.
    pub key: String,
    pub title: Localised,
    /// What it means for the patient, in plain words ("what happens next").
    pub patient_text: Localised,
    pub window: DueWindow,
    pub role: CareRole,
    pub completed_by: Evidence,
    pub repeat: Option<Repeat>,
    pub actions: Vec<DefaultAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    pub key: String,
    pub title: Localised,
    pub milestones: Vec<Milestone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayTemplate {
    /// Stable name (`sick_leave_follow_up`); a clone gets a new one.
    pub key: String,
    /// Bumped on every change, so an enrolment keeps the version it started on.
    pub version: u32,
    /// A collaborative-care episode: ending the enrolment (and so the episode) needs an
    /// agreed relapse-prevention plan (`crate::relapse`).
    #[serde(default)]
    pub closes_with_relapse_plan: bool,
    pub title: Localised,
    pub summary: Localised,
    pub anchor: AnchorKind,
    pub phases: Vec<Phase>,
}

impl PathwayTemplate {
    pub fn milestones(&self) -> impl Iterator<Item = (&Phase, &Milestone)> {
        self.phases
            .iter()
            .flat_map(|p| p.milestones.iter().map(move |m| (p, m)))
    }

    pub fn milestone(&self, key: &str) -> Option<&Milestone> {
        self.milestones().map(|(_, m)| m).find(|m| m.key == key)
    }

    /// Parses and validates a template written in TOML.
    pub fn from_toml(field: &str, source: &str) -> Result<Self, ValidationErrors> {
        let input: TemplateInput = toml::from_str(source).map_err(|e| {
            ValidationErrors::single(field, "bad_toml", format!("not a valid template: {e}"))
        })?;
        input.validate()
    }

    /// The template as TOML, the form it is shipped, cloned and edited in.
    pub fn to_toml(&self) -> String {
        // A validated template always serialises: it holds only strings, integers and
        // tables.
        toml::to_string_pretty(&TemplateInput::from(self)).unwrap_or_default()
    }
}

/// A template as it is written: every value still raw, so one pass can report every
/// mistake at once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub key: String,
    pub version: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closes_with_relapse_plan: bool,
    pub title: Localised,
    pub summary: Localised,
    pub anchor: String,
    #[serde(default, rename = "phase")]
    pub phases: Vec<PhaseInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseInput {
    pub key: String,
    pub title: Localised,
    #[serde(default, rename = "milestone")]
    pub milestones: Vec<MilestoneInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub key: String,
    pub title: Localised,
    pub patient_text: Localised,
    pub opens_day: i32,
    pub due_day: i32,
    pub role: String,
    pub completed_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_every_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_count: Option<u32>,
    #[serde(default, rename = "action", skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub title: Localised,
    pub role: String,
}

fn key(field: &str, raw: &str, errs: &mut ValidationErrors) -> String {
    let v = raw.trim();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        errs.add(
            field,
            "bad_key",
            "must be 1–64 characters: lower-case letters, digits and _, starting with a letter",
        );
    }
    v.to_owned()
}

impl TemplateInput {
    pub fn validate(&self) -> Result<PathwayTemplate, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let key_ = key("key", &self.key, &mut errs);
        if self.version == 0 {
            errs.add("version", "out_of_range", "must be 1 or more");
        }
        let title = self.title.validate("title", SHORT, &mut errs);
        let summary = self.summary.validate("summary", LONG, &mut errs);
        let anchor = errs.take(AnchorKind::parse("anchor", &self.anchor));
        if self.phases.is_empty() {
            errs.add("phases", "required", "a pathway needs at least one phase");
        }
        let mut seen_phase = std::collections::HashSet::new();
        let mut seen_milestone = std::collections::HashSet::new();
        let mut occurrences = 0usize;
        let mut phases = Vec::new();
        for (pi, p) in self.phases.iter().enumerate() {
            let pf = format!("phases[{pi}]");
            let pkey = key(&format!("{pf}.key"), &p.key, &mut errs);
            if !seen_phase.insert(pkey.clone()) {
                errs.add(
                    &format!("{pf}.key"),
                    "duplicate",
                    "another phase has this key",
                );
            }
            let ptitle = p.title.validate(&format!("{pf}.title"), SHORT, &mut errs);
            if p.milestones.is_empty() {
                errs.add(
                    &format!("{pf}.milestones"),
                    "required",
                    "a phase needs at least one milestone",
                );
            }
            let mut milestones = Vec::new();
            for (mi, m) in p.milestones.iter().enumerate() {
                let mf = format!("{pf}.milestones[{mi}]");
                // Checked on the raw key, so a duplicate is named even when the
                // milestone it repeats has other mistakes.
                if !seen_milestone.insert(m.key.trim().to_owned()) {
                    errs.add(
                        &format!("{mf}.key"),
                        "duplicate",
                        "another milestone of this pathway has this key",
                    );
                }
                if let Some(m) = m.validate(&mf, &mut errs) {
                    occurrences += m.repeat.map_or(1, |r| r.count as usize);
                    milestones.push(m);
                }
            }
            phases.push(Phase {
                key: pkey,
                title: ptitle,
                milestones,
            });
        }
        if occurrences > MAX_OCCURRENCES {
            errs.add(
                "phases",
                "too_many",
                format!("at most {MAX_OCCURRENCES} milestones once repetitions are counted"),
            );
        }
        errs.into_result()?;
        Ok(PathwayTemplate {
            key: key_,
            version: self.version,
            closes_with_relapse_plan: self.closes_with_relapse_plan,
            title,
            summary,
            // Present: a failed parse returned above.
            anchor: anchor.unwrap_or(AnchorKind::Enrolment),
            phases,
        })
    }
}

fn day(field: &str, v: i32, errs: &mut ValidationErrors) {
    if !(-MAX_DAY..=MAX_DAY).contains(&v) {
        errs.add(
            field,
            "out_of_range",
            format!("must lie within {MAX_DAY} days of the anchor"),
        );
    }
}

impl MilestoneInput {
    fn validate(&self, mf: &str, errs: &mut ValidationErrors) -> Option<Milestone> {
        let before = errs.errors.len();
        let key_ = key(&format!("{mf}.key"), &self.key, errs);
        let title = self.title.validate(&format!("{mf}.title"), SHORT, errs);
        let patient_text = self
            .patient_text
            .validate(&format!("{mf}.patient_text"), LONG, errs);
        day(&format!("{mf}.window.opens_day"), self.opens_day, errs);
        day(&format!("{mf}.window.due_day"), self.due_day, errs);
        if self.due_day < self.opens_day {
            errs.add(
                &format!("{mf}.window.due_day"),
                "window_ends_before_start",
                "the window must not end before it opens",
            );
        }
        let role = errs.take(CareRole::parse(&format!("{mf}.role"), &self.role));
        let completed_by = errs.take(Evidence::parse(
            &format!("{mf}.completed_by"),
            &self.completed_by,
        ));
        let repeat = match (self.repeat_every_days, self.repeat_count) {
            (None, None) => None,
            (Some(every), Some(count)) => {
                if !(1..=MAX_DAY).contains(&every) {
                    errs.add(
                        &format!("{mf}.repeat_every_days"),
                        "out_of_range",
                        format!("must be 1–{MAX_DAY} days"),
                    );
                }
                if !(2..=MAX_OCCURRENCES as u32).contains(&count) {
                    errs.add(
                        &format!("{mf}.repeat_count"),
                        "out_of_range",
                        format!("must be 2–{MAX_OCCURRENCES} (the first included)"),
                    );
                }
                Some(Repeat {
                    every_days: every,
                    count,
                })
            }
            (Some(_), None) => {
                errs.add(
                    &format!("{mf}.repeat_count"),
                    "required",
                    "a repeating milestone needs how many times in all",
                );
                None
            }
            (None, Some(_)) => {
                errs.add(
                    &format!("{mf}.repeat_every_days"),
                    "required",
                    "a repeating milestone needs how often",
                );
                None
            }
        };
        if let Some(r) = repeat {
            let last = i64::from(self.due_day)
                + i64::from(r.every_days) * i64::from(r.count.saturating_sub(1));
            if last > i64::from(MAX_DAY) {
                errs.add(
                    &format!("{mf}.repeat_count"),
                    "out_of_range",
                    format!("the last repetition must fall within {MAX_DAY} days of the anchor"),
                );
            }
        }
        let mut actions = Vec::new();
        for (ai, a) in self.actions.iter().enumerate() {
            let af = format!("{mf}.actions[{ai}]");
            let title = a.title.validate(&format!("{af}.title"), SHORT, errs);
            if let Some(role) = errs.take(CareRole::parse(&format!("{af}.role"), &a.role)) {
                actions.push(DefaultAction { title, role });
            }
        }
        if errs.errors.len() != before {
            return None;
        }
        Some(Milestone {
            key: key_,
            title,
            patient_text,
            window: DueWindow {
                opens_day: self.opens_day,
                due_day: self.due_day,
            },
            role: role?,
            completed_by: completed_by?,
            repeat,
            actions,
        })
    }
}

impl From<&PathwayTemplate> for TemplateInput {
    fn from(t: &PathwayTemplate) -> Self {
        TemplateInput {
            key: t.key.clone(),
            version: t.version,
            closes_with_relapse_plan: t.closes_with_relapse_plan,
            title: t.title.clone(),
            summary: t.summary.clone(),
            anchor: t.anchor.as_str().into(),
            phases: t
                .phases
                .iter()
                .map(|p| PhaseInput {
                    key: p.key.clone(),
                    title: p.title.clone(),
                    milestones: p
                        .milestones
                        .iter()
                        .map(|m| MilestoneInput {
                            key: m.key.clone(),
                            title: m.title.clone(),
                            patient_text: m.patient_text.clone(),
                            opens_day: m.window.opens_day,
                            due_day: m.window.due_day,
                            role: m.role.as_str().into(),
                            completed_by: m.completed_by.as_spec(),
                            repeat_every_days: m.repeat.map(|r| r.every_days),
                            repeat_count: m.repeat.map(|r| r.count),
                            actions: m
                                .actions
                                .iter()
                                .map(|a| ActionInput {
                                    title: a.title.clone(),
                                    role: a.role.as_str().into(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
