//! Successors: moving a leaver's open items in a bounded number of statements, the
//! record of each hand-over, and the items that need a new owner.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_store::*;

const OPEN_ACTIONS: &str = "FROM actions WHERE patient_id = ?1 AND owner_member_id = ?2 \
     AND status IN ('planned', 'in_progress')";
const OPEN_GOALS: &str =
    "FROM goals WHERE patient_id = ?1 AND owner_member_id = ?2 AND achieved = 0";
const OPEN_REQUESTS: &str = "FROM requests WHERE patient_id = ?1 AND addressee_member_id = ?2 \
     AND status IN ('requested', 'accepted')";
/// The leaver's pending receipts on the patient's messages (?1 patient, ?3 account).
const PENDING_RECEIPTS: &str = "FROM message_recipients r JOIN messages m ON m.id = r.message_id \
     WHERE m.patient_id = ?1 AND r.account_id = ?3 AND r.needs_ack = 1 AND r.acknowledged_at IS NULL";

pub(crate) const FLAG_HOLDS: &str =
    "((n.kind = 'action' AND EXISTS (SELECT 1 FROM actions a WHERE a.id = n.item_id \
       AND a.owner_member_id = n.holder_member_id AND a.status IN ('planned', 'in_progress'))) \
     OR (n.kind = 'goal' AND EXISTS (SELECT 1 FROM goals g WHERE g.id = n.item_id \
       AND g.owner_member_id = n.holder_member_id AND g.achieved = 0)) \
     OR (n.kind = 'request' AND EXISTS (SELECT 1 FROM requests q WHERE q.id = n.item_id \
       AND q.addressee_member_id = n.holder_member_id AND q.status IN ('requested', 'accepted'))))";

fn ids<T: From<uuid::Uuid>>(rows: &[Row], col: &str) -> StoreResult<Vec<T>> {
    rows.iter().map(|r| id(&get::<String>(r, col)?)).collect()
}

fn succession_row(r: &Row) -> StoreResult<SuccessionRecord> {
    Ok(SuccessionRecord {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        leaver_member_id: id(&get::<String>(r, "leaver_member_id")?)?,
        successor_member_id: id(&get::<String>(r, "successor_member_id")?)?,
        last_day: parse_date(&get::<String>(r, "last_day")?)?,
        needs_new_owner: get(r, "needs_new_owner")?,
        reason: get(r, "reason")?,
        by_account: id(&get::<String>(r, "by_account_id")?)?,
        at: parse_ts(&get::<String>(r, "at")?)?,
    })
}

#[async_trait]
impl SuccessionRepo for SqliteTx {
    async fn open_items(
        &mut self,
        patient: PatientId,
        member: MemberId,
        account: Option<AccountId>,
    ) -> StoreResult<OpenItems> {
        let p = patient.to_string();
        let m = member.to_string();
        let a = account.map(|a| a.to_string()).unwrap_or_default();
        let sel = |from: &str, col: &str| format!("SELECT {col} AS id {from} ORDER BY 1");
        let actions = query(&sel(OPEN_ACTIONS, "id"))
            .bind(p.clone())
            .bind(m.clone())
            .fetch_all(&self.tx)?;
        let goals = query(&sel(OPEN_GOALS, "id"))
            .bind(p.clone())
            .bind(m.clone())
            .fetch_all(&self.tx)?;
        let requests = query(&sel(OPEN_REQUESTS, "id"))
            .bind(p.clone())
            .bind(m.clone())
            .fetch_all(&self.tx)?;
        let receipts = query(&sel(PENDING_RECEIPTS, "r.message_id"))
            .bind(p)
            .bind(m)
            .bind(a)
            .fetch_all(&self.tx)?;
        Ok(OpenItems {
            actions: ids(&actions, "id")?,
            goals: ids(&goals, "id")?,
            requests: ids(&requests, "id")?,
            receipts: ids(&receipts, "id")?,
        })
    }

