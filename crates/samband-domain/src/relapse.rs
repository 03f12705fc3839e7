//! The relapse-prevention plan: a versioned part of the care plan written with the
//! patient. The early warning signs are in the patient's own words, and so is what
//! helps; the team's part is what it does at each sign (an action and who does it) and
//! when and whom to contact. The plan is agreed on a date; any later change makes it a
//! draft again, because an agreement covers the words that were agreed.
//!
//! The signs are the list the deterioration signal reads when a patient ticks one of
//! their own warning signs (issue 12), and an agreed plan is what a collaborative-care
//! episode needs before it is closed or handed over to the GP.

use crate::ids::{MemberId, PatientId};
use crate::organisation::Sector;
use crate::pathway::CareRole;
use crate::string_enum;
use crate::team::{CareTeam, MemberKind};
use crate::text::{self, LONG};
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How many warning signs a plan holds: enough for any plan a patient and a team can
/// keep in mind, and a bound on what one save may write.
pub const MAX_SIGNS: usize = 20;

string_enum!(
    RelapseStatus {
        Draft = "draft",
        Agreed = "agreed",
    }
);

/// One early warning sign: the patient's words, and what the team does when it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningSign {
    /// In the patient's own words ("I stop answering the phone").
    pub words: String,
    /// What the team does at this sign (empty until the team has written it).
    pub action: String,
    /// Who on the team does it.
    pub who_member_id: Option<MemberId>,
}

