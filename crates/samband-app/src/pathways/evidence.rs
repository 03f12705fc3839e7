//! Milestones completed by what happens elsewhere: when a meeting is held (and, as those
//! capabilities come, a hand-over acknowledged, a needs mapping recorded, a
//! questionnaire answered), the earliest open occurrence each of the patient's
//! enrolments asks for of that kind is done — in the same transaction as the event, with
//! its own history row.

use super::Pathways;
use crate::kernel::TxBox;
use crate::policy::Object;
use crate::{AppError, Ctx};
use chrono::NaiveDate;
use samband_domain::ids::*;
use samband_domain::pathway::{CompletedBy, Completion, Event};
use samband_store::{HistoryEntry, StoreError};

impl Pathways<'_> {
    /// Completes what `event` evidences on the patient's active enrolments; returns how
    /// many occurrences it completed. `reference` names the object that is the evidence
    /// (`meeting:<id>`).
    pub(crate) async fn record_evidence(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        event: &Event<'_>,
        on: NaiveDate,
        reference: &str,
    ) -> Result<usize, AppError> {
        let mut done = 0;
        for e in tx.list_enrolments(patient).await? {
            let Some(t) = self
                .template(tx, &e.template_key, Some(e.template_version))
                .await?
            else {
                continue;
            };
            let Some(s) = e.completed_by_event(&t, event, on) else {
                continue;
            };
            let c = Completion {
                milestone: s.milestone.clone(),
                occurrence: s.occurrence,
                on,
                by: CompletedBy::Evidence {
                    reference: reference.to_owned(),
                },
            };
            // The enrolment was read in this transaction: on SQLite nothing else writes
            // meanwhile; on PostgreSQL a concurrent change is a conflict the whole event
            // is retried for, like any other.
            let version =
                tx.complete_milestone(e.id, &c, e.version)
                    .await
                    .map_err(|err| match err {
                        StoreError::Conflict(m) => {
                            AppError::Internal(format!("enrolment changed meanwhile: {m}"))
                        }
                        other => other.into(),
                    })?;
            let mut next = e.clone();
            next.completions.push(c);
            next.version = version;
            tx.append_history(&HistoryEntry {
                id: uuid::Uuid::now_v7(),
                patient_id: patient,
                object_type: Object::Pathway.as_str().into(),
                object_id: e.id.to_string(),
                version,
                actor_account_id: ctx.principal.account_id,
                actor_name: ctx.principal.display_name.clone(),
                at: self.clock.now(),
                reason: Some(format!("completed by {reference}")),
                old_value: serde_json::to_value(&e).ok(),
                new_value: serde_json::to_value(&next).unwrap_or_default(),
            })
            .await?;
            done += 1;
        }
        Ok(done)
    }
}
