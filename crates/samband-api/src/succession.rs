//! `/api/v1` handlers for successors (issue 11, part A): ending a membership with a
//! successor, who took over from whom, what needs a new owner, re-addressing a request.

use crate::book::ApiBook;
use crate::dto::messages::Request as RequestOut;
use crate::dto::succession::{self as out, EndMembershipRequest, ReaddressRequest};
use crate::errors::*;
use crate::extract::{Auth, IfMatch, IfMatchHeader, StrictJson};
use crate::problem::ApiError;
use crate::routes::{parse_id, versioned};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::App;
use samband_domain::ids::*;
use utoipa_axum::routes;

type ApiResult = Result<Response, ApiError>;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(end_membership))
        .routes(routes!(successions))
        .routes(routes!(needs_new_owner))
        .routes(routes!(readdress))
}

/// End a membership and hand everything the member holds to a successor, in one change
/// (`If-Match`: the team's version).
#[utoipa::path(post, path = "/patients/{patient}/team/members/{member}/end",
    params(("patient" = Uuid, Path), ("member" = Uuid, Path), IfMatchHeader), request_body = EndMembershipRequest,
    responses((status = 200, description = "What moved (ETag: the team's version)", body = out::EndedMembership), Update))]
async fn end_membership(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, member)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<EndMembershipRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let member = parse_id::<MemberId>(&member, "member")?;
    let ended = app
        .team()
        .end_membership(&ctx, patient, member, &input.into(), v)
        .await?;
    let version = ended.team.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &out::EndedMembership::from(ended),
    ))
}

/// Who took over from whom on the patient's team, oldest first.
#[utoipa::path(get, path = "/patients/{patient}/team/successions", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The successions", body = Vec<out::Succession>), ReadOne))]
async fn successions(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.team().successions(&ctx, patient).await?;
    let list: Vec<out::Succession> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Items the coordinator holds since someone left without a successor, until
/// reassigned.
#[utoipa::path(get, path = "/patients/{patient}/needs-new-owner", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The flagged items", body = Vec<out::FlaggedItem>), ReadOne))]
async fn needs_new_owner(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let list = app.team().needs_new_owner(&ctx, patient).await?;
    let list: Vec<out::FlaggedItem> = list.into_iter().map(Into::into).collect();
    Ok(Json(list).into_response())
}

/// Address an open request to another professional on the team (the requester, the
/// addressee or the coordinator; `If-Match`: the request's version).
#[utoipa::path(post, path = "/requests/{request}/addressee",
    params(("request" = Uuid, Path), IfMatchHeader), request_body = ReaddressRequest,
    responses((status = 200, description = "The request (ETag: version)", body = RequestOut), Update))]
async fn readdress(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<ReaddressRequest>,
) -> ApiResult {
    let id = parse_id::<RequestId>(&id, "request")?;
    let r = app
        .requests()
        .readdress(
            &ctx,
            id,
            input.addressee_member_id.map(Into::into),
            v,
            input.reason.as_deref(),
        )
        .await?;
    Ok(versioned(StatusCode::OK, r.version, &RequestOut::from(r)))
}
