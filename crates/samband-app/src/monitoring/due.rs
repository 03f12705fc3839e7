//! A due check-in tells the patient (and any proxy): a job queued for the morning of
//! the schedule's next due day whenever the schedule is set, changed, resumed or
//! answered, deduplicated by schedule and version. Only the job of the schedule's
//! current version tells anyone — once the schedule was answered, paused, changed or
//! ended meanwhile, its version moved and the old job is silent — so a due day is
//! announced once per version, and again after a resume (a paused day's notice was
//! rightly silent).

use super::Monitoring;
use crate::jobs;
use crate::kernel::TxBox;
use crate::notify::Notice;
use crate::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::*;
use samband_domain::instrument::catalogue;
use samband_domain::instrument::schedule::Schedule;
use samband_store::Job;
use serde::{Deserialize, Serialize};

/// The hour (local time) a due check-in is announced.
pub const DUE_HOUR: u32 = 9;

#[derive(Serialize, Deserialize)]
struct Payload {
    patient_id: PatientId,
    schedule_id: ScheduleId,
    version: i64,
    due: NaiveDate,
}

impl Monitoring<'_> {
    /// The morning of `day` (local time), when check-in work about it runs.
    pub(super) fn announce_at(&self, day: NaiveDate) -> DateTime<Utc> {
        day.and_hms_opt(DUE_HOUR, 0, 0)
            .and_then(|t| t.and_local_timezone(self.config.time_zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.clock.now())
    }

    /// Queues the due notice for `s`'s next due day (at once if that morning passed).
    pub(crate) async fn queue_due(&self, tx: &mut TxBox, s: &Schedule) -> Result<(), AppError> {
        if !s.is_active() || s.paused.is_some() {
            return Ok(());
        }
        let now = self.clock.now();
        let at = self.announce_at(s.next_due).max(now);
        let payload = serde_json::to_value(Payload {
            patient_id: s.patient_id,
            schedule_id: s.id,
            version: s.version,
            due: s.next_due,
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let job = Job::new(jobs::CHECKIN_DUE, payload, at, now)
            .dedupe(format!("checkin_due:{}:{}", s.id, s.version));
        self.enqueue(tx, job).await?;
        Ok(())
    }

    pub(crate) async fn run_checkin_due(&self, job: &Job) -> Result<(), AppError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        let still_due = tx
            .get_schedule(p.patient_id, p.schedule_id)
            .await?
            .filter(|s| {
                s.version == p.version && s.is_active() && s.paused.is_none() && s.next_due == p.due
            });
        if let Some(s) = still_due {
            self.queue_first_engagement_check(&mut tx, &s).await?;
            let title = catalogue::get(s.instrument).title.en;
            for account in tx.accounts_for_patient(p.patient_id).await? {
                if account.disabled {
                    continue;
                }
                self.notifications()
                    .notify(
                        &mut tx,
                        Notice {
                            account: account.id,
                            patient: Some(p.patient_id),
                            kind: "checkin_due",
                            thread: None,
                            actor: None,
                            detail: Some(title.to_owned()),
                            unread: true,
                        },
                    )
                    .await?;
                told.push(account.id);
            }
        }
        self.finish_run(tx, job, now, told).await
    }
}
