//! HTTP helpers both surfaces share (the JSON API and the web UI), so that neither
//! depends on the other: a router that remembers its paths, the downloads (calendar
//! files, attachments) and the client-address rule used for throttling.
//!
//! Only axum types here: no use cases, no policy, no domain types.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod client;
mod download;
mod route_book;

pub use client::client_address;
pub use download::{attachment_response, calendar_response, csv_response};
pub use route_book::RouteBook;
