//! `/api/v1` handlers: parse → one use case → JSON. No policy and no SQL here. Each
//! handler's `#[utoipa::path]` states what it takes and every status it answers;
//! `book()` adds it to the router and to the OpenAPI document in one step.

use crate::book::ApiBook;
use crate::dto::input::*;
use crate::dto::output::{self as out, Page};
use crate::errors::*;
use crate::extract::{Auth, ClientAddr, IfMatch, IfMatchHeader, StrictJson};
use crate::openapi;
use crate::problem::{ApiError, Problem};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use samband_app::paging::PageParams;
use samband_app::App;
use samband_domain::ids::*;
use samband_domain::patient::PatientInput;
use samband_domain::professional::NewProfessional;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::routes;

pub fn book() -> ApiBook {
    ApiBook::new()
        .routes(routes!(openapi::document))
        .routes(routes!(issue_token))
        .routes(routes!(me))
        .routes(routes!(my_tokens))
        .routes(routes!(revoke_my_token))
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(list_professionals, create_professional))
        .routes(routes!(create_account))
        .routes(routes!(my_patients, register_patient))
        .routes(routes!(patient_overview))
        .routes(routes!(history))
        .routes(routes!(add_member))
        .routes(routes!(update_member))
        .routes(routes!(update_plan_header))
        .routes(routes!(add_action))
        .routes(routes!(get_action, update_action))
        .routes(routes!(add_goal))
        .routes(routes!(update_goal))
        .routes(routes!(add_service))
        .routes(routes!(update_service))
        .routes(routes!(update_crisis_plan))
        .routes(routes!(get_consent, put_consent))
        .routes(routes!(break_glass))
        .routes(routes!(access_log))
        .routes(routes!(audit_export))
        .routes(routes!(emergency_to_review))
        .routes(routes!(review_emergency))
        .merge(crate::messages::book())
        .merge(crate::meetings::book())
        .merge(crate::pathways::book())
        .merge(crate::relapse::book())
        .merge(crate::handovers::book())
        .merge(crate::succession::book())
        .merge(crate::registry::book())
        .merge(crate::monitoring::book())
        .merge(crate::signals::book())
}

type ApiResult = Result<Response, ApiError>;

pub(crate) async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not-found", "No such endpoint")
}

/// A JSON body with an `ETag` carrying the object's version.
pub(crate) fn versioned<T: Serialize>(status: StatusCode, version: i64, body: &T) -> Response {
    let mut res = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str, field: &str) -> Result<T, ApiError> {
    // An id that cannot exist is simply not found (nothing about other records leaks).
    raw.parse::<T>().map_err(|_| {
        ApiError::from(
            Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found")
                .detail(format!("{field} is not a valid id")),
        )
    })
}

fn list<T, U: From<T>>(v: Vec<T>) -> Vec<U> {
    v.into_iter().map(Into::into).collect()
}

/// A page request in a query string. Both are checked by the use case, which answers
/// a field error (422) for a malformed cursor or a size out of bounds.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// The `next` of the previous page (opaque); the first page without it.
    #[param(max_length = 1024)]
    cursor: Option<String>,
    /// Rows per page, 1–200 (50 when not given).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
}

impl PageQuery {
    pub(crate) fn new(cursor: Option<String>, limit: Option<String>) -> Self {
        Self { cursor, limit }
    }

    pub(crate) fn params(&self) -> Result<PageParams, ApiError> {
        page_params(self.cursor.clone(), self.limit.clone())
    }
}

/// A page request as the API takes it: `limit`, when present, is a number as the
/// document says (the forms' pager may send an empty one; an API client may not).
pub(crate) fn page_params(
    cursor: Option<String>,
    limit: Option<String>,
) -> Result<PageParams, ApiError> {
    if limit
        .as_deref()
        .is_some_and(|l| l.is_empty() || l.trim() != l)
    {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit",
            "page_size",
            format!(
                "limit must be a whole number from 1 to {}",
                samband_app::paging::MAX_LIMIT
            ),
        )
        .into());
    }
    Ok(PageParams { cursor, limit })
}

