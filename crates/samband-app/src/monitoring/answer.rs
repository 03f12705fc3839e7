//! Answering a check-in: the patient, or a proxy acting for them, answers a schedule's
//! questionnaire — when due or early. The server scores it (a client's own score is
//! never read), stores the response with its scores, moves the schedule on, and runs
//! [`after_response`](super::after_response) in the same transaction.

use super::{AfterResponse, Monitoring};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::instrument::schedule::Schedule;
use samband_domain::instrument::{answers_by_key, catalogue, ScoredResponse};
use samband_domain::principal::Subject;
use samband_domain::ValidationErrors;
use samband_store::{ResponseRecord, StoreError};
use std::collections::BTreeMap;

/// A saved response: what was stored, the schedule as it now stands, and what ran
/// after it. `scored` is what signals consume.
#[derive(Debug, Clone)]
pub struct ResponseSaved {
    pub record: ResponseRecord,
    pub scored: ScoredResponse,
    pub schedule: Schedule,
    pub after: AfterResponse,
}

impl Monitoring<'_> {
    /// Answers schedule `id`'s questionnaire with `given` (item key → value; a missing
    /// key is unanswered). Bad answers are field errors (`answers.<item>`) and nothing
    /// is stored.
    pub async fn answer(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ScheduleId,
        given: &BTreeMap<String, Option<i64>>,
    ) -> Result<ResponseSaved, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::SelfReport,
                Detail::CheckIn,
            )
            .await?;
        let schedule = tx
            .get_schedule(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !schedule.is_active() {
            return Err(
                ValidationErrors::single("schedule", "ended", "this schedule has ended").into(),
            );
        }
        let inst = catalogue::get(schedule.instrument);
        let answers = answers_by_key(inst, given)?;
        let now = self.clock.now();
        let scored = ScoredResponse::new(inst, patient, answers, now)?;
        let record = ResponseRecord {
            id: ResponseId::new(),
            patient_id: patient,
            schedule_id: Some(schedule.id),
            instrument: inst.key,
            instrument_version: inst.version,
            answers: scored.items.clone(),
            scores: scored.scores.clone(),
            answered_at: now,
            answered_by: ctx.principal.account_id,
            by_proxy: matches!(ctx.principal.subject, Subject::Proxy { .. }),
        };
        tx.insert_response(&record).await?;
        let mut next = schedule.answered(self.today());
        // Read in this transaction: on SQLite nothing else writes meanwhile; on
        // PostgreSQL a concurrent change (the team editing the schedule) fails the
        // answer whole, and nothing of it is kept.
        next.version = tx
            .update_schedule(&next, schedule.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(m) => {
                    AppError::Internal(format!("schedule changed while answering: {m}"))
                }
                other => other.into(),
            })?;
        self.record_change(
            &mut tx,
            ctx,
            patient,
            Object::SelfReport,
            record.id.to_string(),
            1,
            None::<&ResponseRecordView>,
            &ResponseRecordView::of(&record),
            Some(format!("{} answered", inst.key)),
        )
        .await?;
        self.queue_due(&mut tx, &next).await?;
        let mut saved = ResponseSaved {
            record,
            scored,
            schedule: next,
            after: AfterResponse::default(),
        };
        saved.after = self.after_response(&mut tx, ctx, &saved).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::SelfReport,
            Some(saved.record.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        // The team's open registry and alert pages re-read (live), whoever was told.
        let mut told = saved.after.told.clone();
        told.extend(self.team_accounts(&mut tx, patient).await?);
        tx.commit().await?;
        self.after_commit(told);
        Ok(saved)
    }
}

impl Monitoring<'_> {
    /// The sign-in accounts of the patient's active professional members.
    pub(crate) async fn team_accounts(
        &self,
        tx: &mut crate::kernel::TxBox,
        patient: PatientId,
    ) -> Result<Vec<AccountId>, AppError> {
        let Some(team) = tx.get_team(patient).await? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for m in team.active_members(self.today()) {
            if let Some(pro) = m.professional_id {
                if let Some(a) = tx.account_for_professional(pro).await? {
                    out.push(a.id);
                }
            }
        }
        Ok(out)
    }
}

/// A response as its history row keeps it.
#[derive(serde::Serialize)]
struct ResponseRecordView {
    instrument: &'static str,
    version: u32,
    answers: Vec<Option<u8>>,
    total: Option<u16>,
    band: Option<usize>,
    by_proxy: bool,
}

impl ResponseRecordView {
    fn of(r: &ResponseRecord) -> Self {
        Self {
            instrument: r.instrument.as_str(),
            version: r.instrument_version,
            answers: r.answers.clone(),
            total: r.scores.total,
            band: r.scores.band,
            by_proxy: r.by_proxy,
        }
    }
}
