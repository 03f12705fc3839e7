//! History, audit, accounts, sessions, API tokens and sign-in throttling.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::principal::AccountRole;
use samband_store::*;
use uuid::Uuid;

fn json_opt(s: Option<String>) -> StoreResult<Option<serde_json::Value>> {
    s.map(|s| serde_json::from_str(&s).map_err(|_| corrupt("json")))
        .transpose()
}

fn audit_row(r: &Row) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: id::<Uuid>(&get::<String>(r, "id")?)?,
        at: parse_ts(&get::<String>(r, "at")?)?,
        actor_account_id: opt_id(get(r, "actor_account_id")?)?,
        patient_id: opt_id(get(r, "patient_id")?)?,
        object_type: get(r, "object_type")?,
        object_id: get(r, "object_id")?,
        action: get(r, "action")?,
        purpose: get(r, "purpose")?,
        request_id: get(r, "request_id")?,
    })
}

fn token_row(r: &Row) -> StoreResult<ApiToken> {
    token_row_p(r, "")
}

/// [`token_row`] for a row whose ApiToken columns carry the prefix `p` (a join with accounts).
fn token_row_p(r: &Row, p: &str) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: id(&get::<String>(r, &format!("{p}id"))?)?,
        account_id: id(&get::<String>(r, &format!("{p}account_id"))?)?,
        token_hash: get::<String>(r, &format!("{p}token_hash"))?.into(),
        name: get(r, &format!("{p}name"))?,
        scopes: get(r, &format!("{p}scopes"))?,
        created_at: parse_ts(&get::<String>(r, &format!("{p}created_at"))?)?,
        expires_at: get::<Option<String>>(r, &format!("{p}expires_at"))?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
        revoked: get(r, &format!("{p}revoked"))?,
        last_used_at: get::<Option<String>>(r, &format!("{p}last_used_at"))?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
    })
}

fn session_row(r: &Row) -> StoreResult<SessionRecord> {
    session_row_p(r, "")
}

/// [`session_row`] for a row whose SessionRecord columns carry the prefix `p` (a join with accounts).
fn session_row_p(r: &Row, p: &str) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id_hash: get::<String>(r, &format!("{p}id_hash"))?.into(),
        account_id: id(&get::<String>(r, &format!("{p}account_id"))?)?,
        csrf_token: get::<String>(r, &format!("{p}csrf_token"))?.into(),
        created_at: parse_ts(&get::<String>(r, &format!("{p}created_at"))?)?,
        last_seen_at: parse_ts(&get::<String>(r, &format!("{p}last_seen_at"))?)?,
        revoked: get(r, &format!("{p}revoked"))?,
    })
}

pub(crate) fn account_row(r: &Row) -> StoreResult<Account> {
    Ok(Account {
        id: id(&get::<String>(r, "id")?)?,
        username: get(r, "username")?,
        password_hash: get::<String>(r, "password_hash")?.into(),
        role: AccountRole::parse("role", &get::<String>(r, "role")?)
            .map_err(|_| corrupt("role"))?,
        professional_id: opt_id(get(r, "professional_id")?)?,
        patient_id: opt_id(get(r, "patient_id")?)?,
        display_name: get(r, "display_name")?,
        locale: get(r, "locale")?,
        disabled: get(r, "disabled")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        totp_secret: get::<Option<String>>(r, "totp_secret")?.map(Secret::from),
        totp_last_step: get(r, "totp_last_step")?,
        privacy_officer: get(r, "privacy_officer")?,
        proxy_may_consent: get(r, "proxy_may_consent")?,
    })
}

