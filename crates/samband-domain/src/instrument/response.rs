//! A scored response as the rest of Samband consumes it (signals, the caseload
//! registry, trends): which instrument, when, every item's value and what the server
//! computed — never a client's own score.

use super::{score, Answers, Instrument, InstrumentKey, ItemNine, Scores};
use crate::ids::PatientId;
use crate::ValidationErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredResponse {
    pub patient: PatientId,
    pub instrument: InstrumentKey,
    pub version: u32,
    pub answered_at: DateTime<Utc>,
    /// One value per item, in item order; `None` unanswered.
    pub items: Answers,
    pub scores: Scores,
}

impl ScoredResponse {
    /// Scores `items` against `inst` for `patient` at `answered_at`.
    pub fn new(
        inst: &Instrument,
        patient: PatientId,
        items: Answers,
        answered_at: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let scores = score(inst, &items)?;
        Ok(Self {
            patient,
            instrument: inst.key,
            version: inst.version,
            answered_at,
            items,
            scores,
        })
    }

    pub fn total(&self) -> Option<u16> {
        self.scores.total
    }

    pub fn band(&self) -> Option<usize> {
        self.scores.band
    }

    /// PHQ-9 item 9: `Some(v)` answered, `None` not asked or unanswered — see
    /// `item9_state` to tell those apart (unanswered is unknown, never safe).
    pub fn item9(&self) -> Option<u8> {
        self.scores.item9.value()
    }

    pub fn item9_state(&self) -> ItemNine {
        self.scores.item9
    }
}
