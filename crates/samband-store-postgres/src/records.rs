//! History, audit, accounts, sessions, API tokens and sign-in throttling.

use crate::codec::*;
#[allow(unused_imports)]
use chrono::{DateTime, NaiveDate, Utc};
#[allow(unused_imports)]
use uuid::Uuid;

use crate::PgTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_domain::principal::AccountRole;
use samband_store::*;
use sqlx::postgres::PgRow;

fn audit_row(r: &PgRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: get(r, "id")?,
        at: get(r, "at")?,
        actor_account_id: opt_uid(r, "actor_account_id")?,
        patient_id: opt_uid(r, "patient_id")?,
        object_type: get(r, "object_type")?,
        object_id: get(r, "object_id")?,
        action: get(r, "action")?,
        purpose: get(r, "purpose")?,
        request_id: get(r, "request_id")?,
    })
}

fn token_row(r: &PgRow) -> StoreResult<ApiToken> {
    token_row_p(r, "")
}

/// [`token_row`] for a row whose ApiToken columns carry the prefix `p` (a join with accounts).
fn token_row_p(r: &PgRow, p: &str) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: uid(r, &format!("{p}id"))?,
        account_id: uid(r, &format!("{p}account_id"))?,
        token_hash: get::<String>(r, &format!("{p}token_hash"))?.into(),
        name: get(r, &format!("{p}name"))?,
        scopes: get(r, &format!("{p}scopes"))?,
        created_at: get::<DateTime<Utc>>(r, &format!("{p}created_at"))?,
        expires_at: get::<Option<DateTime<Utc>>>(r, &format!("{p}expires_at"))?,
        revoked: get(r, &format!("{p}revoked"))?,
        last_used_at: get::<Option<DateTime<Utc>>>(r, &format!("{p}last_used_at"))?,
    })
}

fn session_row(r: &PgRow) -> StoreResult<SessionRecord> {
    session_row_p(r, "")
}

/// [`session_row`] for a row whose SessionRecord columns carry the prefix `p` (a join with accounts).
fn session_row_p(r: &PgRow, p: &str) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id_hash: get::<String>(r, &format!("{p}id_hash"))?.into(),
        account_id: uid(r, &format!("{p}account_id"))?,
        csrf_token: get::<String>(r, &format!("{p}csrf_token"))?.into(),
        created_at: get::<DateTime<Utc>>(r, &format!("{p}created_at"))?,
        last_seen_at: get::<DateTime<Utc>>(r, &format!("{p}last_seen_at"))?,
        revoked: get(r, &format!("{p}revoked"))?,
    })
}

pub(crate) fn account_row(r: &PgRow) -> StoreResult<Account> {
    Ok(Account {
        id: uid(r, "id")?,
        username: get(r, "username")?,
        password_hash: get::<String>(r, "password_hash")?.into(),
        role: AccountRole::parse("role", &get::<String>(r, "role")?)
            .map_err(|_| corrupt("role"))?,
        professional_id: opt_uid(r, "professional_id")?,
        patient_id: opt_uid(r, "patient_id")?,
        display_name: get(r, "display_name")?,
        locale: get(r, "locale")?,
        disabled: get(r, "disabled")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        totp_secret: get::<Option<String>>(r, "totp_secret")?.map(Secret::from),
        totp_last_step: get(r, "totp_last_step")?,
        privacy_officer: get(r, "privacy_officer")?,
        proxy_may_consent: get(r, "proxy_may_consent")?,
    })
}

