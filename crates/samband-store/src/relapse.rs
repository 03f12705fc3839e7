//! Storage seam for the relapse-prevention plan: one versioned row per patient, and
//! the agreement state of many patients at once for the caseload registry.

use crate::StoreResult;
use async_trait::async_trait;
use samband_domain::ids::PatientId;
use samband_domain::relapse::{RelapsePlan, RelapseState};

#[async_trait]
pub trait RelapsePlanRepo {
    async fn get_relapse_plan(&mut self, patient: PatientId) -> StoreResult<Option<RelapsePlan>>;
    /// Writes the plan at `expected` (0: the first save) and returns the new version;
    /// a stale `expected` is a conflict.
    async fn save_relapse_plan(&mut self, p: &RelapsePlan, expected: i64) -> StoreResult<i64>;
    /// The state of each given patient's plan, in the order given (one statement, so a
    /// page of the registry costs the same whatever its size). A patient without a
    /// plan is `RelapseState::None`.
    async fn relapse_states(
        &mut self,
        patients: &[PatientId],
    ) -> StoreResult<Vec<(PatientId, RelapseState)>>;
}
