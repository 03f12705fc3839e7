//! Request and response types of the self-monitoring endpoints. Answers and scores are
//! kept in a shape that maps to FHIR: the instrument as a Questionnaire (items with
//! LOINC codes, answer options with ordinal values), a response as a
//! QuestionnaireResponse (item key → value) with its derived scores as Observations.

use super::choices::*;
use super::text::*;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::instrument::{self as inst, Text3};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A text in each of Samband's languages.
#[derive(Serialize, ToSchema)]
pub struct Texts {
    pub en: String,
    pub nb: String,
    pub da: String,
}

impl From<Text3> for Texts {
    fn from(t: Text3) -> Self {
        Self {
            en: t.en.into(),
            nb: t.nb.into(),
            da: t.da.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOption {
    /// The ordinal value scored.
    pub value: u8,
    pub loinc: Option<String>,
    pub label: Texts,
}

#[derive(Serialize, ToSchema)]
pub struct Item {
    /// The key an answer names (`answers.<key>`).
    pub key: String,
    pub loinc: Option<String>,
    pub text: Texts,
    /// The words at the lowest and highest value of a numeric scale.
    pub low_anchor: Option<Texts>,
    pub high_anchor: Option<Texts>,
}

#[derive(Serialize, ToSchema)]
pub struct Band {
    pub key: String,
    pub min: u16,
    pub max: u16,
    pub label: Texts,
}

/// An instrument of the catalogue.
#[derive(Serialize, ToSchema)]
pub struct Instrument {
    #[schema(value_type = InstrumentKey)]
    pub key: String,
    pub version: u32,
    pub title: Texts,
    pub instructions: Texts,
    pub loinc_panel: Option<String>,
    pub loinc_total: Option<String>,
    pub items: Vec<Item>,
    /// Every item's answer options.
    pub options: Vec<AnswerOption>,
    /// Severity bands over the charted value (WHO-5: the percentage score).
    pub bands: Vec<Band>,
    /// `lower_is_better` or `higher_is_better`.
    pub direction: String,
    /// Text the instrument's licence requires to be shown with it.
    pub acknowledgement: Option<Texts>,
}

impl From<&inst::Instrument> for Instrument {
    fn from(i: &inst::Instrument) -> Self {
        Self {
            key: i.key.as_str().into(),
            version: i.version,
            title: i.title.into(),
            instructions: i.instructions.into(),
            loinc_panel: i.loinc_panel.map(Into::into),
            loinc_total: i.loinc_total.map(Into::into),
            items: i
                .items
                .iter()
                .map(|it| Item {
                    key: it.key.into(),
                    loinc: it.loinc.map(Into::into),
                    text: it.text.into(),
                    low_anchor: it.anchors.map(|a| a.0.into()),
                    high_anchor: it.anchors.map(|a| a.1.into()),
                })
                .collect(),
            options: i
                .options
                .iter()
                .map(|o| AnswerOption {
                    value: o.value,
                    loinc: o.loinc.map(Into::into),
                    label: o.label.into(),
                })
                .collect(),
            bands: i
                .bands
                .iter()
                .map(|b| Band {
                    key: b.key.into(),
                    min: b.min,
                    max: b.max,
                    label: b.label.into(),
                })
                .collect(),
            direction: match i.direction {
                inst::Direction::LowerIsBetter => "lower_is_better".into(),
                inst::Direction::HigherIsBetter => "higher_is_better".into(),
            },
            acknowledgement: i.acknowledgement.map(Into::into),
        }
    }
}

/// Set or change a check-in schedule.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    #[schema(value_type = InstrumentKey)]
    pub instrument: String,
    /// How often, in days (1–365).
    #[schema(minimum = 1, maximum = 365)]
    pub every_days: Option<i64>,
    /// The first due day (today when not given), within five years of today.
    pub starts_on: Option<NaiveDate>,
    /// The pathway milestone that set it, if any.
    #[schema(value_type = Option<ShortOptional>)]
    pub milestone: Option<String>,
}

impl From<ScheduleRequest> for inst::schedule::ScheduleInput {
    fn from(r: ScheduleRequest) -> Self {
        Self {
            instrument: r.instrument,
            every_days: r.every_days,
            starts_on: r.starts_on,
            milestone: r.milestone,
        }
    }
}

/// Pause a schedule, saying why (the team sees the reason).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    #[schema(value_type = Short)]
    pub reason: String,
}

/// Answer a check-in: item key → the answer's value; an item left out is unanswered.
/// The server scores it; no score is accepted from the client.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub answers: BTreeMap<String, Option<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct Pause {
    pub reason: String,
    pub at: DateTime<Utc>,
    pub by_account_id: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct Schedule {
    pub id: Uuid,
    pub patient_id: Uuid,
    #[schema(value_type = InstrumentKey)]
    pub instrument: String,
    pub every_days: u32,
    pub starts_on: NaiveDate,
    pub milestone: Option<String>,
    pub next_due: NaiveDate,
    pub last_answered_on: Option<NaiveDate>,
    pub paused: Option<Pause>,
    pub ended_on: Option<NaiveDate>,
    pub set_by_account_id: Uuid,
    /// Due today (active, not paused, its day has come).
    pub due: bool,
    /// A whole interval has passed since it fell due.
    pub missed: bool,
    pub version: i64,
}

impl From<samband_app::monitoring::ScheduleView> for Schedule {
    fn from(v: samband_app::monitoring::ScheduleView) -> Self {
        let s = v.schedule;
        Self {
            id: s.id.as_uuid(),
            patient_id: s.patient_id.as_uuid(),
            instrument: s.instrument.as_str().into(),
            every_days: s.every_days,
            starts_on: s.starts_on,
            milestone: s.milestone,
            next_due: s.next_due,
            last_answered_on: s.last_answered_on,
            paused: s.paused.map(|p| Pause {
                reason: p.reason,
                at: p.at,
                by_account_id: p.by.as_uuid(),
            }),
            ended_on: s.ended_on,
            set_by_account_id: s.set_by.as_uuid(),
            due: v.due,
            missed: v.missed,
            version: s.version,
        }
    }
}

/// What the server computed from the answers.
#[derive(Serialize, ToSchema)]
pub struct Scores {
    pub answered: usize,
    /// The raw total (prorated when `prorated`); null when too many items are missing.
    pub total: Option<u16>,
    pub prorated: bool,
    /// WHO-5's percentage score (raw × 4).
    pub scaled: Option<u16>,
    /// The severity band's key (see the instrument's `bands`).
    pub band: Option<String>,
    /// PHQ-9 item 9: `not_asked`, `unanswered` (unknown — never read as 0) or `answered`.
    pub item9_state: String,
    pub item9: Option<u8>,
    pub screen_positive: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Response {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub schedule_id: Option<Uuid>,
    #[schema(value_type = InstrumentKey)]
    pub instrument: String,
    pub instrument_version: u32,
    /// Item key → value; null for an unanswered item.
    pub answers: BTreeMap<String, Option<u8>>,
    pub scores: Scores,
    pub answered_at: DateTime<Utc>,
    pub answered_by_account_id: Uuid,
    pub by_proxy: bool,
}

impl From<samband_app::monitoring::ResponseRecord> for Response {
    fn from(r: samband_app::monitoring::ResponseRecord) -> Self {
        let i = inst::get(r.instrument);
        let answers = i
            .items
            .iter()
            .zip(&r.answers)
            .map(|(it, a)| (it.key.to_owned(), *a))
            .collect();
        let s = r.scores;
        Self {
            id: r.id.as_uuid(),
            patient_id: r.patient_id.as_uuid(),
            schedule_id: r.schedule_id.map(|s| s.as_uuid()),
            instrument: r.instrument.as_str().into(),
            instrument_version: r.instrument_version,
            answers,
            scores: Scores {
                answered: s.answered,
                total: s.total,
                prorated: s.prorated,
                scaled: s.scaled,
                band: s.band.and_then(|b| i.bands.get(b)).map(|b| b.key.into()),
                item9_state: match s.item9 {
                    inst::ItemNine::NotAsked => "not_asked".into(),
                    inst::ItemNine::Unanswered => "unanswered".into(),
                    inst::ItemNine::Answered(_) => "answered".into(),
                },
                item9: s.item9.value(),
                screen_positive: s.screen_positive,
            },
            answered_at: r.answered_at,
            answered_by_account_id: r.answered_by.as_uuid(),
            by_proxy: r.by_proxy,
        }
    }
}

/// A saved answer and what followed it.
#[derive(Serialize, ToSchema)]
pub struct Answered {
    pub response: Response,
    pub schedule: Schedule,
    /// Pathway milestone occurrences the answer completed.
    pub milestones_completed: usize,
}

/// One page of responses, newest first.
#[derive(Serialize, ToSchema)]
pub struct ResponsePage {
    pub items: Vec<Response>,
    /// The cursor of the next (older) page; null on the last page.
    pub next: Option<String>,
    #[schema(minimum = 1)]
    pub limit: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrendPoint {
    pub at: DateTime<Utc>,
    pub value: u16,
}

#[derive(Serialize, ToSchema)]
pub struct TrendSeries {
    /// `total`, or the item's key (ESAS-r: one series per symptom).
    pub key: String,
    /// Oldest first.
    pub points: Vec<TrendPoint>,
    /// Runs of points close enough to be joined by a line (a gap over twice the
    /// schedule's interval starts a new run); a run of one is a point alone.
    pub runs: Vec<Vec<TrendPoint>>,
}

#[derive(Serialize, ToSchema)]
pub struct Trend {
    #[schema(value_type = InstrumentKey)]
    pub instrument: String,
    pub series: Vec<TrendSeries>,
    /// The first answer's value.
    pub baseline: Option<u16>,
    /// Fewer than three answers: too few to read a trend from.
    pub sparse: bool,
}

impl From<inst::trend::Trend> for Trend {
    fn from(t: inst::trend::Trend) -> Self {
        let pt = |p: &inst::trend::TrendPoint| TrendPoint {
            at: p.at,
            value: p.value,
        };
        Self {
            instrument: t.instrument.as_str().into(),
            series: t
                .series
                .iter()
                .map(|s| TrendSeries {
                    key: s.key.into(),
                    points: s.points.iter().map(pt).collect(),
                    runs: s.runs.iter().map(|r| r.iter().map(pt).collect()).collect(),
                })
                .collect(),
            baseline: t.baseline,
            sparse: t.sparse,
        }
    }
}
