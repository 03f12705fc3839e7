//! Consent documents and emergency-access grants.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::consent::Consent;
use samband_domain::ids::*;
use samband_store::*;
use uuid::Uuid;

fn grant_row(r: &Row) -> StoreResult<EmergencyGrant> {
    Ok(EmergencyGrant {
        id: id::<Uuid>(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        account_id: id(&get::<String>(r, "account_id")?)?,
        reason_code: get(r, "reason_code")?,
        reason_text: get(r, "reason_text")?,
        started_at: parse_ts(&get::<String>(r, "started_at")?)?,
        expires_at: parse_ts(&get::<String>(r, "expires_at")?)?,
        reviewed_at: get::<Option<String>>(r, "reviewed_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
        reviewed_by: opt_id(get(r, "reviewed_by")?)?,
    })
}

/// A consent from its stored columns.
pub(crate) fn consent_from(
    patient: PatientId,
    rules: String,
    updated_at: Option<String>,
    version: i64,
) -> StoreResult<Consent> {
    Ok(Consent {
        patient_id: patient,
        rules: serde_json::from_str(&rules).map_err(|_| corrupt("consent rules"))?,
        updated_at: updated_at.as_deref().map(parse_ts).transpose()?,
        version,
    })
}

/// A grant is in a reviewer's share when the one who used it works in an organisation
/// the reviewer works in; no reviewer (bound twice, as NULL) is every grant.
const SHARE: &str = "(? IS NULL OR EXISTS (\
    SELECT 1 FROM accounts a \
    JOIN professional_organisations theirs ON theirs.professional_id = a.professional_id \
    JOIN professional_organisations mine ON mine.organisation_id = theirs.organisation_id \
    WHERE a.id = e.account_id AND mine.professional_id = ?))";

#[async_trait]
impl ConsentRepo for SqliteTx {
    async fn get_consent(&mut self, patient: PatientId) -> StoreResult<Option<Consent>> {
        // Read with the membership a moment ago, in this same transaction.
        if let Some((p, consent)) = &self.consent {
            if *p == patient {
                return Ok(consent.clone());
            }
        }
        let row = query("SELECT rules, updated_at, version FROM consents WHERE patient_id = ?")
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.map(|r| {
            consent_from(
                patient,
                get(&r, "rules")?,
                get(&r, "updated_at")?,
                get(&r, "version")?,
            )
        })
        .transpose()
    }

    async fn save_consent(&mut self, c: &Consent, expected: i64) -> StoreResult<i64> {
        // Whatever was read before is no longer the consent of this transaction.
        self.consent = None;
        let rules =
            serde_json::to_string(&c.rules).map_err(|e| StoreError::Other(e.to_string()))?;
        let r = if expected == 0 {
            query("INSERT INTO consents (patient_id, rules, updated_at, version) VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING")
                .bind(c.patient_id.to_string())
                .bind(&rules)
                .bind(c.updated_at.as_ref().map(ts))
                .execute(&self.tx)
        } else {
            query("UPDATE consents SET rules = ?, updated_at = ?, version = version + 1 WHERE patient_id = ? AND version = ?")
                .bind(&rules)
                .bind(c.updated_at.as_ref().map(ts))
                .bind(c.patient_id.to_string())
                .bind(expected)
                .execute(&self.tx)
        }?;
        versioned(r.rows_affected(), expected)
    }

    async fn insert_emergency(&mut self, g: &EmergencyGrant) -> StoreResult<()> {
        query(
            "INSERT INTO emergency_access (id, patient_id, account_id, reason_code, reason_text, started_at, expires_at, reviewed_at, reviewed_by) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(g.id.to_string())
        .bind(g.patient_id.to_string())
        .bind(g.account_id.to_string())
        .bind(&g.reason_code)
        .bind(&g.reason_text)
        .bind(ts(&g.started_at))
        .bind(ts(&g.expires_at))
        .bind(g.reviewed_at.as_ref().map(ts))
        .bind(g.reviewed_by.map(|a| a.to_string()))
        .execute(&self.tx)?;
        Ok(())
    }

    async fn active_emergency(
        &mut self,
        account: AccountId,
        patient: PatientId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<EmergencyGrant>> {
        let row = query(
            "SELECT * FROM emergency_access WHERE account_id = ? AND patient_id = ? AND started_at <= ? AND expires_at > ? \
             ORDER BY started_at DESC LIMIT 1",
        )
        .bind(account.to_string())
        .bind(patient.to_string())
        .bind(ts(&now))
        .bind(ts(&now))
        .fetch_optional(&self.tx)?;
        row.as_ref().map(grant_row).transpose()
    }

    async fn list_emergency(
        &mut self,
        patient: Option<PatientId>,
        unreviewed: bool,
    ) -> StoreResult<Vec<EmergencyGrant>> {
        let p = patient.map(|p| p.to_string());
        let rows = query(
            "SELECT * FROM emergency_access WHERE (? IS NULL OR patient_id = ?) AND (? = 0 OR reviewed_at IS NULL) ORDER BY started_at DESC",
        )
        .bind(&p)
        .bind(&p)
        .bind(unreviewed)
        .fetch_all(&self.tx)?;
        rows.iter().map(grant_row).collect()
    }

    async fn emergency_review_page(
        &mut self,
        reviewer: Option<ProfessionalId>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<EmergencyGrant>> {
        let seek = if page.after.is_some() {
            "AND (e.started_at, e.id) < (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT e.* FROM emergency_access e WHERE e.reviewed_at IS NULL AND {SHARE} {seek}\
             ORDER BY e.started_at DESC, e.id DESC LIMIT ?"
        );
        let r = reviewer.map(|p| p.to_string());
        let mut q = query(&sql).bind(&r).bind(&r);
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter().map(grant_row).collect()
    }

    async fn count_emergency_review(
        &mut self,
        reviewer: Option<ProfessionalId>,
    ) -> StoreResult<i64> {
        let r = reviewer.map(|p| p.to_string());
        query_scalar(&format!(
            "SELECT COUNT(*) FROM emergency_access e WHERE e.reviewed_at IS NULL AND {SHARE}"
        ))
        .bind(&r)
        .bind(&r)
        .fetch_one(&self.tx)
    }

    async fn emergency_for_review(
        &mut self,
        grant: Uuid,
        reviewer: Option<ProfessionalId>,
    ) -> StoreResult<Option<EmergencyGrant>> {
        let r = reviewer.map(|p| p.to_string());
        let row = query(&format!(
            "SELECT e.* FROM emergency_access e WHERE e.id = ? AND e.reviewed_at IS NULL AND {SHARE}"
        ))
        .bind(grant.to_string())
        .bind(&r)
        .bind(&r)
        .fetch_optional(&self.tx)?;
        row.as_ref().map(grant_row).transpose()
    }

    async fn mark_emergency_reviewed(
        &mut self,
        grant: Uuid,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let r = query("UPDATE emergency_access SET reviewed_at = ?, reviewed_by = ? WHERE id = ? AND reviewed_at IS NULL")
            .bind(ts(&at))
            .bind(by.to_string())
            .bind(grant.to_string())
            .execute(&self.tx)?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}
