//! The patient's change history, filtered by what the reader may read now.

use super::Patients;
use crate::paging::{self, Page, PageParams};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_store::HistoryFilter;

impl Patients<'_> {
    /// One page of the patient's change history, newest first: only entries about
    /// objects the reader may read now (consent may have narrowed since), decided by
    /// the policy per object type and filtered in the store, so the count agrees.
    pub async fn history(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        object_id: Option<&str>,
        page: &PageParams,
    ) -> Result<Page<crate::views::HistoryItem>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("history", page)?;
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Read,
                Object::History,
                Detail::None,
            )
            .await?;
        let readable: Vec<&str> = Object::ALL
            .iter()
            .filter(|o| {
                self.permits(ctx, patient, &facts, Operation::Read, **o, Detail::None)
                    .is_some()
            })
            .map(|o| o.as_str())
            .collect();
        let filter = HistoryFilter {
            object_id,
            object_types: Some(&readable),
        };
        let rows = tx.list_history(patient, &filter, &req.probe()).await?;
        let (entries, next) = req.cut(rows, |h| (h.at, h.id));
        let total = tx.count_history(patient, &filter).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::History,
            object_id.map(str::to_owned),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(entries, next, total).map(Into::into))
    }
}
