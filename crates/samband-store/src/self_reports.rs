//! Storage seam for self-monitoring (issue 12): check-in schedules and the
//! questionnaire responses a patient (or their proxy) gives, each stored with the
//! scores the server computed when it was answered — the scores are never recomputed
//! on read, so a later scoring version does not change what the team saw.

use crate::paging::PageAt;
use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::{AccountId, PatientId, ResponseId, ScheduleId};
use samband_domain::instrument::schedule::Schedule;
use samband_domain::instrument::{Answers, InstrumentKey, ScoredResponse, Scores};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRecord {
    pub id: ResponseId,
    pub patient_id: PatientId,
    /// The schedule it answered, if any.
    pub schedule_id: Option<ScheduleId>,
    pub instrument: InstrumentKey,
    pub instrument_version: u32,
    pub answers: Answers,
    pub scores: Scores,
    pub answered_at: DateTime<Utc>,
    pub answered_by: AccountId,
    /// Answered by a proxy acting for the patient.
    pub by_proxy: bool,
}

impl ResponseRecord {
    pub fn scored(&self) -> ScoredResponse {
        ScoredResponse {
            patient: self.patient_id,
            instrument: self.instrument,
            version: self.instrument_version,
            answered_at: self.answered_at,
            items: self.answers.clone(),
            scores: self.scores.clone(),
        }
    }
}

#[async_trait]
pub trait SelfReportRepo {
    async fn insert_schedule(&mut self, s: &Schedule) -> StoreResult<()>;
    async fn get_schedule(
        &mut self,
        patient: PatientId,
        id: ScheduleId,
    ) -> StoreResult<Option<Schedule>>;
    /// Saves `s` if its stored version is still `expected`; returns the new version.
    async fn update_schedule(&mut self, s: &Schedule, expected: i64) -> StoreResult<i64>;
    /// The patient's schedules, ended ones included, oldest first (then id).
    async fn list_schedules(&mut self, patient: PatientId) -> StoreResult<Vec<Schedule>>;
    async fn insert_response(&mut self, r: &ResponseRecord) -> StoreResult<()>;
    async fn get_response(
        &mut self,
        patient: PatientId,
        id: ResponseId,
    ) -> StoreResult<Option<ResponseRecord>>;
    /// One page of the patient's responses (of one instrument, or all), newest first
    /// (answered_at, then id, both descending); `after` is the last row of the page
    /// before, so the next page holds older rows.
    async fn responses_page(
        &mut self,
        patient: PatientId,
        instrument: Option<InstrumentKey>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<ResponseRecord>>;
    /// Active, unpaused schedules (of every patient) due on or before `on`, by next due
    /// day then id, keyset-paged: what the due check-in job walks.
    async fn due_schedules(
        &mut self,
        on: NaiveDate,
        page: &PageAt<NaiveDate>,
    ) -> StoreResult<Vec<Schedule>>;
}
