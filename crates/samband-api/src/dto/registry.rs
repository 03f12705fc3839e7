//! What the registry answers.

use super::choices::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One patient's registry row, as the reader may see it: plan information (counts,
/// contacts, enrolment) is blank where the policy withholds it, and `withheld` says so.
#[derive(Serialize, ToSchema)]
pub struct RegistryItem {
    pub patient_id: Uuid,
    pub name: String,
    pub my_role: String,
    pub is_coordinator: bool,
    pub enrolled_on: Option<NaiveDate>,
    pub weeks_in_treatment: Option<i64>,
    /// The first PHQ-9 total.
    pub baseline_score: Option<i64>,
    /// The latest PHQ-9 total.
    pub latest_score: Option<i64>,
    /// From baseline to latest in per cent (−50 = halved).
    pub change_percent: Option<i64>,
    /// The latest totals, oldest first.
    pub recent_scores: Vec<i64>,
    pub last_contact: Option<DateTime<Utc>>,
    pub next_contact: Option<DateTime<Utc>>,
    pub open_actions: i64,
    pub overdue_actions: i64,
    pub open_requests: i64,
    pub pending_receipts: i64,
    pub needs_new_owner: i64,
    /// When the patient was last brought to case review.
    pub last_review: Option<DateTime<Utc>>,
    /// The relapse-prevention plan: none, draft or agreed (null where withheld).
    #[schema(value_type = Option<RelapseState>)]
    pub relapse_plan: Option<&'static str>,
    pub relapse_agreed_on: Option<NaiveDate>,
    #[schema(value_type = Vec<RegistryFlag>)]
    pub flags: Vec<&'static str>,
    /// Kinds of information withheld on this row (`plan`).
    pub withheld: Vec<&'static str>,
}

impl From<samband_app::registry::RegistryItem> for RegistryItem {
    fn from(i: samband_app::registry::RegistryItem) -> Self {
        let samband_app::registry::RegistryItem {
            patient_id,
            name,
            my_role,
            is_coordinator,
            enrolled_on,
            weeks_in_treatment,
            baseline_score,
            latest_score,
            change_percent,
            recent_scores,
            last_contact,
            next_contact,
            open_actions,
            overdue_actions,
            open_requests,
            pending_receipts,
            needs_new_owner,
            last_review,
            relapse_plan,
            relapse_agreed_on,
            flags,
            withheld,
        } = i;
        Self {
            patient_id: patient_id.as_uuid(),
            name,
            my_role,
            is_coordinator,
            enrolled_on,
            weeks_in_treatment,
            baseline_score,
            latest_score,
            change_percent,
            recent_scores,
            last_contact,
            next_contact,
            open_actions,
            overdue_actions,
            open_requests,
            pending_receipts,
            needs_new_owner,
            last_review,
            relapse_plan,
            relapse_agreed_on,
            flags: flags.iter().map(|f| f.as_str()).collect(),
            withheld,
        }
    }
}

/// One page of the registry.
#[derive(Serialize, ToSchema)]
pub struct RegistryPage {
    pub items: Vec<RegistryItem>,
    /// The cursor of the next page; null on the last page.
    pub next: Option<String>,
    /// How many patients the whole filtered registry holds.
    #[schema(minimum = 0)]
    pub total: i64,
    #[schema(minimum = 1)]
    pub limit: i64,
    #[schema(value_type = RegistrySort)]
    pub sort: &'static str,
    #[schema(value_type = Vec<RegistryFlag>)]
    pub flags: Vec<&'static str>,
    pub coordinating: bool,
    /// Only the case-review queue.
    pub review: bool,
    /// Rows of this page left out because the order or filter rests on information
    /// withheld from the reader for them.
    #[schema(minimum = 0)]
    pub hidden: i64,
}

impl From<samband_app::registry::RegistryPage> for RegistryPage {
    fn from(p: samband_app::registry::RegistryPage) -> Self {
        Self {
            items: p.page.items.into_iter().map(Into::into).collect(),
            next: p.page.next,
            total: p.page.total,
            limit: p.page.limit,
            sort: p.sort.as_str(),
            flags: p.flags.iter().map(|f| f.as_str()).collect(),
            coordinating: p.coordinating,
            review: p.review,
            hidden: p.hidden,
        }
    }
}

/// Record a case-review recommendation; it becomes a task for the GP (or the member
/// named) due on `due_date`.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseReviewRequest {
    #[schema(min_length = 1, max_length = 4000)]
    pub recommendation: String,
    /// The member who carries it out; the team's GP when not given.
    pub to_member: Option<Uuid>,
    /// Today or later.
    #[schema(value_type = String, format = Date)]
    pub due_date: String,
}

impl From<CaseReviewRequest> for samband_domain::case_review::CaseReviewInput {
    fn from(r: CaseReviewRequest) -> Self {
        Self {
            recommendation: r.recommendation,
            to_member: r.to_member.map(|u| u.to_string()),
            due_date: r.due_date,
        }
    }
}

/// A recorded case-review recommendation.
#[derive(Serialize, ToSchema)]
pub struct CaseReview {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub reviewer_member_id: Uuid,
    pub reviewer_name: Option<String>,
    pub recommendation: String,
    pub to_member_id: Uuid,
    pub to_member_name: Option<String>,
    pub due_date: NaiveDate,
    /// The plan action it became.
    pub action_id: Uuid,
    pub created_at: DateTime<Utc>,
}

impl From<samband_app::registry::CaseReviewView> for CaseReview {
    fn from(v: samband_app::registry::CaseReviewView) -> Self {
        let samband_app::registry::CaseReviewView {
            review,
            reviewer_name,
            to_member_name,
        } = v;
        let samband_domain::case_review::CaseReview {
            id,
            patient_id,
            reviewer,
            recommendation,
            to_member,
            due,
            action_id,
            created_at,
        } = review;
        Self {
            id,
            patient_id: patient_id.as_uuid(),
            reviewer_member_id: reviewer.as_uuid(),
            reviewer_name,
            recommendation,
            to_member_id: to_member.as_uuid(),
            to_member_name,
            due_date: due,
            action_id: action_id.as_uuid(),
            created_at,
        }
    }
}
