//! Form bodies, CSRF checks and the state a form is re-rendered with after an error.

use crate::session::Viewer;
use crate::UiState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use samband_app::auth::secrets_equal;
use samband_domain::{FieldError, ValidationErrors};
use std::collections::HashMap;

/// An `application/x-www-form-urlencoded` body as field → value (last one wins).
pub struct FormData(pub HashMap<String, String>);

impl FromRequest<UiState> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &UiState) -> Result<Self, Self::Rejection> {
        let ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !ok {
            return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, "form expected").into_response());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response())?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| (StatusCode::BAD_REQUEST, "malformed form").into_response())?;
        Ok(FormData(pairs.into_iter().collect()))
    }
}

impl FormData {
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }

    pub fn opt(&self, k: &str) -> Option<String> {
        self.0
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    pub fn version(&self) -> i64 {
        self.get("version").trim().parse().unwrap_or(-1)
    }
}

#[allow(clippy::result_large_err)] // the error is the response itself, returned at once
/// Refuses a state-changing request whose CSRF token does not match the session's.
pub fn check_csrf(
    viewer: &Viewer,
    form: &FormData,
    headers_token: Option<&str>,
) -> Result<(), Response> {
    let sent = form
        .0
        .get("_csrf")
        .map(String::as_str)
        .or(headers_token)
        .unwrap_or("");
    if !sent.is_empty() && secrets_equal(sent, &viewer.csrf) {
        Ok(())
    } else {
        Err((
            StatusCode::FORBIDDEN,
            "The form has expired. Go back, reload the page and try again.",
        )
            .into_response())
    }
}

/// Values and errors a form is shown with.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: ValidationErrors,
    /// Parts of a one-form page (see [`FormState::keep_typed`]) shown with what was
    /// typed in them rather than what is stored.
    pub kept: Vec<String>,
}

// ---- one form per page ---------------------------------------------------------------
//
// A page with several parts that each save on their own (the meeting page, the chair
// view, the plan overview) is one `<form>`: every part's submit button names its action
// with `formaction`, so whichever button is pressed, the post carries everything typed
// anywhere on the page. Fields are named `part.field`. After the pressed part's action,
// the page is shown from the store again, except for the parts whose posted values
// differ from what the store gives: those were typed and not saved, and keep what was
// typed (with the version they were typed from, so a later save still meets a conflict
// rather than overwriting someone else's change).

/// The part a one-form page's field belongs to (`agenda` for `agenda.title`); fields
/// outside parts (`_csrf`, a button's `item`) have none.
pub fn part_of(name: &str) -> Option<&str> {
    name.split_once('.').map(|(p, _)| p)
}

/// Text as typed and as stored compare equal regardless of line endings (browsers send
/// CRLF) and surrounding space (the domain trims).
pub fn same_text(a: &str, b: &str) -> bool {
    a.replace("\r\n", "\n").trim() == b.replace("\r\n", "\n").trim()
}

/// Prefixes every error's field with its part (`title` → `agenda.title`).
pub fn in_part(part: &str, mut e: ValidationErrors) -> ValidationErrors {
    for f in &mut e.errors {
        f.field = format!("{part}.{}", f.field);
    }
    e
}

impl FormState {
    pub fn from_form(form: &FormData, errors: ValidationErrors) -> Self {
        Self {
            values: form.0.clone(),
            errors,
            kept: Vec::new(),
        }
    }

