//! The durable job runner and scheduler.
//!
//! Work that must happen later or outside the request (e-mail, receipt deadlines,
//! request reminders, digests) is a row in the `jobs` table, written in the same
//! transaction as the change that caused it: the queue is the transactional outbox.
//! A runner claims one due job at a time under a lease, so jobs survive restarts, work
//! that fell due during a downtime runs at start, and two runners never run one job at
//! once. Failures retry with exponential backoff; a job that keeps failing is buried
//! (dead-lettered) and administrators are alerted.
//!
//! Jobs that only change the database finish in the same transaction as their effect,
//! so they take effect exactly once. E-mail is sent and then marked done: if Samband
//! dies between the two the mail is sent again, with the same Message-ID, so the
//! receiving side sees one message.

use crate::kernel::TxBox;
use crate::{App, AppError};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use samband_domain::ids::JobId;
use samband_domain::principal::AccountRole;
use samband_store::{Job, Notification};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct JobSettings {
    /// How long a claimed job is reserved for its runner.
    pub lease: Duration,
    /// Attempts before a job is buried.
    pub max_attempts: i64,
    /// First retry delay; doubles per attempt up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How often an idle runner looks for due work (it is also woken on enqueue).
    pub poll: std::time::Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            lease: Duration::seconds(60),
            max_attempts: 10,
            backoff_base: Duration::seconds(5),
            backoff_max: Duration::minutes(30),
            poll: std::time::Duration::from_millis(500),
        }
    }
}

impl JobSettings {
    /// Delay before the next try after `attempts` failed ones.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exp = attempts.clamp(1, 20) - 1;
        let secs = self
            .backoff_base
            .num_seconds()
            .max(1)
            .saturating_mul(1_i64 << exp);
        Duration::seconds(secs.min(self.backoff_max.num_seconds()))
    }
}

/// An e-mail ready to send. It never carries health information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Stable across retries (`<uuid@domain>`), so a resend is recognisably the same.
    pub message_id: String,
    /// An iCalendar invitation (RFC 5545) sent along as `text/calendar`.
    #[serde(default)]
    pub calendar: Option<String>,
    /// The calendar's METHOD (`REQUEST` or `CANCEL`), for the MIME type.
    #[serde(default)]
    pub calendar_method: Option<String>,
    /// When the e-mail was queued: its Date header, so a resend is the same message
    /// and not a copy dated later. Absent in jobs queued before this field existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct MailError {
    /// Worth trying again (server unreachable, 4xx); otherwise permanent (5xx).
    pub transient: bool,
    pub message: String,
}

/// Sends e-mail (SMTP in production; the server crate implements it).
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
}

/// What became of one job run.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    Done,
    Retry(String),
    Dead(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    pub id: JobId,
    pub kind: String,
    pub outcome: JobOutcome,
}

pub(crate) const EMAIL: &str = "email";
pub(crate) const ACK_DEADLINE: &str = "ack_deadline";
pub(crate) const REQUEST_REMINDER: &str = "request_reminder";
pub(crate) const REQUEST_OVERDUE: &str = "request_overdue";
pub(crate) const DAILY_DIGEST: &str = "daily_digest";
pub(crate) const ONGOING_DIGEST: &str = "ongoing_digest";
pub(crate) const MEETING_FOLLOW_UP: &str = "meeting_follow_up";
pub(crate) const HANDOVER_ACK_DEADLINE: &str = "handover_ack_deadline";
/// A pathway milestone occurrence: due soon (reminder), and overdue (escalation).
pub(crate) const MILESTONE_DUE_SOON: &str = "milestone_due_soon";
pub(crate) const MILESTONE_OVERDUE: &str = "milestone_overdue";
/// A check-in falls due: tell the patient (`monitoring/due.rs`).
pub(crate) const CHECKIN_DUE: &str = "checkin_due";
/// A due check-in still unanswered: is the silence an engagement signal
/// (`monitoring/engagement.rs`)?
pub(crate) const ENGAGEMENT_CHECK: &str = "engagement_check";
/// An alert's deadline: escalate it if it is still unacknowledged (one per step).
pub(crate) const ALERT_DEADLINE: &str = "alert_deadline";

/// Local time of day at which the daily digests go out.
const DIGEST_HOUR: u32 = 7;

impl App {
    /// Queues a job inside the caller's transaction (the outbox write).
    pub(crate) async fn enqueue(&self, tx: &mut TxBox, mut job: Job) -> Result<bool, AppError> {
        job.max_attempts = self.config.jobs.max_attempts;
        Ok(tx.enqueue_job(&job).await?)
    }

