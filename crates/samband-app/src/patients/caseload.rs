//! "My patients": one page of the professional's caseload, each row put to the policy
//! and audited as a listing.

use super::Patients;
use crate::kernel::Facts;
use crate::paging::{self, Page, PageParams};
use crate::policy::{Decision, Detail, Membership, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::consent::Consent;
use samband_domain::principal::Subject;

impl Patients<'_> {
    /// One page of the signed-in professional's patients (those whose team they are
    /// active on), by name, with how many there are in all.
    pub async fn my_patients(
        &self,
        ctx: &Ctx,
        page: &PageParams,
    ) -> Result<Page<crate::views::CaseloadItem>, AppError> {
        let req = paging::parse::<String>("caseload", page)?;
        let Subject::Professional(pro) = ctx.principal.subject else {
            return Ok(req.page(Vec::new(), None, 0));
        };
        self.authorize_unbound(ctx, Operation::List).await?;
        let mut tx = self.store.begin_read().await?;
        let today = self.today();
        let rows = tx.caseload(pro, today, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |r| (r.patient.name.clone(), r.patient.id.as_uuid()));
        // Every active member may know whose record it is (the policy's rule for
        // listing), so the count of active memberships is the count of the list.
        let total = tx.count_caseload(pro, today).await?;
        // The caseload query already restricts to active membership; each row is still
        // put to the policy so a rule added there (consent) applies to lists too.
        let mut allowed = Vec::with_capacity(rows.len());
        let mut plan_visible = Vec::new();
        for row in rows {
            let consent = tx
                .get_consent(row.patient.id)
                .await?
                .unwrap_or_else(|| Consent::empty(row.patient.id));
            let membership = Membership {
                member_id: row.member_id,
                organisation: row.my_organisation,
                sector: row.my_sector,
            };
            let facts = Facts {
                membership: Some(membership),
                consent,
                emergency: false,
            };
            if let Decision::Permit(purpose) = self.decide(
                ctx,
                row.patient.id,
                &facts,
                Operation::List,
                Object::Patient,
                Detail::None,
            ) {
                self.audit(
                    &mut tx,
                    ctx,
                    row.patient.id,
                    Object::Patient,
                    None,
                    Operation::List,
                    purpose,
                )
                .await?;
                // The action counts are plan information: withheld with the plan.
                let mut row = row;
                if self
                    .permits(
                        ctx,
                        row.patient.id,
                        &facts,
                        Operation::List,
                        Object::Action,
                        Detail::None,
                    )
                    .is_none()
                {
                    row.open_actions = 0;
                    row.overdue_actions = 0;
                } else {
                    plan_visible.push(row.patient.id);
                }
                allowed.push(row);
            }
        }
        let flagged = tx.count_flagged(&plan_visible).await?;
        tx.commit().await?;
        Ok(req.page(allowed, next, total).map(|row| {
            let n = flagged
                .iter()
                .find(|(p, _)| *p == row.patient.id)
                .map_or(0, |(_, n)| *n);
            crate::views::CaseloadItem {
                needs_new_owner: n,
                ..row.into()
            }
        }))
    }
}
