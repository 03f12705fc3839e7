//! Signals from self-monitoring (issue 12, item 4): alerts that land on a named
//! person with a deadline and escalate until someone acknowledges them with an outcome.
//! Entry point: [`crate::App::signals`].
//!
//! * `raise.rs` — the integration points: [`Signals::on_scored_response`] (a scored
//!   questionnaire response, called inside the response's transaction),
//!   [`Signals::on_schedule`] (a check-in schedule's due dates and answers), and the
//!   one `raise` both use: dedupe per patient and class (an open alert gets another
//!   occurrence), routing, the deadline job, the notification (urgent for safety), and
//!   for safety a same-day risk-assessment action for the named clinician.
//! * `route.rs` — the routing chain for one team today (`samband_domain::signal::routing`)
//!   with each member's eligibility decided by the access policy as that member.
//! * `escalate.rs` — the `alert_deadline` job: unacknowledged at its deadline, the alert
//!   moves one step up the chain with a new deadline and re-queues itself; never dropped.
//! * `acknowledge.rs` — acknowledging with an outcome (If-Match).
//! * `view.rs` — an alert with its history, the patient's alerts, the assignee's list.
//! * `patient.rs` — the patient's own buttons on `/me`: "I need help now" (safety) and
//!   "I notice one of my warning signs" (deterioration).
//!
//! Alerts are `Object::Alert`, read under the self-reports category.

mod acknowledge;
mod escalate;
mod patient;
mod raise;
mod route;
mod thresholds;
mod view;

pub use patient::{warning_signs, PatientSignalOutcome};
pub use raise::Raised;
pub use thresholds::ThresholdsView;
pub use view::{AlertEventLine, AlertItem, AlertView};

crate::kernel::capability!(
    /// Use cases on signals and alerts (`app.signals()`).
    Signals
);
