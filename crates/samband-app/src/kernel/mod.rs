//! What every use case shares, whatever its capability: the policy facts about one
//! principal and one patient ([`facts`]), asking the one access policy and recording
//! a refusal ([`authorize`]), audit entries ([`audit`]), the history row and commit
//! of a change and the answer to a stale version ([`versioned`]), and the two
//! transaction shapes ([`transactions`]).
//!
//! A use case reads as: open a transaction → `authorize` → domain rules → persist →
//! `commit_change` (history, audit, commit) — or, for a read, `audit` and commit.
//! Capabilities (`patients/`, `plan/`, `meetings/` …) call into this module; nothing
//! here knows about any one capability.

pub(crate) mod audit;
pub(crate) mod authorize;
pub(crate) mod facts;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod transactions;
pub(crate) mod versioned;

pub(crate) use facts::Facts;
pub(crate) use transactions::TxBox;
pub(crate) use versioned::{Change, Versioned};

/// Declares a capability's entry point: a handle borrowed from [`crate::App`] that names
/// the capability's use cases (`app.meetings().invite(..)`), so a newcomer finds a use
/// case under its capability's folder and `App` itself holds only what all share.
///
/// The handle dereferences to `App` so use cases reach the kernel (`authorize`,
/// `audit`, `commit_change` …), the store and the clock exactly as before; it adds no
/// state of its own.
macro_rules! capability {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy)]
        pub struct $name<'a> {
            app: &'a crate::App,
        }

        impl<'a> $name<'a> {
            pub(crate) fn new(app: &'a crate::App) -> Self {
                Self { app }
            }
        }

        impl std::ops::Deref for $name<'_> {
            type Target = crate::App;

            fn deref(&self) -> &crate::App {
                self.app
            }
        }
    };
}
pub(crate) use capability;
