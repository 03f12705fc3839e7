//! The integration point that runs in the SAME transaction right after a response is
//! saved, before it commits: whatever must never be lost once an answer exists goes
//! here, so it happens with the answer or not at all. Today it records the pathway
//! evidence "questionnaire answered" (`questionnaire:<instrument>`); the safety,
//! deterioration and engagement signals (`samband-app/src/signals/`, issue 12 item 4)
//! are to be called from [`Monitoring::after_response`] with the same `tx`, `ctx` and
//! `ResponseSaved` (its `scored` is the domain's `ScoredResponse`).

use super::{Monitoring, ResponseSaved};
use crate::kernel::TxBox;
use crate::{AppError, Ctx};
use samband_domain::pathway::Event;

/// What ran after a response was saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AfterResponse {
    /// Pathway milestone occurrences the answer completed.
    pub milestones_completed: usize,
}

impl Monitoring<'_> {
    pub(crate) async fn after_response(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        saved: &ResponseSaved,
    ) -> Result<AfterResponse, AppError> {
        let r = &saved.record;
        let milestones_completed = self
            .pathways()
            .record_evidence(
                tx,
                ctx,
                r.patient_id,
                &Event::QuestionnaireAnswered(r.instrument.as_str()),
                r.answered_at
                    .with_timezone(&self.config.time_zone)
                    .date_naive(),
                &format!("questionnaire_response:{}", r.id),
            )
            .await?;
        // Signals (helper 2) are wired in here at merge, e.g.
        // `self.signals().on_response(tx, ctx, &saved.scored).await?`.
        Ok(AfterResponse {
            milestones_completed,
        })
    }
}
