//! Typed requests: a status report (caseworker → GP or clinician, with the questions
//! asked and a structured answer), an advice request (GP → specialist) and a general
//! task. Each is a thread, and an action in the care plan owned by the addressee, so it
//! shows in the plan, the addressee's list and the overdue counts. Statuses run
//! requested → accepted → answered, or declined with a reason; "overdue" is derived.
//! A reminder goes out the working day before the deadline; once it has passed, the
//! requester, the addressee and the coordinator are told.

use crate::jobs;
use crate::kernel::{Change, TxBox, Versioned};
use crate::messaging::Addressee;
use crate::notify::Notice;
use crate::policy::{Detail, Object, Operation};
use crate::{App, AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::plan::{Action, ActionStatus};
use samband_domain::ValidationErrors;
use samband_store::Job;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[serde(default)]
    pub answers: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    #[serde(default)]
    pub reason: String,
}

/// What the addressee does with a request.
pub enum Transition {
    Accept,
    Answer(AnswerInput),
    Decline(DeclineInput),
}

fn kind_label(k: RequestKind) -> &'static str {
    match k {
        RequestKind::StatusReport => "Status report",
        RequestKind::AdviceRequest => "Advice request",
        RequestKind::GeneralTask => "Task",
    }
}

/// The category a request's thread carries unless the requester says otherwise.
fn default_category(k: RequestKind) -> Category {
    match k {
        RequestKind::StatusReport => Category::WorkCapacity,
        RequestKind::AdviceRequest => Category::Medication,
        RequestKind::GeneralTask => Category::PlanAndActions,
    }
}

