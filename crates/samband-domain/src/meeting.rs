//! Collaboration meetings: the meeting, who is invited (team members, the patient,
//! external guests), an agenda whose items each have a time slot, a responsible person,
//! the participants needed and whether the patient is present, pre-reads released by a
//! per-meeting policy, minutes and decisions.
//!
//! The studies found that preparation, a clear agenda, the patient's place in it and
//! follow-up with clear responsibilities separate real planning from "information
//! sharing"; the rules here make the good meeting the easy one: slots fit the meeting
//! and never overlap, the responsible person is invited, the follow-up comes after.

use crate::consent::Category;
use crate::ids::*;
use crate::string_enum;
use crate::text::{self, LONG, SHORT};
use crate::ValidationErrors;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest meeting, in minutes (a full day's planning).
pub const MAX_MINUTES: i64 = 8 * 60;

string_enum!(
    MeetingKind {
        CollaborationAfterAssessment = "collaboration_after_assessment",
        DischargePlanning = "discharge_planning",
        Coordination = "coordination",
        Review = "review",
        /// A dialogue meeting of the sick-leave follow-up (dialogmøte, DOMAIN.md §1.4).
        DialogueMeeting = "dialogue_meeting",
    }
);

string_enum!(
    MeetingMode {
        Digital = "digital",
        Hybrid = "hybrid",
        InPerson = "in_person",
    }
);

string_enum!(
    /// When pre-reads reach the participants.
    PreReadPolicy {
        /// Shared a set number of days before the meeting (professionals and patient).
        DaysBefore = "days_before",
        /// Shared when the meeting starts.
        AtMeeting = "at_meeting",
        /// Professionals only (from the moment they are added).
        ProfessionalsOnly = "professionals_only",
    }
);

string_enum!(
    MeetingStatus {
        Planned = "planned",
        Held = "held",
        Cancelled = "cancelled",
    }
);

string_enum!(
    ParticipantKind {
        Member = "member",
        Patient = "patient",
        Guest = "guest",
    }
);

string_enum!(
    Reply {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        Tentative = "tentative",
    }
);

string_enum!(
    PreReadKind {
        Notes = "notes",
        Assessment = "assessment",
        SuggestedActions = "suggested_actions",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub patient_id: PatientId,
    pub kind: MeetingKind,
    pub mode: MeetingMode,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub video_link: Option<String>,
    pub place: Option<String>,
    pub organiser_account_id: AccountId,
    pub organiser_name: String,
    pub pre_read_policy: PreReadPolicy,
    /// For `DaysBefore`: how many days ahead pre-reads are released.
    pub pre_read_days: i64,
    pub follow_up_date: Option<NaiveDate>,
    /// Plain-language summary for the patient, written after the meeting.
    pub summary: Option<String>,
    pub status: MeetingStatus,
    /// Calendar files' SEQUENCE: increased whenever invitees must update.
    pub sequence: i64,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl Meeting {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(self.duration_minutes)
    }

    /// Are the pre-reads out for this reader at `now`?
    pub fn pre_reads_released(&self, now: DateTime<Utc>, reader_is_professional: bool) -> bool {
        match self.pre_read_policy {
            PreReadPolicy::ProfessionalsOnly => reader_is_professional,
            PreReadPolicy::AtMeeting => now >= self.starts_at,
            PreReadPolicy::DaysBefore => now >= self.starts_at - Duration::days(self.pre_read_days),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub meeting_id: MeetingId,
    pub kind: ParticipantKind,
    pub member_id: Option<MemberId>,
    /// The sign-in account of a team member or the patient (guests have none).
    pub account_id: Option<AccountId>,
    pub name: String,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub reply: Reply,
    /// "What I want to raise", written before the meeting.
    pub raise: Option<String>,
    pub pre_reads_read_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: AgendaItemId,
    pub meeting_id: MeetingId,
    pub title: String,
    /// Minutes from the meeting's start.
    pub start_offset: i64,
    pub duration_minutes: i64,
    pub responsible: ParticipantId,
    /// Who needs to be there for this item (people join only their parts).
    pub participants: Vec<ParticipantId>,
    pub patient_present: bool,
    /// The patient's wish to change this item ("I would like to be there").
    pub patient_request: Option<String>,
    pub minutes: String,
    /// What the minutes (and the item's decisions) are about, for consent: read only
    /// by those the patient lets see this category. Plan and actions unless the chair
    /// says otherwise (mental health, say).
    #[serde(default = "plan_and_actions")]
    pub minutes_category: Category,
    pub version: i64,
}

fn plan_and_actions() -> Category {
    Category::PlanAndActions
}

impl AgendaItem {
    pub fn end_offset(&self) -> i64 {
        self.start_offset + self.duration_minutes
    }

    pub fn overlaps(&self, other: &AgendaItem) -> bool {
        self.start_offset < other.end_offset() && other.start_offset < self.end_offset()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: DecisionId,
    pub meeting_id: MeetingId,
    pub item_id: AgendaItemId,
    pub text: String,
    pub owner_member_id: MemberId,
    pub due_date: NaiveDate,
    pub goal_id: Option<GoalId>,
    /// The care-plan action the decision became.
    pub action_id: ActionId,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreRead {
    pub id: PreReadId,
    pub meeting_id: MeetingId,
    pub kind: PreReadKind,
    pub title: String,
    pub body: String,
    /// With the patient's consent, decides who may read it.
    pub category: Category,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
}

/// A meeting as forms and the API send it; times are local (the deployment's zone).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    pub kind: String,
    pub mode: String,
    pub title: String,
    /// `YYYY-MM-DDTHH:MM`, local time.
    pub starts_at: String,
    pub duration_minutes: i64,
    #[serde(default)]
    pub video_link: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    pub pre_read_policy: String,
    #[serde(default)]
    pub pre_read_days: Option<i64>,
    #[serde(default)]
    pub follow_up_date: Option<String>,
}

/// A checked meeting; the start is still local and naive (the app places it in time).
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingFields {
    pub kind: MeetingKind,
    pub mode: MeetingMode,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i64,
    pub video_link: Option<String>,
    pub place: Option<String>,
    pub pre_read_policy: PreReadPolicy,
    pub pre_read_days: i64,
    pub follow_up_date: Option<NaiveDate>,
}

fn link(field: &str, raw: Option<&str>) -> Result<Option<String>, ValidationErrors> {
    let Some(v) = text::optional(field, raw, 1000)? else {
        return Ok(None);
    };
    if !(v.starts_with("https://") || v.starts_with("http://")) || v.contains(char::is_whitespace) {
        return Err(ValidationErrors::single(
            field,
            "bad_url",
            "must be a web address starting with https://",
        ));
    }
    Ok(Some(v))
}

impl MeetingInput {
    /// Checks the meeting. `now_local` is the current local time: a new meeting must
    /// not start in the past.
    pub fn check(&self, now_local: NaiveDateTime) -> Result<MeetingFields, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = e.take(MeetingKind::parse("kind", &self.kind));
        let mode = e.take(MeetingMode::parse("mode", &self.mode));
        let title = e.take(text::required("title", &self.title, SHORT));
        let starts_at = NaiveDateTime::parse_from_str(self.starts_at.trim(), "%Y-%m-%dT%H:%M")
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(self.starts_at.trim(), "%Y-%m-%dT%H:%M:%S").ok()
            });
        match starts_at {
            None => e.add(
                "starts_at",
                "bad_datetime",
                "must be a date and time written as YYYY-MM-DDTHH:MM",
            ),
            Some(s) if s < now_local => e.add(
                "starts_at",
                "in_past",
                "the meeting must not start in the past",
            ),
            Some(s) => {
                e.take(text::DateWindow::ahead(now_local.date()).check("starts_at", s.date()));
            }
        }
        if !(15..=MAX_MINUTES).contains(&self.duration_minutes) {
            e.add(
                "duration_minutes",
                "range",
                format!("must be between 15 and {MAX_MINUTES} minutes"),
            );
        }
        let link_checked = link("video_link", self.video_link.as_deref());
        let link_bad = link_checked.is_err();
        let video_link = e.take(link_checked).flatten();
        let place = e
            .take(text::optional("place", self.place.as_deref(), SHORT))
            .flatten();
        match mode {
            Some(MeetingMode::Digital) if video_link.is_none() && !link_bad => e.add(
                "video_link",
                "required",
                "a digital meeting needs a video link",
            ),
            Some(MeetingMode::InPerson) if place.is_none() => {
                e.add("place", "required", "a meeting in person needs a place")
            }
            Some(MeetingMode::Hybrid) => {
                if video_link.is_none() && !link_bad {
                    e.add(
                        "video_link",
                        "required",
                        "a hybrid meeting needs a video link",
                    );
                }
                if place.is_none() {
                    e.add("place", "required", "a hybrid meeting needs a place");
                }
            }
            _ => {}
        }
        let pre_read_policy = e.take(PreReadPolicy::parse(
            "pre_read_policy",
            &self.pre_read_policy,
        ));
        let pre_read_days = self.pre_read_days.unwrap_or(3);
        if pre_read_policy == Some(PreReadPolicy::DaysBefore) && !(1..=30).contains(&pre_read_days)
        {
            e.add("pre_read_days", "range", "must be between 1 and 30 days");
        }
        let follow_up_date = match self.follow_up_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => e.take(text::date(
                "follow_up_date",
                raw,
                text::DateWindow::planning(now_local.date()),
            )),
        };
        if let (Some(f), Some(s)) = (follow_up_date, starts_at) {
            if f <= s.date() {
                e.add(
                    "follow_up_date",
                    "before_meeting",
                    "the follow-up must come after the meeting",
                );
            }
        }
        e.into_result()?;
        match (kind, mode, title, starts_at, pre_read_policy) {
            (Some(kind), Some(mode), Some(title), Some(starts_at), Some(pre_read_policy)) => {
                Ok(MeetingFields {
                    kind,
                    mode,
                    title,
                    starts_at,
                    duration_minutes: self.duration_minutes,
                    video_link,
                    place,
                    pre_read_policy,
                    pre_read_days,
                    follow_up_date,
                })
            }
            _ => Err(ValidationErrors::single("kind", "required", "incomplete")),
        }
    }
}

/// An agenda item as sent: the slot as local `HH:MM` on the meeting's day.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemInput {
    pub title: String,
    pub start: String,
    pub duration_minutes: i64,
    pub responsible: Option<ParticipantId>,
    #[serde(default)]
    pub participants: Vec<ParticipantId>,
    #[serde(default)]
    pub patient_present: bool,
}

