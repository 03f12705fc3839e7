//! Samband's domain: identifiers, validated value types, the care team and care plan
//! aggregates with their invariants, and the `Clock` seam. No IO lives here: storage,
//! HTTP and the access policy's data loading are other crates' business.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod absence;
pub mod calendar;
pub mod case_review;
pub mod clock;
pub mod consent;
pub mod country;
pub mod error;
pub mod handover;
pub mod ics;
pub mod ids;
pub mod instrument;
pub mod meeting;
pub mod message;
pub mod national_id;
pub mod organisation;
pub mod pathway;
pub mod patient;
pub mod plan;
pub mod principal;
pub mod professional;
pub mod registry;
pub mod relapse;
pub mod secret;
pub mod signal;
pub mod succession;
pub mod team;
pub mod text;

pub use error::{DomainError, FieldError, ValidationErrors};