    /// Claims and runs one due job; `None` when nothing is due.
    pub async fn run_one_job(
        &self,
        mailer: Option<&dyn Mailer>,
    ) -> Result<Option<JobRun>, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let job = tx.claim_job(now, now + self.config.jobs.lease).await?;
        tx.commit().await?;
        let Some(job) = job else {
            return Ok(None);
        };
        let outcome = match self.execute(&job, mailer).await {
            Ok(()) => JobOutcome::Done,
            Err(e) if e.permanent || job.attempts >= job.max_attempts => {
                JobOutcome::Dead(e.message)
            }
            Err(e) => JobOutcome::Retry(e.message),
        };
        self.settle(&job, &outcome).await?;
        Ok(Some(JobRun {
            id: job.id,
            kind: job.kind,
            outcome,
        }))
    }

    /// Runs due jobs until none is due or `max` have run; returns what ran.
    pub async fn run_due_jobs(
        &self,
        mailer: Option<&dyn Mailer>,
        max: usize,
    ) -> Result<Vec<JobRun>, AppError> {
        let mut runs = Vec::new();
        while runs.len() < max {
            match self.run_one_job(mailer).await? {
                Some(r) => runs.push(r),
                None => break,
            }
        }
        Ok(runs)
    }

    /// The background runner: schedules the daily work, runs what is due, sleeps until
    /// woken or the poll interval passes. Ends when `stop` turns true.
    pub async fn job_runner(
        self,
        mailer: Option<Arc<dyn Mailer>>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut last_schedule: Option<chrono::NaiveDate> = None;
        loop {
            if *stop.borrow() {
                break;
            }
            if last_schedule != Some(self.today()) {
                match self.ensure_schedule().await {
                    Ok(()) => last_schedule = Some(self.today()),
                    Err(e) => tracing::warn!(error = %e, "could not schedule the daily jobs"),
                }
            }
            let ran = match self.run_due_jobs(mailer.as_deref(), 50).await {
                Ok(r) => r.len(),
                Err(e) => {
                    tracing::warn!(error = %e, "job runner could not run jobs");
                    0
                }
            };
            if ran > 0 {
                continue;
            }
            tokio::select! {
                _ = self.job_wake.notified() => {}
                _ = tokio::time::sleep(self.config.jobs.poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Makes sure today's scheduled jobs exist (once per day each, by dedupe key). If
    /// their time has passed while Samband was down, they are simply due at once.
    pub async fn ensure_schedule(&self) -> Result<(), AppError> {
        let today = self.today();
        let at = today
            .and_hms_opt(DIGEST_HOUR, 0, 0)
            .and_then(|t| t.and_local_timezone(self.config.time_zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.clock.now());
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        for kind in [DAILY_DIGEST, ONGOING_DIGEST] {
            let job = Job::new(kind, serde_json::json!({ "date": today }), at, now)
                .dedupe(format!("{kind}:{today}"));
            self.enqueue(&mut tx, job).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The end of every database-only job handler: the job is finished in the same
    /// transaction as its effect, under the claim that ran it, then committed; the
    /// accounts it told are signalled live and the runner is woken for what it queued.
    /// If another runner holds the job now (this run's lease ran out), the transaction
    /// is dropped instead, so the effect happens once: that runner's.
    pub(crate) async fn finish_run(
        &self,
        mut tx: TxBox,
        job: &Job,
        at: DateTime<Utc>,
        told: Vec<samband_domain::ids::AccountId>,
    ) -> Result<(), AppError> {
        if !tx.finish_job(job.id, job.attempts, at).await? {
            tracing::info!(job.kind = %job.kind, "job's lease passed to another runner; this run is undone");
            return Ok(());
        }
        tx.commit().await?;
        self.after_commit(told);
        Ok(())
    }

    async fn settle(&self, job: &Job, outcome: &JobOutcome) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        match outcome {
            // Database-only jobs were finished together with their effect.
            // False when the handler finished it with its effect, or another runner
            // holds it now: either way there is nothing more to record.
            JobOutcome::Done => {
                tx.finish_job(job.id, job.attempts, now).await?;
            }
            JobOutcome::Retry(err) => {
                let at = now + self.config.jobs.backoff(job.attempts);
                tracing::info!(job.kind = %job.kind, attempts = job.attempts, "job will be retried");
                if !tx.retry_job(job.id, job.attempts, at, err).await? {
                    tracing::info!(job.kind = %job.kind, "job's lease passed to another runner; its retry is theirs");
                }
            }
            JobOutcome::Dead(err) => {
                // Under the claim that ran it: a runner whose lease ran out must not bury
                // a job another runner is running now (nor alert for it).
                if tx.bury_job(job.id, job.attempts, now, err).await? {
                    tracing::warn!(job.kind = %job.kind, attempts = job.attempts, "job buried after failing");
                    self.alert_administrators(&mut tx, &job.kind).await?;
                } else {
                    tracing::info!(job.kind = %job.kind, "job's lease passed to another runner; not buried");
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn alert_administrators(&self, tx: &mut TxBox, kind: &str) -> Result<(), AppError> {
        let admins: Vec<_> = tx
            .list_accounts()
            .await?
            .into_iter()
            .filter(|a| a.role == AccountRole::Admin && !a.disabled)
            .collect();
        for a in &admins {
            tx.insert_notification(&Notification {
                id: Default::default(),
                account_id: a.id,
                patient_id: None,
                kind: "job_dead".into(),
                thread_id: None,
                actor_name: None,
                detail: Some(kind.to_owned()),
                created_at: self.clock.now(),
                read_at: None,
                email_status: "none".into(),
            })
            .await?;
        }
        self.live.publish(admins.iter().map(|a| a.id));
        Ok(())
    }

    async fn execute(&self, job: &Job, mailer: Option<&dyn Mailer>) -> Result<(), JobError> {
        match job.kind.as_str() {
            EMAIL => {
                let email: OutgoingEmail = serde_json::from_value(job.payload.clone())
                    .map_err(|e| JobError::permanent(format!("bad e-mail payload: {e}")))?;
                let Some(mailer) = mailer else {
                    return Err(JobError::transient("no mail server is configured"));
                };
                mailer.send(&email).await.map_err(|e| JobError {
                    permanent: !e.transient,
                    message: e.message,
                })
            }
            ACK_DEADLINE => self
                .messages()
                .run_ack_deadline(job)
                .await
                .map_err(JobError::from),
            REQUEST_REMINDER | REQUEST_OVERDUE => self
                .requests()
                .run_request_deadline(job)
                .await
                .map_err(JobError::from),
            DAILY_DIGEST => self
                .notifications()
                .run_daily_digest(job)
                .await
                .map_err(JobError::from),
            ONGOING_DIGEST => self
                .notifications()
                .run_ongoing_digest(job)
                .await
                .map_err(JobError::from),
            MEETING_FOLLOW_UP => self
                .meetings()
                .run_meeting_follow_up(job)
                .await
                .map_err(JobError::from),
            HANDOVER_ACK_DEADLINE => self
                .handovers()
                .run_ack_deadline(job)
                .await
                .map_err(JobError::from),
            MILESTONE_DUE_SOON | MILESTONE_OVERDUE => self
                .pathways()
                .run_milestone_job(job)
                .await
                .map_err(JobError::from),
            CHECKIN_DUE => self
                .monitoring()
                .run_checkin_due(job)
                .await
                .map_err(JobError::from),
            ENGAGEMENT_CHECK => self
                .monitoring()
                .run_engagement_check(job)
                .await
                .map_err(JobError::from),
            ALERT_DEADLINE => self
                .signals()
                .run_alert_deadline(job)
                .await
                .map_err(JobError::from),
            other => Err(JobError::permanent(format!("unknown job kind {other}"))),
        }
    }

    /// Administrators: jobs by status (for the dead-letter list), newest first.
    pub async fn jobs_list(
        &self,
        ctx: &crate::Ctx,
        status: Option<&str>,
    ) -> Result<Vec<crate::views::JobItem>, AppError> {
        self.require_admin(ctx)?;
        let mut tx = self.store.begin_read().await?;
        let jobs = tx.list_jobs(status, 200).await?;
        tx.commit().await?;
        Ok(jobs.into_iter().map(Into::into).collect())
    }

    /// Administrators: run a buried job again from the start.
    pub async fn revive_job(&self, ctx: &crate::Ctx, id: JobId) -> Result<(), AppError> {
        self.require_admin(ctx)?;
        let mut tx = self.store.begin().await?;
        if !tx.revive_job(id, self.clock.now()).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        self.job_wake.notify_one();
        Ok(())
    }
}

/// Why a job run failed, and whether trying again could help.
#[derive(Debug)]
pub(crate) struct JobError {
    pub permanent: bool,
    pub message: String,
}

impl JobError {
    fn transient(m: impl Into<String>) -> Self {
        Self {
            permanent: false,
            message: m.into(),
        }
    }
    fn permanent(m: impl Into<String>) -> Self {
        Self {
            permanent: true,
            message: m.into(),
        }
    }
}

impl From<AppError> for JobError {
    fn from(e: AppError) -> Self {
        // Store trouble may pass; anything else will not get better by retrying, but
        // retrying costs little and the limit buries it in the end.
        JobError::transient(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = JobSettings::default();
        assert_eq!(s.backoff(1), Duration::seconds(5));
        assert_eq!(s.backoff(2), Duration::seconds(10));
        assert_eq!(s.backoff(4), Duration::seconds(40));
        assert_eq!(s.backoff(15), Duration::minutes(30));
        assert_eq!(s.backoff(0), Duration::seconds(5));
    }

    #[test]
    fn email_payloads_queued_without_a_date_still_load() {
        let old = serde_json::json!({"to": "a@b.example", "subject": "s", "text": "t", "message_id": "<x@y>"});
        let e: OutgoingEmail = serde_json::from_value(old).unwrap();
        assert_eq!(e.date, None);
        let dated = OutgoingEmail {
            date: Some("2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().unwrap()),
            ..e
        };
        let back: OutgoingEmail =
            serde_json::from_value(serde_json::to_value(&dated).unwrap()).unwrap();
        assert_eq!(back, dated, "the date survives the job payload");
    }

    /// A job queued and claimed by a runner, the claim committed.
    async fn claimed(app: &App) -> Job {
        let now = app.clock.now();
        let mut tx = app.store.begin().await.unwrap();
        app.enqueue(&mut tx, Job::new("test", serde_json::json!({}), now, now))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let job = tx
            .claim_job(now, now + app.config.jobs.lease)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        job
    }

    /// A handler's open transaction holding its effect (one more job queued). It holds
    /// the writer until it ends, so every other write comes before it.
    async fn with_effect(app: &App) -> (Job, TxBox) {
        let now = app.clock.now();
        let effect = Job::new(
            "effect",
            serde_json::json!({}),
            now + Duration::days(1),
            now,
        );
        let mut tx = app.store.begin().await.unwrap();
        app.enqueue(&mut tx, effect.clone()).await.unwrap();
        (effect, tx)
    }

    async fn stored(app: &App, id: JobId) -> Option<Job> {
        let mut tx = app.store.begin_read().await.unwrap();
        let job = tx.get_job(id).await.unwrap();
        tx.commit().await.unwrap();
        job
    }

    async fn woken(app: &App) -> bool {
        tokio::time::timeout(
            std::time::Duration::from_millis(50),
            app.job_wake.notified(),
        )
        .await
        .is_ok()
    }

    #[tokio::test]
    async fn a_run_that_still_holds_its_claim_commits_its_effect_and_tells_the_accounts() {
        let (app, _clock) = crate::kernel::testing::app().await;
        let job = claimed(&app).await;
        let (effect, tx) = with_effect(&app).await;
        let mut live = app.live.subscribe();
        let told = samband_domain::ids::AccountId::new();
        app.finish_run(tx, &job, app.clock.now(), vec![told])
            .await
            .unwrap();
        assert_eq!(stored(&app, job.id).await.unwrap().status, "done");
        assert!(
            stored(&app, effect.id).await.is_some(),
            "the effect committed"
        );
        assert_eq!(live.try_recv().unwrap().account, told);
        assert!(
            woken(&app).await,
            "the runner is woken for what the job queued"
        );
    }

    #[tokio::test]
    async fn a_run_whose_claim_passed_to_another_runner_is_undone() {
        let (app, clock) = crate::kernel::testing::app().await;
        let job = claimed(&app).await;
        // The lease runs out and another runner claims the job (a second attempt).
        clock.advance(app.config.jobs.lease + Duration::seconds(1));
        let now = app.clock.now();
        let mut other = app.store.begin().await.unwrap();
        let again = other
            .claim_job(now, now + app.config.jobs.lease)
            .await
            .unwrap()
            .unwrap();
        other.commit().await.unwrap();
        assert_eq!(again.attempts, job.attempts + 1);
        let (effect, tx) = with_effect(&app).await;
        let mut live = app.live.subscribe();
        app.finish_run(tx, &job, now, vec![samband_domain::ids::AccountId::new()])
            .await
            .unwrap();
        assert!(
            stored(&app, effect.id).await.is_none(),
            "the effect is dropped"
        );
        assert_eq!(stored(&app, job.id).await.unwrap().status, "running");
        assert!(live.try_recv().is_err(), "nobody is told");
        assert!(!woken(&app).await);
    }
}
