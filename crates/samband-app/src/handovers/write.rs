//! Drafting, editing, sending and acknowledging a hand-over. Every change is a
//! versioned save of the one document, with its history row (the envelope only) and
//! audit entry in the same transaction as its effects.

use super::view::HandoverRecord;
use super::{HandoverView, Handovers};
use crate::jobs;
use crate::kernel::{Change, Facts, TxBox, Versioned};
use crate::notify::Notice;
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use samband_domain::handover::{
    ack_due, Handover, HandoverContent, HandoverInput, HandoverStatus, Section,
};
use samband_domain::ids::*;
use samband_domain::pathway::Event;
use samband_domain::plan::{Action, ActionInput};
use samband_domain::relapse::is_gp;
use samband_domain::team::{CareTeam, MemberKind};
use samband_domain::ValidationErrors;
use samband_store::Job;

/// Only its sender acts on a draft, and only while it is one: anyone else is refused
/// outright, a sent hand-over at its status (`refusal` says what was attempted).
fn senders_draft(h: &Handover, me: MemberId, refusal: &str) -> Result<(), AppError> {
    if h.sender != me {
        return Err(AppError::Forbidden);
    }
    if h.status != HandoverStatus::Draft {
        return Err(ValidationErrors::single("status", "already_sent", refusal).into());
    }
    Ok(())
}

