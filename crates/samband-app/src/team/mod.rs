//! The care team: one versioned aggregate per patient (exactly one coordinator), its
//! members and how readers see them. Entry point: [`crate::App::team`].

mod coordinator;
mod end_membership;
mod load;
mod member_views;
mod save_member;

pub use end_membership::{EndMembershipInput, EndedMembership, FlaggedView, SuccessionView};

crate::kernel::capability!(
    /// Use cases on the patient's care team (`app.team()`).
    Team
);
