//! Reading one meeting as a participant or planner sees it.

use super::Meetings;
use crate::meetings::views::hhmm;
use crate::meetings::DecisionView;
use crate::meetings::ItemView;
use crate::meetings::MeetingView;
use crate::meetings::ParticipantView;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::Duration;
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::principal::Subject;
use samband_domain::team::MemberKind;
use samband_store::StoreError;

impl Meetings<'_> {
    /// The meeting as this reader may see it; opening it marks pre-reads read for an
    /// invited reader they were released to.
    pub async fn view(&self, ctx: &Ctx, id: MeetingId) -> Result<MeetingView, AppError> {
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
        let local_start = self.in_local_time(m.starts_at);
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
}
