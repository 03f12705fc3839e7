//! Overdue milestones across patients: a count per patient for a page of the caseload,
//! and the coordinator's list of overdue and soon-due milestones across the patients
//! they coordinate. Each patient is put to the policy (the plan category) and the read
//! audited; a patient whose plan the reader may not see counts nothing.

use super::{EnrolmentView, Pathways};
use crate::kernel::TxBox;
use crate::paging::{self, Page, PageParams};
use crate::policy::{Decision, Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{Duration, NaiveDate};
use samband_domain::ids::*;
use samband_domain::pathway::{Localised, MilestoneState};
use samband_domain::principal::Subject;
use samband_store::PageAt;
use serde::Serialize;

/// How far ahead the coordinator's list looks for milestones coming due.
pub const SOON_DAYS: i64 = 14;

/// One milestone occurrence on the coordinator's list.
#[derive(Debug, Clone, Serialize)]
pub struct DueMilestone {
    pub patient_id: PatientId,
    pub patient_name: String,
    pub enrolment_id: EnrolmentId,
    pub pathway: Localised,
    pub milestone: String,
    pub occurrence: u32,
    pub title: Localised,
    pub opens: NaiveDate,
    pub due: NaiveDate,
    pub state: MilestoneState,
}

impl Pathways<'_> {
    /// The patient's enrolments if the reader may see the plan (audited), else `None`.
    async fn enrolments_if_permitted(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Option<Vec<EnrolmentView>>, AppError> {
        let facts = self.load_facts(tx, ctx, patient).await?;
        let Decision::Permit(purpose) = self.decide(
            ctx,
            patient,
            &facts,
            Operation::Read,
            Object::Pathway,
            Detail::None,
        ) else {
            return Ok(None);
        };
        let list = tx.list_enrolments(patient).await?;
        if list.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let today = self.today();
        let mut out = Vec::with_capacity(list.len());
        for e in list {
            if let Some(t) = self
                .template(tx, &e.template_key, Some(e.template_version))
                .await?
            {
                out.push(EnrolmentView::of(e, &t, today));
            }
        }
        self.audit(
            tx,
            ctx,
            patient,
            Object::Pathway,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        Ok(Some(out))
    }

    /// Overdue milestone occurrences per patient (of those given: a page of the
    /// caseload); patients with none, or whose plan the reader may not see, are left out.
    pub async fn overdue_counts(
        &self,
        ctx: &Ctx,
        patients: &[PatientId],
    ) -> Result<Vec<(PatientId, usize)>, AppError> {
        let mut tx = self.store.begin().await?;
        let mut out = Vec::new();
        for p in patients {
            if let Some(list) = self.enrolments_if_permitted(&mut tx, ctx, *p).await? {
                let n: usize = list.iter().map(|e| e.overdue).sum();
                if n > 0 {
                    out.push((*p, n));
                }
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The coordinator's list: every overdue occurrence, and every open one due within
    /// [`SOON_DAYS`], on the active enrolments of the patients the reader coordinates;
    /// by due date, a page at a time.
    pub async fn coordinator_list(
        &self,
        ctx: &Ctx,
        page: &PageParams,
    ) -> Result<Page<DueMilestone>, AppError> {
        type Key = (NaiveDate, String, u32);
        let req = paging::parse::<Key>("coordinator_milestones", page)?;
        let Subject::Professional(pro) = ctx.principal.subject else {
            return Err(AppError::Forbidden);
        };
        self.authorize_unbound(ctx, Operation::List).await?;
        let today = self.today();
        let soon = today + Duration::days(SOON_DAYS);
        let mut tx = self.store.begin().await?;
        let n = tx.count_caseload(pro, today).await?;
        let rows = tx.caseload(pro, today, &PageAt::first(n.max(1))).await?;
        let mut all = Vec::new();
        for row in rows.into_iter().filter(|r| r.is_coordinator) {
            let Some(list) = self
                .enrolments_if_permitted(&mut tx, ctx, row.patient.id)
                .await?
            else {
                continue;
            };
            for e in list.iter().filter(|e| e.enrolment.ended_on.is_none()) {
                for m in &e.milestones {
                    let s = &m.view.scheduled;
                    let wanted = m.view.state == MilestoneState::Overdue
                        || (m.view.state == MilestoneState::Open && s.due <= soon);
                    if wanted {
                        all.push(DueMilestone {
                            patient_id: row.patient.id,
                            patient_name: row.patient.name.clone(),
                            enrolment_id: e.enrolment.id,
                            pathway: e.title.clone(),
                            milestone: s.milestone.clone(),
                            occurrence: s.occurrence,
                            title: m.title.clone(),
                            opens: s.opens,
                            due: s.due,
                            state: m.view.state,
                        });
                    }
                }
            }
        }
        tx.commit().await?;
        let key = |d: &DueMilestone| -> (Key, uuid::Uuid) {
            (
                (d.due, d.milestone.clone(), d.occurrence),
                d.enrolment_id.as_uuid(),
            )
        };
        let order = |d: &DueMilestone| {
            let ((due, m, o), id) = key(d);
            (due, id, m, o)
        };
        all.sort_by_key(order);
        let total = all.len() as i64;
        let start = match &req.after {
            None => 0,
            Some(((due, m, o), id)) => {
                let after = (*due, *id, m.clone(), *o);
                all.iter()
                    .position(|d| order(d) > after)
                    .unwrap_or(all.len())
            }
        };
        let rest: Vec<DueMilestone> = all.into_iter().skip(start).collect();
        let (items, next) = req.cut(rest, key);
        Ok(req.page(items, next, total))
    }
}
