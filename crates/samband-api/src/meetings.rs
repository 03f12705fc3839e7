//! `/api/v1` handlers for collaboration meetings. Parse → one use case → JSON.

use crate::book::ApiBook;
use crate::dto::input::*;
use crate::dto::meetings as out;
use crate::dto::output::Page;
use crate::errors::*;
use crate::extract::{Auth, IfMatch, IfMatchHeader, StrictJson};
use crate::problem::ApiError;
use crate::routes::{parse_id, versioned, PageQuery};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::App;
use samband_domain::ids::*;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(my_meetings))
        .routes(routes!(patient_meetings, create_meeting))
        .routes(routes!(meeting, update_meeting))
        .routes(routes!(cancel_meeting))
        .routes(routes!(invite))
        .routes(routes!(reply_to_invitation))
        .routes(routes!(raise))
        .routes(routes!(calendar))
        .routes(routes!(add_item))
        .routes(routes!(update_item))
        .routes(routes!(minutes))
        .routes(routes!(request_change))
        .routes(routes!(decide))
        .routes(routes!(pre_read))
        .routes(routes!(summary))
}

fn ids(meeting: &str) -> Result<MeetingId, ApiError> {
    parse_id::<MeetingId>(meeting, "meeting")
}

/// My upcoming meetings across patients.
#[utoipa::path(get, path = "/meetings", params(PageQuery),
    responses((status = 200, description = "One page of my meetings", body = Page<out::MyMeeting>), ReadPage))]
async fn my_meetings(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app.meetings().my_meetings(&ctx, &q.params()?).await?;
    Ok(Json(Page::from(page, out::MyMeeting::from)).into_response())
}

/// The patient's meetings the reader may see.
#[utoipa::path(get, path = "/patients/{patient}/meetings", params(("patient" = Uuid, Path), PageQuery),
    responses((status = 200, description = "One page of meetings", body = Page<out::Meeting>), ReadOnePage))]
async fn patient_meetings(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let page = app
        .meetings()
        .patient_meetings(&ctx, patient, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, out::Meeting::from)).into_response())
}

/// Plan a meeting about the patient.
#[utoipa::path(post, path = "/patients/{patient}/meetings",
    params(("patient" = Uuid, Path)), request_body = MeetingRequest,
    responses((status = 201, description = "The meeting (ETag: version; Location: its address)", body = out::Meeting), Write))]
async fn create_meeting(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<MeetingRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let m = app.meetings().create(&ctx, patient, &input.into()).await?;
    let location = format!("/api/v1/meetings/{}", m.id);
    let mut res = versioned(StatusCode::CREATED, m.version, &out::Meeting::from(m));
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// A meeting as the reader sees it: participants, agenda, what they may read.
#[utoipa::path(get, path = "/meetings/{meeting}", params(("meeting" = Uuid, Path)),
    responses((status = 200, description = "The meeting (ETag: version)", body = out::MeetingView), ReadOne))]
async fn meeting(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
) -> ApiResult {
    let v = app.meetings().view(&ctx, ids(&meeting)?).await?;
    let version = v.meeting.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &out::MeetingView::from(v),
    ))
}

/// Change a meeting (invitees are sent an updated calendar file).
#[utoipa::path(put, path = "/meetings/{meeting}",
    params(("meeting" = Uuid, Path), IfMatchHeader), request_body = MeetingRequest,
    responses((status = 200, description = "The meeting (ETag: version)", body = out::Meeting), Update))]
async fn update_meeting(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<MeetingRequest>,
) -> ApiResult {
    let m = app
        .meetings()
        .update(&ctx, ids(&meeting)?, &input.into(), v)
        .await?;
    Ok(versioned(StatusCode::OK, m.version, &out::Meeting::from(m)))
}

/// Cancel a meeting (invitees are sent a cancellation).
#[utoipa::path(post, path = "/meetings/{meeting}/cancel", params(("meeting" = Uuid, Path), IfMatchHeader),
    responses((status = 200, description = "The meeting (ETag: version)", body = out::Meeting), Step))]
async fn cancel_meeting(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult {
    let m = app.meetings().cancel(&ctx, ids(&meeting)?, v).await?;
    Ok(versioned(StatusCode::OK, m.version, &out::Meeting::from(m)))
}

/// Invite a team member, the patient or an external guest.
#[utoipa::path(post, path = "/meetings/{meeting}/participants",
    params(("meeting" = Uuid, Path)), request_body = InviteRequest,
    responses((status = 201, description = "The participant", body = out::Invited), Write))]
async fn invite(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(input): StrictJson<InviteRequest>,
) -> ApiResult {
    let (participant, token) = app
        .meetings()
        .invite(&ctx, ids(&meeting)?, &input.into())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(out::Invited {
            participant: participant.into(),
            guest_link: token.map(|t| format!("/guest/{}", t.expose())),
        }),
    )
        .into_response())
}

/// Answer my invitation.
#[utoipa::path(post, path = "/meetings/{meeting}/reply",
    params(("meeting" = Uuid, Path)), request_body = InvitationReply,
    responses((status = 204, description = "Answered"), Write))]
async fn reply_to_invitation(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(b): StrictJson<InvitationReply>,
) -> ApiResult {
    app.meetings()
        .reply_to_invitation(&ctx, ids(&meeting)?, &b.reply)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Write what I want to raise at the meeting.
#[utoipa::path(post, path = "/meetings/{meeting}/raise",
    params(("meeting" = Uuid, Path)), request_body = RaiseRequest,
    responses((status = 204, description = "Saved"), Write))]
