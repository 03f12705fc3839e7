//! Needs-mapping conversations.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_domain::pathway::needs::NeedsMapping;
use samband_store::*;

fn mapping_row(r: &Row) -> StoreResult<NeedsMappingRecord> {
    let mapping: NeedsMapping = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("needs-mapping content"))?;
    Ok(NeedsMappingRecord {
        id: uuid::Uuid::parse_str(&get::<String>(r, "id")?).map_err(|_| corrupt("id"))?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        recorded_by: id(&get::<String>(r, "recorded_by_member_id")?)?,
        mapping,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
    })
}

#[async_trait]
impl NeedsMappingRepo for SqliteTx {
    async fn insert_needs_mapping(&mut self, m: &NeedsMappingRecord) -> StoreResult<()> {
        let content =
            serde_json::to_string(&m.mapping).map_err(|e| StoreError::Other(e.to_string()))?;
        query(
            "INSERT INTO needs_mappings (id, patient_id, recorded_by_member_id, point, held_on, content, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(m.id.to_string())
        .bind(m.patient_id.to_string())
        .bind(m.recorded_by.to_string())
        .bind(m.mapping.point.as_str().to_owned())
        .bind(m.mapping.held_on.to_string())
        .bind(content)
        .bind(ts(&m.created_at))
        .execute(&self.tx)?;
        Ok(())
    }

    async fn list_needs_mappings(
        &mut self,
        patient: PatientId,
    ) -> StoreResult<Vec<NeedsMappingRecord>> {
        let rows = query(
            "SELECT * FROM needs_mappings WHERE patient_id = ? ORDER BY held_on, created_at, id",
        )
        .bind(patient.to_string())
        .fetch_all(&self.tx)?;
        rows.iter().map(mapping_row).collect()
    }
}
