//! Where a patient lives, for the emergency numbers they are shown.

use super::Patients;
use crate::kernel::TxBox;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::country::Country;
use samband_domain::ids::*;
use samband_domain::patient::Patient;
use samband_domain::team::{CareTeam, TeamMember};

impl Patients<'_> {
    /// Where the patient lives, for the emergency numbers they are shown: the country
    /// that issued their national identifier; without one, where their team works (the
    /// coordinator's organisation first, then the other active members' in team order);
    /// failing that, the deployment's country. Never the reader's language.
    pub(crate) async fn country_of(
        &self,
        tx: &mut TxBox,
        patient: &Patient,
        team: &CareTeam,
    ) -> Result<Country, AppError> {
        if let Some(id) = &patient.national_id {
            return Ok(id.country());
        }
        let contacts = tx.member_contacts(patient.id).await?;
        Ok(self.country_from(patient, team, &contacts))
    }

    /// [`Self::country_of`] from directory details already read.
    pub(crate) fn country_from(
        &self,
        patient: &Patient,
        team: &CareTeam,
        contacts: &[samband_store::MemberContact],
    ) -> Country {
        if let Some(id) = &patient.national_id {
            return id.country();
        }
        let today = self.today();
        let mut active: Vec<&TeamMember> = team
            .members
            .iter()
            .filter(|m| m.is_active_on(today))
            .collect();
        active.sort_by_key(|m| !m.is_coordinator);
        let from_team = active.iter().find_map(|m| {
            contacts
                .iter()
                .find(|c| c.member_id == m.id)
                .and_then(|c| c.organisation.as_ref())
                .and_then(|o| o.country)
        });
        from_team.unwrap_or(self.config.default_country)
    }

    /// [`Self::country_of`] for a page that shows emergency numbers without the rest
    /// of the overview (the patient's messages). Read access to the patient is needed.
    pub async fn country(&self, ctx: &Ctx, patient_id: PatientId) -> Result<Country, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient_id,
                Operation::Read,
                Object::Patient,
                Detail::None,
            )
            .await?;
        let patient = tx
            .get_patient(patient_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let team = self.team().load(&mut tx, patient_id).await?;
        let country = self.country_of(&mut tx, &patient, &team).await?;
        self.audit(
            &mut tx,
            ctx,
            patient_id,
            Object::Patient,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(country)
    }
}
