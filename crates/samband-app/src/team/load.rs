//! Reading the care team inside a use case's transaction.

use super::Team;
use crate::kernel::TxBox;
use crate::AppError;
use samband_domain::ids::*;
use samband_domain::team::CareTeam;

impl Team<'_> {
    pub(crate) async fn load(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
    ) -> Result<CareTeam, AppError> {
        tx.get_team(patient).await?.ok_or(AppError::NotFound)
    }
}
