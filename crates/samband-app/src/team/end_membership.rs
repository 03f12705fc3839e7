//! Ending a membership with a successor (issue 11, part A). In one transaction the
//! leaver's last day is set, a new member is added if the successor is new, and every
//! open action, owned goal, open request addressed to the leaver, agenda responsibility
//! in an upcoming meeting and pending receipt moves to the successor — or, when none is
//! named, to the coordinator, each flagged "needs a new owner". History and audit name
//! the hand-over; a coordinator names who coordinates next.

use super::Team;
use crate::kernel::versioned::parse_reason;
use crate::kernel::{Change, TxBox, Versioned};
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::meeting::{MeetingStatus, Participant, ParticipantKind, Reply};
use samband_domain::succession::plan_succession;
use samband_domain::team::{validate_team, CareTeam, MemberInput, MemberKind, TeamMember};
use samband_domain::text::{self, DateWindow};
use samband_domain::ValidationErrors;
use samband_store::{HandOverTo, OpenItems, PageAt, SuccessionRecord};
use serde::Serialize;
use uuid::Uuid;

/// What ending a membership asks for.
#[derive(Debug, Clone, Default)]
pub struct EndMembershipInput {
    /// The leaver's last day on the team (today or later).
    pub last_day: String,
    /// An active professional on the team who takes over.
    pub successor_id: Option<MemberId>,
    /// Or a new member who joins and takes over, in the same change.
    pub new_successor: Option<MemberInput>,
    pub reason: Option<String>,
}

/// What moved, and to whom.
#[derive(Debug, Clone, Serialize)]
pub struct EndedMembership {
    pub team: CareTeam,
    pub succession_id: Uuid,
    pub leaver: MemberId,
    pub successor: MemberId,
    pub needs_new_owner: bool,
    pub hands_over_coordination: bool,
    pub actions: Vec<ActionId>,
    pub goals: Vec<GoalId>,
    pub requests: Vec<RequestId>,
    /// Messages whose pending receipt the successor now owes.
    pub receipts: Vec<Uuid>,
    pub agenda_items: Vec<AgendaItemId>,
}

/// One ended membership as readers see it: who took over from whom.
#[derive(Debug, Clone, Serialize)]
pub struct SuccessionView {
    pub leaver_member_id: MemberId,
    pub leaver_name: String,
    pub successor_member_id: MemberId,
    pub successor_name: String,
    pub last_day: chrono::NaiveDate,
    pub needs_new_owner: bool,
}

/// An item that went to the coordinator for want of a successor and still waits for a
/// new owner.
#[derive(Debug, Clone, Serialize)]
pub struct FlaggedView {
    /// `action`, `goal` or `request`.
    pub kind: String,
    pub item_id: Uuid,
    pub holder_member_id: MemberId,
    pub leaver_member_id: MemberId,
}

/// The history text of one moved item: the hand-over, named.
fn handover_reason(from: &str, to: &str, flagged: bool, reason: Option<&str>) -> String {
    let mut s = format!("Hand-over: {from} → {to}");
    if flagged {
        s.push_str(" (needs a new owner)");
    }
    if let Some(r) = reason {
        s.push_str(": ");
        s.push_str(r);
    }
    s
}

