//! Message threads about a patient: addressing (people, the whole team, a role, the
//! patient), per-recipient receipts, attachments, and the deadline on a receipt.
//!
//! Who may read a thread is the policy's decision: the thread's category against the
//! patient's consent, and for professionals whether they are addressed in it. A
//! message is refused outright if one of its professional recipients may not read its
//! category: sending it would disclose what the patient withheld.

use crate::care::Facts;
use crate::jobs::{self};
use crate::notify::Notice;
use crate::paging::{self, Page, PageParams};
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{App, AppError, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::principal::Subject;
use samband_domain::team::MemberKind;
use samband_domain::ValidationErrors;
use samband_store::{Account, Job, ThreadFilter, Tx};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type TxBox = Box<dyn Tx>;

/// A file sent with a message (the API decodes base64, the form reads multipart).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub data: Vec<u8>,
}

/// A new thread: addressees are `team`, `role:<role>`, `member:<member id>` or
/// `patient`. A patient writing leaves them empty to reach the whole team.
#[derive(Debug, Clone, Default)]
pub struct ComposeInput {
    pub subject: String,
    pub body: String,
    pub category: Option<String>,
    pub to: Vec<String>,
    pub needs_ack: bool,
    pub urgent: bool,
    pub attachments: Vec<Upload>,
}

#[derive(Debug, Clone, Default)]
pub struct ReplyInput {
    pub body: String,
    pub needs_ack: bool,
    pub urgent: bool,
    pub attachments: Vec<Upload>,
}

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

/// A resolved recipient.
#[derive(Debug, Clone)]
pub(crate) struct Addressee {
    pub account: Account,
    pub name: String,
    pub member: Option<MemberId>,
}

impl App {
    /// What the compose form offers for this patient.
    pub async fn compose_view(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<ComposeView, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Message,
                Detail::None,
            )
            .await?;
        let p = tx.get_patient(patient).await?.ok_or(AppError::NotFound)?;
        let team = tx
            .get_team(patient)
            .await?
            .unwrap_or_else(|| samband_domain::team::CareTeam {
                patient_id: patient,
                members: vec![],
                version: 0,
            });
        let views = self.member_views(&mut tx, &p, &team).await?;
        let mut options = vec![AddressOption {
            value: "team".into(),
            label: "The whole care team".into(),
        }];
        let mut roles: Vec<String> = Vec::new();
        let mut members = Vec::new();
        for v in views
            .iter()
            .filter(|v| v.active && v.member.kind == MemberKind::Professional)
        {
            if !roles.iter().any(|r| r.eq_ignore_ascii_case(&v.member.role)) {
                roles.push(v.member.role.clone());
            }
            let label = format!("{} ({})", v.display_name, v.member.role);
            members.push(AddressOption {
                value: v.member.id.to_string(),
                label: label.clone(),
            });
        }
        for r in &roles {
            options.push(AddressOption {
                value: format!("role:{r}"),
                label: format!("Role: {r}"),
            });
        }
        for m in &members {
            options.push(AddressOption {
                value: format!("member:{}", m.value),
                label: m.label.clone(),
            });
        }
        if matches!(ctx.principal.subject, Subject::Professional(_)) {
            options.push(AddressOption {
                value: "patient".into(),
                label: format!("{} (the patient)", p.name),
            });
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Team,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        let today = self.today();
        Ok(ComposeView {
            patient_id: patient,
            patient_name: p.name,
            options,
            members,
            default_due: self
                .config
                .calendar
                .add_working_days(today, self.config.request_working_days),
            today,
        })
    }

