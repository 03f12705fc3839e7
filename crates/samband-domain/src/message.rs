//! Messages, receipts and typed requests.
//!
//! The studies found that electronic messages between sectors get lost: a transport
//! acknowledgement is not an application receipt, which is not a human reading it.
//! So every message tracks, per recipient, four states (sent → delivered → read →
//! acknowledged); a message that needs an acknowledgement has a deadline counted in
//! working days, after which it escalates. Typed requests (a status report for the
//! caseworker, an advice request to the specialist, a general task) carry their own
//! lifecycle and are actions in the care plan owned by the addressee.

use crate::consent::Category;
use crate::ids::*;
use crate::string_enum;
use crate::text::{self, LONG, SHORT};
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest message body (characters): a long letter, not a document; documents go in
/// attachments.
pub const BODY_MAX: usize = 20_000;
/// At most this many questions in one status report.
pub const QUESTIONS_MAX: usize = 20;

string_enum!(
    /// What a message in a thread is: ordinary text, or a step in a request's life.
    MessageKind {
        Message = "message",
        Request = "request",
        Answer = "answer",
        Decline = "decline",
    }
);

string_enum!(
    /// Where a message stands for one recipient. Each state implies the ones before.
    DeliveryState {
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Acknowledged = "acknowledged",
    }
);

string_enum!(
    RequestKind {
        /// Caseworker → GP or clinician: questions and a structured answer.
        StatusReport = "status_report",
        /// GP → specialist, e.g. about medication (an e-consult).
        AdviceRequest = "advice_request",
        GeneralTask = "general_task",
    }
);

string_enum!(
    /// Stored status of a request; "overdue" is derived from the deadline.
    RequestStatus {
        Requested = "requested",
        Accepted = "accepted",
        Answered = "answered",
        Declined = "declined",
    }
);

impl RequestStatus {
    pub fn is_open(&self) -> bool {
        matches!(self, RequestStatus::Requested | RequestStatus::Accepted)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub id: ThreadId,
    pub patient_id: PatientId,
    pub subject: String,
    /// Decides, with the patient's consent, who may read the thread.
    pub category: Category,
    pub created_by: AccountId,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub patient_id: PatientId,
    pub author_account_id: AccountId,
    pub author_name: String,
    pub kind: MessageKind,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// The sender asked for an explicit receipt.
    pub needs_ack: bool,
    pub urgent: bool,
    /// Last working day on which the receipt is on time.
    pub ack_due: Option<NaiveDate>,
}

/// One recipient's progress through a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    pub message_id: MessageId,
    pub account_id: AccountId,
    pub name: String,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the missing receipt was escalated to the sender and the coordinator.
    pub escalated_at: Option<DateTime<Utc>>,
}

impl Recipient {
    pub fn state(&self) -> DeliveryState {
        if self.acknowledged_at.is_some() {
            DeliveryState::Acknowledged
        } else if self.read_at.is_some() {
            DeliveryState::Read
        } else if self.delivered_at.is_some() {
            DeliveryState::Delivered
        } else {
            DeliveryState::Sent
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub message_id: MessageId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: RequestId,
    pub thread_id: ThreadId,
    pub patient_id: PatientId,
    pub kind: RequestKind,
    pub status: RequestStatus,
    /// The questions asked (a status report has at least one).
    pub questions: Vec<String>,
    /// One answer per question, once answered.
    pub answers: Vec<String>,
    pub answer_note: Option<String>,
    pub decline_reason: Option<String>,
    pub requester_account_id: AccountId,
    pub requester_name: String,
    pub addressee_account_id: AccountId,
    pub addressee_member_id: MemberId,
    pub addressee_name: String,
    /// The care-plan action the request is, owned by the addressee.
    pub action_id: ActionId,
    pub due_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Request {
    /// Open and past its deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && today > self.due_date
    }

    /// The status as people speak of it: "overdue" once an open request is late.
    pub fn display_status(&self, today: NaiveDate) -> &'static str {
        if self.is_overdue(today) {
            "overdue"
        } else {
            self.status.as_str()
        }
    }
}

/// A checked message text with its subject.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageText {
    pub subject: String,
    pub body: String,
}

/// Checks a new thread's subject and first message.
pub fn check_new_thread(subject: &str, body: &str) -> Result<MessageText, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let subject = e.take(text::required("subject", subject, SHORT));
    let body = e.take(check_body(body));
    e.into_result()?;
    Ok(MessageText {
        subject: subject.unwrap_or_default(),
        body: body.unwrap_or_default(),
    })
}

pub fn check_body(body: &str) -> Result<String, ValidationErrors> {
    text::required("body", body, BODY_MAX)
}

/// What a request asks, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFields {
    pub kind: RequestKind,
    pub subject: String,
    pub body: String,
    pub questions: Vec<String>,
    pub due_date: NaiveDate,
}

/// Raw request input as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    pub kind: String,
    pub addressee_member_id: Option<MemberId>,
    pub subject: String,
    /// Context for the addressee: why the request is made.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub questions: Vec<String>,
    /// YYYY-MM-DD; blank means the default (five working days).
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
}

