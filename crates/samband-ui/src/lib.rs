//! The web UI: server-rendered askama templates, htmx for small in-page updates,
//! static files embedded in the binary, CSRF tokens on every state-changing form.
//!
//! Handlers call `samband-app` use cases and render what they return; they hold no
//! policy and no SQL. Every string shown goes through the translation catalogue.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod base;
mod forms;
pub mod i18n;
mod pager;
mod pages;
mod session;
mod statics;
mod trend_svg;

use axum::routing::{get, post};
use axum::Router;
use samband_app::App;
use samband_http::RouteBook;
use std::sync::Arc;

pub use base::Base;

#[derive(Debug, Clone, Copy, Default)]
pub struct UiConfig {
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct UiState {
    pub app: App,
    pub cfg: UiConfig,
    pub catalog: Arc<i18n::Catalog>,
}

pub fn router(app: App, cfg: UiConfig) -> Router {
    let state = UiState {
        app,
        cfg,
        catalog: Arc::new(i18n::Catalog::load()),
    };
    book()
        .into_router()
        .fallback(pages::not_found)
        .with_state(state)
}

/// The verbs `/meetings/{meeting}/do/{verb}` and `/requests/{request}/{step}` take
/// (kept beside the handlers' matches, for tests that walk every route).
pub const MEETING_VERBS: &[&str] = pages::meetings::VERBS;
pub const REQUEST_STEPS: &[&str] = pages::messages::STEPS;

/// Every path template of the UI router, as the router has them.
pub fn route_paths() -> Vec<String> {
    book().paths().iter().map(|p| (*p).to_owned()).collect()
}

fn book() -> RouteBook<UiState> {
    use pages::{
        account, admin, auth, case_review, consent, meetings, messages, monitoring, pathways,
        patient_portal, patients, plan, registry, relapse, signals, team,
    };
    let book = RouteBook::new();
    let book = handover_routes(book);
    book.route("/", get(auth::home))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/lang/{code}", get(auth::set_language))
        .route("/static/{file}", get(statics::serve))
        .route(
            "/patients",
            get(patients::my_patients).post(patients::register_submit),
        )
        .route("/patients/new", get(patients::register_page))
        .route("/registry", get(registry::registry))
        .route("/registry/export.csv", get(registry::export))
        .route(
            "/patients/{patient}/case-reviews",
            get(case_review::show).post(case_review::submit),
        )
        .route("/patients/{patient}", get(patients::overview))
        .route("/patients/{patient}/history", get(patients::history))
        .route(
            "/patients/{patient}/consent",
            get(consent::paper).post(consent::paper_submit),
        )
        .route("/patients/{patient}/revision", post(plan::revision_submit))
        .route(
            "/patients/{patient}/actions/new",
            get(plan::action_new).post(plan::action_create),
        )
        .route(
            "/patients/{patient}/actions/{action}/edit",
            get(plan::action_edit).post(plan::action_update),
        )
        .route(
            "/patients/{patient}/actions/{action}/status",
            post(plan::action_status),
        )
        .route(
            "/patients/{patient}/goals/new",
            get(plan::goal_new).post(plan::goal_create),
        )
        .route(
            "/patients/{patient}/goals/{goal}/edit",
            get(plan::goal_edit).post(plan::goal_update),
        )
        .route(
            "/patients/{patient}/services/new",
            get(plan::service_new).post(plan::service_create),
        )
        .route(
            "/patients/{patient}/services/{service}/edit",
            get(plan::service_edit).post(plan::service_update),
        )
        .route(
            "/patients/{patient}/crisis-plan/edit",
            get(plan::crisis_edit).post(plan::crisis_update),
        )
        .route(
            "/patients/{patient}/relapse-plan",
            get(relapse::edit).post(relapse::update),
        )
        .route(
            "/patients/{patient}/team/new",
            get(team::member_new).post(team::member_create),
        )
        .route(
            "/patients/{patient}/team/{member}/edit",
            get(team::member_edit).post(team::member_update),
        )
        .route(
            "/patients/{patient}/team/{member}/end",
            post(team::member_end),
        )
        .route("/me", get(patient_portal::your_plan))
        .route("/me/team", get(patient_portal::who_helps))
        .route("/me/help", post(patient_portal::help_now))
        .route("/alerts", get(signals::my_alerts))
        .route("/patients/{patient}/alerts/{alert}", get(signals::view))
        .route(
            "/patients/{patient}/alerts/{alert}/acknowledge",
            post(signals::acknowledge),
        )
        .route(
            "/absences",
            get(signals::absences).post(signals::absence_add),
        )
        .route("/absences/{absence}/end", post(signals::absence_end))
        .route("/me/warning-sign", post(patient_portal::warning_sign))
        .route(
            "/me/crisis-plan",
            get(patient_portal::crisis_plan).post(patient_portal::crisis_plan_submit),
        )
        .route(
            "/me/relapse-plan",
            get(relapse::mine).post(relapse::mine_submit),
        )
        .route(
            "/me/goals/new",
            get(patient_portal::goal_new).post(patient_portal::goal_create),
        )
        .route("/me/check-ins", get(monitoring::me_checkins))
        .route(
            "/me/check-ins/{schedule}",
            get(monitoring::answer_form).post(monitoring::answer_submit),
        )
        .route("/me/check-ins/{schedule}/pause", post(monitoring::pause))
        .route("/me/check-ins/{schedule}/resume", post(monitoring::resume))
        .route(
            "/patients/{patient}/self-monitoring",
            get(monitoring::team_view).post(monitoring::team_set),
        )
        .route(
            "/patients/{patient}/self-monitoring/{schedule}/end",
            post(monitoring::team_end),
        )
        .route("/me/consent", get(consent::page).post(consent::submit))
        .route("/me/access-log", get(consent::access_log))
        .route(
            "/emergency",
            get(consent::emergency_page).post(consent::emergency_submit),
        )
        .route("/admin/emergency-review", post(consent::review))
        .route("/account", get(account::page))
        .route("/account/sessions/revoke", post(account::revoke))
        .route("/account/tokens/revoke", post(account::revoke_token))
        .route(
            "/account/2fa",
            get(account::two_factor).post(account::two_factor_confirm),
        )
        .route(
            "/patients/{patient}/meetings",
            get(meetings::list).post(meetings::create),
        )
        .route("/meetings", get(meetings::mine))
        .route("/meetings/{meeting}", get(meetings::view))
        .route("/meetings/{meeting}/chair", get(meetings::chair))
        .route("/meetings/{meeting}/calendar.ics", get(meetings::calendar))
        .route("/meetings/{meeting}/do/{verb}", post(meetings::act))
        .route("/me/meetings", get(meetings::me_list))
        .route("/guest/{token}", get(meetings::guest))
        .route("/guest/{token}/reply", post(meetings::guest_reply))
        .route("/inbox", get(messages::inbox))
        .route("/inbox/events", get(messages::events))
        .route(
            "/patients/{patient}/messages",
            get(messages::patient_messages).post(messages::start_thread),
        )
        .route(
            "/patients/{patient}/requests",
            post(messages::create_request),
        )
        .route("/patients/{patient}/follow", post(messages::follow))
        .route("/threads/{thread}", get(messages::thread))
        .route("/threads/{thread}/reply", post(messages::reply))
        .route(
            "/messages/{message}/acknowledge",
            post(messages::acknowledge),
        )
        .route("/requests/{request}/{step}", post(messages::request_step))
        .route("/attachments/{attachment}", get(messages::attachment))
        .route(
            "/me/messages",
            get(messages::me_messages).post(messages::me_write),
        )
        .route(
            "/account/notifications",
            get(messages::prefs).post(messages::prefs_submit),
        )
        .route("/admin/jobs", get(messages::jobs))
        .route("/admin/jobs/{job}/retry", post(messages::job_retry))
        .route("/admin", get(admin::page))
        .route("/admin/organisations", post(admin::create_organisation))
        .route("/admin/professionals", post(admin::create_professional))
        .route("/admin/accounts", post(admin::create_account))
        .route(
            "/patients/{patient}/pathways",
            get(pathways::view).post(pathways::enrol),
        )
        .route(
            "/patients/{patient}/pathways/{enrolment}/complete",
            post(pathways::complete),
        )
        .route(
            "/patients/{patient}/pathways/{enrolment}/end",
            post(pathways::end),
        )
        .route("/pathways/due", get(pathways::coordinator_list))
        .route(
            "/admin/pathways",
            get(pathways::admin_templates).post(pathways::admin_save_template),
        )
        .route(
            "/patients/{patient}/needs-mapping",
            get(pathways::needs_form).post(pathways::needs_submit),
        )
}

/// Structured hand-overs (`pages::handovers`).
fn handover_routes(book: RouteBook<UiState>) -> RouteBook<UiState> {
    use pages::handovers as h;
    book.route(
        "/patients/{patient}/handovers/new",
        get(h::new_form).post(h::create),
    )
    .route("/patients/{patient}/handovers/{handover}", get(h::view))
    .route(
        "/patients/{patient}/handovers/{handover}/edit",
        get(h::edit_form).post(h::update),
    )
    .route(
        "/patients/{patient}/handovers/{handover}/send",
        post(h::send),
    )
    .route(
        "/patients/{patient}/handovers/{handover}/acknowledge",
        post(h::acknowledge),
    )
    .route(
        "/patients/{patient}/handovers/{handover}/print",
        get(h::print),
    )
}
