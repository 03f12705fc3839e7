//! The team as readers see it: each member with their name, title, organisation and
//! contact details from the directory.

use super::Team;
use crate::kernel::TxBox;
use crate::views::MemberView;
use crate::AppError;
use samband_domain::patient::Patient;
use samband_domain::team::{CareTeam, MemberKind};

impl Team<'_> {
    pub(crate) async fn member_views(
        &self,
        tx: &mut TxBox,
        patient: &Patient,
        team: &CareTeam,
    ) -> Result<Vec<MemberView>, AppError> {
        // One query for every member's name, contact and organisation.
        let contacts = tx.member_contacts(patient.id).await?;
        Ok(self.member_views_from(patient, team, &contacts))
    }

    /// [`Self::member_views`] from directory details already read.
    pub(crate) fn member_views_from(
        &self,
        patient: &Patient,
        team: &CareTeam,
        contacts: &[samband_store::MemberContact],
    ) -> Vec<MemberView> {
        let today = self.today();
        let mut out = Vec::with_capacity(team.members.len());
        for m in &team.members {
            let c = contacts.iter().find(|c| c.member_id == m.id);
            let display_name = match m.kind {
                MemberKind::Professional => c
                    .and_then(|c| c.professional_name.clone())
                    .unwrap_or_default(),
                MemberKind::Patient => patient.name.clone(),
                MemberKind::Proxy => m.name.clone().unwrap_or_default(),
            };
            out.push(MemberView {
                member: m.clone(),
                display_name,
                title: c.and_then(|c| c.title.clone()),
                organisation: c.and_then(|c| c.organisation.clone()),
                phone: m.phone.clone().or_else(|| c.and_then(|c| c.phone.clone())),
                email: c.and_then(|c| c.email.clone()),
                availability: c.and_then(|c| c.availability.clone()),
                active: m.is_active_on(today),
            });
        }
        out
    }
}