    /// Turns addressees (`team`, `role:…`, `member:…`, `patient`) into accounts.
    pub(crate) async fn resolve_addressees(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        to: &[String],
    ) -> Result<Vec<Addressee>, AppError> {
        let today = self.today();
        let team = tx.get_team(patient).await?;
        let members: Vec<_> = team
            .as_ref()
            .map(|t| t.active_members(today).cloned().collect())
            .unwrap_or_default();
        let mut e = ValidationErrors::new();
        let mut chosen: Vec<&samband_domain::team::TeamMember> = Vec::new();
        let mut to_patient = false;
        let to: Vec<String> = if to.is_empty() && ctx.principal.subject.own_patient().is_some() {
            vec!["team".into()]
        } else {
            to.to_vec()
        };
        if to.is_empty() {
            e.add("to", "required", "choose at least one recipient");
        }
        for a in &to {
            let a = a.trim();
            if a == "team" {
                chosen.extend(
                    members
                        .iter()
                        .filter(|m| m.kind == MemberKind::Professional),
                );
            } else if a == "patient" {
                to_patient = true;
            } else if let Some(role) = a.strip_prefix("role:") {
                let found: Vec<_> = members
                    .iter()
                    .filter(|m| m.kind == MemberKind::Professional)
                    .filter(|m| m.role.eq_ignore_ascii_case(role.trim()))
                    .collect();
                if found.is_empty() {
                    e.add(
                        "to",
                        "role_not_on_team",
                        format!("nobody on the team has the role {role}"),
                    );
                }
                chosen.extend(found);
            } else if let Some(id) = a
                .strip_prefix("member:")
                .and_then(|s| s.parse::<MemberId>().ok())
            {
                match members
                    .iter()
                    .find(|m| m.id == id && m.kind == MemberKind::Professional)
                {
                    Some(m) => chosen.push(m),
                    None => e.add(
                        "to",
                        "not_on_team",
                        "the recipient is not on the patient's care team",
                    ),
                }
            } else {
                e.add(
                    "to",
                    "not_on_team",
                    "the recipient is not on the patient's care team",
                );
            }
        }
        std::mem::take(&mut e).into_result()?;
        let mut out: Vec<Addressee> = Vec::new();
        for m in chosen {
            let Some(pid) = m.professional_id else {
                continue;
            };
            let name = tx
                .get_professional(pid)
                .await?
                .map(|p| p.name)
                .unwrap_or_else(|| m.role.clone());
            match tx.account_for_professional(pid).await? {
                Some(account) => {
                    if account.id != ctx.principal.account_id
                        && !out.iter().any(|o| o.account.id == account.id)
                    {
                        out.push(Addressee {
                            account,
                            name,
                            member: Some(m.id),
                        });
                    }
                }
                None => e.add(
                    "to",
                    "no_account",
                    format!("{name} has no Samband account and cannot receive messages here"),
                ),
            }
        }
        if to_patient {
            let name = tx
                .get_patient(patient)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            for account in tx.accounts_for_patient(patient).await? {
                if account.id != ctx.principal.account_id {
                    let name = if account.patient_id == Some(patient)
                        && account.role == samband_domain::principal::AccountRole::Patient
                    {
                        name.clone()
                    } else {
                        account.display_name.clone()
                    };
                    out.push(Addressee {
                        account,
                        name,
                        member: None,
                    });
                }
            }
        }
        if out.is_empty() && e.is_empty() {
            e.add(
                "to",
                "no_recipients",
                "nobody else on the team can receive this message",
            );
        }
        e.into_result()?;
        Ok(out)
    }

    /// Refuses recipients whom the patient's consent keeps from this category.
    pub(crate) async fn check_recipients_may_read(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
        category: Category,
        recipients: &[Addressee],
    ) -> Result<(), AppError> {
        let mut e = ValidationErrors::new();
        for r in recipients {
            let principal =
                crate::auth::principal_for(&r.account, samband_domain::principal::Scopes::ALL)?;
            let rctx = Ctx {
                principal,
                request_id: None,
            };
            let facts = self.load_facts(tx, &rctx, patient).await?;
            if self.decide_in(
                &rctx,
                patient,
                &facts,
                Operation::Read,
                Object::Message,
                category,
                Detail::None,
            ) != crate::policy::Decision::Permit(Purpose::Care)
                && !matches!(
                    rctx.principal.subject,
                    Subject::Patient(_) | Subject::Proxy { .. }
                )
            {
                e.add(
                    "to",
                    "no_consent",
                    format!(
                        "{} may not receive {} information under the patient's consent",
                        r.name,
                        category.as_str().replace('_', " ")
                    ),
                );
            }
        }
        Ok(e.into_result()?)
    }

