//! The relapse-prevention plan.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_domain::relapse::{RelapsePlan, RelapseState, RelapseStatus, WarningSign};
use samband_store::*;
use std::collections::HashMap;

fn status(r: &Row) -> StoreResult<(RelapseStatus, Option<chrono::NaiveDate>)> {
    let status = RelapseStatus::parse("status", &get::<String>(r, "status")?)
        .map_err(|_| corrupt("relapse plan status"))?;
    let agreed_on = get::<Option<String>>(r, "agreed_on")?
        .as_deref()
        .map(parse_date)
        .transpose()?;
    Ok((status, agreed_on))
}

fn plan_row(patient: PatientId, r: &Row) -> StoreResult<RelapsePlan> {
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
        updated_at: get::<Option<String>>(r, "updated_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
        version: get(r, "version")?,
    })
}

#[async_trait]
impl RelapsePlanRepo for SqliteTx {
    async fn get_relapse_plan(&mut self, patient: PatientId) -> StoreResult<Option<RelapsePlan>> {
        let row = query("SELECT * FROM relapse_plans WHERE patient_id = ?")
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.map(|r| plan_row(patient, &r)).transpose()
    }

    async fn save_relapse_plan(&mut self, p: &RelapsePlan, expected: i64) -> StoreResult<i64> {
        let signs =
            serde_json::to_string(&p.signs).map_err(|e| StoreError::Other(e.to_string()))?;
        if expected == 0 {
            let r = query(
                "INSERT INTO relapse_plans (patient_id, signs, what_helps, contacts, status, agreed_on, updated_at, version) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
            )
            .bind(p.patient_id.to_string())
            .bind(signs)
            .bind(&p.what_helps)
            .bind(&p.contacts)
            .bind(p.status.as_str().to_owned())
            .bind(p.agreed_on.as_ref().map(date))
            .bind(p.updated_at.as_ref().map(ts))
            .execute(&self.tx)?;
            return versioned(r.rows_affected(), 0);
        }
        let r = query(
            "UPDATE relapse_plans SET signs = ?, what_helps = ?, contacts = ?, status = ?, agreed_on = ?, \
             updated_at = ?, version = version + 1 WHERE patient_id = ? AND version = ?",
        )
        .bind(signs)
        .bind(&p.what_helps)
        .bind(&p.contacts)
        .bind(p.status.as_str().to_owned())
        .bind(p.agreed_on.as_ref().map(date))
        .bind(p.updated_at.as_ref().map(ts))
        .bind(p.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn relapse_states(
        &mut self,
        patients: &[PatientId],
    ) -> StoreResult<Vec<(PatientId, RelapseState)>> {
        if patients.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = patients.iter().map(ToString::to_string).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| StoreError::Other(e.to_string()))?;
        let rows = query(
            "SELECT patient_id, status, agreed_on, version FROM relapse_plans \
             WHERE patient_id IN (SELECT value FROM json_each(?))",
        )
        .bind(ids)
        .fetch_all(&self.tx)?;
        let mut found = HashMap::with_capacity(rows.len());
        for r in &rows {
            let patient: PatientId = id(&get::<String>(r, "patient_id")?)?;
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
