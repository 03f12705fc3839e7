//! The patient's own pages, in plain language: "Your plan", "Who helps you with what",
//! "Your crisis plan" (where they write what helps), and adding a goal in their words.

use super::plan::{crisis_input, refusal, ConflictView};
use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::views::PatientOverview;
use samband_app::AppError;
use samband_domain::ids::PatientId;
use samband_domain::plan::GoalInput;

pub fn own_patient(viewer: &Viewer) -> Result<PatientId, AppError> {
    viewer
        .ctx
        .principal
        .subject
        .own_patient()
        .ok_or(AppError::NotFound)
}

async fn load(state: &UiState, viewer: &Viewer) -> Result<PatientOverview, AppError> {
    let pid = own_patient(viewer)?;
    state.app.patients().overview(&viewer.ctx, pid).await
}

#[derive(Template)]
#[template(path = "me_plan.html")]
struct PlanPage {
    base: Base,
    ov: PatientOverview,
    /// "What happens next" on the patient's pathways: each enrolment's milestones not
    /// yet done, the first few, in the template's plain words.
    next: Vec<PathwayNext>,
    /// The summaries written for the patient in the hand-overs sent about them.
    handovers: Vec<samband_app::handovers::HandoverView>,
    /// Check-ins due today (issue 12): instrument title and schedule id.
    checkins_due: Vec<(samband_domain::ids::ScheduleId, String)>,
    /// Whether the patient has any check-in schedule at all.
    has_checkins: bool,
}

/// One pathway as the patient reads it.
pub struct PathwayNext {
    pub title: samband_domain::pathway::Localised,
    pub steps: Vec<samband_app::pathways::MilestoneLine>,
}

/// How many coming steps of each pathway the patient's page shows.
const NEXT_STEPS: usize = 3;

async fn pathways_next(state: &UiState, viewer: &Viewer, pid: PatientId) -> Vec<PathwayNext> {
    use samband_domain::pathway::MilestoneState;
    let Ok(list) = state.app.pathways().enrolments(&viewer.ctx, pid).await else {
        return Vec::new();
    };
    list.into_iter()
        .filter(|e| e.enrolment.ended_on.is_none())
        .map(|e| PathwayNext {
            title: e.title,
            steps: e
                .milestones
                .into_iter()
                .filter(|m| m.view.state != MilestoneState::Done)
                .take(NEXT_STEPS)
                .collect(),
        })
        .collect()
}

