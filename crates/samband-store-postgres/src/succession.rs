//! Successors: moving a leaver's open items in a bounded number of statements, the
//! record of each hand-over, and the items that need a new owner.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_store::*;
use sqlx::postgres::PgRow;
use uuid::Uuid;

const OPEN_ACTIONS: &str = "FROM actions WHERE patient_id = $1 AND owner_member_id = $2 \
     AND status IN ('planned', 'in_progress')";
const OPEN_GOALS: &str =
    "FROM goals WHERE patient_id = $1 AND owner_member_id = $2 AND achieved = false";
const OPEN_REQUESTS: &str = "FROM requests WHERE patient_id = $1 AND addressee_member_id = $2 \
     AND status IN ('requested', 'accepted')";
/// The leaver's pending receipts on the patient's messages ($1 patient, `{A}` account).
fn pending_receipts(account: &str) -> String {
    format!(
        "FROM message_recipients r JOIN messages m ON m.id = r.message_id \
         WHERE m.patient_id = $1 AND r.account_id = {account} AND r.needs_ack AND r.acknowledged_at IS NULL"
    )
}

pub(crate) const FLAG_HOLDS: &str =
    "((n.kind = 'action' AND EXISTS (SELECT 1 FROM actions a WHERE a.id = n.item_id \
       AND a.owner_member_id = n.holder_member_id AND a.status IN ('planned', 'in_progress'))) \
     OR (n.kind = 'goal' AND EXISTS (SELECT 1 FROM goals g WHERE g.id = n.item_id \
       AND g.owner_member_id = n.holder_member_id AND NOT g.achieved)) \
     OR (n.kind = 'request' AND EXISTS (SELECT 1 FROM requests q WHERE q.id = n.item_id \
       AND q.addressee_member_id = n.holder_member_id AND q.status IN ('requested', 'accepted'))))";

fn ids<T: From<Uuid>>(rows: &[PgRow]) -> StoreResult<Vec<T>> {
    rows.iter().map(|r| uid(r, "id")).collect()
}

fn succession_row(r: &PgRow) -> StoreResult<SuccessionRecord> {
    Ok(SuccessionRecord {
        id: get(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        leaver_member_id: uid(r, "leaver_member_id")?,
        successor_member_id: uid(r, "successor_member_id")?,
        last_day: get(r, "last_day")?,
        needs_new_owner: get(r, "needs_new_owner")?,
        reason: get(r, "reason")?,
        by_account: uid(r, "by_account_id")?,
        at: get(r, "at")?,
    })
}

impl PgTx {
    async fn run(&mut self, sql: &str, binds: &[Uuid], text: Option<&str>) -> StoreResult<()> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        if let Some(t) = text {
            q = q.bind(t.to_owned());
        }
        q.execute(&mut *self.tx).await.map_err(db_err)?;
        Ok(())
    }

    async fn select_ids(&mut self, sql: &str, binds: &[Uuid]) -> StoreResult<Vec<PgRow>> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(&mut *self.tx).await.map_err(db_err)
    }
}

#[async_trait]
impl SuccessionRepo for PgTx {
    async fn open_items(
        &mut self,
        patient: PatientId,
        member: MemberId,
        account: Option<AccountId>,
    ) -> StoreResult<OpenItems> {
        let p = patient.as_uuid();
        let m = member.as_uuid();
        let a = account.map(|a| a.as_uuid()).unwrap_or(Uuid::nil());
        let actions = self
            .select_ids(&format!("SELECT id {OPEN_ACTIONS} ORDER BY 1"), &[p, m])
            .await?;
        let goals = self
            .select_ids(&format!("SELECT id {OPEN_GOALS} ORDER BY 1"), &[p, m])
            .await?;
        let requests = self
            .select_ids(&format!("SELECT id {OPEN_REQUESTS} ORDER BY 1"), &[p, m])
            .await?;
        let receipts = self
            .select_ids(
                &format!(
                    "SELECT r.message_id AS id {} ORDER BY 1",
                    pending_receipts("$2")
                ),
                &[p, a],
            )
            .await?;
        Ok(OpenItems {
            actions: ids(&actions)?,
            goals: ids(&goals)?,
            requests: ids(&requests)?,
            receipts: receipts
                .iter()
                .map(|r| get::<Uuid>(r, "id"))
                .collect::<StoreResult<_>>()?,
        })
    }

