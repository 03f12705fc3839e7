//! Storage seam for the coordinator's caseload registry: one row per patient on the
//! professional's caseload with what the registry shows about them, filtered by its
//! flags and sorted in the database, read a keyset page at a time.

use crate::{PageAt, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::case_review::CaseReview;
use samband_domain::ids::{MemberId, OrganisationId, PatientId, ProfessionalId};
use samband_domain::organisation::Sector;
use samband_domain::registry::{Cutoffs, Filter, Sort};

/// Which registry rows to read: the professional's active memberships on the day of
/// `cutoffs`, those the filter keeps, in the order of `sort`.
#[derive(Debug, Clone, Copy)]
pub struct RegistryQuery<'a> {
    pub professional: ProfessionalId,
    pub cutoffs: Cutoffs,
    pub filter: &'a Filter,
    pub sort: Sort,
}

/// One patient's registry row. `sort_key` is the row's key in the query's order (the
/// page cursor carries it).
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRow {
    pub patient_id: PatientId,
    pub name: String,
    pub member_id: MemberId,
    pub my_organisation: Option<OrganisationId>,
    pub my_sector: Option<Sector>,
    pub my_role: String,
    pub is_coordinator: bool,
    /// The earliest anchor of an active pathway enrolment, else the day the
    /// professional's membership began.
    pub enrolled_on: NaiveDate,
    pub open_actions: i64,
    pub overdue_actions: i64,
    /// Requests about the patient not yet answered or declined.
    pub open_requests: i64,
    /// Receipts asked for on the patient's messages and not yet given.
    pub pending_receipts: i64,
    /// The last meeting that took place, or message exchanged with the patient.
    pub last_contact: Option<DateTime<Utc>>,
    /// The next planned meeting.
    pub next_contact: Option<DateTime<Utc>>,
    /// Items still flagged as needing a new owner.
    pub needs_new_owner: i64,
    /// The first and the latest PHQ-9 total, where self-monitoring has them.
    pub baseline_score: Option<i64>,
    pub latest_score: Option<i64>,
    /// An open safety signal.
    pub safety: bool,
    pub not_improving: bool,
    pub no_contact: bool,
    /// Enrolled lately and never brought to case review.
    pub is_new: bool,
    /// When the patient was last brought to case review.
    pub last_review: Option<DateTime<Utc>>,
    pub sort_key: String,
}

#[async_trait]
pub trait RegistryRepo {
    /// One page of the registry (`page.limit` rows after `page.after`).
    async fn registry_page(
        &mut self,
        q: &RegistryQuery<'_>,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<RegistryRow>>;
    /// How many rows the whole filtered registry holds.
    async fn count_registry(&mut self, q: &RegistryQuery<'_>) -> StoreResult<i64>;
    async fn insert_case_review(&mut self, r: &CaseReview) -> StoreResult<()>;
    /// The patient's case reviews, newest first.
    async fn list_case_reviews(&mut self, patient: PatientId) -> StoreResult<Vec<CaseReview>>;
}
