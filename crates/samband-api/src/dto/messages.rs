//! Response types of messages, requests and notifications (see `output` for the
//! rule they follow).

use super::choices::*;
use chrono::{DateTime, NaiveDate, Utc};
use samband_app::messaging as m;
use samband_domain::message as dm;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct Thread {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub subject: String,
    /// With the patient's consent, decides who may read the thread.
    #[schema(value_type = Category)]
    pub category: samband_domain::consent::Category,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
}

impl From<dm::Thread> for Thread {
    fn from(t: dm::Thread) -> Self {
        let dm::Thread {
            id,
            patient_id,
            subject,
            category,
            created_by,
            created_at,
            last_message_at,
        } = t;
        Self {
            id: id.0,
            patient_id: patient_id.0,
            subject,
            category,
            created_by: created_by.0,
            created_at,
            last_message_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    pub message_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    #[schema(minimum = 0)]
    pub size_bytes: i64,
    pub sha256: String,
}

impl From<dm::Attachment> for Attachment {
    fn from(a: dm::Attachment) -> Self {
        let dm::Attachment {
            id,
            message_id,
            file_name,
            content_type,
            size_bytes,
            sha256,
        } = a;
        Self {
            id: id.0,
            message_id: message_id.0,
            file_name,
            content_type,
            size_bytes,
            sha256,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecipientView {
    pub account_id: Uuid,
    pub name: String,
    #[schema(value_type = DeliveryState)]
    pub state: dm::DeliveryState,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub escalated: bool,
}

impl From<m::RecipientView> for RecipientView {
    fn from(r: m::RecipientView) -> Self {
        let m::RecipientView {
            account_id,
            name,
            state,
            delivered_at,
            read_at,
            acknowledged_at,
            escalated,
        } = r;
        Self {
            account_id: account_id.0,
            name,
            state,
            delivered_at,
            read_at,
            acknowledged_at,
            escalated,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub thread_id: Uuid,
    pub patient_id: Uuid,
    pub author_account_id: Uuid,
    pub author_name: String,
    #[schema(value_type = MessageKind)]
    pub kind: dm::MessageKind,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// The sender asked for an explicit receipt.
    pub needs_ack: bool,
    pub urgent: bool,
    /// The last working day on which the receipt is on time.
    pub ack_due: Option<NaiveDate>,
    pub recipients: Vec<RecipientView>,
    pub attachments: Vec<Attachment>,
    /// The reader is a recipient who has not yet given the receipt asked for.
    pub awaiting_my_ack: bool,
    /// A receipt is missing and the deadline has passed.
    pub ack_overdue: bool,
}

impl From<m::MessageView> for MessageView {
    fn from(v: m::MessageView) -> Self {
        let m::MessageView {
            message,
            recipients,
            attachments,
            awaiting_my_ack,
            ack_overdue,
        } = v;
        let dm::Message {
            id,
            thread_id,
            patient_id,
            author_account_id,
            author_name,
            kind,
            body,
            sent_at,
            needs_ack,
            urgent,
            ack_due,
        } = message;
        Self {
            id: id.0,
            thread_id: thread_id.0,
            patient_id: patient_id.0,
            author_account_id: author_account_id.0,
            author_name,
            kind,
            body,
            sent_at,
            needs_ack,
            urgent,
            ack_due,
            recipients: recipients.into_iter().map(Into::into).collect(),
            attachments: attachments.into_iter().map(Into::into).collect(),
            awaiting_my_ack,
            ack_overdue,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Request {
    pub id: Uuid,
    pub thread_id: Uuid,
    pub patient_id: Uuid,
    #[schema(value_type = RequestKind)]
    pub kind: dm::RequestKind,
    #[schema(value_type = RequestStatus)]
    pub status: dm::RequestStatus,
    pub questions: Vec<String>,
    /// One answer per question, once answered.
    pub answers: Vec<String>,
    pub answer_note: Option<String>,
    pub decline_reason: Option<String>,
    pub requester_account_id: Uuid,
    pub requester_name: String,
    pub addressee_account_id: Uuid,
    pub addressee_member_id: Uuid,
    pub addressee_name: String,
    /// The care-plan action the request is, owned by the addressee.
    pub action_id: Uuid,
    pub due_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<dm::Request> for Request {
    fn from(r: dm::Request) -> Self {
        let dm::Request {
            id,
            thread_id,
            patient_id,
            kind,
            status,
            questions,
            answers,
            answer_note,
            decline_reason,
            requester_account_id,
            requester_name,
            addressee_account_id,
            addressee_member_id,
            addressee_name,
            action_id,
            due_date,
            created_at,
            answered_at,
            version,
        } = r;
        Self {
            id: id.0,
            thread_id: thread_id.0,
            patient_id: patient_id.0,
            kind,
            status,
            questions,
            answers,
            answer_note,
            decline_reason,
            requester_account_id: requester_account_id.0,
            requester_name,
            addressee_account_id: addressee_account_id.0,
            addressee_member_id: addressee_member_id.0,
            addressee_name,
            action_id: action_id.0,
            due_date,
            created_at,
            answered_at,
            version,
        }
    }
}

/// A thread as its reader sees it (opening it marks it read).
#[derive(Serialize, ToSchema)]
pub struct ThreadView {
    pub thread: Thread,
    pub patient_name: String,
    pub messages: Vec<MessageView>,
    pub request: Option<Request>,
    /// The request's status as people say it (`overdue` once late).
    pub request_status: Option<String>,
    /// The reader is the request's addressee and it is still open.
    pub can_answer: bool,
    pub can_reply: bool,
    pub today: NaiveDate,
}

impl From<m::ThreadView> for ThreadView {
    fn from(v: m::ThreadView) -> Self {
        let m::ThreadView {
            thread,
            patient_name,
            messages,
            request,
            request_status,
            can_answer,
            can_reply,
            today,
        } = v;
        Self {
            thread: thread.into(),
            patient_name,
            messages: messages.into_iter().map(Into::into).collect(),
            request: request.map(Into::into),
            request_status: request_status.map(Into::into),
            can_answer,
            can_reply,
            today,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ThreadSummary {
    pub thread: Thread,
    #[schema(value_type = Option<RequestKind>)]
    pub request_kind: Option<dm::RequestKind>,
    pub request_status: Option<String>,
}

impl From<m::ThreadSummary> for ThreadSummary {
    fn from(s: m::ThreadSummary) -> Self {
        let m::ThreadSummary {
            thread,
            request_kind,
            request_status,
        } = s;
        Self {
            thread: thread.into(),
            request_kind,
            request_status: request_status.map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InboxItem {
    pub thread: Thread,
    pub patient_name: String,
    #[schema(minimum = 0)]
    pub unread: i64,
    #[schema(minimum = 0)]
    pub awaiting_ack: i64,
}

impl From<m::InboxItem> for InboxItem {
    fn from(i: m::InboxItem) -> Self {
        let m::InboxItem {
            thread,
            patient_name,
            unread,
            awaiting_ack,
        } = i;
        Self {
            thread: thread.into(),
            patient_name,
            unread,
            awaiting_ack,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Unread {
    #[schema(minimum = 0)]
    pub unread: i64,
}

/// One server-sent event of `GET /inbox/events`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UnreadEvent {
    /// Always `unread`.
    #[schema(value_type = String, pattern = "^unread$")]
    event: (),
    /// `{"unread": n}`: unread messages plus unread notifications.
    #[schema(value_type = String, pattern = r#"^\{"unread":[0-9]+\}$"#)]
    data: (),
}

/// What a new thread, message or request is (and `Location` says where to read it).
#[derive(Serialize, ToSchema)]
pub struct Created {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Uuid>,
    /// A reply: the participants it did not go to because they left the care team.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub text: String,
    pub patient_id: Option<Uuid>,
    pub thread_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

impl From<samband_app::notify::NotificationView> for Notification {
    fn from(n: samband_app::notify::NotificationView) -> Self {
        let samband_app::notify::NotificationView {
            id,
            kind,
            text,
            patient_id,
            thread_id,
            created_at,
            read,
        } = n;
        Self {
            id: id.0,
            kind,
            text,
            patient_id: patient_id.map(|i| i.0),
            thread_id: thread_id.map(|i| i.0),
            created_at,
            read,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Follow {
    pub patient_id: Uuid,
    /// Null when the policy no longer lets me see whose record it is.
    pub patient_name: Option<String>,
    pub since: DateTime<Utc>,
}

/// My e-mail preferences and the patients I follow.
#[derive(Serialize, ToSchema)]
pub struct Prefs {
    pub email: Option<String>,
    /// The address used when none is set here (from the directory).
    pub directory_email: Option<String>,
    #[schema(value_type = EmailMode)]
    pub mode: String,
    pub follows: Vec<Follow>,
}

impl From<samband_app::notify::PrefsView> for Prefs {
    fn from(p: samband_app::notify::PrefsView) -> Self {
        let samband_app::notify::PrefsView {
            email,
            directory_email,
            mode,
            follows,
        } = p;
        Self {
            email,
            directory_email,
            mode,
            follows: follows
                .into_iter()
                .map(|f| {
                    let samband_app::notify::FollowView {
                        patient_id,
                        patient_name,
                        since,
                    } = f;
                    Follow {
                        patient_id: patient_id.0,
                        patient_name,
                        since,
                    }
                })
                .collect(),
        }
    }
}
