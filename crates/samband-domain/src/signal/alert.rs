//! An alert: one signal class for one patient, open until a person acknowledges it
//! with an outcome. A second trigger while it is open is another occurrence of the
//! same alert, never a second alert; nothing closes it but an acknowledgement (a
//! safety alert above all is never cleared automatically).

use super::detect::Reason;
use super::routing::{at_level, Route, RouteReason};
use super::{SignalClass, SignalSource};
use crate::ids::{AlertId, MemberId, PatientId};
use crate::text::{self, LONG};
use crate::ValidationErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::string_enum!(
    AlertStatus {
        Open = "open",
        Acknowledged = "acknowledged",
    }
);

crate::string_enum!(
    /// What the person who acknowledged did about it.
    Outcome {
        Contacted = "contacted",
        PlanChanged = "plan_changed",
        /// Needs a reason.
        NoAction = "no_action",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub by: MemberId,
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub patient_id: PatientId,
    pub class: SignalClass,
    /// The first trigger's reason (later ones are occurrences in its history).
    pub reason: Reason,
    pub source: SignalSource,
    pub assignee: MemberId,
    pub route: RouteReason,
    pub deadline: DateTime<Utc>,
    /// Escalation steps taken so far (0: with the first person on the chain).
    pub level: u32,
    pub status: AlertStatus,
    pub occurrences: u32,
    pub raised_at: DateTime<Utc>,
    pub acknowledgement: Option<Acknowledgement>,
    pub version: i64,
}

impl Alert {
    /// A new open alert on the first of `chain` (never empty: see `routing::chain`).
    #[allow(clippy::too_many_arguments)] // one shape: what, for whom, from where, to whom, by when
    pub fn raise(
        patient_id: PatientId,
        reason: Reason,
        source: SignalSource,
        first: Route,
        deadline: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AlertId::new(),
            patient_id,
            class: reason.class(),
            reason,
            source,
            assignee: first.member,
            route: first.reason,
            deadline,
            level: 0,
            status: AlertStatus::Open,
            occurrences: 1,
            raised_at: now,
            acknowledgement: None,
            version: 1,
        }
    }

    pub fn is_open(&self) -> bool {
        self.status == AlertStatus::Open
    }

    /// Whether its deadline has passed unacknowledged.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && now >= self.deadline
    }

    /// One step up `chain` (as computed now), with the step's own deadline. `None` for
    /// an acknowledged alert (nothing to escalate) or an empty chain (it stays where it
    /// is, with the new deadline: it is never dropped).
    pub fn escalate(&self, chain: &[Route], deadline: DateTime<Utc>) -> Option<Alert> {
        if !self.is_open() {
            return None;
        }
        let mut next = self.clone();
        next.level = self.level.saturating_add(1);
        next.deadline = deadline;
        if let Some(r) = at_level(chain, next.level) {
            next.assignee = r.member;
            next.route = r.reason;
        }
        Some(next)
    }

    pub fn acknowledge(&self, ack: Acknowledgement) -> Result<Alert, ValidationErrors> {
        if !self.is_open() {
            return Err(ValidationErrors::single(
                "status",
                "already_acknowledged",
                "this alert has been acknowledged already",
            ));
        }
        let mut next = self.clone();
        next.status = AlertStatus::Acknowledged;
        next.acknowledgement = Some(ack);
        Ok(next)
    }
}

/// Raw acknowledgement input, as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckInput {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub reason: Option<String>,
}

impl AckInput {
    /// The outcome is required; "no action" needs a reason (a note is optional for
    /// the others).
    pub fn parse(&self) -> Result<(Outcome, Option<String>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let note = e
            .take(text::optional("reason", self.reason.as_deref(), LONG))
            .flatten();
        let outcome = if self.outcome.trim().is_empty() {
            e.add("outcome", "required", "choose what was done");
            None
        } else {
            e.take(Outcome::parse("outcome", &self.outcome))
        };
        if outcome == Some(Outcome::NoAction) && note.is_none() && e.is_empty() {
            e.add("reason", "required", "say why no action is needed");
        }
        match outcome {
            Some(o) if e.is_empty() => Ok((o, note)),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 7, 3, 0, 0).unwrap()
    }

    fn route(reason: RouteReason) -> Route {
        Route {
            member: MemberId::new(),
            reason,
        }
    }

    #[test]
    fn escalation_walks_the_chain_then_stays_with_the_last_telling_everyone() {
        let chain = [route(RouteReason::Deputy), route(RouteReason::Role)];
        let a = Alert::raise(
            PatientId::new(),
            Reason::Item9 { score: 2 },
            SignalSource::Score,
            chain[0],
            now() + Duration::hours(21),
            now(),
        );
        assert_eq!(
            (a.class, a.assignee, a.level),
            (SignalClass::Safety, chain[0].member, 0)
        );
        assert!(!a.is_overdue(now()));
        assert!(a.is_overdue(a.deadline));
        let b = a.escalate(&chain, a.deadline + Duration::hours(1)).unwrap();
        assert_eq!(
            (b.assignee, b.level, b.route),
            (chain[1].member, 1, RouteReason::Role)
        );
        let c = b.escalate(&chain, b.deadline + Duration::hours(1)).unwrap();
        assert_eq!(
            (c.assignee, c.level, c.route),
            (chain[1].member, 2, RouteReason::Everyone)
        );
        assert!(c.deadline > b.deadline);
        // An empty chain keeps it where it is, with a new deadline: never dropped.
        let d = c.escalate(&[], c.deadline + Duration::hours(1)).unwrap();
        assert_eq!((d.assignee, d.level), (c.assignee, 3));
        let acked = d
            .acknowledge(Acknowledgement {
                by: d.assignee,
                at: now(),
                outcome: Outcome::Contacted,
                note: None,
            })
            .unwrap();
        assert!(acked.escalate(&chain, now()).is_none());
        assert!(!acked.is_overdue(acked.deadline));
        assert_eq!(
            acked
                .acknowledge(acked.acknowledgement.clone().unwrap())
                .unwrap_err()
                .errors[0]
                .code,
            "already_acknowledged"
        );
    }

    #[test]
    fn acknowledging_needs_an_outcome_and_no_action_a_reason() {
        let ack = |o: &str, r: Option<&str>| {
            AckInput {
                outcome: o.into(),
                reason: r.map(Into::into),
            }
            .parse()
        };
        let field = |r: Result<(Outcome, Option<String>), ValidationErrors>| {
            let e = r.unwrap_err();
            (e.errors[0].field.clone(), e.errors[0].code)
        };
        assert_eq!(field(ack("", None)), ("outcome".into(), "required"));
        assert_eq!(field(ack("phoned", None)), ("outcome".into(), "bad_choice"));
        assert_eq!(field(ack("no_action", None)), ("reason".into(), "required"));
        assert_eq!(
            field(ack("no_action", Some("  "))),
            ("reason".into(), "required")
        );
        assert_eq!(
            ack("no_action", Some("Seen in clinic today")).unwrap(),
            (Outcome::NoAction, Some("Seen in clinic today".into()))
        );
        assert_eq!(ack("contacted", None).unwrap(), (Outcome::Contacted, None));
    }
}
