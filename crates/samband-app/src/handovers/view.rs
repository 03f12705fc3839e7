//! A hand-over as one viewer may see it: the envelope, and each section only where the
//! patient's consent lets the viewer's organisation read its category.

use super::Handovers;
use crate::kernel::versioned::HasVersion;
use crate::kernel::{Facts, TxBox};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::handover::{Handover, HandoverStatus, Section, Urgency};
use samband_domain::ids::*;
use samband_domain::principal::Subject;
use serde::Serialize;

/// One follow-up item with its owner's name.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpLine {
    pub description: String,
    pub owner: MemberId,
    pub owner_name: String,
    pub due: NaiveDate,
}

/// A hand-over as the policy lets one viewer see it. A section is `None` when it is
/// empty or withheld; `withheld` names the sections the viewer may not read.
#[derive(Debug, Clone, Serialize)]
pub struct HandoverView {
    pub id: HandoverId,
    pub patient_id: PatientId,
    pub sender: MemberId,
    pub sender_name: String,
    pub receiver: MemberId,
    pub receiver_name: String,
    pub urgency: Urgency,
    pub status: HandoverStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub ack_due: Option<NaiveDate>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Sent, not acknowledged, and its acknowledgement day has passed.
    pub ack_overdue: bool,
    pub version: i64,
    pub done_and_found: Option<String>,
    pub medication: Option<String>,
    pub medication_plan: Option<String>,
    pub follow_up: Option<Vec<FollowUpLine>>,
    pub warning_signs: Option<String>,
    pub work_capacity: Option<String>,
    pub responsibilities: Option<String>,
    pub patient_summary: Option<String>,
    pub withheld: Vec<Section>,
    /// The viewer wrote it and it is still a draft.
    pub may_edit: bool,
    /// The viewer is its receiver and it waits for their acknowledgement.
    pub may_acknowledge: bool,
}

impl HasVersion for HandoverView {
    fn version(&self) -> i64 {
        self.version
    }
}

/// What a history row says about a hand-over: never a section's text, since history is
/// read under the plan's category.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HandoverRecord {
    pub sender: MemberId,
    pub receiver: MemberId,
    pub urgency: Urgency,
    pub status: HandoverStatus,
    pub ack_due: Option<NaiveDate>,
    pub follow_up_items: usize,
    pub sections: Vec<Section>,
}

impl HandoverRecord {
    pub(crate) fn of(h: &Handover) -> Self {
        let c = &h.content;
        let sections = Section::ALL
            .iter()
            .copied()
            .filter(|s| match s {
                Section::FollowUp => !c.follow_up.is_empty(),
                s => c.section_text(*s).is_some(),
            })
            .collect();
        HandoverRecord {
            sender: h.sender,
            receiver: h.content.receiver,
            urgency: c.urgency,
            status: h.status,
            ack_due: h.ack_due,
            follow_up_items: c.follow_up.len(),
            sections,
        }
    }
}