    /// Starts a thread with its first message.
    pub async fn start_thread(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: ComposeInput,
    ) -> Result<ThreadId, AppError> {
        let mut e = ValidationErrors::new();
        let text = e.take(check_new_thread(&input.subject, &input.body));
        let category = match input.category.as_deref().map(str::trim) {
            None | Some("") => Some(Category::PlanAndActions),
            Some(c) => e.take(Category::parse("category", c)),
        };
        let files = self.check_uploads(&input.attachments, &mut e);
        e.into_result()?;
        let (Some(text), Some(category)) = (text, category) else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_in(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Create,
                Object::Message,
                category,
                Detail::None,
            )
            .await?;
        let recipients = self
            .resolve_addressees(&mut tx, ctx, patient, &input.to)
            .await?;
        self.check_recipients_may_read(&mut tx, patient, category, &recipients)
            .await?;
        let now = self.clock.now();
        let thread = Thread {
            id: ThreadId::new(),
            patient_id: patient,
            subject: text.subject,
            category,
            created_by: ctx.principal.account_id,
            created_at: now,
            last_message_at: now,
        };
        tx.insert_thread(&thread).await?;
        tx.add_participant(thread.id, ctx.principal.account_id)
            .await?;
        let needs_ack = input.needs_ack && ctx.principal.subject.own_patient().is_none();
        let m = self
            .post(
                &mut tx,
                ctx,
                &thread,
                MessageKind::Message,
                text.body,
                needs_ack,
                input.urgent,
                &recipients,
                files,
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Message,
            Some(thread.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.after_post(ctx, &recipients);
        tracing::info!(message.id = %m, "message sent");
        Ok(thread.id)
    }

    /// Replies in a thread: to everyone else taking part in it.
    pub async fn reply(
        &self,
        ctx: &Ctx,
        thread_id: ThreadId,
        input: ReplyInput,
    ) -> Result<MessageId, AppError> {
        let mut e = ValidationErrors::new();
        let body = e.take(check_body(&input.body));
        let files = self.check_uploads(&input.attachments, &mut e);
        e.into_result()?;
        let body = body.unwrap_or_default();
        let (mut tx, thread, purpose) = self.open_thread(ctx, thread_id, Operation::Create).await?;
        let recipients = self.thread_others(&mut tx, ctx, &thread).await?;
        self.check_recipients_may_read(&mut tx, thread.patient_id, thread.category, &recipients)
            .await?;
        let needs_ack = input.needs_ack && ctx.principal.subject.own_patient().is_none();
        let id = self
            .post(
                &mut tx,
                ctx,
                &thread,
                MessageKind::Message,
                body,
                needs_ack,
                input.urgent,
                &recipients,
                files,
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(thread.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.after_post(ctx, &recipients);
        Ok(id)
    }

    /// Everyone in the thread except the principal, as addressees.
    pub(crate) async fn thread_others(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        thread: &Thread,
    ) -> Result<Vec<Addressee>, AppError> {
        let mut ids: Vec<AccountId> = vec![thread.created_by];
        for r in tx.list_recipients(thread.id).await? {
            ids.push(r.account_id);
        }
        for m in tx.list_messages(thread.id).await? {
            ids.push(m.author_account_id);
        }
        let mut out: Vec<Addressee> = Vec::new();
        for id in ids {
            if id == ctx.principal.account_id || out.iter().any(|o| o.account.id == id) {
                continue;
            }
            if let Some(account) = tx.get_account(id).await? {
                if account.disabled {
                    continue;
                }
                out.push(Addressee {
                    name: account.display_name.clone(),
                    account,
                    member: None,
                });
            }
        }
        if out.is_empty() {
            return Err(ValidationErrors::single(
                "body",
                "no_recipients",
                "nobody else takes part in this thread",
            )
            .into());
        }
        Ok(out)
    }

    fn check_uploads(
        &self,
        uploads: &[Upload],
        e: &mut ValidationErrors,
    ) -> Vec<(Upload, AttachmentType)> {
        let mut out = Vec::new();
        for (i, u) in uploads.iter().enumerate() {
            if let Some((name, t)) = e.take(check_attachment(
                &format!("attachments[{i}]"),
                &u.file_name,
                &u.data,
                self.config.attachment_max_bytes,
            )) {
                out.push((
                    Upload {
                        file_name: name,
                        data: u.data.clone(),
                    },
                    t,
                ));
            }
        }
        out
    }

    /// Writes one message with its receipts, attachments, notifications and the job
    /// that checks its receipt deadline, all in the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn post(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        thread: &Thread,
        kind: MessageKind,
        body: String,
        needs_ack: bool,
        urgent: bool,
        recipients: &[Addressee],
        files: Vec<(Upload, AttachmentType)>,
    ) -> Result<MessageId, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let ack_due = needs_ack.then(|| {
            let days = if urgent {
                self.config.urgent_ack_working_days
            } else {
                self.config.ack_working_days
            };
            self.config.calendar.add_working_days(today, days)
        });
        let m = Message {
            id: MessageId::new(),
            thread_id: thread.id,
            patient_id: thread.patient_id,
            author_account_id: ctx.principal.account_id,
            author_name: ctx.principal.display_name.clone(),
            kind,
            body,
            sent_at: now,
            needs_ack,
            urgent,
            ack_due,
        };
        let rows: Vec<Recipient> = recipients
            .iter()
            .map(|r| Recipient {
                message_id: m.id,
                account_id: r.account.id,
                name: r.name.clone(),
                delivered_at: None,
                read_at: None,
                acknowledged_at: None,
                escalated_at: None,
            })
            .collect();
        tx.insert_message(&m, &rows).await?;
        tx.add_participant(thread.id, ctx.principal.account_id)
            .await?;
        for r in recipients {
            tx.add_participant(thread.id, r.account.id).await?;
        }
        for (u, t) in files {
            let a = Attachment {
                id: AttachmentId::new(),
                message_id: m.id,
                file_name: u.file_name,
                content_type: t.content_type().into(),
                size_bytes: u.data.len() as i64,
                sha256: format!("{:x}", Sha256::digest(&u.data)),
            };
            tx.insert_attachment(&a, &u.data).await?;
        }
        if let Some(due) = ack_due {
            let job = Job::new(
                jobs::ACK_DEADLINE,
                serde_json::json!({ "message_id": m.id }),
                self.end_of_day(due),
                now,
            )
            .dedupe(format!("ack:{}", m.id));
            self.enqueue(tx, job).await?;
        }
        let notice_kind = match kind {
            MessageKind::Message => "message",
            MessageKind::Request => "request",
            MessageKind::Answer => "request_answered",
            MessageKind::Decline => "request_declined",
        };
        for r in recipients {
            self.notify(
                tx,
                Notice {
                    account: r.account.id,
                    patient: Some(thread.patient_id),
                    kind: notice_kind,
                    thread: Some(thread.id),
                    actor: Some(&ctx.principal.display_name),
                    detail: None,
                    unread: false,
                },
            )
            .await?;
        }
        Ok(m.id)
    }

    /// After the commit: live updates for the recipients, and the e-mail runner.
    pub(crate) fn after_post(&self, ctx: &Ctx, recipients: &[Addressee]) {
        self.live.publish(
            recipients
                .iter()
                .map(|r| r.account.id)
                .chain([ctx.principal.account_id]),
        );
        self.job_wake.notify_one();
    }

    /// The first moment after the local day `d` ends (when "by d" has passed).
    pub(crate) fn end_of_day(&self, d: NaiveDate) -> DateTime<Utc> {
        d.succ_opt()
            .and_then(|n| n.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(self.config.time_zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.clock.now())
    }

    /// Loads a thread and authorizes `op` on it (addressed or not, consent for its
    /// category); on success the transaction stays open for the caller.
    pub(crate) async fn open_thread(
        &self,
        ctx: &Ctx,
        thread_id: ThreadId,
        op: Operation,
    ) -> Result<(TxBox, Thread, Purpose), AppError> {
        let mut tx = self.store.begin().await?;
        let thread = tx.get_thread(thread_id).await?.ok_or(AppError::NotFound)?;
        let facts = self.load_facts(&mut tx, ctx, thread.patient_id).await?;
        let detail = self.thread_detail(&mut tx, ctx, &thread).await?;
        let (tx, purpose) = self
            .authorize_in(
                tx,
                ctx,
                thread.patient_id,
                &facts,
                op,
                Object::Message,
                thread.category,
                detail,
            )
            .await?;
        Ok((tx, thread, purpose))
    }

    pub(crate) async fn thread_detail(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        thread: &Thread,
    ) -> Result<Detail, AppError> {
        Ok(
            if tx
                .is_participant(thread.id, ctx.principal.account_id)
                .await?
            {
                Detail::None
            } else {
                Detail::ThreadOutsider
            },
        )
    }

    /// Opens a thread: its messages with receipts, any request, and marks it read for
    /// the reader (which the senders then see).
    pub async fn thread_view(
        &self,
        ctx: &Ctx,
        thread_id: ThreadId,
    ) -> Result<ThreadView, AppError> {
        let (mut tx, thread, purpose) = self.open_thread(ctx, thread_id, Operation::Read).await?;
        let now = self.clock.now();
        let me = ctx.principal.account_id;
        let changed = tx.mark_thread_read(thread.id, me, now).await?;
        let messages = tx.list_messages(thread.id).await?;
        let recipients = tx.list_recipients(thread.id).await?;
        let attachments = tx.list_attachments(thread.id).await?;
        let request = tx.request_for_thread(thread.id).await?;
        let patient_name = tx
            .get_patient(thread.patient_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        let can_reply = self
            .thread_detail(&mut tx, ctx, &thread)
            .await
            .map(|d| d == Detail::None)
            .unwrap_or(false)
            && purpose != Purpose::Emergency
            && !matches!(ctx.principal.subject, Subject::Proxy { .. });
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(thread.id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        let today = self.today();
        let authors: Vec<AccountId> = messages.iter().map(|m| m.author_account_id).collect();
        if changed > 0 {
            self.live.publish(authors.into_iter().chain([me]));
        }
        let messages = messages
            .into_iter()
            .map(|m| {
                let rs: Vec<RecipientView> = recipients
                    .iter()
                    .filter(|r| r.message_id == m.id)
                    .map(|r| RecipientView {
                        account_id: r.account_id,
                        name: r.name.clone(),
                        state: r.state(),
                        delivered_at: r.delivered_at,
                        read_at: r.read_at,
                        acknowledged_at: r.acknowledged_at,
                        escalated: r.escalated_at.is_some(),
                    })
                    .collect();
                let awaiting_my_ack = m.needs_ack
                    && rs
                        .iter()
                        .any(|r| r.account_id == me && r.acknowledged_at.is_none());
                let ack_overdue = m.ack_due.is_some_and(|d| today > d)
                    && rs.iter().any(|r| r.acknowledged_at.is_none());
                MessageView {
                    attachments: attachments
                        .iter()
                        .filter(|a| a.message_id == m.id)
                        .cloned()
                        .collect(),
                    message: m,
                    recipients: rs,
                    awaiting_my_ack,
                    ack_overdue,
                }
            })
            .collect();
        let can_answer = request
            .as_ref()
            .is_some_and(|r| r.addressee_account_id == me && r.status.is_open());
        Ok(ThreadView {
            request_status: request.as_ref().map(|r| r.display_status(today)),
            request,
            thread,
            patient_name,
            messages,
            can_answer,
            can_reply,
            today,
        })
    }

    /// An explicit receipt: "I have received this and take it from here".
    pub async fn acknowledge(&self, ctx: &Ctx, message_id: MessageId) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        let m = tx
            .get_message(message_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(tx);
        let (mut tx, thread, purpose) = self
            .open_thread(ctx, m.thread_id, Operation::Update)
            .await?;
        let recipients = tx.list_recipients(thread.id).await?;
        let mine = recipients
            .iter()
            .find(|r| r.message_id == m.id && r.account_id == ctx.principal.account_id);
        match mine {
            None => {
                return Err(ValidationErrors::single(
                    "message",
                    "not_recipient",
                    "only a recipient can acknowledge a message",
                )
                .into())
            }
            Some(r) if r.acknowledged_at.is_some() => {
                // Acknowledging twice changes nothing and is not an error.
                tx.commit().await?;
                return Ok(());
            }
            Some(_) => {}
        }
        tx.acknowledge(m.id, ctx.principal.account_id, self.clock.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(m.id.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.live
            .publish([m.author_account_id, ctx.principal.account_id]);
        Ok(())
    }

    /// Which of the patient's threads this reader may see, as the policy decides it per
    /// information category for threads they take part in and threads they do not.
    pub(crate) fn visible_thread_categories(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
    ) -> (Vec<&'static str>, Vec<&'static str>) {
        let allowed = |detail| -> Vec<&'static str> {
            Category::ALL
                .iter()
                .filter(|c| {
                    self.permits_in(ctx, patient, facts, Operation::List, **c, detail)
                        .is_some()
                })
                .map(|c| c.as_str())
                .collect()
        };
        (allowed(Detail::None), allowed(Detail::ThreadOutsider))
    }

    /// One page of the patient's threads this reader may see (a professional: those
    /// they take part in; the patient and proxies: all), newest activity first, with how
    /// many there are. The policy decides which categories; the store filters by them.
    pub async fn patient_threads(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        page: &PageParams,
    ) -> Result<Page<ThreadSummary>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("threads", page)?;
        let mut tx = self.store.begin_read().await?;
        let facts: Facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::List,
                Object::Patient,
                Detail::None,
            )
            .await?;
        let today = self.today();
        let (mine, others) = self.visible_thread_categories(ctx, patient, &facts);
        let filter = ThreadFilter {
            reader: ctx.principal.account_id,
            participant_categories: &mine,
            other_categories: &others,
        };
        let rows = tx.list_threads(patient, &filter, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |t| (t.last_message_at, t.id.as_uuid()));
        let total = tx.count_threads(patient, &filter).await?;
        let mut out = Vec::new();
        for t in rows {
            let req = tx.request_for_thread(t.id).await?;
            out.push(ThreadSummary {
                request_kind: req.as_ref().map(|r| r.kind),
                request_status: req.as_ref().map(|r| r.display_status(today)),
                thread: t,
            });
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Message,
            None,
            Operation::List,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(out, next, total))
    }

    fn permits_in(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        category: Category,
        detail: Detail,
    ) -> Option<Purpose> {
        match self.decide_in(ctx, patient, facts, op, Object::Message, category, detail) {
            crate::policy::Decision::Permit(p) => Some(p),
            crate::policy::Decision::Deny(_) => None,
        }
    }

    /// One page of the reader's inbox: threads they take part in, newest activity
    /// first, each shown only if the policy lets them see it now (its patient's consent
    /// and their membership decide, per thread). `total` counts every thread they take
    /// part in, withheld ones included (those are never listed). Showing the inbox
    /// counts as delivery.
    pub async fn inbox(&self, ctx: &Ctx, page: &PageParams) -> Result<Page<InboxItem>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("inbox", page)?;
        let mut tx = self.store.begin().await?;
        let rows = tx
            .inbox_threads(ctx.principal.account_id, &req.probe())
            .await?;
        let (rows, next) = req.cut(rows, |r| (r.thread.last_message_at, r.thread.id.as_uuid()));
        let total = tx.count_inbox(ctx.principal.account_id).await?;
        let mut facts_by_patient: Vec<(PatientId, Facts, Option<String>)> = Vec::new();
        let mut out = Vec::new();
        for row in rows {
            let p = row.thread.patient_id;
            if !facts_by_patient.iter().any(|(id, _, _)| *id == p) {
                let facts = self.load_facts(&mut tx, ctx, p).await?;
                let name = match self.permits(
                    ctx,
                    p,
                    &facts,
                    Operation::List,
                    Object::Patient,
                    Detail::None,
                ) {
                    Some(purpose) => {
                        self.audit(
                            &mut tx,
                            ctx,
                            p,
                            Object::Message,
                            None,
                            Operation::List,
                            purpose,
                        )
                        .await?;
                        tx.get_patient(p).await?.map(|x| x.name)
                    }
                    None => None,
                };
                facts_by_patient.push((p, facts, name));
            }
            let Some((_, facts, name)) = facts_by_patient.iter().find(|(id, _, _)| *id == p) else {
                continue;
            };
            let (Some(name), Some(_)) = (
                name,
                self.permits_in(
                    ctx,
                    p,
                    facts,
                    Operation::List,
                    row.thread.category,
                    Detail::None,
                ),
            ) else {
                continue;
            };
            out.push(InboxItem {
                patient_name: name.clone(),
                thread: row.thread,
                unread: row.unread,
                awaiting_ack: row.awaiting_ack,
            });
        }
        let delivered = tx
            .mark_delivered(ctx.principal.account_id, self.clock.now())
            .await?;
        tx.commit().await?;
        if delivered > 0 {
            // Senders watching their message see it reach the inbox.
            self.live.publish(out.iter().map(|i| i.thread.created_by));
        }
        Ok(req.page(out, next, total))
    }

    /// An attachment, for a reader who may see its thread.
    pub async fn attachment(
        &self,
        ctx: &Ctx,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>), AppError> {
        let mut tx = self.store.begin().await?;
        let (a, thread_id, data) = tx.get_attachment(id).await?.ok_or(AppError::NotFound)?;
        drop(tx);
        let (mut tx, thread, purpose) = self.open_thread(ctx, thread_id, Operation::Read).await?;
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(a.id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok((a, data))
    }

    /// Job: a receipt deadline passed. Recipients who have not acknowledged are marked
    /// escalated; the sender gets a warning and a follow-up action in the care plan, and
    /// the coordinator is told.
    pub(crate) async fn run_ack_deadline(&self, job: &Job) -> Result<(), AppError> {
        let id: MessageId = serde_json::from_value(job.payload["message_id"].clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(m) = tx.get_message(id).await? else {
            return self.finish_run(tx, job, now, Vec::new()).await;
        };
        let missing = tx.escalate_unacknowledged(m.id, now).await?;
        let mut told = Vec::new();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|r| r.name.as_str()).collect();
            let thread = tx
                .get_thread(m.thread_id)
                .await?
                .ok_or(AppError::NotFound)?;
            self.follow_up_action(&mut tx, &m, &thread, &names.join(", "))
                .await?;
            let mut to = vec![m.author_account_id];
            if let Some(c) = self.coordinator_account(&mut tx, m.patient_id).await? {
                if !to.contains(&c) {
                    to.push(c);
                }
            }
            for account in &to {
                self.notify(
                    &mut tx,
                    Notice {
                        account: *account,
                        patient: Some(m.patient_id),
                        kind: "ack_overdue",
                        thread: Some(m.thread_id),
                        actor: Some(&m.author_name),
                        detail: Some(names.join(", ")),
                        unread: true,
                    },
                )
                .await?;
            }
            told = to;
        }
        self.finish_run(tx, job, now, told).await
    }

    /// The coordinator's sign-in account, if the team has one.
    pub(crate) async fn coordinator_account(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
    ) -> Result<Option<AccountId>, AppError> {
        let Some(team) = tx.get_team(patient).await? else {
            return Ok(None);
        };
        let Some(pid) = team
            .coordinator(self.today())
            .and_then(|c| c.professional_id)
        else {
            return Ok(None);
        };
        Ok(tx.account_for_professional(pid).await?.map(|a| a.id))
    }

    /// A care-plan action for the sender: follow up the missing receipt.
    async fn follow_up_action(
        &self,
        tx: &mut TxBox,
        m: &Message,
        thread: &Thread,
        names: &str,
    ) -> Result<(), AppError> {
        let Some(sender) = tx.get_account(m.author_account_id).await? else {
            return Ok(());
        };
        let Some(pid) = sender.professional_id else {
            return Ok(());
        };
        let Some(team) = tx.get_team(m.patient_id).await? else {
            return Ok(());
        };
        let today = self.today();
        let Some(member) = team.active_professional(pid, today).cloned() else {
            return Ok(());
        };
        let sector = match member.organisation_id {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        }
        .unwrap_or(samband_domain::organisation::Sector::Other);
        let title: String = format!(
            "Follow up: no receipt from {names} for \"{}\"",
            thread.subject
        )
        .chars()
        .take(samband_domain::text::SHORT)
        .collect();
        let action = samband_domain::plan::Action {
            id: ActionId::new(),
            patient_id: m.patient_id,
            title,
            owner_member_id: member.id,
            sector,
            due_date: today,
            status: samband_domain::plan::ActionStatus::Planned,
            goal_id: None,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.system_history(
            tx,
            &sender,
            m.patient_id,
            Object::Action,
            action.id.to_string(),
            &action,
        )
        .await
    }

    /// History and audit for a change Samband made by itself (a deadline passing), in
    /// the name of the person it acts for.
    pub(crate) async fn system_history<T: Serialize>(
        &self,
        tx: &mut TxBox,
        on_behalf: &Account,
        patient: PatientId,
        object: Object,
        object_id: String,
        value: &T,
    ) -> Result<(), AppError> {
        tx.append_history(&samband_store::HistoryEntry {
            id: uuid::Uuid::now_v7(),
            patient_id: patient,
            object_type: object.as_str().into(),
            object_id: object_id.clone(),
            version: 1,
            actor_account_id: on_behalf.id,
            actor_name: format!("Samband (for {})", on_behalf.display_name),
            at: self.clock.now(),
            reason: Some("deadline passed".into()),
            old_value: None,
            new_value: serde_json::to_value(value).unwrap_or_default(),
        })
        .await?;
        tx.append_audit(&samband_store::AuditEntry {
            id: uuid::Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: None,
            patient_id: Some(patient),
            object_type: object.as_str().into(),
            object_id: Some(object_id),
            action: "create".into(),
            purpose: "system".into(),
            request_id: None,
        })
        .await?;
        Ok(())
    }
}

/// Raw JSON for a new thread through the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComposeJson {
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub needs_ack: bool,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub attachments: Vec<UploadJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyJson {
    pub body: String,
    #[serde(default)]
    pub needs_ack: bool,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub attachments: Vec<UploadJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadJson {
    pub file_name: String,
    pub content_base64: String,
}

/// Decodes API uploads; a bad encoding is a field error.
pub fn decode_uploads(items: &[UploadJson]) -> Result<Vec<Upload>, AppError> {
    use base64::Engine;
    let mut e = ValidationErrors::new();
    let mut out = Vec::new();
    for (i, u) in items.iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(u.content_base64.trim()) {
            Ok(data) => out.push(Upload {
                file_name: u.file_name.clone(),
                data,
            }),
            Err(_) => e.add(
                &format!("attachments[{i}].content_base64"),
                "bad_base64",
                "must be base64",
            ),
        }
    }
    e.into_result()?;
    Ok(out)
}
