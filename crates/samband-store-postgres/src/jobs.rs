//! The durable job queue (also the e-mail outbox), in-app notifications, notification
//! preferences and "ongoing information" follows.

use crate::codec::*;
#[allow(unused_imports)]
use chrono::{DateTime, NaiveDate, Utc};
#[allow(unused_imports)]
use uuid::Uuid;

use crate::PgTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_store::*;
use sqlx::postgres::PgRow;

fn job_row(r: &PgRow) -> StoreResult<Job> {
    Ok(Job {
        id: uid(r, "id")?,
        kind: get(r, "kind")?,
        payload: get::<serde_json::Value>(r, "payload")?,
        run_at: get::<DateTime<Utc>>(r, "run_at")?,
        status: get(r, "status")?,
        attempts: get(r, "attempts")?,
        max_attempts: get(r, "max_attempts")?,
        lease_until: get::<Option<DateTime<Utc>>>(r, "lease_until")?,
        last_error: get(r, "last_error")?,
        dedupe_key: get(r, "dedupe_key")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        finished_at: get::<Option<DateTime<Utc>>>(r, "finished_at")?,
    })
}

fn notification_row(r: &PgRow) -> StoreResult<Notification> {
    Ok(Notification {
        id: uid(r, "id")?,
        account_id: uid(r, "account_id")?,
        patient_id: opt_uid(r, "patient_id")?,
        kind: get(r, "kind")?,
        thread_id: opt_uid(r, "thread_id")?,
        actor_name: get(r, "actor_name")?,
        detail: get(r, "detail")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        read_at: get::<Option<DateTime<Utc>>>(r, "read_at")?,
        email_status: get(r, "email_status")?,
    })
}

fn follow_row(r: &PgRow) -> StoreResult<Follow> {
    Ok(Follow {
        account_id: uid(r, "account_id")?,
        patient_id: uid(r, "patient_id")?,
        since: get::<DateTime<Utc>>(r, "since")?,
        digested_until: get::<DateTime<Utc>>(r, "digested_until")?,
    })
}

