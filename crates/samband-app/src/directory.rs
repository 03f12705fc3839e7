//! The directory: organisations, professionals and accounts. No patient data lives
//! here; administrators manage it, and any signed-in professional may look people up
//! (to add them to a team).

use crate::{App, AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::organisation::{NewOrganisation, Organisation};
use samband_domain::principal::{AccountRole, Subject};
use samband_domain::professional::{NewProfessional, Professional};
use samband_domain::ValidationErrors;
use samband_store::{Account, AuditEntry};
use uuid::Uuid;

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

impl App {
    pub(crate) fn require_admin(&self, ctx: &Ctx) -> Result<(), AppError> {
        match ctx.principal.subject {
            Subject::Admin if ctx.principal.scopes.write => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    fn require_staff(&self, ctx: &Ctx) -> Result<(), AppError> {
        match ctx.principal.subject {
            Subject::Admin | Subject::Professional(_) if ctx.principal.scopes.read => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    fn directory_audit(
        &self,
        ctx: Option<&Ctx>,
        object: &str,
        id: String,
        action: &str,
    ) -> AuditEntry {
        AuditEntry {
            id: Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: ctx.map(|c| c.principal.account_id),
            patient_id: None,
            object_type: object.into(),
            object_id: Some(id),
            action: action.into(),
            purpose: "administration".into(),
            request_id: ctx.and_then(|c| c.request_id.clone()),
        }
    }

    pub async fn create_organisation(
        &self,
        ctx: &Ctx,
        name: &str,
        sector: &str,
        country: Option<&str>,
    ) -> Result<Organisation, AppError> {
        self.require_admin(ctx)?;
        let new = NewOrganisation::parse(name, sector, country)?;
        let org = Organisation {
            id: OrganisationId::new(),
            name: new.name,
            sector: new.sector,
            country: new.country,
            version: 1,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_organisation(&org).await?;
        tx.append_audit(&self.directory_audit(
            Some(ctx),
            "organisation",
            org.id.to_string(),
            "create",
        ))
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn list_organisations(&self, ctx: &Ctx) -> Result<Vec<Organisation>, AppError> {
        self.require_staff(ctx)?;
        let mut tx = self.store.begin_read().await?;
        Ok(tx.list_organisations().await?)
    }

    pub async fn create_professional(
        &self,
        ctx: &Ctx,
        new: NewProfessional,
    ) -> Result<Professional, AppError> {
        self.require_admin(ctx)?;
        let mut tx = self.store.begin().await?;
        for o in &new.organisation_ids {
            if tx.get_organisation(*o).await?.is_none() {
                return Err(ValidationErrors::single(
                    "organisation_ids",
                    "unknown",
                    "no such organisation",
                )
                .into());
            }
        }
        let p = Professional {
            id: ProfessionalId::new(),
            name: new.name,
            title: new.title,
            organisation_ids: new.organisation_ids,
            phone: new.phone,
            email: new.email,
            availability: new.availability,
            version: 1,
        };
        tx.insert_professional(&p).await?;
        tx.append_audit(&self.directory_audit(
            Some(ctx),
            "professional",
            p.id.to_string(),
            "create",
        ))
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn list_professionals(&self, ctx: &Ctx) -> Result<Vec<Professional>, AppError> {
        self.require_staff(ctx)?;
        let mut tx = self.store.begin_read().await?;
        Ok(tx.list_professionals().await?)
    }

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
