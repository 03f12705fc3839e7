//! Sign-in, sign-out, the start page and the language switcher.

use super::{error_response, render};
use crate::base::Base;
use crate::forms::FormData;
use crate::i18n::Lang;
use crate::session::{
    anon_base, cookie_value, set_cookie, Viewer, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::UiState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::auth::secrets_equal;
use samband_app::AppError;
use samband_domain::principal::Subject;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    base: Base,
    username: String,
    error: Option<String>,
    login_csrf: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths are accepted as a redirect target (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn random_login_token() -> String {
    samband_app::auth::random_token()
}

fn show_login(
    state: &UiState,
    headers: &HeaderMap,
    username: &str,
    error: Option<String>,
    next: &str,
    status: StatusCode,
) -> Response {
    let token = random_login_token();
    let mut base = anon_base(state, headers, "/login");
    base.title = base.t("login.title");
    let page = LoginPage {
        base,
        username: username.to_owned(),
        error,
        login_csrf: token.clone(),
        next: next.to_owned(),
    };
    let mut res = render(status, &page);
    if let Ok(v) = set_cookie(
        LOGIN_CSRF_COOKIE,
        &token,
        state.cfg.secure_cookies,
        Some(3600),
    )
    .parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login_page(
    State(state): State<UiState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    show_login(
        &state,
        &headers,
        "",
        None,
        &safe_next(q.next.as_deref()),
        StatusCode::OK,
    )
}

pub async fn login_submit(
    State(state): State<UiState>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> Response {
    let peer = samband_http::client_address(
        req.headers(),
        req.extensions(),
        state.app.config.trust_forwarded_for,
    );
    let form =
        match <FormData as axum::extract::FromRequest<UiState>>::from_request(req, &state).await {
            Ok(f) => f,
            Err(r) => return r,
        };
    let next = safe_next(form.opt("next").as_deref());
    // Double-submit token: the sign-in form has no session yet to bind a token to.
    let cookie_token = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !secrets_equal(&cookie_token, form.get("_csrf")) {
        let base = anon_base(&state, &headers, "/login");
        let msg = base.t("login.expired");
        return show_login(
            &state,
            &headers,
            form.get("username"),
            Some(msg),
            &next,
            StatusCode::FORBIDDEN,
        );
    }
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match state
        .app
        .auth()
        .login(
            form.get("username"),
            form.get("password"),
            form.opt("code").as_deref(),
            &peer,
            request_id,
        )
        .await
    {
        Ok(session) => {
            let target = if next == "/" {
                home_for(&session.principal.subject).to_owned()
            } else {
                next
            };
            let mut res = Redirect::to(&target).into_response();
            let max_age = state.app.config.session_absolute.num_seconds();
            if let Ok(v) = set_cookie(
                SESSION_COOKIE,
                session.cookie_value.expose(),
                state.cfg.secure_cookies,
                Some(max_age),
            )
            .parse()
            {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(AppError::Unauthenticated) => {
            let base = anon_base(&state, &headers, "/login");
            let msg = base.t("login.failed");
            show_login(
                &state,
                &headers,
                form.get("username"),
                Some(msg),
                &next,
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(AppError::TooManyAttempts { retry_after_secs }) => {
            let base = anon_base(&state, &headers, "/login");
            let msg = base.t("login.throttled");
            let mut res = show_login(
                &state,
                &headers,
                form.get("username"),
                Some(msg),
                &next,
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(v) = retry_after_secs.to_string().parse() {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => error_response(&anon_base(&state, &headers, "/login"), e),
    }
}

pub async fn logout(State(state): State<UiState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(r) = crate::forms::check_csrf(&viewer, &form, None) {
        return r;
    }
    if let Err(e) = state
        .app
        .auth()
        .logout(&viewer.cookie, viewer.ctx.request_id.clone())
        .await
    {
        return error_response(&viewer.base, e);
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", state.cfg.secure_cookies, Some(0)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub fn home_for(subject: &Subject) -> &'static str {
    match subject {
        Subject::Professional(_) => "/patients",
        Subject::Patient(_) | Subject::Proxy { .. } => "/me",
        Subject::Admin => "/admin",
    }
}

pub async fn home(viewer: Viewer) -> Response {
    Redirect::to(home_for(&viewer.ctx.principal.subject)).into_response()
}

pub async fn set_language(
    State(state): State<UiState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::from_code(&code).unwrap_or(Lang::En);
    let mut res = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = set_cookie(
        LANG_COOKIE,
        lang.code(),
        state.cfg.secure_cookies,
        Some(365 * 24 * 3600),
    )
    .parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next(Some("/patients/1")), "/patients/1");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
