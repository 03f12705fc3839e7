//! Storage seams for care pathways and structured hand-overs (issue 11). Enrolments and
//! hand-overs are versioned like every other aggregate: an update names the version it
//! started from and fails with `Conflict` if the row moved on.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::handover::Handover;
use samband_domain::ids::{AccountId, EnrolmentId, HandoverId, PatientId};
use samband_domain::pathway::{Completion, Enrolment};

/// An administrator's own template (a clone of a shipped one, edited), kept as the TOML
/// it was written in so it is validated by the same code as the shipped ones on load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub key: String,
    pub version: u32,
    pub source: String,
    pub created_by: AccountId,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait PathwayRepo {
    /// Every stored template version, by key then version.
    async fn list_stored_templates(&mut self) -> StoreResult<Vec<StoredTemplate>>;
    /// Adds a template version; a (key, version) that exists is a `Conflict`.
    async fn insert_stored_template(&mut self, t: &StoredTemplate) -> StoreResult<()>;

    /// The patient's enrolments with their completions, oldest first.
    async fn list_enrolments(&mut self, patient: PatientId) -> StoreResult<Vec<Enrolment>>;
    async fn get_enrolment(
        &mut self,
        patient: PatientId,
        id: EnrolmentId,
    ) -> StoreResult<Option<Enrolment>>;
    async fn insert_enrolment(&mut self, e: &Enrolment, at: DateTime<Utc>) -> StoreResult<()>;
    /// Ends the enrolment (or not) at the caller's version; returns the new version.
    async fn update_enrolment(&mut self, e: &Enrolment, expected: i64) -> StoreResult<i64>;
    /// Records one completion and bumps the enrolment's version from `expected`; a
    /// second completion of the same occurrence is a `Conflict`.
    async fn complete_milestone(
        &mut self,
        enrolment: EnrolmentId,
        c: &Completion,
        expected: i64,
    ) -> StoreResult<i64>;
}

#[async_trait]
pub trait HandoverRepo {
    async fn insert_handover(&mut self, h: &Handover, at: DateTime<Utc>) -> StoreResult<()>;
    async fn get_handover(
        &mut self,
        patient: PatientId,
        id: HandoverId,
    ) -> StoreResult<Option<Handover>>;
    /// Saves status, content and dates at the caller's version; returns the new version.
    async fn update_handover(&mut self, h: &Handover, expected: i64) -> StoreResult<i64>;
    /// The patient's hand-overs, newest first.
    async fn list_handovers(&mut self, patient: PatientId) -> StoreResult<Vec<Handover>>;
    /// Sent hand-overs still unacknowledged whose acknowledgement was due before `day`,
    /// oldest due first, at most `limit`: the escalation job's work.
    async fn handovers_overdue(&mut self, day: NaiveDate, limit: i64)
        -> StoreResult<Vec<Handover>>;
}
