//! Administration: organisations, professionals and accounts. Administrators see no
//! clinical content; this page shows none.

use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, FormData, FormState};
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::consent::ReviewItem;
use samband_app::directory::AccountInput;
use samband_app::paging::{Page, PageParams};
use samband_app::AppError;
use samband_domain::organisation::{Organisation, Sector};
use samband_domain::professional::{NewProfessional, Professional};
use samband_domain::ValidationErrors;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    base: Base,
    /// Every organisation and professional, for the forms' selects (until they search).
    organisations: Vec<Organisation>,
    professionals: Vec<Professional>,
    /// The directory's lists, a page each.
    org_page: Page<Organisation>,
    org_pager: Pager,
    pro_page: Page<Professional>,
    pro_pager: Pager,
    sectors: &'static [Sector],
    org_form: FormState,
    pro_form: FormState,
    acc_form: FormState,
    notice: Option<String>,
    emergency: Page<ReviewItem>,
    emergency_pager: Pager,
}

/// The page's three lists, each paged by its own pair of query parameters, so paging
/// one keeps the place in the others.
#[derive(Debug, Default, Deserialize)]
pub struct AdminLists {
    cursor: Option<String>,
    limit: Option<String>,
    org_cursor: Option<String>,
    org_limit: Option<String>,
    pro_cursor: Option<String>,
    pro_limit: Option<String>,
}

const REVIEW: (&str, &str) = ("cursor", "limit");
const ORG: (&str, &str) = ("org_cursor", "org_limit");
const PRO: (&str, &str) = ("pro_cursor", "pro_limit");

impl AdminLists {
    fn params(c: &Option<String>, l: &Option<String>) -> PageParams {
        PageParams {
            cursor: c.clone(),
            limit: l.clone(),
        }
    }
    fn review(&self) -> PageParams {
        Self::params(&self.cursor, &self.limit)
    }
    fn organisations(&self) -> PageParams {
        Self::params(&self.org_cursor, &self.org_limit)
    }
    fn professionals(&self) -> PageParams {
        Self::params(&self.pro_cursor, &self.pro_limit)
    }

    /// The pager of the list named by `names`, keeping the other two lists' places.
    fn pager<T>(&self, page: &Page<T>, names: (&str, &str)) -> Pager {
        let all = [
            (REVIEW, &self.cursor, &self.limit),
            (ORG, &self.org_cursor, &self.org_limit),
            (PRO, &self.pro_cursor, &self.pro_limit),
        ];
        let mut keep = Vec::new();
        let mut asked = PageParams::first();
        for ((c_name, l_name), c, l) in all {
            if (c_name, l_name) == names {
                asked = Self::params(c, l);
            } else {
                keep.push((c_name, c.as_deref()));
                keep.push((l_name, l.as_deref()));
            }
        }
        Pager::named(page, "/admin", &keep, &asked, names)
    }
}

