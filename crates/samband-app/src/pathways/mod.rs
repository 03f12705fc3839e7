//! Care pathways (capability 5): the template catalogue (shipped in the binary, plus
//! the deployment's own versions), a patient's enrolments with each milestone's window
//! and state, and completing a milestone by hand with a note. Entry point:
//! [`crate::App::pathways`].
//!
//! Evidence-based completion (a meeting held, a hand-over acknowledged, a needs mapping
//! recorded, a questionnaire answered) is the domain's
//! (`samband_domain::pathway::Enrolment::completed_by_event`); wiring each event's use
//! case to it follows with those capabilities.

mod admin;
mod catalogue;
mod complete;
mod defaults;
mod end;
mod enrol;
mod evidence;
mod lists;
mod needs;
mod reminders;
mod view;

pub use catalogue::TemplateSummary;
pub use defaults::REMIND_DAYS_BEFORE;
pub use lists::{DueMilestone, SOON_DAYS};
pub use needs::MappingRecorded;
pub use samband_store::NeedsMappingRecord;
pub use view::{EnrolmentView, MilestoneLine};

crate::kernel::capability!(
    /// Use cases on care pathways (`app.pathways()`).
    Pathways
);