/// `reason` explains a change in the history; a new object has no history entry to
/// keep it in, but what is sent is still checked like every other field.
fn check_reason(reason: Option<&str>) -> Result<(), ApiError> {
    samband_domain::text::optional("reason", reason, samband_domain::text::LONG)
        .map_err(samband_app::AppError::from)?;
    Ok(())
}

// ---- auth ---------------------------------------------------------------------------

/// Sign in for a bearer token (username, password and, if the account has one, the
/// current two-step verification code).
#[utoipa::path(post, path = "/auth/token", security(()),
    request_body = TokenRequest,
    responses((status = 201, description = "The token: its secret is shown only here", body = out::TokenResponse), SignIn))]
async fn issue_token(
    State(app): State<App>,
    ClientAddr(addr): ClientAddr,
    StrictJson(req): StrictJson<TokenRequest>,
) -> ApiResult {
    let (secret, token) = app
        .auth()
        .issue_token(
            &req.username,
            &req.password,
            req.code.as_deref(),
            &addr,
            &req.name,
            &req.scopes,
            req.days,
            None,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(out::TokenResponse {
            id: token.id.0,
            token: secret.expose().to_owned(),
            token_type: "Bearer",
            scopes: token.scopes,
            expires_at: token.expires_at,
        }),
    )
        .into_response())
}

/// Who I am: account, role and what my token may do.
#[utoipa::path(get, path = "/me", responses((status = 200, description = "The caller", body = out::Me), Read))]
async fn me(Auth(ctx): Auth) -> ApiResult {
    Ok(Json(out::Me::from(ctx.principal)).into_response())
}

/// My API tokens that still work (not revoked, not expired), newest first: name,
/// scopes, created, last used (to the minute) and expiry; never the token itself.
#[utoipa::path(get, path = "/me/tokens", responses((status = 200, description = "My tokens", body = Vec<out::TokenInfo>), Read))]
async fn my_tokens(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    let list: Vec<out::TokenInfo> = app
        .auth()
        .list_tokens(&ctx)
        .await?
        .into_iter()
        .map(|t| out::TokenInfo {
            id: t.id.0,
            name: t.name,
            scopes: t.scopes.as_string(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        })
        .collect();
    Ok(Json(list).into_response())
}

/// Revoke one of my API tokens: it is refused from the very next request (another
/// person's token, or one revoked already: 404).
#[utoipa::path(delete, path = "/me/tokens/{token}",
    params(("token" = Uuid, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), Act))]
async fn revoke_my_token(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(token): Path<String>,
) -> ApiResult {
    let token: TokenId = parse_id(&token, "token")?;
    app.auth().revoke_token(&ctx, token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- directory ----------------------------------------------------------------------

/// The organisations in the directory, by name, a page at a time.
#[utoipa::path(get, path = "/organisations", params(PageQuery),
    responses((status = 200, description = "One page of organisations", body = Page<out::Organisation>), ReadPage))]
async fn list_organisations(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app
        .directory()
        .organisations_page(&ctx, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, out::Organisation::from)).into_response())
}

/// Add an organisation (administrators).
#[utoipa::path(post, path = "/organisations", request_body = OrganisationRequest,
    responses((status = 201, description = "Created (ETag: version)", body = out::Organisation), Create))]
async fn create_organisation(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(r): StrictJson<OrganisationRequest>,
) -> ApiResult {
    let o = app
        .directory()
        .create_organisation(&ctx, &r.name, &r.sector, r.country.as_deref())
        .await?;
    Ok(versioned(
        StatusCode::CREATED,
        o.version,
        &out::Organisation::from(o),
    ))
}

