//! Care pathways in the UI: a patient's pathways page (each enrolment, its milestones
//! with window and state, completing one by hand with a note, enrolling on another
//! pathway), and the coordinator's list of overdue and soon-due milestones.
//!
//! The pathways page is one form (see `forms.rs`): the enrol part is `enrol.*`, each
//! open occurrence's completion part `c-<enrolment>-<milestone>-<occurrence>.*`.

use super::patients::parse_patient;
use super::{error_response, parse_id, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, in_part, FormData, FormState};
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::paging::PageParams;
use samband_app::pathways::{DueMilestone, EnrolmentView, TemplateSummary};
use samband_app::AppError;
use samband_domain::ids::{EnrolmentId, PatientId};
use samband_domain::pathway::{EnrolmentInput, ManualCompletionInput, MilestoneState};
use samband_domain::ValidationErrors;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "pathways.html")]
struct PathwaysPage {
    base: Base,
    patient_id: PatientId,
    patient_name: String,
    can_edit: bool,
    enrolments: Vec<EnrolmentView>,
    templates: Vec<TemplateSummary>,
    form: FormState,
}

/// The completion part of one occurrence.
pub fn part(e: &EnrolmentId, milestone: &str, occurrence: u32) -> String {
    format!("c-{e}-{milestone}-{occurrence}")
}

impl PathwaysPage {
    fn part(&self, e: &EnrolmentId, milestone: &str, occurrence: &u32) -> String {
        part(e, milestone, *occurrence)
    }
    fn key(&self, part: &str, field: &str) -> String {
        format!("{part}.{field}")
    }
    fn open(&self, s: &MilestoneState) -> bool {
        matches!(s, MilestoneState::Open | MilestoneState::Overdue)
    }
}

/// Every field of the page as the store gives it.
fn values(enrolments: &[EnrolmentView]) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for k in ["template_key", "anchor_date"] {
        m.insert(format!("enrol.{k}"), String::new());
    }
    for e in enrolments {
        if e.enrolment.ended_on.is_none() {
            let p = format!("end-{}", e.enrolment.id);
            m.insert(format!("{p}.version"), e.enrolment.version.to_string());
            m.insert(format!("{p}.confirm"), String::new());
        }
        for l in &e.milestones {
            if matches!(l.view.state, MilestoneState::Open | MilestoneState::Overdue) {
                let p = part(
                    &e.enrolment.id,
                    &l.view.scheduled.milestone,
                    l.view.scheduled.occurrence,
                );
                m.insert(format!("{p}.note"), String::new());
                m.insert(format!("{p}.version"), e.enrolment.version.to_string());
            }
        }
    }
    m
}

/// Field errors in the reader's language where Samband has the words for them.
fn translated(base: &Base, mut errs: ValidationErrors) -> ValidationErrors {
    for e in &mut errs.errors {
        let key = format!("pathways.error.{}", e.code);
        let t = base.t(&key);
        if t != key {
            e.message = t;
        }
    }
    errs
}

struct Loaded {
    name: String,
    can_edit: bool,
    enrolments: Vec<EnrolmentView>,
    templates: Vec<TemplateSummary>,
}

async fn load(state: &UiState, viewer: &Viewer, pid: PatientId) -> Result<Loaded, AppError> {
    let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
    let enrolments = state.app.pathways().enrolments(&viewer.ctx, pid).await?;
    let templates = state.app.pathways().templates(&viewer.ctx).await?;
    Ok(Loaded {
        name: ov.patient.name,
        can_edit: ov.can_edit_plan,
        enrolments,
        templates,
    })
}

fn page(
    mut base: Base,
    pid: PatientId,
    l: Loaded,
    form: FormState,
    status: StatusCode,
) -> Response {
    base.title = format!("{} – {}", base.t("pathways.title"), l.name);
    render(
        status,
        &PathwaysPage {
            base,
            patient_id: pid,
            patient_name: l.name,
            can_edit: l.can_edit,
            enrolments: l.enrolments,
            templates: l.templates,
            form,
        },
    )
}

