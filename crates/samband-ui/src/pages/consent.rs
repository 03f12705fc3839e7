//! "Who can see what" (the patient's consent, as a grid of the organisations on their
//! team and the kinds of information), the patient's access log, emergency access, and
//! the administrator's review of emergency access.

use super::patient_portal::own_patient;
use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::pager::Pager;
use crate::session::Viewer as Visitor;
use crate::UiState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::consent::{AccessLogRow, EMERGENCY_REASONS};
use samband_app::paging::PageParams;
use samband_app::AppError;
use samband_domain::consent::{Category, Consent, Recipient, RuleInput, Viewer};
use samband_domain::ids::OrganisationId;
use samband_domain::organisation::Organisation;
use samband_domain::ValidationErrors;

/// One organisation on the team and what it may see, category by category.
#[derive(Clone)]
pub struct GridRow {
    pub organisation: Organisation,
    pub cells: Vec<(Category, bool)>,
}

#[derive(Template)]
#[template(path = "me_consent.html")]
struct ConsentPage {
    base: Base,
    rows: Vec<GridRow>,
    version: i64,
    error: Option<String>,
    /// Access the choices take away (organisation, category), to be confirmed.
    withdrawals: Vec<(String, Category)>,
    /// The confirmation's field error.
    form: FormState,
}

impl ConsentPage {
    fn new(base: Base, rows: Vec<GridRow>, version: i64) -> Self {
        Self {
            base,
            rows,
            version,
            error: None,
            withdrawals: Vec::new(),
            form: FormState::default(),
        }
    }
}

/// The grid as the patient chose it in `form` (cells not sent keep what is stored).
fn chosen(rows: Vec<GridRow>, form: &FormData) -> Vec<GridRow> {
    rows.into_iter()
        .map(|mut r| {
            for cell in &mut r.cells {
                match form.get(&format!("c.{}.{}", r.organisation.id, cell.0.as_str())) {
                    "yes" => cell.1 = true,
                    "no" => cell.1 = false,
                    _ => {}
                }
            }
            r
        })
        .collect()
}

/// What the chosen grid takes away from what is allowed now.
fn withdrawn(now: &[GridRow], chosen: &[GridRow]) -> Vec<(String, Category)> {
    let mut out = Vec::new();
    for (a, b) in now.iter().zip(chosen) {
        for (was, will) in a.cells.iter().zip(&b.cells) {
            if was.1 && !will.1 {
                out.push((a.organisation.name.clone(), was.0));
            }
        }
    }
    out
}

async fn grid(state: &UiState, viewer: &Visitor) -> Result<(Vec<GridRow>, Consent), AppError> {
    let patient = own_patient(viewer)?;
    let ov = state.app.patients().overview(&viewer.ctx, patient).await?;
    let consent = state.app.consent().current(&viewer.ctx, patient).await?;
    let today = state.app.today();
    let defaults = &state.app.config.consent_defaults;
    let mut orgs: Vec<Organisation> = Vec::new();
    for m in ov.active_members() {
        if let Some(o) = &m.organisation {
            if !orgs.iter().any(|x| x.id == o.id) {
                orgs.push(o.clone());
            }
        }
    }
    let rows = orgs
        .into_iter()
        .map(|o| {
            let who = Viewer {
                organisation: Some(o.id),
                sector: Some(o.sector),
            };
            let cells = Category::ALL
                .iter()
                .map(|c| (*c, consent.allows(who, *c, today, defaults)))
                .collect();
            GridRow {
                organisation: o,
                cells,
            }
        })
        .collect();
    Ok((rows, consent))
}

