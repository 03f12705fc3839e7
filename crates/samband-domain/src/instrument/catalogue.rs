//! The shipped instruments. A change to an item, an option or a band is a new
//! `version`: responses name the version they were scored against.

use super::wording::*;
use super::{Band, Direction, Instrument, InstrumentKey, Item, MissingRule};

const fn band(min: u16, max: u16, key: &'static str, label: super::Text3) -> Band {
    Band {
        min,
        max,
        key,
        label,
    }
}

const PHQ9_BANDS: [Band; 5] = [
    band(0, 4, "minimal", band_label("Minimal", "Minimal", "Minimal")),
    band(5, 9, "mild", band_label("Mild", "Mild", "Mild")),
    band(
        10,
        14,
        "moderate",
        band_label("Moderate", "Moderat", "Moderat"),
    ),
    band(
        15,
        19,
        "moderately_severe",
        band_label("Moderately severe", "Moderat alvorlig", "Moderat svær"),
    ),
    band(20, 27, "severe", band_label("Severe", "Alvorlig", "Svær")),
];

const PHQ2_BANDS: [Band; 2] = [
    band(
        0,
        2,
        "negative",
        band_label(
            "Below the screening threshold",
            "Under screeninggrensen",
            "Under screeningsgrænsen",
        ),
    ),
    band(
        3,
        6,
        "positive",
        band_label("Screen positive", "Positiv screening", "Positiv screening"),
    ),
];

const GAD7_BANDS: [Band; 4] = [
    band(0, 4, "minimal", band_label("Minimal", "Minimal", "Minimal")),
    band(5, 9, "mild", band_label("Mild", "Mild", "Mild")),
    band(
        10,
        14,
        "moderate",
        band_label("Moderate", "Moderat", "Moderat"),
    ),
    band(15, 21, "severe", band_label("Severe", "Alvorlig", "Svær")),
];

/// Over the percentage score (raw × 4): ≤ 28 % suggests depression, raw < 13 (≤ 48 %)
/// screens for it.
const WHO5_BANDS: [Band; 3] = [
    band(
        0,
        28,
        "depression_likely",
        band_label(
            "Depression likely",
            "Depresjon sannsynlig",
            "Depression sandsynlig",
        ),
    ),
    band(
        29,
        51,
        "poor",
        band_label("Poor well-being", "Nedsatt trivsel", "Nedsat trivsel"),
    ),
    band(
        52,
        100,
        "good",
        band_label("Good well-being", "God trivsel", "God trivsel"),
    ),
];

const NRS_BANDS: [Band; 4] = [
    band(
        0,
        0,
        "none",
        band_label("No pain", "Ingen smerte", "Ingen smerter"),
    ),
    band(1, 3, "mild", band_label("Mild", "Mild", "Let")),
    band(
        4,
        6,
        "moderate",
        band_label("Moderate", "Moderat", "Moderat"),
    ),
    band(7, 10, "severe", band_label("Severe", "Sterk", "Stærk")),
];

const PHQ2_ITEMS: [Item; 2] = [PHQ9_ITEMS[0], PHQ9_ITEMS[1]];

static INSTRUMENTS: [Instrument; 6] = [
    Instrument {
        key: InstrumentKey::Phq9,
        version: 1,
        title: PHQ_TITLE,
        instructions: PHQ_INSTRUCTIONS,
        loinc_panel: Some("44249-1"),
        loinc_total: Some("44261-6"),
        items: &PHQ9_ITEMS,
        options: &FREQUENCY,
        missing: MissingRule::Prorate { min_answered: 8 },
        bands: &PHQ9_BANDS,
        direction: Direction::LowerIsBetter,
        chart_max: 27,
        acknowledgement: None,
    },
    Instrument {
        key: InstrumentKey::Phq2,
        version: 1,
        title: PHQ2_TITLE,
        instructions: PHQ_INSTRUCTIONS,
        // Verify: 55757-9 (panel) and 55758-7 (total) per DOMAIN.md §4.
        loinc_panel: Some("55757-9"),
        loinc_total: Some("55758-7"),
        items: &PHQ2_ITEMS,
        options: &FREQUENCY,
        missing: MissingRule::AllRequired,
        bands: &PHQ2_BANDS,
        direction: Direction::LowerIsBetter,
        chart_max: 6,
        acknowledgement: None,
    },
    Instrument {
        key: InstrumentKey::Gad7,
        version: 1,
        title: GAD7_TITLE,
        instructions: PHQ_INSTRUCTIONS,
        loinc_panel: Some("69737-5"),
        loinc_total: Some("70274-6"),
        items: &GAD7_ITEMS,
        options: &FREQUENCY,
        missing: MissingRule::Prorate { min_answered: 6 },
        bands: &GAD7_BANDS,
        direction: Direction::LowerIsBetter,
        chart_max: 21,
        acknowledgement: None,
    },
    Instrument {
        key: InstrumentKey::Who5,
        version: 1,
        title: WHO5_TITLE,
        instructions: WHO5_INSTRUCTIONS,
        loinc_panel: None,
        loinc_total: None,
        items: &WHO5_ITEMS,
        options: &WHO5_OPTIONS,
        missing: MissingRule::AllRequired,
        bands: &WHO5_BANDS,
        direction: Direction::HigherIsBetter,
        chart_max: 100,
        acknowledgement: None,
    },
    Instrument {
        key: InstrumentKey::EsasR,
        version: 1,
        title: ESAS_TITLE,
        instructions: ESAS_INSTRUCTIONS,
        loinc_panel: None,
        loinc_total: None,
        items: &ESAS_ITEMS,
        options: &ZERO_TO_TEN,
        missing: MissingRule::PerItemOnly,
        bands: &[],
        direction: Direction::LowerIsBetter,
        chart_max: 10,
        acknowledgement: Some(ESAS_ACK),
    },
    Instrument {
        key: InstrumentKey::PainNrs,
        version: 1,
        title: NRS_TITLE,
        instructions: NRS_INSTRUCTIONS,
        loinc_panel: None,
        loinc_total: None,
        items: &NRS_ITEMS,
        options: &ZERO_TO_TEN,
        missing: MissingRule::AllRequired,
        bands: &NRS_BANDS,
        direction: Direction::LowerIsBetter,
        chart_max: 10,
        acknowledgement: None,
    },
];

/// Every shipped instrument, in catalogue order.
pub fn all() -> &'static [Instrument] {
    &INSTRUMENTS
}

/// The current version of `key`.
pub fn get(key: InstrumentKey) -> &'static Instrument {
    let at = match key {
        InstrumentKey::Phq9 => 0,
        InstrumentKey::Phq2 => 1,
        InstrumentKey::Gad7 => 2,
        InstrumentKey::Who5 => 3,
        InstrumentKey::EsasR => 4,
        InstrumentKey::PainNrs => 5,
    };
    &INSTRUMENTS[at]
}

/// `key` at `version`, if Samband ships that version (only version 1 so far).
pub fn get_version(key: InstrumentKey, version: u32) -> Option<&'static Instrument> {
    Some(get(key)).filter(|i| i.version == version)
}
