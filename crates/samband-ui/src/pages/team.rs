//! Adding and editing care-team members.

use super::patients::parse_patient;
use super::plan::ConflictView;
use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::views::PatientOverview;
use samband_app::AppError;
use samband_domain::ids::MemberId;
use samband_domain::organisation::Organisation;
use samband_domain::professional::Professional;
use samband_domain::team::MemberInput;
use samband_domain::ValidationErrors;

#[derive(Template)]
#[template(path = "member_form.html")]
struct MemberForm {
    base: Base,
    ov: PatientOverview,
    form: FormState,
    member_id: Option<MemberId>,
    professionals: Vec<Professional>,
    organisations: Vec<Organisation>,
    conflict: Option<ConflictView>,
    /// The member is on the team today or later, so the membership can be ended.
    can_end: bool,
}

fn member_input(form: &FormData) -> MemberInput {
    MemberInput {
        kind: form.get("kind").into(),
        professional_id: form.get("professional_id").parse().ok(),
        name: form.opt("name"),
        organisation_id: form.get("organisation_id").parse().ok(),
        role: form.get("role").into(),
        responsibility: form.get("responsibility").into(),
        phone: form.opt("phone"),
        is_coordinator: form.get("is_coordinator") == "on",
        active_from: form.get("active_from").into(),
        active_to: form.opt("active_to"),
        reason: form.opt("reason"),
    }
}

