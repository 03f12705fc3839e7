//! Request and response types of the successor endpoints (issue 11, part A).

use super::input::MemberRequest;
use super::text::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// End a membership: the last day and who takes over. Name an active professional on
/// the team (`successor_id`), or a new member who joins in the same change
/// (`new_successor`), or neither — then the coordinator holds the open items, flagged
/// "needs a new owner" (the coordinator must name the next).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndMembershipRequest {
    #[schema(value_type = PlanningDate)]
    pub last_day: String,
    #[serde(default)]
    pub successor_id: Option<Uuid>,
    #[serde(default)]
    pub new_successor: Option<MemberRequest>,
    /// Why (kept in the history).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
}

impl From<EndMembershipRequest> for samband_app::team::EndMembershipInput {
    fn from(r: EndMembershipRequest) -> Self {
        let EndMembershipRequest {
            last_day,
            successor_id,
            new_successor,
            reason,
        } = r;
        Self {
            last_day,
            successor_id: successor_id.map(Into::into),
            new_successor: new_successor.map(Into::into),
            reason,
        }
    }
}

/// What ending the membership moved, and to whom.
#[derive(Serialize, ToSchema)]
pub struct EndedMembership {
    pub team: super::output::CareTeam,
    pub succession_id: Uuid,
    pub leaver: Uuid,
    pub successor: Uuid,
    /// No successor was named: the coordinator holds the items, each flagged.
    pub needs_new_owner: bool,
    /// The leaver coordinated; the successor does now.
    pub hands_over_coordination: bool,
    pub actions: Vec<Uuid>,
    pub goals: Vec<Uuid>,
    pub requests: Vec<Uuid>,
    /// Messages whose receipt the successor now owes.
    pub receipts: Vec<Uuid>,
    pub agenda_items: Vec<Uuid>,
}

impl From<samband_app::team::EndedMembership> for EndedMembership {
    fn from(e: samband_app::team::EndedMembership) -> Self {
        let samband_app::team::EndedMembership {
            team,
            succession_id,
            leaver,
            successor,
            needs_new_owner,
            hands_over_coordination,
            actions,
            goals,
            requests,
            receipts,
            agenda_items,
        } = e;
        Self {
            team: team.into(),
            succession_id,
            leaver: leaver.0,
            successor: successor.0,
            needs_new_owner,
            hands_over_coordination,
            actions: actions.into_iter().map(|i| i.0).collect(),
            goals: goals.into_iter().map(|i| i.0).collect(),
            requests: requests.into_iter().map(|i| i.0).collect(),
            receipts,
            agenda_items: agenda_items.into_iter().map(|i| i.0).collect(),
        }
    }
}

/// Who took over from whom.
#[derive(Serialize, ToSchema)]
pub struct Succession {
    pub leaver_member_id: Uuid,
    pub leaver_name: String,
    pub successor_member_id: Uuid,
    pub successor_name: String,
    pub last_day: NaiveDate,
    pub needs_new_owner: bool,
}

impl From<samband_app::team::SuccessionView> for Succession {
    fn from(s: samband_app::team::SuccessionView) -> Self {
        let samband_app::team::SuccessionView {
            leaver_member_id,
            leaver_name,
            successor_member_id,
            successor_name,
            last_day,
            needs_new_owner,
        } = s;
        Self {
            leaver_member_id: leaver_member_id.0,
            leaver_name,
            successor_member_id: successor_member_id.0,
            successor_name,
            last_day,
            needs_new_owner,
        }
    }
}

/// An item waiting for a new owner.
#[derive(Serialize, ToSchema)]
pub struct FlaggedItem {
    /// `action`, `goal` or `request`.
    pub kind: String,
    pub item_id: Uuid,
    /// Who holds it meanwhile (the coordinator).
    pub holder_member_id: Uuid,
    /// Who left it.
    pub leaver_member_id: Uuid,
}

impl From<samband_app::team::FlaggedView> for FlaggedItem {
    fn from(f: samband_app::team::FlaggedView) -> Self {
        let samband_app::team::FlaggedView {
            kind,
            item_id,
            holder_member_id,
            leaver_member_id,
        } = f;
        Self {
            kind,
            item_id,
            holder_member_id: holder_member_id.0,
            leaver_member_id: leaver_member_id.0,
        }
    }
}

/// Address an open request to someone else on the team.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReaddressRequest {
    pub addressee_member_id: Option<Uuid>,
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
}
