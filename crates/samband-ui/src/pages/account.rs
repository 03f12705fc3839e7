//! "Your account": the signed-in user's sessions, each of which they can end, and
//! their API tokens, each of which they can revoke.

use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, FormData};
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::auth::{SessionView, TokenView};
use samband_app::consent::ReviewItem;
use samband_app::paging::{Page, PageParams};
use samband_app::AppError;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    base: Base,
    sessions: Vec<SessionView>,
    tokens: Vec<TokenView>,
    /// The emergency-access review, for a privacy officer.
    reviews: Option<(Page<ReviewItem>, Pager)>,
}

pub async fn page(
    State(state): State<UiState>,
    mut viewer: Viewer,
    Query(asked): Query<PageParams>,
) -> Response {
    let listed = match state
        .app
        .auth()
        .my_sessions(&viewer.ctx, Some(&viewer.cookie))
        .await
    {
        Ok(sessions) => state
            .app
            .auth()
            .list_tokens(&viewer.ctx)
            .await
            .map(|tokens| (sessions, tokens)),
        Err(e) => Err(e),
    };
    match listed {
        Ok((sessions, tokens)) => {
            // Privacy officers review emergency access by their organisation's people here;
            // for everyone else the use case says no, and the section is left out.
            let reviews = if viewer.base.is_professional() {
                match state
                    .app
                    .consent()
                    .emergency_review_page(&viewer.ctx, &asked)
                    .await
                {
                    Ok(page) => {
                        let pager = Pager::new(&page, "/account", &[], &asked);
                        Some((page, pager))
                    }
                    Err(AppError::Forbidden) => None,
                    Err(e) => return error_response(&viewer.base, e),
                }
            } else {
                None
            };
            viewer.base.title = viewer.base.t("account.title");
            render(
                StatusCode::OK,
                &AccountPage {
                    base: viewer.base,
                    sessions,
                    tokens,
                    reviews,
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}

pub async fn revoke(State(state): State<UiState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    match state
        .app
        .auth()
        .revoke_my_session(&viewer.ctx, form.get("session"))
        .await
    {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => error_response(&viewer.base, e),
    }
}

/// Revokes one of the user's own API tokens (the form on "Your account").
pub async fn revoke_token(
    State(state): State<UiState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    // An id that cannot exist is simply not found, like someone else's token.
    let Ok(token) = form.get("token").parse::<samband_domain::ids::TokenId>() else {
        return error_response(&viewer.base, samband_app::AppError::NotFound);
    };
    match state.app.auth().revoke_token(&viewer.ctx, token).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => error_response(&viewer.base, e),
    }
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    base: Base,
    secret: String,
    uri: String,
    error: Option<String>,
    recovery_codes: Vec<String>,
}

pub async fn two_factor(mut viewer: Viewer, State(state): State<UiState>) -> Response {
    let e = state.app.auth().start_totp_enrollment(&viewer.ctx);
    viewer.base.title = viewer.base.t("twofactor.title");
    render(
        StatusCode::OK,
        &TwoFactorPage {
            base: viewer.base,
            secret: e.secret.expose().to_owned(),
            uri: e.uri.expose().to_owned(),
            error: None,
            recovery_codes: Vec::new(),
        },
    )
}

pub async fn two_factor_confirm(
    State(state): State<UiState>,
    mut viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(r) = check_csrf(&viewer, &form, None) {
        return r;
    }
    viewer.base.title = viewer.base.t("twofactor.title");
    let secret = form.get("secret").to_owned();
    match state
        .app
        .auth()
        .confirm_totp(&viewer.ctx, &secret, form.get("code"))
        .await
    {
        Ok(codes) => render(
            StatusCode::OK,
            &TwoFactorPage {
                base: viewer.base,
                secret: String::new(),
                uri: String::new(),
                error: None,
                recovery_codes: codes,
            },
        ),
        Err(samband_app::AppError::Validation(v)) => {
            let msg = v
                .errors
                .first()
                .map(|e| viewer.base.t_err(e))
                .unwrap_or_default();
            let uri = format!("otpauth://totp/Samband?secret={secret}&issuer=Samband");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &TwoFactorPage {
                    base: viewer.base,
                    secret,
                    uri,
                    error: Some(msg),
                    recovery_codes: Vec::new(),
                },
            )
        }
        Err(e) => error_response(&viewer.base, e),
    }
}