impl Handovers<'_> {
    /// Opens a write on the patient's hand-overs: the policy's answer for a
    /// professional on the team, with their membership.
    async fn open_write(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        op: Operation,
    ) -> Result<(TxBox, Facts, Purpose, MemberId), AppError> {
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (tx, purpose) = self
            .authorize_with(tx, ctx, patient, &facts, op, Object::Handover, Detail::None)
            .await?;
        let me = facts
            .membership
            .map(|m| m.member_id)
            .ok_or(AppError::Forbidden)?;
        Ok((tx, facts, purpose, me))
    }

    /// The domain's validation against today's team, and the sections the writer may
    /// not write: a section is written only by someone the consent lets read it.
    fn validate(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        team: &CareTeam,
        sender: MemberId,
        input: &HandoverInput,
    ) -> Result<HandoverContent, AppError> {
        let today = self.today();
        let professional = |m: MemberId| {
            team.member(m)
                .is_some_and(|t| t.kind == MemberKind::Professional && t.is_active_on(today))
        };
        let mut errs = ValidationErrors::new();
        let content = errs.take(input.validate(sender, today, &professional));
        let filled = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        for (field, section, present) in [
            (
                "done_and_found",
                Section::DoneAndFound,
                !input.done_and_found.trim().is_empty(),
            ),
            ("medication", Section::Medication, filled(&input.medication)),
            (
                "medication_plan",
                Section::Medication,
                filled(&input.medication_plan),
            ),
            (
                "warning_signs",
                Section::WarningSigns,
                filled(&input.warning_signs),
            ),
            (
                "work_capacity",
                Section::WorkCapacity,
                filled(&input.work_capacity),
            ),
        ] {
            if present && !self.may_read(ctx, patient, facts, Operation::Create, section) {
                errs.add(
                    field,
                    "not_permitted",
                    "the patient's consent does not let your organisation write this section",
                );
            }
        }
        errs.into_result()?;
        content.ok_or_else(|| AppError::Internal("validated hand-over missing".into()))
    }

    /// Drafts a hand-over to `input.receiver` (version 1). Nothing is sent yet.
    pub async fn draft(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &HandoverInput,
    ) -> Result<HandoverView, AppError> {
        let (mut tx, facts, purpose, me) = self.open_write(ctx, patient, Operation::Create).await?;
        let team = self.team().load(&mut tx, patient).await?;
        let content = self.validate(ctx, patient, &facts, &team, me, input)?;
        let h = Handover {
            id: HandoverId::new(),
            patient_id: patient,
            sender: me,
            content,
            status: HandoverStatus::Draft,
            sent_at: None,
            ack_due: None,
            acknowledged_at: None,
            version: 1,
        };
        tx.insert_handover(&h, self.clock.now()).await?;
        let view = self.view_of(&mut tx, ctx, &facts, &h).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Handover,
                id: h.id.to_string(),
                version: 1,
                old: None::<&HandoverRecord>,
                new: &HandoverRecord::of(&h),
                reason: Some("hand-over drafted".into()),
                audit_id: Some(h.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(view)
    }

    /// The stored hand-over a change starts from: visible to the writer, at
    /// `expected`, or the conflict answer (the current state as the writer may see it).
    #[allow(clippy::too_many_arguments)] // one shape: who, whose, which, at which version
    async fn start_change(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        facts: &Facts,
        patient: PatientId,
        id: HandoverId,
        expected: i64,
        purpose: Purpose,
    ) -> Result<(TxBox, Handover, Versioned), AppError> {
        let mut tx = tx;
        let old = tx
            .get_handover(patient, id)
            .await?
            .filter(|h| self.visible_to(ctx, facts, h))
            .ok_or(AppError::NotFound)?;
        let at = Versioned {
            patient,
            object: Object::Handover,
            id: id.to_string(),
            purpose,
        };
        let current = self.view_of(&mut tx, ctx, facts, &old).await?;
        let tx = self.check_version(tx, ctx, &at, &current, expected).await?;
        Ok((tx, old, at))
    }

    /// Saves `next` at `expected`; a version moved meanwhile is the conflict answer.
    async fn save(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        facts: &Facts,
        at: &Versioned,
        next: &Handover,
        expected: i64,
    ) -> Result<(TxBox, i64), AppError> {
        let saved = tx.update_handover(next, expected).await;
        let (patient, id) = (next.patient_id, next.id);
        let view_ctx = ctx.clone();
        let me = self.clone_facts(facts);
        let app = crate::App::clone(self);
        self.versioned_save(tx, ctx, at, saved, move |tx| {
            Box::pin(async move {
                let h = tx
                    .get_handover(patient, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                app.handovers().view_of(tx, &view_ctx, &me, &h).await
            })
        })
        .await
    }

    fn clone_facts(&self, f: &Facts) -> Facts {
        Facts {
            membership: f.membership,
            consent: f.consent.clone(),
            emergency: f.emergency,
        }
    }

    /// Edits a draft (its sender only) at `expected_version`.
    pub async fn update(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: HandoverId,
        input: &HandoverInput,
        expected_version: i64,
    ) -> Result<HandoverView, AppError> {
        let (tx, facts, purpose, me) = self.open_write(ctx, patient, Operation::Update).await?;
        let (mut tx, old, at) = self
            .start_change(tx, ctx, &facts, patient, id, expected_version, purpose)
            .await?;
        senders_draft(&old, me, "a sent hand-over cannot be changed")?;
        let team = self.team().load(&mut tx, patient).await?;
        let content = self.validate(ctx, patient, &facts, &team, me, input)?;
        let mut next = old.clone();
        next.content = content;
        let (mut tx, version) = self
            .save(tx, ctx, &facts, &at, &next, expected_version)
            .await?;
        next.version = version;
        let view = self.view_of(&mut tx, ctx, &facts, &next).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Handover,
                id: id.to_string(),
                version,
                old: Some(&HandoverRecord::of(&old)),
                new: &HandoverRecord::of(&next),
                reason: Some("hand-over edited".into()),
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(view)
    }

    /// Sends a draft: in one transaction a plan action per follow-up item (owned by
    /// the item's owner, under the plan's rules for actions), the acknowledgement date
    /// in working days, the escalation job at its end, and the receiver told.
    pub async fn send(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: HandoverId,
        expected_version: i64,
    ) -> Result<HandoverView, AppError> {
        let (tx, facts, purpose, me) = self.open_write(ctx, patient, Operation::Update).await?;
        let (mut tx, old, at) = self
            .start_change(tx, ctx, &facts, patient, id, expected_version, purpose)
            .await?;
        senders_draft(&old, me, "this hand-over has been sent already")?;
        let team = self.team().load(&mut tx, patient).await?;
        let today = self.today();
        // The team and the calendar may have moved since the draft: check again.
        let mut errs = ValidationErrors::new();
        let active_pro = |m: MemberId| {
            team.member(m)
                .is_some_and(|t| t.kind == MemberKind::Professional && t.is_active_on(today))
        };
        if !active_pro(old.content.receiver) {
            errs.add(
                "receiver",
                "not_a_professional_member",
                "the receiver must be an active professional on the patient's team",
            );
        }
        let mut actions = Vec::new();
        for (i, f) in old.content.follow_up.iter().enumerate() {
            let p = format!("follow_up[{i}]");
            if !active_pro(f.owner) {
                errs.add(
                    &format!("{p}.owner"),
                    "not_a_professional_member",
                    "the owner must be an active professional on the patient's team",
                );
                continue;
            }
            let input = ActionInput {
                reason: None,
                title: f.description.clone(),
                owner_member_id: Some(f.owner),
                sector: None,
                due_date: f.due.to_string(),
                status: None,
                goal_id: None,
            };
            match input.parse(&team, &[], today, today) {
                Ok(fields) => actions.push(fields),
                Err(e) => {
                    for fe in e.errors {
                        let field = match fe.field.as_str() {
                            "title" => "description",
                            "owner_member_id" => "owner",
                            "due_date" => "due",
                            other => other,
                        };
                        errs.add(&format!("{p}.{field}"), fe.code, fe.message);
                    }
                }
            }
        }
        errs.into_result()?;
        if self
            .closes_episode_to_gp(&mut tx, &team, patient, old.content.receiver, today)
            .await?
        {
            self.plan()
                .require_agreed_relapse_plan(&mut tx, patient, "relapse_plan")
                .await?;
        }
        let now = self.clock.now();
        let due = ack_due(
            &self.config.calendar,
            today,
            self.config.handover_ack_working_days,
        );
        let mut next = old.clone();
        next.status = HandoverStatus::Sent;
        next.sent_at = Some(now);
        next.ack_due = Some(due);
        let (mut tx, version) = self
            .save(tx, ctx, &facts, &at, &next, expected_version)
            .await?;
        next.version = version;
        for fields in actions {
            let sector = self.plan().action_sector(&mut tx, &team, &fields).await?;
            let action = Action {
                id: ActionId::new(),
                patient_id: patient,
                title: fields.title,
                owner_member_id: fields.owner_member_id,
                sector,
                due_date: fields.due_date,
                status: fields.status,
                goal_id: None,
                created_at: now,
                version: 1,
            };
            tx.insert_action(&action).await?;
            self.record_change(
                &mut tx,
                ctx,
                patient,
                Object::Action,
                action.id.to_string(),
                1,
                None::<&Action>,
                &action,
                Some(format!("follow-up of hand-over {id}")),
            )
            .await?;
            self.audit(
                &mut tx,
                ctx,
                patient,
                Object::Action,
                Some(action.id.to_string()),
                Operation::Create,
                purpose,
            )
            .await?;
        }
        let job = Job::new(
            jobs::HANDOVER_ACK_DEADLINE,
            serde_json::json!({ "patient_id": patient, "handover_id": id }),
            self.end_of_day(due),
            now,
        )
        .dedupe(format!("handover_ack:{id}"));
        self.enqueue(&mut tx, job).await?;
        self.finish_step(
            tx,
            ctx,
            &facts,
            &team,
            Step {
                old: &old,
                next: &next,
                tell: old.content.receiver,
                notice: "handover",
                reason: "hand-over sent",
                purpose,
            },
        )
        .await
    }

    /// The receiver acknowledges: "I have it and take it from here". Completes, in the
    /// same transaction, the pathway milestone that asks for an acknowledged hand-over.
    pub async fn acknowledge(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: HandoverId,
        expected_version: i64,
    ) -> Result<HandoverView, AppError> {
        let (tx, facts, purpose, me) = self.open_write(ctx, patient, Operation::Update).await?;
        let (tx, old, at) = self
            .start_change(tx, ctx, &facts, patient, id, expected_version, purpose)
            .await?;
        if old.content.receiver != me {
            return Err(AppError::Forbidden);
        }
        if old.status != HandoverStatus::Sent {
            return Err(ValidationErrors::single(
                "status",
                "not_awaiting_acknowledgement",
                "only a sent hand-over that is not yet acknowledged can be acknowledged",
            )
            .into());
        }
        let mut next = old.clone();
        next.status = HandoverStatus::Acknowledged;
        next.acknowledged_at = Some(self.clock.now());
        let (mut tx, version) = self
            .save(tx, ctx, &facts, &at, &next, expected_version)
            .await?;
        next.version = version;
        self.pathways()
            .record_evidence(
                &mut tx,
                ctx,
                patient,
                &Event::HandoverAcknowledged,
                self.today(),
                &format!("handover:{id}"),
            )
            .await?;
        let team = self.team().load(&mut tx, patient).await?;
        self.finish_step(
            tx,
            ctx,
            &facts,
            &team,
            Step {
                old: &old,
                next: &next,
                tell: old.sender,
                notice: "handover_acknowledged",
                reason: "hand-over acknowledged",
                purpose,
            },
        )
        .await
    }

    /// How a step that moves a hand-over on ends: the member it concerns is told (if
    /// they can sign in), the change commits with its history (the envelope only) and
    /// audit, and the reader gets their view of the hand-over as it now stands.
    async fn finish_step(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        facts: &Facts,
        team: &CareTeam,
        step: Step<'_>,
    ) -> Result<HandoverView, AppError> {
        let Step {
            old,
            next,
            tell,
            notice,
            reason,
            purpose,
        } = step;
        let patient = next.patient_id;
        let mut told = Vec::new();
        if let Some(account) = self.member_account(&mut tx, team, tell).await? {
            self.notifications()
                .notify(
                    &mut tx,
                    Notice {
                        account,
                        patient: Some(patient),
                        kind: notice,
                        thread: None,
                        actor: Some(&ctx.principal.display_name),
                        detail: None,
                        unread: true,
                    },
                )
                .await?;
            told.push(account);
        }
        let view = self.view_of(&mut tx, ctx, facts, next).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Handover,
                id: next.id.to_string(),
                version: next.version,
                old: Some(&HandoverRecord::of(old)),
                new: &HandoverRecord::of(next),
                reason: Some(reason.into()),
                audit_id: Some(next.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        self.after_commit(told);
        Ok(view)
    }

    /// The sign-in account of a professional member, if they have one.
    /// Whether sending to `receiver` hands a collaborative-care episode over to the GP:
    /// the receiver is the patient's GP and an active enrolment's closing hand-over is
    /// open (`Enrolment::handover_closes_episode`). Such a hand-over needs an agreed
    /// relapse-prevention plan; a discharge letter to the GP at the start does not.
    async fn closes_episode_to_gp(
        &self,
        tx: &mut TxBox,
        team: &CareTeam,
        patient: PatientId,
        receiver: MemberId,
        today: chrono::NaiveDate,
    ) -> Result<bool, AppError> {
        let Some(m) = team.member(receiver) else {
            return Ok(false);
        };
        let sector = match m.organisation_id {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        };
        if !is_gp(&m.role, sector) {
            return Ok(false);
        }
        for e in tx.list_enrolments(patient).await? {
            let t = self
                .pathways()
                .template(tx, &e.template_key, Some(e.template_version))
                .await?;
            if t.is_some_and(|t| e.handover_closes_episode(&t, today)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(crate) async fn member_account(
        &self,
        tx: &mut TxBox,
        team: &CareTeam,
        member: MemberId,
    ) -> Result<Option<AccountId>, AppError> {
        let Some(pid) = team.member(member).and_then(|m| m.professional_id) else {
            return Ok(None);
        };
        Ok(tx.account_for_professional(pid).await?.map(|a| a.id))
    }
}

/// A step of [`Handovers::finish_step`]: the hand-over before and after, whom to tell
/// with which notice, and the reason history gives.
struct Step<'a> {
    old: &'a Handover,
    next: &'a Handover,
    tell: MemberId,
    notice: &'static str,
    reason: &'static str,
    purpose: Purpose,
}