/// The checked parts of an agenda item (minutes and the patient's wish kept apart).
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaFields {
    pub title: String,
    pub start_offset: i64,
    pub duration_minutes: i64,
    pub responsible: ParticipantId,
    pub participants: Vec<ParticipantId>,
    pub patient_present: bool,
}

impl AgendaItemInput {
    /// Checks the item against the meeting (local start and length), those invited,
    /// and the other items (`others`, without this one): the slot lies inside the
    /// meeting and overlaps none; the responsible person and every participant are
    /// invited; the responsible person takes part.
    pub fn check(
        &self,
        meeting_start_local: NaiveDateTime,
        meeting_minutes: i64,
        invited: &[ParticipantId],
        others: &[AgendaItem],
    ) -> Result<AgendaFields, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = e.take(text::required("title", &self.title, SHORT));
        let start = NaiveTime::parse_from_str(self.start.trim(), "%H:%M").ok();
        let offset = start.map(|t| {
            let at = meeting_start_local.date().and_time(t);
            (at - meeting_start_local).num_minutes()
        });
        if start.is_none() {
            e.add("start", "bad_time", "must be a time written as HH:MM");
        }
        if self.duration_minutes < 1 {
            e.add("duration_minutes", "range", "must be at least one minute");
        }
        if let Some(o) = offset {
            if o < 0 || o + self.duration_minutes > meeting_minutes {
                e.add(
                    "start",
                    "outside_meeting",
                    "the item must lie inside the meeting's time",
                );
            } else if self.duration_minutes >= 1 {
                let probe = AgendaItem {
                    id: AgendaItemId::new(),
                    meeting_id: MeetingId::new(),
                    title: String::new(),
                    start_offset: o,
                    duration_minutes: self.duration_minutes,
                    responsible: ParticipantId::new(),
                    participants: vec![],
                    patient_present: false,
                    patient_request: None,
                    minutes: String::new(),
                    minutes_category: Category::PlanAndActions,
                    version: 0,
                };
                if let Some(clash) = others.iter().find(|x| x.overlaps(&probe)) {
                    e.add(
                        "start",
                        "overlap",
                        format!("overlaps the item \"{}\"", clash.title),
                    );
                }
            }
        }
        match self.responsible {
            None => e.add("responsible", "required", "choose who is responsible"),
            Some(r) if !invited.contains(&r) => e.add(
                "responsible",
                "not_invited",
                "the responsible person must be invited to the meeting",
            ),
            _ => {}
        }
        let mut participants: Vec<ParticipantId> = Vec::new();
        for p in &self.participants {
            if !invited.contains(p) {
                e.add(
                    "participants",
                    "not_invited",
                    "everyone taking part must be invited to the meeting",
                );
                break;
            }
            if !participants.contains(p) {
                participants.push(*p);
            }
        }
        if let Some(r) = self.responsible {
            if !participants.contains(&r) {
                participants.push(r);
            }
        }
        e.into_result()?;
        Ok(AgendaFields {
            title: title.unwrap_or_default(),
            start_offset: offset.unwrap_or(0),
            duration_minutes: self.duration_minutes,
            responsible: self.responsible.unwrap_or_default(),
            participants,
            patient_present: self.patient_present,
        })
    }
}