/// The professionals in the directory, by name, a page at a time.
#[utoipa::path(get, path = "/professionals", params(PageQuery),
    responses((status = 200, description = "One page of professionals", body = Page<out::Professional>), ReadPage))]
async fn list_professionals(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app
        .directory()
        .professionals_page(&ctx, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, out::Professional::from)).into_response())
}

/// Add a professional (administrators).
#[utoipa::path(post, path = "/professionals", request_body = ProfessionalRequest,
    responses((status = 201, description = "Created (ETag: version)", body = out::Professional), Create))]
async fn create_professional(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(r): StrictJson<ProfessionalRequest>,
) -> ApiResult {
    let new = NewProfessional::parse(
        &r.name,
        &r.title,
        r.organisation_ids(),
        r.phone.as_deref(),
        r.email.as_deref(),
        r.availability.as_deref(),
    )
    .map_err(samband_app::AppError::from)?;
    let p = app.directory().create_professional(&ctx, new).await?;
    Ok(versioned(
        StatusCode::CREATED,
        p.version,
        &out::Professional::from(p),
    ))
}

/// Create an account (administrators).
#[utoipa::path(post, path = "/accounts", request_body = AccountRequest,
    responses((status = 201, description = "Created", body = out::AccountCreated), Create))]
async fn create_account(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(r): StrictJson<AccountRequest>,
) -> ApiResult {
    let a = app
        .directory()
        .create_account(Some(&ctx), &r.into())
        .await?;
    let body = out::AccountCreated {
        id: a.id.0,
        username: a.username,
        role: a.role.as_str().into(),
        display_name: a.display_name,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

// ---- patients -----------------------------------------------------------------------

/// My patients: those whose care team I am active on, by name, a page at a time.
#[utoipa::path(get, path = "/patients", params(PageQuery),
    responses((status = 200, description = "One page of my caseload", body = Page<out::CaseloadItem>), ReadPage))]
async fn my_patients(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app.patients().my_patients(&ctx, &q.params()?).await?;
    Ok(Json(Page::from(page, out::CaseloadItem::from)).into_response())
}

/// Register a patient; the caller becomes the team's coordinator.
#[utoipa::path(post, path = "/patients", request_body = RegisterPatient,
    responses((status = 201, description = "The new patient's overview (Location: its address)", body = out::PatientOverview), Create))]
async fn register_patient(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(r): StrictJson<RegisterPatient>,
) -> ApiResult {
    let input = PatientInput {
        name: &r.name,
        birth_date: &r.birth_date,
        national_id_country: r.national_id_country.as_deref(),
        national_id: r.national_id.as_deref(),
        preferred_contact: &r.preferred_contact,
        phone: r.phone.as_deref(),
        email: r.email.as_deref(),
    };
    let id = app
        .patients()
        .register(&ctx, input, &r.my_role, &r.my_responsibility)
        .await?;
    let overview = out::PatientOverview::from(app.patients().overview(&ctx, id).await?);
    let mut res = (StatusCode::CREATED, Json(&overview)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/patients/{id}")) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// The patient's overview: team, goals, actions, services, crisis plan — what the
/// policy lets the reader see.
#[utoipa::path(get, path = "/patients/{patient}", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The overview", body = out::PatientOverview), ReadOne))]
async fn patient_overview(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let o = out::PatientOverview::from(app.patients().overview(&ctx, patient).await?);
    Ok(Json(o).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// Only the changes of this object (an id that names none lists none).
    object_id: Option<String>,
    /// The `next` of the previous page (opaque); the first page without it.
    #[param(max_length = 1024)]
    cursor: Option<String>,
    /// Rows per page, 1–200 (50 when not given).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
}

/// The patient's change history, newest first: only changes to what the reader may
/// read now.
#[utoipa::path(get, path = "/patients/{patient}/history", params(("patient" = Uuid, Path), HistoryQuery),
    responses((status = 200, description = "One page of the history", body = Page<out::HistoryItem>), ReadOnePage))]
async fn history(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let params = page_params(q.cursor, q.limit)?;
    let page = app
        .patients()
        .history(&ctx, patient, q.object_id.as_deref(), &params)
        .await?;
    Ok(Json(Page::from(page, out::HistoryItem::from)).into_response())
}

// ---- team ---------------------------------------------------------------------------

/// Add a team member (`If-Match`: the team's version).
#[utoipa::path(post, path = "/patients/{patient}/team/members",
    params(("patient" = Uuid, Path), IfMatchHeader), request_body = MemberRequest,
    responses((status = 201, description = "The team (ETag: its version)", body = out::CareTeam), Update))]
