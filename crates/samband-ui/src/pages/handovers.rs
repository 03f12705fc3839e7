//! Structured hand-overs: the form (field errors at their fields, what was typed
//! kept), the view with the receiver's acknowledge button, and the print view. What
//! each section shows is decided by the policy in the use case; the templates only
//! show what they are given (a withheld section is named, never filled in).
//!
//! Printing: a print stylesheet (`@media print` in `app.css`) rather than a generated
//! PDF — the browser's own "Save as PDF" gives a clean page with no new dependency.

use super::patients::parse_patient;
use super::{error_response, parse_id, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use samband_app::handovers::HandoverView;
use samband_app::views::{MemberView, PatientOverview};
use samband_app::AppError;
use samband_domain::handover::{FollowUpInput, HandoverInput};
use samband_domain::ids::*;
use samband_domain::team::MemberKind;
use samband_domain::ValidationErrors;

/// Follow-up rows the form shows at least (one more than are filled, when more).
const MIN_ROWS: usize = 3;

/// One follow-up row's field names.
pub struct Row {
    pub description: String,
    pub owner: String,
    pub due: String,
}

impl Row {
    fn at(i: usize) -> Self {
        Row {
            description: format!("follow_up[{i}].description"),
            owner: format!("follow_up[{i}].owner"),
            due: format!("follow_up[{i}].due"),
        }
    }
}

#[derive(Template)]
#[template(path = "handover_form.html")]
struct HandoverForm {
    base: Base,
    ov: PatientOverview,
    form: FormState,
    rows: Vec<Row>,
    handover: Option<HandoverId>,
}

impl HandoverForm {
    /// Active professionals, who may receive a hand-over or own an item.
    fn professionals(&self) -> Vec<&MemberView> {
        self.ov
            .members
            .iter()
            .filter(|m| m.active && m.member.kind == MemberKind::Professional)
            .collect()
    }
}

#[derive(Template)]
#[template(path = "handover.html")]
struct HandoverPage {
    base: Base,
    patient: PatientId,
    patient_name: String,
    h: HandoverView,
    form: FormState,
    print: bool,
}

impl HandoverPage {
    fn withheld(&self, s: &str) -> bool {
        self.h.withheld.iter().any(|w| w.as_str() == s)
    }

    /// A text section's content as the use case gave it (empty when there is none).
    fn text(&self, s: &str) -> String {
        let v = match s {
            "warning_signs" => &self.h.warning_signs,
            "work_capacity" => &self.h.work_capacity,
            "responsibilities" => &self.h.responsibilities,
            "patient_summary" => &self.h.patient_summary,
            _ => &None,
        };
        v.clone().unwrap_or_default()
    }

    fn text_or_dash(&self, s: &str) -> String {
        let t = self.text(s);
        if t.is_empty() {
            "—".into()
        } else {
            t
        }
    }
}

/// How many follow-up rows to show for what the form holds.
fn rows_for(form: &FormState) -> Vec<Row> {
    let filled = (0..50)
        .filter(|i| {
            let r = Row::at(*i);
            [r.description, r.owner, r.due]
                .iter()
                .any(|k| !form.val(k).trim().is_empty())
        })
        .max()
        .map(|i| i + 2)
        .unwrap_or(0);
    (0..filled.max(MIN_ROWS)).map(Row::at).collect()
}

/// The form as the domain takes it, and for each item sent the row it came from (rows
/// left blank are not items), so errors come back to the row that was typed.
fn handover_input(form: &FormData) -> (HandoverInput, Vec<usize>, ValidationErrors) {
    let opt = |k: &str| form.opt(k);
    let mut bad = ValidationErrors::new();
    let mut member = |k: &str| -> Option<MemberId> {
        let v = form.get(k).trim();
        if v.is_empty() {
            return None;
        }
        match v.parse() {
            Ok(m) => Some(m),
            Err(_) => {
                bad.add(k, "bad_choice", "choose one of the listed options");
                None
            }
        }
    };
    let receiver = member("receiver");
    let mut follow_up = Vec::new();
    let mut from_row = Vec::new();
    for i in 0..50 {
        let r = Row::at(i);
        let (d, o, u) = (
            form.get(&r.description),
            form.get(&r.owner),
            form.get(&r.due),
        );
        if d.trim().is_empty() && o.trim().is_empty() && u.trim().is_empty() {
            continue;
        }
        follow_up.push(FollowUpInput {
            description: d.to_owned(),
            owner: member(&r.owner),
            due: u.to_owned(),
        });
        from_row.push(i);
    }
    let input = HandoverInput {
        receiver,
        urgency: form.get("urgency").to_owned(),
        done_and_found: form.get("done_and_found").to_owned(),
        medication: opt("medication"),
        medication_plan: opt("medication_plan"),
        follow_up,
        warning_signs: opt("warning_signs"),
        work_capacity: opt("work_capacity"),
        responsibilities: opt("responsibilities"),
        patient_summary: form.get("patient_summary").to_owned(),
    };
    (input, from_row, bad)
}

/// Puts an item's errors back on the row it was typed in.
fn to_rows(e: ValidationErrors, from_row: &[usize]) -> ValidationErrors {
    let mut out = ValidationErrors::new();
    for f in e.errors {
        let field = match f
            .field
            .strip_prefix("follow_up[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(n, tail)| Some((n.parse::<usize>().ok()?, tail)))
        {
            Some((n, tail)) => match from_row.get(n) {
                Some(row) => format!("follow_up[{row}]{tail}"),
                None => f.field.clone(),
            },
            None => f.field.clone(),
        };
        out.add(&field, f.code, f.message);
    }
    out
}

/// The form's values for an existing draft.
fn values_of(h: &HandoverView) -> FormState {
    let mut f = FormState::default();
    let mut set = |k: &str, v: Option<&str>| {
        f.values
            .insert(k.to_owned(), v.unwrap_or_default().to_owned());
    };
    set("receiver", Some(&h.receiver.to_string()));
    set("urgency", Some(h.urgency.as_str()));
    set("done_and_found", h.done_and_found.as_deref());
    set("medication", h.medication.as_deref());
    set("medication_plan", h.medication_plan.as_deref());
    set("warning_signs", h.warning_signs.as_deref());
    set("work_capacity", h.work_capacity.as_deref());
    set("responsibilities", h.responsibilities.as_deref());
    set("patient_summary", h.patient_summary.as_deref());
    set("version", Some(&h.version.to_string()));
    for (i, item) in h.follow_up.iter().flatten().enumerate() {
        let r = Row::at(i);
        f.values.insert(r.description, item.description.clone());
        f.values.insert(r.owner, item.owner.to_string());
        f.values.insert(r.due, item.due.to_string());
    }
    f
}

fn form_page(
    mut base: Base,
    ov: PatientOverview,
    form: FormState,
    handover: Option<HandoverId>,
    status: StatusCode,
) -> Response {
    base.title = base.t(if handover.is_some() {
        "handover.edit_title"
    } else {
        "handover.new_title"
    });
    let rows = rows_for(&form);
    render(
        status,
        &HandoverForm {
            base,
            ov,
            form,
            rows,
            handover,
        },
    )
}

pub async fn new_form(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    let ov = async {
        state
            .app
            .patients()
            .overview(&viewer.ctx, parse_patient(&patient)?)
            .await
    }
    .await;
    match ov {
        Ok(ov) => form_page(viewer.base, ov, FormState::default(), None, StatusCode::OK),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// Shared by create and update: a refusal of the input re-renders the form with the
/// errors at their fields and the text as typed; a stale version shows the current
/// version to continue from (the typed text kept).
async fn save(
    state: &UiState,
    viewer: Viewer,
    patient: &str,
    handover: Option<&str>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let pid = match parse_patient(patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let hid = match handover.map(parse_id::<HandoverId>).transpose() {
        Ok(h) => h,
        Err(e) => return error_response(&viewer.base, e),
    };
    let (input, from_row, bad) = handover_input(&form);
    let result = if !bad.is_empty() {
        Err(AppError::Validation(bad))
    } else {
        let app = state.app.handovers();
        match hid {
            None => app.draft(&viewer.ctx, pid, &input).await,
            Some(id) => {
                app.update(&viewer.ctx, pid, id, &input, form.version())
                    .await
            }
        }
    };
    let (errors, version) = match result {
        Ok(v) => return see_other(&format!("/patients/{pid}/handovers/{}", v.id)),
        Err(AppError::Validation(e)) => (to_rows(e, &from_row), None),
        Err(AppError::Conflict(c)) => {
            let mut e = ValidationErrors::new();
            e.add(
                "version",
                "handover_changed",
                "someone changed this meanwhile; check and save again",
            );
            (e, Some(c.current_version))
        }
        Err(e) => return error_response(&viewer.base, e),
    };
    match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => {
            let mut state = FormState::from_form(&form, errors);
            if let Some(v) = version {
                state.values.insert("version".into(), v.to_string());
            }
            let status = if version.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            form_page(viewer.base, ov, state, hid, status)
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn create(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    save(&state, viewer, &patient, None, form).await
}

pub async fn edit_form(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, handover)): Path<(String, String)>,
) -> Response {
    let result = async {
        let pid = parse_patient(&patient)?;
        let id = parse_id::<HandoverId>(&handover)?;
        let h = state.app.handovers().get(&viewer.ctx, pid, id).await?;
        if !h.may_edit {
            return Err(AppError::Forbidden);
        }
        let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
        Ok((h, ov))
    }
    .await;
    match result {
        Ok((h, ov)) => form_page(viewer.base, ov, values_of(&h), Some(h.id), StatusCode::OK),
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn update(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, handover)): Path<(String, String)>,
    form: FormData,
) -> Response {
    save(&state, viewer, &patient, Some(&handover), form).await
}

async fn show(
    state: &UiState,
    mut viewer: Viewer,
    patient: &str,
    handover: &str,
    form: FormState,
    status: StatusCode,
    print: bool,
) -> Response {
    let result = async {
        let pid = parse_patient(patient)?;
        let id = parse_id::<HandoverId>(handover)?;
        let h = state.app.handovers().get(&viewer.ctx, pid, id).await?;
        let name = state
            .app
            .patients()
            .overview(&viewer.ctx, pid)
            .await?
            .patient
            .name;
        Ok::<_, AppError>((pid, h, name))
    }
    .await;
    match result {
        Ok((patient, h, patient_name)) => {
            viewer.base.title = viewer.base.t("handover.title");
            render(
                status,
                &HandoverPage {
                    base: viewer.base,
                    patient,
                    patient_name,
                    h,
                    form,
                    print,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn view(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, handover)): Path<(String, String)>,
) -> Response {
    show(
        &state,
        viewer,
        &patient,
        &handover,
        FormState::default(),
        StatusCode::OK,
        false,
    )
    .await
}

pub async fn print(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, handover)): Path<(String, String)>,
) -> Response {
    show(
        &state,
        viewer,
        &patient,
        &handover,
        FormState::default(),
        StatusCode::OK,
        true,
    )
    .await
}

/// Send or acknowledge, from the view page, at the version it showed.
async fn step(
    state: &UiState,
    viewer: Viewer,
    patient: &str,
    handover: &str,
    form: FormData,
    acknowledge: bool,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let ids = parse_patient(patient).and_then(|p| Ok((p, parse_id::<HandoverId>(handover)?)));
    let (pid, id) = match ids {
        Ok(x) => x,
        Err(e) => return error_response(&viewer.base, e),
    };
    let app = state.app.handovers();
    let result = if acknowledge {
        app.acknowledge(&viewer.ctx, pid, id, form.version()).await
    } else {
        app.send(&viewer.ctx, pid, id, form.version()).await
    };
    let (errors, status) = match result {
        Ok(_) => return see_other(&format!("/patients/{pid}/handovers/{id}")),
        Err(AppError::Validation(e)) => (e, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(_)) => (
            ValidationErrors::single(
                "version",
                "handover_changed",
                "someone changed this meanwhile; check and try again",
            ),
            StatusCode::CONFLICT,
        ),
        Err(e) => return error_response(&viewer.base, e),
    };
    let form = FormState::from_form(&form, errors);
    show(state, viewer, patient, handover, form, status, false).await
}

pub async fn send(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, handover)): Path<(String, String)>,
    form: FormData,
) -> Response {
    step(&state, viewer, &patient, &handover, form, false).await
}

pub async fn acknowledge(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, handover)): Path<(String, String)>,
    form: FormData,
) -> Response {
    step(&state, viewer, &patient, &handover, form, true).await
}
