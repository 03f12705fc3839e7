//! Addressing a message: people, the whole team, a role or the patient, resolved to
//! accounts; a professional recipient who may not read the category refuses the send.

use super::Messages;
use crate::kernel::TxBox;
use crate::messaging::AddressOption;
use crate::messaging::ComposeView;
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::principal::Subject;
use samband_domain::team::MemberKind;
use samband_domain::ValidationErrors;
use samband_store::Account;

/// A resolved recipient.
#[derive(Debug, Clone)]
pub(crate) struct Addressee {
    pub account: Account,
    pub name: String,
    pub member: Option<MemberId>,
}

impl Messages<'_> {
    /// What the compose form offers for this patient.
    pub async fn compose_view(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<ComposeView, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Message,
                Detail::None,
            )
            .await?;
        let p = tx.get_patient(patient).await?.ok_or(AppError::NotFound)?;
        let team = tx
            .get_team(patient)
            .await?
            .unwrap_or_else(|| samband_domain::team::CareTeam {
                patient_id: patient,
                members: vec![],
                version: 0,
            });
        let views = self.team().member_views(&mut tx, &p, &team).await?;
        let mut options = vec![AddressOption {
            value: "team".into(),
            label: "The whole care team".into(),
        }];
        let mut roles: Vec<String> = Vec::new();
        let mut members = Vec::new();
        for v in views
            .iter()
            .filter(|v| v.active && v.member.kind == MemberKind::Professional)
        {
            if !roles.iter().any(|r| r.eq_ignore_ascii_case(&v.member.role)) {
                roles.push(v.member.role.clone());
            }
            let label = format!("{} ({})", v.display_name, v.member.role);
            members.push(AddressOption {
                value: v.member.id.to_string(),
                label: label.clone(),
            });
        }
        for r in &roles {
            options.push(AddressOption {
                value: format!("role:{r}"),
                label: format!("Role: {r}"),
            });
        }
        for m in &members {
            options.push(AddressOption {
                value: format!("member:{}", m.value),
                label: m.label.clone(),
            });
        }
        if matches!(ctx.principal.subject, Subject::Professional(_)) {
            options.push(AddressOption {
                value: "patient".into(),
                label: format!("{} (the patient)", p.name),
            });
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Team,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        let today = self.today();
        Ok(ComposeView {
            patient_id: patient,
            patient_name: p.name,
            options,
            members,
            default_due: self
                .config
                .calendar
                .add_working_days(today, self.config.request_working_days),
            today,
        })
    }

    /// Turns addressees (`team`, `role:…`, `member:…`, `patient`) into accounts.
    pub(crate) async fn resolve_addressees(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        to: &[String],
    ) -> Result<Vec<Addressee>, AppError> {
        let today = self.today();
        let team = tx.get_team(patient).await?;
        let members: Vec<_> = team
            .as_ref()
            .map(|t| t.active_members(today).cloned().collect())
            .unwrap_or_default();
        let mut e = ValidationErrors::new();
        let mut chosen: Vec<&samband_domain::team::TeamMember> = Vec::new();
        let mut to_patient = false;
        let to: Vec<String> = if to.is_empty() && ctx.principal.subject.own_patient().is_some() {
            vec!["team".into()]
        } else {
            to.to_vec()
        };
        if to.is_empty() {
            e.add("to", "required", "choose at least one recipient");
        }
        for a in &to {
            let a = a.trim();
            if a == "team" {
                chosen.extend(
                    members
                        .iter()
                        .filter(|m| m.kind == MemberKind::Professional),
                );
            } else if a == "patient" {
                to_patient = true;
            } else if let Some(role) = a.strip_prefix("role:") {
                let found: Vec<_> = members
                    .iter()
                    .filter(|m| m.kind == MemberKind::Professional)
                    .filter(|m| m.role.eq_ignore_ascii_case(role.trim()))
                    .collect();
                if found.is_empty() {
                    e.add(
                        "to",
                        "role_not_on_team",
                        format!("nobody on the team has the role {role}"),
                    );
                }
                chosen.extend(found);
            } else if let Some(id) = a
                .strip_prefix("member:")
                .and_then(|s| s.parse::<MemberId>().ok())
            {
                match members
                    .iter()
                    .find(|m| m.id == id && m.kind == MemberKind::Professional)
                {
                    Some(m) => chosen.push(m),
                    None => match team.as_ref().and_then(|t| t.member(id)) {
                        // Someone who left: say so, and who to write to instead.
                        Some(gone) if gone.active_to.is_some_and(|to| to < today) => {
                            let (name, instead) =
                                self.team().left_notice(tx, patient, gone).await?;
                            e.add(
                                "to",
                                "member_left",
                                format!(
                                    "{name} has left the care team; write to {instead} instead"
                                ),
                            );
                        }
                        _ => e.add(
                            "to",
                            "not_on_team",
                            "the recipient is not on the patient's care team",
                        ),
                    },
                }
            } else {
                e.add(
                    "to",
                    "not_on_team",
                    "the recipient is not on the patient's care team",
                );
            }
        }
        std::mem::take(&mut e).into_result()?;
        let mut out: Vec<Addressee> = Vec::new();
        for m in chosen {
            let Some(pid) = m.professional_id else {
                continue;
            };
            let name = tx
                .get_professional(pid)
                .await?
                .map(|p| p.name)
                .unwrap_or_else(|| m.role.clone());
            match tx.account_for_professional(pid).await? {
                Some(account) => {
                    if account.id != ctx.principal.account_id
                        && !out.iter().any(|o| o.account.id == account.id)
                    {
                        out.push(Addressee {
                            account,
                            name,
                            member: Some(m.id),
                        });
                    }
                }
                None => e.add(
                    "to",
                    "no_account",
                    format!("{name} has no Samband account and cannot receive messages here"),
                ),
            }
        }
        if to_patient {
            let name = tx
                .get_patient(patient)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            for account in tx.accounts_for_patient(patient).await? {
                if account.id != ctx.principal.account_id {
                    let name = if account.patient_id == Some(patient)
                        && account.role == samband_domain::principal::AccountRole::Patient
                    {
                        name.clone()
                    } else {
                        account.display_name.clone()
                    };
                    out.push(Addressee {
                        account,
                        name,
                        member: None,
                    });
                }
            }
        }
        if out.is_empty() && e.is_empty() {
            e.add(
                "to",
                "no_recipients",
                "nobody else on the team can receive this message",
            );
        }
        e.into_result()?;
        Ok(out)
    }

    /// Refuses recipients whom the patient's consent keeps from this category.
    pub(crate) async fn check_recipients_may_read(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
        category: Category,
        recipients: &[Addressee],
    ) -> Result<(), AppError> {
        let mut e = ValidationErrors::new();
        for r in recipients {
            let principal =
                crate::auth::principal_for(&r.account, samband_domain::principal::Scopes::ALL)?;
            let rctx = Ctx {
                principal,
                request_id: None,
            };
            let facts = self.load_facts(tx, &rctx, patient).await?;
            if self.decide_in(
                &rctx,
                patient,
                &facts,
                Operation::Read,
                Object::Message,
                category,
                Detail::None,
            ) != crate::policy::Decision::Permit(Purpose::Care)
                && !matches!(
                    rctx.principal.subject,
                    Subject::Patient(_) | Subject::Proxy { .. }
                )
            {
                e.add(
                    "to",
                    "no_consent",
                    format!(
                        "{} may not receive {} information under the patient's consent",
                        r.name,
                        category.as_str().replace('_', " ")
                    ),
                );
            }
        }
        Ok(e.into_result()?)
    }
}
