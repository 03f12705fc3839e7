//! The care plan: goals, actions, services, the crisis plan and the revision date,
//! each versioned on its own, each change with its history row. Entry point:
//! [`crate::App::plan`].

mod actions;
mod crisis_plan;
mod goals;
mod relapse_plan;
mod revision_date;
mod services;

crate::kernel::capability!(
    /// Use cases on the patient's care plan (`app.plan()`).
    Plan
);
