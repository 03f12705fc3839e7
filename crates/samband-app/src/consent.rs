//! Consent, emergency access ("break the glass") and the patient's access log.

use crate::kernel::{Change, Facts, Versioned};
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{App, AppError, Ctx};
use chrono::{DateTime, Duration, Utc};
use samband_domain::consent::{Consent, ConsentSource, Recipient, RuleInput};
use samband_domain::ids::*;
use samband_domain::principal::Subject;
use samband_domain::text::{self, LONG};
use samband_domain::ValidationErrors;
use samband_store::{AuditEntry, EmergencyGrant};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// How long an emergency-access grant lasts, at most.
pub const EMERGENCY_HOURS: i64 = 4;

/// The reasons a professional may give for emergency access (plus free text).
pub const EMERGENCY_REASONS: &[&str] = &[
    "urgent_treatment",
    "patient_unconscious",
    "threat_to_life_or_health",
    "other",
];

/// An emergency-access event awaiting review, with who used it.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub grant: EmergencyGrant,
    pub who: String,
    pub role: String,
    pub organisation: Option<String>,
}

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

impl App {
    /// The patient's consent (patients and their team may read it).
    pub async fn consent(&self, ctx: &Ctx, patient: PatientId) -> Result<Consent, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Consent,
                Detail::None,
            )
            .await?;
        let c = tx
            .get_consent(patient)
            .await?
            .unwrap_or_else(|| Consent::empty(patient));
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Consent,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Replaces the patient's consent rules if still at `expected`. A patient changes
    /// their own; a professional on the team may only record a consent given on paper,
    /// after re-entering their password.
    pub async fn save_consent(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        rules: &[RuleInput],
        expected: i64,
        password_for_paper: Option<&str>,
    ) -> Result<Consent, AppError> {
        self.rate_limit(
            crate::ratelimit::LimitClass::Consent,
            &ctx.principal.account_id.to_string(),
        )?;
        let (source, detail) = match ctx.principal.subject {
            Subject::Patient(_) => (ConsentSource::Patient, Detail::None),
            Subject::Proxy { .. } => (ConsentSource::Proxy, Detail::None),
            _ => (ConsentSource::Paper, Detail::PaperConsent),
        };
        if source == ConsentSource::Paper {
            self.reauthenticate(ctx, password_for_paper.unwrap_or(""))
                .await?;
        }
        let mut errs = ValidationErrors::new();
        let parsed: Vec<_> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| errs.take(r.parse(&format!("rules[{i}]."), source, self.today())))
            .collect();
        if rules.len() > 500 {
            errs.add("rules", "too_many", "at most 500 rules");
        }
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(tx, ctx, patient, Operation::Update, Object::Consent, detail)
            .await?;
        for (i, r) in parsed.iter().enumerate() {
            if let Recipient::Organisation(o) = r.recipient {
                if tx.get_organisation(o).await?.is_none() {
                    errs.add(
                        &format!("rules[{i}].recipient"),
                        "unknown_recipient",
                        "no such organisation",
                    );
                }
            }
        }
        errs.into_result()?;
        let old = tx
            .get_consent(patient)
            .await?
            .unwrap_or_else(|| Consent::empty(patient));
        let at = Versioned {
            patient,
            object: Object::Consent,
            id: patient.to_string(),
            purpose,
        };
        let mut tx = self.check_version(tx, ctx, &at, &old, expected).await?;
        let mut next = Consent {
            patient_id: patient,
            rules: parsed,
            updated_at: Some(self.clock.now()),
            version: 0,
        };
        let saved = tx.save_consent(&next, expected).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move {
                    Ok::<_, AppError>(
                        tx.get_consent(patient)
                            .await?
                            .unwrap_or_else(|| Consent::empty(patient)),
                    )
                })
            })
            .await?;
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Consent,
                id: patient.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason: None,
                audit_id: None,
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }

    /// Checks the signed-in user's password again before a sensitive action.
    pub async fn reauthenticate(&self, ctx: &Ctx, password: &str) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        let account = tx
            .get_account(ctx.principal.account_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        drop(tx);
        if crate::auth::verify_password(password, account.password_hash.expose()) {
            Ok(())
        } else {
            Err(
                ValidationErrors::single("password", "reauth_failed", "the password is not right")
                    .into(),
            )
        }
    }

    /// Emergency access: a professional without access (not on the team, or refused by
    /// consent) states a reason and re-enters their password, and may then read this
    /// one patient's record for at most four hours. Everything they open is logged with
    /// the purpose "emergency", shown to the patient and flagged for review.
    pub async fn break_glass(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        reason_code: &str,
        reason_text: &str,
        password: &str,
    ) -> Result<EmergencyGrant, AppError> {
        // Asking for emergency access comes before any access to the record.
        self.authorize_unbound(ctx, crate::policy::Operation::Create)
            .await?;
        let mut errs = ValidationErrors::new();
        if !EMERGENCY_REASONS.contains(&reason_code) {
            errs.add(
                "reason_code",
                "bad_choice",
                format!("must be one of: {}", EMERGENCY_REASONS.join(", ")),
            );
        }
        let text = errs.take(text::required("reason_text", reason_text, LONG));
        if text.as_ref().is_some_and(|t| t.chars().count() < 10) {
            errs.add(
                "reason_text",
                "too_short_reason",
                "describe the situation (at least 10 characters)",
            );
        }
        errs.into_result()?;
        self.reauthenticate(ctx, password).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // The patient must exist; an unknown id is answered like any other.
        if tx.get_patient(patient).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let grant = EmergencyGrant {
            id: Uuid::now_v7(),
            patient_id: patient,
            account_id: ctx.principal.account_id,
            reason_code: reason_code.to_owned(),
            reason_text: text.unwrap_or_default(),
            started_at: now,
            expires_at: now + Duration::hours(EMERGENCY_HOURS),
            reviewed_at: None,
            reviewed_by: None,
        };
        tx.insert_emergency(&grant).await?;
        tx.append_audit(&AuditEntry {
            id: Uuid::now_v7(),
            at: now,
            actor_account_id: Some(ctx.principal.account_id),
            patient_id: Some(patient),
            object_type: "emergency_access".into(),
            object_id: Some(grant.id.to_string()),
            action: "emergency_access".into(),
            purpose: Purpose::Emergency.as_str().into(),
            request_id: ctx.request_id.clone(),
        })
        .await?;
        tx.commit().await?;
        tracing::warn!(patient.id = %patient, "emergency access granted");
        Ok(grant)
    }

    /// Emergency access by a national identity number (what an emergency room has) or a
    /// Samband patient id. An unknown identifier is answered as not found.
    pub async fn break_glass_by_identifier(
        &self,
        ctx: &Ctx,
        identifier: &str,
        reason_code: &str,
        reason_text: &str,
        password: &str,
    ) -> Result<(PatientId, EmergencyGrant), AppError> {
        let raw = identifier.trim();
        let patient = match raw.parse::<PatientId>() {
            Ok(id) => Some(id),
            Err(_) => {
                let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
                if digits.len() < 10 || digits.len() > 11 {
                    return Err(ValidationErrors::single(
                        "identifier",
                        "bad_identifier",
                        "give an 11-digit national identity number (10 for CPR) or a patient id",
                    )
                    .into());
                }
                let mut tx = self.store.begin().await?;
                tx.find_patient_by_national_id(&digits).await?
            }
        };
        let patient = patient.ok_or(AppError::NotFound)?;
        let grant = self
            .break_glass(ctx, patient, reason_code, reason_text, password)
            .await?;
        Ok((patient, grant))
    }

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

    /// Emergency-access events awaiting review, metadata only: all of them for
    /// administrators; for a privacy officer, those by people in their organisation.
    pub async fn emergency_to_review(&self, ctx: &Ctx) -> Result<Vec<EmergencyGrant>, AppError> {
        let mut tx = self.store.begin_read().await?;
        let open = tx.list_emergency(None, true).await?;
        match ctx.principal.subject {
            Subject::Admin => Ok(open),
            Subject::Professional(me) => {
                let account = tx
                    .get_account(ctx.principal.account_id)
                    .await?
                    .ok_or(AppError::Unauthenticated)?;
                if !account.privacy_officer {
                    return Err(AppError::Forbidden);
                }
                let my_orgs = tx
                    .get_professional(me)
                    .await?
                    .map(|p| p.organisation_ids)
                    .unwrap_or_default();
                let mut mine = Vec::new();
                for g in open {
                    let theirs = match tx
                        .get_account(g.account_id)
                        .await?
                        .and_then(|a| a.professional_id)
                    {
                        Some(p) => tx
                            .get_professional(p)
                            .await?
                            .map(|p| p.organisation_ids)
                            .unwrap_or_default(),
                        None => Vec::new(),
                    };
                    if theirs.iter().any(|o| my_orgs.contains(o)) {
                        mine.push(g);
                    }
                }
                Ok(mine)
            }
            Subject::Patient(_) | Subject::Proxy { .. } => Err(AppError::Forbidden),
        }
    }

    /// The review list with each professional's name, title and organisation.
    pub async fn emergency_review_list(&self, ctx: &Ctx) -> Result<Vec<ReviewItem>, AppError> {
        let grants = self.emergency_to_review(ctx).await?;
        let mut tx = self.store.begin().await?;
        let mut out = Vec::with_capacity(grants.len());
        for grant in grants {
            let (who, role, organisation) = describe_actor(&mut tx, grant.account_id).await?;
            out.push(ReviewItem {
                grant,
                who,
                role,
                organisation,
            });
        }
        Ok(out)
    }

    pub async fn mark_emergency_reviewed(&self, ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
        if !ctx.principal.scopes.write {
            return Err(AppError::Forbidden);
        }
        // Only an event this reviewer may see can be marked.
        if !self
            .emergency_to_review(ctx)
            .await?
            .iter()
            .any(|g| g.id == id)
        {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin().await?;
        tx.mark_emergency_reviewed(id, ctx.principal.account_id, self.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Is this principal's access to the patient an emergency grant right now?
    pub async fn facts_for(&self, ctx: &Ctx, patient: PatientId) -> Result<bool, AppError> {
        let mut tx = self.store.begin_read().await?;
        let facts: Facts = self.load_facts(&mut tx, ctx, patient).await?;
        Ok(facts.emergency && facts.membership.is_none())
    }
}

/// Name, role and organisation of whoever holds `account`, for the access log.
async fn describe_actor(
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
