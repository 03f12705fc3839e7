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
            hidden: p.hidden,
        }
    }
}
