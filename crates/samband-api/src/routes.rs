//! `/api/v1` handlers: parse → one use case → JSON. No policy and no SQL here.

use crate::extract::{Auth, ClientAddr, IfMatch, StrictJson};
use crate::openapi;
use crate::problem::{ApiError, Problem};
use crate::route_book::RouteBook;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Json;
use samband_app::directory::AccountInput;
use samband_app::paging::{Page, PageParams};
use samband_app::App;
use samband_domain::ids::*;
use samband_domain::patient::PatientInput;
use samband_domain::plan::{ActionInput, CrisisPlanInput, GoalInput, ServiceInput};
use samband_domain::professional::NewProfessional;
use samband_domain::team::MemberInput;
use serde::{Deserialize, Serialize};

pub fn book() -> RouteBook<App> {
    RouteBook::new()
        .route("/openapi.json", get(openapi::document))
        .route("/auth/token", post(issue_token))
        .route("/me", get(me))
        .route("/me/tokens", get(my_tokens))
        .route("/me/tokens/{token}", delete(revoke_my_token))
        .route(
            "/organisations",
            get(list_organisations).post(create_organisation),
        )
        .route(
            "/professionals",
            get(list_professionals).post(create_professional),
        )
        .route("/accounts", post(create_account))
        .route("/patients", get(my_patients).post(register_patient))
        .route("/patients/{patient}", get(patient_overview))
        .route("/patients/{patient}/history", get(history))
        .route("/patients/{patient}/team/members", post(add_member))
        .route(
            "/patients/{patient}/team/members/{member}",
            put(update_member),
        )
        .route("/patients/{patient}/plan", put(update_plan_header))
        .route("/patients/{patient}/actions", post(add_action))
        .route(
            "/patients/{patient}/actions/{action}",
            get(get_action).put(update_action),
        )
        .route("/patients/{patient}/goals", post(add_goal))
        .route("/patients/{patient}/goals/{goal}", put(update_goal))
        .route("/patients/{patient}/services", post(add_service))
        .route(
            "/patients/{patient}/services/{service}",
            put(update_service),
        )
        .route("/patients/{patient}/crisis-plan", put(update_crisis_plan))
        .route(
            "/patients/{patient}/consent",
            get(get_consent).put(put_consent),
        )
        .route("/patients/{patient}/emergency-access", post(break_glass))
        .route("/patients/{patient}/access-log", get(access_log))
        .route("/audit", get(audit_export))
        .route("/emergency-access", get(emergency_to_review))
        .route("/emergency-access/{grant}/review", post(review_emergency))
        .merge(crate::messages::book())
        .merge(crate::meetings::book())
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

// ---- auth ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    username: String,
    password: String,
    /// The current two-step verification code (or a recovery code), if the account has one.
    code: Option<String>,
    name: String,
    #[serde(default = "default_scopes")]
    scopes: String,
    /// How many days the token lasts: 90 when not given, at most the deployment's
    /// maximum (365 unless configured).
    days: Option<i64>,
}

fn default_scopes() -> String {
    "read write".into()
}

#[derive(Serialize)]
struct TokenResponse {
    /// The token's id, to find it in `GET /me/tokens` and revoke it.
    id: TokenId,
    token: String,
    token_type: &'static str,
    scopes: String,
    expires_at: Option<String>,
}

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
        Json(TokenResponse {
            id: token.id,
            token: secret.expose().to_owned(),
            token_type: "Bearer",
            scopes: token.scopes,
            expires_at: token.expires_at.map(|t| t.to_rfc3339()),
        }),
    )
        .into_response())
}

async fn me(Auth(ctx): Auth) -> ApiResult {
    Ok(Json(&ctx.principal).into_response())
}

