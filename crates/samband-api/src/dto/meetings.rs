//! Response types of collaboration meetings (see `output` for the rule they follow).

use super::choices::*;
use chrono::{DateTime, NaiveDate, Utc};
use samband_app::meetings as am;
use samband_domain::meeting as dm;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct Meeting {
    pub id: Uuid,
    pub patient_id: Uuid,
    #[schema(value_type = MeetingKind)]
    pub kind: dm::MeetingKind,
    #[schema(value_type = MeetingMode)]
    pub mode: dm::MeetingMode,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub video_link: Option<String>,
    pub place: Option<String>,
    pub organiser_account_id: Uuid,
    pub organiser_name: String,
    #[schema(value_type = PreReadPolicy)]
    pub pre_read_policy: dm::PreReadPolicy,
    /// For `days_before`: how many days ahead pre-reads are released.
    pub pre_read_days: i64,
    pub follow_up_date: Option<NaiveDate>,
    /// Plain-language summary for the patient, written after the meeting.
    pub summary: Option<String>,
    #[schema(value_type = MeetingStatus)]
    pub status: dm::MeetingStatus,
    /// Calendar files' SEQUENCE: increased whenever invitees must update.
    pub sequence: i64,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<dm::Meeting> for Meeting {
    fn from(m: dm::Meeting) -> Self {
        let dm::Meeting {
            id,
            patient_id,
            kind,
            mode,
            title,
            starts_at,
            duration_minutes,
            video_link,
            place,
            organiser_account_id,
            organiser_name,
            pre_read_policy,
            pre_read_days,
            follow_up_date,
            summary,
            status,
            sequence,
            created_at,
            version,
        } = m;
        Self {
            id: id.0,
            patient_id: patient_id.0,
            kind,
            mode,
            title,
            starts_at,
            duration_minutes,
            video_link,
            place,
            organiser_account_id: organiser_account_id.0,
            organiser_name,
            pre_read_policy,
            pre_read_days,
            follow_up_date,
            summary,
            status,
            sequence,
            created_at,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Participant {
    pub id: Uuid,
    pub meeting_id: Uuid,
    #[schema(value_type = ParticipantKind)]
    pub kind: dm::ParticipantKind,
    pub member_id: Option<Uuid>,
    /// The sign-in account of a team member or the patient (guests have none).
    pub account_id: Option<Uuid>,
    pub name: String,
    pub organisation: Option<String>,
    pub email: Option<String>,
    #[schema(value_type = Reply)]
    pub reply: dm::Reply,
    /// "What I want to raise", written before the meeting.
    pub raise: Option<String>,
    pub pre_reads_read_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<dm::Participant> for Participant {
    fn from(p: dm::Participant) -> Self {
        let dm::Participant {
            id,
            meeting_id,
            kind,
            member_id,
            account_id,
            name,
            organisation,
            email,
            reply,
            raise,
            pre_reads_read_at,
            version,
        } = p;
        Self {
            id: id.0,
            meeting_id: meeting_id.0,
            kind,
            member_id: member_id.map(|i| i.0),
            account_id: account_id.map(|i| i.0),
            name,
            organisation,
            email,
            reply,
            raise,
            pre_reads_read_at,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgendaItem {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub title: String,
    /// Minutes from the meeting's start.
    pub start_offset: i64,
    pub duration_minutes: i64,
    pub responsible: Uuid,
    /// Who needs to be there for this item.
    pub participants: Vec<Uuid>,
    pub patient_present: bool,
    /// The patient's wish to change this item.
    pub patient_request: Option<String>,
    pub minutes: String,
    /// What the minutes and decisions are about, for consent.
    #[schema(value_type = Category)]
    pub minutes_category: samband_domain::consent::Category,
    pub version: i64,
}

impl From<dm::AgendaItem> for AgendaItem {
    fn from(i: dm::AgendaItem) -> Self {
        let dm::AgendaItem {
            id,
            meeting_id,
            title,
            start_offset,
            duration_minutes,
            responsible,
            participants,
            patient_present,
            patient_request,
            minutes,
            minutes_category,
            version,
        } = i;
        Self {
            id: id.0,
            meeting_id: meeting_id.0,
            title,
            start_offset,
            duration_minutes,
            responsible: responsible.0,
            participants: participants.into_iter().map(|p| p.0).collect(),
            patient_present,
            patient_request,
            minutes,
            minutes_category,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Decision {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub item_id: Uuid,
    pub text: String,
    pub owner_member_id: Uuid,
    pub due_date: NaiveDate,
    pub goal_id: Option<Uuid>,
    /// The care-plan action the decision became.
    pub action_id: Uuid,
    pub created_at: DateTime<Utc>,
}

impl From<dm::Decision> for Decision {
    fn from(d: dm::Decision) -> Self {
        let dm::Decision {
            id,
            meeting_id,
            item_id,
            text,
            owner_member_id,
            due_date,
            goal_id,
            action_id,
            created_at,
        } = d;
        Self {
            id: id.0,
            meeting_id: meeting_id.0,
            item_id: item_id.0,
            text,
            owner_member_id: owner_member_id.0,
            due_date,
            goal_id: goal_id.map(|g| g.0),
            action_id: action_id.0,
            created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PreRead {
    pub id: Uuid,
    pub meeting_id: Uuid,
    #[schema(value_type = PreReadKind)]
    pub kind: dm::PreReadKind,
    pub title: String,
    pub body: String,
    /// With the patient's consent, decides who may read it.
    #[schema(value_type = Category)]
    pub category: samband_domain::consent::Category,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
}

impl From<dm::PreRead> for PreRead {
    fn from(r: dm::PreRead) -> Self {
        let dm::PreRead {
            id,
            meeting_id,
            kind,
            title,
            body,
            category,
            author_name,
            created_at,
        } = r;
        Self {
            id: id.0,
            meeting_id: meeting_id.0,
            kind,
            title,
            body,
            category,
            author_name,
            created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantView {
    #[serde(flatten)]
    pub participant: Participant,
    /// Local times the participant is needed, as `[from, to]` pairs (`HH:MM`).
    pub times: Vec<[String; 2]>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    #[serde(flatten)]
    pub decision: Decision,
    pub owner_name: String,
    /// The action's status now.
    #[schema(value_type = Option<ActionStatus>)]
    pub action_status: Option<samband_domain::plan::ActionStatus>,
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ItemView {
    #[serde(flatten)]
    pub item: AgendaItem,
    /// Local start and end, `HH:MM`.
    pub from: String,
    pub to: String,
    pub responsible_name: String,
    pub participant_names: Vec<String>,
    /// The reader takes part in this item.
    pub mine: bool,
    pub decisions: Vec<DecisionView>,
    /// Consent keeps the item's minutes and decisions from this reader: `minutes`
    /// and `decisions` are empty.
    pub minutes_withheld: bool,
}

/// An id with a name, as a `[id, name]` pair.
#[derive(Serialize)]
pub struct Named(pub (Uuid, String));

impl utoipa::PartialSchema for Named {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
        ArrayBuilder::new()
            .items(ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)))
            .min_items(Some(2))
            .max_items(Some(2))
            .description(Some("`[id, name]`"))
            .into()
    }
}
impl utoipa::ToSchema for Named {}

#[derive(Serialize, ToSchema)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub patient_name: String,
    pub local_start: String,
    pub local_end: String,
    pub local_date: NaiveDate,
    pub participants: Vec<ParticipantView>,
    pub agenda: Vec<ItemView>,
    /// Pre-reads the reader may see now (policy, release time and consent).
    pub pre_reads: Vec<PreRead>,
    /// Pre-reads exist but are not released to this reader yet.
    pub pre_reads_held_back: usize,
    /// The reader's own invitation, if invited.
    pub me: Option<Participant>,
    /// May plan: change the meeting, invite, build the agenda, record minutes.
    pub can_plan: bool,
    pub reader_is_patient: bool,
    /// Team members not yet invited.
    pub invitable: Vec<Named>,
    /// Goals, for linking a decision.
    pub goals: Vec<Named>,
    /// Team members an action can be given to.
    pub owners: Vec<Named>,
    pub today: NaiveDate,
}

fn named<T>(v: Vec<(T, String)>, f: impl Fn(T) -> Uuid) -> Vec<Named> {
    v.into_iter().map(|(id, n)| Named((f(id), n))).collect()
}

impl From<am::MeetingView> for MeetingView {
    fn from(v: am::MeetingView) -> Self {
        let am::MeetingView {
            meeting,
            patient_name,
            local_start,
            local_end,
            local_date,
            participants,
            agenda,
            pre_reads,
            pre_reads_held_back,
            me,
            can_plan,
            reader_is_patient,
            invitable,
            goals,
            owners,
            today,
        } = v;
        Self {
            meeting: meeting.into(),
            patient_name,
            local_start,
            local_end,
            local_date,
            participants: participants
                .into_iter()
                .map(|p| ParticipantView {
                    participant: p.participant.into(),
                    times: p.times.into_iter().map(|(a, b)| [a, b]).collect(),
                })
                .collect(),
            agenda: agenda
                .into_iter()
                .map(|i| {
                    let am::ItemView {
                        item,
                        from,
                        to,
                        responsible_name,
                        participant_names,
                        mine,
                        decisions,
                        minutes_withheld,
                    } = i;
                    ItemView {
                        item: item.into(),
                        from,
                        to,
                        responsible_name,
                        participant_names,
                        mine,
                        decisions: decisions
                            .into_iter()
                            .map(|d| DecisionView {
                                decision: d.decision.into(),
                                owner_name: d.owner_name,
                                action_status: d.action_status,
                                overdue: d.overdue,
                            })
                            .collect(),
                        minutes_withheld,
                    }
                })
                .collect(),
            pre_reads: pre_reads.into_iter().map(Into::into).collect(),
            pre_reads_held_back,
            me: me.map(Into::into),
            can_plan,
            reader_is_patient,
            invitable: named(invitable, |i| i.0),
            goals: named(goals, |i| i.0),
            owners: named(owners, |i| i.0),
            today,
        }
    }
}

/// One row of "My meetings".
#[derive(Serialize, ToSchema)]
pub struct MyMeeting {
    pub meeting: Meeting,
    pub patient_name: String,
    pub invited: usize,
    pub accepted: usize,
    pub pending: usize,
    pub agenda_items: usize,
}

impl From<am::MyMeeting> for MyMeeting {
    fn from(m: am::MyMeeting) -> Self {
        let am::MyMeeting {
            meeting,
            patient_name,
            invited,
            accepted,
            pending,
            agenda_items,
        } = m;
        Self {
            meeting: meeting.into(),
            patient_name,
            invited,
            accepted,
            pending,
            agenda_items,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Invited {
    pub participant: Participant,
    /// For a guest: the secret link (shown once; it was also e-mailed to them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_link: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Summarised {
    pub meeting: Meeting,
    /// The review planned on the follow-up date, if asked for.
    pub next_meeting: Option<Uuid>,
}