#[async_trait]
impl HistoryRepo for PgTx {
    async fn append_history(&mut self, h: &HistoryEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO history (id, patient_id, object_type, object_id, version, actor_account_id, actor_name, at, reason, old_value, new_value) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(h.id)
        .bind(h.patient_id.as_uuid())
        .bind(&h.object_type)
        .bind(&h.object_id)
        .bind(h.version)
        .bind(h.actor_account_id.as_uuid())
        .bind(&h.actor_name)
        .bind(h.at)
        .bind(&h.reason)
        .bind(&h.old_value)
        .bind(&h.new_value)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_history(
        &mut self,
        patient: PatientId,
        filter: &HistoryFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<HistoryEntry>> {
        let seek = if page.after.is_some() {
            "AND (at, id) < ($5, $6) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT * FROM history WHERE patient_id = $1 AND ($2::text IS NULL OR object_id = $2) \
             AND ($3::text[] IS NULL OR object_type = ANY($3)) {seek}\
             ORDER BY at DESC, id DESC LIMIT $4"
        );
        let types: Option<Vec<String>> = filter
            .object_types
            .map(|t| t.iter().map(|s| s.to_string()).collect());
        let mut q = sqlx::query(&sql)
            .bind(patient.as_uuid())
            .bind(filter.object_id)
            .bind(types)
            .bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    id: uid::<Uuid>(r, "id")?,
                    patient_id: uid(r, "patient_id")?,
                    object_type: get(r, "object_type")?,
                    object_id: get(r, "object_id")?,
                    version: get(r, "version")?,
                    actor_account_id: uid(r, "actor_account_id")?,
                    actor_name: get(r, "actor_name")?,
                    at: get::<DateTime<Utc>>(r, "at")?,
                    reason: get(r, "reason")?,
                    old_value: get(r, "old_value")?,
                    new_value: get(r, "new_value")?,
                })
            })
            .collect()
    }

    async fn count_history(
        &mut self,
        patient: PatientId,
        filter: &HistoryFilter<'_>,
    ) -> StoreResult<i64> {
        let types: Option<Vec<String>> = filter
            .object_types
            .map(|t| t.iter().map(|s| s.to_string()).collect());
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM history WHERE patient_id = $1 AND ($2::text IS NULL OR object_id = $2) \
             AND ($3::text[] IS NULL OR object_type = ANY($3))",
        )
        .bind(patient.as_uuid())
        .bind(filter.object_id)
        .bind(types)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }
}

/// Arbitrary constant naming the audit sealer's advisory lock.
const SEALER_LOCK: i64 = 0x5a4d_5345_414c;

impl PgTx {
    /// Seals up to `limit` entries after the head. `gap` remembers, across passes, the
    /// first missing number the sealer is waiting on and when it first saw it missing,
    /// so a steady stream of new transactions cannot keep a rolled-back gap open.
    pub(crate) async fn seal(
        &mut self,
        limit: i64,
        gap: &mut Option<(i64, DateTime<Utc>)>,
    ) -> StoreResult<u64> {
        // One sealer at a time, across every instance on this database; the others
        // find the lock taken and leave the work to it.
        let mine: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(SEALER_LOCK)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        if !mine {
            return Ok(0);
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let head_seq: i64 = get(&head, "seq")?;
        let mut prev: String = get(&head, "hash")?;
        // Taken before the entries are read: every number missing below a visible
        // entry was handed out before this moment.
        let looked_at: DateTime<Utc> = sqlx::query_scalar("SELECT clock_timestamp()")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        // Only unsealed entries: a row sealed by hand (a forgery) looks like a gap
        // that never closes, so the sealer stops there and verify reports it.
        let rows = sqlx::query(
            "SELECT * FROM audit_log WHERE seq > $1 AND hash IS NULL ORDER BY seq LIMIT $2",
        )
        .bind(head_seq)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let mut seqs = Vec::new();
        let mut prevs = Vec::new();
        let mut hashes = Vec::new();
        let mut expected = head_seq + 1;
        // Set again below only if this pass stops at a gap.
        let remembered = gap.take();
        for r in &rows {
            let seq: i64 = get(r, "seq")?;
            if seq != expected {
                let seen = match remembered {
                    Some((from, at)) if from == expected => at,
                    _ => looked_at,
                };
                if !self.gap_is_final(expected, seq, seen).await? {
                    // A transaction that may still commit holds a number in the gap:
                    // seal up to it and wait, so that entry is never passed over.
                    *gap = Some((expected, seen));
                    break;
                }
            }
            let hash = audit_hash(&prev, &audit_row(r)?);
            seqs.push(seq);
            prevs.push(prev);
            hashes.push(hash.clone());
            prev = hash;
            expected = seq + 1;
        }
        let Some(&last) = seqs.last() else {
            return Ok(0);
        };
        sqlx::query(
            "UPDATE audit_log a SET prev_hash = s.prev_hash, hash = s.hash \
             FROM UNNEST($1::bigint[], $2::text[], $3::text[]) AS s(seq, prev_hash, hash) \
             WHERE a.seq = s.seq",
        )
        .bind(&seqs)
        .bind(&prevs)
        .bind(&hashes)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(last)
            .bind(&prev)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(seqs.len() as u64)
    }

    /// Whether the sequence numbers `from..to` (missing below a visible entry) are gone
    /// for good: numbers of rolled-back transactions. They were handed out before
    /// `looked_at`, so once no transaction that began before then is still running,
    /// any that committed is visible and the rest never will be.
    async fn gap_is_final(
        &mut self,
        from: i64,
        to: i64,
        looked_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let older_running: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND xact_start IS NOT NULL AND xact_start <= $1)",
        )
        .bind(looked_at)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        if older_running {
            return Ok(false);
        }
        // Any that committed meanwhile is visible to this new statement.
        let arrived: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE seq >= $1 AND seq < $2)",
        )
        .bind(from)
        .bind(to)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(!arrived)
    }
}

