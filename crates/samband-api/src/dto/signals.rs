//! Request and response types of the signal, alert and absence endpoints.

use super::choices::*;
use super::text::*;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::signal::Reason;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// Why an alert was raised: a code and the fields that code carries.
#[derive(Serialize, ToSchema)]
pub struct AlertReason {
    /// `item9`, `patient_crisis`, `score_rise`, `band_rise`, `warning_sign`,
    /// `missed_check_ins` or `no_answer`.
    pub code: &'static str,
    /// Item 9's answer (`item9`).
    pub score: Option<u8>,
    /// The previous and new total (`score_rise`) or band (`band_rise`).
    pub from: Option<u16>,
    pub to: Option<u16>,
    /// The warning sign in the patient's words (`warning_sign`).
    pub sign: Option<String>,
    /// Check-ins missed in a row (`missed_check_ins`).
    pub count: Option<u32>,
    /// Days since a check-in came due unanswered (`no_answer`).
    pub days: Option<i64>,
}

impl From<&Reason> for AlertReason {
    fn from(r: &Reason) -> Self {
        let mut out = AlertReason {
            code: r.code(),
            score: None,
            from: None,
            to: None,
            sign: None,
            count: None,
            days: None,
        };
        match r {
            Reason::Item9 { score } => out.score = Some(*score),
            Reason::PatientCrisis => {}
            Reason::ScoreRise { from, to } => {
                out.from = Some(*from);
                out.to = Some(*to);
            }
            Reason::BandRise { from, to } => {
                out.from = Some(u16::from(*from));
                out.to = Some(u16::from(*to));
            }
            Reason::WarningSign { sign } => out.sign = Some(sign.clone()),
            Reason::MissedCheckIns { count } => out.count = Some(*count),
            Reason::NoAnswer { days } => out.days = Some(*days),
        }
        out
    }
}

#[derive(Serialize, ToSchema)]
pub struct Acknowledgement {
    /// The team member who acknowledged it.
    pub by: Uuid,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
    #[schema(value_type = Outcome)]
    pub outcome: &'static str,
    pub note: Option<String>,
}

/// An alert: which signal, about whom, with whom and by when.
#[derive(Serialize, ToSchema)]
pub struct Alert {
    pub id: Uuid,
    pub patient: Uuid,
    pub patient_name: String,
    #[schema(value_type = SignalClass)]
    pub class: &'static str,
    pub reason: AlertReason,
    #[schema(value_type = SignalSource)]
    pub source: &'static str,
    /// The team member who holds it now.
    pub assignee: Uuid,
    pub assignee_name: String,
    #[schema(value_type = RouteReason)]
    pub route: &'static str,
    /// When it escalates if nobody has acknowledged it.
    pub deadline: DateTime<Utc>,
    /// Escalation steps taken so far.
    pub level: u32,
    #[schema(value_type = AlertStatus)]
    pub status: &'static str,
    /// Triggers that fell on it (dedupe: one open alert per patient and class).
    pub occurrences: u32,
    pub raised_at: DateTime<Utc>,
    pub acknowledgement: Option<Acknowledgement>,
    pub version: i64,
}

impl Alert {
    fn of(
        a: samband_domain::signal::Alert,
        patient_name: String,
        assignee_name: String,
        by_name: Option<String>,
    ) -> Self {
        Self {
            id: a.id.as_uuid(),
            patient: a.patient_id.as_uuid(),
            patient_name,
            class: a.class.as_str(),
            reason: AlertReason::from(&a.reason),
            source: a.source.as_str(),
            assignee: a.assignee.as_uuid(),
            assignee_name,
            route: a.route.as_str(),
            deadline: a.deadline,
            level: a.level,
            status: a.status.as_str(),
            occurrences: a.occurrences,
            raised_at: a.raised_at,
            acknowledgement: a.acknowledgement.map(|k| Acknowledgement {
                by: k.by.as_uuid(),
                by_name,
                at: k.at,
                outcome: k.outcome.as_str(),
                note: k.note,
            }),
            version: a.version,
        }
    }
}

impl From<samband_app::signals::AlertItem> for Alert {
    fn from(i: samband_app::signals::AlertItem) -> Self {
        Alert::of(i.alert, i.patient_name, i.assignee_name, None)
    }
}

/// One line of an alert's history.
#[derive(Serialize, ToSchema)]
pub struct AlertEvent {
    pub at: DateTime<Utc>,
    /// `raised`, `occurrence`, `escalated` or `acknowledged`.
    pub kind: String,
    pub member_name: Option<String>,
    #[schema(value_type = Object)]
    pub detail: Value,
}

