//! `/api/v1` handlers for messages, requests, notifications, follows and the job
//! queue's dead letters. Parse → one use case → JSON; nothing decided here.

use crate::book::ApiBook;
use crate::dto::input::*;
use crate::dto::messages as out;
use crate::dto::output::{JobItem, Page};
use crate::errors::*;
use crate::extract::{Auth, IfMatch, IfMatchHeader, StrictJson};
use crate::problem::ApiError;
use crate::routes::{parse_id, versioned, PageQuery};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use samband_app::messaging::{decode_uploads, ComposeInput, ComposeJson, ReplyInput, ReplyJson};
use samband_app::requests::Transition;
use samband_app::App;
use samband_domain::ids::*;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(inbox))
        .routes(routes!(unread))
        .routes(routes!(events))
        .routes(routes!(notifications))
        .routes(routes!(get_prefs, put_prefs))
        .routes(routes!(patient_threads, start_thread))
        .routes(routes!(patient_requests, create_request))
        .routes(routes!(follow, unfollow))
        .routes(routes!(thread))
        .routes(routes!(reply))
        .routes(routes!(acknowledge))
        .routes(routes!(attachment))
        .routes(routes!(accept))
        .routes(routes!(answer))
        .routes(routes!(decline))
        .routes(routes!(jobs))
        .routes(routes!(retry_job))
}

/// My inbox: threads I take part in, newest activity first, with unread and
/// awaiting-receipt counts (showing them marks them delivered); `total` counts every
/// thread I take part in, including any the patient's consent now withholds (those
/// are never listed).
#[utoipa::path(get, path = "/inbox", params(PageQuery),
    responses((status = 200, description = "One page of my inbox", body = Page<out::InboxItem>), ReadPage))]
async fn inbox(State(app): State<App>, Auth(ctx): Auth, Query(q): Query<PageQuery>) -> ApiResult {
    let page = app.messages().inbox(&ctx, &q.params()?).await?;
    Ok(Json(Page::from(page, out::InboxItem::from)).into_response())
}

/// Unread messages plus unread notifications.
#[utoipa::path(get, path = "/inbox/unread",
    responses((status = 200, description = "The count", body = out::Unread), Read))]
async fn unread(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    Ok(Json(out::Unread {
        unread: app.notifications().unread_count(&ctx).await?,
    })
    .into_response())
}

/// Server-sent events: `unread` with `{"unread": n}` at once and whenever it changes.
#[utoipa::path(get, path = "/inbox/events",
    responses((status = 200, description = "An event stream", content_type = "text/event-stream", body = out::UnreadEvent), Read))]
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

/// My notifications, newest first (reading marks them read).
#[utoipa::path(get, path = "/notifications", params(PageQuery),
    responses((status = 200, description = "One page of notifications", body = Page<out::Notification>), ReadPage))]
async fn notifications(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app.notifications().list(&ctx, &q.params()?).await?;
    Ok(Json(Page::from(page, out::Notification::from)).into_response())
}

/// My e-mail preferences and the patients I follow.
#[utoipa::path(get, path = "/me/notification-preferences",
    responses((status = 200, description = "My preferences", body = out::Prefs), Read))]
async fn get_prefs(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    Ok(Json(out::Prefs::from(app.notifications().prefs(&ctx).await?)).into_response())
}

/// Set when notifications are e-mailed (immediately, in a daily digest, or not) and
/// where.
#[utoipa::path(put, path = "/me/notification-preferences", request_body = PrefsRequest,
    responses((status = 200, description = "My preferences", body = out::Prefs), Create))]
async fn put_prefs(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(input): StrictJson<PrefsRequest>,
) -> ApiResult {
    app.notifications().save_prefs(&ctx, &input.into()).await?;
    Ok(Json(out::Prefs::from(app.notifications().prefs(&ctx).await?)).into_response())
}

/// The patient's threads the reader may see.
#[utoipa::path(get, path = "/patients/{patient}/threads", params(("patient" = Uuid, Path), PageQuery),
    responses((status = 200, description = "One page of threads", body = Page<out::ThreadSummary>), ReadOnePage))]
