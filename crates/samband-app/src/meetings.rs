//! Collaboration meetings: planning (meeting, invitations, agenda), preparation
//! (pre-reads by policy, "what I want to raise", who has prepared), the meeting itself
//! (minutes per item, versioned; decisions that become care-plan actions) and the
//! follow-up (plain-language summary, reminder, the next meeting).
//!
//! Reading a meeting is the policy's decision like any other part of the record
//! (`Object::Meeting`; a pre-read carries its own category). External guests have no
//! account: a link with a secret token shows them their own agenda items and nothing
//! else, and every such view is audited.

use crate::care::Change;
use crate::jobs::{self, OutgoingEmail};
use crate::notify::Notice;
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{App, AppError, Ctx};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use samband_domain::consent::Category;
use samband_domain::ics;
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::plan::{Action, ActionStatus};
use samband_domain::principal::Subject;
use samband_domain::team::MemberKind;
use samband_domain::ValidationErrors;
use samband_store::{Job, StoreError, Tx};
use serde::{Deserialize, Serialize};

type TxBox = Box<dyn Tx>;

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

    fn all_decisions(&self) -> impl Iterator<Item = &DecisionView> {
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    /// A team member to invite.
    #[serde(default)]
    pub member_id: Option<MemberId>,
    /// Invite the patient.
    #[serde(default)]
    pub patient: bool,
    /// Or an external guest.
    #[serde(default)]
    pub guest: Option<GuestInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreReadInput {
    pub kind: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryInput {
    pub summary: String,
    /// Also plan the next meeting on the follow-up date.
    #[serde(default)]
    pub plan_next: bool,
}

fn hhmm(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

impl App {
    fn to_local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.config.time_zone).naive_local()
    }

    fn local_to_utc(&self, t: NaiveDateTime) -> Result<DateTime<Utc>, AppError> {
        t.and_local_timezone(self.config.time_zone)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                ValidationErrors::single(
                    "starts_at",
                    "no_such_time",
                    "this local time does not exist",
                )
                .into()
            })
    }

    /// Loads a meeting and authorizes `op` on it; the transaction stays open.
    async fn open_meeting(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        op: Operation,
    ) -> Result<(TxBox, Meeting, Purpose), AppError> {
        self.open_meeting_for(ctx, id, op, Detail::None).await
    }

    /// As [`Self::open_meeting`], for what only the meeting's planners do
    /// (`Detail::Planning`: professionals caring for the patient).
    async fn open_meeting_for(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        op: Operation,
        detail: Detail,
    ) -> Result<(TxBox, Meeting, Purpose), AppError> {
        let mut tx = self.store.begin().await?;
        let m = tx.get_meeting(id).await?.ok_or(AppError::NotFound)?;
        let facts = self.load_facts(&mut tx, ctx, m.patient_id).await?;
        let (tx, purpose) = self
            .authorize_with(tx, ctx, m.patient_id, &facts, op, Object::Meeting, detail)
            .await?;
        Ok((tx, m, purpose))
    }

    /// Opens a meeting for a planner's change made from version `expected`: a stale
    /// version is answered with the current meeting and who changed it.
    async fn open_for_planning(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        expected: i64,
    ) -> Result<(TxBox, Meeting, Purpose), AppError> {
        let (tx, old, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        if old.version != expected {
            let v = old.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    old.patient_id,
                    Object::Meeting,
                    id.to_string(),
                    &old,
                    v,
                    purpose,
                )
                .await);
        }
        Ok((tx, old, purpose))
    }

    pub async fn create_meeting(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &MeetingInput,
    ) -> Result<Meeting, AppError> {
        let f = input.check(self.to_local(self.clock.now()))?;
        let starts_at = self.local_to_utc(f.starts_at)?;
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Meeting,
                Detail::Planning,
            )
            .await?;
        let now = self.clock.now();
        let m = Meeting {
            id: MeetingId::new(),
            patient_id: patient,
            kind: f.kind,
            mode: f.mode,
            title: f.title,
            starts_at,
            duration_minutes: f.duration_minutes,
            video_link: f.video_link,
            place: f.place,
            organiser_account_id: ctx.principal.account_id,
            organiser_name: ctx.principal.display_name.clone(),
            pre_read_policy: f.pre_read_policy,
            pre_read_days: f.pre_read_days,
            follow_up_date: f.follow_up_date,
            summary: None,
            status: MeetingStatus::Planned,
            sequence: 0,
            created_at: now,
            version: 1,
        };
        tx.insert_meeting(&m).await?;
        // The organiser takes part (as the team member they are).
        if let Subject::Professional(pid) = ctx.principal.subject {
            let team = tx.get_team(patient).await?.ok_or(AppError::NotFound)?;
            if let Some(member) = team.active_professional(pid, self.today()) {
                let email = tx.get_professional(pid).await?.and_then(|p| p.email);
                tx.insert_participant(&Participant {
                    id: ParticipantId::new(),
                    meeting_id: m.id,
                    kind: ParticipantKind::Member,
                    member_id: Some(member.id),
                    account_id: Some(ctx.principal.account_id),
                    name: ctx.principal.display_name.clone(),
                    organisation: None,
                    email,
                    reply: Reply::Accepted,
                    raise: None,
                    pre_reads_read_at: None,
                    version: 1,
                })
                .await?;
            }
        }
        if let Some(d) = m.follow_up_date {
            self.schedule_follow_up(&mut tx, &m, d).await?;
        }
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Meeting,
                id: m.id.to_string(),
                version: 1,
                old: None,
                new: &m,
                reason: None,
                audit_id: Some(m.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(m)
    }

    async fn schedule_follow_up(
        &self,
        tx: &mut TxBox,
        m: &Meeting,
        d: NaiveDate,
    ) -> Result<(), AppError> {
        let at = d
            .and_hms_opt(8, 0, 0)
            .map(|t| self.local_to_utc(t))
            .transpose()?
            .unwrap_or_else(|| self.clock.now());
        let job = Job::new(
            jobs::MEETING_FOLLOW_UP,
            serde_json::json!({ "meeting_id": m.id, "date": d }),
            at,
            self.clock.now(),
        )
        .dedupe(format!("follow_up:{}:{d}", m.id));
        self.enqueue(tx, job).await?;
        Ok(())
    }

    /// Changes time, place, mode or policy; invitees get an updated calendar file.
    pub async fn update_meeting(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &MeetingInput,
        expected: i64,
    ) -> Result<Meeting, AppError> {
        let f = input.check(self.to_local(self.clock.now()))?;
        let starts_at = self.local_to_utc(f.starts_at)?;
        let (mut tx, old, purpose) = self.open_for_planning(ctx, id, expected).await?;
        // Agenda items must still fit a shorter meeting.
        let agenda = tx.list_agenda(id).await?;
        if agenda.iter().any(|i| i.end_offset() > f.duration_minutes) {
            return Err(ValidationErrors::single(
                "duration_minutes",
                "agenda_outside",
                "agenda items would lie outside the shorter meeting; move them first",
            )
            .into());
        }
        let mut next = Meeting {
            kind: f.kind,
            mode: f.mode,
            title: f.title,
            starts_at,
            duration_minutes: f.duration_minutes,
            video_link: f.video_link,
            place: f.place,
            pre_read_policy: f.pre_read_policy,
            pre_read_days: f.pre_read_days,
            follow_up_date: f.follow_up_date,
            sequence: old.sequence + 1,
            ..old.clone()
        };
        next.version = self.save_meeting(&mut tx, &next, expected).await?;
        if let Some(d) = next
            .follow_up_date
            .filter(|d| Some(*d) != old.follow_up_date)
        {
            self.schedule_follow_up(&mut tx, &next, d).await?;
        }
        let told = self
            .send_invitations(&mut tx, ctx, &next, None, "meeting_changed")
            .await?;
        self.finish_meeting_change(tx, ctx, &old, &next, purpose)
            .await?;
        self.live.publish(told);
        self.job_wake.notify_one();
        Ok(next)
    }

    /// Writes the meeting if still at `expected`; otherwise a conflict carrying the
    /// stored meeting (someone saved between the check and the write).
    async fn save_meeting(
        &self,
        tx: &mut TxBox,
        m: &Meeting,
        expected: i64,
    ) -> Result<i64, AppError> {
        match tx.update_meeting(m, expected).await {
            Ok(v) => Ok(v),
            Err(StoreError::Conflict(_)) => {
                let current = tx.get_meeting(m.id).await?.ok_or(AppError::NotFound)?;
                Err(AppError::Conflict(Box::new(crate::error::ConflictInfo {
                    current_version: current.version,
                    current: serde_json::to_value(&current).unwrap_or_default(),
                    changed_by: None,
                    changed_at: None,
                })))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn finish_meeting_change(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        old: &Meeting,
        next: &Meeting,
        purpose: Purpose,
    ) -> Result<(), AppError> {
        self.commit_change(
            tx,
            ctx,
            next.patient_id,
            Change {
                object: Object::Meeting,
                id: next.id.to_string(),
                version: next.version,
                old: Some(old),
                new: next,
                reason: None,
                audit_id: Some(next.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await
    }

    pub async fn cancel_meeting(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        expected: i64,
    ) -> Result<Meeting, AppError> {
        let (mut tx, old, purpose) = self.open_for_planning(ctx, id, expected).await?;
        let mut next = Meeting {
            status: MeetingStatus::Cancelled,
            sequence: old.sequence + 1,
            ..old.clone()
        };
        next.version = self.save_meeting(&mut tx, &next, expected).await?;
        let told = self
            .send_invitations(&mut tx, ctx, &next, None, "meeting_cancelled")
            .await?;
        self.finish_meeting_change(tx, ctx, &old, &next, purpose)
            .await?;
        self.live.publish(told);
        self.job_wake.notify_one();
        Ok(next)
    }

    /// Invites a team member, the patient or an external guest. Inviting someone twice
    /// is refused. Returns the guest's link token once (only its hash is kept); it
    /// debug-prints as `[redacted]`.
    pub async fn invite(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &InviteInput,
    ) -> Result<(Participant, Option<samband_store::Secret>), AppError> {
        let guest = match &input.guest {
            Some(g) => Some(check_guest(g).map_err(|e| e.nested_in("guest"))?),
            None => None,
        };
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let today = self.today();
        let mut p = Participant {
            id: ParticipantId::new(),
            meeting_id: id,
            kind: ParticipantKind::Member,
            member_id: None,
            account_id: None,
            name: String::new(),
            organisation: None,
            email: None,
            reply: Reply::Pending,
            raise: None,
            pre_reads_read_at: None,
            version: 1,
        };
        let mut token = None;
        if let Some((name, org, email)) = guest {
            p.kind = ParticipantKind::Guest;
            p.name = name;
            p.organisation = org;
            p.email = Some(email);
            let secret = crate::auth::random_token();
            token = Some(secret);
        } else if input.patient {
            let patient = tx
                .get_patient(m.patient_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let account = tx
                .accounts_for_patient(m.patient_id)
                .await?
                .into_iter()
                .find(|a| a.role == samband_domain::principal::AccountRole::Patient);
            p.kind = ParticipantKind::Patient;
            p.name = patient.name;
            p.email = patient.email;
            p.account_id = account.map(|a| a.id);
            if tx
                .list_participants(id)
                .await?
                .iter()
                .any(|x| x.kind == ParticipantKind::Patient)
            {
                return Err(already_invited("patient"));
            }
        } else {
            let Some(member_id) = input.member_id else {
                return Err(ValidationErrors::single(
                    "member_id",
                    "required",
                    "choose whom to invite",
                )
                .into());
            };
            let team = tx.get_team(m.patient_id).await?.ok_or(AppError::NotFound)?;
            let member = team
                .active_members(today)
                .find(|x| x.id == member_id && x.kind == MemberKind::Professional)
                .cloned()
                .ok_or_else(|| {
                    AppError::from(ValidationErrors::single(
                        "member_id",
                        "not_on_team",
                        "only active members of the care team can be invited this way; invite others as guests",
                    ))
                })?;
            let pro = match member.professional_id {
                Some(pid) => tx.get_professional(pid).await?,
                None => None,
            };
            let account = match member.professional_id {
                Some(pid) => tx.account_for_professional(pid).await?,
                None => None,
            };
            p.member_id = Some(member.id);
            p.name = pro
                .as_ref()
                .map(|x| x.name.clone())
                .unwrap_or(member.role.clone());
            p.email = pro.and_then(|x| x.email);
            p.account_id = account.map(|a| a.id);
        }
        match tx.insert_participant(&p).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                let field = if p.kind == ParticipantKind::Guest {
                    "guest.email"
                } else {
                    "member_id"
                };
                return Err(already_invited(field));
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(secret) = &token {
            tx.set_guest_token(p.id, &crate::auth::sha256_hex(secret))
                .await?;
        }
        let told = self
            .send_invitations(&mut tx, ctx, &m, Some(p.id), "meeting_invite")
            .await?;
        // The link goes to the guest by e-mail, and to the organiser once, to pass on.
        if let (Some(secret), Some(email)) = (&token, &p.email) {
            self.queue_guest_link(&mut tx, &m, &p, email, secret)
                .await?;
        }
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(p.id.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.live.publish(told);
        self.job_wake.notify_one();
        Ok((p, token.map(samband_store::Secret::from)))
    }

    /// Sends (or re-sends) the calendar invitation to each participant (`only`: one),
    /// with in-app notices for those with accounts. Returns the accounts told.
    async fn send_invitations(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        m: &Meeting,
        only: Option<ParticipantId>,
        kind: &str,
    ) -> Result<Vec<AccountId>, AppError> {
        let participants = tx.list_participants(m.id).await?;
        let agenda = tx.list_agenda(m.id).await?;
        let mut told = Vec::new();
        for p in participants
            .iter()
            .filter(|p| only.is_none_or(|o| o == p.id))
        {
            if let Some(account) = p.account_id {
                if account != ctx.principal.account_id {
                    self.notify(
                        tx,
                        Notice {
                            account,
                            patient: Some(m.patient_id),
                            kind,
                            thread: None,
                            actor: Some(&ctx.principal.display_name),
                            detail: None,
                            unread: true,
                        },
                    )
                    .await?;
                    told.push(account);
                }
            }
            if let (Some(email), Some(mail)) = (&p.email, &self.config.mail) {
                let ics = self.calendar_for(m, p, &participants, &agenda, &mail.message_id_domain);
                let cancel = m.status == MeetingStatus::Cancelled;
                let subject = if cancel {
                    "Samband: a meeting is cancelled".to_owned()
                } else {
                    "Samband: meeting invitation".to_owned()
                };
                let text = format!(
                    "{}\n\nThe calendar invitation is attached. Details are in Samband: {}/meetings/{}\n\nThis e-mail contains no health information.",
                    if cancel { "A meeting you were invited to is cancelled." } else { "You are invited to a meeting, or it has changed." },
                    mail.public_url.trim_end_matches('/'),
                    m.id
                );
                self.queue_raw_email(
                    tx,
                    email,
                    subject,
                    text,
                    Some((ics, if cancel { "CANCEL" } else { "REQUEST" })),
                )
                .await?;
            }
        }
        Ok(told)
    }

    async fn queue_guest_link(
        &self,
        tx: &mut TxBox,
        m: &Meeting,
        _p: &Participant,
        email: &str,
        secret: &str,
    ) -> Result<(), AppError> {
        let Some(mail) = &self.config.mail else {
            return Ok(());
        };
        let text = format!(
            "{} has invited you to a meeting.\n\nYour page for the meeting (time, place and the parts you are asked to join): {}/guest/{secret}\n\nKeep this link to yourself: it opens your part of the meeting.",
            m.organiser_name,
            mail.public_url.trim_end_matches('/'),
        );
        self.queue_raw_email(tx, email, "Samband: your meeting link".into(), text, None)
            .await
    }

    /// Queues one e-mail as given (guests have no account or language setting).
    async fn queue_raw_email(
        &self,
        tx: &mut TxBox,
        to: &str,
        subject: String,
        text: String,
        calendar: Option<(String, &str)>,
    ) -> Result<(), AppError> {
        let Some(mail) = &self.config.mail else {
            return Ok(());
        };
        let job_id = JobId::new();
        let email = OutgoingEmail {
            to: to.to_owned(),
            subject,
            text,
            message_id: format!("<{job_id}@{}>", mail.message_id_domain),
            calendar_method: calendar.as_ref().map(|c| c.1.to_owned()),
            date: Some(self.clock.now()),
            calendar: calendar.map(|c| c.0),
        };
        let mut job = Job::new(
            jobs::EMAIL,
            serde_json::to_value(&email).unwrap_or_default(),
            self.clock.now(),
            self.clock.now(),
        );
        job.id = job_id;
        self.enqueue(tx, job).await?;
        Ok(())
    }

    /// The participant's calendar file: their own part of the meeting (from their first
    /// item to their last, or the whole meeting), a UID stable per meeting and person,
    /// SEQUENCE from the meeting. No names of patients, no health information.
    fn calendar_for(
        &self,
        m: &Meeting,
        p: &Participant,
        all: &[Participant],
        agenda: &[AgendaItem],
        domain: &str,
    ) -> String {
        let mine: Vec<&AgendaItem> = agenda
            .iter()
            .filter(|i| i.participants.contains(&p.id))
            .collect();
        let (from, to) = match (
            mine.iter().map(|i| i.start_offset).min(),
            mine.iter().map(|i| i.end_offset()).max(),
        ) {
            (Some(a), Some(b))
                if p.kind != ParticipantKind::Member
                    || m.organiser_account_id != p.account_id.unwrap_or_default() =>
            {
                (a, b)
            }
            _ => (0, m.duration_minutes),
        };
        let organiser = all
            .iter()
            .find(|x| x.account_id == Some(m.organiser_account_id));
        let url = self.config.mail.as_ref().map(|mail| {
            format!(
                "{}/meetings/{}",
                mail.public_url.trim_end_matches('/'),
                m.id
            )
        });
        let event = ics::CalendarEvent {
            uid: format!("{}-{}@{domain}", m.id, p.id),
            sequence: m.sequence.max(0) as u32,
            method: if m.status == MeetingStatus::Cancelled {
                ics::Method::Cancel
            } else {
                ics::Method::Request
            },
            dtstamp: self.clock.now(),
            start: m.starts_at + Duration::minutes(from),
            end: m.starts_at + Duration::minutes(to),
            summary: format!("Samband: {}", kind_label(m.kind)),
            description: match &url {
                Some(u) => format!("Agenda and preparation: {u}"),
                None => "Agenda and preparation in Samband.".into(),
            },
            location: m.place.clone(),
            url: m.video_link.clone().or(url),
            organizer: ics::Person {
                name: m.organiser_name.clone(),
                email: organiser.and_then(|o| o.email.clone()),
            },
            attendees: all
                .iter()
                .map(|x| ics::Attendee {
                    person: ics::Person {
                        name: x.name.clone(),
                        email: x.email.clone(),
                    },
                    partstat: match x.reply {
                        Reply::Pending => ics::PartStat::NeedsAction,
                        Reply::Accepted => ics::PartStat::Accepted,
                        Reply::Declined => ics::PartStat::Declined,
                        Reply::Tentative => ics::PartStat::Tentative,
                    },
                    required: x.id == p.id || agenda.is_empty(),
                })
                .collect(),
        };
        ics::render(&event)
    }

    /// The reader's calendar file for a meeting they are invited to.
    pub async fn meeting_calendar(&self, ctx: &Ctx, id: MeetingId) -> Result<String, AppError> {
        let (mut tx, m, purpose) = self.open_meeting(ctx, id, Operation::Read).await?;
        let participants = tx.list_participants(id).await?;
        let agenda = tx.list_agenda(id).await?;
        let me = participants
            .iter()
            .find(|p| p.account_id == Some(ctx.principal.account_id))
            .cloned()
            .ok_or(AppError::Forbidden)?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(id.to_string()),
            Operation::Export,
            purpose,
        )
        .await?;
        tx.commit().await?;
        let domain = self
            .config
            .mail
            .as_ref()
            .map(|m| m.message_id_domain.clone())
            .unwrap_or_else(|| "samband.invalid".into());
        Ok(self.calendar_for(&m, &me, &participants, &agenda, &domain))
    }

    /// The reader replies to their invitation.
    pub async fn reply_to_invitation(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        reply: &str,
    ) -> Result<(), AppError> {
        let reply = Reply::parse("reply", reply)?;
        if reply == Reply::Pending {
            return Err(ValidationErrors::single(
                "reply",
                "bad_choice",
                "must be one of: accepted, declined, tentative",
            )
            .into());
        }
        self.update_own_participant(ctx, id, |p| p.reply = reply)
            .await
    }

    /// "What I want to raise", before the meeting (the patient too).
    pub async fn set_raise(&self, ctx: &Ctx, id: MeetingId, text: &str) -> Result<(), AppError> {
        let text = samband_domain::text::optional("raise", Some(text), samband_domain::text::LONG)?;
        self.update_own_participant(ctx, id, move |p| p.raise = text.clone())
            .await
    }

    async fn update_own_participant(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        change: impl Fn(&mut Participant),
    ) -> Result<(), AppError> {
        let (mut tx, m, purpose) = self.open_meeting(ctx, id, Operation::Update).await?;
        // The row is the person's own; another of their writes (a reply from another
        // tab, the pre-reads marked read) may land first: re-read and apply again.
        let mut attempts = 0;
        let me = loop {
            let me = tx
                .list_participants(id)
                .await?
                .into_iter()
                .find(|p| p.account_id == Some(ctx.principal.account_id))
                .ok_or(AppError::Forbidden)?;
            let mut next = me.clone();
            change(&mut next);
            match tx.update_participant(&next, me.version).await {
                Ok(_) => break me,
                Err(StoreError::Conflict(_)) if attempts < 3 => attempts += 1,
                Err(e) => return Err(e.into()),
            }
        };
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(me.id.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(())
    }

    /// Signals every invited account (live views refresh).
    async fn publish_meeting(&self, m: &Meeting) {
        // After the change committed; a failure here only delays others' refresh.
        let Ok(mut tx) = self.store.begin().await else {
            return;
        };
        let participants = tx.list_participants(m.id).await;
        let _ = tx.commit().await;
        if let Ok(ps) = participants {
            self.live.publish(ps.iter().filter_map(|p| p.account_id));
        }
    }

    pub async fn add_agenda_item(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &AgendaItemInput,
    ) -> Result<AgendaItem, AppError> {
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let invited: Vec<ParticipantId> = tx
            .list_participants(id)
            .await?
            .iter()
            .map(|p| p.id)
            .collect();
        let others = tx.list_agenda(id).await?;
        let f = input.check(
            self.to_local(m.starts_at),
            m.duration_minutes,
            &invited,
            &others,
        )?;
        let item = AgendaItem {
            id: AgendaItemId::new(),
            meeting_id: id,
            title: f.title,
            start_offset: f.start_offset,
            duration_minutes: f.duration_minutes,
            responsible: f.responsible,
            participants: f.participants,
            patient_present: f.patient_present,
            patient_request: None,
            minutes: String::new(),
            minutes_category: Category::PlanAndActions,
            version: 1,
        };
        tx.insert_agenda_item(&item).await?;
        self.commit_change(
            tx,
            ctx,
            m.patient_id,
            Change {
                object: Object::Meeting,
                id: item.id.to_string(),
                version: 1,
                old: None,
                new: &item,
                reason: None,
                audit_id: Some(item.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        self.publish_meeting(&m).await;
        Ok(item)
    }

    async fn load_item(
        &self,
        tx: &mut TxBox,
        m: &Meeting,
        item: AgendaItemId,
    ) -> Result<AgendaItem, AppError> {
        tx.list_agenda(m.id)
            .await?
            .into_iter()
            .find(|i| i.id == item)
            .ok_or(AppError::NotFound)
    }

    /// Changes an item's slot, people or the patient's presence.
    pub async fn update_agenda_item(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        input: &AgendaItemInput,
        expected: i64,
    ) -> Result<AgendaItem, AppError> {
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let old = self.load_item(&mut tx, &m, item).await?;
        let invited: Vec<ParticipantId> = tx
            .list_participants(id)
            .await?
            .iter()
            .map(|p| p.id)
            .collect();
        let others: Vec<AgendaItem> = tx
            .list_agenda(id)
            .await?
            .into_iter()
            .filter(|i| i.id != item)
            .collect();
        let f = input.check(
            self.to_local(m.starts_at),
            m.duration_minutes,
            &invited,
            &others,
        )?;
        let next = AgendaItem {
            title: f.title,
            start_offset: f.start_offset,
            duration_minutes: f.duration_minutes,
            responsible: f.responsible,
            participants: f.participants,
            patient_present: f.patient_present,
            // The organiser has answered the patient's wish by changing the item.
            patient_request: None,
            ..old.clone()
        };
        self.save_item(tx, ctx, &m, &old, next, expected, purpose)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn save_item(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        m: &Meeting,
        old: &AgendaItem,
        mut next: AgendaItem,
        expected: i64,
        purpose: Purpose,
    ) -> Result<AgendaItem, AppError> {
        if old.version != expected {
            let v = old.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    m.patient_id,
                    Object::Meeting,
                    old.id.to_string(),
                    old,
                    v,
                    purpose,
                )
                .await);
        }
        match tx.update_agenda_item(&next, expected).await {
            Ok(v) => next.version = v,
            Err(StoreError::Conflict(_)) => {
                let current = self.load_item(&mut tx, m, old.id).await?;
                let v = current.version;
                return Err(self
                    .conflict(
                        tx,
                        ctx,
                        m.patient_id,
                        Object::Meeting,
                        old.id.to_string(),
                        &current,
                        v,
                        purpose,
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        }
        self.commit_change(
            tx,
            ctx,
            m.patient_id,
            Change {
                object: Object::Meeting,
                id: old.id.to_string(),
                version: next.version,
                old: Some(old),
                new: &next,
                reason: None,
                audit_id: Some(old.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        self.publish_meeting(m).await;
        Ok(next)
    }

    /// Minutes for one item, versioned: two people typing never overwrite each other.
    /// The chair's minutes for an item, in the information category they are about
    /// (`None` keeps the item's; plan and actions for a new item). The writer must be
    /// allowed to read that category themself.
    pub async fn save_minutes(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        minutes: &str,
        category: Option<&str>,
        expected: i64,
    ) -> Result<AgendaItem, AppError> {
        let mut e = samband_domain::ValidationErrors::new();
        let minutes = e
            .take(samband_domain::text::optional(
                "minutes",
                Some(minutes),
                20_000,
            ))
            .flatten()
            .unwrap_or_default();
        let category = match category.map(str::trim) {
            None | Some("") => None,
            Some(c) => e.take(Category::parse("minutes_category", c)),
        };
        e.into_result()?;
        let mut tx = self.store.begin().await?;
        let m = tx.get_meeting(id).await?.ok_or(AppError::NotFound)?;
        let old = self.load_item(&mut tx, &m, item).await?;
        let category = category.unwrap_or(old.minutes_category);
        let facts = self.load_facts(&mut tx, ctx, m.patient_id).await?;
        // Both what the minutes were about and what they will be: nobody overwrites (or
        // learns from a conflict) minutes they may not read.
        let mut purpose = Purpose::Care;
        for c in [old.minutes_category, category] {
            let (next_tx, p) = self
                .authorize_in(
                    tx,
                    ctx,
                    m.patient_id,
                    &facts,
                    Operation::Update,
                    Object::Meeting,
                    c,
                    Detail::Planning,
                )
                .await?;
            tx = next_tx;
            purpose = p;
        }
        let next = AgendaItem {
            minutes,
            minutes_category: category,
            ..old.clone()
        };
        self.save_item(tx, ctx, &m, &old, next, expected, purpose)
            .await
    }

    /// The patient asks to change an item (be present, or not, or something else).
    pub async fn request_agenda_change(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        wish: &str,
    ) -> Result<(), AppError> {
        let wish = samband_domain::meeting::check_text("wish", wish)?;
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::PatientWish)
            .await?;
        let old = self.load_item(&mut tx, &m, item).await?;
        let mut next = AgendaItem {
            patient_request: Some(wish.clone()),
            ..old.clone()
        };
        next.version = tx.update_agenda_item(&next, old.version).await?;
        self.notify(
            &mut tx,
            Notice {
                account: m.organiser_account_id,
                patient: Some(m.patient_id),
                kind: "agenda_request",
                thread: None,
                actor: Some(&ctx.principal.display_name),
                detail: Some(old.title.clone()),
                unread: true,
            },
        )
        .await?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(item.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        self.job_wake.notify_one();
        Ok(())
    }

    pub async fn add_pre_read(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &PreReadInput,
    ) -> Result<PreRead, AppError> {
        let mut e = ValidationErrors::new();
        let kind = e.take(PreReadKind::parse("kind", &input.kind));
        let title = e.take(samband_domain::text::required(
            "title",
            &input.title,
            samband_domain::text::SHORT,
        ));
        let body = e.take(samband_domain::text::required("body", &input.body, 20_000));
        let category = match input.category.as_deref().map(str::trim) {
            None | Some("") => Some(Category::MeetingPreReads),
            Some(c) => e.take(Category::parse("category", c)),
        };
        e.into_result()?;
        let (Some(kind), Some(title), Some(body), Some(category)) = (kind, title, body, category)
        else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let (tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let r = PreRead {
            id: PreReadId::new(),
            meeting_id: id,
            kind,
            title,
            body,
            category,
            author_name: ctx.principal.display_name.clone(),
            created_at: self.clock.now(),
        };
        let mut tx = tx;
        tx.insert_pre_read(&r).await?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(r.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(r)
    }

    /// Records a decision on an item and makes it an action in the care plan (owner,
    /// due date, goal), linked back to the meeting.
    pub async fn add_decision(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        input: &DecisionInput,
    ) -> Result<Decision, AppError> {
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let it = self.load_item(&mut tx, &m, item).await?;
        let mut e = ValidationErrors::new();
        let text = e.take(samband_domain::meeting::check_text("text", &input.text));
        let team = tx.get_team(m.patient_id).await?.ok_or(AppError::NotFound)?;
        let today = self.today();
        let owner = match input.owner_member_id {
            None => {
                e.add("owner_member_id", "required", "choose who owns the action");
                None
            }
            Some(o) => match team.active_members(today).find(|x| x.id == o) {
                Some(x) => Some(x.clone()),
                None => {
                    e.add(
                        "owner_member_id",
                        "not_on_team",
                        "the owner must be on the care team",
                    );
                    None
                }
            },
        };
        let due = e.take(samband_domain::text::date(
            "due_date",
            &input.due_date,
            samband_domain::text::DateWindow::planning(self.today()),
        ));
        if let Some(d) = due {
            if d < self.to_local(m.starts_at).date() {
                e.add(
                    "due_date",
                    "before_meeting",
                    "the due date must not be before the meeting",
                );
            }
        }
        if let Some(g) = input.goal_id {
            if tx.get_goal(m.patient_id, g).await?.is_none() {
                e.add("goal_id", "no_such_goal", "no such goal in this plan");
            }
        }
        e.into_result()?;
        let (Some(text), Some(owner), Some(due)) = (text, owner, due) else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let sector = match owner.organisation_id {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        }
        .unwrap_or(samband_domain::organisation::Sector::Other);
        let now = self.clock.now();
        let action = Action {
            id: ActionId::new(),
            patient_id: m.patient_id,
            title: text.chars().take(samband_domain::text::SHORT).collect(),
            owner_member_id: owner.id,
            sector,
            due_date: due,
            status: ActionStatus::Planned,
            goal_id: input.goal_id,
            created_at: now,
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.record_change(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Action,
            action.id.to_string(),
            1,
            None::<&Action>,
            &action,
            Some(format!(
                "decided at the meeting \"{}\", item \"{}\"",
                m.title, it.title
            )),
        )
        .await?;
        let d = Decision {
            id: DecisionId::new(),
            meeting_id: id,
            item_id: item,
            text,
            owner_member_id: owner.id,
            due_date: due,
            goal_id: input.goal_id,
            action_id: action.id,
            created_at: now,
        };
        tx.insert_decision(&d).await?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(d.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(d)
    }

    /// After the meeting: the plain-language summary for the patient; the meeting is
    /// then held. With `plan_next`, the next meeting is planned on the follow-up date.
    pub async fn save_summary(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &SummaryInput,
        expected: i64,
    ) -> Result<(Meeting, Option<MeetingId>), AppError> {
        let summary = samband_domain::meeting::check_text("summary", &input.summary)?;
        let (mut tx, old, purpose) = self.open_for_planning(ctx, id, expected).await?;
        if input.plan_next && old.follow_up_date.is_none() {
            return Err(ValidationErrors::single(
                "plan_next",
                "no_follow_up",
                "set a follow-up date first",
            )
            .into());
        }
        let mut next = Meeting {
            summary: Some(summary),
            status: MeetingStatus::Held,
            ..old.clone()
        };
        next.version = self.save_meeting(&mut tx, &next, expected).await?;
        let mut next_id = None;
        if let (true, Some(d)) = (input.plan_next, old.follow_up_date) {
            let local = self.to_local(old.starts_at);
            let starts_at = self.local_to_utc(d.and_time(local.time()))?;
            let follow = Meeting {
                id: MeetingId::new(),
                kind: MeetingKind::Review,
                title: format!("Follow-up: {}", old.title)
                    .chars()
                    .take(samband_domain::text::SHORT)
                    .collect(),
                starts_at,
                follow_up_date: None,
                summary: None,
                status: MeetingStatus::Planned,
                sequence: 0,
                created_at: self.clock.now(),
                version: 1,
                ..old.clone()
            };
            tx.insert_meeting(&follow).await?;
            for p in tx.list_participants(id).await? {
                let copy = Participant {
                    id: ParticipantId::new(),
                    meeting_id: follow.id,
                    reply: if p.account_id == Some(ctx.principal.account_id) {
                        Reply::Accepted
                    } else {
                        Reply::Pending
                    },
                    raise: None,
                    pre_reads_read_at: None,
                    version: 1,
                    ..p
                };
                tx.insert_participant(&copy).await?;
            }
            let told = self
                .send_invitations(&mut tx, ctx, &follow, None, "meeting_invite")
                .await?;
            self.live.publish(told);
            next_id = Some(follow.id);
        }
        if let Some(patient_account) = tx
            .list_participants(id)
            .await?
            .iter()
            .find(|p| p.kind == ParticipantKind::Patient)
            .and_then(|p| p.account_id)
        {
            self.notify(
                &mut tx,
                Notice {
                    account: patient_account,
                    patient: Some(old.patient_id),
                    kind: "meeting_changed",
                    thread: None,
                    actor: Some(&ctx.principal.display_name),
                    detail: None,
                    unread: true,
                },
            )
            .await?;
        }
        self.finish_meeting_change(tx, ctx, &old, &next, purpose)
            .await?;
        self.publish_meeting(&next).await;
        self.job_wake.notify_one();
        Ok((next, next_id))
    }

    /// Job: the follow-up date has come; the organiser and the coordinator are told.
    pub(crate) async fn run_meeting_follow_up(&self, job: &Job) -> Result<(), AppError> {
        let id: MeetingId = serde_json::from_value(job.payload["meeting_id"].clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        if let Some(m) = tx.get_meeting(id).await? {
            let still =
                m.follow_up_date.map(|d| serde_json::json!(d)) == Some(job.payload["date"].clone());
            if still && m.status != MeetingStatus::Cancelled {
                let mut to = vec![m.organiser_account_id];
                if let Some(c) = self.coordinator_account(&mut tx, m.patient_id).await? {
                    if !to.contains(&c) {
                        to.push(c);
                    }
                }
                for a in &to {
                    self.notify(
                        &mut tx,
                        Notice {
                            account: *a,
                            patient: Some(m.patient_id),
                            kind: "follow_up_due",
                            thread: None,
                            actor: None,
                            detail: None,
                            unread: true,
                        },
                    )
                    .await?;
                }
                told = to;
            }
        }
        self.finish_run(tx, job, now, told).await
    }

    /// The meeting as this reader may see it; opening it marks pre-reads read for an
    /// invited reader they were released to.
    pub async fn meeting_view(&self, ctx: &Ctx, id: MeetingId) -> Result<MeetingView, AppError> {
        let mut tx = self.store.begin().await?;
        let m = tx.get_meeting(id).await?.ok_or(AppError::NotFound)?;
        let facts = self.load_facts(&mut tx, ctx, m.patient_id).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                m.patient_id,
                &facts,
                Operation::Read,
                Object::Meeting,
                Detail::None,
            )
            .await?;
        let now = self.clock.now();
        let today = self.today();
        let patient = tx
            .get_patient(m.patient_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let participants = tx.list_participants(id).await?;
        let agenda = tx.list_agenda(id).await?;
        let decisions = tx.list_decisions(id).await?;
        let actions = tx.list_actions(m.patient_id).await?;
        let team = tx.get_team(m.patient_id).await?;
        let contacts = tx.member_contacts(m.patient_id).await?;
        let member_name = |mid: MemberId| -> String {
            contacts
                .iter()
                .find(|c| c.member_id == mid)
                .and_then(|c| c.professional_name.clone())
                .or_else(|| {
                    team.as_ref()
                        .and_then(|t| t.members.iter().find(|x| x.id == mid))
                        .map(|x| x.role.clone())
                })
                .unwrap_or_default()
        };
        let is_professional = matches!(ctx.principal.subject, Subject::Professional(_));
        let me = participants
            .iter()
            .find(|p| p.account_id == Some(ctx.principal.account_id))
            .cloned();
        // Pre-reads: released by the meeting's policy, and each one's category by consent.
        let all_reads = tx.list_pre_reads(id).await?;
        let released = m.pre_reads_released(now, is_professional);
        let mut pre_reads = Vec::new();
        for r in &all_reads {
            if released
                && self
                    .decide_in(
                        ctx,
                        m.patient_id,
                        &facts,
                        Operation::Read,
                        Object::Meeting,
                        r.category,
                        Detail::None,
                    )
                    .is_permit()
            {
                pre_reads.push(r.clone());
            }
        }
        let held_back = all_reads.len() - pre_reads.len();
        if let (Some(p), false) = (&me, pre_reads.is_empty()) {
            if p.pre_reads_read_at.is_none() {
                let mut next = p.clone();
                next.pre_reads_read_at = Some(now);
                // Best effort: if their row changed meanwhile, the next view records it.
                match tx.update_participant(&next, p.version).await {
                    Ok(_) | Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        let local_start = self.to_local(m.starts_at);
        let at = |offset: i64| hhmm(local_start + Duration::minutes(offset));
        let name_of = |pid: ParticipantId| {
            participants
                .iter()
                .find(|p| p.id == pid)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        };
        // Minutes and decisions: each item's category by consent, like pre-reads.
        let readable = |category: Category| {
            self.decide_in(
                ctx,
                m.patient_id,
                &facts,
                Operation::Read,
                Object::Meeting,
                category,
                Detail::None,
            )
            .is_permit()
        };
        let items: Vec<ItemView> = agenda
            .iter()
            .map(|i| (i, !readable(i.minutes_category)))
            .map(|(i, withheld)| ItemView {
                minutes_withheld: withheld,
                from: at(i.start_offset),
                to: at(i.end_offset()),
                responsible_name: name_of(i.responsible),
                participant_names: i.participants.iter().map(|p| name_of(*p)).collect(),
                mine: me.as_ref().is_some_and(|p| i.participants.contains(&p.id))
                    || (i.patient_present
                        && ctx.principal.subject.own_patient() == Some(m.patient_id)),
                decisions: decisions
                    .iter()
                    .filter(|d| d.item_id == i.id && !withheld)
                    .map(|d| {
                        let a = actions.iter().find(|a| a.id == d.action_id);
                        DecisionView {
                            owner_name: member_name(d.owner_member_id),
                            action_status: a.map(|a| a.status),
                            overdue: a.is_some_and(|a| a.status.is_open() && a.due_date < today),
                            decision: d.clone(),
                        }
                    })
                    .collect(),
                item: AgendaItem {
                    minutes: if withheld {
                        String::new()
                    } else {
                        i.minutes.clone()
                    },
                    ..i.clone()
                },
            })
            .collect();
        let participant_views = participants
            .iter()
            .map(|p| ParticipantView {
                times: agenda
                    .iter()
                    .filter(|i| {
                        i.participants.contains(&p.id)
                            || (p.kind == ParticipantKind::Patient && i.patient_present)
                    })
                    .map(|i| (at(i.start_offset), at(i.end_offset())))
                    .collect(),
                participant: p.clone(),
            })
            .collect();
        let can_plan = self
            .decide(
                ctx,
                m.patient_id,
                &facts,
                Operation::Update,
                Object::Meeting,
                Detail::Planning,
            )
            .is_permit();
        let (invitable, owners) = match &team {
            Some(t) => {
                let active: Vec<_> = t
                    .active_members(today)
                    .filter(|x| x.kind == MemberKind::Professional)
                    .collect();
                let invitable = active
                    .iter()
                    .filter(|x| !participants.iter().any(|p| p.member_id == Some(x.id)))
                    .map(|x| (x.id, format!("{} ({})", member_name(x.id), x.role)))
                    .collect();
                let owners = active
                    .iter()
                    .map(|x| (x.id, format!("{} ({})", member_name(x.id), x.role)))
                    .collect();
                (invitable, owners)
            }
            None => (vec![], vec![]),
        };
        let goals = tx
            .list_goals(m.patient_id)
            .await?
            .into_iter()
            .map(|g| (g.id, g.text))
            .collect();
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(MeetingView {
            local_end: hhmm(local_start + Duration::minutes(m.duration_minutes)),
            local_start: hhmm(local_start),
            local_date: local_start.date(),
            patient_name: patient.name,
            participants: participant_views,
            agenda: items,
            pre_reads,
            pre_reads_held_back: held_back,
            me,
            can_plan,
            reader_is_patient: !is_professional,
            invitable,
            goals,
            owners,
            meeting: m,
            today,
        })
    }

    /// The patient's meetings the reader may see.
    pub async fn patient_meetings(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<Meeting>, AppError> {
        let req = crate::paging::parse::<chrono::DateTime<chrono::Utc>>("meetings", page)?;
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::List,
                Object::Meeting,
                Detail::None,
            )
            .await?;
        let list = tx.list_meetings(patient, &req.probe()).await?;
        let (list, next) = req.cut(list, |m| (m.starts_at, m.id.as_uuid()));
        let total = tx.count_meetings(patient).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Meeting,
            None,
            Operation::List,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(list, next, total))
    }

    /// What an external guest's link shows: their own items and nothing else.
    pub async fn guest_view(&self, token: &str) -> Result<GuestView, AppError> {
        if token.len() < 20 || token.len() > 200 {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin_read().await?;
        let guest = tx
            .participant_by_guest_token(&crate::auth::sha256_hex(token))
            .await?
            .filter(|p| p.kind == ParticipantKind::Guest)
            .ok_or(AppError::NotFound)?;
        let m = tx
            .get_meeting(guest.meeting_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let local_start = self.to_local(m.starts_at);
        let at = |offset: i64| hhmm(local_start + Duration::minutes(offset));
        let items = tx
            .list_agenda(m.id)
            .await?
            .into_iter()
            .filter(|i| i.participants.contains(&guest.id))
            .map(|i| (at(i.start_offset), at(i.end_offset()), i.title))
            .collect();
        tx.append_audit(&samband_store::AuditEntry {
            id: uuid::Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: None,
            patient_id: Some(m.patient_id),
            object_type: Object::Meeting.as_str().into(),
            object_id: Some(guest.id.to_string()),
            action: "read".into(),
            purpose: "guest".into(),
            request_id: None,
        })
        .await?;
        tx.commit().await?;
        Ok(GuestView {
            title: m.title,
            kind: m.kind,
            mode: m.mode,
            local_date: local_start.date(),
            video_link: m.video_link,
            place: m.place,
            organiser_name: m.organiser_name,
            cancelled: m.status == MeetingStatus::Cancelled,
            guest,
            items,
        })
    }

    /// The guest replies through their link.
    pub async fn guest_reply(&self, token: &str, reply: &str) -> Result<(), AppError> {
        let reply = Reply::parse("reply", reply)?;
        let mut tx = self.store.begin().await?;
        let guest = tx
            .participant_by_guest_token(&crate::auth::sha256_hex(token))
            .await?
            .ok_or(AppError::NotFound)?;
        let m = tx
            .get_meeting(guest.meeting_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let next = Participant {
            reply,
            ..guest.clone()
        };
        tx.update_participant(&next, guest.version).await?;
        tx.append_audit(&samband_store::AuditEntry {
            id: uuid::Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: None,
            patient_id: Some(m.patient_id),
            object_type: Object::Meeting.as_str().into(),
            object_id: Some(guest.id.to_string()),
            action: "update".into(),
            purpose: "guest".into(),
            request_id: None,
        })
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(())
    }
}

fn already_invited(field: &str) -> AppError {
    ValidationErrors::single(field, "already_invited", "already invited to this meeting").into()
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

impl App {
    /// One page of the meetings the reader is invited to, from today on (not
    /// cancelled, not over), soonest first, across patients; each patient's meetings
    /// only while the policy lets the reader see them. `total` counts every such
    /// invitation, withheld ones included (those are never listed). For a coordinator
    /// running many meetings a week: replies and agenda at a glance.
    pub async fn my_meetings(
        &self,
        ctx: &Ctx,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<MyMeeting>, AppError> {
        let req = crate::paging::parse::<chrono::DateTime<chrono::Utc>>("my_meetings", page)?;
        let mut tx = self.store.begin_read().await?;
        let today_start =
            self.local_to_utc(self.today().and_hms_opt(0, 0, 0).unwrap_or_default())?;
        let me = ctx.principal.account_id;
        let rows = tx
            .meetings_for_account(me, today_start, &req.probe())
            .await?;
        let (rows, next) = req.cut(rows, |m| (m.starts_at, m.id.as_uuid()));
        let total = tx.count_meetings_for_account(me, today_start).await?;
        let mut out = Vec::new();
        for m in rows {
            let facts = self.load_facts(&mut tx, ctx, m.patient_id).await?;
            let Some(purpose) = self.permits(
                ctx,
                m.patient_id,
                &facts,
                Operation::List,
                Object::Meeting,
                Detail::None,
            ) else {
                continue;
            };
            let people = tx.list_participants(m.id).await?;
            let agenda_items = tx.list_agenda(m.id).await?.len();
            let patient_name = tx
                .get_patient(m.patient_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            self.audit(
                &mut tx,
                ctx,
                m.patient_id,
                Object::Meeting,
                Some(m.id.to_string()),
                Operation::List,
                purpose,
            )
            .await?;
            out.push(MyMeeting {
                invited: people.len(),
                accepted: people.iter().filter(|p| p.reply == Reply::Accepted).count(),
                pending: people.iter().filter(|p| p.reply == Reply::Pending).count(),
                agenda_items,
                patient_name,
                meeting: m,
            });
        }
        tx.commit().await?;
        Ok(req.page(out, next, total))
    }
}