impl App {
    /// Sends a request; returns its thread.
    pub async fn create_request(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &RequestInput,
    ) -> Result<(ThreadId, RequestId), AppError> {
        let today = self.today();
        let default_due = self
            .config
            .calendar
            .add_working_days(today, self.config.request_working_days);
        let mut e = ValidationErrors::new();
        let f = e.take(input.check(today, default_due));
        let category = match input.category.as_deref().map(str::trim) {
            None | Some("") => f.as_ref().map(|f| default_category(f.kind)),
            Some(c) => e.take(Category::parse("category", c)),
        };
        e.into_result()?;
        let (Some(f), Some(category)) = (f, category) else {
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
                // Requests go between professionals; a patient writes a message instead.
                Detail::Request,
            )
            .await?;
        let member = input.addressee_member_id.map(|m| format!("member:{m}"));
        let to: Vec<String> = member.into_iter().collect();
        let addressees = self
            .messages()
            .resolve_addressees(&mut tx, ctx, patient, &to)
            .await
            .map_err(|e| rename_field(e, "to", "addressee_member_id"))?;
        self.messages()
            .check_recipients_may_read(&mut tx, patient, category, &addressees)
            .await
            .map_err(|e| rename_field(e, "to", "addressee_member_id"))?;
        let Some(Addressee {
            account,
            name,
            member: Some(member_id),
        }) = addressees.first().cloned()
        else {
            return Err(ValidationErrors::single(
                "addressee_member_id",
                "not_on_team",
                "the addressee must be a professional on the care team",
            )
            .into());
        };
        let team = tx.get_team(patient).await?.ok_or(AppError::NotFound)?;
        let sector = match team
            .members
            .iter()
            .find(|m| m.id == member_id)
            .and_then(|m| m.organisation_id)
        {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        }
        .unwrap_or(samband_domain::organisation::Sector::Other);
        let now = self.clock.now();
        let action = Action {
            id: ActionId::new(),
            patient_id: patient,
            title: format!("{}: {}", kind_label(f.kind), f.subject)
                .chars()
                .take(samband_domain::text::SHORT)
                .collect(),
            owner_member_id: member_id,
            sector,
            due_date: f.due_date,
            status: ActionStatus::Planned,
            goal_id: None,
            created_at: now,
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.record_change(
            &mut tx,
            ctx,
            patient,
            Object::Action,
            action.id.to_string(),
            1,
            None::<&Action>,
            &action,
            Some(format!("{} sent", kind_label(f.kind))),
        )
        .await?;
        let thread = Thread {
            id: ThreadId::new(),
            patient_id: patient,
            subject: f.subject.clone(),
            category,
            created_by: ctx.principal.account_id,
            created_at: now,
            last_message_at: now,
        };
        tx.insert_thread(&thread).await?;
        let request = Request {
            id: RequestId::new(),
            thread_id: thread.id,
            patient_id: patient,
            kind: f.kind,
            status: RequestStatus::Requested,
            questions: f.questions.clone(),
            answers: vec![],
            answer_note: None,
            decline_reason: None,
            requester_account_id: ctx.principal.account_id,
            requester_name: ctx.principal.display_name.clone(),
            addressee_account_id: account.id,
            addressee_member_id: member_id,
            addressee_name: name.clone(),
            action_id: action.id,
            due_date: f.due_date,
            created_at: now,
            answered_at: None,
            version: 1,
        };
        tx.insert_request(&request).await?;
        let body = request_body(&f);
        self.messages()
            .post(
                &mut tx,
                ctx,
                &thread,
                MessageKind::Request,
                body,
                false,
                false,
                &addressees,
                vec![],
            )
            .await?;
        self.schedule_request_deadlines(&mut tx, &request).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Message,
            Some(request.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.messages().after_post(ctx, &addressees);
        Ok((thread.id, request.id))
    }

    async fn schedule_request_deadlines(
        &self,
        tx: &mut TxBox,
        r: &Request,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        // The working day before the deadline, in the morning.
        let mut day = r.due_date.pred_opt().unwrap_or(r.due_date);
        while !self.config.calendar.is_working_day(day) {
            day = day.pred_opt().unwrap_or(day);
        }
        let reminder_at: Option<DateTime<Utc>> = day
            .and_hms_opt(8, 0, 0)
            .and_then(|t| t.and_local_timezone(self.config.time_zone).earliest())
            .map(|t| t.with_timezone(&Utc));
        if let Some(at) = reminder_at.filter(|at| *at > now) {
            let job = Job::new(
                jobs::REQUEST_REMINDER,
                serde_json::json!({ "request_id": r.id }),
                at,
                now,
            )
            .dedupe(format!("reminder:{}", r.id));
            self.enqueue(tx, job).await?;
        }
        let job = Job::new(
            jobs::REQUEST_OVERDUE,
            serde_json::json!({ "request_id": r.id }),
            self.end_of_day(r.due_date),
            now,
        )
        .dedupe(format!("overdue:{}", r.id));
        self.enqueue(tx, job).await?;
        Ok(())
    }

    /// The addressee accepts, answers or declines. `expected` is the request version
    /// the addressee saw: a stale one is refused with the current state.
    pub async fn request_transition(
        &self,
        ctx: &Ctx,
        id: RequestId,
        expected: i64,
        t: Transition,
    ) -> Result<Request, AppError> {
        let mut tx = self.store.begin().await?;
        let r = tx.get_request(id).await?.ok_or(AppError::NotFound)?;
        let thread = tx
            .get_thread(r.thread_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = self.load_facts(&mut tx, ctx, thread.patient_id).await?;
        // Only the addressee moves a request on; the policy says so (and audits it).
        let detail = match self.messages().thread_detail(&mut tx, ctx, &thread).await? {
            Detail::None if r.addressee_account_id != ctx.principal.account_id => {
                Detail::OthersRequest
            }
            d => d,
        };
        let (tx, purpose) = self
            .authorize_in(
                tx,
                ctx,
                thread.patient_id,
                &facts,
                Operation::Update,
                Object::Message,
                thread.category,
                detail,
            )
            .await?;
        let at = Versioned {
            patient: r.patient_id,
            object: Object::Message,
            id: r.id.to_string(),
            purpose,
        };
        let mut tx = self.check_version(tx, ctx, &at, &r, expected).await?;
        if !r.status.is_open() {
            return Err(ValidationErrors::single(
                "status",
                "closed",
                format!("the request is already {}", r.status.as_str()),
            )
            .into());
        }
        let now = self.clock.now();
        let mut next = r.clone();
        let (action_status, reply) = match t {
            Transition::Accept => {
                if r.status == RequestStatus::Accepted {
                    return Err(ValidationErrors::single(
                        "status",
                        "closed",
                        "the request is already accepted",
                    )
                    .into());
                }
                next.status = RequestStatus::Accepted;
                (ActionStatus::InProgress, None)
            }
            Transition::Answer(a) => {
                let (answers, note) = check_answer(&r.questions, &a.answers, a.note.as_deref())?;
                next.status = RequestStatus::Answered;
                next.answers = answers;
                next.answer_note = note;
                next.answered_at = Some(now);
                (
                    ActionStatus::Done,
                    Some((MessageKind::Answer, answer_body(&next))),
                )
            }
            Transition::Decline(d) => {
                let reason = samband_domain::text::required(
                    "reason",
                    &d.reason,
                    samband_domain::text::LONG,
                )?;
                next.status = RequestStatus::Declined;
                next.decline_reason = Some(reason.clone());
                next.answered_at = Some(now);
                (
                    ActionStatus::Cancelled,
                    Some((MessageKind::Decline, reason)),
                )
            }
        };
        let saved = tx.update_request(&next, expected).await;
        let (mut tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_request(id).await?.ok_or(AppError::NotFound) })
            })
            .await?;
        next.version = version;
        self.set_action_status(&mut tx, ctx, &r, action_status)
            .await?;
        let mut told = Vec::new();
        if let Some((kind, body)) = reply {
            let requester = tx
                .get_account(r.requester_account_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let to = vec![Addressee {
                name: r.requester_name.clone(),
                account: requester,
                member: None,
            }];
            // The requester confirms they received the answer: an explicit receipt.
            self.messages()
                .post(
                    &mut tx,
                    ctx,
                    &thread,
                    kind,
                    body,
                    kind == MessageKind::Answer,
                    false,
                    &to,
                    vec![],
                )
                .await?;
            told = to;
        }
        self.commit_change(
            tx,
            ctx,
            r.patient_id,
            Change {
                object: Object::Message,
                id: r.id.to_string(),
                version: next.version,
                old: Some(&r),
                new: &next,
                reason: None,
                audit_id: Some(r.id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        self.messages().after_post(ctx, &told);
        self.live.publish([r.requester_account_id]);
        Ok(next)
    }

    /// Moves the request's care-plan action along with the request.
    async fn set_action_status(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        r: &Request,
        status: ActionStatus,
    ) -> Result<(), AppError> {
        let Some(old) = tx.get_action(r.patient_id, r.action_id).await? else {
            return Ok(());
        };
        // Someone closed it by hand already: leave their decision alone.
        if !old.status.is_open() {
            return Ok(());
        }
        let mut next = Action {
            status,
            ..old.clone()
        };
        next.version = tx.update_action(&next, old.version).await?;
        self.record_change(
            tx,
            ctx,
            r.patient_id,
            Object::Action,
            old.id.to_string(),
            next.version,
            Some(&old),
            &next,
            Some(format!("request {}", status.as_str().replace('_', " "))),
        )
        .await
    }

    /// Job: the reminder before a request's deadline, or the deadline passing.
    pub(crate) async fn run_request_deadline(&self, job: &Job) -> Result<(), AppError> {
        let id: RequestId = serde_json::from_value(job.payload["request_id"].clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        if let Some(r) = tx.get_request(id).await? {
            let overdue = job.kind == jobs::REQUEST_OVERDUE;
            if r.status.is_open() {
                let mut to = vec![r.addressee_account_id];
                if overdue {
                    to.push(r.requester_account_id);
                    if let Some(c) = self
                        .team()
                        .coordinator_account(&mut tx, r.patient_id)
                        .await?
                    {
                        if !to.contains(&c) {
                            to.push(c);
                        }
                    }
                }
                for account in &to {
                    self.notify(
                        &mut tx,
                        Notice {
                            account: *account,
                            patient: Some(r.patient_id),
                            kind: if overdue {
                                "request_overdue"
                            } else {
                                "request_reminder"
                            },
                            thread: Some(r.thread_id),
                            actor: Some(&r.requester_name),
                            detail: Some(r.due_date.to_string()),
                            unread: true,
                        },
                    )
                    .await?;
                }
                told = to;
            }
        }
        self.finish_run(tx, job, now, told).await
    }

    /// One page of the requests about a patient this reader may see (those whose thread
    /// they may see), newest first, with how many there are.
    pub async fn patient_requests(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<Request>, AppError> {
        let req = crate::paging::parse::<DateTime<Utc>>("requests", page)?;
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
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
        let (mine, others) = self
            .messages()
            .visible_thread_categories(ctx, patient, &facts);
        let filter = samband_store::ThreadFilter {
            reader: ctx.principal.account_id,
            participant_categories: &mine,
            other_categories: &others,
        };
        let rows = tx.list_requests(patient, &filter, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |r| (r.created_at, r.id.as_uuid()));
        let total = tx.count_requests(patient, &filter).await?;
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
        Ok(req.page(rows, next, total))
    }
}

fn rename_field(e: AppError, from: &str, to: &str) -> AppError {
    match e {
        AppError::Validation(mut v) => {
            for f in &mut v.errors {
                if f.field == from {
                    f.field = to.to_owned();
                }
            }
            AppError::Validation(v)
        }
        other => other,
    }
}

fn request_body(f: &RequestFields) -> String {
    let mut body = if f.body.is_empty() {
        f.subject.clone()
    } else {
        f.body.clone()
    };
    if !f.questions.is_empty() {
        body.push_str("\n\n");
        for (i, q) in f.questions.iter().enumerate() {
            body.push_str(&format!("{}. {q}\n", i + 1));
        }
    }
    body.trim_end().to_owned()
}

fn answer_body(r: &Request) -> String {
    let mut out = String::new();
    for (q, a) in r.questions.iter().zip(&r.answers) {
        out.push_str(&format!("{q}\n→ {a}\n\n"));
    }
    if let Some(n) = &r.answer_note {
        out.push_str(n);
    }
    out.trim_end().to_owned()
}
