//! The coordinator's caseload registry (capability 8, DOMAIN.md §3): every patient on
//! the professional's caseload with how they are doing and what is owed to them, with
//! flags, sorted and filtered in the database, a page at a time, and exported as CSV.
//! Entry point: [`crate::App::registry`].
//!
//! Each row is put to the policy as a listing (and audited); the plan information on
//! it (actions, requests, receipts, contacts, enrolment) is shown only where the
//! policy lets the reader list the patient's actions. A row whose withheld column is
//! the one the list is sorted or filtered by is left out of the page altogether (and
//! counted as hidden), since its place in the list would tell what is withheld.
//!
//! The case-review queue is the registry filtered to the patients a consulting
//! psychiatrist or specialist should see (new, not improving, safety); a
//! recommendation recorded there (`case_review.rs`) becomes the GP's task.

mod case_review;
mod export;
mod page;

pub use case_review::CaseReviewView;
pub use export::CSV_COLUMNS;
pub use page::{RegistryItem, RegistryPage, RegistryParams};

crate::kernel::capability!(
    /// Use cases on the caseload registry (`app.registry()`).
    Registry
);
