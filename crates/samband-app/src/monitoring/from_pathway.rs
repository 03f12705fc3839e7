//! Schedules a pathway asks for: a milestone completed by a questionnaire
//! (`questionnaire:phq9` on the severe-depression discharge pathway) means the patient
//! is to answer it, so enrolling them sets a check-in schedule for each instrument the
//! template names — unless one is already running — tied to the first such milestone,
//! fortnightly (the collaborative-care cadence; the team changes it as they see fit).
//! Set in the enrolment's transaction, under the policy as the enrolling professional:
//! one whose organisation may not plan self-reports sets none.

use super::Monitoring;
use crate::kernel::TxBox;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::instrument::schedule::{Schedule, ScheduleFields};
use samband_domain::instrument::InstrumentKey;
use samband_domain::pathway::{Enrolment, Evidence, PathwayTemplate};

/// Days between check-ins a pathway's schedule starts with.
pub const PATHWAY_EVERY_DAYS: u32 = 14;

impl Monitoring<'_> {
    /// Sets the schedules `template` asks for; returns those set.
    pub(crate) async fn schedules_for_enrolment(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        e: &Enrolment,
        template: &PathwayTemplate,
    ) -> Result<Vec<Schedule>, AppError> {
        let mut wanted: Vec<(InstrumentKey, String)> = Vec::new();
        for (_, m) in template.milestones() {
            if let Evidence::Questionnaire { instrument } = &m.completed_by {
                if let Ok(key) = InstrumentKey::parse("instrument", instrument) {
                    if !wanted.iter().any(|(k, _)| *k == key) {
                        wanted.push((key, format!("{}/{}", template.key, m.key)));
                    }
                }
            }
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let facts = self.load_facts(tx, ctx, e.patient_id).await?;
        let Some(purpose) = self.permits(
            ctx,
            e.patient_id,
            &facts,
            Operation::Create,
            Object::SelfReport,
            Detail::Planning,
        ) else {
            return Ok(Vec::new());
        };
        let running = tx.list_schedules(e.patient_id).await?;
        let today = self.today();
        let mut set = Vec::new();
        for (instrument, milestone) in wanted {
            if running
                .iter()
                .any(|s| s.instrument == instrument && s.is_active())
            {
                continue;
            }
            let fields = ScheduleFields {
                instrument,
                every_days: PATHWAY_EVERY_DAYS,
                starts_on: e.anchor_date.max(today),
                milestone: Some(milestone),
            };
            let s = Schedule::new(
                e.patient_id,
                fields,
                ctx.principal.account_id,
                self.clock.now(),
            );
            tx.insert_schedule(&s).await?;
            self.queue_due(tx, &s).await?;
            self.record_change(
                tx,
                ctx,
                e.patient_id,
                Object::SelfReport,
                s.id.to_string(),
                1,
                None::<&Schedule>,
                &s,
                Some(format!("set by the pathway {}", e.template_key)),
            )
            .await?;
            self.audit(
                tx,
                ctx,
                e.patient_id,
                Object::SelfReport,
                Some(s.id.to_string()),
                Operation::Create,
                purpose,
            )
            .await?;
            set.push(s);
        }
        Ok(set)
    }
}
