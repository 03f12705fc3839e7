//! Collaboration meetings: planning (meeting, invitations, agenda), preparation
//! (pre-reads by policy, "what I want to raise", who has prepared), the meeting itself
//! (minutes per item, versioned; decisions that become care-plan actions) and the
//! follow-up (plain-language summary, reminder, the next meeting).
//!
//! Reading a meeting is the policy's decision like any other part of the record
//! (`Object::Meeting`; a pre-read carries its own category). External guests have no
//! account: a link with a secret token shows them their own agenda items and nothing
//! else, and every such view is audited.
//!
//! Entry point: [`crate::App::meetings`]. Each use case, or a small group of them, has
//! a file named for it; [`steps`] holds what they share.

mod agenda;
mod calendar;
mod decisions;
mod guests;
mod invitations;
mod lists;
mod minutes;
mod planning;
mod pre_reads;
mod steps;
mod summary;
mod view;
mod views;

pub use invitations::InviteInput;
pub use pre_reads::PreReadInput;
pub use summary::SummaryInput;
pub use views::{
    kind_label, DecisionView, GuestView, ItemView, MeetingView, MyMeeting, ParticipantView,
};

crate::kernel::capability!(
    /// Use cases on collaboration meetings (`app.meetings()`).
    Meetings
);