    async fn move_open_items(&mut self, h: &HandOverTo) -> StoreResult<OpenItems> {
        let mut moved = self
            .open_items(h.patient, h.from_member, h.from_account)
            .await?;
        let p = h.patient.as_uuid();
        let from = h.from_member.as_uuid();
        let to = h.to_member.as_uuid();
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
                    "INSERT INTO needs_new_owner (succession_id, patient_id, kind, item_id, \
                     holder_member_id, leaver_member_id) SELECT $3, $1, '{kind}', id, $4, $2 {open} \
                     ON CONFLICT DO NOTHING"
                );
                self.run(&sql, &[p, from, h.succession, to], None).await?;
            }
        }
        for (table, open) in [("actions", OPEN_ACTIONS), ("goals", OPEN_GOALS)] {
            let sql = format!(
                "UPDATE {table} SET owner_member_id = $3, version = version + 1 \
                 WHERE id IN (SELECT id {open})"
            );
            self.run(&sql, &[p, from, to], None).await?;
        }
        let Some(to_account) = h.to_account else {
            moved.requests.clear();
            moved.receipts.clear();
            return Ok(moved);
        };
        let acc = to_account.as_uuid();
        let from_acc = h.from_account.map(|a| a.as_uuid()).unwrap_or(Uuid::nil());
        // The successor joins the threads of what they take over.
        self.run(
            &format!(
                "INSERT INTO thread_participants (thread_id, account_id) \
                 SELECT thread_id, $3 {OPEN_REQUESTS} \
                 UNION SELECT r.thread_id, $3 {} ON CONFLICT DO NOTHING",
                pending_receipts("$4")
            ),
            &[p, from, acc, from_acc],
            None,
        )
        .await?;
        self.run(
            &format!(
                "UPDATE requests SET addressee_account_id = $3, addressee_member_id = $4, \
                 addressee_name = $5, version = version + 1 WHERE id IN (SELECT id {OPEN_REQUESTS})"
            ),
            &[p, from, acc, to],
            Some(&h.to_name),
        )
        .await?;
        // Pending receipts: the successor owes them instead (a row of their own, or
        // their existing row now asking for the receipt); the leaver's rows go.
        self.run(
            &format!(
                "INSERT INTO message_recipients (message_id, account_id, thread_id, name, \
                 needs_ack, delivered_at, read_at, acknowledged_at, escalated_at) \
                 SELECT r.message_id, $3, r.thread_id, $4, true, NULL, NULL, NULL, r.escalated_at \
                 {} ON CONFLICT DO NOTHING",
                pending_receipts("$2")
            ),
            &[p, from_acc, acc],
            Some(&h.to_name),
        )
        .await?;
        self.run(
            &format!(
                "UPDATE message_recipients SET needs_ack = true WHERE account_id = $3 \
                 AND acknowledged_at IS NULL AND message_id IN (SELECT r.message_id {})",
                pending_receipts("$2")
            ),
            &[p, from_acc, acc],
            None,
        )
        .await?;
        self.run(
            &format!(
                "DELETE FROM message_recipients WHERE account_id = $2 \
                 AND message_id IN (SELECT r.message_id {})",
                pending_receipts("$2")
            ),
            &[p, from_acc],
            None,
        )
        .await?;
        if h.from_account.is_none() {
            moved.receipts.clear();
        }
        Ok(moved)
    }

    async fn insert_succession(&mut self, s: &SuccessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO successions (id, patient_id, leaver_member_id, successor_member_id, \
             last_day, needs_new_owner, reason, by_account_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(s.id)
        .bind(s.patient_id.as_uuid())
        .bind(s.leaver_member_id.as_uuid())
        .bind(s.successor_member_id.as_uuid())
        .bind(s.last_day)
        .bind(s.needs_new_owner)
        .bind(s.reason.clone())
        .bind(s.by_account.as_uuid())
        .bind(s.at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_successions(&mut self, patient: PatientId) -> StoreResult<Vec<SuccessionRecord>> {
        let rows = sqlx::query("SELECT * FROM successions WHERE patient_id = $1 ORDER BY at, id")
            .bind(patient.as_uuid())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(succession_row).collect()
    }

    async fn flagged_items(&mut self, patient: PatientId) -> StoreResult<Vec<FlaggedItem>> {
        let rows = sqlx::query(&format!(
            "SELECT n.kind, n.item_id, MIN(n.holder_member_id::text) AS holder, \
             MIN(n.leaver_member_id::text) AS leaver FROM needs_new_owner n \
             WHERE n.patient_id = $1 AND {FLAG_HOLDS} GROUP BY n.kind, n.item_id \
             ORDER BY n.kind, n.item_id::text"
        ))
        .bind(patient.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let parse = |s: String| -> StoreResult<Uuid> {
            s.parse().map_err(|_| corrupt("needs_new_owner member"))
        };
        rows.iter()
            .map(|r| {
                Ok(FlaggedItem {
                    kind: get(r, "kind")?,
                    item_id: get(r, "item_id")?,
                    holder_member_id: parse(get(r, "holder")?)?.into(),
                    leaver_member_id: parse(get(r, "leaver")?)?.into(),
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
        let list: Vec<Uuid> = patients.iter().map(|p| p.as_uuid()).collect();
        let rows = sqlx::query(&format!(
            "SELECT n.patient_id, COUNT(DISTINCT (n.kind, n.item_id)) AS n FROM needs_new_owner n \
             WHERE n.patient_id = ANY($1) AND {FLAG_HOLDS} GROUP BY n.patient_id ORDER BY n.patient_id"
        ))
        .bind(list)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| Ok((uid(r, "patient_id")?, get(r, "n")?)))
            .collect()
    }
}