impl WarningSign {
    fn team_part(&self) -> (&str, Option<MemberId>) {
        (self.action.as_str(), self.who_member_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelapsePlan {
    pub patient_id: PatientId,
    pub signs: Vec<WarningSign>,
    /// What helps — the patient's own words.
    pub what_helps: String,
    /// When and whom to contact (the team's part).
    pub contacts: String,
    pub status: RelapseStatus,
    /// The day it was agreed; set only while `status` is agreed.
    pub agreed_on: Option<NaiveDate>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl RelapsePlan {
    pub fn empty(patient_id: PatientId) -> Self {
        Self {
            patient_id,
            signs: Vec::new(),
            what_helps: String::new(),
            contacts: String::new(),
            status: RelapseStatus::Draft,
            agreed_on: None,
            updated_at: None,
            version: 0,
        }
    }

    pub fn state(&self) -> RelapseState {
        match (self.version, self.status, self.agreed_on) {
            (0, _, _) => RelapseState::None,
            (_, RelapseStatus::Agreed, Some(on)) => RelapseState::Agreed { on },
            _ => RelapseState::Draft,
        }
    }

    fn content_differs(&self, other: &RelapsePlan) -> bool {
        self.signs != other.signs
            || self.what_helps != other.what_helps
            || self.contacts != other.contacts
    }
}

/// A patient's relapse-prevention plan as the caseload registry shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RelapseState {
    /// Never written.
    None,
    Draft,
    Agreed {
        on: NaiveDate,
    },
}

impl RelapseState {
    /// The state of what the store holds for a patient (`None`: no row).
    pub fn of(plan: Option<&RelapsePlan>) -> Self {
        plan.map_or(RelapseState::None, RelapsePlan::state)
    }

    pub fn is_agreed(&self) -> bool {
        matches!(self, RelapseState::Agreed { .. })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            RelapseState::None => "none",
            RelapseState::Draft => "draft",
            RelapseState::Agreed { .. } => "agreed",
        }
    }
}

/// Whether a team member is the patient's GP: their role on the team says so (in
/// English, Norwegian or Danish), or they work for a primary-care organisation.
pub fn is_gp(role: &str, sector: Option<Sector>) -> bool {
    CareRole::Gp.names(role) || sector == Some(Sector::Primary)
}

/// The error every step that needs an agreed plan answers with, at `field`.
pub fn not_agreed(field: &str) -> ValidationErrors {
    ValidationErrors::single(
        field,
        "relapse_plan_not_agreed",
        "agree a relapse-prevention plan with the patient first",
    )
}

// ---- input ----------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningSignInput {
    #[serde(default)]
    pub words: String,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub who_member_id: Option<MemberId>,
}

impl WarningSignInput {
    fn is_blank(&self) -> bool {
        self.words.trim().is_empty()
            && self.action.as_deref().is_none_or(|a| a.trim().is_empty())
            && self.who_member_id.is_none()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelapsePlanInput {
    /// Why the change was made (kept in the history; optional).
    #[serde(default)]
    pub reason: Option<String>,
    /// The whole list of signs, in order; absent: unchanged. Blank rows are dropped.
    #[serde(default)]
    pub signs: Option<Vec<WarningSignInput>>,
    #[serde(default)]
    pub what_helps: Option<String>,
    #[serde(default)]
    pub contacts: Option<String>,
    /// `agreed` to record the agreement today, `draft` to withdraw it; absent: a
    /// change of content makes an agreed plan a draft again, no change keeps it.
    #[serde(default)]
    pub status: Option<String>,
}

impl RelapsePlanInput {
    /// Applies the input onto `current`. Field paths name the input's own rows
    /// (`signs[2].who_member_id`), blank rows included, so a form's errors land beside
    /// the row they are about.
    pub fn apply(
        &self,
        current: &RelapsePlan,
        team: &CareTeam,
        today: NaiveDate,
    ) -> Result<RelapsePlan, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut next = current.clone();
        if let Some(signs) = &self.signs {
            let kept: Vec<(usize, &WarningSignInput)> = signs
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.is_blank())
                .collect();
            if kept.len() > MAX_SIGNS {
                e.add(
                    "signs",
                    "too_many",
                    format!("a plan holds at most {MAX_SIGNS} warning signs"),
                );
            }
            next.signs = Vec::with_capacity(kept.len());
            for (i, s) in kept {
                let p = format!("signs[{i}]");
                let words = e.take(text::required(&format!("{p}.words"), &s.words, LONG));
                let action = e
                    .take(text::optional(
                        &format!("{p}.action"),
                        s.action.as_deref(),
                        LONG,
                    ))
                    .flatten()
                    .unwrap_or_default();
                match s.who_member_id {
                    Some(who) => match team.member(who) {
                        Some(m) if m.kind == MemberKind::Professional && m.is_active_on(today) => {
                            if action.is_empty() {
                                e.add(
                                    &format!("{p}.action"),
                                    "required",
                                    "say what they do at this sign",
                                );
                            }
                        }
                        _ => e.add(
                            &format!("{p}.who_member_id"),
                            "not_on_team",
                            "choose an active professional on this patient's team",
                        ),
                    },
                    None if !action.is_empty() => e.add(
                        &format!("{p}.who_member_id"),
                        "required",
                        "say who on the team does it",
                    ),
                    None => {}
                }
                next.signs.push(WarningSign {
                    words: words.unwrap_or_default(),
                    action,
                    who_member_id: s.who_member_id,
                });
            }
        }
        if let Some(v) = &self.what_helps {
            if let Some(t) = e.take(text::optional("what_helps", Some(v), LONG)) {
                next.what_helps = t.unwrap_or_default();
            }
        }
        if let Some(v) = &self.contacts {
            if let Some(t) = e.take(text::optional("contacts", Some(v), LONG)) {
                next.contacts = t.unwrap_or_default();
            }
        }
        let status = match self.status.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => e.take(RelapseStatus::parse("status", s)),
            None => None,
        };
        match status {
            Some(RelapseStatus::Agreed) => {
                // An agreement is about something the patient can act on: signs, and
                // for each what the team does and who, and whom to contact.
                if next.signs.is_empty() {
                    e.add(
                        "signs",
                        "required_to_agree",
                        "write at least one early warning sign before agreeing the plan",
                    );
                }
                let rows = self.row_numbers(&next);
                for (sign, i) in next.signs.iter().zip(rows) {
                    if sign.action.is_empty() && sign.who_member_id.is_none() {
                        e.add(
                            &format!("signs[{i}].action"),
                            "required_to_agree",
                            "say what the team does at this sign before agreeing the plan",
                        );
                    }
                }
                if next.contacts.is_empty() {
                    e.add(
                        "contacts",
                        "required_to_agree",
                        "say when and whom to contact before agreeing the plan",
                    );
                }
                let unchanged_agreement =
                    current.status == RelapseStatus::Agreed && !next.content_differs(current);
                next.status = RelapseStatus::Agreed;
                if !unchanged_agreement {
                    next.agreed_on = Some(today);
                }
            }
            Some(RelapseStatus::Draft) => {
                next.status = RelapseStatus::Draft;
                next.agreed_on = None;
            }
            None => {
                if next.content_differs(current) {
                    next.status = RelapseStatus::Draft;
                    next.agreed_on = None;
                }
            }
        }
        e.into_result().map(|()| next)
    }

