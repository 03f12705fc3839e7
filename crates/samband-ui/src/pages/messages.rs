//! Messages and requests in the UI: the inbox (with live updates over server-sent
//! events), a patient's threads, writing, the thread with its receipts, acknowledging,
//! answering a request, the patient's own messages, notification preferences, and the
//! administrators' dead-letter list.

use super::patients::parse_patient;
use super::{error_response, parse_id as parse, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState, Submitted};
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use samband_app::messaging::{
    ComposeInput, ComposeView, InboxItem, ReplyInput, ThreadSummary, ThreadView,
};
use samband_app::notify::{NotificationView, PrefsInput, PrefsView};
use samband_app::paging::PageParams;
use samband_app::requests::{AnswerInput, DeclineInput, Transition};
use samband_app::views::JobItem;
use samband_app::AppError;
use samband_domain::ids::*;
use samband_domain::message::RequestInput;
use samband_domain::ValidationErrors;
use serde::Deserialize;

// ---- inbox --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    base: Base,
    items: Vec<InboxItem>,
    notifications: Vec<NotificationView>,
    pager: Pager,
    notes_pager: Pager,
}

/// The inbox page's query: the threads page on `cursor` and `limit`, the
/// notifications on their own parameters; each list's links keep the other's place.
#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    cursor: Option<String>,
    limit: Option<String>,
    notes_cursor: Option<String>,
    notes_limit: Option<String>,
}

