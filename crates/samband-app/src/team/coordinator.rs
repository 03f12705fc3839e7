//! Who coordinates the patient's team, for what Samband tells them.

use super::Team;
use crate::kernel::TxBox;
use crate::AppError;
use samband_domain::ids::*;

impl Team<'_> {
    /// The coordinator's sign-in account, if the team has one.
    pub(crate) async fn coordinator_account(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
    ) -> Result<Option<AccountId>, AppError> {
        let Some(team) = tx.get_team(patient).await? else {
            return Ok(None);
        };
        let Some(pid) = team
            .coordinator(self.today())
            .and_then(|c| c.professional_id)
        else {
            return Ok(None);
        };
        Ok(tx.account_for_professional(pid).await?.map(|a| a.id))
    }
}
