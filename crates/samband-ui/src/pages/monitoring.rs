//! Self-monitoring in the UI. The patient's (and a proxy's) check-ins: what is due,
//! pausing with a reason and resuming, the answer page (one scrolling form of radio
//! groups in `<fieldset>`s, no JavaScript, usable at 360 px, errors beside each
//! question with the given answers kept), and their own trends in plain words. The
//! team's self-monitoring page: schedules (with the patient's pause reasons), setting
//! and ending one, and the trends with band shading, the baseline and a table of the
//! values. The charts are `trend_svg`'s inline SVG; everything shown comes through
//! `app.monitoring()` and so through the policy.

use super::patient_portal::own_patient;
use super::patients::parse_patient;
use super::{error_response, parse_id, render, see_other};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::session::Viewer;
use crate::trend_svg::{chart, ChartText};
use crate::UiState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use samband_app::monitoring::{ScheduleInput, ScheduleView};
use samband_app::AppError;
use samband_domain::ids::{PatientId, ScheduleId};
use samband_domain::instrument::trend::Trend;
use samband_domain::instrument::{catalogue, Direction, InstrumentKey};
use std::collections::BTreeMap;

/// One schedule as a row.
pub struct ScheduleRow {
    pub id: ScheduleId,
    pub title: String,
    pub every_days: u32,
    pub next_due: NaiveDate,
    pub last_answered_on: Option<NaiveDate>,
    pub due: bool,
    pub missed: bool,
    pub paused_reason: Option<String>,
    pub paused_at: Option<DateTime<Utc>>,
    pub ended_on: Option<NaiveDate>,
    pub version: i64,
}

fn rows(base: &Base, list: Vec<ScheduleView>) -> Vec<ScheduleRow> {
    list.into_iter()
        .map(|v| {
            let s = v.schedule;
            ScheduleRow {
                id: s.id,
                title: catalogue::get(s.instrument)
                    .title
                    .get(base.lang_code())
                    .to_owned(),
                every_days: s.every_days,
                next_due: s.next_due,
                last_answered_on: s.last_answered_on,
                due: v.due,
                missed: v.missed,
                paused_reason: s.paused.as_ref().map(|p| p.reason.clone()),
                paused_at: s.paused.as_ref().map(|p| p.at),
                ended_on: s.ended_on,
                version: s.version,
            }
        })
        .collect()
}

/// One chart with its table fallback.
pub struct ChartView {
    pub label: Option<String>,
    pub svg: String,
    /// Date, value, band — the same values as the chart, as text.
    pub table: Vec<(String, String, String)>,
}

/// An instrument's trend as a page shows it.
pub struct TrendView {
    pub title: String,
    pub direction: String,
    pub sparse: bool,
    pub baseline: Option<u16>,
    pub empty: bool,
    pub charts: Vec<ChartView>,
}

fn trend_views(base: &Base, trends: Vec<Trend>) -> Vec<TrendView> {
    let lang = base.lang_code();
    trends
        .into_iter()
        .map(|t| {
            let inst = catalogue::get(t.instrument);
            let title = inst.title.get(lang).to_owned();
            let direction = match inst.direction {
                Direction::LowerIsBetter => base.t("monitoring.lower_is_better"),
                Direction::HigherIsBetter => base.t("monitoring.higher_is_better"),
            };
            let baseline_text = base.t("monitoring.baseline");
            let charts = t
                .series
                .iter()
                .map(|s| {
                    let label = s.label.map(|l| l.get(lang).to_owned());
                    let name = label.clone().unwrap_or_else(|| title.clone());
                    let desc = base.t_args(
                        "monitoring.chart_desc",
                        &[
                            ("n", s.points.len().to_string().as_str()),
                            ("direction", direction.as_str()),
                        ],
                    );
                    let svg = chart(
                        s,
                        inst.bands,
                        inst.chart_max,
                        t.baseline,
                        &ChartText {
                            title: &name,
                            desc: &desc,
                            baseline: &baseline_text,
                        },
                    );
                    let table = s
                        .points
                        .iter()
                        .rev()
                        .map(|p| {
                            let band = inst
                                .band_of(p.value)
                                .map(|b| inst.bands[b].label.get(lang).to_owned())
                                .unwrap_or_default();
                            (base.datetime(&p.at), p.value.to_string(), band)
                        })
                        .collect();
                    ChartView { label, svg, table }
                })
                .collect::<Vec<_>>();
            TrendView {
                empty: t.series.iter().all(|s| s.points.is_empty()),
                title,
                direction,
                sparse: t.sparse,
                baseline: t.baseline,
                charts,
            }
        })
        .collect()
}

// ---- the patient's check-ins ---------------------------------------------------------