impl Handovers<'_> {
    /// May this viewer read `section` of the patient's hand-overs? The policy decides,
    /// under the section's own category.
    pub(crate) fn may_read(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        section: Section,
    ) -> bool {
        self.decide_in(
            ctx,
            patient,
            facts,
            op,
            Object::Handover,
            section.category(),
            Detail::None,
        )
        .is_permit()
    }

    /// Whether the viewer may see this hand-over at all: a draft is its sender's alone.
    pub(crate) fn visible_to(&self, ctx: &Ctx, facts: &Facts, h: &Handover) -> bool {
        h.status != HandoverStatus::Draft
            || (matches!(ctx.principal.subject, Subject::Professional(_))
                && facts.membership.map(|m| m.member_id) == Some(h.sender))
    }

    /// Builds the viewer's view of `h` (names read in `tx`).
    pub(crate) async fn view_of(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        facts: &Facts,
        h: &Handover,
    ) -> Result<HandoverView, AppError> {
        let contacts = tx.member_contacts(h.patient_id).await?;
        let team = tx.get_team(h.patient_id).await?;
        let name = |m: MemberId| -> String {
            contacts
                .iter()
                .find(|c| c.member_id == m)
                .and_then(|c| c.professional_name.clone())
                .or_else(|| {
                    team.as_ref()
                        .and_then(|t| t.member(m))
                        .map(|t| t.name.clone().unwrap_or_else(|| t.role.clone()))
                })
                .unwrap_or_default()
        };
        Ok(self.view_with(ctx, facts, h, &name))
    }

    pub(crate) fn view_with(
        &self,
        ctx: &Ctx,
        facts: &Facts,
        h: &Handover,
        name: &dyn Fn(MemberId) -> String,
    ) -> HandoverView {
        let p = h.patient_id;
        let read = |s: Section| self.may_read(ctx, p, facts, Operation::Read, s);
        let c = &h.content;
        let withheld: Vec<Section> = Section::ALL.iter().copied().filter(|s| !read(*s)).collect();
        let shown = |s: Section, v: &Option<String>| if read(s) { v.clone() } else { None };
        let me = facts.membership.map(|m| m.member_id);
        let professional = matches!(ctx.principal.subject, Subject::Professional(_));
        HandoverView {
            id: h.id,
            patient_id: p,
            sender: h.sender,
            sender_name: name(h.sender),
            receiver: c.receiver,
            receiver_name: name(c.receiver),
            urgency: c.urgency,
            status: h.status,
            sent_at: h.sent_at,
            ack_due: h.ack_due,
            acknowledged_at: h.acknowledged_at,
            ack_overdue: h.status == HandoverStatus::Sent
                && h.ack_due.is_some_and(|d| d < self.today()),
            version: h.version,
            done_and_found: shown(Section::DoneAndFound, &Some(c.done_and_found.clone())),
            medication: shown(Section::Medication, &c.medication),
            medication_plan: shown(Section::Medication, &c.medication_plan),
            follow_up: read(Section::FollowUp).then(|| {
                c.follow_up
                    .iter()
                    .map(|f| FollowUpLine {
                        description: f.description.clone(),
                        owner: f.owner,
                        owner_name: name(f.owner),
                        due: f.due,
                    })
                    .collect()
            }),
            warning_signs: shown(Section::WarningSigns, &c.warning_signs),
            work_capacity: shown(Section::WorkCapacity, &c.work_capacity),
            responsibilities: shown(Section::Responsibilities, &c.responsibilities),
            patient_summary: shown(Section::PatientSummary, &Some(c.patient_summary.clone())),
            withheld,
            may_edit: professional && h.status == HandoverStatus::Draft && me == Some(h.sender),
            may_acknowledge: professional
                && h.status == HandoverStatus::Sent
                && me == Some(c.receiver),
        }
    }

    /// The patient's hand-overs the viewer may see (sent ones, and their own drafts),
    /// newest first, each section as their consent allows.
    pub async fn list(&self, ctx: &Ctx, patient: PatientId) -> Result<Vec<HandoverView>, AppError> {
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Read,
                Object::Handover,
                Detail::None,
            )
            .await?;
        let all = tx.list_handovers(patient).await?;
        let mut out = Vec::new();
        for h in all.iter().filter(|h| self.visible_to(ctx, &facts, h)) {
            out.push(self.view_of(&mut tx, ctx, &facts, h).await?);
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Handover,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One hand-over, as the viewer may see it.
    pub async fn get(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: HandoverId,
    ) -> Result<HandoverView, AppError> {
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Read,
                Object::Handover,
                Detail::None,
            )
            .await?;
        let h = tx
            .get_handover(patient, id)
            .await?
            .filter(|h| self.visible_to(ctx, &facts, h))
            .ok_or(AppError::NotFound)?;
        let v = self.view_of(&mut tx, ctx, &facts, &h).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Handover,
            Some(id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }
}