async fn add_member(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<MemberRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let input = samband_domain::team::MemberInput::from(input);
    let team = app
        .team()
        .save_member(&ctx, patient, None, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(
        StatusCode::CREATED,
        team.version,
        &out::CareTeam::from(team),
    ))
}

/// Replace a team member (`If-Match`: the team's version).
#[utoipa::path(put, path = "/patients/{patient}/team/members/{member}",
    params(("patient" = Uuid, Path), ("member" = Uuid, Path), IfMatchHeader), request_body = MemberRequest,
    responses((status = 200, description = "The team (ETag: its version)", body = out::CareTeam), Update))]
async fn update_member(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, member)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<MemberRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let member = parse_id::<MemberId>(&member, "member")?;
    let input = samband_domain::team::MemberInput::from(input);
    let team = app
        .team()
        .save_member(
            &ctx,
            patient,
            Some(member),
            &input,
            v,
            input.reason.as_deref(),
        )
        .await?;
    Ok(versioned(
        StatusCode::OK,
        team.version,
        &out::CareTeam::from(team),
    ))
}

// ---- plan ---------------------------------------------------------------------------

/// Set or clear the plan's revision date.
#[utoipa::path(put, path = "/patients/{patient}/plan",
    params(("patient" = Uuid, Path), IfMatchHeader), request_body = PlanHeaderRequest,
    responses((status = 200, description = "The plan header (ETag: version)", body = out::PlanHeader), Update))]
async fn update_plan_header(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(r): StrictJson<PlanHeaderRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let h = app
        .plan()
        .set_revision_date(&ctx, patient, r.revision_date.as_deref().unwrap_or(""), v)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        h.version,
        &out::PlanHeader::from(h),
    ))
}

/// Add an action to the plan.
#[utoipa::path(post, path = "/patients/{patient}/actions",
    params(("patient" = Uuid, Path)), request_body = ActionRequest,
    responses((status = 201, description = "The action (ETag: version)", body = out::Action), Write))]
async fn add_action(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<ActionRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    check_reason(input.reason.as_deref())?;
    let a = app.plan().add_action(&ctx, patient, &input.into()).await?;
    Ok(versioned(
        StatusCode::CREATED,
        a.version,
        &out::Action::from(a),
    ))
}

/// Read one action (ETag: its version).
#[utoipa::path(get, path = "/patients/{patient}/actions/{action}",
    params(("patient" = Uuid, Path), ("action" = Uuid, Path)),
    responses((status = 200, description = "The action (ETag: version)", body = out::Action), ReadOne))]
async fn get_action(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, action)): Path<(String, String)>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let action = parse_id::<ActionId>(&action, "action")?;
    let a = app.plan().get_action(&ctx, patient, action).await?;
    Ok(versioned(StatusCode::OK, a.version, &out::Action::from(a)))
}

/// Update an action.
#[utoipa::path(put, path = "/patients/{patient}/actions/{action}",
    params(("patient" = Uuid, Path), ("action" = Uuid, Path), IfMatchHeader), request_body = ActionRequest,
    responses((status = 200, description = "The action (ETag: version)", body = out::Action), Update))]