    async fn move_open_items(&mut self, h: &HandOverTo) -> StoreResult<OpenItems> {
        let mut moved = self
            .open_items(h.patient, h.from_member, h.from_account)
            .await?;
        let p = h.patient.to_string();
        let from = h.from_member.to_string();
        let to = h.to_member.to_string();
        if h.needs_new_owner {
            for (kind, open) in [
                ("action", OPEN_ACTIONS),
                ("goal", OPEN_GOALS),
                ("request", OPEN_REQUESTS),
            ] {
                if kind == "request" && h.to_account.is_none() {
                    continue;
                }
                let sql = format!(
                    "INSERT OR IGNORE INTO needs_new_owner (succession_id, patient_id, kind, item_id, \
                     holder_member_id, leaver_member_id) SELECT ?3, ?1, '{kind}', id, ?4, ?2 {open}"
                );
                query(&sql)
                    .bind(p.clone())
                    .bind(from.clone())
                    .bind(h.succession.to_string())
                    .bind(to.clone())
                    .execute(&self.tx)?;
            }
        }
        for open in [OPEN_ACTIONS, OPEN_GOALS] {
            let table = if open == OPEN_ACTIONS {
                "actions"
            } else {
                "goals"
            };
            let sql = format!(
                "UPDATE {table} SET owner_member_id = ?3, version = version + 1 \
                 WHERE id IN (SELECT id {open})"
            );
            query(&sql)
                .bind(p.clone())
                .bind(from.clone())
                .bind(to.clone())
                .execute(&self.tx)?;
        }
        let Some(to_account) = h.to_account else {
            moved.requests.clear();
            moved.receipts.clear();
            return Ok(moved);
        };
        let acc = to_account.to_string();
        let from_acc = h.from_account.map(|a| a.to_string()).unwrap_or_default();
        // The successor joins the threads of what they take over.
        query(&format!(
            "INSERT OR IGNORE INTO thread_participants (thread_id, account_id) \
             SELECT thread_id, ?4 {OPEN_REQUESTS} \
             UNION SELECT r.thread_id, ?4 {}",
            PENDING_RECEIPTS.replace("?3", "?5")
        ))
        .bind(p.clone())
        .bind(from.clone())
        .bind(0)
        .bind(acc.clone())
        .bind(from_acc.clone())
        .execute(&self.tx)?;
        query(&format!(
            "UPDATE requests SET addressee_account_id = ?3, addressee_member_id = ?4, \
             addressee_name = ?5, version = version + 1 WHERE id IN (SELECT id {OPEN_REQUESTS})"
        ))
        .bind(p.clone())
        .bind(from.clone())
        .bind(acc.clone())
        .bind(to.clone())
        .bind(h.to_name.clone())
        .execute(&self.tx)?;
        // Pending receipts: the successor owes them instead (a row of their own, or
        // their existing row now asking for the receipt); the leaver's rows go.
        query(&format!(
            "INSERT OR IGNORE INTO message_recipients (message_id, account_id, thread_id, name, \
             needs_ack, delivered_at, read_at, acknowledged_at, escalated_at) \
             SELECT r.message_id, ?2, r.thread_id, ?4, 1, NULL, NULL, NULL, r.escalated_at \
             {PENDING_RECEIPTS}"
        ))
        .bind(p.clone())
        .bind(acc.clone())
        .bind(from_acc.clone())
        .bind(h.to_name.clone())
        .execute(&self.tx)?;
        query(&format!(
            "UPDATE message_recipients SET needs_ack = 1 WHERE account_id = ?2 \
             AND acknowledged_at IS NULL AND message_id IN (SELECT r.message_id {PENDING_RECEIPTS})"
        ))
        .bind(p.clone())
        .bind(acc)
        .bind(from_acc.clone())
        .execute(&self.tx)?;
        query(&format!(
            "DELETE FROM message_recipients WHERE account_id = ?3 \
             AND message_id IN (SELECT r.message_id {PENDING_RECEIPTS})"
        ))
        .bind(p)
        .bind(0)
        .bind(from_acc)
        .execute(&self.tx)?;
        if h.from_account.is_none() {
            moved.receipts.clear();
        }
        Ok(moved)
    }

    async fn insert_succession(&mut self, s: &SuccessionRecord) -> StoreResult<()> {
        query(
            "INSERT INTO successions (id, patient_id, leaver_member_id, successor_member_id, \
             last_day, needs_new_owner, reason, by_account_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(s.id.to_string())
        .bind(s.patient_id.to_string())
        .bind(s.leaver_member_id.to_string())
        .bind(s.successor_member_id.to_string())
        .bind(date(&s.last_day))
        .bind(s.needs_new_owner)
        .bind(s.reason.clone())
        .bind(s.by_account.to_string())
        .bind(ts(&s.at))
        .execute(&self.tx)?;
        Ok(())
    }

    async fn list_successions(&mut self, patient: PatientId) -> StoreResult<Vec<SuccessionRecord>> {
        let rows = query("SELECT * FROM successions WHERE patient_id = ? ORDER BY at, id")
            .bind(patient.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(succession_row).collect()
    }

    async fn flagged_items(&mut self, patient: PatientId) -> StoreResult<Vec<FlaggedItem>> {
        let rows = query(&format!(
            "SELECT n.kind, n.item_id, MIN(n.holder_member_id) AS holder_member_id, \
             MIN(n.leaver_member_id) AS leaver_member_id FROM needs_new_owner n \
             WHERE n.patient_id = ? AND {FLAG_HOLDS} GROUP BY n.kind, n.item_id \
             ORDER BY n.kind, n.item_id"
        ))
        .bind(patient.to_string())
        .fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| {
                Ok(FlaggedItem {
                    kind: get(r, "kind")?,
                    item_id: id(&get::<String>(r, "item_id")?)?,
                    holder_member_id: id(&get::<String>(r, "holder_member_id")?)?,
                    leaver_member_id: id(&get::<String>(r, "leaver_member_id")?)?,
                })
            })
            .collect()
    }

    async fn count_flagged(
        &mut self,
        patients: &[PatientId],
    ) -> StoreResult<Vec<(PatientId, i64)>> {
        if patients.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = patients.iter().map(|p| p.to_string()).collect();
        let list = serde_json::to_string(&list).map_err(|e| StoreError::Other(e.to_string()))?;
        let rows = query(&format!(
            "SELECT n.patient_id, COUNT(DISTINCT n.kind || n.item_id) AS n FROM needs_new_owner n \
             WHERE n.patient_id IN (SELECT value FROM json_each(?)) AND {FLAG_HOLDS} \
             GROUP BY n.patient_id ORDER BY n.patient_id"
        ))
        .bind(list)
        .fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| Ok((id(&get::<String>(r, "patient_id")?)?, get(r, "n")?)))
            .collect()
    }
}