/// A person to invite who is not on the team (name, organisation, e-mail).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestInput {
    pub name: String,
    #[serde(default)]
    pub organisation: Option<String>,
    pub email: String,
}

pub fn check_guest(g: &GuestInput) -> Result<(String, Option<String>, String), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let name = e.take(text::required("name", &g.name, SHORT));
    let org = e
        .take(text::optional(
            "organisation",
            g.organisation.as_deref(),
            SHORT,
        ))
        .flatten();
    let email = g.email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        e.add("email", "bad_email", "must be an e-mail address");
    }
    e.into_result()?;
    Ok((name.unwrap_or_default(), org, email))
}

/// A decision as the chair records it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub text: String,
    pub owner_member_id: Option<MemberId>,
    pub due_date: String,
    #[serde(default)]
    pub goal_id: Option<GoalId>,
}

pub fn check_text(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    text::required(field, raw, LONG)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn meeting_input() -> MeetingInput {
        MeetingInput {
            kind: "collaboration_after_assessment".into(),
            mode: "digital".into(),
            title: "Collaboration meeting".into(),
            starts_at: "2026-12-01T09:00".into(),
            duration_minutes: 60,
            video_link: Some("https://video.example/abc".into()),
            place: None,
            pre_read_policy: "days_before".into(),
            pre_read_days: Some(3),
            follow_up_date: Some("2026-12-29".into()),
        }
    }

    fn codes(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.errors
            .iter()
            .map(|f| (f.field.as_str(), f.code))
            .collect()
    }

    #[test]
    fn a_meeting_needs_its_link_or_place_and_a_later_follow_up() {
        let now = local("2026-11-23T09:00");
        assert!(meeting_input().check(now).is_ok());
        let mut m = meeting_input();
        m.video_link = None;
        m.follow_up_date = Some("2026-11-30".into());
        m.duration_minutes = 5;
        let e = m.check(now).unwrap_err();
        assert_eq!(
            codes(&e),
            vec![
                ("duration_minutes", "range"),
                ("video_link", "required"),
                ("follow_up_date", "before_meeting")
            ]
        );
        let mut m = meeting_input();
        m.mode = "hybrid".into();
        m.video_link = Some("javascript:alert(1)".into());
        let e = m.check(now).unwrap_err();
        assert_eq!(
            codes(&e),
            vec![("video_link", "bad_url"), ("place", "required")]
        );
        let mut m = meeting_input();
        m.starts_at = "2026-11-20T09:00".into();
        assert_eq!(
            codes(&m.check(now).unwrap_err()),
            vec![("starts_at", "in_past")]
        );
    }

    fn item(title: &str, start: i64, minutes: i64) -> AgendaItem {
        AgendaItem {
            id: AgendaItemId::new(),
            meeting_id: MeetingId::new(),
            title: title.into(),
            start_offset: start,
            duration_minutes: minutes,
            responsible: ParticipantId::new(),
            participants: vec![],
            patient_present: true,
            patient_request: None,
            minutes: String::new(),
            minutes_category: Category::PlanAndActions,
            version: 1,
        }
    }

    #[test]
    fn agenda_slots_fit_the_meeting_and_never_overlap() {
        let start = local("2026-12-01T09:00");
        let a = ParticipantId::new();
        let b = ParticipantId::new();
        let invited = [a, b];
        let others = [item("Assessment", 0, 20)];
        let input = |s: &str, d: i64| AgendaItemInput {
            title: "Work".into(),
            start: s.into(),
            duration_minutes: d,
            responsible: Some(a),
            participants: vec![b],
            patient_present: false,
        };
        let ok = input("09:20", 20)
            .check(start, 60, &invited, &others)
            .unwrap();
        assert_eq!((ok.start_offset, ok.duration_minutes), (20, 20));
        assert_eq!(
            ok.participants,
            vec![b, a],
            "the responsible person takes part"
        );
        let e = input("09:10", 20)
            .check(start, 60, &invited, &others)
            .unwrap_err();
        assert_eq!(codes(&e), vec![("start", "overlap")]);
        let e = input("09:50", 20)
            .check(start, 60, &invited, &others)
            .unwrap_err();
        assert_eq!(codes(&e), vec![("start", "outside_meeting")]);
        let e = input("08:50", 5)
            .check(start, 60, &invited, &others)
            .unwrap_err();
        assert_eq!(codes(&e), vec![("start", "outside_meeting")]);
        // Touching slots are fine: one ends as the next begins.
        assert!(input("09:40", 20)
            .check(start, 60, &invited, &others)
            .is_ok());
        let mut bad = input("09:20", 20);
        bad.responsible = Some(ParticipantId::new());
        bad.participants = vec![ParticipantId::new()];
        let e = bad.check(start, 60, &invited, &others).unwrap_err();
        assert_eq!(
            codes(&e),
            vec![
                ("responsible", "not_invited"),
                ("participants", "not_invited")
            ]
        );
    }

    #[test]
    fn pre_reads_follow_the_meeting_policy() {
        let mut m = Meeting {
            id: MeetingId::new(),
            patient_id: PatientId::new(),
            kind: MeetingKind::Review,
            mode: MeetingMode::Digital,
            title: "Review".into(),
            starts_at: "2026-12-10T09:00:00Z".parse().unwrap(),
            duration_minutes: 60,
            video_link: None,
            place: None,
            organiser_account_id: AccountId::new(),
            organiser_name: "x".into(),
            pre_read_policy: PreReadPolicy::DaysBefore,
            pre_read_days: 3,
            follow_up_date: None,
            summary: None,
            status: MeetingStatus::Planned,
            sequence: 0,
            created_at: "2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().unwrap(),
            version: 1,
        };
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert!(!m.pre_reads_released(t("2026-12-07T08:59:00Z"), true));
        assert!(m.pre_reads_released(t("2026-12-07T09:00:00Z"), false));
        m.pre_read_policy = PreReadPolicy::AtMeeting;
        assert!(!m.pre_reads_released(t("2026-12-10T08:59:00Z"), true));
        assert!(m.pre_reads_released(t("2026-12-10T09:00:00Z"), false));
        m.pre_read_policy = PreReadPolicy::ProfessionalsOnly;
        assert!(m.pre_reads_released(t("2026-11-01T00:00:00Z"), true));
        assert!(!m.pre_reads_released(t("2026-12-10T10:00:00Z"), false));
    }

    #[test]
    fn guests_need_a_name_and_an_address() {
        let g = GuestInput {
            name: "Ola Arbeidsgiver".into(),
            organisation: Some("Bakeriet AS".into()),
            email: " Ola@Bakeriet.example ".into(),
        };
        assert_eq!(check_guest(&g).unwrap().2, "ola@bakeriet.example");
        let e = check_guest(&GuestInput::default()).unwrap_err();
        assert_eq!(
            codes(&e),
            vec![("name", "required"), ("email", "bad_email")]
        );
    }
}