async fn patient_threads(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let page = app
        .messages()
        .patient_threads(&ctx, patient, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, out::ThreadSummary::from)).into_response())
}

fn created(body: out::Created, location: String) -> Response {
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Start a thread: to people (`member:ID`), the team, a role (`role:GP`) or the
/// patient.
#[utoipa::path(post, path = "/patients/{patient}/threads",
    params(("patient" = Uuid, Path)), request_body = ComposeRequest,
    responses((status = 201, description = "The thread (Location: where to read it)", body = out::Created), Write))]
async fn start_thread(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<ComposeRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let input = ComposeJson::from(input);
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
        out::Created {
            thread_id: Some(id.0),
            message_id: None,
            request_id: None,
            skipped: vec![],
        },
        format!("/api/v1/threads/{id}"),
    ))
}

/// A thread with per-recipient receipts (opening it marks it read); when it is a
/// request, the ETag is the request's version.
#[utoipa::path(get, path = "/threads/{thread}", params(("thread" = Uuid, Path)),
    responses((status = 200, description = "The thread", body = out::ThreadView), ReadOne))]
async fn thread(State(app): State<App>, Auth(ctx): Auth, Path(thread): Path<String>) -> ApiResult {
    let thread = parse_id::<ThreadId>(&thread, "thread")?;
    let view = app.messages().thread_view(&ctx, thread).await?;
    let version = view.request.as_ref().map(|r| r.version);
    let view = out::ThreadView::from(view);
    Ok(match version {
        Some(v) => versioned(StatusCode::OK, v, &view),
        None => Json(view).into_response(),
    })
}

/// Reply to everyone in the thread.
#[utoipa::path(post, path = "/threads/{thread}/messages",
    params(("thread" = Uuid, Path)), request_body = ReplyRequest,
    responses((status = 201, description = "The message (Location: its thread)", body = out::Created), Write))]
async fn reply(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(thread): Path<String>,
    StrictJson(input): StrictJson<ReplyRequest>,
) -> ApiResult {
    let thread = parse_id::<ThreadId>(&thread, "thread")?;
    let input = ReplyJson::from(input);
    let attachments = decode_uploads(&input.attachments)?;
    let sent = app
        .messages()
        .reply_reporting(
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
        out::Created {
            thread_id: Some(thread.0),
            message_id: Some(sent.id.0),
            request_id: None,
            skipped: sent.skipped,
        },
        format!("/api/v1/threads/{thread}"),
    ))
}

/// Give the receipt the sender asked for.
#[utoipa::path(post, path = "/messages/{message}/acknowledge", params(("message" = Uuid, Path)),
    responses((status = 204, description = "Acknowledged"), Act))]
async fn acknowledge(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(message): Path<String>,
) -> ApiResult {
    let message = parse_id::<MessageId>(&message, "message")?;
    app.messages().acknowledge(&ctx, message).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Download an attachment: served as a download with its checked type, never inline.
#[utoipa::path(get, path = "/attachments/{attachment}", params(("attachment" = Uuid, Path)),
    responses((status = 200, description = "The file", content(
        (Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "text/plain")
    )), ReadOne))]
async fn attachment(State(app): State<App>, Auth(ctx): Auth, Path(id): Path<String>) -> ApiResult {
    let id = parse_id::<AttachmentId>(&id, "attachment")?;
    let (a, data) = app.messages().attachment(&ctx, id).await?;
    Ok(samband_http::attachment_response(
        &a.file_name,
        &a.content_type,
        data,
    ))
}

/// Requests about the patient the reader may see.
#[utoipa::path(get, path = "/patients/{patient}/requests", params(("patient" = Uuid, Path), PageQuery),
    responses((status = 200, description = "One page of requests", body = Page<out::Request>), ReadOnePage))]
async fn patient_requests(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let page = app
        .requests()
        .patient_requests(&ctx, patient, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, out::Request::from)).into_response())
}

