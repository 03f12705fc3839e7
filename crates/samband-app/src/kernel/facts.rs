//! The facts the access policy decides on about one principal and one patient,
//! loaded once per transaction so every decision in a use case sees the same state
//! (a consent withdrawn mid-request applies from the next request, never halfway).

use super::TxBox;
use crate::policy::Membership;
use crate::{App, AppError, Ctx};
use samband_domain::consent::Consent;
use samband_domain::ids::PatientId;
use samband_domain::principal::Subject;

/// The policy facts about one principal and one patient, loaded once per transaction.
pub(crate) struct Facts {
    pub membership: Option<Membership>,
    pub consent: Consent,
    pub emergency: bool,
}

impl App {
    /// Loads what the policy needs about this principal and patient, once per
    /// transaction: membership (with its organisation and sector), the patient's
    /// consent, and an active emergency-access grant.
    pub(crate) async fn load_facts(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Facts, AppError> {
        let membership = match ctx.principal.subject {
            Subject::Professional(p) => {
                tx.active_membership(patient, p, self.today())
                    .await?
                    .map(|m| Membership {
                        member_id: m.member_id,
                        organisation: m.organisation_id,
                        sector: m.sector,
                    })
            }
            _ => None,
        };
        let consent = tx
            .get_consent(patient)
            .await?
            .unwrap_or_else(|| Consent::empty(patient));
        let emergency = match (ctx.principal.subject, membership) {
            (Subject::Professional(_), None) => tx
                .active_emergency(ctx.principal.account_id, patient, self.clock.now())
                .await?
                .is_some(),
            _ => false,
        };
        Ok(Facts {
            membership,
            consent,
            emergency,
        })
    }
}