pub async fn page(State(state): State<UiState>, mut viewer: Visitor) -> Response {
    match grid(&state, &viewer).await {
        Ok((rows, consent)) => {
            viewer.base.title = viewer.base.t("consent.title");
            let page = ConsentPage::new(viewer.base, rows, consent.version);
            render(StatusCode::OK, &page)
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

/// The grid as rules: for each organisation and category, an organisation rule only
/// where the choice differs from what sector rules and defaults already give.
fn rules_from_grid(
    form: &FormData,
    rows: &[GridRow],
    current: &Consent,
    state: &UiState,
) -> Vec<RuleInput> {
    let grid_orgs: Vec<OrganisationId> = rows.iter().map(|r| r.organisation.id).collect();
    let mut keep: Vec<RuleInput> = Vec::new();
    let mut without_grid_orgs = current.clone();
    without_grid_orgs
        .rules
        .retain(|r| !matches!(r.recipient, Recipient::Organisation(o) if grid_orgs.contains(&o)));
    for r in &without_grid_orgs.rules {
        let (kind, recipient) = match r.recipient {
            Recipient::Organisation(o) => ("organisation", o.to_string()),
            Recipient::Sector(s) => ("sector", s.as_str().to_owned()),
        };
        keep.push(RuleInput {
            recipient_kind: kind.into(),
            recipient,
            category: r.category.as_str().into(),
            permit: r.permit,
            valid_from: r.valid_from.map(|d| d.to_string()),
            valid_to: r.valid_to.map(|d| d.to_string()),
            purpose: r.purpose.map(|p| p.as_str().to_owned()),
        });
    }
    let today = state.app.today();
    for row in rows {
        let who = Viewer {
            organisation: Some(row.organisation.id),
            sector: Some(row.organisation.sector),
        };
        for c in Category::ALL {
            let field = format!("c.{}.{}", row.organisation.id, c.as_str());
            let wanted = match form.get(&field) {
                "yes" => true,
                "no" => false,
                _ => continue,
            };
            let baseline =
                without_grid_orgs.allows(who, *c, today, &state.app.config.consent_defaults);
            if wanted != baseline {
                keep.push(RuleInput {
                    recipient_kind: "organisation".into(),
                    recipient: row.organisation.id.to_string(),
                    category: c.as_str().into(),
                    permit: wanted,
                    ..Default::default()
                });
            }
        }
    }
    keep
}

pub async fn submit(State(state): State<UiState>, mut viewer: Visitor, form: FormData) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    viewer.base.title = viewer.base.t("consent.title");
    let patient = match own_patient(&viewer) {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    let (rows, current) = match grid(&state, &viewer).await {
        Ok(g) => g,
        Err(e) => return error_response(&viewer.base, e),
    };
    // Taking access away applies at once and cannot be undone by the team: it is done
    // only with the box ticked; until then the choices stay on the page as made.
    let rules = rules_from_grid(&form, &rows, &current, &state);
    let version = form.version();
    let chosen_rows = chosen(rows.clone(), &form);
    let withdrawals = withdrawn(&rows, &chosen_rows);
    if !withdrawals.is_empty() && form.get("withdraw_confirm") != "on" {
        let mut page = ConsentPage::new(viewer.base, chosen_rows, version);
        page.withdrawals = withdrawals;
        page.form.errors = ValidationErrors::single(
            "withdraw_confirm",
            "confirm_required",
            "tick the box to confirm taking access away",
        );
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match state
        .app
        .consent()
        .save(&viewer.ctx, patient, &rules, version, None)
        .await
    {
        Ok(_) => Redirect::to("/me/consent").into_response(),
        Err(AppError::Conflict(c)) => {
            // The choices made stay on the page; saving again starts from what is
            // stored now.
            let msg = viewer.base.t("consent.changed_meanwhile");
            let mut page = ConsentPage::new(viewer.base, chosen_rows, c.current_version);
            page.error = Some(msg);
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "me_access_log.html")]
struct AccessLogPage {
    base: Base,
    rows: Vec<AccessLogRow>,
    pager: Pager,
}

pub async fn access_log(
    State(state): State<UiState>,
    mut viewer: Visitor,
    Query(asked): Query<PageParams>,
) -> Response {
    let result = async {
        state
            .app
            .consent()
            .access_log(&viewer.ctx, own_patient(&viewer)?, &asked)
            .await
    }
    .await;
    match result {
        Ok(page) => {
            viewer.base.title = viewer.base.t("access_log.title");
            let pager = Pager::new(&page, "/me/access-log", &[], &asked);
            render(
                StatusCode::OK,
                &AccessLogPage {
                    base: viewer.base,
                    rows: page.items,
                    pager,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "emergency.html")]
struct EmergencyPage {
    base: Base,
    form: FormState,
    reasons: &'static [&'static str],
    not_found: bool,
}

pub async fn emergency_page(mut viewer: Visitor) -> Response {
    if !viewer.base.is_professional() {
        return error_response(&viewer.base, AppError::Forbidden);
    }
    viewer.base.title = viewer.base.t("emergency.title");
    render(
        StatusCode::OK,
        &EmergencyPage {
            base: viewer.base,
            form: FormState::default(),
            reasons: EMERGENCY_REASONS,
            not_found: false,
        },
    )
}

pub async fn emergency_submit(
    State(state): State<UiState>,
    mut viewer: Visitor,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let result = state
        .app
        .consent()
        .break_glass_by_identifier(
            &viewer.ctx,
            form.get("identifier"),
            form.get("reason_code"),
            form.get("reason_text"),
            form.get("password"),
        )
        .await;
    viewer.base.title = viewer.base.t("emergency.title");
    let mut shown = FormState::from_form(&form, Default::default());
    shown.values.remove("password");
    match result {
        Ok((patient, _)) => Redirect::to(&format!("/patients/{patient}")).into_response(),
        Err(AppError::Validation(errors)) => {
            shown.errors = errors;
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &EmergencyPage {
                    base: viewer.base,
                    form: shown,
                    reasons: EMERGENCY_REASONS,
                    not_found: false,
                },
            )
        }
        Err(AppError::NotFound) => render(
            StatusCode::NOT_FOUND,
            &EmergencyPage {
                base: viewer.base,
                form: shown,
                reasons: EMERGENCY_REASONS,
                not_found: true,
            },
        ),
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn review(State(state): State<UiState>, viewer: Visitor, form: FormData) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let Ok(id) = form.get("grant").parse::<uuid::Uuid>() else {
        return error_response(&viewer.base, AppError::NotFound);
    };
    match state
        .app
        .consent()
        .mark_emergency_reviewed(&viewer.ctx, id)
        .await
    {
        Ok(()) => Redirect::to(if viewer.base.is_admin() {
            "/admin"
        } else {
            "/account"
        })
        .into_response(),
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "paper_consent.html")]
struct PaperConsentPage {
    base: Base,
    patient_id: samband_domain::ids::PatientId,
    patient_name: String,
    consent: Consent,
    organisations: Vec<Organisation>,
    form: FormState,
}

fn rule_input(r: &samband_domain::consent::ConsentRule) -> RuleInput {
    let (kind, recipient) = match r.recipient {
        Recipient::Organisation(o) => ("organisation", o.to_string()),
        Recipient::Sector(s) => ("sector", s.as_str().to_owned()),
    };
    RuleInput {
        recipient_kind: kind.into(),
        recipient,
        category: r.category.as_str().into(),
        permit: r.permit,
        valid_from: r.valid_from.map(|d| d.to_string()),
        valid_to: r.valid_to.map(|d| d.to_string()),
        purpose: r.purpose.map(|p| p.as_str().to_owned()),
    }
}

async fn paper_page(
    state: &UiState,
    viewer: &Visitor,
    patient: &str,
    form: FormState,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let pid = super::patients::parse_patient(patient)?;
        let ov = state.app.patients().overview(&viewer.ctx, pid).await?;
        let consent = state.app.consent().current(&viewer.ctx, pid).await?;
        let organisations = state
            .app
            .directory()
            .list_organisations(&viewer.ctx)
            .await?;
        Ok::<_, AppError>((pid, ov.patient.name, consent, organisations))
    }
    .await;
    match loaded {
        Ok((patient_id, patient_name, consent, organisations)) => {
            let mut base = viewer.base.clone();
            base.title = base.t("paper.title");
            render(
                status,
                &PaperConsentPage {
                    base,
                    patient_id,
                    patient_name,
                    consent,
                    organisations,
                    form,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn paper(
    State(state): State<UiState>,
    viewer: Visitor,
    axum::extract::Path(patient): axum::extract::Path<String>,
) -> Response {
    let mut form = FormState::default();
    form.values.insert("permit".into(), "yes".into());
    paper_page(&state, &viewer, &patient, form, StatusCode::OK).await
}

/// Adds one rule, as the patient signed it on paper, after the professional re-enters
/// their password.
pub async fn paper_submit(
    State(state): State<UiState>,
    viewer: Visitor,
    axum::extract::Path(patient): axum::extract::Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let result = async {
        let pid = super::patients::parse_patient(&patient)?;
        let current = state.app.consent().current(&viewer.ctx, pid).await?;
        let mut rules: Vec<RuleInput> = current.rules.iter().map(rule_input).collect();
        let (kind, recipient) = match form.get("recipient").split_once(':') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (String::new(), String::new()),
        };
        rules.push(RuleInput {
            recipient_kind: kind,
            recipient,
            category: form.get("category").into(),
            permit: form.get("permit") == "yes",
            valid_from: form.opt("valid_from"),
            valid_to: form.opt("valid_to"),
            purpose: form.opt("purpose"),
        });
        state
            .app
            .consent()
            .save(
                &viewer.ctx,
                pid,
                &rules,
                form.version(),
                Some(form.get("password")),
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/patients/{patient}/consent")).into_response(),
        Err(AppError::Validation(errors)) => {
            // Field names of the new rule ("rules[n].x") are shown against the form's fields.
            let mut shown = FormState::from_form(&form, errors);
            shown.values.remove("password");
            for e in &mut shown.errors.errors {
                if let Some((_, field)) = e.field.rsplit_once('.') {
                    e.field = field.to_owned();
                }
            }
            paper_page(
                &state,
                &viewer,
                &patient,
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
