//! The relapse-prevention plan.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::*;
use samband_domain::relapse::{RelapsePlan, RelapseState, RelapseStatus, WarningSign};
use samband_store::*;
use sqlx::postgres::PgRow;
use std::collections::HashMap;
use uuid::Uuid;

fn status(r: &PgRow) -> StoreResult<(RelapseStatus, Option<NaiveDate>)> {
    let status = RelapseStatus::parse("status", &get::<String>(r, "status")?)
        .map_err(|_| corrupt("relapse plan status"))?;
    Ok((status, get::<Option<NaiveDate>>(r, "agreed_on")?))
}

fn plan_row(patient: PatientId, r: &PgRow) -> StoreResult<RelapsePlan> {
    let signs: Vec<WarningSign> = serde_json::from_str(&get::<String>(r, "signs")?)
        .map_err(|_| corrupt("relapse plan signs"))?;
    let (status, agreed_on) = status(r)?;
    Ok(RelapsePlan {
        patient_id: patient,
        signs,
        what_helps: get(r, "what_helps")?,
        contacts: get(r, "contacts")?,
        status,
        agreed_on,
        updated_at: get::<Option<DateTime<Utc>>>(r, "updated_at")?,
        version: get(r, "version")?,
    })
}

#[async_trait]
impl RelapsePlanRepo for PgTx {
    async fn get_relapse_plan(&mut self, patient: PatientId) -> StoreResult<Option<RelapsePlan>> {
        let row = sqlx::query("SELECT * FROM relapse_plans WHERE patient_id = $1")
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| plan_row(patient, &r)).transpose()
    }

    async fn save_relapse_plan(&mut self, p: &RelapsePlan, expected: i64) -> StoreResult<i64> {
        let signs =
            serde_json::to_string(&p.signs).map_err(|e| StoreError::Other(e.to_string()))?;
        if expected == 0 {
            let r = sqlx::query(
                "INSERT INTO relapse_plans (patient_id, signs, what_helps, contacts, status, agreed_on, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1) ON CONFLICT DO NOTHING",
            )
            .bind(p.patient_id.as_uuid())
            .bind(signs)
            .bind(&p.what_helps)
            .bind(&p.contacts)
            .bind(p.status.as_str())
            .bind(p.agreed_on)
            .bind(p.updated_at)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
            return versioned(r.rows_affected(), 0);
        }
        let r = sqlx::query(
            "UPDATE relapse_plans SET signs = $1, what_helps = $2, contacts = $3, status = $4, agreed_on = $5, \
             updated_at = $6, version = version + 1 WHERE patient_id = $7 AND version = $8",
        )
        .bind(signs)
        .bind(&p.what_helps)
        .bind(&p.contacts)
        .bind(p.status.as_str())
        .bind(p.agreed_on)
        .bind(p.updated_at)
        .bind(p.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn relapse_states(
        &mut self,
        patients: &[PatientId],
    ) -> StoreResult<Vec<(PatientId, RelapseState)>> {
        if patients.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = patients.iter().map(|p| p.as_uuid()).collect();
        let rows = sqlx::query(
            "SELECT patient_id, status, agreed_on, version FROM relapse_plans WHERE patient_id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let mut found = HashMap::with_capacity(rows.len());
        for r in &rows {
            let patient: PatientId = uid(r, "patient_id")?;
            let (status, agreed_on) = status(r)?;
            let plan = RelapsePlan {
                status,
                agreed_on,
                version: get(r, "version")?,
                ..RelapsePlan::empty(patient)
            };
            found.insert(patient, plan.state());
        }
        Ok(patients
            .iter()
            .map(|p| (*p, found.get(p).copied().unwrap_or(RelapseState::None)))
            .collect())
    }
}
