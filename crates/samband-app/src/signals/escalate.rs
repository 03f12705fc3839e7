//! The `alert_deadline` job: an alert still open at its deadline moves one step up the
//! routing chain (computed again now: absences and the team may have changed) with the
//! step's own deadline, the new holder is told — past the end of the chain the whole
//! clinical team — and the job re-queues itself for the next step. A job whose alert
//! was acknowledged, or moved on by another run, does nothing: one job per alert and
//! level (its dedupe key), finishing in the transaction of its effect.

use super::Signals;
use crate::policy::Operation;
use crate::AppError;
use samband_domain::ids::*;
use samband_domain::signal::routing::RouteReason;
use samband_store::Job;

impl Signals<'_> {
    pub(crate) async fn run_alert_deadline(&self, job: &Job) -> Result<(), AppError> {
        let bad = |e: serde_json::Error| AppError::Internal(format!("bad job payload: {e}"));
        let patient: PatientId =
            serde_json::from_value(job.payload["patient_id"].clone()).map_err(bad)?;
        let id: AlertId = serde_json::from_value(job.payload["alert_id"].clone()).map_err(bad)?;
        let level: u32 = serde_json::from_value(job.payload["level"].clone()).map_err(bad)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(alert) = tx
            .get_alert(patient, id)
            .await?
            .filter(|a| a.is_open() && a.level == level)
        else {
            return self.finish_run(tx, job, now, Vec::new()).await;
        };
        let team = self.team().load(&mut tx, patient).await?;
        let routing = self.routing(&mut tx, &team, alert.class).await?;
        let Some(next) = alert.escalate(&routing.chain, self.next_deadline(alert.class)) else {
            return self.finish_run(tx, job, now, Vec::new()).await;
        };
        tx.update_alert(&next, alert.version).await?;
        self.event(
            &mut tx,
            &next,
            "escalated",
            Some(next.assignee),
            serde_json::json!({ "level": next.level, "route": next.route, "from": alert.assignee }),
        )
        .await?;
        self.audit_alert(&mut tx, None, &next, Operation::Update)
            .await?;
        self.queue_deadline(&mut tx, &next).await?;
        let mut members = vec![next.assignee];
        if next.route == RouteReason::Everyone {
            members.extend(routing.group.iter().copied());
        }
        let told = self
            .tell(&mut tx, &routing, &next, &members, "alert_escalated")
            .await?;
        self.finish_run(tx, job, now, told).await
    }
}
