//! Message threads about a patient: addressing (people, the whole team, a role, the
//! patient), per-recipient receipts, attachments, and the deadline on a receipt.
//!
//! Who may read a thread is the policy's decision: the thread's category against the
//! patient's consent, and for professionals whether they are addressed in it. A
//! message is refused outright if one of its professional recipients may not read its
//! category: sending it would disclose what the patient withheld.
//!
//! Entry point: [`crate::App::messages`]. Typed requests (`crate::requests`) are
//! messages too and post through [`Messages`].

mod addressing;
mod attachments;
mod inbox;
mod inputs;
mod post;
mod receipts;
mod send;
pub use send::ReplyOutcome;
mod threads;
mod views;

pub(crate) use addressing::Addressee;
pub use inputs::{
    decode_uploads, ComposeInput, ComposeJson, ReplyInput, ReplyJson, Upload, UploadJson,
};
pub use views::{
    AddressOption, ComposeView, InboxItem, MessageView, RecipientView, ThreadSummary, ThreadView,
};

crate::kernel::capability!(
    /// Use cases on message threads (`app.messages()`).
    Messages
);
