//! The durable job queue (also the e-mail outbox), in-app notifications, preferences
//! and follows. SQLite has one writer, and every transaction takes the write lock up
//! front, so a claim is exclusive without `SKIP LOCKED`; the lease covers a runner
//! that dies holding a job.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_store::*;

fn opt_ts(s: Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

fn job_row(r: &Row) -> StoreResult<Job> {
    Ok(Job {
        id: id(&get::<String>(r, "id")?)?,
        kind: get(r, "kind")?,
        payload: serde_json::from_str(&get::<String>(r, "payload")?)
            .map_err(|_| corrupt("job payload"))?,
        run_at: parse_ts(&get::<String>(r, "run_at")?)?,
        status: get(r, "status")?,
        attempts: get(r, "attempts")?,
        max_attempts: get(r, "max_attempts")?,
        lease_until: opt_ts(get(r, "lease_until")?)?,
        last_error: get(r, "last_error")?,
        dedupe_key: get(r, "dedupe_key")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        finished_at: opt_ts(get(r, "finished_at")?)?,
    })
}

fn notification_row(r: &Row) -> StoreResult<Notification> {
    Ok(Notification {
        id: id(&get::<String>(r, "id")?)?,
        account_id: id(&get::<String>(r, "account_id")?)?,
        patient_id: opt_id(get(r, "patient_id")?)?,
        kind: get(r, "kind")?,
        thread_id: opt_id(get(r, "thread_id")?)?,
        actor_name: get(r, "actor_name")?,
        detail: get(r, "detail")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        read_at: opt_ts(get(r, "read_at")?)?,
        email_status: get(r, "email_status")?,
    })
}

fn follow_row(r: &Row) -> StoreResult<Follow> {
    Ok(Follow {
        account_id: id(&get::<String>(r, "account_id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        since: parse_ts(&get::<String>(r, "since")?)?,
        digested_until: parse_ts(&get::<String>(r, "digested_until")?)?,
    })
}

#[async_trait]
impl JobRepo for SqliteTx {
    async fn enqueue_job(&mut self, j: &Job) -> StoreResult<bool> {
        let r = query("INSERT INTO jobs (id, kind, payload, run_at, status, attempts, max_attempts, lease_until, last_error, dedupe_key, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING")
            .bind(j.id.to_string())
            .bind(&j.kind)
            .bind(j.payload.to_string())
            .bind(ts(&j.run_at))
            .bind(&j.status)
            .bind(j.attempts)
            .bind(j.max_attempts)
            .bind(j.lease_until.as_ref().map(ts))
            .bind(&j.last_error)
            .bind(&j.dedupe_key)
            .bind(ts(&j.created_at))
            .bind(j.finished_at.as_ref().map(ts))
            .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn claim_job(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        let row = query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ?2
             WHERE id = (SELECT id FROM jobs
                          WHERE (status = 'pending' AND run_at <= ?1)
                             OR (status = 'running' AND lease_until < ?1)
                          ORDER BY run_at, id LIMIT 1)
             RETURNING *",
        )
        .bind(ts(&now))
        .bind(ts(&lease_until))
        .fetch_optional(&self.tx)?;
        row.as_ref().map(job_row).transpose()
    }

    async fn finish_job(
        &mut self,
        jid: JobId,
        attempts: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE jobs SET status = 'done', finished_at = ?, lease_until = NULL \
             WHERE id = ? AND attempts = ? AND status <> 'done'",
        )
        .bind(ts(&at))
        .bind(jid.to_string())
        .bind(attempts)
        .execute(&self.tx)?;
        Ok(done.rows_affected() == 1)
    }

    async fn retry_job(
        &mut self,
        jid: JobId,
        attempts: i64,
        run_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool> {
        let r = query(
            "UPDATE jobs SET status = 'pending', run_at = ?, last_error = ?, lease_until = NULL \
             WHERE id = ? AND attempts = ? AND status NOT IN ('done', 'dead')",
        )
        .bind(ts(&run_at))
        .bind(error)
        .bind(jid.to_string())
        .bind(attempts)
        .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn bury_job(
        &mut self,
        jid: JobId,
        attempts: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool> {
        let r = query(
            "UPDATE jobs SET status = 'dead', finished_at = ?, last_error = ?, lease_until = NULL \
             WHERE id = ? AND attempts = ? AND status NOT IN ('done', 'dead')",
        )
        .bind(ts(&at))
        .bind(error)
        .bind(jid.to_string())
        .bind(attempts)
        .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn get_job(&mut self, jid: JobId) -> StoreResult<Option<Job>> {
        let row = query("SELECT * FROM jobs WHERE id = ?")
            .bind(jid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(job_row).transpose()
    }

    async fn list_jobs(&mut self, status: Option<&str>, limit: i64) -> StoreResult<Vec<Job>> {
        let rows = query(
            "SELECT * FROM jobs WHERE (?1 IS NULL OR status = ?1) ORDER BY created_at DESC, id DESC LIMIT ?2",
        )
        .bind(status)
        .bind(limit)
        .fetch_all(&self.tx)?;
        rows.iter().map(job_row).collect()
    }

    async fn count_jobs(&mut self, status: &str) -> StoreResult<i64> {
        let row = query("SELECT COUNT(*) AS n FROM jobs WHERE status = ?")
            .bind(status)
            .fetch_one(&self.tx)?;
        get(&row, "n")
    }

    async fn next_job_at(&mut self) -> StoreResult<Option<DateTime<Utc>>> {
        let row = query("SELECT MIN(run_at) AS t FROM jobs WHERE status = 'pending'")
            .fetch_one(&self.tx)?;
        opt_ts(get(&row, "t")?)
    }

    async fn revive_job(&mut self, jid: JobId, run_at: DateTime<Utc>) -> StoreResult<bool> {
        let r = query("UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?, finished_at = NULL, lease_until = NULL WHERE id = ? AND status = 'dead'")
            .bind(ts(&run_at))
            .bind(jid.to_string())
            .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }
}

#[async_trait]
impl NotificationRepo for SqliteTx {
    async fn insert_notification(&mut self, n: &Notification) -> StoreResult<()> {
        query("INSERT INTO notifications (id, account_id, patient_id, kind, thread_id, actor_name, detail, created_at, read_at, email_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(n.id.to_string())
            .bind(n.account_id.to_string())
            .bind(n.patient_id.map(|p| p.to_string()))
            .bind(&n.kind)
            .bind(n.thread_id.map(|t| t.to_string()))
            .bind(&n.actor_name)
            .bind(&n.detail)
            .bind(ts(&n.created_at))
            .bind(n.read_at.as_ref().map(ts))
            .bind(&n.email_status)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn list_notifications(
        &mut self,
        account: AccountId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Notification>> {
        let seek = if page.after.is_some() {
            "AND (created_at, id) < (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT * FROM notifications WHERE account_id = ? {seek}ORDER BY created_at DESC, id DESC LIMIT ?"
        );
        let mut q = query(&sql).bind(account.to_string());
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter().map(notification_row).collect()
    }

    async fn count_notifications(&mut self, account: AccountId) -> StoreResult<i64> {
        query_scalar("SELECT COUNT(*) FROM notifications WHERE account_id = ?")
            .bind(account.to_string())
            .fetch_one(&self.tx)
    }

    async fn unread_notifications(&mut self, account: AccountId) -> StoreResult<i64> {
        let row = query(
            "SELECT COUNT(*) AS n FROM notifications WHERE account_id = ? AND read_at IS NULL",
        )
        .bind(account.to_string())
        .fetch_one(&self.tx)?;
        get(&row, "n")
    }

    async fn mark_notifications_read(
        &mut self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let r =
            query("UPDATE notifications SET read_at = ? WHERE account_id = ? AND read_at IS NULL")
                .bind(ts(&at))
                .bind(account.to_string())
                .execute(&self.tx)?;
        Ok(r.rows_affected())
    }

    async fn take_digest(&mut self, account: AccountId) -> StoreResult<Vec<Notification>> {
        let rows = query("UPDATE notifications SET email_status = 'digested' WHERE account_id = ? AND email_status = 'digest' RETURNING *")
            .bind(account.to_string())
            .fetch_all(&self.tx)?;
        let mut out = rows
            .iter()
            .map(notification_row)
            .collect::<StoreResult<Vec<_>>>()?;
        // RETURNING has no order.
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn digest_accounts(&mut self) -> StoreResult<Vec<AccountId>> {
        let rows = query("SELECT DISTINCT account_id FROM notifications WHERE email_status = 'digest' ORDER BY account_id")
            .fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| id(&get::<String>(r, "account_id")?))
            .collect()
    }

    async fn get_prefs(&mut self, account: AccountId) -> StoreResult<Option<NotificationPrefs>> {
        let row = query("SELECT * FROM notification_prefs WHERE account_id = ?")
            .bind(account.to_string())
            .fetch_optional(&self.tx)?;
        row.map(|r| {
            Ok(NotificationPrefs {
                account_id: account,
                email: get(&r, "email")?,
                mode: get(&r, "mode")?,
            })
        })
        .transpose()
    }

    async fn save_prefs(&mut self, p: &NotificationPrefs) -> StoreResult<()> {
        query("INSERT INTO notification_prefs (account_id, email, mode) VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, mode = excluded.mode")
            .bind(p.account_id.to_string())
            .bind(&p.email)
            .bind(&p.mode)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn follow(&mut self, f: &Follow) -> StoreResult<()> {
        query("INSERT INTO follows (account_id, patient_id, since, digested_until) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(f.account_id.to_string())
            .bind(f.patient_id.to_string())
            .bind(ts(&f.since))
            .bind(ts(&f.digested_until))
            .execute(&self.tx)?;
        Ok(())
    }

    async fn unfollow(&mut self, account: AccountId, patient: PatientId) -> StoreResult<bool> {
        let r = query("DELETE FROM follows WHERE account_id = ? AND patient_id = ?")
            .bind(account.to_string())
            .bind(patient.to_string())
            .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn list_follows(&mut self, account: Option<AccountId>) -> StoreResult<Vec<Follow>> {
        let rows = query("SELECT * FROM follows WHERE (?1 IS NULL OR account_id = ?1) ORDER BY account_id, patient_id")
            .bind(account.map(|a| a.to_string()))
            .fetch_all(&self.tx)?;
        rows.iter().map(follow_row).collect()
    }

    async fn set_digested_until(
        &mut self,
        account: AccountId,
        patient: PatientId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        query("UPDATE follows SET digested_until = ? WHERE account_id = ? AND patient_id = ?")
            .bind(ts(&at))
            .bind(account.to_string())
            .bind(patient.to_string())
            .execute(&self.tx)?;
        Ok(())
    }
}
