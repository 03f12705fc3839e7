//! The integration point that runs in the SAME transaction right after a response is
//! saved, before it commits: whatever must never be lost once an answer exists goes
//! here, so it happens with the answer or not at all: the pathway evidence
//! "questionnaire answered" (`questionnaire:<instrument>`), and for PHQ-9 the safety and
//! deterioration signals (`signals().on_scored_response`) against the patient's previous
//! PHQ-9 with a total. An answer whose total cannot be computed (too many items missing)
//! still has its item 9 read: it can raise a safety signal, never a deterioration one.

use super::{Monitoring, ResponseSaved};
use crate::kernel::TxBox;
use crate::{AppError, Ctx};
use samband_domain::ids::AccountId;
use samband_domain::instrument::InstrumentKey;
use samband_domain::pathway::Event;
use samband_domain::signal::{ScorePoint, SignalClass};
use samband_store::PageAt;

/// What ran after a response was saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AfterResponse {
    /// Pathway milestone occurrences the answer completed.
    pub milestones_completed: usize,
    /// Whom the signals it raised told (signalled once the answer commits).
    pub told: Vec<AccountId>,
    /// It raised (or added to) a safety alert: the patient is shown their crisis plan.
    pub safety: bool,
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
        let mut told = Vec::new();
        let mut safety = false;
        if r.instrument == InstrumentKey::Phq9 {
            let current = point(&saved.scored);
            let previous = self.previous_phq9(tx, saved).await?;
            let (previous, current) = match current {
                Some(c) => (previous, c),
                // No total: only item 9 can be judged, against nothing before it.
                None => (
                    None,
                    ScorePoint {
                        at: r.answered_at,
                        total: 0,
                        band: 0,
                        item9: saved.scored.item9(),
                    },
                ),
            };
            for raised in self
                .signals()
                .on_scored_response(tx, ctx, r.patient_id, previous.as_ref(), &current)
                .await?
            {
                safety |= raised.class == SignalClass::Safety;
                told.extend(raised.told);
            }
        }
        Ok(AfterResponse {
            milestones_completed,
            told,
            safety,
        })
    }

    /// The patient's PHQ-9 before this one that has a total.
    async fn previous_phq9(
        &self,
        tx: &mut TxBox,
        saved: &ResponseSaved,
    ) -> Result<Option<ScorePoint>, AppError> {
        let r = &saved.record;
        // Newest first: the answer just saved, then the ones before it; a few without a
        // total are stepped over.
        let page = tx
            .responses_page(r.patient_id, Some(InstrumentKey::Phq9), &PageAt::first(6))
            .await?;
        Ok(page
            .iter()
            .filter(|p| p.id != r.id && p.answered_at <= r.answered_at)
            .find_map(|p| point(&p.scored())))
    }
}

/// A PHQ-9 answer as the detectors read it; `None` without a total.
fn point(s: &samband_domain::instrument::ScoredResponse) -> Option<ScorePoint> {
    Some(ScorePoint {
        at: s.answered_at,
        total: s.total()?,
        band: u8::try_from(s.band()?).unwrap_or(u8::MAX),
        item9: s.item9(),
    })
}
