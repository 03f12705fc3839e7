//! Request and response types of the hand-over endpoints.

use super::choices::*;
use super::text::*;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::MemberId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One follow-up item: what, by whom, by when. Sending the hand-over makes it a plan
/// action owned by `owner`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    #[schema(value_type = Short)]
    pub description: String,
    /// An active professional on the patient's team.
    pub owner: Option<Uuid>,
    /// Today or later.
    #[schema(value_type = PlanningDate)]
    pub due: String,
}

/// A hand-over as its sender writes it (a draft, or the draft's new text).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// The receiving professional: an active professional member of the team, not the
    /// sender.
    pub receiver: Option<Uuid>,
    #[schema(value_type = Urgency)]
    pub urgency: String,
    /// What was done and found (clinical notes).
    #[schema(value_type = Long)]
    pub done_and_found: String,
    /// Current medication (medication).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub medication: Option<String>,
    /// The plan for adjusting it (medication).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub medication_plan: Option<String>,
    /// At most 50; a red hand-over needs at least one.
    #[serde(default)]
    pub follow_up: Vec<FollowUpRequest>,
    /// Warning signs and what to do (clinical notes).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub warning_signs: Option<String>,
    /// Work capacity and return-to-work advice (work capacity).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub work_capacity: Option<String>,
    /// Who takes over what (plan).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub responsibilities: Option<String>,
    /// A summary for the patient in plain words (plan).
    #[schema(value_type = Long)]
    pub patient_summary: String,
}

impl From<HandoverRequest> for samband_domain::handover::HandoverInput {
    fn from(r: HandoverRequest) -> Self {
        Self {
            receiver: r.receiver.map(MemberId),
            urgency: r.urgency,
            done_and_found: r.done_and_found,
            medication: r.medication,
            medication_plan: r.medication_plan,
            follow_up: r
                .follow_up
                .into_iter()
                .map(|f| samband_domain::handover::FollowUpInput {
                    description: f.description,
                    owner: f.owner.map(MemberId),
                    due: f.due,
                })
                .collect(),
            warning_signs: r.warning_signs,
            work_capacity: r.work_capacity,
            responsibilities: r.responsibilities,
            patient_summary: r.patient_summary,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FollowUp {
    pub description: String,
    pub owner: Uuid,
    pub owner_name: String,
    pub due: NaiveDate,
}

/// A hand-over as the caller may read it: a section the patient's consent does not let
/// the caller's organisation read is absent (`null`) and named in `withheld`.
#[derive(Serialize, ToSchema)]
pub struct Handover {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// The sending team member.
    pub sender: Uuid,
    pub sender_name: String,
    /// The receiving team member.
    pub receiver: Uuid,
    pub receiver_name: String,
    #[schema(value_type = Urgency)]
    pub urgency: String,
    #[schema(value_type = HandoverStatus)]
    pub status: String,
    pub sent_at: Option<DateTime<Utc>>,
    /// The last day to acknowledge before it escalates (working days after sending).
    pub ack_due: Option<NaiveDate>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Sent, unacknowledged, and past `ack_due`.
    pub ack_overdue: bool,
    pub version: i64,
    pub done_and_found: Option<String>,
    pub medication: Option<String>,
    pub medication_plan: Option<String>,
    pub follow_up: Option<Vec<FollowUp>>,
    pub warning_signs: Option<String>,
    pub work_capacity: Option<String>,
    pub responsibilities: Option<String>,
    pub patient_summary: Option<String>,
    /// Sections withheld from the caller by the patient's consent.
    #[schema(value_type = Vec<HandoverSection>)]
    pub withheld: Vec<String>,
    /// The caller may edit it (their own draft).
    pub may_edit: bool,
    /// The caller may acknowledge it (its receiver, while it waits).
    pub may_acknowledge: bool,
}

impl From<samband_app::handovers::HandoverView> for Handover {
    fn from(v: samband_app::handovers::HandoverView) -> Self {
        Self {
            id: v.id.0,
            patient_id: v.patient_id.0,
            sender: v.sender.0,
            sender_name: v.sender_name,
            receiver: v.receiver.0,
            receiver_name: v.receiver_name,
            urgency: v.urgency.as_str().into(),
            status: v.status.as_str().into(),
            sent_at: v.sent_at,
            ack_due: v.ack_due,
            acknowledged_at: v.acknowledged_at,
            ack_overdue: v.ack_overdue,
            version: v.version,
            done_and_found: v.done_and_found,
            medication: v.medication,
            medication_plan: v.medication_plan,
            follow_up: v.follow_up.map(|l| {
                l.into_iter()
                    .map(|f| FollowUp {
                        description: f.description,
                        owner: f.owner.0,
                        owner_name: f.owner_name,
                        due: f.due,
                    })
                    .collect()
            }),
            warning_signs: v.warning_signs,
            work_capacity: v.work_capacity,
            responsibilities: v.responsibilities,
            patient_summary: v.patient_summary,
            withheld: v.withheld.iter().map(|s| s.as_str().to_owned()).collect(),
            may_edit: v.may_edit,
            may_acknowledge: v.may_acknowledge,
        }
    }
}
