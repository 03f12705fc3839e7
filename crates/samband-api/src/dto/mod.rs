//! The API's own request and response types. Handlers parse into the `input` types
//! and answer with the `output` ones; none of them is a domain or store struct, so
//! the JSON contract changes only here (and `docs/openapi.json` shows it in review).

pub mod choices;
pub mod handovers;
pub mod input;
pub mod meetings;
pub mod messages;
pub mod monitoring;
pub mod output;
pub mod pathways;
pub mod registry;
pub mod relapse;
pub mod signals;
pub mod succession;
pub mod text;
