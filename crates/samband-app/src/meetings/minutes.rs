//! Minutes per agenda item, versioned, in the information category they are about.

use super::Meetings;
use crate::policy::{Detail, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::meeting::*;

impl Meetings<'_> {
    /// Minutes for one item, versioned: two people typing never overwrite each other.
    /// The chair's minutes for an item, in the information category they are about
    /// (`None` keeps the item's; plan and actions for a new item). The writer must be
    /// allowed to read that category themself.
    pub async fn save_minutes(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        minutes: &str,
        category: Option<&str>,
        expected: i64,
    ) -> Result<AgendaItem, AppError> {
        let mut e = samband_domain::ValidationErrors::new();
        let minutes = e
            .take(samband_domain::text::optional(
                "minutes",
                Some(minutes),
                20_000,
            ))
            .flatten()
            .unwrap_or_default();
        let category = match category.map(str::trim) {
            None | Some("") => None,
            Some(c) => e.take(Category::parse("minutes_category", c)),
        };
        e.into_result()?;
        let mut tx = self.store.begin().await?;
        let m = tx.get_meeting(id).await?.ok_or(AppError::NotFound)?;
        let old = self.load_item(&mut tx, &m, item).await?;
        let category = category.unwrap_or(old.minutes_category);
        let facts = self.load_facts(&mut tx, ctx, m.patient_id).await?;
        // Both what the minutes were about and what they will be: nobody overwrites (or
        // learns from a conflict) minutes they may not read.
        let mut purpose = Purpose::Care;
        for c in [old.minutes_category, category] {
            let (next_tx, p) = self
                .authorize_in(
                    tx,
                    ctx,
                    m.patient_id,
                    &facts,
                    Operation::Update,
                    Object::Meeting,
                    c,
                    Detail::Planning,
                )
                .await?;
            tx = next_tx;
            purpose = p;
        }
        let next = AgendaItem {
            minutes,
            minutes_category: category,
            ..old.clone()
        };
        self.save_item(tx, ctx, &m, &old, next, expected, purpose)
            .await
    }
}
