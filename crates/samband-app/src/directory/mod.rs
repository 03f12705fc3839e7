//! The directory: organisations, professionals and accounts. No patient data lives
//! here; administrators manage it, and any signed-in professional may look people up
//! (to add them to a team).
//!
//! Entry point: [`crate::App::directory`].

mod absences;
mod accounts;
mod audit;
mod organisations;
mod professionals;

pub use accounts::AccountInput;

crate::kernel::capability!(
    /// Use cases on the directory (`app.directory()`).
    Directory
);