async fn update_action(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, action)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<ActionRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let action = parse_id::<ActionId>(&action, "action")?;
    let input = samband_domain::plan::ActionInput::from(input);
    let a = app
        .plan()
        .update_action(&ctx, patient, action, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, a.version, &out::Action::from(a)))
}

/// Add a goal (a patient's own goals are in their own words).
#[utoipa::path(post, path = "/patients/{patient}/goals",
    params(("patient" = Uuid, Path)), request_body = GoalRequest,
    responses((status = 201, description = "The goal (ETag: version)", body = out::Goal), Write))]
async fn add_goal(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<GoalRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    check_reason(input.reason.as_deref())?;
    let g = app.plan().add_goal(&ctx, patient, &input.into()).await?;
    Ok(versioned(
        StatusCode::CREATED,
        g.version,
        &out::Goal::from(g),
    ))
}

/// Update a goal.
#[utoipa::path(put, path = "/patients/{patient}/goals/{goal}",
    params(("patient" = Uuid, Path), ("goal" = Uuid, Path), IfMatchHeader), request_body = GoalRequest,
    responses((status = 200, description = "The goal (ETag: version)", body = out::Goal), Update))]
async fn update_goal(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, goal)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<GoalRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let goal = parse_id::<GoalId>(&goal, "goal")?;
    let input = samband_domain::plan::GoalInput::from(input);
    let g = app
        .plan()
        .update_goal(&ctx, patient, goal, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, g.version, &out::Goal::from(g)))
}

/// Add an allocated service.
#[utoipa::path(post, path = "/patients/{patient}/services",
    params(("patient" = Uuid, Path)), request_body = ServiceRequest,
    responses((status = 201, description = "The service (ETag: version)", body = out::Service), Write))]
async fn add_service(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<ServiceRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    check_reason(input.reason.as_deref())?;
    let s = app.plan().add_service(&ctx, patient, &input.into()).await?;
    Ok(versioned(
        StatusCode::CREATED,
        s.version,
        &out::Service::from(s),
    ))
}

/// Update a service.
#[utoipa::path(put, path = "/patients/{patient}/services/{service}",
    params(("patient" = Uuid, Path), ("service" = Uuid, Path), IfMatchHeader), request_body = ServiceRequest,
    responses((status = 200, description = "The service (ETag: version)", body = out::Service), Update))]
async fn update_service(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, service)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<ServiceRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let service = parse_id::<ServiceId>(&service, "service")?;
    let input = samband_domain::plan::ServiceInput::from(input);
    let s = app
        .plan()
        .update_service(&ctx, patient, service, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, s.version, &out::Service::from(s)))
}

/// Update the crisis plan (`If-Match: "0"` for its first version; patients may
/// change only `what_helps`).
#[utoipa::path(put, path = "/patients/{patient}/crisis-plan",
    params(("patient" = Uuid, Path), IfMatchHeader), request_body = CrisisPlanRequest,
    responses((status = 200, description = "The crisis plan (ETag: version)", body = out::CrisisPlan), Update))]
async fn update_crisis_plan(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<CrisisPlanRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let input = samband_domain::plan::CrisisPlanInput::from(input);
    let c = app
        .plan()
        .update_crisis_plan(&ctx, patient, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(
        StatusCode::OK,
        c.version,
        &out::CrisisPlan::from(c),
    ))
}

// ---- consent, emergency access, access log -------------------------------------------

/// The patient's consent: who may see which categories (ETag: version).
#[utoipa::path(get, path = "/patients/{patient}/consent", params(("patient" = Uuid, Path)),
    responses((status = 200, description = "The consent (ETag: version)", body = out::Consent), ReadOne))]
async fn get_consent(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let c = app.consent().current(&ctx, patient).await?;
    Ok(versioned(StatusCode::OK, c.version, &out::Consent::from(c)))
}

/// Replace the consent rules (the patient; or a professional recording a consent
/// given on paper, with their password).
#[utoipa::path(put, path = "/patients/{patient}/consent",
    params(("patient" = Uuid, Path), IfMatchHeader), request_body = ConsentRequest,
    responses((status = 200, description = "The consent (ETag: version)", body = out::Consent), Update))]
