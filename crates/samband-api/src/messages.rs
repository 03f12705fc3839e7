//! `/api/v1` handlers for messages, requests, notifications, follows and the job
//! queue's dead letters. Parse → one use case → JSON; nothing decided here.

use crate::extract::{Auth, IfMatch, StrictJson};
use crate::problem::ApiError;
use crate::route_book::RouteBook;
use crate::routes::{page_json, parse_id, versioned, PageQuery};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Json;
use futures_util::StreamExt;
use samband_app::messaging::{decode_uploads, ComposeInput, ComposeJson, ReplyInput, ReplyJson};
use samband_app::notify::PrefsInput;
use samband_app::requests::{AnswerInput, DeclineInput, Transition};
use samband_app::App;
use samband_domain::ids::*;
use samband_domain::message::RequestInput;
use serde::{Deserialize, Serialize};

type ApiResult = Result<Response, ApiError>;

pub fn book() -> RouteBook<App> {
    RouteBook::new()
        .route("/inbox", get(inbox))
        .route("/inbox/unread", get(unread))
        .route("/inbox/events", get(events))
        .route("/notifications", get(notifications))
        .route(
            "/me/notification-preferences",
            get(get_prefs).put(put_prefs),
        )
        .route(
            "/patients/{patient}/threads",
            get(patient_threads).post(start_thread),
        )
        .route(
            "/patients/{patient}/requests",
            get(patient_requests).post(create_request),
        )
        .route("/patients/{patient}/follow", put(follow).delete(unfollow))
        .route("/threads/{thread}", get(thread))
        .route("/threads/{thread}/messages", post(reply))
        .route("/messages/{message}/acknowledge", post(acknowledge))
        .route("/attachments/{attachment}", get(attachment))
        .route("/requests/{request}/accept", post(accept))
        .route("/requests/{request}/answer", post(answer))
        .route("/requests/{request}/decline", post(decline))
        .route("/jobs", get(jobs))
        .route("/jobs/{job}/retry", post(retry_job))
}

async fn inbox(State(app): State<App>, Auth(ctx): Auth, Query(q): Query<PageQuery>) -> ApiResult {
    Ok(page_json(&app.messages().inbox(&ctx, &q.params()).await?))
}

#[derive(Serialize)]
struct Unread {
    unread: i64,
}

async fn unread(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    Ok(Json(Unread {
        unread: app.notifications().unread_count(&ctx).await?,
    })
    .into_response())
}

