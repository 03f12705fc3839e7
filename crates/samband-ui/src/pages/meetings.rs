//! Collaboration meetings in the UI: the patient's meetings and planning one, the
//! meeting page (agenda with each person's own times, invitations and replies,
//! preparation, decisions), the chair view with minutes per item, the calendar file,
//! the patient's meetings, and an external guest's page.

use super::patients::parse_patient;
use super::{error_response, parse_id as parse, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, in_part, part_of, same_text, FormData, FormState, Submitted};
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use samband_app::error::ConflictInfo;
use samband_app::meetings::{GuestView, InviteInput, MeetingView, PreReadInput, SummaryInput};
use samband_app::paging::PageParams;
use samband_app::AppError;
use samband_domain::ids::*;
use samband_domain::meeting::{
    AgendaItemInput, DecisionInput, GuestInput, Meeting, MeetingInput, MeetingStatus,
    ParticipantKind,
};
use samband_domain::ValidationErrors;
use std::collections::HashMap;

// ---- a patient's meetings -------------------------------------------------------------

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    base: Base,
    patient: PatientId,
    meetings: Vec<Meeting>,
    pager: Pager,
    form: FormState,
    can_plan: bool,
}

async fn list_page(
    state: &UiState,
    mut viewer: Viewer,
    patient: PatientId,
    form: FormState,
    status: StatusCode,
    asked: &PageParams,
) -> Response {
    match state
        .app
        .meetings()
        .patient_meetings(&viewer.ctx, patient, asked)
        .await
    {
        Ok(page) => {
            viewer.base.title = viewer.base.t("meeting.list_title");
            let can_plan = viewer.base.is_professional();
            // The patient sees their own meetings at /me/meetings.
            let path = if viewer.base.is_patient() {
                "/me/meetings".to_owned()
            } else {
                format!("/patients/{patient}/meetings")
            };
            let pager = Pager::new(&page, &path, &[], asked);
            let meetings = page.items;
            render(
                status,
                &ListPage {
                    base: viewer.base,
                    patient,
                    meetings,
                    pager,
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
    Query(asked): Query<PageParams>,
) -> Response {
    match parse_patient(&patient) {
        Ok(p) => {
            list_page(
                &state,
                viewer,
                p,
                FormState::default(),
                StatusCode::OK,
                &asked,
            )
            .await
        }
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
        .meetings()
        .create(&viewer.ctx, patient, &meeting_input(&form))
        .await
    {
        Ok(m) => see_other(&format!("/meetings/{}", m.id)),
        Err(AppError::Validation(e)) => {
            let f = FormState::from_form(&form, form_errors(e));
            list_page(
                &state,
                viewer,
                patient,
                f,
                StatusCode::UNPROCESSABLE_ENTITY,
                &PageParams::first(),
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "my_meetings.html")]
struct MinePage {
    base: Base,
    rows: Vec<samband_app::meetings::MyMeeting>,
    pager: Pager,
}

pub async fn mine(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Query(asked): Query<PageParams>,
) -> Response {
    match state.app.meetings().my_meetings(&viewer.ctx, &asked).await {
        Ok(page) => {
            viewer.base.title = viewer.base.t("meeting.mine_title");
            let pager = Pager::new(&page, "/meetings", &[], &asked);
            render(
                StatusCode::OK,
                &MinePage {
                    base: viewer.base,
                    rows: page.items,
                    pager,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn me_list(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(asked): Query<PageParams>,
) -> Response {
    match super::patient_portal::own_patient(&viewer) {
        Ok(p) => {
            list_page(
                &state,
                viewer,
                p,
                FormState::default(),
                StatusCode::OK,
                &asked,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- the meeting ----------------------------------------------------------------------
//
// The meeting page and the chair view are each one form (see `FormState::keep_typed`):
// whichever button is pressed, everything typed on the page is posted. The pressed
// part is done; the chair view also saves every item's changed minutes; whatever else
// was typed and not saved is shown again as typed.

/// A conflict shown at the part it happened in.
pub struct PartConflict {
    pub part: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    base: Base,
    v: MeetingView,
    form: FormState,
    guest_link: Option<String>,
    conflict: Option<PartConflict>,
}

impl MeetingPage {
    fn conflict_in(&self, part: &str) -> bool {
        self.conflict.as_ref().is_some_and(|c| c.part == part)
    }
}

/// Item ids whose minutes met a newer version.
pub struct Conflicts(Vec<String>);

impl Conflicts {
    pub fn contains(&self, item: &str) -> bool {
        self.0.iter().any(|i| i == item)
    }
}

#[derive(Template)]
#[template(path = "meeting_chair.html")]
struct ChairPage {
    base: Base,
    v: MeetingView,
    form: FormState,
    conflicts: Conflicts,
}

/// Every field of the meeting page as the store gives it, named as the template names
/// it (`part.field`; checked boxes `on`, unchecked ones absent).
fn meeting_values(v: &MeetingView, patient_reader: bool) -> HashMap<String, String> {
    let mut m = HashMap::new();
    let mut def = |k: String, val: String| {
        m.insert(k, val);
    };
    if let Some(me) = &v.me {
        def("reply.answer".into(), me.reply.as_str().into());
        def("raise.text".into(), me.raise.clone().unwrap_or_default());
    }
    for it in &v.agenda {
        let id = it.item.id;
        if v.can_plan {
            let p = format!("it-{id}");
            def(format!("{p}.title"), it.item.title.clone());
            def(format!("{p}.start"), it.from.clone());
            def(
                format!("{p}.duration_minutes"),
                it.item.duration_minutes.to_string(),
            );
            if it.item.patient_present {
                def(format!("{p}.patient_present"), "on".into());
            }
            def(format!("{p}.version"), it.item.version.to_string());
            def(format!("{p}.responsible"), it.item.responsible.to_string());
            def(
                format!("{p}.participants"),
                it.item
                    .participants
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        if v.reader_is_patient && patient_reader {
            def(format!("wish-{id}.text"), String::new());
        }
    }
    if v.can_plan {
        let mt = &v.meeting;
        let version = mt.version.to_string();
        for (k, val) in [
            ("title", mt.title.clone()),
            ("mode", mt.mode.as_str().into()),
            ("date", v.local_date.format("%Y-%m-%d").to_string()),
            ("time", v.local_start.clone()),
            ("duration_minutes", mt.duration_minutes.to_string()),
            ("video_link", mt.video_link.clone().unwrap_or_default()),
            ("place", mt.place.clone().unwrap_or_default()),
            (
                "follow_up_date",
                mt.follow_up_date.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("kind", mt.kind.as_str().into()),
            ("pre_read_policy", mt.pre_read_policy.as_str().into()),
            ("pre_read_days", mt.pre_read_days.to_string()),
            ("version", version.clone()),
        ] {
            def(format!("edit.{k}"), val);
        }
        let first_invitable = v
            .invitable
            .first()
            .map(|o| o.0.to_string())
            .unwrap_or_else(|| "patient".into());
        def("invite.who".into(), first_invitable);
        for k in ["guest_name", "guest_organisation", "guest_email"] {
            def(format!("invite.{k}"), String::new());
        }
        def("agenda.title".into(), String::new());
        def("agenda.start".into(), String::new());
        def("agenda.duration_minutes".into(), "15".into());
        def(
            "agenda.responsible".into(),
            v.participants
                .first()
                .map(|p| p.participant.id.to_string())
                .unwrap_or_default(),
        );
        for p in &v.participants {
            if p.participant.kind != ParticipantKind::Patient {
                def(format!("agenda.p-{}", p.participant.id), "on".into());
            }
        }
        def("agenda.patient_present".into(), "on".into());
        def("pre.kind".into(), "notes".into());
        def("pre.title".into(), String::new());
        def("pre.body".into(), String::new());
        def("pre.category".into(), "meeting_pre_reads".into());
        def(
            "after.summary".into(),
            mt.summary.clone().unwrap_or_default(),
        );
        def("after.version".into(), version.clone());
        if mt.status != MeetingStatus::Cancelled {
            def("cancel.version".into(), version);
        }
    }
    m
}

/// Every field of the chair view as the store gives it.
fn chair_values(v: &MeetingView) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for it in &v.agenda {
        let id = it.item.id;
        m.insert(format!("min-{id}.minutes"), it.item.minutes.clone());
        m.insert(format!("min-{id}.version"), it.item.version.to_string());
        m.insert(
            format!("min-{id}.minutes_category"),
            it.item.minutes_category.as_str().to_owned(),
        );
        for k in ["text", "owner_member_id", "due_date", "goal_id"] {
            m.insert(format!("dec-{id}.{k}"), String::new());
        }
    }
    m
}

/// What was typed on the meeting page: the post, the page as it was shown before it
/// (the store before the action), and the parts the action saved.
type Typed<'a> = (&'a FormData, &'a HashMap<String, String>, &'a [String]);

/// Shows the meeting page from the store with the typed parts kept (`None`: nothing
/// typed, the page as stored).
#[allow(clippy::too_many_arguments)]
async fn meeting_page(
    state: &UiState,
    mut viewer: Viewer,
    id: MeetingId,
    typed: Option<Typed<'_>>,
    refused: Option<(&str, ValidationErrors)>,
    conflict: Option<(&str, &ConflictInfo)>,
    guest_link: Option<String>,
    ok_status: StatusCode,
) -> Response {
    let v = match state.app.meetings().view(&viewer.ctx, id).await {
        Ok(v) => v,
        Err(e) => return error_response(&viewer.base, e),
    };
    let stored = meeting_values(&v, viewer.base.is_patient());
    let mut form = match typed {
        Some((posted, shown, saved)) => FormState::keep_typed(shown, stored, posted, saved),
        None => FormState {
            values: stored,
            ..Default::default()
        },
    };
    // A confirmation is given for one press, never carried over to the next page.
    form.values.remove("cancel.confirm");
    form.kept.retain(|p| p != "cancel");
    let mut status = ok_status;
    if let (Some((part, errors)), Some((posted, _, _))) = (refused, typed) {
        form.keep_part(part, posted);
        form.values.remove("cancel.confirm");
        form.errors = in_part(part, errors);
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let conflict = match (conflict, typed) {
        (Some((part, c)), Some((posted, _, _))) => {
            form.keep_part(part, posted);
            form.values.remove("cancel.confirm");
            form.values
                .insert(format!("{part}.version"), c.current_version.to_string());
            status = StatusCode::CONFLICT;
            Some(PartConflict {
                part: part.to_owned(),
                by: c
                    .changed_by
                    .clone()
                    .unwrap_or_else(|| viewer.base.t("conflict.someone")),
            })
        }
        _ => None,
    };
    viewer.base.title = v.meeting.title.clone();
    render(
        status,
        &MeetingPage {
            base: viewer.base,
            v,
            form,
            guest_link,
            conflict,
        },
    )
}

pub async fn view(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    match parse::<MeetingId>(&id) {
        Ok(id) => meeting_page(&state, viewer, id, None, None, None, None, StatusCode::OK).await,
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn chair(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse::<MeetingId>(&id)?;
        state.app.meetings().view(&viewer.ctx, id).await
    }
    .await;
    match result {
        Ok(v) if v.can_plan => {
            let form = FormState {
                values: chair_values(&v),
                ..Default::default()
            };
            chair_render(&mut viewer, v, form, Vec::new(), StatusCode::OK)
        }
        Ok(_) => error_response(&viewer.base, AppError::Forbidden),
        Err(e) => error_response(&viewer.base, e),
    }
}

fn chair_render(
    viewer: &mut Viewer,
    v: MeetingView,
    form: FormState,
    conflicts: Vec<String>,
    status: StatusCode,
) -> Response {
    viewer.base.title = format!("{} – {}", viewer.base.t("meeting.chair"), v.meeting.title);
    render(
        status,
        &ChairPage {
            base: viewer.base.clone(),
            v,
            form,
            conflicts: Conflicts(conflicts),
        },
    )
}

pub async fn calendar(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse::<MeetingId>(&id)?;
        state.app.meetings().calendar(&viewer.ctx, id).await
    }
    .await;
    match result {
        Ok(ics) => samband_http::calendar_response(ics),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// The part of the meeting page an action belongs to.
fn part_for(action: &str, item: &str) -> Option<String> {
    Some(match action {
        "reply" => "reply".into(),
        "raise" => "raise".into(),
        "invite" => "invite".into(),
        "agenda" => "agenda".into(),
        "pre-read" => "pre".into(),
        "summary" => "after".into(),
        "cancel" => "cancel".into(),
        "edit" => "edit".into(),
        "edit-item" => format!("it-{item}"),
        "request" => format!("wish-{item}"),
        // Enter pressed, or nothing to do: the page again, keeping what was typed.
        "keep" => String::new(),
        _ => return None,
    })
}

/// Invitation errors named after the fields of the invite part.
fn invite_errors(mut e: ValidationErrors) -> ValidationErrors {
    for f in &mut e.errors {
        f.field = match f.field.as_str() {
            "member_id" | "patient" => "who".into(),
            "name" | "guest.name" => "guest_name".into(),
            "email" | "guest.email" => "guest_email".into(),
            other => other.to_owned(),
        };
    }
    e
}

/// What [`act`] does: one verb per part of the meeting page and the chair view.
pub const VERBS: &[&str] = &[
    "keep",
    "reply",
    "raise",
    "invite",
    "agenda",
    "pre-read",
    "request",
    "summary",
    "cancel",
    "edit",
    "edit-item",
    "minutes",
    "decision",
];

/// Every button on the meeting page and the chair view posts here with its `action`.
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
    if action == "minutes" || action == "decision" {
        return chair_act(&state, viewer, id, &action, form).await;
    }
    let item_key = form.opt("item").unwrap_or_default();
    let Some(part) = part_for(&action, &item_key) else {
        return error_response(&viewer.base, AppError::NotFound);
    };
    let app = &state.app;
    let ctx = &viewer.ctx;
    // The page as it was shown, to tell what was typed from what the action changes.
    let shown = match app.meetings().view(ctx, id).await {
        Ok(v) => meeting_values(&v, viewer.base.is_patient()),
        Err(e) => return error_response(&viewer.base, e),
    };
    let f = |k: &str| form.get(&format!("{part}.{k}"));
    // Blank is absent.
    let given = |k: &str| form.opt(&format!("{part}.{k}"));
    let version = f("version").trim().parse().unwrap_or(-1);
    let item = || {
        item_key
            .parse::<AgendaItemId>()
            .map_err(|_| AppError::NotFound)
    };
    let mut guest_link = None;
    let result: Result<(), AppError> = async {
        match action.as_str() {
            "keep" => Ok(()),
            "reply" => {
                app.meetings()
                    .reply_to_invitation(ctx, id, f("answer"))
                    .await
            }
            "raise" => app.meetings().set_raise(ctx, id, f("text")).await,
            "invite" => {
                let who = f("who");
                let input = if who == "guest" {
                    InviteInput {
                        guest: Some(GuestInput {
                            name: f("guest_name").into(),
                            organisation: given("guest_organisation"),
                            email: f("guest_email").into(),
                        }),
                        ..Default::default()
                    }
                } else if who == "patient" {
                    InviteInput {
                        patient: true,
                        ..Default::default()
                    }
                } else {
                    InviteInput {
                        member_id: who.parse().ok(),
                        ..Default::default()
                    }
                };
                let (_, token) =
                    app.meetings()
                        .invite(ctx, id, &input)
                        .await
                        .map_err(|e| match e {
                            AppError::Validation(v) => AppError::Validation(invite_errors(v)),
                            other => other,
                        })?;
                guest_link = token.map(|t| format!("/guest/{}", t.expose()));
                Ok(())
            }
            "agenda" => {
                let mut participants: Vec<ParticipantId> = form
                    .0
                    .iter()
                    .filter(|(_, on)| on.as_str() == "on")
                    .filter_map(|(k, _)| k.strip_prefix("agenda.p-"))
                    .filter_map(|p| p.parse().ok())
                    .collect();
                participants.sort();
                let input = AgendaItemInput {
                    title: f("title").into(),
                    start: f("start").into(),
                    duration_minutes: f("duration_minutes").trim().parse().unwrap_or(0),
                    responsible: f("responsible").parse().ok(),
                    participants,
                    patient_present: f("patient_present") == "on",
                };
                app.meetings()
                    .add_agenda_item(ctx, id, &input)
                    .await
                    .map(|_| ())
            }
            "pre-read" => {
                let input = PreReadInput {
                    kind: f("kind").into(),
                    title: f("title").into(),
                    body: f("body").into(),
                    category: given("category"),
                };
                app.meetings()
                    .add_pre_read(ctx, id, &input)
                    .await
                    .map(|_| ())
            }
            "request" => {
                app.meetings()
                    .request_agenda_change(ctx, id, item()?, f("text"))
                    .await
            }
            "summary" => {
                let input = SummaryInput {
                    summary: f("summary").into(),
                    plan_next: f("plan_next") == "on",
                };
                app.meetings()
                    .save_summary(ctx, id, &input, version)
                    .await
                    .map(|_| ())
            }
            "cancel" => {
                // Cancelling tells everyone invited and cannot be undone: the box must
                // be ticked, or nothing happens.
                if f("confirm") != "on" {
                    return Err(AppError::Validation(ValidationErrors::single(
                        "confirm",
                        "confirm_required",
                        "tick the box to confirm",
                    )));
                }
                app.meetings().cancel(ctx, id, version).await.map(|_| ())
            }
            "edit" => {
                let input = MeetingInput {
                    kind: f("kind").into(),
                    mode: f("mode").into(),
                    title: f("title").into(),
                    starts_at: format!("{}T{}", f("date").trim(), f("time").trim()),
                    duration_minutes: f("duration_minutes").trim().parse().unwrap_or(0),
                    video_link: given("video_link"),
                    place: given("place"),
                    pre_read_policy: f("pre_read_policy").into(),
                    pre_read_days: given("pre_read_days").and_then(|d| d.parse().ok()),
                    follow_up_date: given("follow_up_date"),
                };
                app.meetings()
                    .update(ctx, id, &input, version)
                    .await
                    .map(|_| ())
                    .map_err(|e| match e {
                        AppError::Validation(v) => AppError::Validation(form_errors(v)),
                        other => other,
                    })
            }
            "edit-item" => {
                let input = AgendaItemInput {
                    title: f("title").into(),
                    start: f("start").into(),
                    duration_minutes: f("duration_minutes").trim().parse().unwrap_or(0),
                    responsible: f("responsible").parse().ok(),
                    participants: f("participants")
                        .split(',')
                        .filter_map(|p| p.trim().parse().ok())
                        .collect(),
                    patient_present: f("patient_present") == "on",
                };
                app.meetings()
                    .update_agenda_item(ctx, id, item()?, &input, version)
                    .await
                    .map(|_| ())
            }
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    let saved = [part.clone()];
    match result {
        Ok(()) => {
            // Back to the page (See Other) unless something typed elsewhere is not
            // saved yet, or the guest's link is to be shown once.
            let v = match app.meetings().view(ctx, id).await {
                Ok(v) => v,
                Err(e) => return error_response(&viewer.base, e),
            };
            let mut kept = FormState::keep_typed(
                &shown,
                meeting_values(&v, viewer.base.is_patient()),
                form,
                &saved,
            )
            .kept;
            kept.retain(|p| p != "cancel");
            if kept.is_empty() && guest_link.is_none() {
                let anchor = match action.as_str() {
                    "edit-item" | "request" => format!("#item-{item_key}"),
                    _ => String::new(),
                };
                return see_other(&format!("/meetings/{id}{anchor}"));
            }
            meeting_page(
                &state,
                viewer,
                id,
                Some((form, &shown, &saved)),
                None,
                None,
                guest_link,
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Validation(e)) => {
            meeting_page(
                &state,
                viewer,
                id,
                Some((form, &shown, &[])),
                Some((&part, e)),
                None,
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Conflict(c)) => {
            meeting_page(
                &state,
                viewer,
                id,
                Some((form, &shown, &[])),
                None,
                Some((&part, &c)),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// The chair view's buttons: every item's changed minutes are saved (each through the
/// versioned save, so a stale edit meets a conflict), then the pressed item's decision
/// is added. Decisions typed at other items stay in their fields.
async fn chair_act(
    state: &UiState,
    mut viewer: Viewer,
    id: MeetingId,
    action: &str,
    form: &FormData,
) -> Response {
    let app = &state.app;
    let v = match app.meetings().view(&viewer.ctx, id).await {
        Ok(v) if v.can_plan => v,
        Ok(_) => return error_response(&viewer.base, AppError::Forbidden),
        Err(e) => return error_response(&viewer.base, e),
    };
    let mut errors = ValidationErrors::new();
    let mut conflicts: Vec<(String, i64)> = Vec::new();
    let mut saved: Vec<String> = Vec::new();
    for it in &v.agenda {
        let part = format!("min-{}", it.item.id);
        let Some(typed) = form.0.get(&format!("{part}.minutes")) else {
            continue;
        };
        let category = form.opt(&format!("{part}.minutes_category"));
        let same_category = category
            .as_deref()
            .is_none_or(|c| c == it.item.minutes_category.as_str());
        if same_text(typed, &it.item.minutes) && same_category {
            continue;
        }
        let version = form
            .get(&format!("{part}.version"))
            .trim()
            .parse()
            .unwrap_or(-1);
        match app
            .meetings()
            .save_minutes(
                &viewer.ctx,
                id,
                it.item.id,
                typed,
                category.as_deref(),
                version,
            )
            .await
        {
            Ok(_) => saved.push(part),
            Err(AppError::Conflict(c)) => {
                conflicts.push((it.item.id.to_string(), c.current_version))
            }
            Err(AppError::Validation(e)) => errors.errors.extend(in_part(&part, e).errors),
            Err(e) => return error_response(&viewer.base, e),
        }
    }
    let item_key = form.opt("item").unwrap_or_default();
    if action == "decision" && conflicts.is_empty() && errors.is_empty() {
        let part = format!("dec-{item_key}");
        let item = match item_key.parse::<AgendaItemId>() {
            Ok(i) => i,
            Err(_) => return error_response(&viewer.base, AppError::NotFound),
        };
        let f = |k: &str| form.get(&format!("{part}.{k}"));
        let input = DecisionInput {
            text: f("text").into(),
            owner_member_id: f("owner_member_id").parse().ok(),
            due_date: f("due_date").into(),
            goal_id: f("goal_id").parse().ok(),
        };
        match app
            .meetings()
            .add_decision(&viewer.ctx, id, item, &input)
            .await
        {
            Ok(_) => saved.push(part),
            Err(AppError::Validation(e)) => errors.errors.extend(in_part(&part, e).errors),
            Err(e) => return error_response(&viewer.base, e),
        }
    }
    let before = chair_values(&v);
    let v = match app.meetings().view(&viewer.ctx, id).await {
        Ok(v) => v,
        Err(e) => return error_response(&viewer.base, e),
    };
    let mut shown = FormState::keep_typed(&before, chair_values(&v), form, &saved);
    for (item, current) in &conflicts {
        // The typed minutes stay in their field; saving them again is a decision taken
        // with the other version in view.
        shown.keep_part(&format!("min-{item}"), form);
        shown
            .values
            .insert(format!("min-{item}.version"), current.to_string());
    }
    for e in &errors.errors {
        if let Some(p) = part_of(&e.field) {
            shown.keep_part(p, form);
        }
    }
    shown.errors = errors;
    if conflicts.is_empty() && shown.errors.is_empty() && shown.kept.is_empty() {
        return see_other(&format!("/meetings/{id}/chair#item-{item_key}"));
    }
    let status = if !conflicts.is_empty() {
        StatusCode::CONFLICT
    } else if !shown.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    chair_render(
        &mut viewer,
        v,
        shown,
        conflicts.into_iter().map(|c| c.0).collect(),
        status,
    )
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
    match state.app.meetings().guest_view(&token).await {
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
    match state
        .app
        .meetings()
        .guest_reply(&token, form.get("reply"))
        .await
    {
        Ok(()) => see_other(&format!("/guest/{token}")),
        Err(e) => error_response(&base, e),
    }
}
