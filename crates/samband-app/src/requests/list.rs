//! A patient's requests, as far as the reader may see each.

use super::Requests;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::message::*;

impl Requests<'_> {
    /// One page of the requests about a patient this reader may see (those whose thread
    /// they may see), newest first, with how many there are.
    pub async fn patient_requests(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<Request>, AppError> {
        let req = crate::paging::parse::<DateTime<Utc>>("requests", page)?;
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::List,
                Object::Patient,
                Detail::None,
            )
            .await?;
        let (mine, others) = self
            .messages()
            .visible_thread_categories(ctx, patient, &facts);
        let filter = samband_store::ThreadFilter {
            reader: ctx.principal.account_id,
            participant_categories: &mine,
            other_categories: &others,
        };
        let rows = tx.list_requests(patient, &filter, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |r| (r.created_at, r.id.as_uuid()));
        let total = tx.count_requests(patient, &filter).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Message,
            None,
            Operation::List,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(rows, next, total))
    }
}
