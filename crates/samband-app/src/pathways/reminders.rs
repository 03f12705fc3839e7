//! The jobs on a milestone occurrence: a reminder to the member who answers for it
//! before it falls due, and an escalation to the coordinator (and that member) once it
//! is overdue. Each runs once per occurrence (its dedupe key) and tells nobody when the
//! occurrence was done meanwhile or the enrolment ended.

use super::Pathways;
use crate::jobs;
use crate::notify::Notice;
use crate::AppError;
use samband_domain::ids::*;
use samband_domain::pathway::roles::responsible;
use samband_domain::pathway::schedule;
use samband_store::Job;
use serde::Deserialize;

#[derive(Deserialize)]
struct Payload {
    patient_id: PatientId,
    enrolment_id: EnrolmentId,
    milestone: String,
    occurrence: u32,
}

impl Pathways<'_> {
    pub(crate) async fn run_milestone_job(&self, job: &Job) -> Result<(), AppError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let today = self.today();
        let overdue = job.kind == jobs::MILESTONE_OVERDUE;
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        let enrolment = tx.get_enrolment(p.patient_id, p.enrolment_id).await?;
        let open = enrolment
            .as_ref()
            .filter(|e| e.ended_on.is_none() && !e.is_done(&p.milestone, p.occurrence));
        if let Some(e) = open {
            let t = self
                .template(&mut tx, &e.template_key, Some(e.template_version))
                .await?;
            let occ = t.as_ref().and_then(|t| {
                schedule(t, e.anchor_date)
                    .into_iter()
                    .find(|s| s.milestone == p.milestone && s.occurrence == p.occurrence)
                    .map(|s| (t, s))
            });
            let team = tx.get_team(p.patient_id).await?;
            if let (Some((t, s)), Some(team)) = (occ, team) {
                let mut members = Vec::new();
                if let Some(m) = responsible(&team, s.role, today) {
                    members.push(m.clone());
                }
                if overdue {
                    if let Some(c) = team.coordinator(today) {
                        if !members.iter().any(|m| m.id == c.id) {
                            members.push(c.clone());
                        }
                    }
                }
                let title = t
                    .milestone(&s.milestone)
                    .map(|m| m.title.en.clone())
                    .unwrap_or_default();
                for m in members {
                    let Some(pid) = m.professional_id else {
                        continue;
                    };
                    let Some(account) = tx.account_for_professional(pid).await? else {
                        continue;
                    };
                    self.notifications()
                        .notify(
                            &mut tx,
                            Notice {
                                account: account.id,
                                patient: Some(p.patient_id),
                                kind: if overdue {
                                    "milestone_overdue"
                                } else {
                                    "milestone_due"
                                },
                                thread: None,
                                actor: None,
                                detail: Some(format!("{title} ({})", s.due)),
                                unread: true,
                            },
                        )
                        .await?;
                    told.push(account.id);
                }
            }
        }
        self.finish_run(tx, job, now, told).await
    }
}