async fn raise(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(b): StrictJson<RaiseRequest>,
) -> ApiResult {
    app.meetings()
        .set_raise(&ctx, ids(&meeting)?, &b.raise)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The meeting as a calendar file (iTIP REQUEST), a download.
#[utoipa::path(get, path = "/meetings/{meeting}/calendar.ics", params(("meeting" = Uuid, Path)),
    responses((status = 200, description = "The calendar file", content_type = "text/calendar", body = String), ReadOne))]
async fn calendar(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
) -> ApiResult {
    let ics = app.meetings().calendar(&ctx, ids(&meeting)?).await?;
    Ok(samband_http::calendar_response(ics))
}

/// Add an agenda item.
#[utoipa::path(post, path = "/meetings/{meeting}/agenda",
    params(("meeting" = Uuid, Path)), request_body = AgendaItemRequest,
    responses((status = 201, description = "The item (ETag: version)", body = out::AgendaItem), Write))]
async fn add_item(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(input): StrictJson<AgendaItemRequest>,
) -> ApiResult {
    let i = app
        .meetings()
        .add_agenda_item(&ctx, ids(&meeting)?, &input.into())
        .await?;
    Ok(versioned(
        StatusCode::CREATED,
        i.version,
        &out::AgendaItem::from(i),
    ))
}

/// Change an agenda item.
#[utoipa::path(put, path = "/meetings/{meeting}/agenda/{item}",
    params(("meeting" = Uuid, Path), ("item" = Uuid, Path), IfMatchHeader), request_body = AgendaItemRequest,
    responses((status = 200, description = "The item (ETag: version)", body = out::AgendaItem), Update))]
async fn update_item(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<AgendaItemRequest>,
) -> ApiResult {
    let item = parse_id::<AgendaItemId>(&item, "item")?;
    let i = app
        .meetings()
        .update_agenda_item(&ctx, ids(&meeting)?, item, &input.into(), v)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        i.version,
        &out::AgendaItem::from(i),
    ))
}

/// Record an agenda item's minutes.
#[utoipa::path(put, path = "/meetings/{meeting}/agenda/{item}/minutes",
    params(("meeting" = Uuid, Path), ("item" = Uuid, Path), IfMatchHeader), request_body = MinutesRequest,
    responses((status = 200, description = "The item (ETag: version)", body = out::AgendaItem), Update))]
async fn minutes(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(b): StrictJson<MinutesRequest>,
) -> ApiResult {
    let item = parse_id::<AgendaItemId>(&item, "item")?;
    let i = app
        .meetings()
        .save_minutes(
            &ctx,
            ids(&meeting)?,
            item,
            &b.minutes,
            b.minutes_category.as_deref(),
            v,
        )
        .await?;
    Ok(versioned(
        StatusCode::OK,
        i.version,
        &out::AgendaItem::from(i),
    ))
}

/// The patient asks to change an agenda item ("I would like to be there").
#[utoipa::path(post, path = "/meetings/{meeting}/agenda/{item}/request",
    params(("meeting" = Uuid, Path), ("item" = Uuid, Path)), request_body = WishRequest,
    responses((status = 204, description = "Sent to the organiser"), Write))]
async fn request_change(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    StrictJson(b): StrictJson<WishRequest>,
) -> ApiResult {
    let item = parse_id::<AgendaItemId>(&item, "item")?;
    app.meetings()
        .request_agenda_change(&ctx, ids(&meeting)?, item, &b.wish)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Record a decision: it becomes a care-plan action.
#[utoipa::path(post, path = "/meetings/{meeting}/agenda/{item}/decisions",
    params(("meeting" = Uuid, Path), ("item" = Uuid, Path)), request_body = DecisionRequest,
    responses((status = 201, description = "The decision", body = out::Decision), Write))]
async fn decide(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    StrictJson(input): StrictJson<DecisionRequest>,
) -> ApiResult {
    let item = parse_id::<AgendaItemId>(&item, "item")?;
    let d = app
        .meetings()
        .add_decision(&ctx, ids(&meeting)?, item, &input.into())
        .await?;
    Ok((StatusCode::CREATED, Json(out::Decision::from(d))).into_response())
}

/// Add a pre-read.
#[utoipa::path(post, path = "/meetings/{meeting}/pre-reads",
    params(("meeting" = Uuid, Path)), request_body = PreReadRequest,
    responses((status = 201, description = "The pre-read", body = out::PreRead), Write))]
async fn pre_read(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(input): StrictJson<PreReadRequest>,
) -> ApiResult {
    let r = app
        .meetings()
        .add_pre_read(&ctx, ids(&meeting)?, &input.into())
        .await?;
    Ok((StatusCode::CREATED, Json(out::PreRead::from(r))).into_response())
}

/// Write the summary for the patient after the meeting (and plan the next one).
#[utoipa::path(put, path = "/meetings/{meeting}/summary",
    params(("meeting" = Uuid, Path), IfMatchHeader), request_body = SummaryRequest,
    responses((status = 200, description = "The meeting (ETag: version)", body = out::Summarised), Update))]
async fn summary(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<SummaryRequest>,
) -> ApiResult {
    let (m, next) = app
        .meetings()
        .save_summary(&ctx, ids(&meeting)?, &input.into(), v)
        .await?;
    let version = m.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &out::Summarised {
            meeting: m.into(),
            next_meeting: next.map(|n| n.0),
        },
    ))
}