#[async_trait]
impl JobRepo for PgTx {
    async fn enqueue_job(&mut self, j: &Job) -> StoreResult<bool> {
        // A NULL dedupe key never conflicts; a taken one leaves the transaction usable
        // (ON CONFLICT, not a caught unique violation).
        let r = sqlx::query(
            "INSERT INTO jobs (id, kind, payload, run_at, status, attempts, max_attempts, lease_until, last_error, dedupe_key, created_at, finished_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(j.id.as_uuid())
        .bind(&j.kind)
        .bind(&j.payload)
        .bind(j.run_at)
        .bind(&j.status)
        .bind(j.attempts)
        .bind(j.max_attempts)
        .bind(j.lease_until)
        .bind(&j.last_error)
        .bind(&j.dedupe_key)
        .bind(j.created_at)
        .bind(j.finished_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn claim_job(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        // SKIP LOCKED: a runner passes over a job another runner is claiming instead of
        // waiting for it, and the row lock re-checks the condition on the newest version,
        // so a job claimed and committed meanwhile (fresh lease) is not taken twice.
        let row = sqlx::query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = $2 \
             WHERE id = ( \
               SELECT id FROM jobs \
               WHERE (status = 'pending' AND run_at <= $1) OR (status = 'running' AND lease_until < $1) \
               ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING *",
        )
        .bind(now)
        .bind(lease_until)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(job_row).transpose()
    }

    async fn finish_job(
        &mut self,
        id: JobId,
        attempts: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET status = 'done', finished_at = $1, lease_until = NULL \
             WHERE id = $2 AND attempts = $3 AND status <> 'done'",
        )
        .bind(at)
        .bind(id.as_uuid())
        .bind(attempts)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn retry_job(
        &mut self,
        id: JobId,
        attempts: i64,
        run_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE jobs SET status = 'pending', run_at = $1, last_error = $2, lease_until = NULL \
             WHERE id = $3 AND attempts = $4 AND status NOT IN ('done', 'dead')",
        )
        .bind(run_at)
        .bind(error)
        .bind(id.as_uuid())
        .bind(attempts)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn bury_job(
        &mut self,
        id: JobId,
        attempts: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE jobs SET status = 'dead', finished_at = $1, last_error = $2, lease_until = NULL \
             WHERE id = $3 AND attempts = $4 AND status NOT IN ('done', 'dead')",
        )
        .bind(at)
        .bind(error)
        .bind(id.as_uuid())
        .bind(attempts)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn get_job(&mut self, id: JobId) -> StoreResult<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(job_row).transpose()
    }

    async fn list_jobs(&mut self, status: Option<&str>, limit: i64) -> StoreResult<Vec<Job>> {
        let rows = sqlx::query(
            "SELECT * FROM jobs WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(status)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(job_row).collect()
    }

    async fn count_jobs(&mut self, status: &str) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = $1")
            .bind(status)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn next_job_at(&mut self) -> StoreResult<Option<DateTime<Utc>>> {
        sqlx::query_scalar("SELECT MIN(run_at) FROM jobs WHERE status = 'pending'")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn revive_job(&mut self, id: JobId, run_at: DateTime<Utc>) -> StoreResult<bool> {
        // The last error stays: it is why the administrator looked.
        let r = sqlx::query(
            "UPDATE jobs SET status = 'pending', run_at = $1, attempts = 0, finished_at = NULL, lease_until = NULL \
             WHERE id = $2 AND status = 'dead'",
        )
        .bind(run_at)
        .bind(id.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }
}

#[async_trait]
impl NotificationRepo for PgTx {
    async fn insert_notification(&mut self, n: &Notification) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notifications (id, account_id, patient_id, kind, thread_id, actor_name, detail, created_at, read_at, email_status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(n.id.as_uuid())
        .bind(n.account_id.as_uuid())
        .bind(n.patient_id.map(|p| p.as_uuid()))
        .bind(&n.kind)
        .bind(n.thread_id.map(|t| t.as_uuid()))
        .bind(&n.actor_name)
        .bind(&n.detail)
        .bind(n.created_at)
        .bind(n.read_at)
        .bind(&n.email_status)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_notifications(
        &mut self,
        account: AccountId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Notification>> {
        let seek = if page.after.is_some() {
            "AND (created_at, id) < ($3, $4) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT * FROM notifications WHERE account_id = $1 {seek}ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let mut q = sqlx::query(&sql).bind(account.as_uuid()).bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter().map(notification_row).collect()
    }

    async fn count_notifications(&mut self, account: AccountId) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE account_id = $1")
            .bind(account.as_uuid())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn unread_notifications(&mut self, account: AccountId) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
        )
        .bind(account.as_uuid())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn mark_notifications_read(
        &mut self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let r = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
        )
        .bind(at)
        .bind(account.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn take_digest(&mut self, account: AccountId) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query(
            "UPDATE notifications SET email_status = 'digested' \
             WHERE account_id = $1 AND email_status = 'digest' RETURNING *",
        )
        .bind(account.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let mut out = rows
            .iter()
            .map(notification_row)
            .collect::<StoreResult<Vec<_>>>()?;
        // RETURNING has no order.
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn digest_accounts(&mut self) -> StoreResult<Vec<AccountId>> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT account_id FROM notifications WHERE email_status = 'digest' ORDER BY account_id",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(AccountId::from).collect())
    }

    async fn get_prefs(&mut self, account: AccountId) -> StoreResult<Option<NotificationPrefs>> {
        let row = sqlx::query("SELECT * FROM notification_prefs WHERE account_id = $1")
            .bind(account.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(NotificationPrefs {
                account_id: uid(&r, "account_id")?,
                email: get(&r, "email")?,
                mode: get(&r, "mode")?,
            })
        })
        .transpose()
    }

    async fn save_prefs(&mut self, p: &NotificationPrefs) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notification_prefs (account_id, email, mode) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET email = EXCLUDED.email, mode = EXCLUDED.mode",
        )
        .bind(p.account_id.as_uuid())
        .bind(&p.email)
        .bind(&p.mode)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn follow(&mut self, f: &Follow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO follows (account_id, patient_id, since, digested_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(f.account_id.as_uuid())
        .bind(f.patient_id.as_uuid())
        .bind(f.since)
        .bind(f.digested_until)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn unfollow(&mut self, account: AccountId, patient: PatientId) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM follows WHERE account_id = $1 AND patient_id = $2")
            .bind(account.as_uuid())
            .bind(patient.as_uuid())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn list_follows(&mut self, account: Option<AccountId>) -> StoreResult<Vec<Follow>> {
        let rows = sqlx::query(
            "SELECT * FROM follows WHERE ($1::uuid IS NULL OR account_id = $1) ORDER BY account_id, patient_id",
        )
        .bind(account.map(|a| a.as_uuid()))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(follow_row).collect()
    }

    async fn set_digested_until(
        &mut self,
        account: AccountId,
        patient: PatientId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE follows SET digested_until = $1 WHERE account_id = $2 AND patient_id = $3",
        )
        .bind(at)
        .bind(account.as_uuid())
        .bind(patient.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
