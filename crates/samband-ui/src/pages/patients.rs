//! "My patients", registering a patient, the patient overview and the history page.

use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::paging::PageParams;
use samband_app::views::PatientOverview;
use samband_app::views::{CaseloadItem, HistoryItem};
use samband_app::AppError;
use samband_domain::ids::PatientId;
use samband_domain::patient::PatientInput;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "my_patients.html")]
struct MyPatientsPage {
    base: Base,
    rows: Vec<CaseloadItem>,
    /// "N patients": the whole caseload, not the page.
    count: String,
    pager: Pager,
    /// Overdue pathway milestones per patient on this page (those with any).
    pathway_overdue: HashMap<samband_domain::ids::PatientId, usize>,
}

impl MyPatientsPage {
    fn milestones_overdue(&self, p: &samband_domain::ids::PatientId) -> usize {
        self.pathway_overdue.get(p).copied().unwrap_or(0)
    }
}

pub async fn my_patients(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Query(q): Query<PageParams>,
) -> Response {
    if viewer.base.is_patient() {
        return Redirect::to("/me").into_response();
    }
    match state.app.patients().my_patients(&viewer.ctx, &q).await {
        Ok(page) => {
            viewer.base.title = viewer.base.t("patients.title");
            let pager = Pager::new(&page, "/patients", &[], &q);
            let key = if page.total == 1 {
                "patients.count_one"
            } else {
                "patients.count"
            };
            let count = viewer.base.t_with(key, "n", &page.total.to_string());
            let ids: Vec<_> = page.items.iter().map(|r| r.patient.id).collect();
            let pathway_overdue = match state.app.pathways().overdue_counts(&viewer.ctx, &ids).await
            {
                Ok(v) => v.into_iter().collect(),
                Err(e) => return error_response(&viewer.base, e),
            };
            render(
                StatusCode::OK,
                &MyPatientsPage {
                    base: viewer.base,
                    rows: page.items,
                    count,
                    pager,
                    pathway_overdue,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "register_patient.html")]
struct RegisterPage {
    base: Base,
    form: FormState,
}

pub async fn register_page(mut viewer: Viewer) -> Response {
    viewer.base.title = viewer.base.t("register.title");
    let mut form = FormState::default();
    form.values
        .insert("national_id_country".into(), "NO".into());
    form.values
        .insert("preferred_contact".into(), "in_app".into());
    render(
        StatusCode::OK,
        &RegisterPage {
            base: viewer.base,
            form,
        },
    )
}

pub async fn register_submit(
    State(state): State<UiState>,
    mut viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let input = PatientInput {
        name: form.get("name"),
        birth_date: form.get("birth_date"),
        national_id_country: Some(form.get("national_id_country")),
        national_id: Some(form.get("national_id")),
        preferred_contact: form.get("preferred_contact"),
        phone: Some(form.get("phone")),
        email: Some(form.get("email")),
    };
    match state
        .app
        .patients()
        .register(
            &viewer.ctx,
            input,
            form.get("my_role"),
            form.get("my_responsibility"),
        )
        .await
    {
        Ok(id) => Redirect::to(&format!("/patients/{id}")).into_response(),
        Err(AppError::Validation(errors)) => {
            viewer.base.title = viewer.base.t("register.title");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RegisterPage {
                    base: viewer.base,
                    form: FormState::from_form(&form, errors),
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub fn parse_patient(raw: &str) -> Result<PatientId, AppError> {
    super::parse_id(raw)
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    base: Base,
    ov: PatientOverview,
    /// The plan's one form (each action's status, the revision date); see
    /// `FormState::keep_typed`.
    form: FormState,
    /// The patient's pathways, when the reader may see them (not re-read when the page
    /// is shown again after one of the plan's parts was posted).
    pathways: Option<Vec<samband_app::pathways::EnrolmentView>>,
    /// The patient's hand-overs as this reader may see them (`None`: not loaded).
    handovers: Option<Vec<samband_app::handovers::HandoverView>>,
    /// Items waiting for a new owner since someone left without a successor.
    flagged: Vec<uuid::Uuid>,
    /// The patient's open alerts, when the reader may see them (`None`: not loaded or
    /// not permitted — a member without consent for self-reports sees no section).
    alerts: Option<Vec<super::signals::AlertRow>>,
}

impl OverviewPage {
    fn is_flagged(&self, id: uuid::Uuid) -> bool {
        self.flagged.contains(&id)
    }
}

/// Every field of the overview's form as the store gives it.
pub fn overview_values(ov: &PatientOverview) -> HashMap<String, String> {
    let mut m = HashMap::new();
    if ov.can_edit_plan {
        for a in &ov.actions {
            m.insert(format!("a-{}.status", a.id), a.status.as_str().to_owned());
            m.insert(format!("a-{}.version", a.id), a.version.to_string());
        }
        let date = ov.plan.revision_date.map(|d| d.to_string());
        for (k, v) in [
            ("revision_date", date.unwrap_or_default()),
            ("version", ov.plan.version.to_string()),
        ] {
            m.insert(format!("revision.{k}"), v);
        }
    }
    m
}

pub async fn overview(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    let result = async {
        let id = parse_patient(&patient)?;
        state.app.patients().overview(&viewer.ctx, id).await
    }
    .await;
    match result {
        Ok(ov) => {
            if viewer.base.is_patient() {
                return Redirect::to("/me").into_response();
            }
            viewer.base.title = ov.patient.name.clone();
            let form = FormState {
                values: overview_values(&ov),
                ..Default::default()
            };
            let (pathways, handovers, flagged, alerts) =
                match overview_parts(&state, &viewer, &ov).await {
                    Ok(parts) => parts,
                    Err(e) => return error_response(&viewer.base, e),
                };
            render(
                StatusCode::OK,
                &OverviewPage {
                    base: viewer.base,
                    ov,
                    form,
                    pathways,
                    handovers,
                    flagged,
                    alerts,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

type OverviewParts = (
    Option<Vec<samband_app::pathways::EnrolmentView>>,
    Option<Vec<samband_app::handovers::HandoverView>>,
    Vec<uuid::Uuid>,
    Option<Vec<super::signals::AlertRow>>,
);

/// What the overview shows besides the plan itself — the pathways, the hand-overs and
/// the items waiting for a new owner — read the same way whether the page is shown
/// fresh or again after a post, so both are the same page.
async fn overview_parts(
    state: &UiState,
    viewer: &Viewer,
    ov: &PatientOverview,
) -> Result<OverviewParts, AppError> {
    let pathways = state
        .app
        .pathways()
        .enrolments(&viewer.ctx, ov.patient.id)
        .await
        .ok();
    let handovers = state
        .app
        .handovers()
        .list(&viewer.ctx, ov.patient.id)
        .await
        .ok();
    let flagged = if ov.plan_visible {
        state
            .app
            .team()
            .needs_new_owner(&viewer.ctx, ov.patient.id)
            .await?
            .into_iter()
            .map(|f| f.item_id)
            .collect()
    } else {
        Vec::new()
    };
    let alerts = state
        .app
        .signals()
        .for_patient(
            &viewer.ctx,
            ov.patient.id,
            true,
            &samband_app::paging::PageParams::first(),
        )
        .await
        .ok()
        .map(|page| super::signals::rows(&viewer.base, page.items));
    Ok((pathways, handovers, flagged, alerts))
}

/// The overview after one of its parts was posted: kept parts as typed, `errors` at
/// the part that was refused; every other section as on the page shown fresh.
pub async fn overview_again(
    state: &UiState,
    mut viewer: Viewer,
    ov: PatientOverview,
    form: FormState,
    status: StatusCode,
) -> Response {
    let (pathways, handovers, flagged, alerts) = match overview_parts(state, &viewer, &ov).await {
        Ok(parts) => parts,
        Err(e) => return error_response(&viewer.base, e),
    };
    viewer.base.title = ov.patient.name.clone();
    render(
        status,
        &OverviewPage {
            base: viewer.base,
            ov,
            form,
            pathways,
            handovers,
            flagged,
            alerts,
        },
    )
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    object_id: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// One history entry prepared for display: which fields changed, from what to what.
pub struct HistoryRow {
    pub entry: HistoryItem,
    pub changes: Vec<(String, String, String)>,
}

fn show(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) if s.is_empty() => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn diff(old: Option<&serde_json::Value>, new: &serde_json::Value) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let old_map = old.and_then(|o| o.as_object()).unwrap_or(&empty);
    let Some(new_map) = new.as_object() else {
        return Vec::new();
    };
    new_map
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "version" | "id" | "patient_id" | "created_at" | "updated_at"
            )
        })
        .filter(|(k, v)| old_map.get(*k) != Some(*v))
        .map(|(k, v)| {
            let (o, n) = if k == "members" {
                (
                    format!(
                        "{} ",
                        old_map
                            .get(k)
                            .and_then(|m| m.as_array())
                            .map_or(0, Vec::len)
                    ),
                    format!("{} ", v.as_array().map_or(0, Vec::len)),
                )
            } else {
                (show(old_map.get(k)), show(Some(v)))
            };
            (k.clone(), if old.is_none() { String::new() } else { o }, n)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    base: Base,
    patient_id: PatientId,
    patient_name: String,
    rows: Vec<HistoryRow>,
    pager: Pager,
}

pub async fn history(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(patient): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let asked = PageParams {
        cursor: q.cursor.clone(),
        limit: q.limit.clone(),
    };
    let result = async {
        let id = parse_patient(&patient)?;
        let ov = state.app.patients().overview(&viewer.ctx, id).await?;
        let page = state
            .app
            .patients()
            .history(&viewer.ctx, id, q.object_id.as_deref(), &asked)
            .await?;
        Ok::<_, AppError>((id, ov.patient.name, page))
    }
    .await;
    match result {
        Ok((patient_id, patient_name, page)) => {
            viewer.base.title = viewer.base.t("history.title");
            let pager = Pager::new(
                &page,
                &format!("/patients/{patient_id}/history"),
                &[("object_id", q.object_id.as_deref())],
                &asked,
            );
            let rows = page
                .items
                .into_iter()
                .map(|e| HistoryRow {
                    changes: diff(e.old_value.as_ref(), &e.new_value),
                    entry: e,
                })
                .collect();
            render(
                StatusCode::OK,
                &HistoryPage {
                    base: viewer.base,
                    patient_id,
                    patient_name,
                    rows,
                    pager,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[cfg(test)]
mod tests {
    use super::diff;
    use serde_json::json;

    #[test]
    fn history_diff_lists_changed_fields_only() {
        let old = json!({"title": "A", "status": "planned", "version": 1});
        let new = json!({"title": "A", "status": "done", "version": 2});
        assert_eq!(
            diff(Some(&old), &new),
            vec![("status".into(), "planned".into(), "done".into())]
        );
        let created = diff(None, &json!({"title": "New"}));
        assert_eq!(created, vec![("title".into(), String::new(), "New".into())]);
    }
}