impl RequestInput {
    /// Checks the input; `default_due` applies when no date is given. A deadline in the
    /// past is refused: nobody can meet it.
    pub fn check(
        &self,
        today: NaiveDate,
        default_due: NaiveDate,
    ) -> Result<RequestFields, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let kind = e.take(RequestKind::parse("kind", &self.kind));
        let subject = e.take(text::required("subject", &self.subject, SHORT));
        let body = e.take(text::optional("body", Some(&self.body), BODY_MAX));
        if self.addressee_member_id.is_none() {
            e.add(
                "addressee_member_id",
                "required",
                "choose who the request is for",
            );
        }
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            match text::optional(&format!("questions[{i}]"), Some(q), LONG) {
                Ok(Some(q)) => questions.push(q),
                Ok(None) => {}
                Err(err) => e.errors.extend(err.errors),
            }
        }
        if questions.len() > QUESTIONS_MAX {
            e.add(
                "questions",
                "too_many",
                format!("at most {QUESTIONS_MAX} questions"),
            );
        }
        if kind == Some(RequestKind::StatusReport) && questions.is_empty() {
            e.add(
                "questions",
                "required",
                "a status report needs at least one question",
            );
        }
        let due_date = match self.due_date.as_deref().map(str::trim) {
            None | Some("") => Some(default_due),
            Some(raw) => e.take(text::date(
                "due_date",
                raw,
                text::DateWindow::planning(today),
            )),
        };
        if let Some(d) = due_date {
            if d < today {
                e.add(
                    "due_date",
                    "in_past",
                    "the deadline must not be in the past",
                );
            }
        }
        e.into_result()?;
        Ok(RequestFields {
            kind: kind.unwrap_or(RequestKind::GeneralTask),
            subject: subject.unwrap_or_default(),
            body: body.flatten().unwrap_or_default(),
            questions,
            due_date: due_date.unwrap_or(default_due),
        })
    }
}

/// Checks an answer: one non-empty answer per question (a status report must answer
/// everything it was asked), plus an optional note.
pub fn check_answer(
    questions: &[String],
    answers: &[String],
    note: Option<&str>,
) -> Result<(Vec<String>, Option<String>), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let mut out = Vec::new();
    for i in 0..questions.len() {
        let raw = answers.get(i).map(String::as_str).unwrap_or("");
        if let Some(a) = e.take(text::required(&format!("answers[{i}]"), raw, LONG)) {
            out.push(a);
        }
    }
    let note = e.take(text::optional("note", note, BODY_MAX)).flatten();
    if questions.is_empty() && note.is_none() {
        e.add("note", "required", "write the answer");
    }
    e.into_result()?;
    Ok((out, note))
}

/// The file types Samband accepts as attachments: documents and pictures that no
/// browser or desktop will execute. Recognised by content, not by the name sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentType {
    Pdf,
    Png,
    Jpeg,
    PlainText,
}

impl AttachmentType {
    pub fn content_type(&self) -> &'static str {
        match self {
            AttachmentType::Pdf => "application/pdf",
            AttachmentType::Png => "image/png",
            AttachmentType::Jpeg => "image/jpeg",
            AttachmentType::PlainText => "text/plain; charset=utf-8",
        }
    }

    fn extensions(&self) -> &'static [&'static str] {
        match self {
            AttachmentType::Pdf => &["pdf"],
            AttachmentType::Png => &["png"],
            AttachmentType::Jpeg => &["jpg", "jpeg"],
            AttachmentType::PlainText => &["txt"],
        }
    }

    fn sniff(bytes: &[u8]) -> Option<AttachmentType> {
        if bytes.starts_with(b"%PDF-") {
            Some(AttachmentType::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(AttachmentType::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(AttachmentType::Jpeg)
        } else if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
            Some(AttachmentType::PlainText)
        } else {
            None
        }
    }
}

