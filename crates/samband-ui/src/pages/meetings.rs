//! Collaboration meetings in the UI: the patient's meetings and planning one, the
//! meeting page (agenda with each person's own times, invitations and replies,
//! preparation, decisions), the chair view with minutes per item, the calendar file,
//! the patient's meetings, and an external guest's page.

use super::patients::parse_patient;
use super::{error_response, parse_id as parse, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState, Submitted};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use samband_app::meetings::{GuestView, InviteInput, MeetingView, PreReadInput, SummaryInput};
use samband_app::AppError;
use samband_domain::ids::*;
use samband_domain::meeting::{AgendaItemInput, DecisionInput, GuestInput, Meeting, MeetingInput};
use samband_domain::ValidationErrors;

// ---- a patient's meetings -------------------------------------------------------------

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    base: Base,
    patient: PatientId,
    meetings: Vec<Meeting>,
    form: FormState,
    can_plan: bool,
}

async fn list_page(
    state: &UiState,
    mut viewer: Viewer,
    patient: PatientId,
    form: FormState,
    status: StatusCode,
) -> Response {
    match state.app.patient_meetings(&viewer.ctx, patient).await {
        Ok(meetings) => {
            viewer.base.title = viewer.base.t("meeting.list_title");
            let can_plan = viewer.base.is_professional();
            render(
                status,
                &ListPage {
                    base: viewer.base,
                    patient,
                    meetings,
                    form,
                    can_plan,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn list(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    match parse_patient(&patient) {
        Ok(p) => list_page(&state, viewer, p, FormState::default(), StatusCode::OK).await,
        Err(e) => error_response(&viewer.base, e),
    }
}

fn meeting_input(f: &FormData) -> MeetingInput {
    MeetingInput {
        kind: f.get("kind").into(),
        mode: f.get("mode").into(),
        title: f.get("title").into(),
        starts_at: format!("{}T{}", f.get("date").trim(), f.get("time").trim()),
        duration_minutes: f.get("duration_minutes").trim().parse().unwrap_or(0),
        video_link: f.opt("video_link"),
        place: f.opt("place"),
        pre_read_policy: f.get("pre_read_policy").into(),
        pre_read_days: f.opt("pre_read_days").and_then(|d| d.parse().ok()),
        follow_up_date: f.opt("follow_up_date"),
    }
}

/// `starts_at` errors belong to the date field in the form.
fn form_errors(mut e: ValidationErrors) -> ValidationErrors {
    for f in &mut e.errors {
        if f.field == "starts_at" {
            f.field = "date".into();
        }
    }
    e
}

pub async fn create(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let patient = match parse_patient(&patient) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    match state
        .app
        .create_meeting(&viewer.ctx, patient, &meeting_input(&form))
        .await
    {
        Ok(m) => see_other(&format!("/meetings/{}", m.id)),
        Err(AppError::Validation(e)) => {
            let f = FormState::from_form(&form, form_errors(e));
            list_page(&state, viewer, patient, f, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "my_meetings.html")]
struct MinePage {
    base: Base,
    rows: Vec<samband_app::meetings::MyMeeting>,
}

pub async fn mine(State(state): State<UiState>, mut viewer: Viewer) -> Response {
    match state.app.my_meetings(&viewer.ctx).await {
        Ok(rows) => {
            viewer.base.title = viewer.base.t("meeting.mine_title");
            render(
                StatusCode::OK,
                &MinePage {
                    base: viewer.base,
                    rows,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn me_list(State(state): State<UiState>, viewer: Viewer) -> Response {
    match super::patient_portal::own_patient(&viewer) {
        Ok(p) => list_page(&state, viewer, p, FormState::default(), StatusCode::OK).await,
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- the meeting ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    base: Base,
    v: MeetingView,
    form: FormState,
    /// Which form the errors belong to.
    form_name: String,
    guest_link: Option<String>,
}

#[derive(Template)]
#[template(path = "meeting_chair.html")]
struct ChairPage {
    base: Base,
    v: MeetingView,
    form: FormState,
    form_item: String,
    conflict: bool,
}

async fn meeting_page(
    state: &UiState,
    mut viewer: Viewer,
    id: MeetingId,
    form: FormState,
    form_name: &str,
    guest_link: Option<String>,
    status: StatusCode,
) -> Response {
    match state.app.meeting_view(&viewer.ctx, id).await {
        Ok(v) => {
            viewer.base.title = v.meeting.title.clone();
            render(
                status,
                &MeetingPage {
                    base: viewer.base,
                    v,
                    form,
                    form_name: form_name.into(),
                    guest_link,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn view(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    match parse::<MeetingId>(&id) {
        Ok(id) => {
            meeting_page(
                &state,
                viewer,
                id,
                FormState::default(),
                "",
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

async fn chair_page(
    state: &UiState,
    mut viewer: Viewer,
    id: MeetingId,
    form: FormState,
    form_item: &str,
    conflict: bool,
    status: StatusCode,
) -> Response {
    match state.app.meeting_view(&viewer.ctx, id).await {
        Ok(v) if v.can_plan => {
            viewer.base.title = format!("{} – {}", viewer.base.t("meeting.chair"), v.meeting.title);
            render(
                status,
                &ChairPage {
                    base: viewer.base,
                    v,
                    form,
                    form_item: form_item.into(),
                    conflict,
                },
            )
        }
        Ok(_) => error_response(&viewer.base, AppError::Forbidden),
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn chair(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    match parse::<MeetingId>(&id) {
        Ok(id) => {
            chair_page(
                &state,
                viewer,
                id,
                FormState::default(),
                "",
                false,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn calendar(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse::<MeetingId>(&id)?;
        state.app.meeting_calendar(&viewer.ctx, id).await
    }
    .await;
    match result {
        Ok(ics) => samband_api::calendar_response(ics),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// What [`act`] does, one per form of the meeting page and chair view.
pub const VERBS: &[&str] = &[
    "reply",
    "raise",
    "invite",
    "agenda",
    "pre-read",
    "request",
    "minutes",
    "decision",
    "summary",
    "cancel",
    "edit",
    "edit-item",
];

/// Every form on the meeting page posts here with its `action`; errors come back on the
/// page next to the form that caused them.
pub async fn act(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((id, action)): Path<(String, String)>,
    sub: Submitted,
) -> Response {
    let form = &sub.form;
    if let Err(r) = check_csrf(&viewer, form, None) {
        return r;
    }
    let id = match parse::<MeetingId>(&id) {
        Ok(id) => id,
        Err(e) => return error_response(&viewer.base, e),
    };
    let app = &state.app;
    let ctx = &viewer.ctx;
    let item = || {
        form.opt("item")
            .and_then(|i| i.parse::<AgendaItemId>().ok())
            .ok_or(AppError::NotFound)
    };
    let mut guest_link = None;
    let mut to_chair = false;
    let result: Result<(), AppError> = async {
        match action.as_str() {
            "reply" => app.reply_to_invitation(ctx, id, form.get("reply")).await,
            "raise" => app.set_raise(ctx, id, form.get("raise")).await,
            "invite" => {
                let input = if form.get("who") == "guest" {
                    InviteInput {
                        guest: Some(GuestInput {
                            name: form.get("guest_name").into(),
                            organisation: form.opt("guest_organisation"),
                            email: form.get("guest_email").into(),
                        }),
                        ..Default::default()
                    }
                } else if form.get("who") == "patient" {
                    InviteInput {
                        patient: true,
                        ..Default::default()
                    }
                } else {
                    InviteInput {
                        member_id: form.opt("who").and_then(|m| m.parse().ok()),
                        ..Default::default()
                    }
                };
                let (_, token) = app.invite(ctx, id, &input).await?;
                guest_link = token.map(|t| format!("/guest/{}", t.expose()));
                Ok(())
            }
            "agenda" => {
                let input = AgendaItemInput {
                    title: form.get("title").into(),
                    start: form.get("start").into(),
                    duration_minutes: form.get("duration_minutes").trim().parse().unwrap_or(0),
                    responsible: form.opt("responsible").and_then(|r| r.parse().ok()),
                    participants: sub
                        .all("participants")
                        .iter()
                        .filter_map(|p| p.parse().ok())
                        .collect(),
                    patient_present: form.get("patient_present") == "on",
                };
                app.add_agenda_item(ctx, id, &input).await.map(|_| ())
            }
            "pre-read" => {
                let input = PreReadInput {
                    kind: form.get("kind").into(),
                    title: form.get("title").into(),
                    body: form.get("body").into(),
                    category: form.opt("category"),
                };
                app.add_pre_read(ctx, id, &input).await.map(|_| ())
            }
            "request" => {
                app.request_agenda_change(ctx, id, item()?, form.get("wish"))
                    .await
            }
            "minutes" => {
                to_chair = true;
                app.save_minutes(
                    ctx,
                    id,
                    item()?,
                    form.get("minutes"),
                    form.opt("minutes_category").as_deref(),
                    form.version(),
                )
                .await
                .map(|_| ())
            }
            "decision" => {
                to_chair = true;
                let input = DecisionInput {
                    text: form.get("text").into(),
                    owner_member_id: form.opt("owner_member_id").and_then(|o| o.parse().ok()),
                    due_date: form.get("due_date").into(),
                    goal_id: form.opt("goal_id").and_then(|g| g.parse().ok()),
                };
                app.add_decision(ctx, id, item()?, &input).await.map(|_| ())
            }
            "summary" => {
                let input = SummaryInput {
                    summary: form.get("summary").into(),
                    plan_next: form.get("plan_next") == "on",
                };
                app.save_summary(ctx, id, &input, form.version())
                    .await
                    .map(|_| ())
            }
            "cancel" => app
                .cancel_meeting(ctx, id, form.version())
                .await
                .map(|_| ()),
            "edit" => app
                .update_meeting(ctx, id, &meeting_input(form), form.version())
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    AppError::Validation(v) => AppError::Validation(form_errors(v)),
                    other => other,
                }),
            "edit-item" => {
                let input = AgendaItemInput {
                    title: form.get("title").into(),
                    start: form.get("start").into(),
                    duration_minutes: form.get("duration_minutes").trim().parse().unwrap_or(0),
                    responsible: form.opt("responsible").and_then(|r| r.parse().ok()),
                    participants: sub
                        .all("participants")
                        .iter()
                        .filter_map(|p| p.parse().ok())
                        .collect(),
                    patient_present: form.get("patient_present") == "on",
                };
                app.update_agenda_item(ctx, id, item()?, &input, form.version())
                    .await
                    .map(|_| ())
            }
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    let item_key = form.opt("item").unwrap_or_default();
    match result {
        Ok(()) if guest_link.is_some() => {
            // The guest's link is shown once to the organiser (it was also e-mailed).
            meeting_page(
                &state,
                viewer,
                id,
                FormState::default(),
                "",
                guest_link,
                StatusCode::OK,
            )
            .await
        }
        Ok(()) if to_chair => see_other(&format!("/meetings/{id}/chair#item-{item_key}")),
        Ok(()) => see_other(&format!("/meetings/{id}")),
        Err(AppError::Validation(e)) => {
            let f = FormState::from_form(form, e);
            if to_chair {
                chair_page(
                    &state,
                    viewer,
                    id,
                    f,
                    &item_key,
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            } else {
                meeting_page(
                    &state,
                    viewer,
                    id,
                    f,
                    &action,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
        Err(AppError::Conflict(_)) if to_chair => {
            let f = FormState::from_form(form, ValidationErrors::new());
            chair_page(&state, viewer, id, f, &item_key, true, StatusCode::CONFLICT).await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- external guests ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "guest.html")]
struct GuestPage {
    base: Base,
    g: GuestView,
    token: String,
}

pub async fn guest(
    State(state): State<UiState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let mut base = crate::session::anon_base(&state, &headers, "/guest");
    match state.app.guest_view(&token).await {
        Ok(g) => {
            base.title = g.title.clone();
            render(StatusCode::OK, &GuestPage { base, g, token })
        }
        Err(e) => error_response(&base, e),
    }
}

pub async fn guest_reply(
    State(state): State<UiState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    form: FormData,
) -> Response {
    let base = crate::session::anon_base(&state, &headers, "/guest");
    match state.app.guest_reply(&token, form.get("reply")).await {
        Ok(()) => see_other(&format!("/guest/{token}")),
        Err(e) => error_response(&base, e),
    }
}
