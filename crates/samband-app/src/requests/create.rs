//! Sending a typed request: its thread, its action in the addressee's plan, and its
//! reminder and overdue deadlines.

use super::Requests;
use crate::jobs;
use crate::kernel::TxBox;
use crate::messaging::Addressee;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_domain::plan::{Action, ActionStatus};
use samband_domain::ValidationErrors;
use samband_store::Job;

pub(crate) fn kind_label(k: RequestKind) -> &'static str {
    match k {
        RequestKind::StatusReport => "Status report",
        RequestKind::AdviceRequest => "Advice request",
        RequestKind::GeneralTask => "Task",
    }
}

/// The category a request's thread carries unless the requester says otherwise.
pub(crate) fn default_category(k: RequestKind) -> Category {
    match k {
        RequestKind::StatusReport => Category::WorkCapacity,
        RequestKind::AdviceRequest => Category::Medication,
        RequestKind::GeneralTask => Category::PlanAndActions,
    }
}

pub(crate) fn rename_field(e: AppError, from: &str, to: &str) -> AppError {
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

pub(crate) fn request_body(f: &RequestFields) -> String {
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

impl Requests<'_> {
    /// Sends a request; returns its thread.
    pub async fn create(
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

    pub(crate) async fn schedule_request_deadlines(
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
}
