//! The patient's access log, read from the audit trail a page at a time.

use super::Consents;
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use serde::Serialize;
use std::collections::HashMap;

/// One line of the patient's access log.
#[derive(Debug, Clone, Serialize)]
pub struct AccessLogRow {
    pub at: DateTime<Utc>,
    pub who: String,
    pub role: String,
    pub organisation: Option<String>,
    pub action: String,
    pub object: String,
    pub purpose: String,
    pub emergency: bool,
}

/// Name, role and organisation of whoever holds `account`, for the access log.
pub(crate) async fn describe_actor(
    tx: &mut Box<dyn samband_store::Tx>,
    account: AccountId,
) -> Result<(String, String, Option<String>), AppError> {
    let Some(a) = tx.get_account(account).await? else {
        return Ok(("—".into(), String::new(), None));
    };
    let pro = match a.professional_id {
        Some(p) => tx.get_professional(p).await?,
        None => None,
    };
    let Some(pro) = pro else {
        return Ok((a.display_name, a.role.as_str().to_owned(), None));
    };
    let org = match pro.organisation_ids.first() {
        Some(o) => tx.get_organisation(*o).await?.map(|o| o.name),
        None => None,
    };
    Ok((a.display_name, pro.title, org))
}

impl Consents<'_> {
    /// One page of the patient's own view of who opened or changed their record,
    /// newest first, with how many entries there are.
    pub async fn access_log(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<AccessLogRow>, AppError> {
        let req = crate::paging::parse::<i64>("access_log", page)?;
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::AccessLog,
                Detail::None,
            )
            .await?;
        let entries = tx.access_log(patient, &req.probe()).await?;
        let (entries, next) = req.cut(entries, |(seq, e)| (*seq, e.id));
        let total = tx.count_access_log(patient).await?;
        let mut people: HashMap<AccountId, (String, String, Option<String>)> = HashMap::new();
        let mut rows = Vec::with_capacity(entries.len());
        for (_, e) in entries {
            let Some(actor) = e.actor_account_id else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = people.entry(actor) {
                slot.insert(describe_actor(&mut tx, actor).await?);
            }
            let (who, role, organisation) = people.get(&actor).cloned().unwrap_or_default();
            // A refusal's purpose field names the policy's reason, not a purpose.
            let purpose = if e.action == "deny" {
                "refused".to_owned()
            } else {
                e.purpose.clone()
            };
            rows.push(AccessLogRow {
                at: e.at,
                emergency: e.purpose == Purpose::Emergency.as_str(),
                who,
                role,
                organisation,
                action: e.action,
                object: e.object_type,
                purpose,
            });
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::AccessLog,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(rows, next, total))
    }
}
