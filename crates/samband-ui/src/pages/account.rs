//! "Your account": the signed-in user's sessions, each of which they can end.

use super::{error_response, render};
use crate::base::Base;
use crate::forms::{check_csrf, FormData};
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::auth::SessionView;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    base: Base,
    sessions: Vec<SessionView>,
}

pub async fn page(State(state): State<UiState>, mut viewer: Viewer) -> Response {
    match state
        .app
        .my_sessions(&viewer.ctx, Some(&viewer.cookie))
        .await
    {
        Ok(sessions) => {
            viewer.base.title = viewer.base.t("account.title");
            render(
                StatusCode::OK,
                &AccountPage {
                    base: viewer.base,
                    sessions,
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
        .revoke_my_session(&viewer.ctx, form.get("session"))
        .await
    {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => error_response(&viewer.base, e),
    }
}
