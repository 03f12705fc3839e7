//! Raising a signal: the integration points for scored responses and check-in
//! schedules, and the one `raise` both use.

use super::route::Routing;
use super::Signals;
use crate::jobs;
use crate::kernel::TxBox;
use crate::notify::Notice;
use crate::policy::{Object, Operation, Purpose};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::organisation::Sector;
use samband_domain::plan::{Action, ActionStatus};
use samband_domain::principal::Subject;
use samband_domain::signal::{
    detect_engagement, detect_score, first_deadline, step_deadline, Alert, Due, Reason, ScorePoint,
    SignalClass, SignalSource, Thresholds,
};
use samband_store::{AlertEvent, AuditEntry, Job};
use uuid::Uuid;

/// What one trigger did: the alert it raised or added an occurrence to, and the
/// accounts told (for `after_commit` once the caller's transaction has committed).
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    pub alert: AlertId,
    pub class: SignalClass,
    /// A new alert (false: an occurrence added to the open one).
    pub new: bool,
    pub told: Vec<AccountId>,
}

/// Title of the same-day task a safety alert gives its named clinician.
pub(crate) const RISK_ASSESSMENT: &str = "Risk assessment today (safety signal)";

impl Signals<'_> {
    /// **Integration point for scored questionnaire responses**: call it inside the
    /// transaction that saves the response, with the patient's previous and new score
    /// (`ctx` is whoever submitted it). Raises what the detectors find under the
    /// patient's thresholds; after the caller's commit, pass every `told` to
    /// `App::after_commit`.
    pub async fn on_scored_response(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        previous: Option<&ScorePoint>,
        current: &ScorePoint,
    ) -> Result<Vec<Raised>, AppError> {
        let th = self.thresholds_of(tx, patient).await?;
        let mut out = Vec::new();
        for d in detect_score(previous, current, &th) {
            out.push(
                self.raise(tx, Some(ctx), patient, d.reason, SignalSource::Score)
                    .await?,
            );
        }
        Ok(out)
    }

    /// **Integration point for check-in schedules** (the job runner, per schedule):
    /// the schedule's due times and when it was answered. Raises an engagement alert
    /// when check-ins were missed (or adds an occurrence to the open one).
    pub async fn on_schedule(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
        due: &[DateTime<Utc>],
        answers: &[DateTime<Utc>],
    ) -> Result<Option<Raised>, AppError> {
        let th = self.thresholds_of(tx, patient).await?;
        match detect_engagement(due, answers, self.clock.now(), &th) {
            Some(d) => Ok(Some(
                self.raise(tx, None, patient, d.reason, SignalSource::Schedule)
                    .await?,
            )),
            None => Ok(None),
        }
    }

    /// The patient's thresholds, or the defaults.
    pub(crate) async fn thresholds_of(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
    ) -> Result<Thresholds, AppError> {
        Ok(tx
            .get_thresholds(patient)
            .await?
            .map(|(t, _)| t)
            .unwrap_or_default())
    }

    pub(crate) fn resolve(&self, due: Due) -> DateTime<Utc> {
        match due {
            Due::EndOfDay(d) => self.end_of_day(d),
            Due::Within(span) => self.clock.now() + span,
        }
    }

    /// Raises `reason` for `patient`: another occurrence of the open alert of its
    /// class, or a new alert on the first of the routing chain with its deadline job,
    /// the assignee told (urgently for safety) and, for safety, a same-day risk
    /// assessment action for them. `by` is who triggered it (none: Samband itself).
    pub(crate) async fn raise(
        &self,
        tx: &mut TxBox,
        by: Option<&Ctx>,
        patient: PatientId,
        reason: Reason,
        source: SignalSource,
    ) -> Result<Raised, AppError> {
        let class = reason.class();
        if let Some(open) = tx.open_alert(patient, class).await? {
            return self.add_occurrence(tx, by, open, &reason, source).await;
        }
        let team = self.team().load(tx, patient).await?;
        let routing = self.routing(tx, &team, class).await?;
        let Some(first) = routing.chain.first().copied() else {
            return Err(AppError::Internal("a team without a coordinator".into()));
        };
        let now = self.clock.now();
        let today = self.today();
        let deadline = self.resolve(first_deadline(class, today, &self.config.calendar));
        let alert = Alert::raise(patient, reason.clone(), source, first, deadline, now);
        if !tx.insert_alert(&alert).await? {
            // Another trigger opened one between our look and our write.
            let open = tx
                .open_alert(patient, class)
                .await?
                .ok_or_else(|| AppError::Internal("open alert vanished".into()))?;
            return self.add_occurrence(tx, by, open, &reason, source).await;
        }
        self.event(
            tx,
            &alert,
            "raised",
            Some(first.member),
            serde_json::json!({ "reason": reason, "source": source, "route": first.reason }),
        )
        .await?;
        self.queue_deadline(tx, &alert).await?;
        self.audit_alert(tx, by, &alert, Operation::Create).await?;
        if class == SignalClass::Safety {
            self.risk_assessment_action(tx, by, &team, &alert).await?;
        }
        let told = self
            .tell(tx, &routing, &alert, &[first.member], "alert")
            .await?;
        Ok(Raised {
            alert: alert.id,
            class,
            new: true,
            told,
        })
    }

    async fn add_occurrence(
        &self,
        tx: &mut TxBox,
        by: Option<&Ctx>,
        open: Alert,
        reason: &Reason,
        source: SignalSource,
    ) -> Result<Raised, AppError> {
        // Another trigger, an escalation or an acknowledgement may have moved the alert
        // since it was read (PostgreSQL runs writes concurrently): read it again and
        // count the occurrence on what is stored — or, acknowledged meanwhile, raise a
        // new alert, since the one it would have joined is closed.
        let mut open = open;
        let mut tries = 0;
        let next = loop {
            let mut next = open.clone();
            next.occurrences = open.occurrences.saturating_add(1);
            match tx.update_alert(&next, open.version).await {
                Ok(v) => {
                    next.version = v;
                    break next;
                }
                Err(samband_store::StoreError::Conflict(_)) if tries < 3 => {
                    tries += 1;
                    match tx.open_alert(open.patient_id, open.class).await? {
                        Some(again) => open = again,
                        None => {
                            return Box::pin(self.raise(
                                tx,
                                by,
                                open.patient_id,
                                reason.clone(),
                                source,
                            ))
                            .await
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        };
        self.event(
            tx,
            &next,
            "occurrence",
            None,
            serde_json::json!({ "reason": reason }),
        )
        .await?;
        self.audit_alert(tx, by, &next, Operation::Update).await?;
        Ok(Raised {
            alert: next.id,
            class: next.class,
            new: false,
            told: Vec::new(),
        })
    }

    /// The deadline job of the alert's current step (one per alert and level).
    pub(crate) async fn queue_deadline(&self, tx: &mut TxBox, a: &Alert) -> Result<(), AppError> {
        let job = Job::new(
            jobs::ALERT_DEADLINE,
            serde_json::json!({ "patient_id": a.patient_id, "alert_id": a.id, "level": a.level }),
            a.deadline,
            self.clock.now(),
        )
        .dedupe(format!("alert:{}:{}", a.id, a.level));
        self.enqueue(tx, job).await?;
        Ok(())
    }

    /// The next step's deadline after an escalation now.
    pub(crate) fn next_deadline(&self, class: SignalClass) -> DateTime<Utc> {
        self.resolve(step_deadline(class, self.today(), &self.config.calendar))
    }

    pub(crate) async fn event(
        &self,
        tx: &mut TxBox,
        a: &Alert,
        kind: &str,
        member: Option<MemberId>,
        detail: serde_json::Value,
    ) -> Result<(), AppError> {
        tx.insert_alert_event(&AlertEvent {
            id: Uuid::now_v7(),
            alert_id: a.id,
            patient_id: a.patient_id,
            at: self.clock.now(),
            kind: kind.into(),
            member,
            detail,
        })
        .await?;
        Ok(())
    }

    /// Audits a change to an alert by the person who caused it, or by Samband.
    pub(crate) async fn audit_alert(
        &self,
        tx: &mut TxBox,
        by: Option<&Ctx>,
        a: &Alert,
        op: Operation,
    ) -> Result<(), AppError> {
        match by {
            Some(ctx) => {
                let purpose = match ctx.principal.subject {
                    Subject::Patient(_) => Purpose::OwnRecord,
                    Subject::Proxy { .. } => Purpose::Proxy,
                    _ => Purpose::Care,
                };
                self.audit(
                    tx,
                    ctx,
                    a.patient_id,
                    Object::Alert,
                    Some(a.id.to_string()),
                    op,
                    purpose,
                )
                .await
            }
            None => {
                tx.append_audit(&AuditEntry {
                    id: Uuid::now_v7(),
                    at: self.clock.now(),
                    actor_account_id: None,
                    patient_id: Some(a.patient_id),
                    object_type: Object::Alert.as_str().into(),
                    object_id: Some(a.id.to_string()),
                    action: op.as_str().into(),
                    purpose: "system".into(),
                    request_id: None,
                })
                .await?;
                Ok(())
            }
        }
    }

    /// Tells `members` of the alert (urgently for safety: e-mail at once whatever
    /// their digest preference); returns the accounts told.
    pub(crate) async fn tell(
        &self,
        tx: &mut TxBox,
        routing: &Routing,
        a: &Alert,
        members: &[MemberId],
        kind: &str,
    ) -> Result<Vec<AccountId>, AppError> {
        let urgent = a.class == SignalClass::Safety;
        let kind = if urgent {
            format!("{kind}_urgent")
        } else {
            kind.to_owned()
        };
        let mut told = Vec::new();
        for m in members {
            let Some(account) = routing.account(*m) else {
                continue;
            };
            if told.contains(&account) {
                continue;
            }
            self.notifications()
                .notify_with(
                    tx,
                    Notice {
                        account,
                        patient: Some(a.patient_id),
                        kind: &kind,
                        thread: None,
                        actor: None,
                        detail: Some(a.class.as_str().into()),
                        unread: true,
                    },
                    urgent,
                )
                .await?;
            told.push(account);
        }
        Ok(told)
    }

    /// The same-day risk assessment a safety alert asks of its named clinician.
    async fn risk_assessment_action(
        &self,
        tx: &mut TxBox,
        by: Option<&Ctx>,
        team: &samband_domain::team::CareTeam,
        a: &Alert,
    ) -> Result<(), AppError> {
        let sector = match team.member(a.assignee).and_then(|m| m.organisation_id) {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        }
        .unwrap_or(Sector::Other);
        let action = Action {
            id: ActionId::new(),
            patient_id: a.patient_id,
            title: RISK_ASSESSMENT.into(),
            owner_member_id: a.assignee,
            sector,
            due_date: self.today(),
            status: ActionStatus::Planned,
            goal_id: None,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_action(&action).await?;
        match by {
            Some(ctx) => {
                self.record_change(
                    tx,
                    ctx,
                    a.patient_id,
                    Object::Action,
                    action.id.to_string(),
                    1,
                    None::<&Action>,
                    &action,
                    Some(format!("safety alert {}", a.id)),
                )
                .await?;
            }
            None => {
                tx.append_audit(&AuditEntry {
                    id: Uuid::now_v7(),
                    at: self.clock.now(),
                    actor_account_id: None,
                    patient_id: Some(a.patient_id),
                    object_type: Object::Action.as_str().into(),
                    object_id: Some(action.id.to_string()),
                    action: "create".into(),
                    purpose: "system".into(),
                    request_id: None,
                })
                .await?;
            }
        }
        Ok(())
    }
}
