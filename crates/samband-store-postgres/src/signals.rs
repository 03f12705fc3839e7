//! Absences, alerts with their events, and signal thresholds.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::absence::Absence;
use samband_domain::ids::*;
use samband_domain::signal::{Alert, SignalClass, Thresholds};
use samband_store::*;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// A stored document as JSON (a macro: the stores have no serde of their own to name
/// the bound with).
macro_rules! json {
    ($v:expr) => {
        serde_json::to_string($v).map_err(|e| StoreError::Other(e.to_string()))
    };
}

fn absence_row(r: &PgRow) -> StoreResult<Absence> {
    let mut a: Absence = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("absence content"))?;
    a.version = get(r, "version")?;
    Ok(a)
}

fn alert_row(r: &PgRow) -> StoreResult<Alert> {
    let mut a: Alert = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("alert content"))?;
    a.version = get(r, "version")?;
    Ok(a)
}

fn event_row(r: &PgRow) -> StoreResult<AlertEvent> {
    Ok(AlertEvent {
        id: get(r, "id")?,
        alert_id: uid(r, "alert_id")?,
        patient_id: uid(r, "patient_id")?,
        at: get(r, "at")?,
        kind: get(r, "kind")?,
        member: opt_uid(r, "member_id")?,
        detail: serde_json::from_str(&get::<String>(r, "detail")?)
            .map_err(|_| corrupt("alert event detail"))?,
    })
}

/// The WHERE clause of an alert list (its one value is `$1`) and that value.
fn alert_where(f: &AlertFilter) -> (String, Uuid) {
    let open = if f.open_only {
        " AND a.status = 'open'"
    } else {
        ""
    };
    match f.scope {
        AlertScope::Assignee(p) => (
            format!(
                "a.assignee_member_id IN (SELECT id FROM team_members WHERE professional_id = $1){open}"
            ),
            p.as_uuid(),
        ),
        AlertScope::Patient(p) => (format!("a.patient_id = $1{open}"), p.as_uuid()),
    }
}