    /// The input row each of `next`'s signs came from (blank rows are dropped).
    fn row_numbers(&self, next: &RelapsePlan) -> Vec<usize> {
        match &self.signs {
            Some(signs) => signs
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.is_blank())
                .map(|(i, _)| i)
                .collect(),
            None => (0..next.signs.len()).collect(),
        }
    }

    /// True if the input changes only the patient's own words — the signs' words and
    /// what helps — and leaves the team's part as it is: each sign's action and who
    /// (row by row), the contacts, and the agreement. That is what a patient may write.
    pub fn touches_only_patient_words(&self, current: &RelapsePlan) -> bool {
        if self.status.as_deref().is_some_and(|s| !s.trim().is_empty()) {
            return false;
        }
        if self
            .contacts
            .as_deref()
            .is_some_and(|c| c.trim() != current.contacts)
        {
            return false;
        }
        let Some(signs) = &self.signs else {
            return true;
        };
        let given: Vec<(&str, Option<MemberId>)> = signs
            .iter()
            .filter(|s| !s.is_blank())
            .map(|s| (s.action.as_deref().map_or("", str::trim), s.who_member_id))
            .collect();
        let none = ("", None);
        (0..given.len().max(current.signs.len())).all(|i| {
            given.get(i).copied().unwrap_or(none)
                == current.signs.get(i).map_or(none, WarningSign::team_part)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ProfessionalId;
    use crate::team::TeamMember;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn member(kind: MemberKind) -> TeamMember {
        TeamMember {
            id: MemberId::new(),
            kind,
            professional_id: (kind == MemberKind::Professional).then(ProfessionalId::new),
            name: None,
            organisation_id: None,
            role: "Care manager".into(),
            responsibility: "Follow-up".into(),
            phone: None,
            is_coordinator: kind == MemberKind::Professional,
            active_from: day("2026-01-01"),
            active_to: None,
        }
    }

    fn team() -> CareTeam {
        let pro = member(MemberKind::Professional);
        CareTeam {
            patient_id: PatientId::new(),
            members: vec![pro, member(MemberKind::Patient)],
            version: 1,
        }
    }

    fn sign(words: &str, action: Option<&str>, who: Option<MemberId>) -> WarningSignInput {
        WarningSignInput {
            words: words.into(),
            action: action.map(Into::into),
            who_member_id: who,
        }
    }

    fn fields(e: ValidationErrors) -> Vec<(String, &'static str)> {
        e.errors.into_iter().map(|f| (f.field, f.code)).collect()
    }

    fn agreed_plan(t: &CareTeam, today: NaiveDate) -> RelapsePlan {
        let cm = t.members[0].id;
        let input = RelapsePlanInput {
            signs: Some(vec![sign(
                "I stop answering the phone",
                Some("Call within a day"),
                Some(cm),
            )]),
            what_helps: Some("Walks with my sister".into()),
            contacts: Some("Care manager weekdays, 113 at night".into()),
            status: Some("agreed".into()),
            ..Default::default()
        };
        let mut p = input
            .apply(&RelapsePlan::empty(t.patient_id), t, today)
            .expect("valid");
        p.version = 1;
        p
    }

    #[test]
    fn agreeing_records_the_day_and_a_later_change_makes_it_a_draft() {
        let t = team();
        let today = day("2026-12-01");
        let p = agreed_plan(&t, today);
        assert_eq!(p.state(), RelapseState::Agreed { on: today });
        // Agreeing again with nothing changed keeps the day it was agreed.
        let again = RelapsePlanInput {
            status: Some("agreed".into()),
            ..Default::default()
        };
        assert_eq!(
            again.apply(&p, &t, day("2026-12-09")).unwrap().agreed_on,
            Some(today)
        );
        let words = RelapsePlanInput {
            what_helps: Some("Walks, and music".into()),
            ..Default::default()
        };
        let next = words.apply(&p, &t, today).expect("valid");
        assert_eq!(next.status, RelapseStatus::Draft);
        assert_eq!(next.state(), RelapseState::Draft);
        assert_eq!(next.agreed_on, None);
    }

    #[test]
    fn a_gp_is_named_by_role_or_works_in_primary_care() {
        assert!(is_gp("Fastlege", None));
        assert!(is_gp("Egen læge", Some(Sector::Municipal)));
        assert!(is_gp("Doctor", Some(Sector::Primary)));
        assert!(!is_gp("Care manager", Some(Sector::Specialist)));
        assert!(!is_gp("Psychiatrist", None));
    }

    #[test]
    fn no_row_is_no_plan() {
        assert_eq!(RelapseState::of(None), RelapseState::None);
        assert_eq!(
            RelapsePlan::empty(PatientId::new()).state(),
            RelapseState::None
        );
        assert!(!RelapseState::Draft.is_agreed());
    }

    #[test]
    fn agreeing_needs_signs_their_actions_and_contacts() {
        let t = team();
        let today = day("2026-12-01");
        let empty = RelapsePlan::empty(t.patient_id);
        let bare = RelapsePlanInput {
            status: Some("agreed".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(bare.apply(&empty, &t, today).unwrap_err()),
            vec![
                ("signs".to_owned(), "required_to_agree"),
                ("contacts".to_owned(), "required_to_agree")
            ]
        );
        // The blank row in between is dropped, and the error names the row as typed.
        let half = RelapsePlanInput {
            signs: Some(vec![
                sign(
                    "Sleeping all day",
                    Some("Home visit"),
                    Some(t.members[0].id),
                ),
                sign("", None, None),
                sign("Skipping meals", None, None),
            ]),
            contacts: Some("Care manager".into()),
            status: Some("agreed".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(half.apply(&empty, &t, today).unwrap_err()),
            vec![("signs[2].action".to_owned(), "required_to_agree")]
        );
    }

    #[test]
    fn each_sign_needs_words_and_a_professional_on_the_team_with_its_action() {
        let t = team();
        let today = day("2026-12-01");
        let empty = RelapsePlan::empty(t.patient_id);
        let patient_member = t.members[1].id;
        let input = RelapsePlanInput {
            signs: Some(vec![
                sign("", Some("Call"), Some(t.members[0].id)),
                sign("Withdrawn", Some("Call"), None),
                sign("Irritable", None, Some(t.members[0].id)),
                sign("Not eating", Some("Visit"), Some(patient_member)),
                sign("Drinking", Some("Visit"), Some(MemberId::new())),
            ]),
            ..Default::default()
        };
        assert_eq!(
            fields(input.apply(&empty, &t, today).unwrap_err()),
            vec![
                ("signs[0].words".to_owned(), "required"),
                ("signs[1].who_member_id".to_owned(), "required"),
                ("signs[2].action".to_owned(), "required"),
                ("signs[3].who_member_id".to_owned(), "not_on_team"),
                ("signs[4].who_member_id".to_owned(), "not_on_team"),
            ]
        );
        let many = RelapsePlanInput {
            signs: Some(
                (0..=MAX_SIGNS)
                    .map(|i| sign(&format!("sign {i}"), None, None))
                    .collect(),
            ),
            ..Default::default()
        };
        assert_eq!(
            fields(many.apply(&empty, &t, today).unwrap_err()),
            vec![("signs".to_owned(), "too_many")]
        );
    }

    #[test]
    fn the_patient_may_change_their_words_but_not_the_teams_part() {
        let t = team();
        let today = day("2026-12-01");
        let p = agreed_plan(&t, today);
        let cm = t.members[0].id;
        let own_words = RelapsePlanInput {
            signs: Some(vec![
                sign(
                    "I stop picking up the phone",
                    Some("Call within a day"),
                    Some(cm),
                ),
                sign("I sleep past noon", None, None),
            ]),
            what_helps: Some("Walks".into()),
            contacts: Some(p.contacts.clone()),
            ..Default::default()
        };
        assert!(own_words.touches_only_patient_words(&p));
        let other_action = RelapsePlanInput {
            signs: Some(vec![sign(
                "I stop picking up the phone",
                Some("Wait"),
                Some(cm),
            )]),
            ..Default::default()
        };
        assert!(!other_action.touches_only_patient_words(&p));
        // Removing a sign the team has answered removes the team's part too.
        let removed = RelapsePlanInput {
            signs: Some(vec![]),
            ..Default::default()
        };
        assert!(!removed.touches_only_patient_words(&p));
        let contacts = RelapsePlanInput {
            contacts: Some("Nobody".into()),
            ..Default::default()
        };
        assert!(!contacts.touches_only_patient_words(&p));
        let agree = RelapsePlanInput {
            status: Some("agreed".into()),
            ..Default::default()
        };
        assert!(!agree.touches_only_patient_words(&p));
    }
}
