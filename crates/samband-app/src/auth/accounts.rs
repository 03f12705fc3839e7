//! Creating a sign-in account, and the audit entry of an account's acts.

use super::Auth;
use crate::auth::check_new_password;
use crate::auth::hash_password;
use crate::AppError;
use chrono::{DateTime, Utc};
use samband_domain::ids::AccountId;
use samband_domain::principal::{AccountRole, Subject};
use samband_domain::ValidationErrors;
use samband_store::{Account, AuditEntry, Tx};
use uuid::Uuid;

pub(crate) fn audit(
    at: DateTime<Utc>,
    account: Option<AccountId>,
    action: &str,
    request_id: Option<String>,
) -> AuditEntry {
    AuditEntry {
        id: Uuid::now_v7(),
        at,
        actor_account_id: account,
        patient_id: None,
        object_type: "account".into(),
        object_id: account.map(|a| a.to_string()),
        action: action.into(),
        purpose: "authentication".into(),
        request_id,
    }
}

impl Auth<'_> {
    /// Creates an account inside an open transaction (used by admin use cases and seeding).
    #[allow(clippy::too_many_arguments)] // the fields of one account, checked together
    pub(crate) async fn insert_account(
        &self,
        tx: &mut dyn Tx,
        username: &str,
        password: &str,
        role: AccountRole,
        display_name: &str,
        link: Subject,
        privacy_officer: bool,
    ) -> Result<Account, AppError> {
        let mut errs = ValidationErrors::new();
        let uname = username.trim();
        if uname.len() < 2
            || uname.len() > 64
            || !uname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        {
            errs.add(
                "username",
                "bad_username",
                "2–64 characters: letters, digits, . - _ @",
            );
        }
        if let Err(e) = check_new_password(password, uname, display_name) {
            errs.errors.extend(e.errors);
        }
        errs.into_result()?;
        if tx.get_account_by_username(uname).await?.is_some() {
            return Err(
                ValidationErrors::single("username", "taken", "this username is taken").into(),
            );
        }
        let (professional_id, patient_id, proxy_may_consent) = match link {
            Subject::Professional(p) => (Some(p), None, false),
            Subject::Patient(p) => (None, Some(p), false),
            Subject::Proxy {
                patient,
                may_consent,
            } => (None, Some(patient), may_consent),
            Subject::Admin => (None, None, false),
        };
        let account = Account {
            id: AccountId::new(),
            username: uname.to_owned(),
            password_hash: hash_password(password)?.into(),
            role,
            professional_id,
            patient_id,
            display_name: display_name.to_owned(),
            locale: None,
            disabled: false,
            created_at: self.clock.now(),
            totp_secret: None,
            totp_last_step: None,
            privacy_officer,
            proxy_may_consent,
        };
        tx.insert_account(&account).await?;
        Ok(account)
    }
}
