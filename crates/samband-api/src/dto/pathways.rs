//! Request and response types of the pathway endpoints.

use super::choices::*;
use super::text::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user-facing text in each of Samband's languages.
#[derive(Serialize, ToSchema)]
pub struct Localised {
    pub en: String,
    pub nb: String,
    pub da: String,
}

impl From<samband_domain::pathway::Localised> for Localised {
    fn from(l: samband_domain::pathway::Localised) -> Self {
        let samband_domain::pathway::Localised { en, nb, da } = l;
        Self { en, nb, da }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PathwayTemplate {
    pub key: String,
    pub version: u32,
    pub title: Localised,
    pub summary: Localised,
    #[schema(value_type = AnchorKind)]
    pub anchor: String,
    /// How many milestones the template has (before repetitions).
    pub milestones: usize,
    /// Shipped with Samband (cloned, never edited) or the deployment's own.
    pub shipped: bool,
}

impl From<samband_app::pathways::TemplateSummary> for PathwayTemplate {
    fn from(t: samband_app::pathways::TemplateSummary) -> Self {
        Self {
            key: t.key,
            version: t.version,
            title: t.title.into(),
            summary: t.summary.into(),
            anchor: t.anchor.as_str().into(),
            milestones: t.milestones,
            shipped: t.shipped,
        }
    }
}

/// One occurrence of a milestone on the patient's calendar.
#[derive(Serialize, ToSchema)]
pub struct Milestone {
    pub phase: String,
    pub milestone: String,
    /// 1 for the first (or only) occurrence, then 2, 3 … for repetitions.
    pub occurrence: u32,
    pub opens: NaiveDate,
    pub due: NaiveDate,
    #[schema(value_type = CareRole)]
    pub role: String,
    #[schema(value_type = MilestoneState)]
    pub state: String,
    pub title: Localised,
    /// What it means for the patient, in plain words.
    pub patient_text: Localised,
    pub completed_on: Option<NaiveDate>,
    /// `evidence` (the event the template names happened) or `manual` (with a note).
    pub completed_by: Option<String>,
    pub completion_note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Enrolment {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub template_key: String,
    pub template_version: u32,
    pub anchor_date: NaiveDate,
    /// The team member who enrolled the patient.
    pub enrolled_by: Uuid,
    pub ended_on: Option<NaiveDate>,
    pub version: i64,
    pub title: Localised,
    pub summary: Localised,
    /// Milestones past due and not done (none once the enrolment has ended).
    pub overdue: usize,
    pub milestones: Vec<Milestone>,
}

impl From<samband_app::pathways::EnrolmentView> for Enrolment {
    fn from(v: samband_app::pathways::EnrolmentView) -> Self {
        use samband_domain::pathway::CompletedBy;
        let e = v.enrolment;
        Self {
            id: e.id.0,
            patient_id: e.patient_id.0,
            template_key: e.template_key,
            template_version: e.template_version,
            anchor_date: e.anchor_date,
            enrolled_by: e.enrolled_by.0,
            ended_on: e.ended_on,
            version: e.version,
            title: v.title.into(),
            summary: v.summary.into(),
            overdue: v.overdue,
            milestones: v
                .milestones
                .into_iter()
                .map(|m| {
                    let s = m.view.scheduled;
                    let (completed_by, completion_note) = match &m.view.completion {
                        None => (None, None),
                        Some(c) => match &c.by {
                            CompletedBy::Evidence { .. } => (Some("evidence".into()), None),
                            CompletedBy::Manual { note, .. } => {
                                (Some("manual".into()), Some(note.clone()))
                            }
                        },
                    };
                    Milestone {
                        phase: s.phase,
                        milestone: s.milestone,
                        occurrence: s.occurrence,
                        opens: s.opens,
                        due: s.due,
                        role: s.role.as_str().into(),
                        state: m.view.state.as_str().into(),
                        title: m.title.into(),
                        patient_text: m.patient_text.into(),
                        completed_on: m.view.completion.as_ref().map(|c| c.on),
                        completed_by,
                        completion_note,
                    }
                })
                .collect(),
        }
    }
}

/// Enrol the patient on a pathway.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// A template of the catalogue (`GET /pathways`).
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub template_key: String,
    /// The date the windows count from (the template's `anchor`).
    #[schema(value_type = PlanningDate)]
    pub anchor_date: String,
}

impl From<EnrolRequest> for samband_domain::pathway::EnrolmentInput {
    fn from(r: EnrolRequest) -> Self {
        Self {
            template_key: r.template_key,
            anchor_date: r.anchor_date,
        }
    }
}

/// Complete a milestone occurrence by hand.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionRequest {
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub milestone: String,
    /// Which occurrence of a repeating milestone; 1 when not given.
    #[schema(minimum = 1)]
    pub occurrence: Option<u32>,
    /// Why it is done (what happened, where the evidence is).
    #[schema(value_type = Long)]
    pub note: String,
    /// When it was done: between the anchor date and today; today when not given.
    #[schema(value_type = Option<PlanningDate>)]
    pub on: Option<String>,
}

impl From<CompletionRequest> for samband_domain::pathway::ManualCompletionInput {
    fn from(r: CompletionRequest) -> Self {
        Self {
            milestone: r.milestone,
            occurrence: r.occurrence,
            note: r.note,
            on: r.on.unwrap_or_default(),
        }
    }
}

/// One need found in a needs-mapping conversation, and who takes it on.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    #[schema(value_type = NeedsTopic)]
    pub topic: String,
    /// What the patient needs, in a line.
    pub description: String,
    /// An active professional on the team; the need becomes their plan action.
    pub owner_member_id: Option<Uuid>,
    pub due: Option<NaiveDate>,
}