/// One of my API tokens as listed: never its secret.
#[derive(Serialize)]
struct TokenInfo {
    id: TokenId,
    name: String,
    scopes: String,
    created_at: chrono::DateTime<chrono::Utc>,
    last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

async fn my_tokens(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    let list: Vec<TokenInfo> = app
        .auth()
        .list_tokens(&ctx)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            scopes: t.scopes.as_string(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        })
        .collect();
    Ok(Json(list).into_response())
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganisationRequest {
    name: String,
    sector: String,
    /// `NO` or `DK`; absent or blank: not stated.
    #[serde(default)]
    country: Option<String>,
}

async fn list_organisations(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    Ok(Json(app.directory().list_organisations(&ctx).await?).into_response())
}

async fn create_organisation(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(r): StrictJson<OrganisationRequest>,
) -> ApiResult {
    let o = app
        .directory()
        .create_organisation(&ctx, &r.name, &r.sector, r.country.as_deref())
        .await?;
    Ok(versioned(StatusCode::CREATED, o.version, &o))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfessionalRequest {
    name: String,
    title: String,
    organisation_ids: Vec<OrganisationId>,
    phone: Option<String>,
    email: Option<String>,
    availability: Option<String>,
}

async fn list_professionals(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    Ok(Json(app.directory().list_professionals(&ctx).await?).into_response())
}

async fn create_professional(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(r): StrictJson<ProfessionalRequest>,
) -> ApiResult {
    let new = NewProfessional::parse(
        &r.name,
        &r.title,
        r.organisation_ids,
        r.phone.as_deref(),
        r.email.as_deref(),
        r.availability.as_deref(),
    )
    .map_err(samband_app::AppError::from)?;
    let p = app.directory().create_professional(&ctx, new).await?;
    Ok(versioned(StatusCode::CREATED, p.version, &p))
}

#[derive(Serialize)]
struct AccountResponse {
    id: AccountId,
    username: String,
    role: String,
    display_name: String,
}

async fn create_account(
    State(app): State<App>,
    Auth(ctx): Auth,
    StrictJson(r): StrictJson<AccountInput>,
) -> ApiResult {
    let a = app.directory().create_account(Some(&ctx), &r).await?;
    let body = AccountResponse {
        id: a.id,
        username: a.username,
        role: a.role.as_str().into(),
        display_name: a.display_name,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

// ---- patients -----------------------------------------------------------------------

#[derive(Serialize)]
struct CaseloadItem {
    id: PatientId,
    name: String,
    birth_date: String,
    my_role: String,
    is_coordinator: bool,
    open_actions: i64,
    overdue_actions: i64,
}

/// A page request in a query string: `cursor` (from the previous page's `next`) and
/// `limit` (1–200, 50 when not given). Both are checked by the use case, which answers
/// a field error (422) for a malformed cursor or a size out of bounds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    cursor: Option<String>,
    limit: Option<String>,
}

impl PageQuery {
    pub(crate) fn params(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit.clone(),
        }
    }
}

/// A page as the API answers it: `{items, next, total, limit}`.
pub(crate) fn page_json<T: Serialize>(page: &Page<T>) -> Response {
    Json(page).into_response()
}

async fn my_patients(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let page = app.patients().my_patients(&ctx, &q.params()).await?;
    let page = page.map(|r| CaseloadItem {
        id: r.patient.id,
        name: r.patient.name,
        birth_date: r.patient.birth_date.to_string(),
        my_role: r.my_role,
        is_coordinator: r.is_coordinator,
        open_actions: r.open_actions,
        overdue_actions: r.overdue_actions,
    });
    Ok(page_json(&page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterPatient {
    name: String,
    birth_date: String,
    national_id_country: Option<String>,
    national_id: Option<String>,
    preferred_contact: String,
    phone: Option<String>,
    email: Option<String>,
    /// The registering professional's role and responsibility on the new team.
    my_role: String,
    my_responsibility: String,
}

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
    let overview = app.patients().overview(&ctx, id).await?;
    let mut res = (StatusCode::CREATED, Json(&overview)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/patients/{id}")) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

async fn patient_overview(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    Ok(Json(app.patients().overview(&ctx, patient).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    object_id: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

async fn history(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let params = PageParams {
        cursor: q.cursor,
        limit: q.limit,
    };
    let page = app
        .patients()
        .history(&ctx, patient, q.object_id.as_deref(), &params)
        .await?;
    let page = page.map(|h| {
        serde_json::json!({
            "object_type": h.object_type,
            "object_id": h.object_id,
            "version": h.version,
            "changed_by": h.actor_name,
            "changed_at": h.at.to_rfc3339(),
            "reason": h.reason,
            "old": h.old_value,
            "new": h.new_value,
        })
    });
    Ok(page_json(&page))
}

// ---- team ---------------------------------------------------------------------------

async fn add_member(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<MemberInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let team = app
        .team()
        .save_member(&ctx, patient, None, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::CREATED, team.version, &team))
}

async fn update_member(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, member)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<MemberInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let member = parse_id::<MemberId>(&member, "member")?;
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
    Ok(versioned(StatusCode::OK, team.version, &team))
}

// ---- plan ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanHeaderRequest {
    /// `YYYY-MM-DD`, or empty/null to clear.
    revision_date: Option<String>,
}

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
    Ok(versioned(StatusCode::OK, h.version, &h))
}

async fn add_action(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<ActionInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let a = app.plan().add_action(&ctx, patient, &input).await?;
    Ok(versioned(StatusCode::CREATED, a.version, &a))
}

async fn get_action(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, action)): Path<(String, String)>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let action = parse_id::<ActionId>(&action, "action")?;
    let a = app.plan().get_action(&ctx, patient, action).await?;
    Ok(versioned(StatusCode::OK, a.version, &a))
}

async fn update_action(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, action)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<ActionInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let action = parse_id::<ActionId>(&action, "action")?;
    let a = app
        .plan()
        .update_action(&ctx, patient, action, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, a.version, &a))
}

async fn add_goal(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<GoalInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let g = app.plan().add_goal(&ctx, patient, &input).await?;
    Ok(versioned(StatusCode::CREATED, g.version, &g))
}

async fn update_goal(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, goal)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<GoalInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let goal = parse_id::<GoalId>(&goal, "goal")?;
    let g = app
        .plan()
        .update_goal(&ctx, patient, goal, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, g.version, &g))
}

