//! The patient's access log, read from the audit trail a page at a time.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_store::*;

#[async_trait]
impl AccessLogRepo for PgTx {
    async fn access_log(
        &mut self,
        patient: PatientId,
        page: &PageAt<i64>,
    ) -> StoreResult<Vec<(i64, AuditEntry)>> {
        let seek = if page.after.is_some() {
            "AND seq < $3 "
        } else {
            ""
        };
        let sql = format!(
            "SELECT seq, id, at, actor_account_id, patient_id, object_type, object_id, action, purpose, request_id \
             FROM audit_log WHERE patient_id = $1 AND actor_account_id IS NOT NULL {seek}\
             ORDER BY seq DESC LIMIT $2"
        );
        let mut q = sqlx::query(&sql).bind(patient.as_uuid()).bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok((
                    get(r, "seq")?,
                    AuditEntry {
                        id: get(r, "id")?,
                        at: get(r, "at")?,
                        actor_account_id: opt_uid(r, "actor_account_id")?,
                        patient_id: opt_uid(r, "patient_id")?,
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
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE patient_id = $1 AND actor_account_id IS NOT NULL",
        )
        .bind(patient.as_uuid())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }
}