    /// A one-form page as the store now gives it (`now`: every field as the page
    /// renders it, checked boxes as `on`), with each part of `posted` that differs from
    /// what the page showed before the post (`shown`: the store before the action) kept
    /// as typed. Comparing with what was shown, not with the store after the action, is
    /// what keeps an untouched part from looking typed when the action changed its
    /// defaults (a new participant's box in "add an item"). Parts in `saved` were just
    /// saved by this request and come from the store. A part's `version` is not
    /// compared: it says what the typing started from.
    pub fn keep_typed(
        shown: &HashMap<String, String>,
        now: HashMap<String, String>,
        posted: &FormData,
        saved: &[String],
    ) -> Self {
        let mut parts: Vec<&str> = shown.keys().filter_map(|k| part_of(k)).collect();
        parts.sort_unstable();
        parts.dedup();
        let typed_parts: Vec<String> = parts
            .into_iter()
            .filter(|p| !saved.iter().any(|s| s == p))
            .filter(|p| posted.0.keys().any(|k| part_of(k) == Some(p)))
            .filter(|p| {
                let in_part = |k: &&String| part_of(k) == Some(p) && !k.ends_with(".version");
                shown
                    .keys()
                    .filter(in_part)
                    .chain(posted.0.keys().filter(in_part))
                    .any(|k| {
                        !same_text(
                            shown.get(k).map(String::as_str).unwrap_or(""),
                            posted.get(k),
                        )
                    })
            })
            .map(str::to_owned)
            .collect();
        let mut values = now;
        for p in &typed_parts {
            values.retain(|k, _| part_of(k) != Some(p.as_str()));
            for (k, v) in &posted.0 {
                if part_of(k) == Some(p.as_str()) {
                    values.insert(k.clone(), v.clone());
                }
            }
        }
        Self {
            values,
            errors: ValidationErrors::new(),
            kept: typed_parts,
        }
    }

    /// Shows `part` with what was posted for it (after a refusal), whatever the store
    /// holds.
    pub fn keep_part(&mut self, part: &str, posted: &FormData) {
        self.values.retain(|k, _| part_of(k) != Some(part));
        for (k, v) in &posted.0 {
            if part_of(k) == Some(part) {
                self.values.insert(k.clone(), v.clone());
            }
        }
        if !self.kept.iter().any(|p| p == part) {
            self.kept.push(part.to_owned());
        }
    }

    /// Was this part kept as typed?
    pub fn is_kept(&self, part: &str) -> bool {
        self.kept.iter().any(|p| p == part)
    }

    /// Errors for the fields of one part, for the summary above it.
    pub fn errors_in(&self, part: &str) -> Vec<&FieldError> {
        self.errors
            .errors
            .iter()
            .filter(|e| part_of(&e.field) == Some(part))
            .collect()
    }

    /// The element id of a field (`agenda.title` → `agenda-title`).
    pub fn fid(&self, name: &str) -> String {
        name.replace('.', "-")
    }

    pub fn val(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }

    pub fn is(&self, k: &str, v: &str) -> bool {
        self.values.get(k).is_some_and(|x| x == v)
    }

    pub fn checked(&self, k: &str) -> bool {
        self.values
            .get(k)
            .is_some_and(|x| x == "on" || x == "true" || x == "1")
    }

