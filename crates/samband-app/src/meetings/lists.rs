//! Lists of meetings: a patient's, and the reader's own.

use super::Meetings;
use crate::meetings::MyMeeting;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::meeting::*;

impl Meetings<'_> {
    /// The patient's meetings the reader may see.
    pub async fn patient_meetings(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<Meeting>, AppError> {
        let req = crate::paging::parse::<chrono::DateTime<chrono::Utc>>("meetings", page)?;
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::List,
                Object::Meeting,
                Detail::None,
            )
            .await?;
        let list = tx.list_meetings(patient, &req.probe()).await?;
        let (list, next) = req.cut(list, |m| (m.starts_at, m.id.as_uuid()));
        let total = tx.count_meetings(patient).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Meeting,
            None,
            Operation::List,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(list, next, total))
    }

    /// One page of the meetings the reader is invited to, from today on (not
    /// cancelled, not over), soonest first, across patients; each patient's meetings
    /// only while the policy lets the reader see them. `total` counts every such
    /// invitation, withheld ones included (those are never listed). For a coordinator
    /// running many meetings a week: replies and agenda at a glance.
    pub async fn my_meetings(
        &self,
        ctx: &Ctx,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<MyMeeting>, AppError> {
        let req = crate::paging::parse::<chrono::DateTime<chrono::Utc>>("my_meetings", page)?;
        let mut tx = self.store.begin_read().await?;
        let today_start =
            self.local_to_utc(self.today().and_hms_opt(0, 0, 0).unwrap_or_default())?;
        let me = ctx.principal.account_id;
        let rows = tx
            .meetings_for_account(me, today_start, &req.probe())
            .await?;
        let (rows, next) = req.cut(rows, |m| (m.starts_at, m.id.as_uuid()));
        let total = tx.count_meetings_for_account(me, today_start).await?;
        let mut out = Vec::new();
        for m in rows {
            let facts = self.load_facts(&mut tx, ctx, m.patient_id).await?;
            let Some(purpose) = self.permits(
                ctx,
                m.patient_id,
                &facts,
                Operation::List,
                Object::Meeting,
                Detail::None,
            ) else {
                continue;
            };
            let people = tx.list_participants(m.id).await?;
            let agenda_items = tx.list_agenda(m.id).await?.len();
            let patient_name = tx
                .get_patient(m.patient_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            self.audit(
                &mut tx,
                ctx,
                m.patient_id,
                Object::Meeting,
                Some(m.id.to_string()),
                Operation::List,
                purpose,
            )
            .await?;
            out.push(MyMeeting {
                invited: people.len(),
                accepted: people.iter().filter(|p| p.reply == Reply::Accepted).count(),
                pending: people.iter().filter(|p| p.reply == Reply::Pending).count(),
                agenda_items,
                patient_name,
                meeting: m,
            });
        }
        tx.commit().await?;
        Ok(req.page(out, next, total))
    }
}