async fn show(
    state: &UiState,
    viewer: &Viewer,
    pid: samband_domain::ids::PatientId,
    form: FormState,
    member_id: Option<MemberId>,
    conflict: Option<ConflictView>,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
        let professionals = state
            .app
            .directory()
            .list_professionals(&viewer.ctx)
            .await?;
        let organisations = state
            .app
            .directory()
            .list_organisations(&viewer.ctx)
            .await?;
        Ok::<_, AppError>((ov, professionals, organisations))
    }
    .await;
    match loaded {
        Ok((ov, professionals, organisations)) => {
            let today = state.app.today();
            let can_end = member_id
                .and_then(|m| ov.team.member(m))
                .is_some_and(|m| m.active_to.is_none_or(|to| to >= today));
            let mut base = viewer.base.clone();
            base.title = base.t(if member_id.is_some() {
                "member.edit_title"
            } else {
                "member.new_title"
            });
            render(
                status,
                &MemberForm {
                    base,
                    ov,
                    form,
                    member_id,
                    professionals,
                    organisations,
                    conflict,
                    can_end,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn member_new(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let version = match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => ov.team.version,
        Err(e) => return error_response(&viewer.base, e),
    };
    let mut form = FormState::default();
    form.values.insert("kind".into(), "professional".into());
    form.values
        .insert("active_from".into(), state.app.today().to_string());
    form.values.insert("version".into(), version.to_string());
    show(&state, &viewer, pid, form, None, None, StatusCode::OK).await
}

pub async fn member_edit(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, member)): Path<(String, String)>,
) -> Response {
    let pid = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let Ok(mid) = member.parse::<MemberId>() else {
        return error_response(&viewer.base, AppError::NotFound);
    };
    let ov = match state.app.patients().overview(&viewer.ctx, pid).await {
        Ok(ov) => ov,
        Err(e) => return error_response(&viewer.base, e),
    };
    let Some(m) = ov.team.member(mid).cloned() else {
        return error_response(&viewer.base, AppError::NotFound);
    };
    let mut form = FormState::default();
    for (k, v) in [
        ("kind", m.kind.as_str().to_owned()),
        (
            "professional_id",
            m.professional_id.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("name", m.name.clone().unwrap_or_default()),
        (
            "organisation_id",
            m.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
        ),
        ("role", m.role.clone()),
        ("responsibility", m.responsibility.clone()),
        ("phone", m.phone.clone().unwrap_or_default()),
        ("active_from", m.active_from.to_string()),
        (
            "active_to",
            m.active_to.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("version", ov.team.version.to_string()),
    ] {
        form.values.insert(k.into(), v);
    }
    if m.is_coordinator {
        form.values.insert("is_coordinator".into(), "on".into());
    }
    show(&state, &viewer, pid, form, Some(mid), None, StatusCode::OK).await
}

async fn save(
    state: &UiState,
    viewer: &Viewer,
    patient: &str,
    member: Option<&str>,
    form: &FormData,
    ending: bool,
) -> Response {
    let pid = match parse_patient(patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let mid = match member.map(str::parse::<MemberId>).transpose() {
        Ok(m) => m,
        Err(_) => return error_response(&viewer.base, AppError::NotFound),
    };
    let mut input = member_input(form);
    let today = state.app.today();
    if ending {
        // "End the membership": what was typed in the form is saved with the last day.
        input.active_to = Some(
            form.opt("end_on")
                .unwrap_or_else(|| today.format("%Y-%m-%d").to_string()),
        );
    }
    // Ending a membership (now or already in the past) takes the member off the team
    // at once: it is done only with the box ticked, whichever button was pressed.
    if let Some(mid) = mid {
        let ends_now = |raw: Option<&str>| {
            raw.and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
                .is_some_and(|d| d <= today)
        };
        let stored_until = match state.app.patients().overview(&viewer.ctx, pid).await {
            Ok(ov) => ov.team.member(mid).map(|m| m.active_to),
            Err(e) => return error_response(&viewer.base, e),
        };
        let was_on_team = stored_until.is_some_and(|to| to.is_none_or(|to| to >= today));
        if was_on_team && ends_now(input.active_to.as_deref()) && form.get("end_confirm") != "on" {
            let errors = ValidationErrors::single(
                "end_confirm",
                "confirm_required",
                "tick the box to confirm ending the membership",
            );
            return show(
                state,
                viewer,
                pid,
                FormState::from_form(form, errors),
                Some(mid),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    }
    match state
        .app
        .team()
        .save_member(
            &viewer.ctx,
            pid,
            mid,
            &input,
            form.version(),
            form.opt("reason").as_deref(),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/patients/{pid}")).into_response(),
        Err(AppError::Validation(mut errors)) => {
            if ending {
                // The last day was given in the "end" part of the form.
                for e in &mut errors.errors {
                    if e.field == "active_to" {
                        e.field = "end_on".into();
                    }
                }
            }
            show(
                state,
                viewer,
                pid,
                FormState::from_form(form, errors),
                mid,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(c)) => {
            let conflict = ConflictView {
                by: c
                    .changed_by
                    .clone()
                    .unwrap_or_else(|| viewer.base.t("conflict.someone")),
                at: c
                    .changed_at
                    .as_ref()
                    .map(|t| viewer.base.datetime(t))
                    .unwrap_or_default(),
                fields: Vec::new(),
            };
            let mut again = FormState::from_form(form, ValidationErrors::new());
            again
                .values
                .insert("version".into(), c.current_version.to_string());
            show(
                state,
                viewer,
                pid,
                again,
                mid,
                Some(conflict),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn member_create(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    save(&state, &viewer, &patient, None, &form, false).await
}

pub async fn member_update(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, member)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    save(&state, &viewer, &patient, Some(&member), &form, false).await
}

/// "End the membership": the edit form's destructive button. Whatever was typed in the
/// form is saved with the last day on the team, once the box is ticked.
pub async fn member_end(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, member)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    // Someone is named to take over, or the member still holds open work: the hand-over
    // (issue 11). Otherwise the form is saved with the last day, as before.
    let successor_named = !form.get("successor_id").is_empty()
        || !form.get("new_successor_professional_id").is_empty();
    let holds_work = match (parse_patient(&patient), member.parse::<MemberId>()) {
        (Ok(pid), Ok(mid)) => state
            .app
            .patients()
            .overview(&viewer.ctx, pid)
            .await
            .is_ok_and(|ov| {
                ov.actions
                    .iter()
                    .any(|a| a.owner_member_id == mid && a.status.is_open())
                    || ov
                        .goals
                        .iter()
                        .any(|g| g.owner_member_id == Some(mid) && !g.achieved)
            }),
        _ => false,
    };
    if successor_named || holds_work {
        return hand_over(&state, &viewer, &patient, &member, &form).await;
    }
    save(&state, &viewer, &patient, Some(&member), &form, true).await
}

/// Ends the membership with a successor (or the coordinator), every open item moving
/// in one change; field errors come back at the fields of the end form.
async fn hand_over(
    state: &UiState,
    viewer: &Viewer,
    patient: &str,
    member: &str,
    form: &FormData,
) -> Response {
    let pid = match parse_patient(patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let Ok(mid) = member.parse::<MemberId>() else {
        return error_response(&viewer.base, AppError::NotFound);
    };
    let refuse = |errors: ValidationErrors, status: StatusCode| async move {
        show(
            state,
            viewer,
            pid,
            FormState::from_form(form, errors),
            Some(mid),
            None,
            status,
        )
        .await
    };
    if form.get("end_confirm") != "on" {
        return refuse(
            ValidationErrors::single(
                "end_confirm",
                "confirm_required",
                "tick the box to confirm ending the membership",
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let today = state.app.today().format("%Y-%m-%d").to_string();
    let new_successor = form
        .opt("new_successor_professional_id")
        .map(|p| MemberInput {
            kind: "professional".into(),
            professional_id: p.parse().ok(),
            role: form.get("new_successor_role").into(),
            responsibility: form.get("responsibility").into(),
            active_from: today.clone(),
            ..Default::default()
        });
    let input = samband_app::team::EndMembershipInput {
        last_day: form.opt("end_on").unwrap_or(today),
        successor_id: form.get("successor_id").parse().ok(),
        new_successor,
        reason: form.opt("reason"),
    };
    match state
        .app
        .team()
        .end_membership(&viewer.ctx, pid, mid, &input, form.version())
        .await
    {
        Ok(_) => Redirect::to(&format!("/patients/{pid}")).into_response(),
        Err(AppError::Validation(mut errors)) => {
            for e in &mut errors.errors {
                e.field = match e.field.as_str() {
                    "last_day" => "end_on".into(),
                    "new_successor.professional_id" | "new_successor.kind" => {
                        "new_successor_professional_id".into()
                    }
                    "new_successor.role" => "new_successor_role".into(),
                    "new_successor.responsibility" => "responsibility".into(),
                    other => other.to_owned(),
                };
            }
            refuse(errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(c)) => {
            let mut errors = ValidationErrors::new();
            errors.add(
                "end_confirm",
                "stale",
                format!(
                    "the team changed meanwhile (now version {}); check and try again",
                    c.current_version
                ),
            );
            let mut again = FormState::from_form(form, errors);
            again
                .values
                .insert("version".into(), c.current_version.to_string());
            show(
                state,
                viewer,
                pid,
                again,
                Some(mid),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
