//! Check-in schedules and questionnaire responses.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::*;
use samband_domain::instrument::schedule::{Pause, Schedule};
use samband_domain::instrument::InstrumentKey;
use samband_store::*;

fn instrument(raw: &str) -> StoreResult<InstrumentKey> {
    InstrumentKey::parse("instrument", raw).map_err(|_| corrupt("instrument"))
}

fn opt_date(s: Option<String>) -> StoreResult<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

fn schedule_row(r: &Row) -> StoreResult<Schedule> {
    let paused = match (
        get::<Option<String>>(r, "pause_reason")?,
        get::<Option<String>>(r, "paused_at")?,
        get::<Option<String>>(r, "paused_by_account_id")?,
    ) {
        (Some(reason), Some(at), Some(by)) => Some(Pause {
            reason,
            at: parse_ts(&at)?,
            by: id(&by)?,
        }),
        _ => None,
    };
    Ok(Schedule {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        instrument: instrument(&get::<String>(r, "instrument")?)?,
        every_days: u32::try_from(get::<i64>(r, "every_days")?)
            .map_err(|_| corrupt("every_days"))?,
        starts_on: parse_date(&get::<String>(r, "starts_on")?)?,
        milestone: get(r, "milestone")?,
        next_due: parse_date(&get::<String>(r, "next_due")?)?,
        last_answered_on: opt_date(get(r, "last_answered_on")?)?,
        paused,
        ended_on: opt_date(get(r, "ended_on")?)?,
        set_by: id(&get::<String>(r, "set_by_account_id")?)?,
        version: get(r, "version")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
    })
}

fn response_row(r: &Row) -> StoreResult<ResponseRecord> {
    Ok(ResponseRecord {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        schedule_id: opt_id(get(r, "schedule_id")?)?,
        instrument: instrument(&get::<String>(r, "instrument")?)?,
        instrument_version: u32::try_from(get::<i64>(r, "instrument_version")?)
            .map_err(|_| corrupt("instrument_version"))?,
        answers: serde_json::from_str(&get::<String>(r, "answers")?)
            .map_err(|_| corrupt("answers"))?,
        scores: serde_json::from_str(&get::<String>(r, "scores")?)
            .map_err(|_| corrupt("scores"))?,
        answered_at: parse_ts(&get::<String>(r, "answered_at")?)?,
        answered_by: id(&get::<String>(r, "answered_by_account_id")?)?,
        by_proxy: get(r, "by_proxy")?,
    })
}

fn encode(e: serde_json::Error) -> StoreError {
    StoreError::Other(e.to_string())
}

