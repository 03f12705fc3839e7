//! The relapse-prevention plan's pages: the team's form (every part, and the
//! agreement) beside the crisis plan, and the patient's own page on `/me`, where they
//! write their words and see the team's part. Rows are named by the domain's own
//! paths (`signs[2].words`), so a refused save puts each error beside its row.

use super::patient_portal::own_patient;
use super::patients::parse_patient;
use super::plan::{refusal, ConflictView};
use super::{error_response, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use samband_app::views::PatientOverview;
use samband_app::AppError;
use samband_domain::ids::PatientId;
use samband_domain::relapse::{RelapsePlan, RelapsePlanInput, WarningSignInput, MAX_SIGNS};

/// Empty rows offered under the written ones, for new signs.
const BLANK_ROWS: usize = 2;

/// The team's part of a sign, shown read-only to the patient.
pub struct TeamPart {
    pub action: String,
    pub who: String,
}

#[derive(Template)]
#[template(path = "relapse_form.html")]
struct TeamPage {
    base: Base,
    ov: PatientOverview,
    plan: RelapsePlan,
    rows: Vec<usize>,
    form: FormState,
    conflict: Option<ConflictView>,
}

#[derive(Template)]
#[template(path = "me_relapse.html")]
struct PatientPage {
    base: Base,
    ov: PatientOverview,
    plan: RelapsePlan,
    rows: Vec<usize>,
    /// Per row, the team's part as stored (none for a new row).
    team: Vec<Option<TeamPart>>,
    form: FormState,
    conflict: Option<ConflictView>,
}

fn row_key(i: usize, part: &str) -> String {
    format!("signs[{i}].{part}")
}

/// How many rows the posted form carries.
fn posted_rows(form: &FormData) -> usize {
    (0..MAX_SIGNS + BLANK_ROWS + 1)
        .take_while(|i| form.0.contains_key(&row_key(*i, "words")))
        .count()
}

fn plan_values(plan: &RelapsePlan) -> FormState {
    let mut form = FormState::default();
    for (i, s) in plan.signs.iter().enumerate() {
        form.values.insert(row_key(i, "words"), s.words.clone());
        form.values.insert(row_key(i, "action"), s.action.clone());
        if let Some(m) = s.who_member_id {
            form.values
                .insert(row_key(i, "who_member_id"), m.to_string());
        }
    }
    form.values
        .insert("what_helps".into(), plan.what_helps.clone());
    form.values.insert("contacts".into(), plan.contacts.clone());
    form.values
        .insert("status".into(), plan.status.as_str().into());
    form.values
        .insert("version".into(), plan.version.to_string());
    form
}

fn team_part(ov: &PatientOverview, plan: &RelapsePlan, i: usize) -> Option<TeamPart> {
    plan.signs
        .get(i)
        .filter(|s| !s.action.is_empty())
        .map(|s| TeamPart {
            action: s.action.clone(),
            who: ov.member_name(&s.who_member_id),
        })
}

fn rows(n: usize) -> Vec<usize> {
    (0..n.min(MAX_SIGNS + BLANK_ROWS)).collect()
}

fn fields() -> [(&'static str, &'static str); 2] {
    [
        ("what_helps", "relapse.what_helps"),
        ("contacts", "relapse.contacts"),
    ]
}

async fn load(
    state: &UiState,
    viewer: &Viewer,
    pid: PatientId,
) -> Result<(PatientOverview, RelapsePlan), AppError> {
    let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
    // Withheld with the crisis plan (the same category): not found, as elsewhere.
    let plan = ov.relapse_plan.clone().ok_or(AppError::NotFound)?;
    Ok((ov, plan))
}

// ---- the team's form ------------------------------------------------------------------

pub async fn edit(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    let loaded = match parse_patient(&patient) {
        Ok(pid) => load(&state, &viewer, pid).await,
        Err(e) => Err(e),
    };
    match loaded {
        Ok((ov, plan)) => {
            viewer.base.title = viewer.base.t("relapse.title");
            let form = plan_values(&plan);
            let rows = rows(plan.signs.len() + BLANK_ROWS);
            render(
                StatusCode::OK,
                &TeamPage {
                    base: viewer.base,
                    ov,
                    plan,
                    rows,
                    form,
                    conflict: None,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

fn team_input(form: &FormData) -> RelapsePlanInput {
    let signs = (0..posted_rows(form))
        .map(|i| WarningSignInput {
            words: form.get(&row_key(i, "words")).into(),
            action: form.0.get(&row_key(i, "action")).cloned(),
            who_member_id: form.get(&row_key(i, "who_member_id")).parse().ok(),
        })
        .collect();
    RelapsePlanInput {
        reason: form.opt("reason"),
        signs: Some(signs),
        what_helps: form.0.get("what_helps").cloned(),
        contacts: form.0.get("contacts").cloned(),
        status: form.opt("status"),
    }
}

pub async fn update(
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
    let input = team_input(&form);
    let saved = state
        .app
        .plan()
        .update_relapse_plan(
            &viewer.ctx,
            pid,
            &input,
            form.version(),
            form.opt("reason").as_deref(),
        )
        .await;
    let (errors, conflict, version) = match saved {
        Ok(_) => return see_other(&format!("/patients/{pid}#relapse-h")),
        Err(e) => match refusal(&viewer.base, e, &form, &fields()) {
            Ok(r) => r,
            Err(e) => return error_response(&viewer.base, e),
        },
    };
    match load(&state, &viewer, pid).await {
        Ok((ov, plan)) => {
            viewer.base.title = viewer.base.t("relapse.title");
            let status = if conflict.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut kept = FormState::from_form(&form, errors);
            kept.values.insert("version".into(), version.to_string());
            let rows = rows(posted_rows(&form).max(plan.signs.len() + BLANK_ROWS));
            render(
                status,
                &TeamPage {
                    base: viewer.base,
                    ov,
                    plan,
                    rows,
                    form: kept,
                    conflict,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- the patient's page -----------------------------------------------------------------

fn patient_page(
    base: Base,
    ov: PatientOverview,
    plan: RelapsePlan,
    n_rows: usize,
    form: FormState,
    conflict: Option<ConflictView>,
) -> PatientPage {
    let rows = rows(n_rows);
    let team = rows.iter().map(|i| team_part(&ov, &plan, *i)).collect();
    PatientPage {
        base,
        ov,
        plan,
        rows,
        team,
        form,
        conflict,
    }
}

pub async fn mine(State(state): State<UiState>, mut viewer: Viewer) -> Response {
    let loaded = match own_patient(&viewer) {
        Ok(pid) => load(&state, &viewer, pid).await,
        Err(e) => Err(e),
    };
    match loaded {
        Ok((ov, plan)) => {
            viewer.base.title = viewer.base.t("relapse.me_title");
            let form = plan_values(&plan);
            let n = plan.signs.len() + BLANK_ROWS;
            render(
                StatusCode::OK,
                &patient_page(viewer.base, ov, plan, n, form, None),
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// The patient's form carries only their words; the team's part of each row is taken
/// from the plan as it was shown, so what the patient sends changes nothing else (the
/// policy refuses anything that does).
fn patient_input(form: &FormData, shown: &RelapsePlan) -> RelapsePlanInput {
    let signs = (0..posted_rows(form))
        .map(|i| {
            let team = shown.signs.get(i);
            WarningSignInput {
                words: form.get(&row_key(i, "words")).into(),
                action: team.map(|s| s.action.clone()),
                who_member_id: team.and_then(|s| s.who_member_id),
            }
        })
        .collect();
    RelapsePlanInput {
        reason: None,
        signs: Some(signs),
        what_helps: form.0.get("what_helps").cloned(),
        contacts: None,
        status: None,
    }
}

pub async fn mine_submit(
    State(state): State<UiState>,
    mut viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let pid = match own_patient(&viewer) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let shown = match load(&state, &viewer, pid).await {
        Ok((_, plan)) => plan,
        Err(e) => return error_response(&viewer.base, e),
    };
    let input = patient_input(&form, &shown);
    let saved = state
        .app
        .plan()
        .update_relapse_plan(&viewer.ctx, pid, &input, form.version(), None)
        .await;
    let (errors, conflict, version) = match saved {
        Ok(_) => return see_other("/me/relapse-plan"),
        Err(e) => match refusal(&viewer.base, e, &form, &fields()) {
            Ok(r) => r,
            Err(e) => return error_response(&viewer.base, e),
        },
    };
    match load(&state, &viewer, pid).await {
        Ok((ov, plan)) => {
            viewer.base.title = viewer.base.t("relapse.me_title");
            let status = if conflict.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut kept = FormState::from_form(&form, errors);
            kept.values.insert("version".into(), version.to_string());
            let n = posted_rows(&form).max(plan.signs.len() + BLANK_ROWS);
            render(
                status,
                &patient_page(viewer.base, ov, plan, n, kept, conflict),
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
