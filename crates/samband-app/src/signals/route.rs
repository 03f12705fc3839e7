//! The routing chain of one patient's team today, with who may be on it decided by
//! the access policy as each member (a member whose organisation may not read the
//! patient's self-reports is never routed an alert), and who can sign in.

use super::Signals;
use crate::kernel::TxBox;
use crate::policy::{Decision, Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::signal::routing::{self, Route};
use samband_domain::signal::SignalClass;
use samband_domain::team::{CareTeam, MemberKind};
use std::collections::HashMap;

/// The chain for one class today, the clinical group told past its end, and the
/// sign-in account of each member on either.
pub(crate) struct Routing {
    pub chain: Vec<Route>,
    pub group: Vec<MemberId>,
    pub accounts: HashMap<MemberId, AccountId>,
}

impl Routing {
    pub(crate) fn account(&self, m: MemberId) -> Option<AccountId> {
        self.accounts.get(&m).copied()
    }
}

impl Signals<'_> {
    pub(crate) async fn routing(
        &self,
        tx: &mut TxBox,
        team: &CareTeam,
        class: SignalClass,
    ) -> Result<Routing, AppError> {
        let today = self.today();
        let mut absences = Vec::new();
        let mut accounts = HashMap::new();
        let mut eligible = Vec::new();
        for m in team.active_members(today) {
            let Some(pid) = m
                .professional_id
                .filter(|_| m.kind == MemberKind::Professional)
            else {
                continue;
            };
            absences.extend(tx.list_absences(pid).await?);
            let Some(account) = tx
                .account_for_professional(pid)
                .await?
                .filter(|a| !a.disabled)
            else {
                continue;
            };
            accounts.insert(m.id, account.id);
            let principal =
                crate::auth::principal_for(&account, samband_domain::principal::Scopes::ALL)?;
            let ctx = Ctx {
                principal,
                request_id: None,
            };
            let facts = self.load_facts(tx, &ctx, team.patient_id).await?;
            if matches!(
                self.decide(
                    &ctx,
                    team.patient_id,
                    &facts,
                    Operation::Read,
                    Object::Alert,
                    Detail::None
                ),
                Decision::Permit(_)
            ) {
                eligible.push(m.id);
            }
        }
        let may = |m: &samband_domain::team::TeamMember| eligible.contains(&m.id);
        let chain = routing::chain(team, &absences, class, today, &may);
        let group = routing::clinical_group(team, today, &may);
        Ok(Routing {
            chain,
            group,
            accounts,
        })
    }
}