/// An alert with its history.
#[derive(Serialize, ToSchema)]
pub struct AlertView {
    pub alert: Alert,
    pub events: Vec<AlertEvent>,
}

impl From<samband_app::signals::AlertView> for AlertView {
    fn from(v: samband_app::signals::AlertView) -> Self {
        Self {
            alert: Alert::of(
                v.alert,
                v.patient_name,
                v.assignee_name,
                v.acknowledged_by_name,
            ),
            events: v
                .events
                .into_iter()
                .map(|e| AlertEvent {
                    at: e.at,
                    kind: e.kind,
                    member_name: e.member_name,
                    detail: e.detail,
                })
                .collect(),
        }
    }
}

/// Acknowledging an alert: what was done.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    #[serde(default)]
    #[schema(value_type = Outcome)]
    pub outcome: String,
    /// Required when the outcome is `no_action`.
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
}

impl From<AckRequest> for samband_domain::signal::AckInput {
    fn from(r: AckRequest) -> Self {
        Self {
            outcome: r.outcome,
            reason: r.reason,
        }
    }
}

/// A warning sign the patient notices: its number (from 0) among the warning signs of
/// their crisis plan, one per line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningSignRequest {
    #[schema(minimum = 0)]
    pub sign: u32,
}

/// What a patient's signal did.
#[derive(Serialize, ToSchema)]
pub struct PatientSignal {
    pub alert: Uuid,
    /// A new alert, or another occurrence of the one already open.
    pub new: bool,
}

/// A new absence period.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceRequest {
    #[schema(value_type = PlanningDate)]
    pub from: String,
    #[schema(value_type = PlanningDate)]
    pub to: String,
    /// Another active professional who stands in.
    #[serde(default)]
    pub deputy: Option<Uuid>,
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub note: Option<String>,
}

impl From<AbsenceRequest> for samband_domain::absence::AbsenceInput {
    fn from(r: AbsenceRequest) -> Self {
        Self {
            from: r.from,
            to: r.to,
            deputy: r.deputy.map(samband_domain::ids::ProfessionalId),
            note: r.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Absence {
    pub id: Uuid,
    pub professional: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The last day actually away (null: ended before it began).
    pub last_day: Option<NaiveDate>,
    pub deputy: Option<Uuid>,
    pub note: Option<String>,
    pub ended_on: Option<NaiveDate>,
    pub version: i64,
}

impl From<samband_domain::absence::Absence> for Absence {
    fn from(a: samband_domain::absence::Absence) -> Self {
        Self {
            id: a.id.as_uuid(),
            professional: a.professional_id.as_uuid(),
            from: a.from,
            to: a.to,
            last_day: a.last_day(),
            deputy: a.deputy.map(|d| d.as_uuid()),
            note: a.note,
            ended_on: a.ended_on,
            version: a.version,
        }
    }
}

/// A patient's signal thresholds (the defaults until a professional changes them).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsRequest {
    /// PHQ-9 item 9 at or above this is a safety signal: 1–3.
    #[schema(minimum = 1, maximum = 3)]
    pub item9_at_least: u8,
    /// A total risen by at least this is deterioration: 1–27.
    #[schema(minimum = 1, maximum = 27)]
    pub rise_points: u16,
    /// Whether moving up a severity band is deterioration too.
    pub band_rise: bool,
    /// Check-ins missed in a row that make an engagement signal: 1–10.
    #[schema(minimum = 1, maximum = 10)]
    pub missed_in_a_row: u32,
    /// Days a due check-in may go unanswered: 1–60.
    #[schema(minimum = 1, maximum = 60)]
    pub silent_days: i64,
}

impl From<ThresholdsRequest> for samband_domain::signal::Thresholds {
    fn from(r: ThresholdsRequest) -> Self {
        Self {
            item9_at_least: r.item9_at_least,
            rise_points: r.rise_points,
            band_rise: r.band_rise,
            missed_in_a_row: r.missed_in_a_row,
            silent_days: r.silent_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Thresholds {
    pub item9_at_least: u8,
    pub rise_points: u16,
    pub band_rise: bool,
    pub missed_in_a_row: u32,
    pub silent_days: i64,
    /// 0 while the defaults apply.
    pub version: i64,
}

impl From<samband_app::signals::ThresholdsView> for Thresholds {
    fn from(v: samband_app::signals::ThresholdsView) -> Self {
        let samband_domain::signal::Thresholds {
            item9_at_least,
            rise_points,
            band_rise,
            missed_in_a_row,
            silent_days,
        } = v.thresholds;
        Self {
            item9_at_least,
            rise_points,
            band_rise,
            missed_in_a_row,
            silent_days,
            version: v.version,
        }
    }
}
