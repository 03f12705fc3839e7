//! What an enrolment starts in the same transaction: each milestone's default actions
//! as plan actions owned by the member who answers for the action's role (the
//! coordinator when nobody on the team has that role), and the jobs that remind the
//! responsible member before each occurrence falls due and escalate to the coordinator
//! once it is overdue.

use super::Pathways;
use crate::jobs;
use crate::kernel::TxBox;
use crate::policy::Object;
use crate::{AppError, Ctx};
use chrono::{DateTime, Duration, Utc};
use samband_domain::ids::*;
use samband_domain::organisation::Sector;
use samband_domain::pathway::roles::responsible;
use samband_domain::pathway::{schedule, Enrolment, PathwayTemplate, Scheduled};
use samband_domain::plan::{Action, ActionStatus};
use samband_store::Job;

/// How many days before an occurrence is due its responsible member is reminded (or
/// when its window opens, if that is later).
pub const REMIND_DAYS_BEFORE: i64 = 7;

impl Pathways<'_> {
    /// The enrolment's default actions, saved with a history row each naming the
    /// pathway; returns them.
    pub(crate) async fn start_default_actions(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        e: &Enrolment,
        t: &PathwayTemplate,
    ) -> Result<Vec<Action>, AppError> {
        let today = self.today();
        let Some(team) = tx.get_team(e.patient_id).await? else {
            return Ok(Vec::new());
        };
        let lang = ctx.principal.locale.as_deref().unwrap_or("en");
        let plan = schedule(t, e.anchor_date);
        let mut out = Vec::new();
        for (_, m) in t.milestones() {
            let Some(first) = plan
                .iter()
                .find(|s| s.milestone == m.key && s.occurrence == 1)
            else {
                continue;
            };
            for a in &m.actions {
                let owner = responsible(&team, a.role, today)
                    .map(|o| (o.id, o.organisation_id))
                    .unwrap_or((e.enrolled_by, None));
                let sector = match owner.1 {
                    Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
                    None => None,
                }
                .unwrap_or(Sector::Other);
                let action = Action {
                    id: ActionId::new(),
                    patient_id: e.patient_id,
                    title: a
                        .title
                        .get(lang)
                        .chars()
                        .take(samband_domain::text::SHORT)
                        .collect(),
                    owner_member_id: owner.0,
                    sector,
                    due_date: first.due.max(today),
                    status: ActionStatus::Planned,
                    goal_id: None,
                    created_at: self.clock.now(),
                    version: 1,
                };
                tx.insert_action(&action).await?;
                self.record_change(
                    tx,
                    ctx,
                    e.patient_id,
                    Object::Action,
                    action.id.to_string(),
                    1,
                    None::<&Action>,
                    &action,
                    Some(format!(
                        "default action of the pathway \"{}\", milestone \"{}\"",
                        t.title.get(lang),
                        m.title.get(lang)
                    )),
                )
                .await?;
                out.push(action);
            }
        }
        Ok(out)
    }

    /// One reminder and one escalation job per occurrence, each deduplicated by the
    /// occurrence, so a second scheduling (or a retry) never queues a second one.
    pub(crate) async fn schedule_milestone_jobs(
        &self,
        tx: &mut TxBox,
        e: &Enrolment,
        t: &PathwayTemplate,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        for s in schedule(t, e.anchor_date) {
            let payload = serde_json::json!({
                "patient_id": e.patient_id,
                "enrolment_id": e.id,
                "milestone": s.milestone,
                "occurrence": s.occurrence,
            });
            let occ = format!("{}:{}:{}", e.id, s.milestone, s.occurrence);
            if let Some(at) = self.reminder_at(&s).filter(|at| *at > now) {
                let job = Job::new(jobs::MILESTONE_DUE_SOON, payload.clone(), at, now)
                    .dedupe(format!("milestone_due:{occ}"));
                self.enqueue(tx, job).await?;
            }
            let job = Job::new(
                jobs::MILESTONE_OVERDUE,
                payload,
                self.end_of_day(s.due),
                now,
            )
            .dedupe(format!("milestone_overdue:{occ}"));
            self.enqueue(tx, job).await?;
        }
        Ok(())
    }

    /// A week before the due date, or when the window opens if that is later; in the
    /// morning, local time.
    fn reminder_at(&self, s: &Scheduled) -> Option<DateTime<Utc>> {
        let day = (s.due - Duration::days(REMIND_DAYS_BEFORE)).max(s.opens);
        day.and_hms_opt(8, 0, 0)
            .and_then(|t| t.and_local_timezone(self.config.time_zone).earliest())
            .map(|t| t.with_timezone(&Utc))
    }
}
