//! `/api/v1` handlers for collaboration meetings. Parse → one use case → JSON.

use crate::extract::{Auth, IfMatch, StrictJson};
use crate::problem::ApiError;
use crate::route_book::RouteBook;
use crate::routes::{page_json, parse_id, versioned, PageQuery};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Json;
use samband_app::meetings::{InviteInput, PreReadInput, SummaryInput};
use samband_app::App;
use samband_domain::ids::*;
use samband_domain::meeting::{AgendaItemInput, DecisionInput, MeetingInput};
use serde::{Deserialize, Serialize};

type ApiResult = Result<Response, ApiError>;

pub fn book() -> RouteBook<App> {
    RouteBook::new()
        .route("/meetings", get(mine))
        .route("/patients/{patient}/meetings", get(list).post(create))
        .route("/meetings/{meeting}", get(view).put(update))
        .route("/meetings/{meeting}/cancel", post(cancel))
        .route("/meetings/{meeting}/participants", post(invite))
        .route("/meetings/{meeting}/reply", post(reply))
        .route("/meetings/{meeting}/raise", post(raise))
        .route("/meetings/{meeting}/calendar.ics", get(calendar))
        .route("/meetings/{meeting}/agenda", post(add_item))
        .route("/meetings/{meeting}/agenda/{item}", put(update_item))
        .route("/meetings/{meeting}/agenda/{item}/minutes", put(minutes))
        .route(
            "/meetings/{meeting}/agenda/{item}/request",
            post(request_change),
        )
        .route("/meetings/{meeting}/agenda/{item}/decisions", post(decide))
        .route("/meetings/{meeting}/pre-reads", post(pre_read))
        .route("/meetings/{meeting}/summary", put(summary))
}

async fn mine(State(app): State<App>, Auth(ctx): Auth, Query(q): Query<PageQuery>) -> ApiResult {
    Ok(page_json(
        &app.meetings().my_meetings(&ctx, &q.params()).await?,
    ))
}

fn ids(meeting: &str) -> Result<MeetingId, ApiError> {
    parse_id::<MeetingId>(meeting, "meeting")
}

async fn list(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    Ok(page_json(
        &app.meetings()
            .patient_meetings(&ctx, patient, &q.params())
            .await?,
    ))
}

async fn create(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<MeetingInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let m = app.meetings().create(&ctx, patient, &input).await?;
    let mut res = versioned(StatusCode::CREATED, m.version, &m);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/meetings/{}", m.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

async fn view(State(app): State<App>, Auth(ctx): Auth, Path(meeting): Path<String>) -> ApiResult {
    let v = app.meetings().view(&ctx, ids(&meeting)?).await?;
    Ok(versioned(StatusCode::OK, v.meeting.version, &v))
}

async fn update(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<MeetingInput>,
) -> ApiResult {
    let m = app
        .meetings()
        .update(&ctx, ids(&meeting)?, &input, v)
        .await?;
    Ok(versioned(StatusCode::OK, m.version, &m))
}

async fn cancel(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult {
    let m = app.meetings().cancel(&ctx, ids(&meeting)?, v).await?;
    Ok(versioned(StatusCode::OK, m.version, &m))
}

#[derive(Serialize)]
struct Invited {
    participant: samband_domain::meeting::Participant,
    /// For a guest: the secret link (shown once; it was also e-mailed to them).
    #[serde(skip_serializing_if = "Option::is_none")]
    guest_link: Option<String>,
}

async fn invite(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(input): StrictJson<InviteInput>,
) -> ApiResult {
    let (participant, token) = app.meetings().invite(&ctx, ids(&meeting)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(Invited {
            participant,
            guest_link: token.map(|t| format!("/guest/{}", t.expose())),
        }),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyBody {
    reply: String,
}

async fn reply(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(b): StrictJson<ReplyBody>,
) -> ApiResult {
    app.meetings()
        .reply_to_invitation(&ctx, ids(&meeting)?, &b.reply)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Field names as the use cases name them, so a field error names what was sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RaiseBody {
    raise: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WishBody {
    wish: String,
}

async fn raise(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(b): StrictJson<RaiseBody>,
) -> ApiResult {
    app.meetings()
        .set_raise(&ctx, ids(&meeting)?, &b.raise)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn calendar(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
) -> ApiResult {
    let ics = app.meetings().calendar(&ctx, ids(&meeting)?).await?;
    Ok(calendar_response(ics))
}

/// A calendar file as a download.
pub fn calendar_response(ics: String) -> Response {
    let mut res = ics.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8; method=REQUEST"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"meeting.ics\""),
    );
    res
}

async fn add_item(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(input): StrictJson<AgendaItemInput>,
) -> ApiResult {
    let i = app
        .meetings()
        .add_agenda_item(&ctx, ids(&meeting)?, &input)
        .await?;
    Ok(versioned(StatusCode::CREATED, i.version, &i))
}

async fn update_item(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<AgendaItemInput>,
) -> ApiResult {
    let item = parse_id::<AgendaItemId>(&item, "item")?;
    let i = app
        .meetings()
        .update_agenda_item(&ctx, ids(&meeting)?, item, &input, v)
        .await?;
    Ok(versioned(StatusCode::OK, i.version, &i))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinutesBody {
    minutes: String,
    /// The information category the minutes are about (default: the item's).
    #[serde(default)]
    minutes_category: Option<String>,
}

async fn minutes(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(b): StrictJson<MinutesBody>,
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
    Ok(versioned(StatusCode::OK, i.version, &i))
}

async fn request_change(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    StrictJson(b): StrictJson<WishBody>,
) -> ApiResult {
    let item = parse_id::<AgendaItemId>(&item, "item")?;
    app.meetings()
        .request_agenda_change(&ctx, ids(&meeting)?, item, &b.wish)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn decide(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((meeting, item)): Path<(String, String)>,
    StrictJson(input): StrictJson<DecisionInput>,
) -> ApiResult {
    let item = parse_id::<AgendaItemId>(&item, "item")?;
    let d = app
        .meetings()
        .add_decision(&ctx, ids(&meeting)?, item, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

async fn pre_read(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    StrictJson(input): StrictJson<PreReadInput>,
) -> ApiResult {
    let r = app
        .meetings()
        .add_pre_read(&ctx, ids(&meeting)?, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Serialize)]
struct Summarised {
    meeting: samband_domain::meeting::Meeting,
    next_meeting: Option<MeetingId>,
}

async fn summary(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(meeting): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<SummaryInput>,
) -> ApiResult {
    let (m, next) = app
        .meetings()
        .save_summary(&ctx, ids(&meeting)?, &input, v)
        .await?;
    let version = m.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &Summarised {
            meeting: m,
            next_meeting: next,
        },
    ))
}