/// Record a needs-mapping conversation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedsMappingRequest {
    #[schema(value_type = MappingPoint)]
    pub point: String,
    /// The day of the conversation (today or earlier).
    pub held_on: Option<NaiveDate>,
    /// The patient declined the conversation (then no needs).
    #[serde(default)]
    pub declined: bool,
    #[serde(default)]
    pub needs: Vec<Need>,
    /// Free text: what else was said, or that no needs were found.
    pub notes: Option<String>,
}

impl From<NeedsMappingRequest> for samband_domain::pathway::needs::NeedsMappingInput {
    fn from(r: NeedsMappingRequest) -> Self {
        Self {
            point: r.point,
            held_on: r.held_on,
            declined: r.declined,
            needs: r
                .needs
                .into_iter()
                .map(|n| samband_domain::pathway::needs::NeedInput {
                    topic: n.topic,
                    description: n.description,
                    owner: n.owner_member_id.map(Into::into),
                    due: n.due,
                })
                .collect(),
            notes: r.notes,
        }
    }
}

/// A recorded needs-mapping conversation.
#[derive(Serialize, ToSchema)]
pub struct NeedsMapping {
    pub id: Uuid,
    #[schema(value_type = MappingPoint)]
    pub point: String,
    pub held_on: NaiveDate,
    pub declined: bool,
    pub needs: Vec<Need>,
    pub notes: Option<String>,
    pub recorded_by_member_id: Uuid,
    /// The plan actions its needs became (on recording only; empty when listed).
    pub actions: Vec<Uuid>,
    /// Milestone occurrences it completed (on recording only).
    pub completed_milestones: usize,
}

impl From<samband_app::pathways::NeedsMappingRecord> for NeedsMapping {
    fn from(r: samband_app::pathways::NeedsMappingRecord) -> Self {
        let m = r.mapping;
        Self {
            id: r.id,
            point: m.point.as_str().into(),
            held_on: m.held_on,
            declined: m.declined,
            needs: m
                .needs
                .into_iter()
                .map(|n| Need {
                    topic: n.topic.as_str().into(),
                    description: n.description,
                    owner_member_id: Some(n.owner.as_uuid()),
                    due: Some(n.due),
                })
                .collect(),
            notes: m.notes,
            recorded_by_member_id: r.recorded_by.as_uuid(),
            actions: Vec::new(),
            completed_milestones: 0,
        }
    }
}

impl From<samband_app::pathways::MappingRecorded> for NeedsMapping {
    fn from(r: samband_app::pathways::MappingRecorded) -> Self {
        let mut out = NeedsMapping::from(r.record);
        out.actions = r.actions.iter().map(|a| a.as_uuid()).collect();
        out.completed_milestones = r.completed;
        out
    }
}

/// A new version of the deployment's own pathway template, as TOML (the format the
/// shipped templates are in; clone one from `GET /pathways` and the admin page).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateSourceRequest {
    pub source: String,
}
