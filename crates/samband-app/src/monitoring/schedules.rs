//! Check-in schedules: set, changed and ended by a professional on the team
//! (`Detail::Planning`); paused and resumed by the patient or their proxy
//! (`Detail::CheckIn`); read by both. Every change is versioned (If-Match) with a
//! history row, and re-queues the due notification for the new due day.

use super::Monitoring;
use crate::kernel::{Change, TxBox, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::*;
use samband_domain::instrument::schedule::{pause_reason, Schedule, ScheduleInput};
use samband_domain::ValidationErrors;

/// A schedule as the patient's and the team's pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleView {
    pub schedule: Schedule,
    /// Due today (active, not paused, its day has come).
    pub due: bool,
    /// A whole interval has passed since it fell due.
    pub missed: bool,
}

fn ended() -> AppError {
    ValidationErrors::single("schedule", "ended", "this schedule has ended").into()
}

impl Monitoring<'_> {
    pub async fn set_schedule(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &ScheduleInput,
    ) -> Result<Schedule, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::SelfReport,
                Detail::Planning,
            )
            .await?;
        let fields = input.validate(self.today())?;
        let s = Schedule::new(patient, fields, ctx.principal.account_id, self.clock.now());
        tx.insert_schedule(&s).await?;
        self.queue_due(&mut tx, &s).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::SelfReport,
                id: s.id.to_string(),
                version: 1,
                old: None,
                new: &s,
                reason: None,
                audit_id: Some(s.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(s)
    }

    /// A new interval or start day (the instrument stays).
    pub async fn change_schedule(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ScheduleId,
        input: &ScheduleInput,
        expected: i64,
    ) -> Result<Schedule, AppError> {
        let today = self.today();
        self.write(ctx, patient, id, expected, Detail::Planning, |s, _| {
            if !s.is_active() {
                return Err(ended());
            }
            Ok(s.change(input.validate(today)?)?)
        })
        .await
    }

    /// Ends a schedule today; nothing more falls due.
    pub async fn end_schedule(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ScheduleId,
        expected: i64,
    ) -> Result<Schedule, AppError> {
        let today = self.today();
        self.write(ctx, patient, id, expected, Detail::Planning, |s, _| {
            if !s.is_active() {
                return Err(ended());
            }
            Ok(s.end(today))
        })
        .await
    }

    /// The patient (or proxy) pauses a schedule with a reason the team sees.
    pub async fn pause(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ScheduleId,
        reason: &str,
        expected: i64,
    ) -> Result<Schedule, AppError> {
        let by = ctx.principal.account_id;
        self.write(ctx, patient, id, expected, Detail::CheckIn, |s, now| {
            if !s.is_active() {
                return Err(ended());
            }
            Ok(s.pause(pause_reason(reason)?, by, now))
        })
        .await
    }

    pub async fn resume(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ScheduleId,
        expected: i64,
    ) -> Result<Schedule, AppError> {
        self.write(ctx, patient, id, expected, Detail::CheckIn, |s, _| {
            if !s.is_active() {
                return Err(ended());
            }
            Ok(s.resume())
        })
        .await
    }

    /// The shape every schedule change shares: authorize → load → If-Match → rule →
    /// versioned save → re-queue the due notification → history, audit, commit.
    async fn write(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ScheduleId,
        expected: i64,
        detail: Detail,
        rule: impl FnOnce(&Schedule, DateTime<Utc>) -> Result<Schedule, AppError>,
    ) -> Result<Schedule, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::SelfReport,
                detail,
            )
            .await?;
        let old = tx
            .get_schedule(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let at = Versioned {
            patient,
            object: Object::SelfReport,
            id: id.to_string(),
            purpose,
        };
        let tx = self.check_version(tx, ctx, &at, &old, expected).await?;
        let mut next = rule(&old, self.clock.now())?;
        let mut tx = tx;
        let saved = tx.update_schedule(&next, expected).await;
        let (mut tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    tx.get_schedule(patient, id)
                        .await?
                        .ok_or(AppError::NotFound)
                })
            })
            .await?;
        next.version = version;
        self.queue_due(&mut tx, &next).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::SelfReport,
                id: id.to_string(),
                version,
                old: Some(&old),
                new: &next,
                reason: next
                    .paused
                    .as_ref()
                    .map(|p| format!("paused: {}", p.reason)),
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }

    /// The patient's schedules (ended ones last), each with whether it is due today.
    pub async fn schedules(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<ScheduleView>, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::SelfReport,
                Detail::None,
            )
            .await?;
        let views = self.schedule_views(&mut tx, patient, self.today()).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::SelfReport,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(views)
    }

    /// One schedule, for the answer page.
    pub async fn schedule(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ScheduleId,
    ) -> Result<ScheduleView, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::SelfReport,
                Detail::None,
            )
            .await?;
        let s = tx
            .get_schedule(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::SelfReport,
            Some(id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        let today = self.today();
        Ok(ScheduleView {
            due: s.is_due(today),
            missed: s.missed(today),
            schedule: s,
        })
    }

    pub(crate) async fn schedule_views(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
        today: NaiveDate,
    ) -> Result<Vec<ScheduleView>, AppError> {
        let mut list = tx.list_schedules(patient).await?;
        list.sort_by_key(|s| (!s.is_active(), s.created_at));
        Ok(list
            .into_iter()
            .map(|s| ScheduleView {
                due: s.is_due(today),
                missed: s.missed(today),
                schedule: s,
            })
            .collect())
    }
}
