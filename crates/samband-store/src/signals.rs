//! Storage seam for signals (issue 12, item 4): professionals' absence periods with
//! their deputies, alerts with their history of events, and each patient's signal
//! thresholds. At most one open alert per patient and class exists: the store refuses
//! a second (a unique index on open alerts), so a race between two triggers adds an
//! occurrence instead of a duplicate.

use crate::{PageAt, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::absence::Absence;
use samband_domain::ids::*;
use samband_domain::signal::{Alert, SignalClass, Thresholds};
use serde_json::Value;
use uuid::Uuid;

/// One line of an alert's history: raised, another occurrence, escalated (to whom),
/// acknowledged (with the outcome).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    pub id: Uuid,
    pub alert_id: AlertId,
    pub patient_id: PatientId,
    pub at: DateTime<Utc>,
    /// `raised`, `occurrence`, `escalated` or `acknowledged`.
    pub kind: String,
    pub member: Option<MemberId>,
    pub detail: Value,
}

/// Whose alerts a list holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlertScope {
    /// Alerts held by any team membership of this professional (across patients).
    Assignee(ProfessionalId),
    /// One patient's alerts.
    Patient(PatientId),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertFilter {
    pub scope: AlertScope,
    pub open_only: bool,
}

#[async_trait]
pub trait SignalRepo {
    async fn insert_absence(&mut self, a: &Absence) -> StoreResult<()>;
    /// Saves at `expected`; a version moved meanwhile is `StoreError::Conflict`.
    async fn update_absence(&mut self, a: &Absence, expected: i64) -> StoreResult<i64>;
    async fn get_absence(&mut self, id: AbsenceId) -> StoreResult<Option<Absence>>;
    /// A professional's absences, by first day (then id).
    async fn list_absences(&mut self, professional: ProfessionalId) -> StoreResult<Vec<Absence>>;

    /// Inserts an open alert; false, and nothing written, when the patient already has
    /// an open alert of its class.
    async fn insert_alert(&mut self, a: &Alert) -> StoreResult<bool>;
    async fn get_alert(&mut self, patient: PatientId, id: AlertId) -> StoreResult<Option<Alert>>;
    /// The patient's open alert of `class`, if any.
    async fn open_alert(
        &mut self,
        patient: PatientId,
        class: SignalClass,
    ) -> StoreResult<Option<Alert>>;
    async fn update_alert(&mut self, a: &Alert, expected: i64) -> StoreResult<i64>;
    async fn insert_alert_event(&mut self, e: &AlertEvent) -> StoreResult<()>;
    /// An alert's events in order (time, then id).
    async fn list_alert_events(&mut self, alert: AlertId) -> StoreResult<Vec<AlertEvent>>;
    /// A page of alerts, soonest deadline first (keys: deadline and id).
    async fn alerts_page(
        &mut self,
        filter: &AlertFilter,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Alert>>;
    async fn count_alerts(&mut self, filter: &AlertFilter) -> StoreResult<i64>;

    /// The patient's thresholds with their version, if any were ever set.
    async fn get_thresholds(
        &mut self,
        patient: PatientId,
    ) -> StoreResult<Option<(Thresholds, i64)>>;
    /// Saves the patient's thresholds at `expected` (0: the first time); the new
    /// version, or `StoreError::Conflict` when the stored one is another.
    async fn save_thresholds(
        &mut self,
        patient: PatientId,
        t: &Thresholds,
        at: DateTime<Utc>,
        expected: i64,
    ) -> StoreResult<i64>;
}