/// Checks an attachment: a plain file name, an allowed type whose content matches the
/// name's extension, not empty and at most `max_bytes`.
pub fn check_attachment(
    field: &str,
    file_name: &str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<(String, AttachmentType), ValidationErrors> {
    let name = text::required(field, file_name, SHORT)?;
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(ValidationErrors::single(
            field,
            "bad_name",
            "the file name must not contain a path",
        ));
    }
    if bytes.is_empty() {
        return Err(ValidationErrors::single(
            field,
            "empty",
            "the file is empty",
        ));
    }
    if bytes.len() > max_bytes {
        return Err(ValidationErrors::single(
            field,
            "too_large",
            format!(
                "the file is larger than the limit of {} kB",
                max_bytes / 1024
            ),
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let allowed = "PDF, PNG, JPEG or plain text (.pdf, .png, .jpg, .txt)";
    match AttachmentType::sniff(bytes) {
        Some(t) if t.extensions().contains(&ext.as_str()) => Ok((name, t)),
        _ => Err(ValidationErrors::single(
            field,
            "forbidden_type",
            format!("only {allowed} files can be attached, and the content must match the name"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn request(kind: &str, questions: &[&str], due: Option<&str>) -> RequestInput {
        RequestInput {
            kind: kind.into(),
            addressee_member_id: Some(MemberId::new()),
            subject: "Status".into(),
            body: String::new(),
            questions: questions.iter().map(|s| s.to_string()).collect(),
            due_date: due.map(str::to_owned),
            category: None,
        }
    }

    #[test]
    fn recipient_state_follows_the_latest_step() {
        let mut r = Recipient {
            message_id: MessageId::new(),
            account_id: AccountId::new(),
            name: "GP".into(),
            delivered_at: None,
            read_at: None,
            acknowledged_at: None,
            escalated_at: None,
        };
        assert_eq!(r.state(), DeliveryState::Sent);
        let at = "2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        r.delivered_at = Some(at);
        assert_eq!(r.state(), DeliveryState::Delivered);
        r.read_at = Some(at);
        assert_eq!(r.state(), DeliveryState::Read);
        r.acknowledged_at = Some(at);
        assert_eq!(r.state(), DeliveryState::Acknowledged);
    }

    #[test]
    fn empty_messages_and_subjects_are_refused_per_field() {
        let e = check_new_thread("  ", " \n ").unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["subject", "body"]);
        assert!(check_new_thread("Hello", "A question").is_ok());
    }

    #[test]
    fn status_report_needs_a_question_and_a_future_deadline() {
        let today = d("2026-11-23");
        let e = request("status_report", &["", " "], None)
            .check(today, d("2026-11-30"))
            .unwrap_err();
        assert!(e.errors.iter().any(|f| f.field == "questions"));
        let e = request("status_report", &["How is work going?"], Some("2026-11-20"))
            .check(today, d("2026-11-30"))
            .unwrap_err();
        assert_eq!(e.errors[0].code, "in_past");
        let ok = request("status_report", &["How is work going?", ""], None)
            .check(today, d("2026-11-30"))
            .unwrap();
        assert_eq!(ok.questions, vec!["How is work going?".to_string()]);
        assert_eq!(ok.due_date, d("2026-11-30"));
        // Today itself is a valid deadline.
        assert!(request("general_task", &[], Some("2026-11-23"))
            .check(today, today)
            .is_ok());
        assert!(request("letter", &[], None).check(today, today).is_err());
    }

    #[test]
    fn answers_must_cover_every_question() {
        let qs = vec!["Q1".to_string(), "Q2".to_string()];
        let e = check_answer(&qs, &["yes".into()], None).unwrap_err();
        assert_eq!(e.errors[0].field, "answers[1]");
        let (a, n) = check_answer(&qs, &["yes".into(), "no".into()], Some("")).unwrap();
        assert_eq!(a, vec!["yes", "no"]);
        assert_eq!(n, None);
        assert!(check_answer(&[], &[], None).is_err());
        assert!(check_answer(&[], &[], Some("Increase the dose")).is_ok());
    }

    #[test]
    fn overdue_is_open_and_past_the_deadline() {
        let mut r = Request {
            id: RequestId::new(),
            thread_id: ThreadId::new(),
            patient_id: PatientId::new(),
            kind: RequestKind::StatusReport,
            status: RequestStatus::Requested,
            questions: vec![],
            answers: vec![],
            answer_note: None,
            decline_reason: None,
            requester_account_id: AccountId::new(),
            requester_name: "a".into(),
            addressee_account_id: AccountId::new(),
            addressee_member_id: MemberId::new(),
            addressee_name: "b".into(),
            action_id: ActionId::new(),
            due_date: d("2026-11-27"),
            created_at: "2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().unwrap(),
            answered_at: None,
            version: 1,
        };
        assert!(!r.is_overdue(d("2026-11-27")));
        assert!(r.is_overdue(d("2026-11-28")));
        assert_eq!(r.display_status(d("2026-11-28")), "overdue");
        r.status = RequestStatus::Answered;
        assert!(!r.is_overdue(d("2026-11-28")));
    }

    #[test]
    fn attachments_are_checked_by_content_size_and_name() {
        let pdf = b"%PDF-1.7\n...";
        assert_eq!(
            check_attachment("file", "report.pdf", pdf, 1024).unwrap().1,
            AttachmentType::Pdf
        );
        // An executable renamed to .pdf is refused: the content decides.
        let exe = b"MZ\x90\x00\x03\x00\x00\x00";
        assert_eq!(
            check_attachment("file", "report.pdf", exe, 1024)
                .unwrap_err()
                .errors[0]
                .code,
            "forbidden_type"
        );
        // Text that calls itself a script is refused: the extension must match.
        assert!(check_attachment("file", "run.sh", b"echo hi", 1024).is_err());
        assert!(check_attachment("file", "page.html", b"<script>", 1024).is_err());
        assert!(check_attachment("file", "notes.txt", b"hello", 1024).is_ok());
        assert_eq!(
            check_attachment("file", "big.txt", &[b'a'; 2048], 1024)
                .unwrap_err()
                .errors[0]
                .code,
            "too_large"
        );
        assert!(check_attachment("file", "../etc/passwd.txt", b"x", 1024).is_err());
        assert!(check_attachment("file", "empty.txt", b"", 1024).is_err());
    }
}
