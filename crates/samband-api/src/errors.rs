//! The error answers an operation can give, as OpenAPI responses: each a problem
//! document (`application/problem+json`, see [`crate::problem`]). Handlers name the
//! set that matches what they extract, so the document lists every status a route
//! can answer:
//!
//! - every authenticated route: 401 (no or bad token), 403 (role or read-only token),
//!   429 (rate limit), 400 (a query string or header that cannot be read);
//! - a path naming an object: 404 (also for an id that cannot exist);
//! - a JSON body: 413, 415, 422 (field errors);
//! - a paged list: 422 (malformed cursor or limit out of bounds);
//! - a versioned update (`If-Match`): 412 (stale; the body carries the current state)
//!   and 428 (header missing).

use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

const ALL: [(&str, &str); 10] = [
    (
        "400",
        "The request could not be read: malformed JSON, query string or header",
    ),
    (
        "401",
        "Missing, expired or revoked bearer token, or sign-in failed",
    ),
    ("403", "The caller's role or token scope may not do this"),
    (
        "404",
        "Not found, or not visible to the caller (the two are indistinguishable)",
    ),
    (
        "412",
        "If-Match names a version that is no longer current; the body carries the current state",
    ),
    ("413", "The request body is too large"),
    ("415", "The body is not application/json"),
    (
        "422",
        "Invalid input; `errors` lists each field with a message",
    ),
    ("428", "If-Match header missing on an update"),
    ("429", "Too many requests or attempts; see Retry-After"),
];

/// The name each error response has under `components/responses`.
fn component(code: &str) -> String {
    format!("Problem{code}")
}

/// Every error response once, for `components/responses` (operations refer to them).
pub fn components() -> Vec<(String, RefOr<Response>)> {
    ALL.iter()
        .map(|(c, d)| (component(c), problem(d)))
        .collect()
}

fn set(codes: &[&str]) -> BTreeMap<String, RefOr<Response>> {
    ALL.iter()
        .filter(|(c, _)| codes.contains(c))
        .map(|(c, _)| {
            let r = utoipa::openapi::Ref::new(format!("#/components/responses/{}", component(c)));
            ((*c).to_owned(), RefOr::Ref(r))
        })
        .collect()
}

macro_rules! error_set {
    ($(#[$m:meta])* $name:ident: $($code:literal),*) => {
        $(#[$m])*
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                set(&[$($code),*])
            }
        }
    };
}

error_set!(
    /// Signing in for a token: no bearer token is involved.
    SignIn: "400", "401", "413", "415", "422", "429"
);
error_set!(
    /// An authenticated read of a collection.
    Read: "400", "401", "403", "429"
);
error_set!(
    /// An authenticated read of a paged collection.
    ReadPage: "400", "401", "403", "422", "429"
);
error_set!(
    /// An authenticated read of one object (or of a collection under one).
    ReadOne: "400", "401", "403", "404", "429"
);
error_set!(
    /// A paged collection under one object.
    ReadOnePage: "400", "401", "403", "404", "422", "429"
);
error_set!(
    /// A write with a JSON body that names no object in its path.
    Create: "400", "401", "403", "413", "415", "422", "429"
);
error_set!(
    /// A write with a JSON body under one object.
    Write: "400", "401", "403", "404", "413", "415", "422", "429"
);
error_set!(
    /// A write without a body under one object.
    Act: "400", "401", "403", "404", "422", "429"
);
error_set!(
    /// A versioned update with a JSON body (`If-Match` required).
    Update: "400", "401", "403", "404", "412", "413", "415", "422", "428", "429"
);
error_set!(
    /// A versioned step without a body (`If-Match` required).
    Step: "400", "401", "403", "404", "412", "422", "428", "429"
);