/// Server-sent events: `unread` with the current count at once and on every change.
async fn events(State(app): State<App>, Auth(ctx): Auth) -> Response {
    let stream = samband_app::live::unread_stream(app, ctx).map(|n| {
        Ok::<_, std::convert::Infallible>(
            Event::default()
                .event("unread")
                .data(format!("{{\"unread\":{n}}}")),
        )
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn notifications(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    Ok(page_json(
        &app.notifications().list(&ctx, &q.params()).await?,
    ))
}

async fn get_prefs(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    Ok(Json(app.notifications().prefs(&ctx).await?).into_response())
}

async fn put_prefs(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(input): StrictJson<PrefsInput>,
) -> ApiResult {
    app.notifications().save_prefs(&ctx, &input).await?;
    Ok(Json(app.notifications().prefs(&ctx).await?).into_response())
}

async fn patient_threads(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    Ok(page_json(
        &app.messages()
            .patient_threads(&ctx, patient, &q.params())
            .await?,
    ))
}

#[derive(Serialize)]
struct Created {
    #[serde(skip_serializing_if = "Option::is_none")]
    thread_id: Option<ThreadId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<MessageId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<RequestId>,
}

fn created(body: Created, location: String) -> Response {
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

async fn start_thread(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<ComposeJson>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let attachments = decode_uploads(&input.attachments)?;
    let id = app
        .messages()
        .start_thread(
            &ctx,
            patient,
            ComposeInput {
                subject: input.subject,
                body: input.body,
                category: input.category,
                to: input.to,
                needs_ack: input.needs_ack,
                urgent: input.urgent,
                attachments,
            },
        )
        .await?;
    Ok(created(
        Created {
            thread_id: Some(id),
            message_id: None,
            request_id: None,
        },
        format!("/api/v1/threads/{id}"),
    ))
}

async fn thread(State(app): State<App>, Auth(ctx): Auth, Path(thread): Path<String>) -> ApiResult {
    let thread = parse_id::<ThreadId>(&thread, "thread")?;
    let view = app.messages().thread_view(&ctx, thread).await?;
    Ok(match &view.request {
        Some(r) => versioned(StatusCode::OK, r.version, &view),
        None => Json(view).into_response(),
    })
}

async fn reply(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(thread): Path<String>,
    StrictJson(input): StrictJson<ReplyJson>,
) -> ApiResult {
    let thread = parse_id::<ThreadId>(&thread, "thread")?;
    let attachments = decode_uploads(&input.attachments)?;
    let id = app
        .messages()
        .reply(
            &ctx,
            thread,
            ReplyInput {
                body: input.body,
                needs_ack: input.needs_ack,
                urgent: input.urgent,
                attachments,
            },
        )
        .await?;
    Ok(created(
        Created {
            thread_id: Some(thread),
            message_id: Some(id),
            request_id: None,
        },
        format!("/api/v1/threads/{thread}"),
    ))
}

async fn acknowledge(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(message): Path<String>,
) -> ApiResult {
    let message = parse_id::<MessageId>(&message, "message")?;
    app.messages().acknowledge(&ctx, message).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn attachment(State(app): State<App>, Auth(ctx): Auth, Path(id): Path<String>) -> ApiResult {
    let id = parse_id::<AttachmentId>(&id, "attachment")?;
    let (a, data) = app.messages().attachment(&ctx, id).await?;
    Ok(attachment_response(&a, data))
}

/// The file as a download: its checked type, never rendered inline, never sniffed.
pub fn attachment_response(a: &samband_domain::message::Attachment, data: Vec<u8>) -> Response {
    let mut res = data.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let safe: String = a
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    res
}

async fn patient_requests(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    Ok(page_json(
        &app.requests()
            .patient_requests(&ctx, patient, &q.params())
            .await?,
    ))
}

async fn create_request(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<RequestInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let (thread, request) = app.requests().create(&ctx, patient, &input).await?;
    Ok(created(
        Created {
            thread_id: Some(thread),
            message_id: None,
            request_id: Some(request),
        },
        format!("/api/v1/threads/{thread}"),
    ))
}

async fn transition(app: App, ctx: samband_app::Ctx, id: &str, v: i64, t: Transition) -> ApiResult {
    let id = parse_id::<RequestId>(id, "request")?;
    let r = app.requests().transition(&ctx, id, v, t).await?;
    Ok(versioned(StatusCode::OK, r.version, &r))
}

async fn accept(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult {
    transition(app, ctx, &id, v, Transition::Accept).await
}

async fn answer(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<AnswerInput>,
) -> ApiResult {
    transition(app, ctx, &id, v, Transition::Answer(input)).await
}

async fn decline(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<DeclineInput>,
) -> ApiResult {
    transition(app, ctx, &id, v, Transition::Decline(input)).await
}

async fn follow(State(app): State<App>, Auth(ctx): Auth, Path(patient): Path<String>) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    app.notifications().follow(&ctx, patient).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn unfollow(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    app.notifications().unfollow(&ctx, patient).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct JobQuery {
    status: Option<String>,
}

#[derive(Serialize)]
struct JobItem {
    id: JobId,
    kind: String,
    status: String,
    attempts: i64,
    run_at: String,
    last_error: Option<String>,
}

async fn jobs(State(app): State<App>, Auth(ctx): Auth, Query(q): Query<JobQuery>) -> ApiResult {
    let jobs = app.jobs_list(&ctx, q.status.as_deref()).await?;
    let items: Vec<JobItem> = jobs
        .into_iter()
        .map(|j| JobItem {
            id: j.id,
            kind: j.kind,
            status: j.status,
            attempts: j.attempts,
            run_at: j.run_at.to_rfc3339(),
            last_error: j.last_error,
        })
        .collect();
    Ok(Json(items).into_response())
}

async fn retry_job(State(app): State<App>, Auth(ctx): Auth, Path(id): Path<String>) -> ApiResult {
    let id = parse_id::<JobId>(&id, "job")?;
    app.revive_job(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
