//! The shared care plan (individual plan): goals in the patient's own words beside
//! professional goals, actions with an owner on the team, allocated services, the
//! crisis plan and a revision date. Each item is versioned on its own so two people
//! editing different actions never conflict, while edits to the same item do.

use crate::ids::{ActionId, GoalId, MemberId, PatientId, ServiceId};
use crate::organisation::Sector;
use crate::string_enum;
use crate::team::CareTeam;
use crate::text::{self, LONG, SHORT};
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

string_enum!(
    ActionStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
        Cancelled = "cancelled",
    }
);

impl ActionStatus {
    pub fn is_open(&self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::InProgress)
    }
}

string_enum!(
    /// Whose goal this is. Both kinds are shown side by side: the studies found "return
    /// to work" and "have a good life" pulling apart, and both must stay visible.
    GoalAuthor {
        Patient = "patient",
        Professional = "professional",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub id: GoalId,
    pub patient_id: PatientId,
    pub author: GoalAuthor,
    /// For a professional goal: the team member who owns it.
    pub owner_member_id: Option<MemberId>,
    pub text: String,
    pub achieved: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: ActionId,
    pub patient_id: PatientId,
    pub title: String,
    pub owner_member_id: MemberId,
    pub sector: Sector,
    pub due_date: NaiveDate,
    pub status: ActionStatus,
    pub goal_id: Option<GoalId>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl Action {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due_date < today
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub patient_id: PatientId,
    /// What is provided ("Home nursing: medication administration").
    pub what: String,
    /// Who provides it (organisation or service name).
    pub provider: String,
    /// How often ("twice daily", "every second week").
    pub frequency: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrisisPlan {
    pub patient_id: PatientId,
    pub warning_signs: String,
    /// What helps — the part the patient writes themselves.
    pub what_helps: String,
    /// Whom to contact, how, and when (including out of hours).
    pub contacts: String,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl CrisisPlan {
    pub fn empty(patient_id: PatientId) -> Self {
        Self {
            patient_id,
            warning_signs: String::new(),
            what_helps: String::new(),
            contacts: String::new(),
            updated_at: None,
            version: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanHeader {
    pub patient_id: PatientId,
    pub revision_date: Option<NaiveDate>,
    pub version: i64,
}

/// The whole plan as read for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarePlan {
    pub header: PlanHeader,
    pub goals: Vec<Goal>,
    pub actions: Vec<Action>,
    pub services: Vec<Service>,
    pub crisis_plan: CrisisPlan,
}

// ---- inputs -------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// Why the change was made (kept in the history; optional).
    #[serde(default)]
    pub reason: Option<String>,
    pub title: String,
    pub owner_member_id: Option<MemberId>,
    /// Defaults to the owner's organisation's sector.
    pub sector: Option<String>,
    pub due_date: String,
    pub status: Option<String>,
    pub goal_id: Option<GoalId>,
}

/// A validated action's fields (no identity, version or creation time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFields {
    pub title: String,
    pub owner_member_id: MemberId,
    pub sector: Option<Sector>,
    pub due_date: NaiveDate,
    pub status: ActionStatus,
    pub goal_id: Option<GoalId>,
}

impl ActionInput {
    /// `not_before` is the date the due date may not precede: today for a new action,
    /// the creation date for an existing one.
    pub fn parse(
        &self,
        team: &CareTeam,
        goals: &[Goal],
        today: NaiveDate,
        not_before: NaiveDate,
    ) -> Result<ActionFields, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = e.take(text::required("title", &self.title, SHORT));
        let due_date = e.take(text::date(
            "due_date",
            &self.due_date,
            text::DateWindow::planning(today),
        ));
        if due_date.is_some_and(|d| d < not_before) {
            e.add(
                "due_date",
                "before_creation",
                "cannot be before the action was created",
            );
        }
        let status = match self.status.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => e.take(ActionStatus::parse("status", s)),
            None => Some(ActionStatus::Planned),
        };
        let sector = match self.sector.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => e.take(Sector::parse("sector", s)),
            None => None,
        };
        match self.owner_member_id {
            None => e.add("owner_member_id", "required", "choose who owns the action"),
            Some(owner) => match team.member(owner) {
                Some(m) if m.is_active_on(today) => {}
                _ => e.add(
                    "owner_member_id",
                    "not_on_team",
                    "the owner must be an active member of this patient's team",
                ),
            },
        }
        if let Some(g) = self.goal_id {
            if !goals
                .iter()
                .any(|x| x.id == g && x.patient_id == team.patient_id)
            {
                e.add(
                    "goal_id",
                    "unknown_goal",
                    "the goal must belong to this patient's plan",
                );
            }
        }
        match (title, due_date, status, self.owner_member_id) {
            (Some(title), Some(due_date), Some(status), Some(owner_member_id)) if e.is_empty() => {
                Ok(ActionFields {
                    title,
                    owner_member_id,
                    sector,
                    due_date,
                    status,
                    goal_id: self.goal_id,
                })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    /// Why the change was made (kept in the history; optional).
    #[serde(default)]
    pub reason: Option<String>,
    pub text: String,
    /// `patient` or `professional`; a patient's own goals are always `patient`.
    pub author: Option<String>,
    pub owner_member_id: Option<MemberId>,
    #[serde(default)]
    pub achieved: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalFields {
    pub text: String,
    pub author: GoalAuthor,
    pub owner_member_id: Option<MemberId>,
    pub achieved: bool,
}

impl GoalInput {
    pub fn parse(&self, team: &CareTeam, today: NaiveDate) -> Result<GoalFields, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let text = e.take(text::required("text", &self.text, LONG));
        let author = match self.author.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => e.take(GoalAuthor::parse("author", s)),
            None => Some(GoalAuthor::Patient),
        };
        if author == Some(GoalAuthor::Professional) {
            match self.owner_member_id.and_then(|o| team.member(o)) {
                Some(m) if m.is_active_on(today) => {}
                Some(_) => e.add(
                    "owner_member_id",
                    "not_on_team",
                    "the owner must be an active member of this patient's team",
                ),
                None => e.add(
                    "owner_member_id",
                    "required",
                    "a professional goal needs an owner on the team",
                ),
            }
        }
        match (text, author) {
            (Some(text), Some(author)) if e.is_empty() => Ok(GoalFields {
                text,
                author,
                owner_member_id: if author == GoalAuthor::Professional {
                    self.owner_member_id
                } else {
                    None
                },
                achieved: self.achieved,
            }),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// Why the change was made (kept in the history; optional).
    #[serde(default)]
    pub reason: Option<String>,
    pub what: String,
    pub provider: String,
    pub frequency: String,
}

impl ServiceInput {
    pub fn parse(&self) -> Result<(String, String, String), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let what = e.take(text::required("what", &self.what, SHORT));
        let provider = e.take(text::required("provider", &self.provider, SHORT));
        let frequency = e.take(text::required("frequency", &self.frequency, SHORT));
        match (what, provider, frequency) {
            (Some(a), Some(b), Some(c)) if e.is_empty() => Ok((a, b, c)),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisPlanInput {
    /// Why the change was made (kept in the history; optional).
    #[serde(default)]
    pub reason: Option<String>,
    pub warning_signs: Option<String>,
    pub what_helps: Option<String>,
    pub contacts: Option<String>,
}

impl CrisisPlanInput {
    /// Applies the given sections onto `current`; absent sections stay as they are.
    pub fn apply(&self, current: &CrisisPlan) -> Result<CrisisPlan, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut next = current.clone();
        let mut set = |field: &str, v: &Option<String>, target: &mut String| {
            if let Some(v) = v {
                match text::optional(field, Some(v), LONG) {
                    Ok(t) => *target = t.unwrap_or_default(),
                    Err(err) => e.errors.extend(err.errors),
                }
            }
        };
        set(
            "warning_signs",
            &self.warning_signs,
            &mut next.warning_signs,
        );
        set("what_helps", &self.what_helps, &mut next.what_helps);
        set("contacts", &self.contacts, &mut next.contacts);
        e.into_result().map(|()| next)
    }

    /// True if only the patient-editable section ("what helps") is being changed.
    pub fn touches_only_what_helps(&self, current: &CrisisPlan) -> bool {
        let same = |v: &Option<String>, cur: &str| v.as_deref().is_none_or(|v| v.trim() == cur);
        same(&self.warning_signs, &current.warning_signs) && same(&self.contacts, &current.contacts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ProfessionalId;
    use crate::team::{MemberKind, TeamMember};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn team() -> CareTeam {
        let m = TeamMember {
            id: MemberId::new(),
            kind: MemberKind::Professional,
            professional_id: Some(ProfessionalId::new()),
            name: None,
            organisation_id: None,
            role: "Care manager".into(),
            responsibility: "Follow-up for 12 months".into(),
            phone: None,
            is_coordinator: true,
            active_from: day("2026-01-01"),
            active_to: None,
        };
        CareTeam {
            patient_id: PatientId::new(),
            members: vec![m],
            version: 1,
        }
    }

    #[test]
    fn action_needs_owner_on_team_and_due_date_not_before_creation() {
        let t = team();
        let today = day("2026-11-22");
        let owner = t.members[0].id;
        let ok = ActionInput {
            title: "Call GP".into(),
            owner_member_id: Some(owner),
            due_date: "2026-12-01".into(),
            ..Default::default()
        };
        let f = ok.parse(&t, &[], today, today).expect("valid");
        assert_eq!(f.status, ActionStatus::Planned);

        let past = ActionInput {
            due_date: "2026-11-21".into(),
            ..ok.clone()
        };
        assert_eq!(
            past.parse(&t, &[], today, today).unwrap_err().errors[0].code,
            "before_creation"
        );

        let stranger = ActionInput {
            owner_member_id: Some(MemberId::new()),
            ..ok.clone()
        };
        assert_eq!(
            stranger.parse(&t, &[], today, today).unwrap_err().errors[0].code,
            "not_on_team"
        );

        let foreign_goal = ActionInput {
            goal_id: Some(GoalId::new()),
            ..ok.clone()
        };
        assert_eq!(
            foreign_goal
                .parse(&t, &[], today, today)
                .unwrap_err()
                .errors[0]
                .code,
            "unknown_goal"
        );

        let bad_status = ActionInput {
            status: Some("finished".into()),
            ..ok
        };
        assert_eq!(
            bad_status.parse(&t, &[], today, today).unwrap_err().errors[0].field,
            "status"
        );
    }

    #[test]
    fn overdue_only_when_open_and_past_due() {
        let t = team();
        let mut a = Action {
            id: ActionId::new(),
            patient_id: t.patient_id,
            title: "x".into(),
            owner_member_id: t.members[0].id,
            sector: Sector::Municipal,
            due_date: day("2026-11-01"),
            status: ActionStatus::InProgress,
            goal_id: None,
            created_at: "2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().unwrap(),
            version: 1,
        };
        assert!(a.is_overdue(day("2026-11-02")));
        assert!(!a.is_overdue(day("2026-11-01")));
        a.status = ActionStatus::Done;
        assert!(!a.is_overdue(day("2026-11-02")));
    }

    #[test]
    fn crisis_plan_patient_may_touch_only_what_helps() {
        let cur = CrisisPlan {
            warning_signs: "Sleeps badly".into(),
            ..CrisisPlan::empty(PatientId::new())
        };
        let helps = CrisisPlanInput {
            what_helps: Some("A walk with my sister".into()),
            warning_signs: Some("Sleeps badly".into()),
            contacts: None,
            reason: None,
        };
        assert!(helps.touches_only_what_helps(&cur));
        let signs = CrisisPlanInput {
            warning_signs: Some("Stops eating".into()),
            ..Default::default()
        };
        assert!(!signs.touches_only_what_helps(&cur));
        assert_eq!(
            helps.apply(&cur).expect("valid").what_helps,
            "A walk with my sister"
        );
    }

    #[test]
    fn professional_goal_needs_owner() {
        let t = team();
        let today = day("2026-11-22");
        let g = GoalInput {
            text: "Return to work 50 %".into(),
            author: Some("professional".into()),
            ..Default::default()
        };
        assert_eq!(
            g.parse(&t, today).unwrap_err().errors[0].field,
            "owner_member_id"
        );
        let own = GoalInput {
            text: "Have a good life".into(),
            ..Default::default()
        };
        assert_eq!(
            own.parse(&t, today).expect("valid").author,
            GoalAuthor::Patient
        );
    }
}