pub async fn inbox(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Query(q): Query<InboxQuery>,
) -> Response {
    let notes_asked = PageParams {
        cursor: q.notes_cursor.clone(),
        limit: q.notes_limit.clone(),
    };
    let asked = PageParams {
        cursor: q.cursor.clone(),
        limit: q.limit.clone(),
    };
    let result = async {
        let items = state.app.messages().inbox(&viewer.ctx, &asked).await?;
        let notifications = state
            .app
            .notifications()
            .list(&viewer.ctx, &notes_asked)
            .await?;
        Ok::<_, AppError>((items, notifications))
    }
    .await;
    match result {
        Ok((items, notifications)) => {
            viewer.base.title = viewer.base.t("msg.inbox_title");
            let notes_pager = Pager::named(
                &notifications,
                "/inbox",
                &[
                    ("cursor", q.cursor.as_deref()),
                    ("limit", q.limit.as_deref()),
                ],
                &notes_asked,
                ("notes_cursor", "notes_limit"),
            );
            let pager = Pager::new(
                &items,
                "/inbox",
                &[
                    ("notes_cursor", q.notes_cursor.as_deref()),
                    ("notes_limit", q.notes_limit.as_deref()),
                ],
                &asked,
            );
            render(
                StatusCode::OK,
                &InboxPage {
                    base: viewer.base,
                    items: items.items,
                    pager,
                    notifications: notifications.items,
                    notes_pager,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// Server-sent events for the signed-in person: `unread` with the count, at once and
/// on every change. The page script updates the badge and refreshes live parts.
pub async fn events(State(state): State<UiState>, viewer: Viewer) -> Response {
    let stream = samband_app::live::unread_stream(state.app.clone(), viewer.ctx).map(|n| {
        Ok::<_, std::convert::Infallible>(Event::default().event("unread").data(n.to_string()))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

// ---- a patient's threads and writing --------------------------------------------------

#[derive(Template)]
#[template(path = "patient_messages.html")]
struct PatientMessagesPage {
    base: Base,
    compose: ComposeView,
    threads: Vec<ThreadSummary>,
    pager: Pager,
    form: FormState,
    request_form: FormState,
    following: bool,
}

async fn patient_messages_page(
    state: &UiState,
    mut viewer: Viewer,
    patient: PatientId,
    form: FormState,
    request_form: FormState,
    status: StatusCode,
    asked: &PageParams,
) -> Response {
    let result = async {
        let compose = state
            .app
            .messages()
            .compose_view(&viewer.ctx, patient)
            .await?;
        let threads = state
            .app
            .messages()
            .patient_threads(&viewer.ctx, patient, asked)
            .await?;
        let following = state
            .app
            .notifications()
            .is_following(&viewer.ctx, patient)
            .await?;
        Ok::<_, AppError>((compose, threads, following))
    }
    .await;
    match result {
        Ok((compose, threads, following)) => {
            viewer.base.title =
                format!("{} – {}", viewer.base.t("msg.title"), compose.patient_name);
            render(
                status,
                &PatientMessagesPage {
                    pager: Pager::new(
                        &threads,
                        &format!("/patients/{patient}/messages"),
                        &[],
                        asked,
                    ),
                    base: viewer.base,
                    compose,
                    threads: threads.items,
                    form,
                    request_form,
                    following,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn patient_messages(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    Query(asked): Query<PageParams>,
) -> Response {
    if viewer.base.is_patient() {
        return see_other("/me/messages");
    }
    match parse_patient(&patient) {
        Ok(p) => {
            patient_messages_page(
                &state,
                viewer,
                p,
                FormState::default(),
                FormState::default(),
                StatusCode::OK,
                &asked,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

fn compose_input(s: &Submitted) -> ComposeInput {
    ComposeInput {
        subject: s.form.get("subject").to_owned(),
        body: s.form.get("body").to_owned(),
        category: s.form.opt("category"),
        to: s.all("to"),
        needs_ack: s.form.get("needs_ack") == "on",
        urgent: s.form.get("urgent") == "on",
        attachments: s.files.clone(),
    }
}

pub async fn start_thread(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    sub: Submitted,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &sub.form, None) {
        return r;
    }
    let patient = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    match state
        .app
        .messages()
        .start_thread(&viewer.ctx, patient, compose_input(&sub))
        .await
    {
        Ok(t) => see_other(&format!("/threads/{t}")),
        Err(AppError::Validation(errors)) => {
            let form = form_with_multi(&sub, errors);
            patient_messages_page(
                &state,
                viewer,
                patient,
                form,
                FormState::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                &PageParams::first(),
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// Keeps every ticked recipient ticked when the form comes back with errors.
fn form_with_multi(sub: &Submitted, errors: ValidationErrors) -> FormState {
    let mut form = FormState::from_form(&sub.form, errors);
    for (i, v) in sub.all("to").into_iter().enumerate() {
        form.values.insert(format!("to:{v}"), "on".into());
        form.values.insert(format!("to#{i}"), v);
    }
    form
}

fn request_input(f: &FormData) -> RequestInput {
    RequestInput {
        kind: f.get("kind").to_owned(),
        addressee_member_id: f.opt("addressee_member_id").and_then(|s| s.parse().ok()),
        subject: f.get("subject").to_owned(),
        body: f.get("body").to_owned(),
        questions: f
            .get("questions")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        due_date: f.opt("due_date"),
        category: f.opt("category"),
    }
}

pub async fn create_request(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let patient = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    match state
        .app
        .requests()
        .create(&viewer.ctx, patient, &request_input(&form))
        .await
    {
        Ok((t, _)) => see_other(&format!("/threads/{t}")),
        Err(AppError::Validation(errors)) => {
            let rf = FormState::from_form(&form, errors);
            patient_messages_page(
                &state,
                viewer,
                patient,
                FormState::default(),
                rf,
                StatusCode::UNPROCESSABLE_ENTITY,
                &PageParams::first(),
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn follow(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let result = async {
        let p = parse_patient(&patient)?;
        if form.get("follow") == "off" {
            state.app.notifications().unfollow(&viewer.ctx, p).await?;
        } else {
            state.app.notifications().follow(&viewer.ctx, p).await?;
        }
        Ok::<_, AppError>(p)
    }
    .await;
    match result {
        Ok(p) => see_other(&format!("/patients/{p}/messages")),
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- a thread -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    base: Base,
    view: ThreadView,
    reply: FormState,
    answer: FormState,
    /// The re-address form (errors beside its picker).
    readdress: FormState,
    /// Whom an open request can go to: the team's active professionals (id, label).
    addressees: Vec<(String, String)>,
    /// Who a reply just sent did not reach because they have left the team.
    skipped: Vec<String>,
    conflict: bool,
}

async fn thread_page(
    state: &UiState,
    viewer: Viewer,
    id: ThreadId,
    reply: FormState,
    answer: FormState,
    conflict: bool,
    status: StatusCode,
) -> Response {
    thread_page_with(
        state,
        viewer,
        id,
        reply,
        answer,
        FormState::default(),
        Vec::new(),
        conflict,
        status,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn thread_page_with(
    state: &UiState,
    mut viewer: Viewer,
    id: ThreadId,
    reply: FormState,
    answer: FormState,
    readdress: FormState,
    skipped: Vec<String>,
    conflict: bool,
    status: StatusCode,
) -> Response {
    match state.app.messages().thread_view(&viewer.ctx, id).await {
        Ok(view) => {
            let open = view.request.as_ref().is_some_and(|r| r.status.is_open());
            // The picker is offered to professionals on an open request; whether this
            // reader may move it is the use case's (and the policy's) decision.
            let addressees = if open && viewer.base.is_professional() {
                // The same list a new request is addressed from.
                match state
                    .app
                    .messages()
                    .compose_view(&viewer.ctx, view.thread.patient_id)
                    .await
                {
                    Ok(c) => c.members.into_iter().map(|o| (o.value, o.label)).collect(),
                    Err(_) => Vec::new(),
                }
            } else {
                Vec::new()
            };
            viewer.base.title = view.thread.subject.clone();
            render(
                status,
                &ThreadPage {
                    base: viewer.base,
                    view,
                    reply,
                    answer,
                    readdress,
                    addressees,
                    skipped,
                    conflict,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn thread(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    match parse::<ThreadId>(&id) {
        Ok(id) => {
            thread_page(
                &state,
                viewer,
                id,
                FormState::default(),
                FormState::default(),
                false,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn reply(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
    sub: Submitted,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &sub.form, None) {
        return r;
    }
    let id = match parse::<ThreadId>(&id) {
        Ok(id) => id,
        Err(e) => return error_response(&viewer.base, e),
    };
    let input = ReplyInput {
        body: sub.form.get("body").to_owned(),
        needs_ack: sub.form.get("needs_ack") == "on",
        urgent: sub.form.get("urgent") == "on",
        attachments: sub.files.clone(),
    };
    match state
        .app
        .messages()
        .reply_reporting(&viewer.ctx, id, input)
        .await
    {
        Ok(out) if out.skipped.is_empty() => see_other(&format!("/threads/{id}#latest")),
        // Sent, but not to everyone: the thread again, saying whom it did not reach.
        Ok(out) => {
            thread_page_with(
                &state,
                viewer,
                id,
                FormState::default(),
                FormState::default(),
                FormState::default(),
                out.skipped,
                false,
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            let form = FormState::from_form(&sub.form, errors);
            thread_page(
                &state,
                viewer,
                id,
                form,
                FormState::default(),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn acknowledge(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let result = async {
        let id = parse::<MessageId>(&id)?;
        state.app.messages().acknowledge(&viewer.ctx, id).await
    }
    .await;
    let back = form.opt("thread").unwrap_or_else(|| "/inbox".into());
    match result {
        Ok(()) if back.starts_with("/threads/") => see_other(&back),
        Ok(()) => see_other("/inbox"),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// The steps [`request_step`] takes.
pub const STEPS: &[&str] = &["accept", "answer", "decline", "readdress"];

pub async fn request_step(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((id, step)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let id = match parse::<RequestId>(&id) {
        Ok(id) => id,
        Err(e) => return error_response(&viewer.base, e),
    };
    let thread = match form.opt("thread").and_then(|t| t.parse::<ThreadId>().ok()) {
        Some(t) => t,
        None => return error_response(&viewer.base, AppError::NotFound),
    };
    if step == "readdress" {
        return readdress(&state, viewer, id, thread, &form).await;
    }
    let t = match step.as_str() {
        "accept" => Transition::Accept,
        "answer" => {
            let n = form
                .get("question_count")
                .parse::<usize>()
                .unwrap_or(0)
                .min(50);
            Transition::Answer(AnswerInput {
                answers: (0..n)
                    .map(|i| form.get(&format!("answers[{i}]")).to_owned())
                    .collect(),
                note: form.opt("note"),
            })
        }
        "decline" => Transition::Decline(DeclineInput {
            reason: form.get("reason").to_owned(),
        }),
        _ => return error_response(&viewer.base, AppError::NotFound),
    };
    match state
        .app
        .requests()
        .transition(&viewer.ctx, id, form.version(), t)
        .await
    {
        Ok(_) => see_other(&format!("/threads/{thread}")),
        Err(AppError::Validation(errors)) => {
            let f = FormState::from_form(&form, errors);
            thread_page(
                &state,
                viewer,
                thread,
                FormState::default(),
                f,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(_)) => {
            // Someone acted on the request meanwhile: show its current state and keep
            // what was typed.
            let f = FormState::from_form(&form, ValidationErrors::new());
            thread_page(
                &state,
                viewer,
                thread,
                FormState::default(),
                f,
                true,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// Re-addresses the request to the professional picked, at the version shown.
async fn readdress(
    state: &UiState,
    viewer: Viewer,
    id: RequestId,
    thread: ThreadId,
    form: &FormData,
) -> Response {
    let to = form.get("addressee_member_id").parse().ok();
    let reason = form.opt("reason");
    let result = state
        .app
        .requests()
        .readdress(&viewer.ctx, id, to, form.version(), reason.as_deref())
        .await;
    let (errors, conflict, status) = match result {
        Ok(_) => return see_other(&format!("/threads/{thread}")),
        Err(AppError::Validation(errors)) => (errors, false, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(_)) => (ValidationErrors::new(), true, StatusCode::CONFLICT),
        Err(e) => return error_response(&viewer.base, e),
    };
    let kept = FormState::from_form(form, errors);
    thread_page_with(
        state,
        viewer,
        thread,
        FormState::default(),
        FormState::default(),
        kept,
        Vec::new(),
        conflict,
        status,
    )
    .await
}

pub async fn attachment(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse::<AttachmentId>(&id)?;
        state.app.messages().attachment(&viewer.ctx, id).await
    }
    .await;
    match result {
        Ok((a, data)) => samband_http::attachment_response(&a.file_name, &a.content_type, data),
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- the patient's messages -----------------------------------------------------------

#[derive(Template)]
#[template(path = "me_messages.html")]
struct MeMessagesPage {
    base: Base,
    threads: Vec<ThreadSummary>,
    pager: Pager,
    form: FormState,
    can_write: bool,
    /// Where the patient lives: the emergency number in the intro follows it.
    country: samband_domain::country::Country,
    emergency: samband_domain::country::EmergencyNumber,
}

async fn me_messages_page(
    state: &UiState,
    mut viewer: Viewer,
    form: FormState,
    status: StatusCode,
    asked: &PageParams,
) -> Response {
    let result = async {
        let p = super::patient_portal::own_patient(&viewer)?;
        let threads = state
            .app
            .messages()
            .patient_threads(&viewer.ctx, p, asked)
            .await?;
        let country = state.app.patients().country(&viewer.ctx, p).await?;
        Ok::<_, AppError>((threads, country))
    }
    .await;
    match result {
        Ok((threads, country)) => {
            viewer.base.title = viewer.base.t("me.messages_title");
            let can_write = matches!(
                viewer.ctx.principal.subject,
                samband_domain::principal::Subject::Patient(_)
            );
            render(
                status,
                &MeMessagesPage {
                    pager: Pager::new(&threads, "/me/messages", &[], asked),
                    base: viewer.base,
                    threads: threads.items,
                    form,
                    can_write,
                    country,
                    emergency: country.medical_emergency(),
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn me_messages(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(asked): Query<PageParams>,
) -> Response {
    me_messages_page(&state, viewer, FormState::default(), StatusCode::OK, &asked).await
}

pub async fn me_write(State(state): State<UiState>, viewer: Viewer, sub: Submitted) -> Response {
    if let Err(r) = check_csrf(&viewer, &sub.form, None) {
        return r;
    }
    let result = async {
        let p = super::patient_portal::own_patient(&viewer)?;
        let mut input = compose_input(&sub);
        input.to = vec![];
        input.needs_ack = false;
        state
            .app
            .messages()
            .start_thread(&viewer.ctx, p, input)
            .await
    }
    .await;
    match result {
        Ok(t) => see_other(&format!("/threads/{t}")),
        Err(AppError::Validation(errors)) => {
            let form = FormState::from_form(&sub.form, errors);
            me_messages_page(
                &state,
                viewer,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
                &PageParams::first(),
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- notification preferences ---------------------------------------------------------

#[derive(Template)]
#[template(path = "notifications.html")]
struct PrefsPage {
    base: Base,
    prefs: PrefsView,
    form: FormState,
    saved: bool,
}

async fn prefs_page(
    state: &UiState,
    mut viewer: Viewer,
    form: Option<FormState>,
    saved: bool,
) -> Response {
    match state.app.notifications().prefs(&viewer.ctx).await {
        Ok(prefs) => {
            viewer.base.title = viewer.base.t("prefs.title");
            let status = if form.as_ref().is_some_and(|f| f.has_errors()) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let form = form.unwrap_or_else(|| {
                let mut f = FormState::default();
                f.values.insert("mode".into(), prefs.mode.clone());
                f.values
                    .insert("email".into(), prefs.email.clone().unwrap_or_default());
                f
            });
            render(
                status,
                &PrefsPage {
                    base: viewer.base,
                    prefs,
                    form,
                    saved,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn prefs(State(state): State<UiState>, viewer: Viewer) -> Response {
    prefs_page(&state, viewer, None, false).await
}

pub async fn prefs_submit(
    State(state): State<UiState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let input = PrefsInput {
        email: form.opt("email"),
        mode: form.get("mode").to_owned(),
    };
    match state
        .app
        .notifications()
        .save_prefs(&viewer.ctx, &input)
        .await
    {
        Ok(()) => prefs_page(&state, viewer, None, true).await,
        Err(AppError::Validation(errors)) => {
            prefs_page(
                &state,
                viewer,
                Some(FormState::from_form(&form, errors)),
                false,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- dead jobs ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_jobs.html")]
struct JobsPage {
    base: Base,
    jobs: Vec<JobItem>,
}

pub async fn jobs(State(state): State<UiState>, mut viewer: Viewer) -> Response {
    match state.app.jobs_list(&viewer.ctx, Some("dead")).await {
        Ok(jobs) => {
            viewer.base.title = viewer.base.t("jobs.title");
            render(
                StatusCode::OK,
                &JobsPage {
                    base: viewer.base,
                    jobs,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn job_retry(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let result = async {
        let id = parse::<JobId>(&id)?;
        state.app.revive_job(&viewer.ctx, id).await
    }
    .await;
    match result {
        Ok(()) => see_other("/admin/jobs"),
        Err(e) => error_response(&viewer.base, e),
    }
}
