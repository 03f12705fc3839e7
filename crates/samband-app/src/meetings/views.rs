//! What readers see of a meeting: the meeting with its agenda, decisions and
//! participants, a guest's part of it, and the lists of meetings.

use chrono::{NaiveDate, NaiveDateTime};
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::plan::ActionStatus;
use serde::Serialize;

/// One agenda item as a reader sees it.
#[derive(Debug, Clone, Serialize)]
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
    /// The item's minutes and decisions are in a category the patient's consent keeps
    /// from this reader: `item.minutes` is empty and `decisions` too.
    pub minutes_withheld: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    #[serde(flatten)]
    pub decision: Decision,
    pub owner_name: String,
    /// The action's status now (`planned`, `done`, …), and whether it is overdue.
    pub action_status: Option<ActionStatus>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantView {
    #[serde(flatten)]
    pub participant: Participant,
    /// Local times the participant is needed ("09:00–09:20, 09:40–10:00").
    pub times: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
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
    /// Team members not yet invited (member id, name and role), for the invite form.
    pub invitable: Vec<(MemberId, String)>,
    /// Goals, for linking a decision (id, text).
    pub goals: Vec<(GoalId, String)>,
    /// Team members an action can be given to (member id, name).
    pub owners: Vec<(MemberId, String)>,
    pub today: NaiveDate,
}

impl MeetingView {
    pub fn decisions_done(&self) -> usize {
        self.all_decisions()
            .filter(|d| d.action_status == Some(ActionStatus::Done))
            .count()
    }

    pub fn decisions_overdue(&self) -> usize {
        self.all_decisions().filter(|d| d.overdue).count()
    }

    pub fn decision_count(&self) -> usize {
        self.all_decisions().count()
    }

    pub(crate) fn all_decisions(&self) -> impl Iterator<Item = &DecisionView> {
        self.agenda.iter().flat_map(|i| i.decisions.iter())
    }

    /// Invited people who have opened the pre-reads / written what they want to raise.
    pub fn prepared(&self) -> (usize, usize, usize) {
        let n = self.participants.len();
        let read = self
            .participants
            .iter()
            .filter(|p| p.participant.pre_reads_read_at.is_some())
            .count();
        let raised = self
            .participants
            .iter()
            .filter(|p| p.participant.raise.is_some())
            .count();
        (n, read, raised)
    }
}

/// What an external guest sees: the meeting's time and place and their own items.
#[derive(Debug, Clone, Serialize)]
pub struct GuestView {
    pub title: String,
    pub kind: MeetingKind,
    pub mode: MeetingMode,
    pub local_date: NaiveDate,
    pub video_link: Option<String>,
    pub place: Option<String>,
    pub organiser_name: String,
    pub guest: Participant,
    pub items: Vec<(String, String, String)>,
    pub cancelled: bool,
}

/// One row of "My meetings".
#[derive(Debug, Clone, Serialize)]
pub struct MyMeeting {
    pub meeting: Meeting,
    pub patient_name: String,
    pub invited: usize,
    pub accepted: usize,
    pub pending: usize,
    pub agenda_items: usize,
}

pub(crate) fn hhmm(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

pub fn kind_label(k: MeetingKind) -> &'static str {
    match k {
        MeetingKind::CollaborationAfterAssessment => "collaboration meeting",
        MeetingKind::DischargePlanning => "discharge-planning meeting",
        MeetingKind::Coordination => "coordination meeting",
        MeetingKind::Review => "review meeting",
        MeetingKind::DialogueMeeting => "dialogue meeting",
    }
}