#[async_trait]
impl SignalRepo for PgTx {
    async fn insert_absence(&mut self, a: &Absence) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO absences (id, professional_id, from_day, to_day, deputy_professional_id, content, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(a.id.as_uuid())
        .bind(a.professional_id.as_uuid())
        .bind(a.from)
        .bind(a.to)
        .bind(a.deputy.map(|d| d.as_uuid()))
        .bind(json!(a)?)
        .bind(a.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_absence(&mut self, a: &Absence, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE absences SET from_day = $1, to_day = $2, deputy_professional_id = $3, content = $4, \
             version = version + 1 WHERE id = $5 AND version = $6",
        )
        .bind(a.from)
        .bind(a.to)
        .bind(a.deputy.map(|d| d.as_uuid()))
        .bind(json!(a)?)
        .bind(a.id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn get_absence(&mut self, id: AbsenceId) -> StoreResult<Option<Absence>> {
        sqlx::query("SELECT * FROM absences WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(absence_row)
            .transpose()
    }

    async fn list_absences(&mut self, professional: ProfessionalId) -> StoreResult<Vec<Absence>> {
        let rows =
            sqlx::query("SELECT * FROM absences WHERE professional_id = $1 ORDER BY from_day, id")
                .bind(professional.as_uuid())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_err)?;
        rows.iter().map(absence_row).collect()
    }

    async fn insert_alert(&mut self, a: &Alert) -> StoreResult<bool> {
        let r = sqlx::query(
            "INSERT INTO alerts (id, patient_id, class, status, assignee_member_id, deadline, content, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(a.id.as_uuid())
        .bind(a.patient_id.as_uuid())
        .bind(a.class.as_str())
        .bind(a.status.as_str())
        .bind(a.assignee.as_uuid())
        .bind(a.deadline)
        .bind(json!(a)?)
        .bind(a.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn get_alert(&mut self, patient: PatientId, id: AlertId) -> StoreResult<Option<Alert>> {
        sqlx::query("SELECT * FROM alerts WHERE id = $1 AND patient_id = $2")
            .bind(id.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(alert_row)
            .transpose()
    }

    async fn open_alert(
        &mut self,
        patient: PatientId,
        class: SignalClass,
    ) -> StoreResult<Option<Alert>> {
        sqlx::query("SELECT * FROM alerts WHERE patient_id = $1 AND class = $2 AND status = 'open'")
            .bind(patient.as_uuid())
            .bind(class.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(alert_row)
            .transpose()
    }

    async fn update_alert(&mut self, a: &Alert, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE alerts SET status = $1, assignee_member_id = $2, deadline = $3, content = $4, \
             version = version + 1 WHERE id = $5 AND patient_id = $6 AND version = $7",
        )
        .bind(a.status.as_str())
        .bind(a.assignee.as_uuid())
        .bind(a.deadline)
        .bind(json!(a)?)
        .bind(a.id.as_uuid())
        .bind(a.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn insert_alert_event(&mut self, e: &AlertEvent) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO alert_events (id, alert_id, patient_id, at, kind, member_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.id)
        .bind(e.alert_id.as_uuid())
        .bind(e.patient_id.as_uuid())
        .bind(e.at)
        .bind(&e.kind)
        .bind(e.member.map(|m| m.as_uuid()))
        .bind(json!(&e.detail)?)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_alert_events(&mut self, alert: AlertId) -> StoreResult<Vec<AlertEvent>> {
        let rows = sqlx::query("SELECT * FROM alert_events WHERE alert_id = $1 ORDER BY at, id")
            .bind(alert.as_uuid())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(event_row).collect()
    }

    async fn alerts_page(
        &mut self,
        filter: &AlertFilter,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Alert>> {
        let (cond, v) = alert_where(filter);
        let (seek, limit) = if page.after.is_some() {
            (" AND (a.deadline, a.id) > ($2, $3)", "$4")
        } else {
            ("", "$2")
        };
        let sql = format!(
            "SELECT a.* FROM alerts a WHERE {cond}{seek} ORDER BY a.deadline, a.id LIMIT {limit}"
        );
        let mut q = sqlx::query(&sql).bind(v);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q
            .bind(page.limit)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(alert_row).collect()
    }

    async fn count_alerts(&mut self, filter: &AlertFilter) -> StoreResult<i64> {
        let (cond, v) = alert_where(filter);
        let sql = format!("SELECT COUNT(*) FROM alerts a WHERE {cond}");
        sqlx::query_scalar(&sql)
            .bind(v)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn get_thresholds(
        &mut self,
        patient: PatientId,
    ) -> StoreResult<Option<(Thresholds, i64)>> {
        let row =
            sqlx::query("SELECT content, version FROM signal_thresholds WHERE patient_id = $1")
                .bind(patient.as_uuid())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db_err)?;
        match row {
            Some(r) => {
                let t = serde_json::from_str(&get::<String>(&r, "content")?)
                    .map_err(|_| corrupt("thresholds"))?;
                Ok(Some((t, get(&r, "version")?)))
            }
            None => Ok(None),
        }
    }

    async fn save_thresholds(
        &mut self,
        patient: PatientId,
        t: &Thresholds,
        at: DateTime<Utc>,
        expected: i64,
    ) -> StoreResult<i64> {
        let r = if expected == 0 {
            sqlx::query(
                "INSERT INTO signal_thresholds (patient_id, content, updated_at, version) \
                 VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING",
            )
            .bind(patient.as_uuid())
            .bind(json!(t)?)
            .bind(at)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?
        } else {
            sqlx::query(
                "UPDATE signal_thresholds SET content = $1, updated_at = $2, version = version + 1 \
                 WHERE patient_id = $3 AND version = $4",
            )
            .bind(json!(t)?)
            .bind(at)
            .bind(patient.as_uuid())
            .bind(expected)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?
        };
        versioned(r.rows_affected(), expected)
    }
}
