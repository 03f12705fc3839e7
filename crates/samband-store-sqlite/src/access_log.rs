//! The patient's access log, read from the audit trail a page at a time.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_store::*;
use uuid::Uuid;

#[async_trait]
impl AccessLogRepo for SqliteTx {
    async fn access_log(
        &mut self,
        patient: PatientId,
        page: &PageAt<i64>,
    ) -> StoreResult<Vec<(i64, AuditEntry)>> {
        let seek = if page.after.is_some() {
            "AND seq < ? "
        } else {
            ""
        };
        let sql = format!(
            "SELECT seq, id, at, actor_account_id, patient_id, object_type, object_id, action, purpose, request_id \
             FROM audit_log WHERE patient_id = ? AND actor_account_id IS NOT NULL {seek}\
             ORDER BY seq DESC LIMIT ?"
        );
        let mut q = query(&sql).bind(patient.to_string());
        if let Some(after) = &page.after {
            q = q.bind(after.key);
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| {
                Ok((
                    get(r, "seq")?,
                    AuditEntry {
                        id: id::<Uuid>(&get::<String>(r, "id")?)?,
                        at: parse_ts(&get::<String>(r, "at")?)?,
                        actor_account_id: opt_id(get(r, "actor_account_id")?)?,
                        patient_id: opt_id(get(r, "patient_id")?)?,
                        object_type: get(r, "object_type")?,
                        object_id: get(r, "object_id")?,
                        action: get(r, "action")?,
                        purpose: get(r, "purpose")?,
                        request_id: get(r, "request_id")?,
                    },
                ))
            })
            .collect()
    }

    async fn count_access_log(&mut self, patient: PatientId) -> StoreResult<i64> {
        query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE patient_id = ? AND actor_account_id IS NOT NULL",
        )
        .bind(patient.to_string())
        .fetch_one(&self.tx)
    }
}
