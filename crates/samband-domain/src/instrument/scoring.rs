//! Exact scoring, on the server only: a client's own totals are never read.
//!
//! Missing-item rules (documented here, tested in `tests.rs`):
//! - PHQ-9: a total when at least 8 of 9 items are answered, the sum prorated to nine
//!   items and rounded half up (`round(sum × 9 / 8)`). Item 9 unanswered is *unknown*
//!   (`ItemNine::Unanswered`), never 0: whatever reads it for safety must treat unknown
//!   as needing a human, not as "no thoughts of self-harm".
//! - PHQ-2: both items, no prorating (two items leave nothing to prorate from).
//! - GAD-7: a total when at least 6 of 7 are answered, prorated and rounded half up.
//! - WHO-5: every item (the manual gives no prorating); the screen is still positive
//!   when an answered item is 0 or 1, since that alone screens positive.
//! - ESAS-r: each symptom stands alone, no total (the manual does not band a sum).
//! - Pain NRS: its one item.

use super::{Instrument, InstrumentKey, MissingRule};
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// One answer per item, in the instrument's item order; `None` is unanswered.
pub type Answers = Vec<Option<u8>>;

/// PHQ-9 item 9 (thoughts of death or self-harm), kept apart from the total because
/// a missing answer must not read as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum ItemNine {
    /// The instrument has no item 9.
    NotAsked,
    /// Asked and left unanswered: unknown.
    Unanswered,
    Answered(u8),
}

impl ItemNine {
    /// The answer when there is one.
    pub fn value(&self) -> Option<u8> {
        match self {
            ItemNine::Answered(v) => Some(*v),
            _ => None,
        }
    }
}

/// What the server computed from one set of answers; stored with the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    /// Items answered.
    pub answered: usize,
    /// The raw total (prorated when `prorated`), `None` when the missing-item rule
    /// gives none.
    pub total: Option<u16>,
    pub prorated: bool,
    /// WHO-5's percentage score (raw × 4).
    pub scaled: Option<u16>,
    /// Index into the instrument's bands of `chart_value`.
    pub band: Option<usize>,
    pub item9: ItemNine,
    /// PHQ-2 ≥ 3, GAD-7 ≥ 10, WHO-5 raw < 13 or any item ≤ 1; `None` where the
    /// instrument has no screen or the answers cannot decide it.
    pub screen_positive: Option<bool>,
}

impl Scores {
    /// The value a trend plots and bands are drawn over: WHO-5's percentage, the
    /// total otherwise.
    pub fn chart_value(&self) -> Option<u16> {
        self.scaled.or(self.total)
    }
}

/// Scores `answers` against `inst`. Refuses a wrong number of answers, a value that is
/// not one of the instrument's options (`answers.<item key>`), and no answer at all.
pub fn score(inst: &Instrument, answers: &[Option<u8>]) -> Result<Scores, ValidationErrors> {
    if answers.len() != inst.items.len() {
        return Err(ValidationErrors::single(
            "answers",
            "wrong_count",
            format!(
                "expected {} answers, got {}",
                inst.items.len(),
                answers.len()
            ),
        ));
    }
    let mut errs = ValidationErrors::new();
    for (item, a) in inst.items.iter().zip(answers) {
        if let Some(v) = a {
            if !inst.options.iter().any(|o| o.value == *v) {
                errs.add(
                    &format!("answers.{}", item.key),
                    "bad_value",
                    format!("must be one of 0–{}", inst.max_value()),
                );
            }
        }
    }
    errs.into_result()?;
    let given: Vec<u16> = answers.iter().flatten().map(|v| u16::from(*v)).collect();
    let answered = given.len();
    if answered == 0 {
        return Err(ValidationErrors::single(
            "answers",
            "required",
            "answer at least one question",
        ));
    }
    let n = inst.items.len();
    let sum: u16 = given.iter().sum();
    let (total, prorated) = match inst.missing {
        MissingRule::AllRequired => ((answered == n).then_some(sum), false),
        MissingRule::Prorate { min_answered } => {
            if answered == n {
                (Some(sum), false)
            } else if answered >= min_answered {
                (Some(prorate(sum, n, answered)), true)
            } else {
                (None, false)
            }
        }
        MissingRule::PerItemOnly => (None, false),
    };
    let scaled = match inst.key {
        InstrumentKey::Who5 => total.map(|t| t * 4),
        _ => None,
    };
    let item9 = match inst.key {
        InstrumentKey::Phq9 => match answers[8] {
            Some(v) => ItemNine::Answered(v),
            None => ItemNine::Unanswered,
        },
        _ => ItemNine::NotAsked,
    };
    let screen_positive = match inst.key {
        InstrumentKey::Phq2 => total.map(|t| t >= 3),
        InstrumentKey::Gad7 => total.map(|t| t >= 10),
        InstrumentKey::Who5 => {
            if given.iter().any(|v| *v <= 1) {
                Some(true)
            } else {
                total.map(|t| t < 13)
            }
        }
        _ => None,
    };
    let chart = scaled.or(total);
    Ok(Scores {
        answered,
        total,
        prorated,
        scaled,
        band: chart.and_then(|v| inst.band_of(v)),
        item9,
        screen_positive,
    })
}

/// `sum × items / answered`, rounded half up, in integers:
/// `floor(q + ½) = floor((2·sum·items + answered) / (2·answered))`.
fn prorate(sum: u16, items: usize, answered: usize) -> u16 {
    let (sum, items, answered) = (u32::from(sum), items as u32, answered as u32);
    ((2 * sum * items + answered) / (2 * answered)) as u16
}

/// Answers keyed by item key, as forms and the API send them, in item order. An
/// unknown key (`answers.<key>`: `unknown_item`) and a value that is not one of the
/// instrument's options (`answers.<key>`: `bad_value`) are field errors; an item not
/// given is unanswered.
pub fn answers_by_key(
    inst: &Instrument,
    given: &std::collections::BTreeMap<String, Option<i64>>,
) -> Result<Answers, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    for key in given.keys() {
        if !inst.items.iter().any(|i| i.key == key) {
            errs.add(
                &format!("answers.{key}"),
                "unknown_item",
                "not a question of this questionnaire",
            );
        }
    }
    let mut answers = Vec::with_capacity(inst.items.len());
    for item in inst.items {
        let v = match given.get(item.key).copied().flatten() {
            None => None,
            Some(v) => match u8::try_from(v) {
                Ok(v) if inst.options.iter().any(|o| o.value == v) => Some(v),
                _ => {
                    errs.add(
                        &format!("answers.{}", item.key),
                        "bad_value",
                        format!("must be one of 0–{}", inst.max_value()),
                    );
                    None
                }
            },
        };
        answers.push(v);
    }
    errs.into_result()?;
    Ok(answers)
}