impl Team<'_> {
    /// The member's name as the team shows it.
    async fn member_name(&self, tx: &mut TxBox, m: &TeamMember) -> Result<String, AppError> {
        Ok(match m.professional_id {
            Some(p) => tx
                .get_professional(p)
                .await?
                .map(|p| p.name)
                .unwrap_or_else(|| m.role.clone()),
            None => m.name.clone().unwrap_or_else(|| m.role.clone()),
        })
    }

    /// Ends `leaver`'s membership on `input.last_day` and hands everything they hold to
    /// the successor, if the team is still at `expected_version`.
    pub async fn end_membership(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        leaver: MemberId,
        input: &EndMembershipInput,
        expected_version: i64,
    ) -> Result<EndedMembership, AppError> {
        let reason = parse_reason(input.reason.as_deref())?;
        let today = self.today();
        let mut e = ValidationErrors::new();
        let last_day = e.take(text::date(
            "last_day",
            &input.last_day,
            DateWindow::planning(today),
        ));
        if last_day.is_some_and(|d| d < today) {
            e.add(
                "last_day",
                "before_today",
                "the last day cannot be in the past",
            );
        }
        if input.successor_id.is_some() && input.new_successor.is_some() {
            e.add(
                "successor_id",
                "one_successor",
                "choose a successor on the team or add a new one, not both",
            );
        }
        let new_member = match &input.new_successor {
            Some(m) => {
                let parsed = e.take(m.parse(MemberId::new(), "new_successor.", today));
                if let Some(p) = &parsed {
                    if p.kind != MemberKind::Professional {
                        e.add(
                            "new_successor.kind",
                            "not_a_professional",
                            "the successor must be a professional",
                        );
                    }
                }
                parsed
            }
            None => None,
        };
        e.into_result()?;
        let last_day = last_day.unwrap_or(today);

        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::Team,
                Detail::None,
            )
            .await?;
        let team = self.team().load(&mut tx, patient).await?;
        let at = Versioned {
            patient,
            object: Object::Team,
            id: patient.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &team, expected_version)
            .await?;
        let Some(leaving) = team.member(leaver).cloned() else {
            return Err(AppError::NotFound);
        };
        let mut next = team.clone();
        let successor = match new_member {
            Some(mut m) => {
                let pid = m.professional_id.unwrap_or_default();
                let Some(p) = tx.get_professional(pid).await? else {
                    return Err(ValidationErrors::single(
                        "new_successor.professional_id",
                        "unknown",
                        "no such professional",
                    )
                    .into());
                };
                if m.organisation_id.is_none() {
                    m.organisation_id = p.organisation_ids.first().copied();
                }
                m.is_coordinator = false;
                let id = m.id;
                next.members.push(m);
                Some(id)
            }
            None => input.successor_id,
        };
        let plan = plan_succession(&next, leaver, successor, last_day)?;
        for m in &mut next.members {
            if m.id == leaver {
                m.active_to = Some(last_day);
                if plan.hands_over_coordination {
                    m.is_coordinator = false;
                }
            }
            if m.id == plan.to && plan.hands_over_coordination {
                m.is_coordinator = true;
            }
        }
        validate_team(&next.members, today).map_err(|e| {
            // A new successor already on the team: say so at the field they chose.
            let mut e = e;
            for f in &mut e.errors {
                if f.field == "professional_id" && input.new_successor.is_some() {
                    f.field = "new_successor.professional_id".into();
                }
            }
            e
        })?;
        let taker = next
            .member(plan.to)
            .cloned()
            .ok_or_else(|| AppError::Internal("successor missing".into()))?;
        let from_account = match leaving.professional_id {
            Some(p) => tx.account_for_professional(p).await?.map(|a| a.id),
            None => None,
        };
        let to_account = match taker.professional_id {
            Some(p) => tx.account_for_professional(p).await?.map(|a| a.id),
            None => None,
        };
        let leaver_name = self.member_name(&mut tx, &leaving).await?;
        let taker_name = self.member_name(&mut tx, &taker).await?;
        let holds = tx.open_items(patient, leaver, from_account).await?;
        if to_account.is_none() && !(holds.requests.is_empty() && holds.receipts.is_empty()) {
            return Err(ValidationErrors::single(
                "successor_id",
                "no_account",
                format!(
                    "{taker_name} has no Samband account, so requests and receipts cannot move to them"
                ),
            )
            .into());
        }

        let saved = tx.save_team(&next, expected_version).await;
        let (mut tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_team(patient).await?.ok_or(AppError::NotFound) })
            })
            .await?;
        next.version = version;

        let record = SuccessionRecord {
            id: Uuid::now_v7(),
            patient_id: patient,
            leaver_member_id: leaver,
            successor_member_id: plan.to,
            last_day,
            needs_new_owner: plan.needs_new_owner,
            reason: reason.clone(),
            by_account: ctx.principal.account_id,
            at: self.clock.now(),
        };
        tx.insert_succession(&record).await?;
        let history_reason = handover_reason(
            &leaver_name,
            &taker_name,
            plan.needs_new_owner,
            reason.as_deref(),
        );
        // What the leaver holds, as it was, for the history.
        let mut old_actions = Vec::new();
        for id in &holds.actions {
            if let Some(a) = tx.get_action(patient, *id).await? {
                old_actions.push(a);
            }
        }
        let mut old_goals = Vec::new();
        for id in &holds.goals {
            if let Some(g) = tx.get_goal(patient, *id).await? {
                old_goals.push(g);
            }
        }
        let mut old_requests = Vec::new();
        for id in &holds.requests {
            if let Some(r) = tx.get_request(*id).await? {
                old_requests.push(r);
            }
        }
        let moved = tx
            .move_open_items(&HandOverTo {
                patient,
                succession: record.id,
                from_member: leaver,
                to_member: plan.to,
                from_account,
                to_account,
                to_name: taker_name.clone(),
                needs_new_owner: plan.needs_new_owner,
            })
            .await?;
        for old in &old_actions {
            if let Some(new) = tx.get_action(patient, old.id).await? {
                self.record_moved(
                    &mut tx,
                    ctx,
                    patient,
                    Object::Action,
                    old.id.to_string(),
                    new.version,
                    old,
                    &new,
                    &history_reason,
                    purpose,
                )
                .await?;
            }
        }
        for old in &old_goals {
            if let Some(new) = tx.get_goal(patient, old.id).await? {
                self.record_moved(
                    &mut tx,
                    ctx,
                    patient,
                    Object::Goal,
                    old.id.to_string(),
                    new.version,
                    old,
                    &new,
                    &history_reason,
                    purpose,
                )
                .await?;
            }
        }
        for old in &old_requests {
            if let Some(new) = tx.get_request(old.id).await? {
                self.record_moved(
                    &mut tx,
                    ctx,
                    patient,
                    Object::Message,
                    old.id.to_string(),
                    new.version,
                    old,
                    &new,
                    &history_reason,
                    purpose,
                )
                .await?;
            }
        }
        let agenda_items = self
            .move_agenda(
                &mut tx,
                ctx,
                patient,
                &leaving,
                &taker,
                &taker_name,
                to_account,
                &history_reason,
                purpose,
            )
            .await?;
        let OpenItems {
            actions,
            goals,
            requests,
            receipts,
        } = moved;
        // The successor hears of it (unless they did it themselves), with how much moved;
        // the notice names the leaver, never what the items are.
        let moved_count =
            actions.len() + goals.len() + requests.len() + receipts.len() + agenda_items.len();
        if let Some(account) = to_account.filter(|a| *a != ctx.principal.account_id) {
            self.notifications()
                .notify(
                    &mut tx,
                    crate::notify::Notice {
                        account,
                        patient: Some(patient),
                        kind: "succession",
                        thread: None,
                        actor: Some(&leaver_name),
                        detail: Some(moved_count.to_string()),
                        unread: true,
                    },
                )
                .await?;
        }
        let result = EndedMembership {
            team: next.clone(),
            succession_id: record.id,
            leaver,
            successor: plan.to,
            needs_new_owner: plan.needs_new_owner,
            hands_over_coordination: plan.hands_over_coordination,
            actions,
            goals,
            requests,
            receipts,
            agenda_items,
        };
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Team,
                id: patient.to_string(),
                version,
                old: Some(&team),
                new: &next,
                reason: Some(handover_reason(
                    &leaver_name,
                    &taker_name,
                    plan.needs_new_owner,
                    reason.as_deref(),
                )),
                audit_id: Some(leaver.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        self.after_commit(to_account);
        Ok(result)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_moved<T: Serialize>(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        object: Object,
        id: String,
        version: i64,
        old: &T,
        new: &T,
        reason: &str,
        purpose: Purpose,
    ) -> Result<(), AppError> {
        self.record_change(
            tx,
            ctx,
            patient,
            object,
            id.clone(),
            version,
            Some(old),
            new,
            Some(reason.to_owned()),
        )
        .await?;
        self.audit(
            tx,
            ctx,
            patient,
            object,
            Some(id),
            Operation::Update,
            purpose,
        )
        .await
    }

    /// Agenda items the leaver is responsible for in the patient's upcoming meetings go
    /// to the successor, who is invited to those meetings if they are not already.
    #[allow(clippy::too_many_arguments)]
    async fn move_agenda(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        leaving: &TeamMember,
        taker: &TeamMember,
        taker_name: &str,
        taker_account: Option<AccountId>,
        reason: &str,
        purpose: Purpose,
    ) -> Result<Vec<AgendaItemId>, AppError> {
        let now = self.clock.now();
        let mut moved = Vec::new();
        let mut page = PageAt::first(500);
        loop {
            let meetings = tx.list_meetings(patient, &page).await?;
            let last = meetings.last().map(|m| (m.starts_at, m.id.as_uuid()));
            let full = meetings.len() as i64 == page.limit;
            for m in meetings {
                if m.status != MeetingStatus::Planned || m.ends_at() < now {
                    continue;
                }
                let participants = tx.list_participants(m.id).await?;
                let Some(from) = participants
                    .iter()
                    .find(|p| p.member_id == Some(leaving.id))
                else {
                    continue;
                };
                let items: Vec<_> = tx
                    .list_agenda(m.id)
                    .await?
                    .into_iter()
                    .filter(|i| i.responsible == from.id)
                    .collect();
                if items.is_empty() {
                    continue;
                }
                let to = match participants.iter().find(|p| p.member_id == Some(taker.id)) {
                    Some(p) => p.id,
                    None => {
                        let p = Participant {
                            id: ParticipantId::new(),
                            meeting_id: m.id,
                            kind: ParticipantKind::Member,
                            member_id: Some(taker.id),
                            account_id: taker_account,
                            name: taker_name.to_owned(),
                            organisation: from.organisation.clone(),
                            email: None,
                            reply: Reply::Pending,
                            raise: None,
                            pre_reads_read_at: None,
                            version: 1,
                        };
                        tx.insert_participant(&p).await?;
                        p.id
                    }
                };
                for old in items {
                    let mut new = old.clone();
                    new.responsible = to;
                    for p in &mut new.participants {
                        if *p == from.id {
                            *p = to;
                        }
                    }
                    new.participants.dedup();
                    let version = tx.update_agenda_item(&new, old.version).await?;
                    new.version = version;
                    self.record_moved(
                        tx,
                        ctx,
                        patient,
                        Object::Meeting,
                        old.id.to_string(),
                        version,
                        &old,
                        &new,
                        reason,
                        purpose,
                    )
                    .await?;
                    moved.push(old.id);
                }
            }
            match (full, last) {
                (true, Some((key, id))) => page = PageAt::after(key, id, 500),
                _ => break,
            }
        }
        Ok(moved)
    }

    /// Who left (by name) and who to turn to instead: their successor, or the
    /// coordinator when none was named.
    pub(crate) async fn left_notice(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
        gone: &TeamMember,
    ) -> Result<(String, String), AppError> {
        let team = self.team().load(tx, patient).await?;
        let name = self.member_name(tx, gone).await?;
        let today = self.today();
        // The latest succession names who took over; follow it while that person left
        // too.
        let records = tx.list_successions(patient).await?;
        let mut at = gone.id;
        let mut instead = None;
        for _ in 0..records.len() {
            match records.iter().rev().find(|r| r.leaver_member_id == at) {
                Some(r) => {
                    at = r.successor_member_id;
                    if let Some(m) = team.member(at).filter(|m| m.is_active_on(today)) {
                        instead = Some(m.clone());
                        break;
                    }
                }
                None => break,
            }
        }
        let instead = match instead.or_else(|| team.coordinator(today).cloned()) {
            Some(m) => self.member_name(tx, &m).await?,
            None => "the care team".to_owned(),
        };
        Ok((name, instead))
    }

    /// Who took over from whom on the patient's team, oldest first.
    pub async fn successions(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<SuccessionView>, AppError> {
        let (mut tx, purpose) = self.open_read(ctx, patient, Object::Team).await?;
        let out = self.successions_in(&mut tx, patient).await?;
        self.close_read(tx, ctx, patient, Object::Team, purpose)
            .await?;
        Ok(out)
    }

    /// A read of the patient's `object` in one snapshot, the policy asked first ...
    async fn open_read(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        object: Object,
    ) -> Result<(TxBox, Purpose), AppError> {
        let tx = self.store.begin_read().await?;
        self.authorize(tx, ctx, patient, Operation::Read, object, Detail::None)
            .await
    }

    /// ... and audited and committed once read.
    async fn close_read(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        object: Object,
        purpose: Purpose,
    ) -> Result<(), AppError> {
        self.audit(
            &mut tx,
            ctx,
            patient,
            object,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn successions_in(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
    ) -> Result<Vec<SuccessionView>, AppError> {
        let records = tx.list_successions(patient).await?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let team = self.team().load(tx, patient).await?;
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let name = |id: MemberId| team.member(id).cloned();
            let (Some(l), Some(s)) = (name(r.leaver_member_id), name(r.successor_member_id)) else {
                continue;
            };
            out.push(SuccessionView {
                leaver_member_id: r.leaver_member_id,
                leaver_name: self.member_name(tx, &l).await?,
                successor_member_id: r.successor_member_id,
                successor_name: self.member_name(tx, &s).await?,
                last_day: r.last_day,
                needs_new_owner: r.needs_new_owner,
            });
        }
        Ok(out)
    }

    /// The patient's items that wait for a new owner (plan information: withheld with
    /// the plan).
    pub async fn needs_new_owner(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<FlaggedView>, AppError> {
        let (mut tx, purpose) = self.open_read(ctx, patient, Object::Action).await?;
        let out = tx
            .flagged_items(patient)
            .await?
            .into_iter()
            .map(|f| FlaggedView {
                kind: f.kind,
                item_id: f.item_id,
                holder_member_id: f.holder_member_id,
                leaver_member_id: f.leaver_member_id,
            })
            .collect();
        self.close_read(tx, ctx, patient, Object::Action, purpose)
            .await?;
        Ok(out)
    }
}
