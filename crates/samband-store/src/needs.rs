//! Storage seam for the needs-mapping conversations of the cancer pathway at home
//! (issue 11): each recorded conversation as written, with who recorded it. The needs
//! it found become plan actions, stored as actions; this keeps the conversation itself.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::ids::{MemberId, PatientId};
use samband_domain::pathway::needs::NeedsMapping;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsMappingRecord {
    pub id: Uuid,
    pub patient_id: PatientId,
    pub recorded_by: MemberId,
    pub mapping: NeedsMapping,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait NeedsMappingRepo {
    async fn insert_needs_mapping(&mut self, m: &NeedsMappingRecord) -> StoreResult<()>;
    /// The patient's conversations, by the day they were held (then as recorded).
    async fn list_needs_mappings(
        &mut self,
        patient: PatientId,
    ) -> StoreResult<Vec<NeedsMappingRecord>>;
}
