//! Care pathways: templates as data (phases, milestones with due windows relative to an
//! anchor date, responsible roles, default actions, the evidence that completes a
//! milestone), the templates Samband ships, and an enrolment's schedule.

pub mod catalogue;
pub mod enrolment;
pub mod needs;
pub mod roles;
pub mod schedule;
pub mod template;

pub use enrolment::{
    CompletedBy, Completion, Enrolment, EnrolmentInput, Event, ManualCompletionInput, MilestoneView,
};
pub use schedule::{schedule, MilestoneState, Scheduled};
pub use template::{
    AnchorKind, CareRole, DueWindow, Evidence, Localised, Milestone, PathwayTemplate, Phase,
    Repeat, TemplateInput,
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod windows;
