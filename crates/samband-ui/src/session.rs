//! Who is looking at a page: the session cookie resolved to a principal, the CSRF
//! token, and the language. Pages that need a signed-in user take [`Viewer`]; a
//! request without a valid session is sent to the sign-in page.

use crate::base::Base;
use crate::i18n::Lang;
use crate::UiState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::Cookie;
use samband_app::Ctx;

pub const SESSION_COOKIE: &str = "samband_session";
pub const LANG_COOKIE: &str = "samband_lang";
pub const LOGIN_CSRF_COOKIE: &str = "samband_login_csrf";

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Language: the profile's, else the switcher's cookie, else `Accept-Language`, else English.
pub fn pick_lang(profile: Option<&str>, headers: &HeaderMap) -> Lang {
    profile
        .and_then(Lang::from_code)
        .or_else(|| {
            cookie_value(headers, LANG_COOKIE)
                .as_deref()
                .and_then(Lang::from_code)
        })
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En)
}

pub struct Viewer {
    pub ctx: Ctx,
    pub csrf: String,
    pub cookie: String,
    pub base: Base,
}

fn request_id(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl FromRequestParts<UiState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &UiState,
    ) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_owned();
        let to_login = || {
            let anon = anon_base(state, &parts.headers, &path);
            Redirect::to(&format!("/login?next={}", anon.next_param())).into_response()
        };
        let Some(cookie) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let session = match state.app.auth().session(&cookie).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(to_login()),
            Err(e) => {
                return Err(crate::pages::error_response(
                    &anon_base(state, &parts.headers, &path),
                    e,
                ))
            }
        };
        // Until a required second factor is set up, only its setup page (and sign-out)
        // can be used.
        let allowed = path.starts_with("/account/2fa") || path == "/logout";
        if session.must_enroll && !allowed {
            return Err(Redirect::to("/account/2fa").into_response());
        }
        let lang = pick_lang(session.principal.locale.as_deref(), &parts.headers);
        // What the use cases word for this reader (notification texts, default action
        // titles) follows the language the page is shown in.
        let mut principal = session.principal;
        principal.locale = Some(lang.code().to_owned());
        let base = Base {
            lang,
            catalog: state.catalog.clone(),
            user: Some(principal.display_name.clone()),
            subject: Some(principal.subject),
            csrf: session.csrf_token.expose().to_owned(),
            tz: state.app.config.time_zone,
            path,
            title: String::new(),
        };
        Ok(Viewer {
            ctx: Ctx {
                principal,
                request_id: request_id(parts),
            },
            csrf: session.csrf_token.expose().to_owned(),
            cookie,
            base,
        })
    }
}

/// The layout data for a visitor who is not signed in.
pub fn anon_base(state: &UiState, headers: &HeaderMap, path: &str) -> Base {
    Base {
        lang: pick_lang(None, headers),
        catalog: state.catalog.clone(),
        user: None,
        subject: None,
        csrf: String::new(),
        tz: state.app.config.time_zone,
        path: path.to_owned(),
        title: String::new(),
    }
}

/// Builds a `Set-Cookie` value with the attributes Samband uses everywhere.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age_secs: Option<i64>) -> String {
    let mut c = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure);
    if let Some(secs) = max_age_secs {
        c = c.max_age(cookie::time::Duration::seconds(secs));
    }
    c.build().to_string()
}