pub async fn view(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    if viewer.base.is_patient() {
        return Redirect::to("/me").into_response();
    }
    let loaded = async {
        let pid = parse_patient(&patient)?;
        Ok::<_, AppError>((pid, load(&state, &viewer, pid).await?))
    }
    .await;
    match loaded {
        Ok((pid, l)) => {
            let form = FormState {
                values: values(&l.enrolments),
                ..Default::default()
            };
            page(viewer.base, pid, l, form, StatusCode::OK)
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

fn to_page(pid: PatientId) -> Response {
    see_other(&format!("/patients/{pid}/pathways"))
}

/// After a part was saved or refused: back to the page (See Other) when nothing typed
/// elsewhere would be lost; otherwise the page with what was typed kept, and `errors`
/// at the refused part.
async fn again(
    state: &UiState,
    viewer: Viewer,
    pid: PatientId,
    shown: &HashMap<String, String>,
    posted: &FormData,
    part: &str,
    refused: Option<(ValidationErrors, StatusCode)>,
) -> Response {
    let l = match load(state, &viewer, pid).await {
        Ok(l) => l,
        Err(e) => return error_response(&viewer.base, e),
    };
    let saved: Vec<String> = if refused.is_some() {
        Vec::new()
    } else {
        vec![part.to_owned()]
    };
    let mut form = FormState::keep_typed(shown, values(&l.enrolments), posted, &saved);
    match refused {
        None if form.kept.is_empty() => to_page(pid),
        None => page(viewer.base, pid, l, form, StatusCode::OK),
        Some((errors, status)) => {
            form.keep_part(part, posted);
            form.errors = in_part(part, translated(&viewer.base, errors));
            page(viewer.base, pid, l, form, status)
        }
    }
}

pub async fn enrol(
    State(state): State<UiState>,
    viewer: Viewer,
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
    let shown = match load(&state, &viewer, pid).await {
        Ok(l) => values(&l.enrolments),
        Err(e) => return error_response(&viewer.base, e),
    };
    let field = |k: &str| form.get(&format!("enrol.{k}")).to_owned();
    let input = EnrolmentInput {
        template_key: field("template_key"),
        anchor_date: field("anchor_date"),
    };
    let refused = match state.app.pathways().enrol(&viewer.ctx, pid, &input).await {
        Ok(_) => None,
        Err(AppError::Validation(e)) => Some((e, StatusCode::UNPROCESSABLE_ENTITY)),
        Err(e) => return error_response(&viewer.base, e),
    };
    again(&state, viewer, pid, &shown, &form, "enrol", refused).await
}

/// Ends an enrolment today, once the box is ticked. A collaborative-care episode is
/// refused here, beside its button, until the relapse-prevention plan is agreed.
pub async fn end(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, enrolment)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let ids = parse_patient(&patient).and_then(|p| Ok((p, parse_id::<EnrolmentId>(&enrolment)?)));
    let (pid, eid) = match ids {
        Ok(x) => x,
        Err(e) => return error_response(&viewer.base, e),
    };
    let shown = match load(&state, &viewer, pid).await {
        Ok(l) => values(&l.enrolments),
        Err(e) => return error_response(&viewer.base, e),
    };
    let p = format!("end-{eid}");
    let refused = if form.get(&format!("{p}.confirm")) != "on" {
        Some((
            ValidationErrors::single(
                "confirm",
                "confirm_required",
                "tick the box to confirm; nothing was changed",
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else {
        let version = form
            .get(&format!("{p}.version"))
            .trim()
            .parse()
            .unwrap_or(-1);
        match state
            .app
            .pathways()
            .end_enrolment(&viewer.ctx, pid, eid, version)
            .await
        {
            Ok(_) => None,
            Err(AppError::Validation(e)) => Some((e, StatusCode::UNPROCESSABLE_ENTITY)),
            Err(AppError::Conflict(c)) => {
                let who = c
                    .changed_by
                    .clone()
                    .unwrap_or_else(|| viewer.base.t("conflict.someone"));
                let e = ValidationErrors::single(
                    "confirm",
                    "changed_meanwhile",
                    format!("{who} changed the pathway meanwhile"),
                );
                Some((e, StatusCode::CONFLICT))
            }
            Err(e) => return error_response(&viewer.base, e),
        }
    };
    again(&state, viewer, pid, &shown, &form, &p, refused).await
}

pub async fn complete(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, enrolment)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let ids = parse_patient(&patient).and_then(|p| Ok((p, parse_id::<EnrolmentId>(&enrolment)?)));
    let (pid, eid) = match ids {
        Ok(x) => x,
        Err(e) => return error_response(&viewer.base, e),
    };
    // The pressed button names the occurrence: `<milestone>:<occurrence>`.
    let which = form.get("complete").to_owned();
    let Some((milestone, occurrence)) = which
        .rsplit_once(':')
        .and_then(|(m, o)| Some((m.to_owned(), o.parse::<u32>().ok()?)))
    else {
        return error_response(&viewer.base, AppError::NotFound);
    };
    let shown = match load(&state, &viewer, pid).await {
        Ok(l) => values(&l.enrolments),
        Err(e) => return error_response(&viewer.base, e),
    };
    let p = part(&eid, &milestone, occurrence);
    let input = ManualCompletionInput {
        milestone: milestone.clone(),
        occurrence: Some(occurrence),
        note: form.get(&format!("{p}.note")).into(),
        on: String::new(),
    };
    let version = form
        .get(&format!("{p}.version"))
        .trim()
        .parse()
        .unwrap_or(-1);
    let refused = match state
        .app
        .pathways()
        .complete_by_hand(&viewer.ctx, pid, eid, &input, version)
        .await
    {
        Ok(_) => None,
        Err(AppError::Validation(e)) => {
            // The milestone itself is named by the button: its errors belong by the note.
            let mut e = e;
            for f in &mut e.errors {
                if f.field == "milestone" {
                    f.field = "note".into();
                }
            }
            Some((e, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(AppError::Conflict(c)) => {
            let who = c
                .changed_by
                .clone()
                .unwrap_or_else(|| viewer.base.t("conflict.someone"));
            let e = ValidationErrors::single(
                "note",
                "changed_meanwhile",
                format!("{who} changed the pathway meanwhile"),
            );
            Some((e, StatusCode::CONFLICT))
        }
        Err(e) => return error_response(&viewer.base, e),
    };
    again(&state, viewer, pid, &shown, &form, &p, refused).await
}

// ---- the coordinator's list ----------------------------------------------------------

#[derive(Template)]
#[template(path = "coordinator_milestones.html")]
struct CoordinatorPage {
    base: Base,
    rows: Vec<DueMilestone>,
    pager: Pager,
}

pub async fn coordinator_list(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Query(q): Query<PageParams>,
) -> Response {
    if viewer.base.is_patient() {
        return Redirect::to("/me").into_response();
    }
    match state.app.pathways().coordinator_list(&viewer.ctx, &q).await {
        Ok(p) => {
            viewer.base.title = viewer.base.t("pathways.coordinator_title");
            let pager = Pager::new(&p, "/pathways/due", &[], &q);
            render(
                StatusCode::OK,
                &CoordinatorPage {
                    base: viewer.base,
                    rows: p.items,
                    pager,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- the needs-mapping conversation ------------------------------------------------

/// Need rows the form offers (empty rows are skipped).
pub const NEED_ROWS: usize = 4;

#[derive(Template)]
#[template(path = "needs_mapping.html")]
struct NeedsPage {
    base: Base,
    patient_id: PatientId,
    patient_name: String,
    /// Active professionals on the team: (member id, name and role).
    owners: Vec<(String, String)>,
    form: FormState,
}

impl NeedsPage {
    fn rows(&self) -> Vec<usize> {
        (0..NEED_ROWS).collect()
    }
    fn k(&self, i: &usize, field: &str) -> String {
        format!("need{i}.{field}")
    }
    fn topics(&self) -> Vec<&'static str> {
        samband_domain::pathway::needs::NeedsTopic::ALL
            .iter()
            .map(|t| t.as_str())
            .collect()
    }
    fn points(&self) -> Vec<&'static str> {
        samband_domain::pathway::needs::MappingPoint::ALL
            .iter()
            .map(|t| t.as_str())
            .collect()
    }
}

async fn needs_page(
    state: &UiState,
    mut viewer: Viewer,
    pid: PatientId,
    form: FormState,
    status: StatusCode,
) -> Response {
    let ov = match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => ov,
        Err(e) => return error_response(&viewer.base, e),
    };
    if !ov.can_edit_plan {
        return error_response(&viewer.base, AppError::Forbidden);
    }
    let owners = ov
        .members
        .iter()
        .filter(|m| m.active && m.member.kind == samband_domain::team::MemberKind::Professional)
        .map(|m| {
            (
                m.member.id.to_string(),
                format!("{} ({})", m.display_name, m.member.role),
            )
        })
        .collect();
    viewer.base.title = viewer.base.t("pathways.needs_title");
    render(
        status,
        &NeedsPage {
            base: viewer.base,
            patient_id: pid,
            patient_name: ov.patient.name,
            owners,
            form,
        },
    )
}

pub async fn needs_form(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let mut form = FormState::default();
    form.values
        .insert("held_on".into(), state.app.today().to_string());
    needs_page(&state, viewer, pid, form, StatusCode::OK).await
}

pub async fn needs_submit(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    use samband_domain::pathway::needs::{NeedInput, NeedsMappingInput};
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let mut errs = ValidationErrors::new();
    let mut date = |field: &str| -> Option<chrono::NaiveDate> {
        let raw = form.get(field).trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                errs.add(field, "bad_date", "not a date (YYYY-MM-DD)");
                None
            }
        }
    };
    let held_on = date("held_on");
    // The rows typed in, with the row each came from (errors are named by row).
    let mut rows = Vec::new();
    let mut needs = Vec::new();
    for i in 0..NEED_ROWS {
        let f = |k: &str| form.get(&format!("need{i}.{k}")).trim().to_owned();
        if f("topic").is_empty() && f("description").is_empty() {
            continue;
        }
        let due = date(&format!("need{i}.due"));
        rows.push(i);
        needs.push(NeedInput {
            topic: f("topic"),
            description: f("description"),
            owner: f("owner").parse().ok(),
            due,
        });
    }
    let input = NeedsMappingInput {
        point: form.get("point").into(),
        held_on,
        declined: form.get("declined") == "on",
        needs,
        notes: form.opt("notes"),
    };
    let typed_errs = errs;
    let result = if typed_errs.is_empty() {
        state
            .app
            .pathways()
            .record_needs_mapping(&viewer.ctx, pid, &input)
            .await
            .map(|_| ())
    } else {
        Err(AppError::Validation(typed_errs))
    };
    match result {
        Ok(()) => to_page(pid),
        Err(AppError::Validation(mut e)) => {
            for f in &mut e.errors {
                if let Some(rest) = f.field.strip_prefix("needs[") {
                    if let Some((k, tail)) = rest.split_once("].") {
                        if let Some(orig) = k.parse::<usize>().ok().and_then(|k| rows.get(k)) {
                            f.field = format!("need{orig}.{tail}");
                        }
                    }
                }
            }
            let mut state_ = FormState::from_form(&form, translated(&viewer.base, e));
            state_.kept.clear();
            needs_page(
                &state,
                viewer,
                pid,
                state_,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- template administration --------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_pathways.html")]
struct AdminTemplatesPage {
    base: Base,
    templates: Vec<TemplateSummary>,
    form: FormState,
}

#[derive(serde::Deserialize)]
pub struct CloneQuery {
    from: Option<String>,
}

async fn admin_page(
    state: &UiState,
    mut viewer: Viewer,
    form: FormState,
    status: StatusCode,
) -> Response {
    let templates = match state.app.pathways().templates(&viewer.ctx).await {
        Ok(t) => t,
        Err(e) => return error_response(&viewer.base, e),
    };
    viewer.base.title = viewer.base.t("pathways.admin_title");
    render(
        status,
        &AdminTemplatesPage {
            base: viewer.base,
            templates,
            form,
        },
    )
}

/// The list, and with `?from=<key>` that template's TOML to edit; a shipped one is
/// offered under a key of its own (`<key>_local`) so the clone does not clash.
pub async fn admin_templates(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(q): Query<CloneQuery>,
) -> Response {
    let mut form = FormState::default();
    if let Some(key) = q.from.as_deref().filter(|k| !k.is_empty()) {
        let source = match state.app.pathways().template_source(&viewer.ctx, key).await {
            Ok(s) => s,
            Err(e) => return error_response(&viewer.base, e),
        };
        let shipped = samband_domain::pathway::catalogue::SHIPPED
            .iter()
            .any(|(f, _)| f.trim_end_matches(".toml") == key);
        let source = if shipped {
            source.replacen(
                &format!("key = \"{key}\""),
                &format!("key = \"{key}_local\""),
                1,
            )
        } else {
            source
        };
        form.values.insert("source".into(), source);
    } else if !viewer.base.is_admin() {
        // The page is for administrators (the use cases refuse anyone else too).
        return error_response(&viewer.base, AppError::Forbidden);
    }
    admin_page(&state, viewer, form, StatusCode::OK).await
}

pub async fn admin_save_template(
    State(state): State<UiState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    match state
        .app
        .pathways()
        .save_template(&viewer.ctx, form.get("source"))
        .await
    {
        Ok(_) => see_other("/admin/pathways"),
        Err(AppError::Validation(e)) => {
            let e = translated(&viewer.base, e);
            admin_page(
                &state,
                viewer,
                FormState::from_form(&form, e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