async fn add_service(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    StrictJson(input): StrictJson<ServiceInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let s = app.plan().add_service(&ctx, patient, &input).await?;
    Ok(versioned(StatusCode::CREATED, s.version, &s))
}

async fn update_service(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path((patient, service)): Path<(String, String)>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<ServiceInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let service = parse_id::<ServiceId>(&service, "service")?;
    let s = app
        .plan()
        .update_service(&ctx, patient, service, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, s.version, &s))
}

async fn update_crisis_plan(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(input): StrictJson<CrisisPlanInput>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let c = app
        .plan()
        .update_crisis_plan(&ctx, patient, &input, v, input.reason.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, c.version, &c))
}

// ---- consent, emergency access, access log -------------------------------------------

async fn get_consent(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let c = app.consent().current(&ctx, patient).await?;
    Ok(versioned(StatusCode::OK, c.version, &c))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentRequest {
    rules: Vec<samband_domain::consent::RuleInput>,
    /// Required when a professional records a consent given on paper (re-authentication).
    password: Option<String>,
}

async fn put_consent(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    IfMatch(v): IfMatch,
    StrictJson(r): StrictJson<ConsentRequest>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    let c = app
        .consent()
        .save(&ctx, patient, &r.rules, v, r.password.as_deref())
        .await?;
    Ok(versioned(StatusCode::OK, c.version, &c))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmergencyRequest {
    reason_code: String,
    reason_text: String,
    password: String,
}

#[derive(Serialize)]
struct EmergencyResponse {
    id: uuid::Uuid,
    patient_id: PatientId,
    started_at: String,
    expires_at: String,
}

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
    let body = EmergencyResponse {
        id: g.id,
        patient_id: g.patient_id,
        started_at: g.started_at.to_rfc3339(),
        expires_at: g.expires_at.to_rfc3339(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn access_log(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(patient): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    let patient = parse_id::<PatientId>(&patient, "patient")?;
    Ok(page_json(
        &app.consent().access_log(&ctx, patient, &q.params()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    format: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// The audit trail, a page at a time in sequence order (administrators).
async fn audit_export(
    State(app): State<App>,
    Auth(ctx): Auth,
    Query(q): Query<AuditQuery>,
) -> ApiResult {
    let format = samband_app::audit_export::parse_export_format(q.format.as_deref())?;
    let params = PageParams {
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(page_json(
        &app.audit_trail().audit_page(&ctx, format, &params).await?,
    ))
}

async fn emergency_to_review(State(app): State<App>, Auth(ctx): Auth) -> ApiResult {
    let grants = app.consent().emergency_to_review(&ctx).await?;
    let body: Vec<serde_json::Value> = grants
        .iter()
        .map(|g| {
            serde_json::json!({
                "id": g.id, "patient_id": g.patient_id, "account_id": g.account_id,
                "reason_code": g.reason_code, "reason_text": g.reason_text,
                "started_at": g.started_at.to_rfc3339(), "expires_at": g.expires_at.to_rfc3339()
            })
        })
        .collect();
    Ok(Json(body).into_response())
}

async fn review_emergency(
    State(app): State<App>,
    Auth(ctx): Auth,
    Path(grant): Path<String>,
) -> ApiResult {
    let grant = parse_id::<uuid::Uuid>(&grant, "grant")?;
    app.consent().mark_emergency_reviewed(&ctx, grant).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
