//! Read models the surfaces render: what a page or API response shows, already
//! filtered by the policy. Surfaces must not filter further.

use chrono::NaiveDate;
use samband_domain::country::{Country, EmergencyNumber};
use samband_domain::ids::MemberId;
use samband_domain::organisation::{Organisation, Sector};
use samband_domain::patient::Patient;
use samband_domain::plan::{Action, CrisisPlan, Goal, PlanHeader, Service};
use samband_domain::team::{CareTeam, MemberKind, TeamMember};
use serde::Serialize;

/// A team member with the names and contact details the team and patient need.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub member: TeamMember,
    pub display_name: String,
    pub title: Option<String>,
    pub organisation: Option<Organisation>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub availability: Option<String>,
    pub active: bool,
}

impl MemberView {
    /// Initials for the avatar the patient sees ("Kari Nordmann" → "KN").
    pub fn initials(&self) -> String {
        self.display_name
            .split_whitespace()
            .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }

    pub fn sector(&self) -> Option<Sector> {
        self.organisation.as_ref().map(|o| o.sector)
    }

    pub fn is_patient(&self) -> bool {
        self.member.kind == MemberKind::Patient
    }
}

/// Everything on the patient overview page and in `GET /api/v1/patients/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct PatientOverview {
    pub patient: Patient,
    pub team: CareTeam,
    pub members: Vec<MemberView>,
    pub plan: PlanHeader,
    pub goals: Vec<Goal>,
    pub actions: Vec<Action>,
    pub services: Vec<Service>,
    /// `None` when the policy withholds the crisis plan from this reader.
    pub crisis_plan: Option<CrisisPlan>,
    /// `None` when the policy withholds it (with the crisis plan: the same category).
    pub relapse_plan: Option<samband_domain::relapse::RelapsePlan>,
    pub today: NaiveDate,
    /// May this reader change the plan (professionals on the team)?
    pub can_edit_plan: bool,
    /// False when consent withholds the plan and team from this reader: the lists are
    /// then empty and the page says so.
    pub plan_visible: bool,
    /// Why this reader has access: care, own record, or emergency access.
    pub purpose: crate::policy::Purpose,
    /// Where the patient lives (see `App::country_of`): crisis pages show its numbers.
    pub country: Country,
    /// What to call in an emergency there, the medical emergency first.
    pub emergency_numbers: Vec<EmergencyNumber>,
}

/// One owner's actions, for "actions grouped by owner".
#[derive(Debug, Clone, Serialize)]
pub struct OwnerActions<'a> {
    pub owner: Option<&'a MemberView>,
    pub actions: Vec<&'a Action>,
}

impl PatientOverview {
    /// The name a team member is shown by (for the relapse plan's "who"); empty when
    /// they are not (or no longer) on the team shown.
    pub fn member_name(&self, id: &Option<MemberId>) -> String {
        id.and_then(|id| self.members.iter().find(|m| m.member.id == id))
            .map(|m| m.display_name.clone())
            .unwrap_or_default()
    }

    pub fn member(&self, id: MemberId) -> Option<&MemberView> {
        self.members.iter().find(|m| m.member.id == id)
    }

    pub fn active_members(&self) -> impl Iterator<Item = &MemberView> {
        self.members.iter().filter(|m| m.active)
    }

    pub fn coordinator(&self) -> Option<&MemberView> {
        self.members
            .iter()
            .find(|m| m.active && m.member.is_coordinator)
    }

    /// Actions grouped by owner in team order; within a group by due date.
    pub fn actions_by_owner(&self) -> Vec<OwnerActions<'_>> {
        let mut groups: Vec<OwnerActions<'_>> = Vec::new();
        for m in &self.members {
            let actions: Vec<&Action> = self
                .actions
                .iter()
                .filter(|a| a.owner_member_id == m.member.id)
                .collect();
            if !actions.is_empty() {
                groups.push(OwnerActions {
                    owner: Some(m),
                    actions,
                });
            }
        }
        groups
    }

    /// Are there goals by this author (`patient` or `professional`)?
    pub fn has_goals_by(&self, author: &str) -> bool {
        self.goals.iter().any(|g| g.author.as_str() == author)
    }

    pub fn is_emergency(&self) -> bool {
        self.purpose == crate::policy::Purpose::Emergency
    }

    pub fn overdue_count(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.is_overdue(self.today))
            .count()
    }

    pub fn goal_text(&self, id: &Option<samband_domain::ids::GoalId>) -> Option<&str> {
        id.and_then(|g| self.goals.iter().find(|x| x.id == g))
            .map(|g| g.text.as_str())
    }

    /// `member` by reference, for templates (which pass arguments by reference).
    pub fn member_ref(&self, id: &MemberId) -> Option<&MemberView> {
        self.member(*id)
    }

    pub fn is_overdue(&self, a: &Action) -> bool {
        a.is_overdue(self.today)
    }

    /// The number to call when life or health is in danger, where the patient lives.
    pub fn medical_emergency(&self) -> EmergencyNumber {
        self.country.medical_emergency()
    }
}

/// One row of "My patients": the patient, my part on their team, and the plan's load
/// (zero when consent withholds the plan from me).
#[derive(Debug, Clone, Serialize)]
pub struct CaseloadItem {
    pub patient: Patient,
    pub my_role: String,
    pub is_coordinator: bool,
    pub open_actions: i64,
    pub overdue_actions: i64,
    /// Items handed to the coordinator for want of a successor, still waiting for a
    /// new owner (withheld with the plan).
    pub needs_new_owner: i64,
}

impl From<samband_store::CaseloadRow> for CaseloadItem {
    fn from(r: samband_store::CaseloadRow) -> Self {
        Self {
            patient: r.patient,
            my_role: r.my_role,
            is_coordinator: r.is_coordinator,
            open_actions: r.open_actions,
            overdue_actions: r.overdue_actions,
            needs_new_owner: 0,
        }
    }
}

/// One change in a patient's history: who changed which object when, and its state
/// before and after.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryItem {
    pub object_type: String,
    pub object_id: String,
    pub version: i64,
    pub actor_name: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub reason: Option<String>,
    pub old_value: Option<serde_json::Value>,
    pub new_value: serde_json::Value,
}

impl From<samband_store::HistoryEntry> for HistoryItem {
    fn from(h: samband_store::HistoryEntry) -> Self {
        Self {
            object_type: h.object_type,
            object_id: h.object_id,
            version: h.version,
            actor_name: h.actor_name,
            at: h.at,
            reason: h.reason,
            old_value: h.old_value,
            new_value: h.new_value,
        }
    }
}

/// A background job as administrators see it (never its payload, which may name a
/// patient or an address).
#[derive(Debug, Clone, Serialize)]
pub struct JobItem {
    pub id: samband_domain::ids::JobId,
    pub kind: String,
    /// `pending`, `running`, `done` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub run_at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
}

impl From<samband_store::Job> for JobItem {
    fn from(j: samband_store::Job) -> Self {
        Self {
            id: j.id,
            kind: j.kind,
            status: j.status,
            attempts: j.attempts,
            run_at: j.run_at,
            last_error: j.last_error,
        }
    }
}