#[async_trait]
impl AuditRepo for PgTx {
    async fn append_audit(&mut self, e: &AuditEntry) -> StoreResult<()> {
        // Unsealed: no head row is locked, so concurrent requests append side by side
        // and the sealer links the entries once they have committed.
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_account_id, patient_id, object_type, object_id, action, purpose, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.id)
        .bind(e.at)
        .bind(e.actor_account_id.map(|a| a.as_uuid()))
        .bind(e.patient_id.map(|p| p.as_uuid()))
        .bind(&e.object_type)
        .bind(&e.object_id)
        .bind(&e.action)
        .bind(&e.purpose)
        .bind(&e.request_id)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn seal_audit(&mut self, limit: i64) -> StoreResult<u64> {
        self.seal(limit, &mut None).await
    }

    async fn audit_records(&mut self, after: i64, limit: i64) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    seq: get(r, "seq")?,
                    entry: audit_row(r)?,
                    prev_hash: get(r, "prev_hash")?,
                    hash: get(r, "hash")?,
                })
            })
            .collect()
    }

    async fn audit_head(&mut self) -> StoreResult<(i64, String)> {
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok((get(&r, "seq")?, get(&r, "hash")?))
    }

    async fn list_audit(
        &mut self,
        patient: Option<PatientId>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let p = patient.map(|p| p.as_uuid());
        let rows = sqlx::query("SELECT * FROM audit_log WHERE ($1::uuid IS NULL OR patient_id = $1) ORDER BY seq LIMIT $2")
            .bind(p)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(audit_row).collect()
    }

    async fn count_audit(&mut self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }
}