async fn put_consent(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(r): StrictJson<ConsentRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let rules: Vec<samband_domain::consent::RuleInput> = list(r.rules);
    let c = app
        .consent()
        .save(&ctx, patient, &rules, v, r.password.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, c.version, &out::Consent::from(c)))
}

/// Break the glass: read this patient's record for at most 4 hours (reason and
/// password required; logged and shown to the patient).
#[utoipa::path(post, path = "/patients/{patient}/emergency-access",
    params(("patient" = Uuid, Path)), request_body = EmergencyRequest,
    responses((status = 201, description = "Emergency access started", body = out::EmergencyStarted), Write))]
async fn break_glass(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(r): StrictJson<EmergencyRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let g = app
        .consent()
        .break_glass(&ctx, patient, &r.reason_code, &r.reason_text, &r.password)
        .await?;
    let body = out::EmergencyStarted {
        id: g.id,
        patient_id: g.patient_id.0,
        started_at: g.started_at,
        expires_at: g.expires_at,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Who opened or changed the record (the patient, or a proxy for them).
#[utoipa::path(get, path = "/patients/{patient}/access-log", params(("patient" = Uuid, Path), PageQuery),
    responses((status = 200, description = "One page of the access log", body = Page<out::AccessLogRow>), ReadOnePage))]
async fn access_log(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let page = app
        .consent()
        .access_log(&ctx, patient, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, out::AccessLogRow::from)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// `jsonl` when not given.
    #[param(value_type = Option<crate::dto::choices::AuditFormat>)]
    format: Option<String>,
    /// The `next` of the previous page (opaque); the first page without it.
    #[param(max_length = 1024)]
    cursor: Option<String>,
    /// Rows per page, 1–200 (50 when not given).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
}

/// The audit trail in sequence order, a page at a time (administrators).
#[utoipa::path(get, path = "/audit", params(AuditQuery),
    responses((status = 200, description = "One page of audit records", body = Page<out::AuditRecord>), ReadPage))]
async fn audit_export(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<AuditQuery>,
) -> ApiResult {
    let format = samband_app::audit_export::parse_export_format(q.format.as_deref())?;
    let params = page_params(q.cursor, q.limit)?;
    let page = app.audit_trail().audit_page(&ctx, format, &params).await?;
    Ok(Json(Page::from(page, out::AuditRecord)).into_response())
}

/// Emergency accesses awaiting review, newest first, a page at a time: all of them for
/// administrators, those by people in their organisations for a privacy officer.
#[utoipa::path(get, path = "/emergency-access", params(PageQuery),
    responses((status = 200, description = "One page of the accesses awaiting review", body = Page<out::EmergencyToReview>), ReadPage))]
async fn emergency_to_review(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app
        .consent()
        .emergency_review_page(&ctx, &q.params()?)
        .await?;
    Ok(Json(Page::from(page, |item| {
        let g = item.grant;
        out::EmergencyToReview {
            id: g.id,
            patient_id: g.patient_id.0,
            account_id: g.account_id.0,
            used_by: item.who,
            used_by_title: item.role,
            used_by_organisation: item.organisation,
            reason_code: g.reason_code,
            reason_text: g.reason_text,
            started_at: g.started_at,
            expires_at: g.expires_at,
        }
    }))
    .into_response())
}

/// Mark an emergency access reviewed.
#[utoipa::path(post, path = "/emergency-access/{grant}/review", params(("grant" = Uuid, Path)),
    responses((status = 204, description = "Reviewed"), Act))]
async fn review_emergency(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(grant): Path<String>,
) -> ApiResult {
    let grant = parse_id::<uuid::Uuid>(&grant, "grant")?;
    app.consent().mark_emergency_reviewed(&ctx, grant).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
