//! Typed requests: a status report (caseworker → GP or clinician, with the questions
//! asked and a structured answer), an advice request (GP → specialist) and a general
//! task. Each is a thread, and an action in the care plan owned by the addressee, so it
//! shows in the plan, the addressee's list and the overdue counts. Statuses run
//! requested → accepted → answered, or declined with a reason; "overdue" is derived.
//! A reminder goes out the working day before the deadline; once it has passed, the
//! requester, the addressee and the coordinator are told.
//!
//! Entry point: [`crate::App::requests`]. A request is posted as a message through
//! [`crate::messaging::Messages`].

mod create;
mod deadlines;
mod list;
mod readdress;
mod transition;

pub use transition::{AnswerInput, DeclineInput, Transition};

crate::kernel::capability!(
    /// Use cases on typed requests (`app.requests()`).
    Requests
);
