//! Reading responses: one page at a time, newest first (keyset cursor), and the trends
//! per instrument the patient's and the team's pages draw. Both through the policy as
//! `Object::SelfReport`, audited.

use super::Monitoring;
use crate::paging::{self, PageParams};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::instrument::trend::{trend, Trend};
use samband_domain::instrument::{catalogue, InstrumentKey};
use samband_store::{PageAt, ResponseRecord};

/// The most recent answers a trend draws, per instrument.
pub const TREND_POINTS: i64 = 200;

/// One page of responses; `next` is the cursor of the older page after it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponsePage {
    pub items: Vec<ResponseRecord>,
    pub next: Option<String>,
    pub limit: i64,
}

impl Monitoring<'_> {
    pub async fn responses(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        instrument: Option<InstrumentKey>,
        page: &PageParams,
    ) -> Result<ResponsePage, AppError> {
        let req = paging::parse::<DateTime<Utc>>("responses", page)?;
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::SelfReport,
                Detail::None,
            )
            .await?;
        let rows = tx.responses_page(patient, instrument, &req.probe()).await?;
        let (items, next) = req.cut(rows, |r| (r.answered_at, r.id.as_uuid()));
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::SelfReport,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(ResponsePage {
            items,
            next,
            limit: req.limit,
        })
    }

    /// A trend per instrument the patient has a schedule or an answer for, in
    /// catalogue order; lines break at gaps over twice the (latest) schedule's
    /// interval, 28 days when there is no schedule.
    pub async fn trends(&self, ctx: &Ctx, patient: PatientId) -> Result<Vec<Trend>, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::SelfReport,
                Detail::None,
            )
            .await?;
        let schedules = tx.list_schedules(patient).await?;
        let mut out = Vec::new();
        for inst in catalogue::all() {
            let rows = tx
                .responses_page(patient, Some(inst.key), &PageAt::first(TREND_POINTS))
                .await?;
            let latest = schedules
                .iter()
                .filter(|s| s.instrument == inst.key)
                .max_by_key(|s| (s.is_active(), s.created_at));
            if rows.is_empty() && latest.is_none() {
                continue;
            }
            let every = latest.map_or(14, |s| s.every_days);
            let scored: Vec<_> = rows.iter().map(ResponseRecord::scored).collect();
            out.push(trend(inst, &scored, every));
        }
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::SelfReport,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}