/// Send a status report, advice request or task (it becomes a care-plan action owned
/// by the addressee).
#[utoipa::path(post, path = "/patients/{patient}/requests",
    params(("patient" = Uuid, Path)), request_body = RequestRequest,
    responses((status = 201, description = "The request (Location: its thread)", body = out::Created), Write))]
async fn create_request(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<RequestRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let (thread, request) = app.requests().create(&ctx, patient, &input.into()).await?;
    Ok(created(
        out::Created {
            thread_id: Some(thread.0),
            message_id: None,
            request_id: Some(request.0),
            skipped: vec![],
        },
        format!("/api/v1/threads/{thread}"),
    ))
}

async fn transition(app: App, ctx: samband_app::Ctx, id: &str, v: i64, t: Transition) -> ApiResult {
    let id = parse_id::<RequestId>(id, "request")?;
    let r = app.requests().transition(&ctx, id, v, t).await?;
    Ok(versioned(StatusCode::OK, r.version, &out::Request::from(r)))
}

/// Accept a request (the addressee).
#[utoipa::path(post, path = "/requests/{request}/accept", params(("request" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The request (ETag: version)", body = out::Request), Step))]
async fn accept(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult {
    transition(app, ctx, &id, v, Transition::Accept).await
}

/// Answer a request: one answer per question (the addressee).
#[utoipa::path(post, path = "/requests/{request}/answer", params(("request" = Uuid, Path), IfMatchHeader),
    request_body = AnswerRequest,
    responses((status = 200, description = "The request (ETag: version)", body = out::Request), Update))]
async fn answer(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<AnswerRequest>,
) -> ApiResult {
    transition(app, ctx, &id, v, Transition::Answer(input.into())).await
}

/// Decline a request with a reason (the addressee).
#[utoipa::path(post, path = "/requests/{request}/decline", params(("request" = Uuid, Path), IfMatchHeader),
    request_body = DeclineRequest,
    responses((status = 200, description = "The request (ETag: version)", body = out::Request), Update))]
async fn decline(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<DeclineRequest>,
) -> ApiResult {
    transition(app, ctx, &id, v, Transition::Decline(input.into())).await
}

/// Follow the patient (ongoing information: a daily digest of changes I may see).
#[utoipa::path(put, path = "/patients/{patient}/follow", params(("patient" = Uuid, Path)),
    responses((status = 204, description = "Following"), Act))]
async fn follow(State(app): State<App>, Auth(ctx): Auth, Path(patient): Path<String>) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    app.notifications().follow(&ctx, patient).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Stop following the patient.
#[utoipa::path(delete, path = "/patients/{patient}/follow", params(("patient" = Uuid, Path)),
    responses((status = 204, description = "Not following"), Act))]
async fn unfollow(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    app.notifications().unfollow(&ctx, patient).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct JobQuery {
    /// Only jobs with this status: `pending`, `running`, `done` or `dead` (the dead
    /// letters); any other lists none.
    status: Option<String>,
}

/// Background jobs, newest first (administrators).
#[utoipa::path(get, path = "/jobs", params(JobQuery),
    responses((status = 200, description = "Jobs", body = Vec<JobItem>), Read))]
async fn jobs(State(app): State<App>, Auth(ctx): Auth, Query(q): Query<JobQuery>) -> ApiResult {
    let jobs = app.jobs_list(&ctx, q.status.as_deref()).await?;
    let items: Vec<JobItem> = jobs.into_iter().map(JobItem::from).collect();
    Ok(Json(items).into_response())
}

/// Run a dead job again from the start (administrators).
#[utoipa::path(post, path = "/jobs/{job}/retry", params(("job" = Uuid, Path)),
    responses((status = 204, description = "Queued again"), Act))]
async fn retry_job(State(app): State<App>, Auth(ctx): Auth, Path(id): Path<String>) -> ApiResult {
    let id = parse_id::<JobId>(&id, "job")?;
    app.revive_job(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