#[derive(Template)]
#[template(path = "me_checkins.html")]
struct CheckinsPage {
    base: Base,
    rows: Vec<ScheduleRow>,
    trends: Vec<TrendView>,
    /// The pause form that was refused, with what was typed.
    pause_for: Option<ScheduleId>,
    form: FormState,
}

impl CheckinsPage {
    fn refused_here(&self, id: &ScheduleId) -> bool {
        self.pause_for.as_ref() == Some(id)
    }
}

async fn checkins_page(
    state: &UiState,
    mut viewer: Viewer,
    pause_for: Option<ScheduleId>,
    form: FormState,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let pid = own_patient(&viewer)?;
        let list = state.app.monitoring().schedules(&viewer.ctx, pid).await?;
        let trends = state.app.monitoring().trends(&viewer.ctx, pid).await?;
        Ok::<_, AppError>((list, trends))
    }
    .await;
    match loaded {
        Ok((list, trends)) => {
            viewer.base.title = viewer.base.t("monitoring.me_title");
            let rows = rows(&viewer.base, list);
            let trends = trend_views(&viewer.base, trends);
            render(
                status,
                &CheckinsPage {
                    base: viewer.base,
                    rows,
                    trends,
                    pause_for,
                    form,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn me_checkins(State(state): State<UiState>, viewer: Viewer) -> Response {
    checkins_page(&state, viewer, None, FormState::default(), StatusCode::OK).await
}

pub async fn pause(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(schedule): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let done = async {
        let pid = own_patient(&viewer)?;
        let id = parse_id::<ScheduleId>(&schedule)?;
        state
            .app
            .monitoring()
            .pause(&viewer.ctx, pid, id, form.get("reason"), form.version())
            .await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match done {
        Ok(_) => see_other("/me/check-ins"),
        Err(AppError::Validation(errors)) => {
            let id = parse_id::<ScheduleId>(&schedule).ok();
            let form = FormState::from_form(&form, errors);
            checkins_page(&state, viewer, id, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn resume(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(schedule): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let done = async {
        let pid = own_patient(&viewer)?;
        let id = parse_id::<ScheduleId>(&schedule)?;
        state
            .app
            .monitoring()
            .resume(&viewer.ctx, pid, id, form.version())
            .await
    }
    .await;
    match done {
        Ok(_) => see_other("/me/check-ins"),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// One question of the answer page.
pub struct Question {
    /// The form field: `answers.<item key>`.
    pub name: String,
    pub number: usize,
    pub text: String,
    pub low: Option<String>,
    pub high: Option<String>,
    /// Value and label of each option.
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "me_answer.html")]
struct AnswerPage {
    base: Base,
    schedule_id: ScheduleId,
    title: String,
    instructions: String,
    acknowledgement: Option<String>,
    scale: bool,
    questions: Vec<Question>,
    form: FormState,
}

fn answer_page(
    mut base: Base,
    id: ScheduleId,
    key: InstrumentKey,
    form: FormState,
    status: StatusCode,
) -> Response {
    let inst = catalogue::get(key);
    let lang = base.lang_code();
    let questions = inst
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| Question {
            name: format!("answers.{}", it.key),
            number: i + 1,
            text: it.text.get(lang).to_owned(),
            low: it.anchors.map(|a| a.0.get(lang).to_owned()),
            high: it.anchors.map(|a| a.1.get(lang).to_owned()),
            options: inst
                .options
                .iter()
                .map(|o| (o.value.to_string(), o.label.get(lang).to_owned()))
                .collect(),
        })
        .collect();
    base.title = inst.title.get(lang).to_owned();
    render(
        status,
        &AnswerPage {
            title: inst.title.get(lang).to_owned(),
            instructions: inst.instructions.get(lang).to_owned(),
            acknowledgement: inst.acknowledgement.map(|a| a.get(lang).to_owned()),
            scale: inst.options.len() > 6,
            base,
            schedule_id: id,
            questions,
            form,
        },
    )
}

pub async fn answer_form(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(schedule): Path<String>,
) -> Response {
    let loaded = async {
        let pid = own_patient(&viewer)?;
        let id = parse_id::<ScheduleId>(&schedule)?;
        state.app.monitoring().schedule(&viewer.ctx, pid, id).await
    }
    .await;
    match loaded {
        Ok(v) if v.schedule.is_active() => answer_page(
            viewer.base,
            v.schedule.id,
            v.schedule.instrument,
            FormState::default(),
            StatusCode::OK,
        ),
        Ok(_) => see_other("/me/check-ins"),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// The posted answers by item key: a blank is unanswered; anything that is not a
/// whole number becomes a value no instrument has, so the item is named as invalid.
fn posted_answers(form: &FormData) -> BTreeMap<String, Option<i64>> {
    form.0
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("answers.")?;
            let v = v.trim();
            let value = if v.is_empty() {
                None
            } else {
                Some(v.parse::<i64>().unwrap_or(-1))
            };
            Some((key.to_owned(), value))
        })
        .collect()
}

pub async fn answer_submit(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(schedule): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let (pid, id) = match (own_patient(&viewer), parse_id::<ScheduleId>(&schedule)) {
        (Ok(p), Ok(i)) => (p, i),
        (Err(e), _) | (_, Err(e)) => return error_response(&viewer.base, e),
    };
    let given = posted_answers(&form);
    match state
        .app
        .monitoring()
        .answer(&viewer.ctx, pid, id, &given)
        .await
    {
        // A safety answer: straight to the crisis plan and the numbers to call.
        Ok(saved) if saved.after.safety => see_other("/me/crisis-plan?help=1"),
        Ok(_) => see_other("/me/check-ins"),
        Err(AppError::Validation(errors)) => {
            match state.app.monitoring().schedule(&viewer.ctx, pid, id).await {
                Ok(v) => answer_page(
                    viewer.base,
                    id,
                    v.schedule.instrument,
                    FormState::from_form(&form, errors),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                Err(e) => error_response(&viewer.base, e),
            }
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

// ---- the team's page -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "self_monitoring.html")]
struct TeamPage {
    base: Base,
    patient_id: PatientId,
    patient_name: String,
    rows: Vec<ScheduleRow>,
    trends: Vec<TrendView>,
    instruments: Vec<(String, String)>,
    form: FormState,
}

async fn team_page(
    state: &UiState,
    mut viewer: Viewer,
    patient: &str,
    form: FormState,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let pid = parse_patient(patient)?;
        let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
        let list = state.app.monitoring().schedules(&viewer.ctx, pid).await?;
        let trends = state.app.monitoring().trends(&viewer.ctx, pid).await?;
        Ok::<_, AppError>((pid, ov.patient.name, list, trends))
    }
    .await;
    match loaded {
        Ok((pid, name, list, trends)) => {
            viewer.base.title = format!("{} – {}", viewer.base.t("monitoring.title"), name);
            let lang = viewer.base.lang_code();
            let instruments = catalogue::all()
                .iter()
                .map(|i| (i.key.as_str().to_owned(), i.title.get(lang).to_owned()))
                .collect();
            let rows = rows(&viewer.base, list);
            let trends = trend_views(&viewer.base, trends);
            render(
                status,
                &TeamPage {
                    base: viewer.base,
                    patient_id: pid,
                    patient_name: name,
                    rows,
                    trends,
                    instruments,
                    form,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn team_view(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
) -> Response {
    if viewer.base.is_patient() {
        return see_other("/me/check-ins");
    }
    let form = FormState {
        values: [("every_days".to_owned(), "14".to_owned())].into(),
        ..Default::default()
    };
    team_page(&state, viewer, &patient, form, StatusCode::OK).await
}

pub async fn team_set(
    State(state): State<UiState>,
    viewer: Viewer,
    Path(patient): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let done = async {
        let pid = parse_patient(&patient)?;
        let every_days = match form.get("every_days").trim() {
            "" => None,
            // Not a number: a value outside the range, named at the field.
            s => Some(s.parse::<i64>().unwrap_or(0)),
        };
        let starts_on = match form.get("starts_on").trim() {
            "" => None,
            s => Some(samband_domain::text::date(
                "starts_on",
                s,
                samband_domain::text::DateWindow::planning(state.app.today()),
            )?),
        };
        let input = ScheduleInput {
            instrument: form.get("instrument").into(),
            every_days,
            starts_on,
            milestone: form.opt("milestone"),
        };
        state
            .app
            .monitoring()
            .set_schedule(&viewer.ctx, pid, &input)
            .await?;
        Ok::<_, AppError>(pid)
    }
    .await;
    match done {
        Ok(pid) => see_other(&format!("/patients/{pid}/self-monitoring")),
        Err(AppError::Validation(errors)) => {
            let form = FormState::from_form(&form, errors);
            team_page(
                &state,
                viewer,
                &patient,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn team_end(
    State(state): State<UiState>,
    viewer: Viewer,
    Path((patient, schedule)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let done = async {
        let pid = parse_patient(&patient)?;
        let id = parse_id::<ScheduleId>(&schedule)?;
        state
            .app
            .monitoring()
            .end_schedule(&viewer.ctx, pid, id, form.version())
            .await?;
        Ok::<_, AppError>(pid)
    }
    .await;
    match done {
        Ok(pid) => see_other(&format!("/patients/{pid}/self-monitoring")),
        Err(e) => error_response(&viewer.base, e),
    }
}