#[async_trait]
impl HistoryRepo for SqliteTx {
    async fn append_history(&mut self, h: &HistoryEntry) -> StoreResult<()> {
        query(
            "INSERT INTO history (id, patient_id, object_type, object_id, version, actor_account_id, actor_name, at, reason, old_value, new_value) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(h.id.to_string())
        .bind(h.patient_id.to_string())
        .bind(&h.object_type)
        .bind(&h.object_id)
        .bind(h.version)
        .bind(h.actor_account_id.to_string())
        .bind(&h.actor_name)
        .bind(ts(&h.at))
        .bind(&h.reason)
        .bind(h.old_value.as_ref().map(|v| v.to_string()))
        .bind(h.new_value.to_string())
        .execute(&self.tx)?;
        Ok(())
    }

    async fn list_history(
        &mut self,
        patient: PatientId,
        filter: &HistoryFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<HistoryEntry>> {
        let seek = if page.after.is_some() {
            "AND (at, id) < (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT * FROM history WHERE patient_id = ? AND (? IS NULL OR object_id = ?) \
             AND (? IS NULL OR object_type IN (SELECT value FROM json_each(?))) {seek}\
             ORDER BY at DESC, id DESC LIMIT ?"
        );
        let types = history_types(filter);
        let mut q = query(&sql)
            .bind(patient.to_string())
            .bind(filter.object_id)
            .bind(filter.object_id)
            .bind(&types)
            .bind(&types);
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    id: id::<Uuid>(&get::<String>(r, "id")?)?,
                    patient_id: id(&get::<String>(r, "patient_id")?)?,
                    object_type: get(r, "object_type")?,
                    object_id: get(r, "object_id")?,
                    version: get(r, "version")?,
                    actor_account_id: id(&get::<String>(r, "actor_account_id")?)?,
                    actor_name: get(r, "actor_name")?,
                    at: parse_ts(&get::<String>(r, "at")?)?,
                    reason: get(r, "reason")?,
                    old_value: json_opt(get(r, "old_value")?)?,
                    new_value: json_opt(Some(get(r, "new_value")?))?.unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn count_history(
        &mut self,
        patient: PatientId,
        filter: &HistoryFilter<'_>,
    ) -> StoreResult<i64> {
        let types = history_types(filter);
        query_scalar(
            "SELECT COUNT(*) FROM history WHERE patient_id = ? AND (? IS NULL OR object_id = ?) \
             AND (? IS NULL OR object_type IN (SELECT value FROM json_each(?)))",
        )
        .bind(patient.to_string())
        .bind(filter.object_id)
        .bind(filter.object_id)
        .bind(&types)
        .bind(&types)
        .fetch_one(&self.tx)
    }
}

/// The filter's object types as a JSON array for `json_each`, or `None` for all.
fn history_types(filter: &HistoryFilter<'_>) -> Option<String> {
    filter
        .object_types
        .map(|t| serde_json::Value::from(t.to_vec()).to_string())
}

/// The most audit entries one INSERT carries (nine parameters each, far below
/// SQLite's limit of 32,766 parameters a statement).
pub(crate) const AUDIT_ROWS_PER_INSERT: usize = 64;

const AUDIT_COLUMNS: &str = "INSERT INTO audit_log (id, at, actor_account_id, patient_id, object_type, object_id, action, purpose, request_id) VALUES ";

/// Inserts an entry unsealed: the writer's flusher links it into the chain before the
/// batch that holds it commits.
pub(crate) fn insert_audit(conn: &rusqlite::Connection, e: &AuditEntry) -> StoreResult<()> {
    insert_audits(conn, std::slice::from_ref(e))
}

/// Inserts entries unsealed in one statement, taking sequence numbers in the order
/// given (at most [`AUDIT_ROWS_PER_INSERT`]).
pub(crate) fn insert_audits(
    conn: &rusqlite::Connection,
    entries: &[AuditEntry],
) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(AUDIT_COLUMNS);
    for i in 0..entries.len() {
        sql.push_str(if i == 0 {
            "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
        } else {
            ", (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        });
    }
    let mut q = query(&sql);
    for e in entries {
        q = q
            .bind(e.id.to_string())
            .bind(ts(&e.at))
            .bind(e.actor_account_id.map(|a| a.to_string()))
            .bind(e.patient_id.map(|p| p.to_string()))
            .bind(&e.object_type)
            .bind(&e.object_id)
            .bind(&e.action)
            .bind(&e.purpose)
            .bind(&e.request_id);
    }
    q.execute(conn)?;
    Ok(())
}

/// Seals every entry after the head, in sequence order. Runs on the writer, inside the
/// batch, so every entry it can see is one of this batch or already sealed; none can
/// commit later with a smaller number. `head` is the writer's copy of the chain's
/// anchor (read from the database when unknown), moved along as entries are sealed.
pub(crate) fn seal_pending(
    conn: &rusqlite::Connection,
    head: &mut Option<(i64, String)>,
) -> StoreResult<u64> {
    let mut total = 0;
    loop {
        let n = seal_batch(conn, SEAL_BATCH, head)?;
        total += n;
        if n < SEAL_BATCH as u64 {
            return Ok(total);
        }
    }
}

fn seal_batch(
    conn: &rusqlite::Connection,
    limit: i64,
    head: &mut Option<(i64, String)>,
) -> StoreResult<u64> {
    let (head_seq, mut prev) = match head.take() {
        Some(h) => h,
        None => {
            let row = query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(conn)?;
            (get(&row, "seq")?, get(&row, "hash")?)
        }
    };
    // Only unsealed entries: a row someone sealed by hand (a forgery) is left for
    // verify to report, instead of failing every batch from here on.
    let rows = query("SELECT * FROM audit_log WHERE seq > ? AND hash IS NULL ORDER BY seq LIMIT ?")
        .bind(head_seq)
        .bind(limit)
        .fetch_all(conn)?;
    if rows.is_empty() {
        *head = Some((head_seq, prev));
        return Ok(0);
    }
    let mut seals = Vec::with_capacity(rows.len());
    let mut last = head_seq;
    for r in &rows {
        let seq: i64 = get(r, "seq")?;
        let hash = audit_hash(&prev, &audit_row(r)?);
        seals.push(serde_json::json!([seq, prev, hash]));
        prev = hash;
        last = seq;
    }
    // One statement for the whole batch, however many entries it seals.
    query(
        "UPDATE audit_log SET prev_hash = json_extract(s.value, '$[1]'), hash = json_extract(s.value, '$[2]') \
         FROM json_each(?) AS s WHERE audit_log.seq = json_extract(s.value, '$[0]')",
    )
    .bind(serde_json::Value::Array(seals).to_string())
    .execute(conn)?;
    query("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")
        .bind(last)
        .bind(&prev)
        .execute(conn)?;
    *head = Some((last, prev));
    Ok(rows.len() as u64)
}

#[async_trait]
impl AuditRepo for SqliteTx {
    async fn append_audit(&mut self, e: &AuditEntry) -> StoreResult<()> {
        match &mut self.tx {
            // A read transaction's entries are written by the writer at its commit.
            crate::Conn::Read(_) => {
                self.audit.push(e.clone());
                Ok(())
            }
            crate::Conn::Write(w) => insert_audit(w, e),
        }
    }

    async fn seal_audit(&mut self, limit: i64) -> StoreResult<u64> {
        match &mut self.tx {
            crate::Conn::Read(_) => Err(StoreError::Other(
                "sealing needs a write transaction".into(),
            )),
            crate::Conn::Write(w) => {
                let (conn, head) = w.conn_and_head();
                seal_batch(conn, limit, head)
            }
        }
    }

    async fn audit_records(&mut self, after: i64, limit: i64) -> StoreResult<Vec<AuditRecord>> {
        let rows = query("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.tx)?;
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
        let r = query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.tx)?;
        Ok((get(&r, "seq")?, get(&r, "hash")?))
    }

    async fn list_audit(
        &mut self,
        patient: Option<PatientId>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let p = patient.map(|p| p.to_string());
        let rows = query(
            "SELECT * FROM audit_log WHERE (? IS NULL OR patient_id = ?) ORDER BY seq LIMIT ?",
        )
        .bind(&p)
        .bind(&p)
        .bind(limit)
        .fetch_all(&self.tx)?;
        rows.iter().map(audit_row).collect()
    }

    async fn count_audit(&mut self) -> StoreResult<i64> {
        query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&self.tx)
    }
}

#[async_trait]
impl AccountRepo for SqliteTx {
    async fn insert_account(&mut self, a: &Account) -> StoreResult<()> {
        query(
            "INSERT INTO accounts (id, username, password_hash, role, professional_id, patient_id, display_name, locale, disabled, created_at, privacy_officer, proxy_may_consent) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.to_string())
        .bind(&a.username)
        .bind(a.password_hash.expose())
        .bind(a.role.as_str())
        .bind(a.professional_id.map(|p| p.to_string()))
        .bind(a.patient_id.map(|p| p.to_string()))
        .bind(&a.display_name)
        .bind(&a.locale)
        .bind(a.disabled)
        .bind(ts(&a.created_at))
        .bind(a.privacy_officer)
        .bind(a.proxy_may_consent)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn get_account(&mut self, aid: AccountId) -> StoreResult<Option<Account>> {
        let row = query("SELECT * FROM accounts WHERE id = ?")
            .bind(aid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(account_row).transpose()
    }

    async fn get_account_by_username(&mut self, username: &str) -> StoreResult<Option<Account>> {
        let row = query("SELECT * FROM accounts WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.tx)?;
        row.as_ref().map(account_row).transpose()
    }

    async fn list_accounts(&mut self) -> StoreResult<Vec<Account>> {
        let rows = query("SELECT * FROM accounts ORDER BY username").fetch_all(&self.tx)?;
        rows.iter().map(account_row).collect()
    }

    async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()> {
        query("INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, revoked) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(s.id_hash.expose())
            .bind(s.account_id.to_string())
            .bind(s.csrf_token.expose())
            .bind(ts(&s.created_at))
            .bind(ts(&s.last_seen_at))
            .bind(s.revoked)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn get_session(&mut self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = query("SELECT * FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .fetch_optional(&self.tx)?;
        row.as_ref().map(session_row).transpose()
    }

    async fn list_sessions(&mut self, account: AccountId) -> StoreResult<Vec<SessionRecord>> {
        let rows = query(
            "SELECT * FROM sessions WHERE account_id = ? AND NOT revoked ORDER BY created_at DESC",
        )
        .bind(account.to_string())
        .fetch_all(&self.tx)?;
        rows.iter().map(session_row).collect()
    }

    async fn touch_session(&mut self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
            .bind(ts(&at))
            .bind(id_hash)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn revoke_session(&mut self, id_hash: &str) -> StoreResult<()> {
        query("UPDATE sessions SET revoked = 1 WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn insert_token(&mut self, t: &ApiToken) -> StoreResult<()> {
        query(
            "INSERT INTO api_tokens (id, account_id, token_hash, name, scopes, created_at, expires_at, revoked, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(t.id.to_string())
        .bind(t.account_id.to_string())
        .bind(t.token_hash.expose())
        .bind(&t.name)
        .bind(&t.scopes)
        .bind(ts(&t.created_at))
        .bind(t.expires_at.as_ref().map(ts))
        .bind(t.revoked)
        .bind(t.last_used_at.as_ref().map(ts))
        .execute(&self.tx)?;
        Ok(())
    }

    async fn get_token_and_account(
        &mut self,
        hash: &str,
    ) -> StoreResult<Option<(ApiToken, Account)>> {
        let row = query(
            "SELECT a.*, t.id AS t_id, t.account_id AS t_account_id, t.token_hash AS t_token_hash, t.name AS t_name, t.scopes AS t_scopes, t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.revoked AS t_revoked, t.last_used_at AS t_last_used_at \
             FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = ?",
        )
        .bind(hash)
        .fetch_optional(&self.tx)?;
        row.as_ref()
            .map(|r| Ok((token_row_p(r, "t_")?, account_row(r)?)))
            .transpose()
    }

    async fn get_session_and_account(
        &mut self,
        id_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, Account)>> {
        let row = query(
            "SELECT a.*, s.id_hash AS s_id_hash, s.account_id AS s_account_id, s.csrf_token AS s_csrf_token, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, s.revoked AS s_revoked \
             FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ?",
        )
        .bind(id_hash)
        .fetch_optional(&self.tx)?;
        row.as_ref()
            .map(|r| Ok((session_row_p(r, "s_")?, account_row(r)?)))
            .transpose()
    }

    async fn get_token_by_hash(&mut self, hash: &str) -> StoreResult<Option<ApiToken>> {
        let row = query("SELECT * FROM api_tokens WHERE token_hash = ?")
            .bind(hash)
            .fetch_optional(&self.tx)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn list_tokens(&mut self, account: AccountId) -> StoreResult<Vec<ApiToken>> {
        let rows = query(
            "SELECT * FROM api_tokens WHERE account_id = ? AND NOT revoked ORDER BY created_at DESC, id DESC",
        )
        .bind(account.to_string())
        .fetch_all(&self.tx)?;
        rows.iter().map(token_row).collect()
    }

    async fn revoke_token(&mut self, account: AccountId, token: TokenId) -> StoreResult<()> {
        let r = query(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND account_id = ? AND NOT revoked",
        )
        .bind(token.to_string())
        .bind(account.to_string())
        .execute(&self.tx)?;
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
        let r = query(
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        )
        .bind(ts(&at))
        .bind(token.to_string())
        .bind(ts(&stale_before))
        .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn set_totp(
        &mut self,
        account: AccountId,
        secret: &str,
        recovery_hashes: &[String],
    ) -> StoreResult<()> {
        query("UPDATE accounts SET totp_secret = ?, totp_last_step = NULL WHERE id = ?")
            .bind(secret)
            .bind(account.to_string())
            .execute(&self.tx)?;
        query("DELETE FROM recovery_codes WHERE account_id = ?")
            .bind(account.to_string())
            .execute(&self.tx)?;
        for h in recovery_hashes {
            query("INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)")
                .bind(account.to_string())
                .bind(h)
                .execute(&self.tx)?;
        }
        Ok(())
    }

    async fn advance_totp_step(&mut self, account: AccountId, step: i64) -> StoreResult<bool> {
        let r = query(
            "UPDATE accounts SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(account.to_string())
        .bind(step)
        .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &mut self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let r = query(
            "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
        )
        .bind(ts(&at))
        .bind(account.to_string())
        .bind(hash)
        .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn record_login_failure(&mut self, key: &str, at: DateTime<Utc>) -> StoreResult<()> {
        query("INSERT INTO login_failures (key, at) VALUES (?, ?)")
            .bind(key)
            .bind(ts(&at))
            .execute(&self.tx)?;
        Ok(())
    }

    async fn count_login_failures(&mut self, key: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?")
            .bind(key)
            .bind(ts(&since))
            .fetch_one(&self.tx)
    }

    async fn clear_login_failures(&mut self, key: &str) -> StoreResult<()> {
        query("DELETE FROM login_failures WHERE key = ?")
            .bind(key)
            .execute(&self.tx)?;
        Ok(())
    }
}
