//! Missed check-ins as a signal (issue 12, engagement): once a check-in has come due,
//! a job looks again when the patient's silence would be a signal — after the
//! patient's `silent_days` (7 by default) — and then once an interval, for as long as
//! the schedule stays unanswered at that version. Each look builds the schedule's due
//! times since its last answer (the interval runs from the last answer, so an
//! unanswered schedule's check-ins fall every interval from its next due day) and hands
//! them to `signals().on_schedule`, which raises or adds to the engagement alert. An
//! answer, pause, change or end moves the version on and the old job stops.

use super::Monitoring;
use crate::jobs;
use crate::kernel::TxBox;
use crate::AppError;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use samband_domain::ids::*;
use samband_domain::instrument::schedule::Schedule;
use samband_store::Job;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Payload {
    patient_id: PatientId,
    schedule_id: ScheduleId,
    version: i64,
    check_on: NaiveDate,
}

impl Monitoring<'_> {
    /// Queues the look at `s` on `check_on` (deduplicated per schedule, version, day).
    pub(crate) async fn queue_engagement_check(
        &self,
        tx: &mut TxBox,
        s: &Schedule,
        check_on: NaiveDate,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let payload = serde_json::to_value(Payload {
            patient_id: s.patient_id,
            schedule_id: s.id,
            version: s.version,
            check_on,
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let job = Job::new(
            jobs::ENGAGEMENT_CHECK,
            payload,
            self.announce_at(check_on).max(now),
            now,
        )
        .dedupe(format!("engagement:{}:{}:{check_on}", s.id, s.version));
        self.enqueue(tx, job).await?;
        Ok(())
    }

    /// The first look after a check-in came due.
    pub(crate) async fn queue_first_engagement_check(
        &self,
        tx: &mut TxBox,
        s: &Schedule,
    ) -> Result<(), AppError> {
        let silent = self
            .signals()
            .thresholds_of(tx, s.patient_id)
            .await?
            .silent_days;
        let first = s.next_due + Duration::days(silent.min(s.every_days as i64).max(1));
        self.queue_engagement_check(tx, s, first).await
    }

    pub(crate) async fn run_engagement_check(&self, job: &Job) -> Result<(), AppError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let today = self.today();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        let current = tx
            .get_schedule(p.patient_id, p.schedule_id)
            .await?
            .filter(|s| s.version == p.version && s.is_due(today));
        if let Some(s) = current {
            let due = due_times(&s, today, |d| self.announce_at(d));
            let answers: Vec<DateTime<Utc>> = s
                .last_answered_on
                .iter()
                .map(|d| self.announce_at(*d))
                .collect();
            if let Some(raised) = self
                .signals()
                .on_schedule(&mut tx, p.patient_id, &due, &answers)
                .await?
            {
                told.extend(raised.told);
            }
            // Look again an interval on, while nothing changes.
            let next = p.check_on + Duration::days(s.every_days as i64);
            self.queue_engagement_check(&mut tx, &s, next).await?;
        }
        self.finish_run(tx, job, now, told).await
    }
}

/// An unanswered schedule's check-ins up to `today`: its next due day, then one every
/// interval (the interval counts from the last answer, which has not moved).
fn due_times(
    s: &Schedule,
    today: NaiveDate,
    at: impl Fn(NaiveDate) -> DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let step = Duration::days(s.every_days.max(1) as i64);
    let mut out = Vec::new();
    let mut d = s.next_due;
    while d <= today && out.len() < 400 {
        out.push(at(d));
        d += step;
    }
    out
}