#[async_trait]
impl AccountRepo for PgTx {
    async fn insert_account(&mut self, a: &Account) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO accounts (id, username, password_hash, role, professional_id, patient_id, display_name, locale, disabled, created_at, privacy_officer, proxy_may_consent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(a.id.as_uuid())
        .bind(&a.username)
        .bind(a.password_hash.expose())
        .bind(a.role.as_str())
        .bind(a.professional_id.map(|p| p.as_uuid()))
        .bind(a.patient_id.map(|p| p.as_uuid()))
        .bind(&a.display_name)
        .bind(&a.locale)
        .bind(a.disabled)
        .bind(a.created_at)
        .bind(a.privacy_officer)
        .bind(a.proxy_may_consent)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_account(&mut self, aid: AccountId) -> StoreResult<Option<Account>> {
        let row = sqlx::query("SELECT * FROM accounts WHERE id = $1")
            .bind(aid.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(account_row).transpose()
    }

    async fn get_account_by_username(&mut self, username: &str) -> StoreResult<Option<Account>> {
        let row = sqlx::query("SELECT * FROM accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(account_row).transpose()
    }

    async fn list_accounts(&mut self) -> StoreResult<Vec<Account>> {
        let rows = sqlx::query("SELECT * FROM accounts ORDER BY username")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(account_row).collect()
    }

    async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, revoked) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(s.id_hash.expose())
            .bind(s.account_id.as_uuid())
            .bind(s.csrf_token.expose())
            .bind(s.created_at)
            .bind(s.last_seen_at)
            .bind(s.revoked)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn get_session(&mut self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(session_row).transpose()
    }

    async fn list_sessions(&mut self, account: AccountId) -> StoreResult<Vec<SessionRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM sessions WHERE account_id = $1 AND NOT revoked ORDER BY created_at DESC",
        )
        .bind(account.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(session_row).collect()
    }

    async fn touch_session(&mut self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(at)
            .bind(id_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn revoke_session(&mut self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET revoked = TRUE WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn insert_token(&mut self, t: &ApiToken) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_tokens (id, account_id, token_hash, name, scopes, created_at, expires_at, revoked, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(t.id.as_uuid())
        .bind(t.account_id.as_uuid())
        .bind(t.token_hash.expose())
        .bind(&t.name)
        .bind(&t.scopes)
        .bind(t.created_at)
        .bind(t.expires_at)
        .bind(t.revoked)
        .bind(t.last_used_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_token_and_account(
        &mut self,
        hash: &str,
    ) -> StoreResult<Option<(ApiToken, Account)>> {
        let row = sqlx::query(
            "SELECT a.*, t.id AS t_id, t.account_id AS t_account_id, t.token_hash AS t_token_hash, t.name AS t_name, t.scopes AS t_scopes, t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.revoked AS t_revoked, t.last_used_at AS t_last_used_at \
             FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref()
            .map(|r| Ok((token_row_p(r, "t_")?, account_row(r)?)))
            .transpose()
    }

    async fn get_session_and_account(
        &mut self,
        id_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, Account)>> {
        let row = sqlx::query(
            "SELECT a.*, s.id_hash AS s_id_hash, s.account_id AS s_account_id, s.csrf_token AS s_csrf_token, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, s.revoked AS s_revoked \
             FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref()
            .map(|r| Ok((session_row_p(r, "s_")?, account_row(r)?)))
            .transpose()
    }

    async fn get_token_by_hash(&mut self, hash: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query("SELECT * FROM api_tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn list_tokens(&mut self, account: AccountId) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT * FROM api_tokens WHERE account_id = $1 AND NOT revoked ORDER BY created_at DESC, id DESC",
        )
        .bind(account.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(token_row).collect()
    }

    async fn revoke_token(&mut self, account: AccountId, token: TokenId) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked = TRUE WHERE id = $1 AND account_id = $2 AND NOT revoked",
        )
        .bind(token.as_uuid())
        .bind(account.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn mark_token_used(
        &mut self,
        token: TokenId,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(at)
        .bind(token.as_uuid())
        .bind(stale_before)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn set_totp(
        &mut self,
        account: AccountId,
        secret: &str,
        recovery_hashes: &[String],
    ) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET totp_secret = $1, totp_last_step = NULL WHERE id = $2")
            .bind(secret)
            .bind(account.as_uuid())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account.as_uuid())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        for h in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                .bind(account.as_uuid())
                .bind(h)
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn advance_totp_step(&mut self, account: AccountId, step: i64) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
        )
        .bind(step)
        .bind(account.as_uuid())
        .bind(step)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &mut self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(at)
        .bind(account.as_uuid())
        .bind(hash)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn record_login_failure(&mut self, key: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(at)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn count_login_failures(&mut self, key: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(since)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn clear_login_failures(&mut self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
