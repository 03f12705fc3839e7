//! Needs-mapping conversations.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_domain::pathway::needs::NeedsMapping;
use samband_store::*;
use sqlx::postgres::PgRow;

fn mapping_row(r: &PgRow) -> StoreResult<NeedsMappingRecord> {
    let mapping: NeedsMapping = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("needs-mapping content"))?;
    Ok(NeedsMappingRecord {
        id: get(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        recorded_by: uid(r, "recorded_by_member_id")?,
        mapping,
        created_at: get(r, "created_at")?,
    })
}

#[async_trait]
impl NeedsMappingRepo for PgTx {
    async fn insert_needs_mapping(&mut self, m: &NeedsMappingRecord) -> StoreResult<()> {
        let content =
            serde_json::to_string(&m.mapping).map_err(|e| StoreError::Other(e.to_string()))?;
        sqlx::query(
            "INSERT INTO needs_mappings (id, patient_id, recorded_by_member_id, point, held_on, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(m.id)
        .bind(m.patient_id.as_uuid())
        .bind(m.recorded_by.as_uuid())
        .bind(m.mapping.point.as_str())
        .bind(m.mapping.held_on)
        .bind(content)
        .bind(m.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_needs_mappings(
        &mut self,
        patient: PatientId,
    ) -> StoreResult<Vec<NeedsMappingRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM needs_mappings WHERE patient_id = $1 ORDER BY held_on, created_at, id",
        )
        .bind(patient.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(mapping_row).collect()
    }
}
