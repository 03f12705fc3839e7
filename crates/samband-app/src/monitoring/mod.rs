//! Self-monitoring (issue 12, capability 7 of PRODUCT.md): the team sets check-in
//! schedules (`schedules.rs`), the patient — or a proxy acting for them — sees them,
//! pauses and resumes them and answers (`answer.rs`), scored on the server; what
//! follows a saved response in its own transaction is `after_response.rs`; a due
//! check-in is a job that tells the patient (`due.rs`); the responses and trends are
//! read in `responses.rs`. Everything is `Object::SelfReport` (the self-reports consent
//! category). Entry point: [`crate::App::monitoring`].

mod after_response;
mod answer;
mod due;
mod engagement;
mod from_pathway;
mod responses;
mod schedules;

pub use after_response::AfterResponse;
pub use answer::ResponseSaved;
pub use from_pathway::PATHWAY_EVERY_DAYS;
pub use responses::{ResponsePage, TREND_POINTS};
pub use samband_domain::instrument::schedule::{Schedule, ScheduleInput};
pub use samband_store::ResponseRecord;
pub use schedules::ScheduleView;

crate::kernel::capability!(
    /// Use cases on self-monitoring (`app.monitoring()`).
    Monitoring
);
