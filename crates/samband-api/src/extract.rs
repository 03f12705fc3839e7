//! Extractors: the bearer-token principal, strict JSON bodies (unknown fields refused,
//! errors naming the field), and `If-Match` versions.

use crate::problem::{ApiError, Problem};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use samband_app::{App, Ctx};
use serde::de::DeserializeOwned;

/// The authenticated caller, from `Authorization: Bearer <token>`.
pub struct Auth(pub Ctx);

impl FromRequestParts<App> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let raw = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(samband_app::AppError::Unauthenticated)?;
        let principal = app
            .auth()
            .token_principal(raw)
            .await?
            .ok_or(samband_app::AppError::Unauthenticated)?;
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let ctx = Ctx {
            principal,
            request_id,
        };
        // Scopes are enforced here, once, for every route: a write method with a
        // read-only token stops before its handler runs.
        if !parts.method.is_safe() {
            let route = parts
                .extensions
                .get::<axum::extract::MatchedPath>()
                .map_or_else(|| parts.uri.path().to_owned(), |m| m.as_str().to_owned());
            app.auth()
                .require_write_scope(&ctx, &format!("{} {route}", parts.method))
                .await?;
        }
        Ok(Auth(ctx))
    }
}

/// A JSON body parsed strictly: `application/json` only, unknown fields refused, and
/// a type error reported against the field it happened in.
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for StrictJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &App) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "media-type",
                "Send application/json",
            )
            .into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The request body is too large",
            )
            .detail(e.body_text())
        })?;
        refuse_duplicate_keys(&bytes)?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let parsed = serde_path_to_error::deserialize::<_, T>(&mut *de);
        // One JSON value and nothing after it (whitespace aside).
        if parsed.is_ok() {
            if let Err(e) = de.end() {
                return Err(Problem::bad_request(format!(
                    "malformed JSON: content after the JSON value ({e})"
                ))
                .into());
            }
        }
        match parsed {
            Ok(v) => Ok(StrictJson(v)),
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(Problem::bad_request(format!("malformed JSON: {inner}")).into());
                }
                let msg = inner.to_string();
                let mut field = if path == "." { String::new() } else { path };
                // A missing field is reported at its parent: name the field itself.
                if let Some(name) = msg
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                {
                    field = if field.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{field}.{name}")
                    };
                }
                let code = if msg.starts_with("unknown field") {
                    "unknown_field"
                } else if msg.starts_with("missing field") {
                    "required"
                } else {
                    "bad_value"
                };
                Err(Problem::field(StatusCode::UNPROCESSABLE_ENTITY, &field, code, msg).into())
            }
        }
    }
}

/// Refuses a body in which any object names a key twice (serde would keep one of
/// the two silently), or that is not JSON at all.
fn refuse_duplicate_keys(bytes: &[u8]) -> Result<(), ApiError> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::collections::HashSet;

    struct Unique;

    impl<'de> DeserializeSeed<'de> for Unique {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Unique {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Unique)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
                }
                map.next_value_seed(Unique)?;
            }
            Ok(())
        }
    }

    let mut de = serde_json::Deserializer::from_slice(bytes);
    Unique
        .deserialize(&mut de)
        .map_err(|e| Problem::bad_request(format!("malformed JSON: {e}")).into())
}

/// The version named by `If-Match` (`"3"` or `W/"3"`). Required on updates.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get(header::IF_MATCH) else {
            return Err(Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "if-match-required",
                "Updates need an If-Match header",
            )
            .detail("Send the ETag you read, e.g. If-Match: \"3\"")
            .into());
        };
        let v = raw.to_str().unwrap_or_default().trim();
        let v = v.strip_prefix("W/").unwrap_or(v).trim_matches('"');
        v.parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(IfMatch)
            .ok_or_else(|| {
                Problem::field(
                    StatusCode::BAD_REQUEST,
                    "If-Match",
                    "bad_etag",
                    "must be an ETag this API issued, e.g. \"3\"",
                )
                .into()
            })
    }
}

/// The caller's address, for sign-in throttling: the direct peer, or the last
/// `X-Forwarded-For` hop when the deployment says a trusted proxy sets it.
pub struct ClientAddr(pub String);

impl FromRequestParts<App> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(samband_http::client_address(
            &parts.headers,
            &parts.extensions,
            app.config.trust_forwarded_for,
        )))
    }
}

/// The `If-Match` header as the document states it (see [`IfMatch`]): required on
/// every versioned update, as the ETag that was read.
pub struct IfMatchHeader;

impl utoipa::IntoParams for IfMatchHeader {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        use utoipa::openapi::Required;
        vec![ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(
                "The ETag (version) you read, e.g. \"3\" (W/ and the quotes optional)",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .pattern(Some(r#"^(W/)?"*\+?[0-9]{1,18}"*$"#)),
            ))
            .build()]
    }
}