async fn show(
    state: &UiState,
    viewer: &Viewer,
    forms: [FormState; 3],
    notice: Option<String>,
    status: StatusCode,
    asked: &AdminLists,
) -> Response {
    if !viewer.base.is_admin() {
        return error_response(&viewer.base, AppError::Forbidden);
    }
    let loaded = async {
        Ok::<_, AppError>((
            state
                .app
                .directory()
                .list_organisations(&viewer.ctx)
                .await?,
            state
                .app
                .directory()
                .list_professionals(&viewer.ctx)
                .await?,
            state
                .app
                .directory()
                .organisations_page(&viewer.ctx, &asked.organisations())
                .await?,
            state
                .app
                .directory()
                .professionals_page(&viewer.ctx, &asked.professionals())
                .await?,
            state
                .app
                .consent()
                .emergency_review_page(&viewer.ctx, &asked.review())
                .await?,
        ))
    }
    .await;
    match loaded {
        Ok((organisations, professionals, org_page, pro_page, emergency)) => {
            let mut base = viewer.base.clone();
            base.title = base.t("admin.title");
            let [org_form, pro_form, acc_form] = forms;
            render(
                status,
                &AdminPage {
                    base,
                    organisations,
                    professionals,
                    org_pager: asked.pager(&org_page, ORG),
                    org_page,
                    pro_pager: asked.pager(&pro_page, PRO),
                    pro_page,
                    sectors: Sector::ALL,
                    org_form,
                    pro_form,
                    acc_form,
                    notice,
                    emergency_pager: asked.pager(&emergency, REVIEW),
                    emergency,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn page(
    State(state): State<UiState>,
    viewer: Viewer,
    Query(asked): Query<AdminLists>,
) -> Response {
    show(
        &state,
        &viewer,
        Default::default(),
        None,
        StatusCode::OK,
        &asked,
    )
    .await
}

pub async fn create_organisation(
    State(state): State<UiState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    match state
        .app
        .directory()
        .create_organisation(
            &viewer.ctx,
            form.get("name"),
            form.get("sector"),
            form.opt("country").as_deref(),
        )
        .await
    {
        Ok(_) => Redirect::to("/admin").into_response(),
        Err(AppError::Validation(e)) => {
            show(
                &state,
                &viewer,
                [
                    FormState::from_form(&form, e),
                    FormState::default(),
                    FormState::default(),
                ],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                &AdminLists::default(),
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn create_professional(
    State(state): State<UiState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let orgs = form
        .get("organisation_id")
        .parse()
        .map(|o| vec![o])
        .unwrap_or_default();
    let result = match NewProfessional::parse(
        form.get("name"),
        form.get("title"),
        orgs,
        form.opt("phone").as_deref(),
        form.opt("email").as_deref(),
        form.opt("availability").as_deref(),
    ) {
        Ok(new) => state
            .app
            .directory()
            .create_professional(&viewer.ctx, new)
            .await
            .map(|_| ()),
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(AppError::Validation(e)) => {
            show(
                &state,
                &viewer,
                [
                    FormState::default(),
                    FormState::from_form(&form, e),
                    FormState::default(),
                ],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                &AdminLists::default(),
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn create_account(
    State(state): State<UiState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    let mut bad = ValidationErrors::new();
    let professional_id = match form.opt("professional_id") {
        Some(v) => v.parse().map(Some).unwrap_or_else(|_| {
            bad.add(
                "professional_id",
                "bad_choice",
                "choose one of the listed options",
            );
            None
        }),
        None => None,
    };
    let patient_id = match form.opt("patient_id") {
        Some(v) => v.parse().map(Some).unwrap_or_else(|_| {
            bad.add("patient_id", "bad_id", "must be a patient id");
            None
        }),
        None => None,
    };
    let input = AccountInput {
        username: form.get("username").into(),
        password: form.get("password").into(),
        role: form.get("role").into(),
        display_name: form.get("display_name").into(),
        professional_id,
        patient_id,
        privacy_officer: form.get("privacy_officer") == "on",
        proxy_may_consent: form.get("proxy_may_consent") == "on",
    };
    let result = if bad.is_empty() {
        state
            .app
            .directory()
            .create_account(Some(&viewer.ctx), &input)
            .await
            .map(|a| a.username)
    } else {
        Err(AppError::Validation(bad))
    };
    match result {
        Ok(username) => {
            let notice = Some(format!(
                "{} {username}",
                viewer.base.t("admin.account_created")
            ));
            show(
                &state,
                &viewer,
                Default::default(),
                notice,
                StatusCode::OK,
                &AdminLists::default(),
            )
            .await
        }
        Err(AppError::Validation(e)) => {
            let mut f = FormState::from_form(&form, e);
            f.values.remove("password");
            show(
                &state,
                &viewer,
                [FormState::default(), FormState::default(), f],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                &AdminLists::default(),
            )
            .await
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
