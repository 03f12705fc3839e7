//! Notifications: the in-app list, e-mail by each person's preference (immediately,
//! in a daily digest, or not at all), and "ongoing information" digests for GPs and
//! caseworkers who follow a patient.
//!
//! A notification row stores references, not text; the text is composed when shown,
//! through the policy (a person who has left the team sees "a patient", not a name).
//! E-mail never carries health information or names: only that there is something new
//! and a link. It is queued in the same transaction as the notification.
//!
//! Entry point: [`crate::App::notifications`].

mod digests;
mod follows;
mod list;
mod notices;
mod prefs;

pub use follows::FollowView;
pub use list::NotificationView;
pub use notices::MailSettings;
pub(crate) use notices::Notice;
pub use prefs::{PrefsInput, PrefsView, EMAIL_MODES};

crate::kernel::capability!(
    /// Use cases on notifications (`app.notifications()`).
    Notifications
);
