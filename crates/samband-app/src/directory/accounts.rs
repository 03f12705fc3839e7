//! Sign-in accounts created by an administrator for professionals, patients and
//! proxies.

use super::Directory;
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::principal::{AccountRole, Subject};
use samband_domain::ValidationErrors;
use samband_store::Account;

/// Input for a new account (the CLI's `user add` and the admin API).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub username: String,
    /// Never printed (`Debug` shows `[redacted]`).
    pub password: samband_store::Secret,
    pub role: String,
    pub display_name: String,
    pub professional_id: Option<ProfessionalId>,
    pub patient_id: Option<PatientId>,
    /// A professional who reviews emergency access in their organisation.
    #[serde(default)]
    pub privacy_officer: bool,
    /// A proxy authorised (e.g. by a signed power of attorney) to change consent.
    #[serde(default)]
    pub proxy_may_consent: bool,
}

impl Directory<'_> {
    /// Creates an account. `ctx` None means the local operator (CLI), who is trusted.
    pub async fn create_account(
        &self,
        ctx: Option<&Ctx>,
        input: &AccountInput,
    ) -> Result<Account, AppError> {
        if let Some(ctx) = ctx {
            self.require_admin(ctx)?;
        }
        let role = AccountRole::parse("role", &input.role)?;
        let mut errs = ValidationErrors::new();
        let display_name = errs.take(samband_domain::text::required(
            "display_name",
            &input.display_name,
            200,
        ));
        let mut tx = self.store.begin().await?;
        let link = match role {
            AccountRole::Admin => Subject::Admin,
            AccountRole::Professional => match input.professional_id {
                Some(p) if tx.get_professional(p).await?.is_some() => Subject::Professional(p),
                _ => {
                    errs.add(
                        "professional_id",
                        "required",
                        "a professional account must link to an existing professional",
                    );
                    Subject::Admin
                }
            },
            AccountRole::Proxy => match input.patient_id {
                Some(p) if tx.get_patient(p).await?.is_some() => Subject::Proxy {
                    patient: p,
                    may_consent: input.proxy_may_consent,
                },
                _ => {
                    errs.add(
                        "patient_id",
                        "required",
                        "a proxy account must link to the patient they act for",
                    );
                    Subject::Admin
                }
            },
            AccountRole::Patient => match input.patient_id {
                Some(p) if tx.get_patient(p).await?.is_some() => Subject::Patient(p),
                _ => {
                    errs.add(
                        "patient_id",
                        "required",
                        "a patient account must link to an existing patient",
                    );
                    Subject::Admin
                }
            },
        };
        if input.proxy_may_consent && role != AccountRole::Proxy {
            errs.add(
                "proxy_may_consent",
                "not_allowed",
                "only proxies act on consent for a patient",
            );
        }
        if input.privacy_officer && role != AccountRole::Professional {
            errs.add(
                "privacy_officer",
                "not_allowed",
                "only professionals can be privacy officers",
            );
        }
        errs.into_result()?;
        let display_name = display_name.unwrap_or_default();
        let account = self
            .auth()
            .insert_account(
                &mut *tx,
                &input.username,
                input.password.expose(),
                role,
                &display_name,
                link,
                input.privacy_officer,
            )
            .await?;
        tx.append_audit(&self.directory_audit(ctx, "account", account.id.to_string(), "create"))
            .await?;
        tx.commit().await?;
        Ok(account)
    }
}
