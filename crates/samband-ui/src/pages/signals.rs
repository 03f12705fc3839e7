//! Alerts for the team (my open alerts, one alert with its history and the
//! acknowledge form) and a professional's own absences with their deputy.

use super::{error_response, parse_id, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use samband_app::paging::PageParams;
use samband_app::signals::{AlertItem, AlertView};
use samband_app::AppError;
use samband_domain::absence::{Absence, AbsenceInput};
use samband_domain::ids::*;
use samband_domain::principal::Subject;
use samband_domain::professional::Professional;
use samband_domain::signal::{AckInput, Outcome, Reason};

/// Why an alert was raised, in the reader's words.
pub fn reason_text(base: &Base, r: &Reason) -> String {
    let key = format!("signals.reason_{}", r.code());
    match r {
        Reason::Item9 { score } => base.t_with(&key, "score", &score.to_string()),
        Reason::PatientCrisis => base.t(&key),
        Reason::ScoreRise { from, to } => base.t_args(
            &key,
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
        Reason::BandRise { from, to } => base.t_args(
            &key,
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
        Reason::WarningSign { sign } => base.t_with(&key, "sign", sign),
        Reason::MissedCheckIns { count } => base.t_with(&key, "count", &count.to_string()),
        Reason::NoAnswer { days } => base.t_with(&key, "days", &days.to_string()),
    }
}

/// One alert line as a list shows it.
pub struct AlertRow {
    pub item: AlertItem,
    pub reason: String,
}

pub fn rows(base: &Base, items: Vec<AlertItem>) -> Vec<AlertRow> {
    items
        .into_iter()
        .map(|item| AlertRow {
            reason: reason_text(base, &item.alert.reason),
            item,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    base: Base,
    rows: Vec<AlertRow>,
    pager: Pager,
}

pub async fn my_alerts(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Query(asked): Query<PageParams>,
) -> Response {
    match state.app.signals().mine(&viewer.ctx, true, &asked).await {
        Ok(page) => {
            viewer.base.title = viewer.base.t("signals.my_alerts_title");
            let pager = Pager::new(&page, "/alerts", &[], &asked);
            let rows = rows(&viewer.base, page.items);
            render(
                StatusCode::OK,
                &AlertsPage {
                    base: viewer.base,
                    rows,
                    pager,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "alert.html")]
struct AlertPage {
    base: Base,
    v: AlertView,
    reason: String,
    form: FormState,
    outcomes: &'static [Outcome],
}

fn alert_page(mut base: Base, v: AlertView, form: FormState, status: StatusCode) -> Response {
    base.title = base.t("signals.alerts_title");
    let reason = reason_text(&base, &v.alert.reason);
    render(
        status,
        &AlertPage {
            base,
            v,
            reason,
            form,
            outcomes: Outcome::ALL,
        },
    )
}

fn ids(patient: &str, alert: &str) -> Result<(PatientId, AlertId), AppError> {
    Ok((parse_id(patient)?, parse_id(alert)?))
}

pub async fn view(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, alert)): Path<(String, String)>,
) -> Response {
    let result = async {
        let (p, a) = ids(&patient, &alert)?;
        state.app.signals().get(&viewer.ctx, p, a).await
    }
    .await;
    match result {
        Ok(v) => {
            let mut form = FormState::default();
            form.values
                .insert("version".into(), v.alert.version.to_string());
            alert_page(viewer.base, v, form, StatusCode::OK)
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// Acknowledge: the outcome is required and "no action" needs a reason; a refusal
/// shows the form again with what was typed and the error beside its field.
pub async fn acknowledge(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, alert)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let (p, a) = match ids(&patient, &alert) {
        Ok(x) => x,
        Err(e) => return error_response(&viewer.base, e),
    };
    let input = AckInput {
        outcome: form.get("outcome").to_owned(),
        reason: form.opt("reason"),
    };
    let (errors, status) = match state
        .app
        .signals()
        .acknowledge(&viewer.ctx, p, a, &input, form.version())
        .await
    {
        Ok(_) => return see_other(&format!("/patients/{p}/alerts/{a}")),
        Err(AppError::Validation(v)) => (v, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(_)) => (
            samband_domain::ValidationErrors::single(
                "outcome",
                "stale",
                "someone changed this alert meanwhile; check it and try again",
            ),
            StatusCode::CONFLICT,
        ),
        Err(e) => return error_response(&viewer.base, e),
    };
    match state.app.signals().get(&viewer.ctx, p, a).await {
        Ok(v) => {
            let mut shown = FormState::from_form(&form, errors);
            shown
                .values
                .insert("version".into(), v.alert.version.to_string());
            alert_page(viewer.base, v, shown, status)
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "absences.html")]
struct AbsencesPage {
    base: Base,
    absences: Vec<Absence>,
    colleagues: Vec<Professional>,
    form: FormState,
}

impl AbsencesPage {
    fn name_of(&self, p: &ProfessionalId) -> String {
        self.colleagues
            .iter()
            .find(|c| c.id == *p)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
}

fn me(viewer: &Viewer) -> Result<ProfessionalId, AppError> {
    match viewer.ctx.principal.subject {
        Subject::Professional(p) => Ok(p),
        _ => Err(AppError::Forbidden),
    }
}

async fn absences_page(
    state: &UiState,
    viewer: Viewer,
    form: FormState,
    status: StatusCode,
) -> Response {
    let result = async {
        let who = me(&viewer)?;
        let absences = state.app.directory().absences(&viewer.ctx, who).await?;
        let colleagues = state
            .app
            .directory()
            .list_professionals(&viewer.ctx)
            .await?;
        Ok::<_, AppError>((absences, colleagues, who))
    }
    .await;
    match result {
        Ok((absences, colleagues, who)) => {
            let mut base = viewer.base;
            base.title = base.t("signals.absences_title");
            let colleagues = colleagues.into_iter().filter(|c| c.id != who).collect();
            render(
                status,
                &AbsencesPage {
                    base,
                    absences,
                    colleagues,
                    form,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn absences(State(state): State<UiState>, viewer: Viewer) -> Response {
    absences_page(&state, viewer, FormState::default(), StatusCode::OK).await
}

pub async fn absence_add(State(state): State<UiState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let who = match me(&viewer) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let deputy = form.opt("deputy").and_then(|d| d.parse().ok());
    let input = AbsenceInput {
        from: form.get("from").to_owned(),
        to: form.get("to").to_owned(),
        deputy,
        note: form.opt("note"),
    };
    match state
        .app
        .directory()
        .record_absence(&viewer.ctx, who, &input)
        .await
    {
        Ok(_) => see_other("/absences"),
        Err(AppError::Validation(v)) => {
            let shown = FormState::from_form(&form, v);
            absences_page(&state, viewer, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn absence_end(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(absence): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let result = async {
        let id: AbsenceId = parse_id(&absence)?;
        state
            .app
            .directory()
            .end_absence(&viewer.ctx, id, form.version())
            .await
    }
    .await;
    match result {
        Ok(_) => see_other("/absences"),
        Err(e) => error_response(&viewer.base, e),
    }
}