#[async_trait]
impl SelfReportRepo for SqliteTx {
    async fn insert_schedule(&mut self, s: &Schedule) -> StoreResult<()> {
        query(
            "INSERT INTO checkin_schedules (id, patient_id, instrument, every_days, starts_on, milestone, \
             next_due, last_answered_on, pause_reason, paused_at, paused_by_account_id, ended_on, \
             set_by_account_id, version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(s.id.to_string())
        .bind(s.patient_id.to_string())
        .bind(s.instrument.as_str())
        .bind(i64::from(s.every_days))
        .bind(date(&s.starts_on))
        .bind(s.milestone.clone())
        .bind(date(&s.next_due))
        .bind(s.last_answered_on.as_ref().map(date))
        .bind(s.paused.as_ref().map(|p| p.reason.clone()))
        .bind(s.paused.as_ref().map(|p| ts(&p.at)))
        .bind(s.paused.as_ref().map(|p| p.by.to_string()))
        .bind(s.ended_on.as_ref().map(date))
        .bind(s.set_by.to_string())
        .bind(s.version)
        .bind(ts(&s.created_at))
        .execute(&self.tx)?;
        Ok(())
    }

    async fn get_schedule(
        &mut self,
        patient: PatientId,
        id: ScheduleId,
    ) -> StoreResult<Option<Schedule>> {
        query("SELECT * FROM checkin_schedules WHERE id = ? AND patient_id = ?")
            .bind(id.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?
            .as_ref()
            .map(schedule_row)
            .transpose()
    }

    async fn update_schedule(&mut self, s: &Schedule, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE checkin_schedules SET every_days = ?, starts_on = ?, milestone = ?, next_due = ?, \
             last_answered_on = ?, pause_reason = ?, paused_at = ?, paused_by_account_id = ?, \
             ended_on = ?, version = version + 1 WHERE id = ? AND patient_id = ? AND version = ?",
        )
        .bind(i64::from(s.every_days))
        .bind(date(&s.starts_on))
        .bind(s.milestone.clone())
        .bind(date(&s.next_due))
        .bind(s.last_answered_on.as_ref().map(date))
        .bind(s.paused.as_ref().map(|p| p.reason.clone()))
        .bind(s.paused.as_ref().map(|p| ts(&p.at)))
        .bind(s.paused.as_ref().map(|p| p.by.to_string()))
        .bind(s.ended_on.as_ref().map(date))
        .bind(s.id.to_string())
        .bind(s.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_schedules(&mut self, patient: PatientId) -> StoreResult<Vec<Schedule>> {
        let rows =
            query("SELECT * FROM checkin_schedules WHERE patient_id = ? ORDER BY created_at, id")
                .bind(patient.to_string())
                .fetch_all(&self.tx)?;
        rows.iter().map(schedule_row).collect()
    }

    async fn insert_response(&mut self, r: &ResponseRecord) -> StoreResult<()> {
        query(
            "INSERT INTO questionnaire_responses (id, patient_id, schedule_id, instrument, \
             instrument_version, answers, scores, total, band, item9, answered_at, \
             answered_by_account_id, by_proxy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(r.id.to_string())
        .bind(r.patient_id.to_string())
        .bind(r.schedule_id.map(|s| s.to_string()))
        .bind(r.instrument.as_str())
        .bind(i64::from(r.instrument_version))
        .bind(serde_json::to_string(&r.answers).map_err(encode)?)
        .bind(serde_json::to_string(&r.scores).map_err(encode)?)
        .bind(r.scores.total.map(i64::from))
        .bind(r.scores.band.map(|b| b as i64))
        .bind(r.scores.item9.value().map(i64::from))
        .bind(ts(&r.answered_at))
        .bind(r.answered_by.to_string())
        .bind(r.by_proxy)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn get_response(
        &mut self,
        patient: PatientId,
        id: ResponseId,
    ) -> StoreResult<Option<ResponseRecord>> {
        query("SELECT * FROM questionnaire_responses WHERE id = ? AND patient_id = ?")
            .bind(id.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?
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
        // `?2 IS NULL` keeps one statement for both shapes; the cursor compares the
        // stored text timestamps, which sort as the instants do (fixed-width UTC).
        let rows = query(
            "SELECT * FROM questionnaire_responses WHERE patient_id = ?1 \
             AND (?2 IS NULL OR instrument = ?2) \
             AND (?3 IS NULL OR (answered_at, id) < (?3, ?4)) \
             ORDER BY answered_at DESC, id DESC LIMIT ?5",
        )
        .bind(patient.to_string())
        .bind(instrument.map(|i| i.as_str()))
        .bind(page.after.as_ref().map(|a| ts(&a.key)))
        .bind(page.after.as_ref().map(|a| a.id.to_string()))
        .bind(page.limit)
        .fetch_all(&self.tx)?;
        rows.iter().map(response_row).collect()
    }

    async fn due_schedules(
        &mut self,
        on: NaiveDate,
        page: &PageAt<NaiveDate>,
    ) -> StoreResult<Vec<Schedule>> {
        let rows = query(
            "SELECT * FROM checkin_schedules WHERE ended_on IS NULL AND paused_at IS NULL \
             AND next_due <= ?1 AND (?2 IS NULL OR (next_due, id) > (?2, ?3)) \
             ORDER BY next_due, id LIMIT ?4",
        )
        .bind(date(&on))
        .bind(page.after.as_ref().map(|a| date(&a.key)))
        .bind(page.after.as_ref().map(|a| a.id.to_string()))
        .bind(page.limit)
        .fetch_all(&self.tx)?;
        rows.iter().map(schedule_row).collect()
    }
}