    pub fn err(&self, k: &str) -> Option<&FieldError> {
        self.errors.for_field(k)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// A form that may carry files (`multipart/form-data`) or not (urlencoded), with every
/// value of repeated fields kept (checkbox groups).
pub struct Submitted {
    pub form: FormData,
    pub multi: Vec<(String, String)>,
    pub files: Vec<samband_app::messaging::Upload>,
}

impl Submitted {
    /// Every value sent for `k`, in order.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.multi
            .iter()
            .filter(|(name, _)| name == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl FromRequest<UiState> for Submitted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &UiState) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if ct.starts_with("multipart/form-data") {
            let mut mp = axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(|e| (StatusCode::BAD_REQUEST, e.body_text()).into_response())?;
            let mut multi = Vec::new();
            let mut files = Vec::new();
            while let Some(field) = mp
                .next_field()
                .await
                .map_err(|e| (e.status(), e.body_text()).into_response())?
            {
                let name = field.name().unwrap_or_default().to_owned();
                match field.file_name().map(str::to_owned) {
                    Some(file_name) => {
                        let data = field
                            .bytes()
                            .await
                            .map_err(|e| (e.status(), e.body_text()).into_response())?;
                        // An empty file input sends a nameless, empty part: no file.
                        if !(file_name.is_empty() && data.is_empty()) {
                            files.push(samband_app::messaging::Upload {
                                file_name,
                                data: data.to_vec(),
                            });
                        }
                    }
                    None => {
                        let text = field
                            .text()
                            .await
                            .map_err(|e| (e.status(), e.body_text()).into_response())?;
                        multi.push((name, text));
                    }
                }
            }
            let form = FormData(multi.iter().cloned().collect());
            Ok(Submitted { form, multi, files })
        } else if ct.starts_with("application/x-www-form-urlencoded") {
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response())?;
            let multi: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|_| (StatusCode::BAD_REQUEST, "malformed form").into_response())?;
            let form = FormData(multi.iter().cloned().collect());
            Ok(Submitted {
                form,
                multi,
                files: vec![],
            })
        } else {
            Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, "form expected").into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn keeps_only_the_parts_typed_and_not_saved() {
        let stored = map(&[
            ("min-1.minutes", "stored one"),
            ("min-1.version", "3"),
            ("min-2.minutes", ""),
            ("min-2.version", "1"),
            ("dec-1.text", ""),
            ("dec-2.text", ""),
            ("agenda.patient_present", "on"),
            ("agenda.title", ""),
        ]);
        let posted = FormData(map(&[
            // Same text, other line endings and a trailing space: not typed.
            ("min-1.minutes", "stored one\r\n "),
            ("min-1.version", "2"),
            ("min-2.minutes", "typed"),
            ("min-2.version", "1"),
            ("dec-1.text", "the decision just added"),
            ("dec-2.text", "a decision typed at item two"),
            // The box was unticked, so it is not posted: typed.
            ("agenda.title", ""),
            ("_csrf", "x"),
        ]));
        let mut now = stored.clone();
        now.insert("min-1.version".into(), "4".into());
        let shown = FormState::keep_typed(&stored, now, &posted, &["dec-1".to_owned()]);
        let mut kept = shown.kept.clone();
        kept.sort();
        assert_eq!(kept, ["agenda", "dec-2", "min-2"]);
        assert_eq!(shown.val("min-1.minutes"), "stored one");
        assert_eq!(shown.val("min-1.version"), "4", "from the store now");
        assert_eq!(shown.val("min-2.minutes"), "typed");
        assert_eq!(shown.val("dec-1.text"), "", "saved: from the store");
        assert_eq!(shown.val("dec-2.text"), "a decision typed at item two");
        assert!(!shown.checked("agenda.patient_present"));
        assert_eq!(shown.val("_csrf"), "");
    }

    #[test]
    fn a_version_alone_is_not_typing_and_parts_not_posted_are_not_kept() {
        let stored = map(&[
            ("after.summary", "x"),
            ("after.version", "5"),
            ("raise.text", ""),
        ]);
        let posted = FormData(map(&[("after.summary", "x"), ("after.version", "4")]));
        let shown = FormState::keep_typed(&stored, stored.clone(), &posted, &[]);
        assert!(shown.kept.is_empty());
        assert_eq!(shown.val("after.version"), "5");
    }

    #[test]
    fn defaults_changed_by_the_action_are_not_typing() {
        // Inviting someone adds their box to "add an item" and moves "whom to invite"
        // on; the posted form still shows the page as it was.
        let before = map(&[("agenda.p-a", "on"), ("invite.who", "b")]);
        let after = map(&[
            ("agenda.p-a", "on"),
            ("agenda.p-b", "on"),
            ("invite.who", "c"),
        ]);
        let posted = FormData(map(&[("agenda.p-a", "on"), ("invite.who", "b")]));
        let shown = FormState::keep_typed(&before, after, &posted, &["invite".to_owned()]);
        assert!(shown.kept.is_empty(), "{:?}", shown.kept);
        assert!(shown.checked("agenda.p-b"));
        assert_eq!(shown.val("invite.who"), "c");
    }

    #[test]
    fn errors_and_ids_follow_the_part() {
        let e = in_part("agenda", ValidationErrors::single("title", "required", "x"));
        let shown = FormState {
            errors: e,
            ..Default::default()
        };
        assert!(shown.err("agenda.title").is_some());
        assert_eq!(shown.errors_in("agenda").len(), 1);
        assert!(shown.errors_in("pre").is_empty());
        assert_eq!(shown.fid("agenda.title"), "agenda-title");
        assert_eq!(part_of("dec-1.text"), Some("dec-1"));
        assert_eq!(part_of("_csrf"), None);
    }
}
