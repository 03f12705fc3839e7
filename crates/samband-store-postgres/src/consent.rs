//! Consent documents and emergency-access grants.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::consent::Consent;
use samband_domain::ids::*;
use samband_store::*;
use sqlx::postgres::PgRow;
use uuid::Uuid;

fn grant_row(r: &PgRow) -> StoreResult<EmergencyGrant> {
    Ok(EmergencyGrant {
        id: get(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        account_id: uid(r, "account_id")?,
        reason_code: get(r, "reason_code")?,
        reason_text: get(r, "reason_text")?,
        started_at: get(r, "started_at")?,
        expires_at: get(r, "expires_at")?,
        reviewed_at: get(r, "reviewed_at")?,
        reviewed_by: opt_uid(r, "reviewed_by")?,
    })
}

/// A grant is in a reviewer's share when the one who used it works in an organisation
/// the reviewer works in; no reviewer (`$1` NULL) is every grant.
const SHARE: &str = "($1::uuid IS NULL OR EXISTS (\
    SELECT 1 FROM accounts a \
    JOIN professional_organisations theirs ON theirs.professional_id = a.professional_id \
    JOIN professional_organisations mine ON mine.organisation_id = theirs.organisation_id \
    WHERE a.id = e.account_id AND mine.professional_id = $1))";

#[async_trait]
impl ConsentRepo for PgTx {
    async fn get_consent(&mut self, patient: PatientId) -> StoreResult<Option<Consent>> {
        let row = sqlx::query("SELECT * FROM consents WHERE patient_id = $1")
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            let rules: serde_json::Value = get(&r, "rules")?;
            Ok(Consent {
                patient_id: patient,
                rules: serde_json::from_value(rules).map_err(|_| corrupt("consent rules"))?,
                updated_at: get(&r, "updated_at")?,
                version: get(&r, "version")?,
            })
        })
        .transpose()
    }

    async fn save_consent(&mut self, c: &Consent, expected: i64) -> StoreResult<i64> {
        let rules = serde_json::to_value(&c.rules).map_err(|e| StoreError::Other(e.to_string()))?;
        let r = if expected == 0 {
            sqlx::query("INSERT INTO consents (patient_id, rules, updated_at, version) VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING")
                .bind(c.patient_id.as_uuid())
                .bind(&rules)
                .bind(c.updated_at)
                .execute(&mut *self.tx)
                .await
        } else {
            sqlx::query("UPDATE consents SET rules = $1, updated_at = $2, version = version + 1 WHERE patient_id = $3 AND version = $4")
                .bind(&rules)
                .bind(c.updated_at)
                .bind(c.patient_id.as_uuid())
                .bind(expected)
                .execute(&mut *self.tx)
                .await
        }
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn insert_emergency(&mut self, g: &EmergencyGrant) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO emergency_access (id, patient_id, account_id, reason_code, reason_text, started_at, expires_at, reviewed_at, reviewed_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(g.id)
        .bind(g.patient_id.as_uuid())
        .bind(g.account_id.as_uuid())
        .bind(&g.reason_code)
        .bind(&g.reason_text)
        .bind(g.started_at)
        .bind(g.expires_at)
        .bind(g.reviewed_at)
        .bind(g.reviewed_by.map(|a| a.as_uuid()))
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn active_emergency(
        &mut self,
        account: AccountId,
        patient: PatientId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<EmergencyGrant>> {
        let row = sqlx::query(
            "SELECT * FROM emergency_access WHERE account_id = $1 AND patient_id = $2 AND started_at <= $3 AND expires_at > $3 \
             ORDER BY started_at DESC LIMIT 1",
        )
        .bind(account.as_uuid())
        .bind(patient.as_uuid())
        .bind(now)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(grant_row).transpose()
    }

    async fn list_emergency(
        &mut self,
        patient: Option<PatientId>,
        unreviewed: bool,
    ) -> StoreResult<Vec<EmergencyGrant>> {
        let rows = sqlx::query(
            "SELECT * FROM emergency_access WHERE ($1::uuid IS NULL OR patient_id = $1) AND (NOT $2 OR reviewed_at IS NULL) ORDER BY started_at DESC",
        )
        .bind(patient.map(|p| p.as_uuid()))
        .bind(unreviewed)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(grant_row).collect()
    }

    async fn emergency_review_page(
        &mut self,
        reviewer: Option<ProfessionalId>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<EmergencyGrant>> {
        let seek = if page.after.is_some() {
            "AND (e.started_at, e.id) < ($3, $4) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT e.* FROM emergency_access e WHERE e.reviewed_at IS NULL AND {SHARE} {seek}\
             ORDER BY e.started_at DESC, e.id DESC LIMIT $2"
        );
        let mut q = sqlx::query(&sql)
            .bind(reviewer.map(|p| p.as_uuid()))
            .bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter().map(grant_row).collect()
    }

    async fn count_emergency_review(
        &mut self,
        reviewer: Option<ProfessionalId>,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM emergency_access e WHERE e.reviewed_at IS NULL AND {SHARE}"
        ))
        .bind(reviewer.map(|p| p.as_uuid()))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn emergency_for_review(
        &mut self,
        grant: Uuid,
        reviewer: Option<ProfessionalId>,
    ) -> StoreResult<Option<EmergencyGrant>> {
        let row = sqlx::query(&format!(
            "SELECT e.* FROM emergency_access e WHERE e.reviewed_at IS NULL AND {SHARE} AND e.id = $2"
        ))
        .bind(reviewer.map(|p| p.as_uuid()))
        .bind(grant)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(grant_row).transpose()
    }

    async fn mark_emergency_reviewed(
        &mut self,
        grant: Uuid,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let r = sqlx::query("UPDATE emergency_access SET reviewed_at = $1, reviewed_by = $2 WHERE id = $3 AND reviewed_at IS NULL")
            .bind(at)
            .bind(by.as_uuid())
            .bind(grant)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}
