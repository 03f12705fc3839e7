//! Structured hand-overs and discharge letters (issue 11, item 3): a sender drafts one
//! for a receiving professional on the patient's team, edits it under its version, and
//! sends it — which creates a plan action per follow-up item, owned by the item's
//! owner, and asks the receiver to acknowledge within the deployment's working days
//! (`AppConfig::handover_ack_working_days`). Unacknowledged by then, it escalates to
//! the sender and the coordinator through the job runner; acknowledged, it completes
//! the pathway milestone that asks for a hand-over. Entry point: [`crate::App::handovers`].
//!
//! Each section is read under its own consent category, decided by the policy
//! (`Object::Handover` with the section's category) when the view is built: a viewer
//! gets the sections their organisation may read and the names of those withheld,
//! never the text. History rows carry the envelope only (who, to whom, status,
//! urgency, which sections are filled), since history is read under the plan's
//! category.

mod escalate;
mod view;
mod write;

pub use view::{FollowUpLine, HandoverView};

crate::kernel::capability!(
    /// Use cases on structured hand-overs (`app.handovers()`).
    Handovers
);
