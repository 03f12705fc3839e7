//! The relapse-prevention plan's request and response types.

use super::choices::*;
use super::text::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One early warning sign as written: the patient's words, and the team's action and
/// who does it. A row with every field blank is dropped.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningSignRequest {
    #[serde(default)]
    #[schema(value_type = LongOptional)]
    pub words: String,
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub action: Option<String>,
    /// A professional on the patient's team; required with an action.
    #[serde(default)]
    pub who_member_id: Option<Uuid>,
}

/// The plan's parts; an absent part is left as it is. `signs` is the whole list.
/// Patients may change only their own words: the signs' `words` and `what_helps`
/// (each sign's action and who, row by row, as they are).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelapsePlanRequest {
    /// Why the change was made (kept in the history).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
    #[serde(default)]
    pub signs: Option<Vec<WarningSignRequest>>,
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub what_helps: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub contacts: Option<String>,
    /// `agreed` records the agreement today (it needs signs, an action and who for
    /// each, and contacts); `draft` withdraws it. Absent: a change of content makes an
    /// agreed plan a draft again.
    #[serde(default)]
    #[schema(value_type = Option<RelapseStatus>)]
    pub status: Option<String>,
}

impl From<RelapsePlanRequest> for samband_domain::relapse::RelapsePlanInput {
    fn from(r: RelapsePlanRequest) -> Self {
        let RelapsePlanRequest {
            reason,
            signs,
            what_helps,
            contacts,
            status,
        } = r;
        Self {
            reason,
            signs: signs.map(|list| {
                list.into_iter()
                    .map(|s| {
                        let WarningSignRequest {
                            words,
                            action,
                            who_member_id,
                        } = s;
                        samband_domain::relapse::WarningSignInput {
                            words,
                            action,
                            who_member_id: who_member_id.map(Into::into),
                        }
                    })
                    .collect()
            }),
            what_helps,
            contacts,
            status,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WarningSign {
    /// In the patient's own words.
    pub words: String,
    /// What the team does at this sign (empty until written).
    pub action: String,
    pub who_member_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct RelapsePlan {
    pub patient_id: Uuid,
    pub signs: Vec<WarningSign>,
    pub what_helps: String,
    pub contacts: String,
    #[schema(value_type = RelapseStatus)]
    pub status: &'static str,
    /// The day it was agreed (while agreed).
    pub agreed_on: Option<NaiveDate>,
    /// `none` (never written), `draft` or `agreed`: what the caseload registry shows.
    #[schema(value_type = RelapseState)]
    pub state: &'static str,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<samband_domain::relapse::RelapsePlan> for RelapsePlan {
    fn from(p: samband_domain::relapse::RelapsePlan) -> Self {
        let state = p.state().as_str();
        let samband_domain::relapse::RelapsePlan {
            patient_id,
            signs,
            what_helps,
            contacts,
            status,
            agreed_on,
            updated_at,
            version,
        } = p;
        Self {
            patient_id: patient_id.0,
            signs: signs
                .into_iter()
                .map(|s| {
                    let samband_domain::relapse::WarningSign {
                        words,
                        action,
                        who_member_id,
                    } = s;
                    WarningSign {
                        words,
                        action,
                        who_member_id: who_member_id.map(|m| m.0),
                    }
                })
                .collect(),
            what_helps,
            contacts,
            status: status.as_str(),
            agreed_on,
            state,
            updated_at,
            version,
        }
    }
}
