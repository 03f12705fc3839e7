//! Downloading an attachment, under the policy of the thread it came with.

use super::Messages;
use crate::policy::{Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::message::*;

impl Messages<'_> {
    /// An attachment, for a reader who may see its thread.
    pub async fn attachment(
        &self,
        ctx: &Ctx,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>), AppError> {
        let mut tx = self.store.begin().await?;
        let (a, thread_id, data) = tx.get_attachment(id).await?.ok_or(AppError::NotFound)?;
        drop(tx);
        let (mut tx, thread, purpose) = self.open_thread(ctx, thread_id, Operation::Read).await?;
        self.audit(
            &mut tx,
            ctx,
            thread.patient_id,
            Object::Message,
            Some(a.id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok((a, data))
    }
}
