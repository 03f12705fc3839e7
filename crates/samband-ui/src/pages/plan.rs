//! Care-plan forms: actions, goals, services, the crisis plan and the revision date.
//! Every edit form carries the version it was read at; a stale save shows who changed
//! what meanwhile, both values side by side, and keeps what the user typed.

use super::patients::parse_patient;
use super::patients::{overview_again, overview_values};
use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, in_part, FormData, FormState};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::error::ConflictInfo;
use samband_app::views::PatientOverview;
use samband_app::AppError;
use samband_domain::ids::*;
use samband_domain::plan::{ActionInput, CrisisPlanInput, GoalInput, ServiceInput};
use samband_domain::ValidationErrors;

/// What the other person saved, for the "changed meanwhile" notice.
pub struct ConflictView {
    pub by: String,
    pub at: String,
    /// (field label key, their saved value, your value)
    pub fields: Vec<(String, String, String)>,
}

impl ConflictView {
    pub fn new(base: &Base, c: &ConflictInfo, form: &FormData, fields: &[(&str, &str)]) -> Self {
        let theirs = |k: &str| match c.current.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        };
        ConflictView {
            by: c
                .changed_by
                .clone()
                .unwrap_or_else(|| base.t("conflict.someone")),
            at: c
                .changed_at
                .as_ref()
                .map(|t| base.datetime(t))
                .unwrap_or_default(),
            fields: fields
                .iter()
                .map(|(k, label)| ((*label).to_owned(), theirs(k), form.get(k).to_owned()))
                .filter(|(_, a, b)| a != b)
                .collect(),
        }
    }
}

/// Sorts a refused save into what its form shows again — field errors, or what was
/// saved meanwhile (compared on `fields`) — and the version to continue from. Any other
/// error is handed back for the error page.
pub fn refusal(
    base: &Base,
    e: AppError,
    form: &FormData,
    fields: &[(&str, &str)],
) -> Result<(ValidationErrors, Option<ConflictView>, i64), AppError> {
    match e {
        AppError::Validation(errors) => Ok((errors, None, form.version())),
        AppError::Conflict(c) => {
            let view = ConflictView::new(base, &c, form, fields);
            Ok((ValidationErrors::new(), Some(view), c.current_version))
        }
        other => Err(other),
    }
}

fn to_overview(patient: PatientId) -> Response {
    Redirect::to(&format!("/patients/{patient}")).into_response()
}

/// Sets the version a re-shown form continues from: the current one after a conflict.
fn continue_from(form: &FormData, errors: ValidationErrors, version: i64) -> FormState {
    let mut state = FormState::from_form(form, errors);
    state.values.insert("version".into(), version.to_string());
    state
}

// ---- actions ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "action_form.html")]
struct ActionForm {
    base: Base,
    ov: PatientOverview,
    form: FormState,
    action_id: Option<ActionId>,
    conflict: Option<ConflictView>,
}

fn action_input(form: &FormData) -> ActionInput {
    ActionInput {
        title: form.get("title").into(),
        owner_member_id: form.get("owner_member_id").parse().ok(),
        sector: form.opt("sector"),
        due_date: form.get("due_date").into(),
        status: form.opt("status"),
        goal_id: form.get("goal_id").parse().ok(),
        reason: form.opt("reason"),
    }
}

/// Form fields that name an id the user picked but that did not parse are reported,
/// not silently dropped.
fn id_field_errors(form: &FormData, fields: &[&str]) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    for f in fields {
        let v = form.get(f).trim();
        if !v.is_empty() && v.parse::<uuid::Uuid>().is_err() {
            e.add(f, "bad_choice", "choose one of the listed options");
        }
    }
    e
}

