//! A patient's case reviews in the UI: the recommendations recorded so far, and the
//! form that records one (it becomes the GP's task).

use super::patients::parse_patient;
use super::{error_response, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use samband_app::registry::CaseReviewView;
use samband_app::AppError;
use samband_domain::case_review::CaseReviewInput;
use samband_domain::ids::PatientId;
use samband_domain::team::MemberKind;

#[derive(Template)]
#[template(path = "case_reviews.html")]
struct CaseReviewsPage {
    base: Base,
    patient_id: PatientId,
    patient_name: String,
    /// Active professionals on the team: (member id, name and role).
    members: Vec<(String, String)>,
    reviews: Vec<CaseReviewView>,
    form: FormState,
}

async fn page(
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
    let reviews = match state.app.registry().reviews(&viewer.ctx, pid).await {
        Ok(r) => r,
        Err(e) => return error_response(&viewer.base, e),
    };
    let members = ov
        .members
        .iter()
        .filter(|m| m.active && m.member.kind == MemberKind::Professional)
        .map(|m| {
            (
                m.member.id.to_string(),
                format!("{} ({})", m.display_name, m.member.role),
            )
        })
        .collect();
    viewer.base.title = viewer.base.t("case_review.title");
    render(
        status,
        &CaseReviewsPage {
            base: viewer.base,
            patient_id: pid,
            patient_name: ov.patient.name,
            members,
            reviews,
            form,
        },
    )
}

pub async fn show(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    page(&state, viewer, pid, FormState::default(), StatusCode::OK).await
}

pub async fn submit(
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
    let input = CaseReviewInput {
        recommendation: form.get("recommendation").into(),
        to_member: form.opt("to_member"),
        due_date: form.get("due_date").into(),
    };
    match state
        .app
        .registry()
        .record_review(&viewer.ctx, pid, &input)
        .await
    {
        Ok(_) => see_other(&format!("/patients/{pid}/case-reviews")),
        Err(AppError::Validation(e)) => {
            let f = FormState::from_form(&form, e);
            page(&state, viewer, pid, f, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
