//! Consent, emergency access ("break the glass"), its review, and the patient's access
//! log. Entry point: [`crate::App::consent`].

mod access_log;
mod document;
mod emergency;
mod reauthenticate;
mod review;

pub use access_log::AccessLogRow;
pub use emergency::{EMERGENCY_HOURS, EMERGENCY_REASONS};
pub use review::ReviewItem;

crate::kernel::capability!(
    /// Use cases on consent and emergency access (`app.consent()`).
    Consents
);
