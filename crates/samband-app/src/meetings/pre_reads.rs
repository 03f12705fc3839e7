//! Pre-reads shared before the meeting, each in its own information category.

use super::Meetings;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::ValidationErrors;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreReadInput {
    pub kind: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub category: Option<String>,
}

impl Meetings<'_> {
    pub async fn add_pre_read(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &PreReadInput,
    ) -> Result<PreRead, AppError> {
        let mut e = ValidationErrors::new();
        let kind = e.take(PreReadKind::parse("kind", &input.kind));
        let title = e.take(samband_domain::text::required(
            "title",
            &input.title,
            samband_domain::text::SHORT,
        ));
        let body = e.take(samband_domain::text::required("body", &input.body, 20_000));
        let category = match input.category.as_deref().map(str::trim) {
            None | Some("") => Some(Category::MeetingPreReads),
            Some(c) => e.take(Category::parse("category", c)),
        };
        e.into_result()?;
        let (Some(kind), Some(title), Some(body), Some(category)) = (kind, title, body, category)
        else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let (tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let r = PreRead {
            id: PreReadId::new(),
            meeting_id: id,
            kind,
            title,
            body,
            category,
            author_name: ctx.principal.display_name.clone(),
            created_at: self.clock.now(),
        };
        let mut tx = tx;
        tx.insert_pre_read(&r).await?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(r.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(r)
    }
}
