//! Check-in schedules and questionnaire responses.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::*;
use samband_domain::instrument::schedule::{Pause, Schedule};
use samband_domain::instrument::InstrumentKey;
use samband_store::*;
use sqlx::postgres::PgRow;

fn instrument(raw: &str) -> StoreResult<InstrumentKey> {
    InstrumentKey::parse("instrument", raw).map_err(|_| corrupt("instrument"))
}

fn schedule_row(r: &PgRow) -> StoreResult<Schedule> {
    let paused = match (
        get::<Option<String>>(r, "pause_reason")?,
        get::<Option<DateTime<Utc>>>(r, "paused_at")?,
        opt_uid::<AccountId>(r, "paused_by_account_id")?,
    ) {
        (Some(reason), Some(at), Some(by)) => Some(Pause { reason, at, by }),
        _ => None,
    };
    Ok(Schedule {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        instrument: instrument(&get::<String>(r, "instrument")?)?,
        every_days: u32::try_from(get::<i32>(r, "every_days")?)
            .map_err(|_| corrupt("every_days"))?,
        starts_on: get(r, "starts_on")?,
        milestone: get(r, "milestone")?,
        next_due: get(r, "next_due")?,
        last_answered_on: get(r, "last_answered_on")?,
        paused,
        ended_on: get(r, "ended_on")?,
        set_by: uid(r, "set_by_account_id")?,
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
    })
}

fn response_row(r: &PgRow) -> StoreResult<ResponseRecord> {
    Ok(ResponseRecord {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        schedule_id: opt_uid(r, "schedule_id")?,
        instrument: instrument(&get::<String>(r, "instrument")?)?,
        instrument_version: u32::try_from(get::<i32>(r, "instrument_version")?)
            .map_err(|_| corrupt("instrument_version"))?,
        answers: serde_json::from_str(&get::<String>(r, "answers")?)
            .map_err(|_| corrupt("answers"))?,
        scores: serde_json::from_str(&get::<String>(r, "scores")?)
            .map_err(|_| corrupt("scores"))?,
        answered_at: get(r, "answered_at")?,
        answered_by: uid(r, "answered_by_account_id")?,
        by_proxy: get(r, "by_proxy")?,
    })
}

fn encode(e: serde_json::Error) -> StoreError {
    StoreError::Other(e.to_string())
}

#[async_trait]
impl SelfReportRepo for PgTx {
    async fn insert_schedule(&mut self, s: &Schedule) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO checkin_schedules (id, patient_id, instrument, every_days, starts_on, milestone, \
             next_due, last_answered_on, pause_reason, paused_at, paused_by_account_id, ended_on, \
             set_by_account_id, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(s.id.as_uuid())
        .bind(s.patient_id.as_uuid())
        .bind(s.instrument.as_str())
        .bind(s.every_days as i32)
        .bind(s.starts_on)
        .bind(s.milestone.as_deref())
        .bind(s.next_due)
        .bind(s.last_answered_on)
        .bind(s.paused.as_ref().map(|p| p.reason.as_str()))
        .bind(s.paused.as_ref().map(|p| p.at))
        .bind(s.paused.as_ref().map(|p| p.by.as_uuid()))
        .bind(s.ended_on)
        .bind(s.set_by.as_uuid())
        .bind(s.version)
        .bind(s.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_schedule(
        &mut self,
        patient: PatientId,
        id: ScheduleId,
    ) -> StoreResult<Option<Schedule>> {
        sqlx::query("SELECT * FROM checkin_schedules WHERE id = $1 AND patient_id = $2")
            .bind(id.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(schedule_row)
            .transpose()
    }

    async fn update_schedule(&mut self, s: &Schedule, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE checkin_schedules SET every_days = $1, starts_on = $2, milestone = $3, next_due = $4, \
             last_answered_on = $5, pause_reason = $6, paused_at = $7, paused_by_account_id = $8, \
             ended_on = $9, version = version + 1 WHERE id = $10 AND patient_id = $11 AND version = $12",
        )
        .bind(s.every_days as i32)
        .bind(s.starts_on)
        .bind(s.milestone.as_deref())
        .bind(s.next_due)
        .bind(s.last_answered_on)
        .bind(s.paused.as_ref().map(|p| p.reason.as_str()))
        .bind(s.paused.as_ref().map(|p| p.at))
        .bind(s.paused.as_ref().map(|p| p.by.as_uuid()))
        .bind(s.ended_on)
        .bind(s.id.as_uuid())
        .bind(s.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_schedules(&mut self, patient: PatientId) -> StoreResult<Vec<Schedule>> {
        let rows = sqlx::query(
            "SELECT * FROM checkin_schedules WHERE patient_id = $1 ORDER BY created_at, id",
        )
        .bind(patient.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(schedule_row).collect()
    }

    async fn insert_response(&mut self, r: &ResponseRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO questionnaire_responses (id, patient_id, schedule_id, instrument, \
             instrument_version, answers, scores, total, band, item9, answered_at, \
             answered_by_account_id, by_proxy) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(r.id.as_uuid())
        .bind(r.patient_id.as_uuid())
        .bind(r.schedule_id.map(|s| s.as_uuid()))
        .bind(r.instrument.as_str())
        .bind(r.instrument_version as i32)
        .bind(serde_json::to_string(&r.answers).map_err(encode)?)
        .bind(serde_json::to_string(&r.scores).map_err(encode)?)
        .bind(r.scores.total.map(i32::from))
        .bind(r.scores.band.map(|b| b as i32))
        .bind(r.scores.item9.value().map(i32::from))
        .bind(r.answered_at)
        .bind(r.answered_by.as_uuid())
        .bind(r.by_proxy)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_response(
        &mut self,
        patient: PatientId,
        id: ResponseId,
    ) -> StoreResult<Option<ResponseRecord>> {
        sqlx::query("SELECT * FROM questionnaire_responses WHERE id = $1 AND patient_id = $2")
            .bind(id.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(response_row)
            .transpose()
    }

    async fn responses_page(
        &mut self,
        patient: PatientId,
        instrument: Option<InstrumentKey>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<ResponseRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM questionnaire_responses WHERE patient_id = $1 \
             AND ($2::text IS NULL OR instrument = $2) \
             AND ($3::timestamptz IS NULL OR (answered_at, id) < ($3, $4::uuid)) \
             ORDER BY answered_at DESC, id DESC LIMIT $5",
        )
        .bind(patient.as_uuid())
        .bind(instrument.map(|i| i.as_str()))
        .bind(page.after.as_ref().map(|a| a.key))
        .bind(page.after.as_ref().map(|a| a.id))
        .bind(page.limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(response_row).collect()
    }

    async fn due_schedules(
        &mut self,
        on: NaiveDate,
        page: &PageAt<NaiveDate>,
    ) -> StoreResult<Vec<Schedule>> {
        let rows = sqlx::query(
            "SELECT * FROM checkin_schedules WHERE ended_on IS NULL AND paused_at IS NULL \
             AND next_due <= $1 AND ($2::date IS NULL OR (next_due, id) > ($2, $3::uuid)) \
             ORDER BY next_due, id LIMIT $4",
        )
        .bind(on)
        .bind(page.after.as_ref().map(|a| a.key))
        .bind(page.after.as_ref().map(|a| a.id))
        .bind(page.limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(schedule_row).collect()
    }
}
