//! Absences, alerts with their events, and signal thresholds.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::absence::Absence;
use samband_domain::ids::*;
use samband_domain::signal::{Alert, SignalClass, Thresholds};
use samband_store::*;

/// A stored document as JSON (a macro: the stores have no serde of their own to name
/// the bound with).
macro_rules! json {
    ($v:expr) => {
        serde_json::to_string($v).map_err(|e| StoreError::Other(e.to_string()))
    };
}

fn absence_row(r: &Row) -> StoreResult<Absence> {
    let mut a: Absence = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("absence content"))?;
    a.version = get(r, "version")?;
    Ok(a)
}

fn alert_row(r: &Row) -> StoreResult<Alert> {
    let mut a: Alert = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("alert content"))?;
    a.version = get(r, "version")?;
    Ok(a)
}

fn event_row(r: &Row) -> StoreResult<AlertEvent> {
    Ok(AlertEvent {
        id: uuid::Uuid::parse_str(&get::<String>(r, "id")?).map_err(|_| corrupt("id"))?,
        alert_id: id(&get::<String>(r, "alert_id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        at: parse_ts(&get::<String>(r, "at")?)?,
        kind: get(r, "kind")?,
        member: opt_id(get(r, "member_id")?)?,
        detail: serde_json::from_str(&get::<String>(r, "detail")?)
            .map_err(|_| corrupt("alert event detail"))?,
    })
}

/// The WHERE clause of an alert list and its one bound value.
fn alert_where(f: &AlertFilter) -> (String, String) {
    let open = if f.open_only {
        " AND a.status = 'open'"
    } else {
        ""
    };
    match f.scope {
        AlertScope::Assignee(p) => (
            format!(
                "a.assignee_member_id IN (SELECT id FROM team_members WHERE professional_id = ?){open}"
            ),
            p.to_string(),
        ),
        AlertScope::Patient(p) => (format!("a.patient_id = ?{open}"), p.to_string()),
    }
}

#[async_trait]
impl SignalRepo for SqliteTx {
    async fn insert_absence(&mut self, a: &Absence) -> StoreResult<()> {
        query(
            "INSERT INTO absences (id, professional_id, from_day, to_day, deputy_professional_id, content, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.to_string())
        .bind(a.professional_id.to_string())
        .bind(date(&a.from))
        .bind(date(&a.to))
        .bind(a.deputy.map(|d| d.to_string()))
        .bind(json!(a)?)
        .bind(a.version)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn update_absence(&mut self, a: &Absence, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE absences SET from_day = ?, to_day = ?, deputy_professional_id = ?, content = ?, \
             version = version + 1 WHERE id = ? AND version = ?",
        )
        .bind(date(&a.from))
        .bind(date(&a.to))
        .bind(a.deputy.map(|d| d.to_string()))
        .bind(json!(a)?)
        .bind(a.id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn get_absence(&mut self, id: AbsenceId) -> StoreResult<Option<Absence>> {
        query("SELECT * FROM absences WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.tx)?
            .as_ref()
            .map(absence_row)
            .transpose()
    }

    async fn list_absences(&mut self, professional: ProfessionalId) -> StoreResult<Vec<Absence>> {
        let rows = query("SELECT * FROM absences WHERE professional_id = ? ORDER BY from_day, id")
            .bind(professional.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(absence_row).collect()
    }

    async fn insert_alert(&mut self, a: &Alert) -> StoreResult<bool> {
        let r = query(
            "INSERT INTO alerts (id, patient_id, class, status, assignee_member_id, deadline, content, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(a.id.to_string())
        .bind(a.patient_id.to_string())
        .bind(a.class.as_str())
        .bind(a.status.as_str())
        .bind(a.assignee.to_string())
        .bind(ts(&a.deadline))
        .bind(json!(a)?)
        .bind(a.version)
        .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn get_alert(&mut self, patient: PatientId, id: AlertId) -> StoreResult<Option<Alert>> {
        query("SELECT * FROM alerts WHERE id = ? AND patient_id = ?")
            .bind(id.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?
            .as_ref()
            .map(alert_row)
            .transpose()
    }

    async fn open_alert(
        &mut self,
        patient: PatientId,
        class: SignalClass,
    ) -> StoreResult<Option<Alert>> {
        query("SELECT * FROM alerts WHERE patient_id = ? AND class = ? AND status = 'open'")
            .bind(patient.to_string())
            .bind(class.as_str())
            .fetch_optional(&self.tx)?
            .as_ref()
            .map(alert_row)
            .transpose()
    }

    async fn update_alert(&mut self, a: &Alert, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE alerts SET status = ?, assignee_member_id = ?, deadline = ?, content = ?, \
             version = version + 1 WHERE id = ? AND patient_id = ? AND version = ?",
        )
        .bind(a.status.as_str())
        .bind(a.assignee.to_string())
        .bind(ts(&a.deadline))
        .bind(json!(a)?)
        .bind(a.id.to_string())
        .bind(a.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn insert_alert_event(&mut self, e: &AlertEvent) -> StoreResult<()> {
        query(
            "INSERT INTO alert_events (id, alert_id, patient_id, at, kind, member_id, detail) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.id.to_string())
        .bind(e.alert_id.to_string())
        .bind(e.patient_id.to_string())
        .bind(ts(&e.at))
        .bind(e.kind.clone())
        .bind(e.member.map(|m| m.to_string()))
        .bind(json!(&e.detail)?)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn list_alert_events(&mut self, alert: AlertId) -> StoreResult<Vec<AlertEvent>> {
        let rows = query("SELECT * FROM alert_events WHERE alert_id = ? ORDER BY at, id")
            .bind(alert.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(event_row).collect()
    }

    async fn alerts_page(
        &mut self,
        filter: &AlertFilter,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Alert>> {
        let (cond, v) = alert_where(filter);
        let seek = if page.after.is_some() {
            " AND (a.deadline, a.id) > (?, ?)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT a.* FROM alerts a WHERE {cond}{seek} ORDER BY a.deadline, a.id LIMIT ?"
        );
        let mut q = query(&sql).bind(v);
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter().map(alert_row).collect()
    }

    async fn count_alerts(&mut self, filter: &AlertFilter) -> StoreResult<i64> {
        let (cond, v) = alert_where(filter);
        let sql = format!("SELECT COUNT(*) FROM alerts a WHERE {cond}");
        query_scalar(&sql).bind(v).fetch_one(&self.tx)
    }

    async fn get_thresholds(
        &mut self,
        patient: PatientId,
    ) -> StoreResult<Option<(Thresholds, i64)>> {
        let row = query("SELECT content, version FROM signal_thresholds WHERE patient_id = ?")
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
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
            query(
                "INSERT INTO signal_thresholds (patient_id, content, updated_at, version) \
                 VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING",
            )
            .bind(patient.to_string())
            .bind(json!(t)?)
            .bind(ts(&at))
            .execute(&self.tx)?
        } else {
            query(
                "UPDATE signal_thresholds SET content = ?, updated_at = ?, version = version + 1 \
                 WHERE patient_id = ? AND version = ?",
            )
            .bind(json!(t)?)
            .bind(ts(&at))
            .bind(patient.to_string())
            .bind(expected)
            .execute(&self.tx)?
        };
        versioned(r.rows_affected(), expected)
    }
}
