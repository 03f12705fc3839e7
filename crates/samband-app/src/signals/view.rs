//! Reading alerts: one with its history, a patient's (for the overview), and the
//! assignee's own list across patients — each patient's alert through the policy, so a
//! member whose organisation may not read the patient's self-reports sees none.

use super::Signals;
use crate::kernel::TxBox;
use crate::paging::{self, Page, PageParams};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::principal::Subject;
use samband_domain::signal::Alert;
use samband_store::{AlertFilter, AlertScope};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertEventLine {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub member_name: Option<String>,
    pub detail: serde_json::Value,
}

/// An alert as its reader sees it, with the names it points at and its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertView {
    pub alert: Alert,
    pub patient_name: String,
    pub assignee_name: String,
    pub acknowledged_by_name: Option<String>,
    pub events: Vec<AlertEventLine>,
}

/// One line of an alert list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertItem {
    pub alert: Alert,
    pub patient_name: String,
    pub assignee_name: String,
}

impl Signals<'_> {
    async fn names(
        &self,
        tx: &mut TxBox,
        patient: PatientId,
    ) -> Result<std::collections::HashMap<MemberId, String>, AppError> {
        Ok(tx
            .member_contacts(patient)
            .await?
            .into_iter()
            .filter_map(|c| c.professional_name.map(|n| (c.member_id, n)))
            .collect())
    }

    pub(crate) async fn view_of(&self, tx: &mut TxBox, a: &Alert) -> Result<AlertView, AppError> {
        let names = self.names(tx, a.patient_id).await?;
        let name = |m: &MemberId| names.get(m).cloned();
        let patient_name = tx
            .get_patient(a.patient_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        let events = tx
            .list_alert_events(a.id)
            .await?
            .into_iter()
            .map(|e| AlertEventLine {
                at: e.at,
                kind: e.kind,
                member_name: e.member.as_ref().and_then(name),
                detail: e.detail,
            })
            .collect();
        Ok(AlertView {
            alert: a.clone(),
            patient_name,
            assignee_name: name(&a.assignee).unwrap_or_default(),
            acknowledged_by_name: a.acknowledgement.as_ref().and_then(|k| name(&k.by)),
            events,
        })
    }

    /// One alert with its history (audited).
    pub async fn get(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: AlertId,
    ) -> Result<AlertView, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Alert,
                Detail::None,
            )
            .await?;
        let a = tx.get_alert(patient, id).await?.ok_or(AppError::NotFound)?;
        let view = self.view_of(&mut tx, &a).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Alert,
            Some(id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The patient's alerts, soonest deadline first (open ones only if `open_only`).
    pub async fn for_patient(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        open_only: bool,
        page: &PageParams,
    ) -> Result<Page<AlertItem>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("patient_alerts", page)?;
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::List,
                Object::Alert,
                Detail::None,
            )
            .await?;
        let filter = AlertFilter {
            scope: AlertScope::Patient(patient),
            open_only,
        };
        let rows = tx.alerts_page(&filter, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |a| (a.deadline, a.id.as_uuid()));
        let total = tx.count_alerts(&filter).await?;
        let names = self.names(&mut tx, patient).await?;
        let patient_name = tx
            .get_patient(patient)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        let items = rows
            .into_iter()
            .map(|a| AlertItem {
                assignee_name: names.get(&a.assignee).cloned().unwrap_or_default(),
                patient_name: patient_name.clone(),
                alert: a,
            })
            .collect();
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Alert,
            None,
            Operation::List,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(items, next, total))
    }

    /// The signed-in professional's alerts across patients (those held by any of their
    /// memberships), soonest deadline first. Each row is decided by the policy for its
    /// patient; a withheld one is left out of the page (and counted in the total, as
    /// the inbox does).
    pub async fn mine(
        &self,
        ctx: &Ctx,
        open_only: bool,
        page: &PageParams,
    ) -> Result<Page<AlertItem>, AppError> {
        let Subject::Professional(me) = ctx.principal.subject else {
            return Err(AppError::Forbidden);
        };
        let req = paging::parse::<DateTime<Utc>>("my_alerts", page)?;
        let mut tx = self.store.begin_read().await?;
        let filter = AlertFilter {
            scope: AlertScope::Assignee(me),
            open_only,
        };
        let rows = tx.alerts_page(&filter, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |a| (a.deadline, a.id.as_uuid()));
        let total = tx.count_alerts(&filter).await?;
        let mut items = Vec::new();
        for a in rows {
            let facts = self.load_facts(&mut tx, ctx, a.patient_id).await?;
            let Some(purpose) = self.permits(
                ctx,
                a.patient_id,
                &facts,
                Operation::List,
                Object::Alert,
                Detail::None,
            ) else {
                continue;
            };
            self.audit(
                &mut tx,
                ctx,
                a.patient_id,
                Object::Alert,
                Some(a.id.to_string()),
                Operation::List,
                purpose,
            )
            .await?;
            let names = self.names(&mut tx, a.patient_id).await?;
            let patient_name = tx
                .get_patient(a.patient_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            items.push(AlertItem {
                assignee_name: names.get(&a.assignee).cloned().unwrap_or_default(),
                patient_name,
                alert: a,
            });
        }
        tx.commit().await?;
        Ok(req.page(items, next, total))
    }
}
