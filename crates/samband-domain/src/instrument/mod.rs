//! Self-monitoring instruments as data (issue 12): each questionnaire's items, answer
//! options with their ordinal values and LOINC codes, wording in en/nb/da, severity
//! bands and which way is better — and the exact server-side scoring (`scoring.rs`),
//! change from baseline (`change.rs`) and the scored response other parts consume
//! (`response.rs`). Only instruments free to reproduce are shipped (PHQ-9/PHQ-2, GAD-7,
//! WHO-5, ESAS-r, pain NRS); licence-restricted ones (BPI, Chalder, relational
//! coordination) are deliberately absent.

pub mod catalogue;
pub mod change;
pub mod response;
pub mod schedule;
pub mod scoring;
pub mod trend;
mod wording;

#[cfg(test)]
mod tests;

use crate::string_enum;

pub use catalogue::{all, get};
pub use change::{is_remission, is_response, percent_change};
pub use response::ScoredResponse;
pub use scoring::{answers_by_key, score, Answers, ItemNine, Scores};

string_enum!(
    /// Which instrument; the stored and wire key (`questionnaire:phq9` in pathways).
    InstrumentKey {
        Phq9 = "phq9",
        Phq2 = "phq2",
        Gad7 = "gad7",
        Who5 = "who5",
        EsasR = "esas_r",
        PainNrs = "pain_nrs",
    }
);

/// One text in the three languages Samband ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text3 {
    pub en: &'static str,
    pub nb: &'static str,
    pub da: &'static str,
}

impl Text3 {
    /// The text in `lang` (`en`, `nb`, `da`); English for anything else.
    pub fn get(&self, lang: &str) -> &'static str {
        match lang {
            "nb" => self.nb,
            "da" => self.da,
            _ => self.en,
        }
    }
}

/// Which way of the total is better, for plain-language trends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
}

/// One question. `anchors` are the labels of the lowest and highest value of a
/// numeric scale (ESAS-r, NRS), shown as the instrument prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub key: &'static str,
    pub loinc: Option<&'static str>,
    pub text: Text3,
    pub anchors: Option<(Text3, Text3)>,
}

/// One answer option of every item of an instrument, with its ordinal value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerOption {
    pub value: u8,
    pub loinc: Option<&'static str>,
    pub label: Text3,
}

/// A severity band over the value a chart shows (`Scores::chart_value`), inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub min: u16,
    pub max: u16,
    pub key: &'static str,
    pub label: Text3,
}

/// How a total is formed when items are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingRule {
    /// A total only when every item is answered.
    AllRequired,
    /// A total when at least `min_answered` items are answered, the sum prorated to
    /// the full item count and rounded half up.
    Prorate { min_answered: usize },
    /// No total at all: each item stands alone (ESAS-r).
    PerItemOnly,
}

/// An instrument, versioned: a response stores the key and version it was answered
/// against, so changing wording or bands later means a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instrument {
    pub key: InstrumentKey,
    pub version: u32,
    pub title: Text3,
    pub instructions: Text3,
    pub loinc_panel: Option<&'static str>,
    pub loinc_total: Option<&'static str>,
    pub items: &'static [Item],
    pub options: &'static [AnswerOption],
    pub missing: MissingRule,
    /// Bands over `Scores::chart_value`; empty when the instrument has none.
    pub bands: &'static [Band],
    pub direction: Direction,
    /// The highest value a chart of this instrument shows.
    pub chart_max: u16,
    /// Text the instrument's licence requires to be shown with it.
    pub acknowledgement: Option<Text3>,
}

impl Instrument {
    /// The highest ordinal value of an answer.
    pub fn max_value(&self) -> u8 {
        self.options.iter().map(|o| o.value).max().unwrap_or(0)
    }

    /// The band `value` falls in, by index into `bands`.
    pub fn band_of(&self, value: u16) -> Option<usize> {
        self.bands
            .iter()
            .position(|b| b.min <= value && value <= b.max)
    }
}
