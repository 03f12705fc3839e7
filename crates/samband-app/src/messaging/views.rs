//! What readers see of messages: threads with their messages and receipts, the inbox,
//! the compose form's choices.

use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::ids::*;
use samband_domain::message::*;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct RecipientView {
    pub account_id: AccountId,
    pub name: String,
    pub state: DeliveryState,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub escalated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    #[serde(flatten)]
    pub message: Message,
    pub recipients: Vec<RecipientView>,
    pub attachments: Vec<Attachment>,
    /// The reader is a recipient who has not yet given the receipt asked for.
    pub awaiting_my_ack: bool,
    /// A receipt is missing and the deadline has passed.
    pub ack_overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadView {
    pub thread: Thread,
    pub patient_name: String,
    pub messages: Vec<MessageView>,
    pub request: Option<Request>,
    /// The request's status as people say it ("overdue" once late).
    pub request_status: Option<&'static str>,
    /// The reader is the request's addressee and it is still open.
    pub can_answer: bool,
    pub can_reply: bool,
    pub today: NaiveDate,
}

impl ThreadView {
    /// Each question of the request with its answer, if given.
    pub fn questions_and_answers(&self) -> Vec<(String, Option<String>)> {
        self.request
            .as_ref()
            .map(|r| {
                r.questions
                    .iter()
                    .enumerate()
                    .map(|(i, q)| (q.clone(), r.answers.get(i).cloned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The answer form's fields: (`answers[i]`, question).
    pub fn answer_fields(&self) -> Vec<(String, String)> {
        self.request
            .as_ref()
            .map(|r| {
                r.questions
                    .iter()
                    .enumerate()
                    .map(|(i, q)| (format!("answers[{i}]"), q.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadSummary {
    pub thread: Thread,
    pub request_kind: Option<RequestKind>,
    pub request_status: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub thread: Thread,
    pub patient_name: String,
    pub unread: i64,
    pub awaiting_ack: i64,
}

/// Whom a new message can go to, for the compose form.
#[derive(Debug, Clone, Serialize)]
pub struct AddressOption {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComposeView {
    pub patient_id: PatientId,
    pub patient_name: String,
    pub options: Vec<AddressOption>,
    /// Active team members a request can be addressed to (member id, label).
    pub members: Vec<AddressOption>,
    pub default_due: NaiveDate,
    pub today: NaiveDate,
}