pub async fn action_new(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    let result = async {
        state
            .app
            .patients()
            .overview(&viewer.ctx, parse_patient(&patient)?)
            .await
    }
    .await;
    match result {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("action.new_title");
            let mut form = FormState::default();
            form.values.insert("status".into(), "planned".into());
            render(
                StatusCode::OK,
                &ActionForm {
                    base: viewer.base,
                    ov,
                    form,
                    action_id: None,
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn action_create(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let ids = id_field_errors(&form, &["owner_member_id", "goal_id"]);
    let result = if ids.is_empty() {
        state
            .app
            .plan()
            .add_action(&viewer.ctx, pid, &action_input(&form))
            .await
            .map(|_| ())
    } else {
        Err(AppError::Validation(ids))
    };
    match result {
        Ok(()) => to_overview(pid),
        Err(AppError::Validation(errors)) => {
            match state.app.patients().overview(&viewer.ctx, pid).await {
                Ok(ov) => {
                    viewer.base.title = viewer.base.t("action.new_title");
                    let form = FormState::from_form(&form, errors);
                    render(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &ActionForm {
                            base: viewer.base,
                            ov,
                            form,
                            action_id: None,
                            conflict: None,
                        },
                    )
                }
                Err(e) => error_response(&viewer.base, e),
            }
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn action_edit(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path((patient, action)): Path<(String, String)>,
) -> Response {
    let result = async {
        let pid = parse_patient(&patient)?;
        let aid: ActionId = action.parse().map_err(|_| AppError::NotFound)?;
        let a = state.app.plan().get_action(&viewer.ctx, pid, aid).await?;
        let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
        Ok::<_, AppError>((ov, a))
    }
    .await;
    match result {
        Ok((ov, a)) => {
            viewer.base.title = viewer.base.t("action.edit_title");
            let mut form = FormState::default();
            for (k, v) in [
                ("title", a.title.clone()),
                ("owner_member_id", a.owner_member_id.to_string()),
                ("sector", a.sector.as_str().into()),
                ("due_date", a.due_date.to_string()),
                ("status", a.status.as_str().into()),
                (
                    "goal_id",
                    a.goal_id.map(|g| g.to_string()).unwrap_or_default(),
                ),
                ("version", a.version.to_string()),
            ] {
                form.values.insert(k.into(), v);
            }
            render(
                StatusCode::OK,
                &ActionForm {
                    base: viewer.base,
                    ov,
                    form,
                    action_id: Some(a.id),
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

async fn save_action(
    state: &UiState,
    viewer: &mut Viewer,
    patient: &str,
    action: &str,
    form: &FormData,
) -> Result<PatientId, Response> {
    let pid = parse_patient(patient).map_err(|e| error_response(&viewer.base, e))?;
    let aid: ActionId = action
        .parse()
        .map_err(|_| error_response(&viewer.base, AppError::NotFound))?;
    let ids = id_field_errors(form, &["owner_member_id", "goal_id"]);
    let result = if ids.is_empty() {
        state
            .app
            .plan()
            .update_action(
                &viewer.ctx,
                pid,
                aid,
                &action_input(form),
                form.version(),
                form.opt("reason").as_deref(),
            )
            .await
    } else {
        Err(AppError::Validation(ids))
    };
    let (errors, conflict, version) = match result {
        Ok(_) => return Ok(pid),
        Err(e) => match refusal(
            &viewer.base,
            e,
            form,
            &[
                ("title", "action.title"),
                ("due_date", "action.due_date"),
                ("status", "action.status"),
                ("owner_member_id", "action.owner"),
            ],
        ) {
            Ok(r) => r,
            Err(e) => return Err(error_response(&viewer.base, e)),
        },
    };
    let ov = state
        .app
        .patients()
        .overview(&viewer.ctx, pid)
        .await
        .map_err(|e| error_response(&viewer.base, e))?;
    let mut base = viewer.base.clone();
    base.title = base.t("action.edit_title");
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ActionForm {
        base,
        ov,
        form: continue_from(form, errors, version),
        action_id: Some(aid),
        conflict,
    };
    Err(render(status, &page))
}

pub async fn action_update(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path((patient, action)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    match save_action(&state, &mut viewer, &patient, &action, &form).await {
        Ok(pid) => to_overview(pid),
        Err(r) => r,
    }
}

/// Quick status change from the overview (htmx on change, or the action's Save button
/// without JavaScript). The overview is one form, so the post carries everything typed
/// on it; the other fields of the action are taken from the stored action.
pub async fn action_status(
    State(state): State<UiState>,
    mut viewer: Viewer,
    headers: HeaderMap,
    Path((patient, action)): Path<(String, String)>,
    form: FormData,
) -> Response {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    if let Err(r) = check_csrf(&viewer, &form, token) {
        return r;
    }
    let loaded = async {
        let pid = parse_patient(&patient)?;
        let aid: ActionId = action.parse().map_err(|_| AppError::NotFound)?;
        let a = state.app.plan().get_action(&viewer.ctx, pid, aid).await?;
        let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
        Ok::<_, AppError>((a, ov))
    }
    .await;
    let (a, ov) = match loaded {
        Ok(x) => x,
        Err(e) => return error_response(&viewer.base, e),
    };
    let shown = overview_values(&ov);
    let part = format!("a-{}", a.id);
    let mut full = std::collections::HashMap::new();
    for (k, v) in [
        ("title", a.title.clone()),
        ("owner_member_id", a.owner_member_id.to_string()),
        ("sector", a.sector.as_str().into()),
        ("due_date", a.due_date.to_string()),
        (
            "goal_id",
            a.goal_id.map(|g| g.to_string()).unwrap_or_default(),
        ),
        ("status", form.get(&format!("{part}.status")).to_owned()),
        ("version", form.get(&format!("{part}.version")).to_owned()),
    ] {
        full.insert(k.to_owned(), v);
    }
    let full = FormData(full);
    match save_action(&state, &mut viewer, &patient, &action, &full).await {
        Ok(pid) => after_plan_part(&state, viewer, pid, &shown, &form, &part).await,
        Err(mut r) => {
            if headers.contains_key("hx-request") {
                // Show the whole form (with the conflict notice) in place of the page body.
                r.headers_mut()
                    .insert("hx-retarget", HeaderValue::from_static("#main"));
                r.headers_mut()
                    .insert("hx-reselect", HeaderValue::from_static("#main"));
                r.headers_mut()
                    .insert("hx-reswap", HeaderValue::from_static("outerHTML"));
            }
            r
        }
    }
}

/// After one part of the overview was saved: back to it (See Other), or, when
/// something typed elsewhere on it is not saved, the overview with that kept.
async fn after_plan_part(
    state: &UiState,
    viewer: Viewer,
    pid: PatientId,
    shown: &std::collections::HashMap<String, String>,
    posted: &FormData,
    part: &str,
) -> Response {
    let ov = match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => ov,
        Err(e) => return error_response(&viewer.base, e),
    };
    let again = FormState::keep_typed(shown, overview_values(&ov), posted, &[part.to_owned()]);
    if again.kept.is_empty() {
        return to_overview(pid);
    }
    overview_again(state, viewer, ov, again, StatusCode::OK).await
}

// ---- goals --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "goal_form.html")]
struct GoalForm {
    base: Base,
    ov: PatientOverview,
    form: FormState,
    goal_id: Option<GoalId>,
    conflict: Option<ConflictView>,
}

fn goal_input(form: &FormData) -> GoalInput {
    GoalInput {
        text: form.get("text").into(),
        author: form.opt("author"),
        owner_member_id: form.get("owner_member_id").parse().ok(),
        achieved: form.get("achieved") == "on",
        reason: form.opt("reason"),
    }
}

pub async fn goal_new(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    match async {
        state
            .app
            .patients()
            .overview(&viewer.ctx, parse_patient(&patient)?)
            .await
    }
    .await
    {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("goal.new_title");
            let mut form = FormState::default();
            form.values.insert("author".into(), "professional".into());
            render(
                StatusCode::OK,
                &GoalForm {
                    base: viewer.base,
                    ov,
                    form,
                    goal_id: None,
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn goal_create(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    match state
        .app
        .plan()
        .add_goal(&viewer.ctx, pid, &goal_input(&form))
        .await
    {
        Ok(_) => to_overview(pid),
        Err(AppError::Validation(errors)) => {
            match state.app.patients().overview(&viewer.ctx, pid).await {
                Ok(ov) => {
                    viewer.base.title = viewer.base.t("goal.new_title");
                    render(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &GoalForm {
                            base: viewer.base,
                            ov,
                            form: FormState::from_form(&form, errors),
                            goal_id: None,
                            conflict: None,
                        },
                    )
                }
                Err(e) => error_response(&viewer.base, e),
            }
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn goal_edit(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path((patient, goal)): Path<(String, String)>,
) -> Response {
    let result = async {
        let ov = state
            .app
            .patients()
            .overview(&viewer.ctx, parse_patient(&patient)?)
            .await?;
        let gid: GoalId = goal.parse().map_err(|_| AppError::NotFound)?;
        let g = ov
            .goals
            .iter()
            .find(|g| g.id == gid)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>((ov, g))
    }
    .await;
    match result {
        Ok((ov, g)) => {
            viewer.base.title = viewer.base.t("goal.edit_title");
            let mut form = FormState::default();
            form.values.insert("text".into(), g.text.clone());
            form.values
                .insert("author".into(), g.author.as_str().into());
            form.values.insert(
                "owner_member_id".into(),
                g.owner_member_id.map(|m| m.to_string()).unwrap_or_default(),
            );
            if g.achieved {
                form.values.insert("achieved".into(), "on".into());
            }
            form.values.insert("version".into(), g.version.to_string());
            render(
                StatusCode::OK,
                &GoalForm {
                    base: viewer.base,
                    ov,
                    form,
                    goal_id: Some(g.id),
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn goal_update(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path((patient, goal)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let ids = async {
        Ok::<_, AppError>((
            parse_patient(&patient)?,
            goal.parse::<GoalId>().map_err(|_| AppError::NotFound)?,
        ))
    }
    .await;
    let (pid, gid) = match ids {
        Ok(v) => v,
        Err(e) => return error_response(&viewer.base, e),
    };
    let (errors, conflict, version) = match state
        .app
        .plan()
        .update_goal(
            &viewer.ctx,
            pid,
            gid,
            &goal_input(&form),
            form.version(),
            form.opt("reason").as_deref(),
        )
        .await
    {
        Ok(_) => return to_overview(pid),
        Err(e) => match refusal(&viewer.base, e, &form, &[("text", "goal.text")]) {
            Ok(r) => r,
            Err(e) => return error_response(&viewer.base, e),
        },
    };
    match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("goal.edit_title");
            let status = if conflict.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(
                status,
                &GoalForm {
                    base: viewer.base,
                    ov,
                    form: continue_from(&form, errors, version),
                    goal_id: Some(gid),
                    conflict,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- services -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "service_form.html")]
struct ServiceForm {
    base: Base,
    ov: PatientOverview,
    form: FormState,
    service_id: Option<ServiceId>,
    conflict: Option<ConflictView>,
}

fn service_input(form: &FormData) -> ServiceInput {
    ServiceInput {
        what: form.get("what").into(),
        provider: form.get("provider").into(),
        frequency: form.get("frequency").into(),
        reason: form.opt("reason"),
    }
}

pub async fn service_new(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    match async {
        state
            .app
            .patients()
            .overview(&viewer.ctx, parse_patient(&patient)?)
            .await
    }
    .await
    {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("service.new_title");
            render(
                StatusCode::OK,
                &ServiceForm {
                    base: viewer.base,
                    ov,
                    form: FormState::default(),
                    service_id: None,
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn service_create(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    match state
        .app
        .plan()
        .add_service(&viewer.ctx, pid, &service_input(&form))
        .await
    {
        Ok(_) => to_overview(pid),
        Err(AppError::Validation(errors)) => {
            match state.app.patients().overview(&viewer.ctx, pid).await {
                Ok(ov) => {
                    viewer.base.title = viewer.base.t("service.new_title");
                    render(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &ServiceForm {
                            base: viewer.base,
                            ov,
                            form: FormState::from_form(&form, errors),
                            service_id: None,
                            conflict: None,
                        },
                    )
                }
                Err(e) => error_response(&viewer.base, e),
            }
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn service_edit(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path((patient, service)): Path<(String, String)>,
) -> Response {
    let result = async {
        let ov = state
            .app
            .patients()
            .overview(&viewer.ctx, parse_patient(&patient)?)
            .await?;
        let sid: ServiceId = service.parse().map_err(|_| AppError::NotFound)?;
        let s = ov
            .services
            .iter()
            .find(|s| s.id == sid)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>((ov, s))
    }
    .await;
    match result {
        Ok((ov, s)) => {
            viewer.base.title = viewer.base.t("service.edit_title");
            let mut form = FormState::default();
            for (k, v) in [
                ("what", s.what.clone()),
                ("provider", s.provider.clone()),
                ("frequency", s.frequency.clone()),
                ("version", s.version.to_string()),
            ] {
                form.values.insert(k.into(), v);
            }
            render(
                StatusCode::OK,
                &ServiceForm {
                    base: viewer.base,
                    ov,
                    form,
                    service_id: Some(s.id),
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn service_update(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path((patient, service)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let ids = async {
        Ok::<_, AppError>((
            parse_patient(&patient)?,
            service
                .parse::<ServiceId>()
                .map_err(|_| AppError::NotFound)?,
        ))
    }
    .await;
    let (pid, sid) = match ids {
        Ok(v) => v,
        Err(e) => return error_response(&viewer.base, e),
    };
    let (errors, conflict, version) = match state
        .app
        .plan()
        .update_service(
            &viewer.ctx,
            pid,
            sid,
            &service_input(&form),
            form.version(),
            form.opt("reason").as_deref(),
        )
        .await
    {
        Ok(_) => return to_overview(pid),
        Err(e) => match refusal(
            &viewer.base,
            e,
            &form,
            &[
                ("what", "service.what"),
                ("provider", "service.provider"),
                ("frequency", "service.frequency"),
            ],
        ) {
            Ok(r) => r,
            Err(e) => return error_response(&viewer.base, e),
        },
    };
    match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("service.edit_title");
            let status = if conflict.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(
                status,
                &ServiceForm {
                    base: viewer.base,
                    ov,
                    form: continue_from(&form, errors, version),
                    service_id: Some(sid),
                    conflict,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- crisis plan --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "crisis_form.html")]
struct CrisisForm {
    base: Base,
    ov: PatientOverview,
    form: FormState,
    conflict: Option<ConflictView>,
}

pub fn crisis_input(form: &FormData) -> CrisisPlanInput {
    CrisisPlanInput {
        warning_signs: form.0.get("warning_signs").cloned(),
        what_helps: form.0.get("what_helps").cloned(),
        contacts: form.0.get("contacts").cloned(),
        reason: form.opt("reason"),
    }
}

pub async fn crisis_edit(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    match async {
        state
            .app
            .patients()
            .overview(&viewer.ctx, parse_patient(&patient)?)
            .await
    }
    .await
    {
        Ok(ov) => {
            let Some(cp) = ov.crisis_plan.clone() else {
                return error_response(&viewer.base, AppError::NotFound);
            };
            viewer.base.title = viewer.base.t("crisis.edit_title");
            let mut form = FormState::default();
            for (k, v) in [
                ("warning_signs", cp.warning_signs),
                ("what_helps", cp.what_helps),
                ("contacts", cp.contacts),
                ("version", cp.version.to_string()),
            ] {
                form.values.insert(k.into(), v);
            }
            render(
                StatusCode::OK,
                &CrisisForm {
                    base: viewer.base,
                    ov,
                    form,
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn crisis_update(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let (errors, conflict, version) = match state
        .app
        .plan()
        .update_crisis_plan(
            &viewer.ctx,
            pid,
            &crisis_input(&form),
            form.version(),
            form.opt("reason").as_deref(),
        )
        .await
    {
        Ok(_) => return to_overview(pid),
        Err(e) => match refusal(
            &viewer.base,
            e,
            &form,
            &[
                ("warning_signs", "crisis.warning_signs"),
                ("what_helps", "crisis.what_helps"),
                ("contacts", "crisis.contacts"),
            ],
        ) {
            Ok(r) => r,
            Err(e) => return error_response(&viewer.base, e),
        },
    };
    match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("crisis.edit_title");
            let status = if conflict.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(
                status,
                &CrisisForm {
                    base: viewer.base,
                    ov,
                    form: continue_from(&form, errors, version),
                    conflict,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- revision date ------------------------------------------------------------------

pub async fn revision_submit(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let loaded = async {
        let pid = parse_patient(&patient)?;
        let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
        Ok::<_, AppError>((pid, ov))
    }
    .await;
    let (pid, shown) = match loaded {
        Ok((pid, ov)) => (pid, overview_values(&ov)),
        Err(e) => return error_response(&viewer.base, e),
    };
    let field = |k: &str| form.get(&format!("revision.{k}")).to_owned();
    let version = field("version").trim().parse().unwrap_or(-1);
    let refusal = match state
        .app
        .plan()
        .set_revision_date(&viewer.ctx, pid, &field("revision_date"), version)
        .await
    {
        Ok(_) => return after_plan_part(&state, viewer, pid, &shown, &form, "revision").await,
        Err(AppError::Validation(errors)) => (errors, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(c)) => {
            let who = c
                .changed_by
                .clone()
                .unwrap_or_else(|| viewer.base.t("conflict.someone"));
            let errors = ValidationErrors::single(
                "revision_date",
                "changed_meanwhile",
                format!("{who} changed the plan meanwhile"),
            );
            (errors, Some(c.current_version), StatusCode::CONFLICT)
        }
        Err(e) => return error_response(&viewer.base, e),
    };
    // Shown again beside the date field, with everything typed on the page kept.
    let (errors, current, status) = refusal;
    match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => {
            let mut again = FormState::keep_typed(&shown, overview_values(&ov), &form, &[]);
            again.keep_part("revision", &form);
            if let Some(v) = current {
                again
                    .values
                    .insert(String::from("revision.version"), v.to_string());
            }
            again.errors = in_part("revision", errors);
            overview_again(&state, viewer, ov, again, status).await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