pub async fn your_plan(State(state): State<UiState>, mut viewer: Viewer) -> Response {
    match load(&state, &viewer).await {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("me.plan_title");
            let next = pathways_next(&state, &viewer, ov.patient.id).await;
            // Sent hand-overs with a summary the policy lets this reader see (a draft is
            // its writer's alone; the summary is plan information).
            let handovers = match state.app.handovers().list(&viewer.ctx, ov.patient.id).await {
                Ok(list) => list
                    .into_iter()
                    .filter(|h| h.sent_at.is_some() && h.patient_summary.is_some())
                    .collect(),
                Err(samband_app::AppError::Forbidden) => Vec::new(),
                Err(e) => return error_response(&viewer.base, e),
            };
            let schedules = match state
                .app
                .monitoring()
                .schedules(&viewer.ctx, ov.patient.id)
                .await
            {
                Ok(list) => list,
                Err(samband_app::AppError::Forbidden) => Vec::new(),
                Err(e) => return error_response(&viewer.base, e),
            };
            let lang = viewer.base.lang_code();
            let has_checkins = schedules.iter().any(|v| v.schedule.is_active());
            let checkins_due = schedules
                .into_iter()
                .filter(|v| v.due)
                .map(|v| {
                    let title = samband_domain::instrument::catalogue::get(v.schedule.instrument)
                        .title
                        .get(lang)
                        .to_owned();
                    (v.schedule.id, title)
                })
                .collect();
            render(
                StatusCode::OK,
                &PlanPage {
                    base: viewer.base,
                    ov,
                    next,
                    handovers,
                    checkins_due,
                    has_checkins,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "me_team.html")]
struct TeamPage {
    base: Base,
    ov: PatientOverview,
    /// Who took over from whom (issue 11).
    successions: Vec<samband_app::team::SuccessionView>,
}

impl TeamPage {
    /// Whom this member took over from, most recent first.
    fn took_over(
        &self,
        member: &samband_domain::ids::MemberId,
    ) -> Vec<&samband_app::team::SuccessionView> {
        self.successions
            .iter()
            .rev()
            .filter(|s| s.successor_member_id == *member)
            .collect()
    }
}

pub async fn who_helps(State(state): State<UiState>, mut viewer: Viewer) -> Response {
    match load(&state, &viewer).await {
        Ok(ov) => {
            let successions = match state
                .app
                .team()
                .successions(&viewer.ctx, ov.patient.id)
                .await
            {
                Ok(s) => s,
                Err(e) => return error_response(&viewer.base, e),
            };
            viewer.base.title = viewer.base.t("me.team_title");
            render(
                StatusCode::OK,
                &TeamPage {
                    base: viewer.base,
                    ov,
                    successions,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "me_crisis.html")]
struct CrisisPage {
    base: Base,
    ov: PatientOverview,
    form: FormState,
    conflict: Option<ConflictView>,
    /// Shown after the patient asked for help or noticed a warning sign: their team
    /// has been told, and nobody watches around the clock.
    help: bool,
    /// Their crisis plan's warning signs, one per line, to tick one.
    signs: Vec<String>,
}

fn signs_of(ov: &PatientOverview) -> Vec<String> {
    ov.crisis_plan
        .as_ref()
        .map(samband_app::signals::warning_signs)
        .unwrap_or_default()
}

#[derive(serde::Deserialize, Default)]
pub struct HelpQuery {
    #[serde(default)]
    help: Option<String>,
}

pub async fn crisis_plan(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Query(q): Query<HelpQuery>,
) -> Response {
    match load(&state, &viewer).await {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("me.crisis_title");
            let mut form = FormState::default();
            if let Some(cp) = &ov.crisis_plan {
                form.values
                    .insert("what_helps".into(), cp.what_helps.clone());
                form.values.insert("version".into(), cp.version.to_string());
            }
            let signs = signs_of(&ov);
            render(
                StatusCode::OK,
                &CrisisPage {
                    base: viewer.base,
                    ov,
                    form,
                    conflict: None,
                    help: q.help.is_some(),
                    signs,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// "I need help now": a safety alert to the team, then the crisis plan and numbers.
pub async fn help_now(State(state): State<UiState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    match state.app.signals().report_crisis(&viewer.ctx).await {
        Ok(_) => Redirect::to("/me/crisis-plan?help=1").into_response(),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// "I notice one of my warning signs": a deterioration alert naming it, then the
/// crisis plan and numbers; a sign that is not one of theirs is an error at `sign`.
pub async fn warning_sign(
    State(state): State<UiState>,
    mut viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let errors = match state
        .app
        .signals()
        .report_warning_sign(&viewer.ctx, form.get("sign"))
        .await
    {
        Ok(_) => return Redirect::to("/me/crisis-plan?help=1").into_response(),
        Err(AppError::Validation(v)) => v,
        Err(e) => return error_response(&viewer.base, e),
    };
    match load(&state, &viewer).await {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("me.crisis_title");
            let mut state_form = FormState::from_form(&form, errors);
            if let Some(cp) = &ov.crisis_plan {
                state_form
                    .values
                    .insert("what_helps".into(), cp.what_helps.clone());
                state_form
                    .values
                    .insert("version".into(), cp.version.to_string());
            }
            let signs = signs_of(&ov);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CrisisPage {
                    base: viewer.base,
                    ov,
                    form: state_form,
                    conflict: None,
                    help: false,
                    signs,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn crisis_plan_submit(
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
    // The patient's form holds only "what helps"; the other sections are left as stored.
    let mut only_helps = FormData(form.0.clone());
    only_helps
        .0
        .retain(|k, _| k == "what_helps" || k == "version" || k == "_csrf");
    let input = crisis_input(&only_helps);
    let (errors, conflict, version) = match state
        .app
        .plan()
        .update_crisis_plan(&viewer.ctx, pid, &input, form.version(), None)
        .await
    {
        Ok(_) => return Redirect::to("/me/crisis-plan").into_response(),
        Err(e) => match refusal(
            &viewer.base,
            e,
            &form,
            &[("what_helps", "crisis.what_helps")],
        ) {
            Ok(r) => r,
            Err(e) => return error_response(&viewer.base, e),
        },
    };
    match load(&state, &viewer).await {
        Ok(ov) => {
            viewer.base.title = viewer.base.t("me.crisis_title");
            let mut state_form = FormState::from_form(&form, errors);
            state_form
                .values
                .insert("version".into(), version.to_string());
            let status = if conflict.is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let signs = signs_of(&ov);
            render(
                status,
                &CrisisPage {
                    base: viewer.base,
                    ov,
                    form: state_form,
                    conflict,
                    help: false,
                    signs,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "me_goal.html")]
struct GoalPage {
    base: Base,
    form: FormState,
}

pub async fn goal_new(mut viewer: Viewer) -> Response {
    viewer.base.title = viewer.base.t("me.goal_title");
    render(
        StatusCode::OK,
        &GoalPage {
            base: viewer.base,
            form: FormState::default(),
        },
    )
}

pub async fn goal_create(
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
    let input = GoalInput {
        text: form.get("text").into(),
        ..Default::default()
    };
    match state.app.plan().add_goal(&viewer.ctx, pid, &input).await {
        Ok(_) => Redirect::to("/me").into_response(),
        Err(AppError::Validation(errors)) => {
            viewer.base.title = viewer.base.t("me.goal_title");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &GoalPage {
                    base: viewer.base,
                    form: FormState::from_form(&form, errors),
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
