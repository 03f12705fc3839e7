//! The patient overview: whose record, the team, the plan and the crisis plan, each
//! part shown only as far as the policy permits, every part read audited.

use super::Patients;
use crate::policy::{Detail, Object, Operation};
use crate::views::PatientOverview;
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::plan::*;
use samband_domain::relapse::RelapsePlan;

impl Patients<'_> {
    pub async fn overview(
        &self,
        ctx: &Ctx,
        patient_id: PatientId,
    ) -> Result<PatientOverview, AppError> {
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient_id).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient_id,
                &facts,
                Operation::Read,
                Object::Patient,
                Detail::None,
            )
            .await?;
        let patient = tx
            .get_patient(patient_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // The plan, the team and who does what are one category; a member refused it
        // by consent still sees whose record this is, and what else they may see.
        let plan_visible = self
            .permits(
                ctx,
                patient_id,
                &facts,
                Operation::Read,
                Object::Action,
                Detail::None,
            )
            .is_some();
        let mut team = self.team().load(&mut tx, patient_id).await?;
        // Worked out before consent may empty the team: where the patient lives is what
        // a crisis page needs, whatever else is withheld.
        // One query for every member's directory details, shared by both uses.
        let contacts = if plan_visible || patient.national_id.is_none() {
            tx.member_contacts(patient_id).await?
        } else {
            Vec::new()
        };
        let country = self.country_from(&patient, &team, &contacts);
        let empty_plan = PlanHeader {
            patient_id,
            revision_date: None,
            version: 0,
        };
        let (members, plan, goals, actions, services) = if plan_visible {
            (
                self.team().member_views_from(&patient, &team, &contacts),
                tx.get_plan_header(patient_id).await?.unwrap_or(empty_plan),
                tx.list_goals(patient_id).await?,
                tx.list_actions(patient_id).await?,
                tx.list_services(patient_id).await?,
            )
        } else {
            team.members.clear();
            (Vec::new(), empty_plan, Vec::new(), Vec::new(), Vec::new())
        };
        let crisis_allowed = self.permits(
            ctx,
            patient_id,
            &facts,
            Operation::Read,
            Object::CrisisPlan,
            Detail::None,
        );
        let crisis_plan = if crisis_allowed.is_some() {
            Some(
                tx.get_crisis_plan(patient_id)
                    .await?
                    .unwrap_or_else(|| CrisisPlan::empty(patient_id)),
            )
        } else {
            None
        };
        // The relapse-prevention plan sits beside the crisis plan under the same
        // category, so the same decision lets a reader see both or neither.
        let relapse_plan = if crisis_allowed.is_some() {
            Some(
                tx.get_relapse_plan(patient_id)
                    .await?
                    .unwrap_or_else(|| RelapsePlan::empty(patient_id)),
            )
        } else {
            None
        };
        let can_edit_plan = self
            .permits(
                ctx,
                patient_id,
                &facts,
                Operation::Update,
                Object::Action,
                Detail::None,
            )
            .is_some();
        self.audit(
            &mut tx,
            ctx,
            patient_id,
            Object::Patient,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        if let Some(p) = crisis_allowed {
            self.audit(
                &mut tx,
                ctx,
                patient_id,
                Object::CrisisPlan,
                None,
                Operation::Read,
                p,
            )
            .await?;
            self.audit(
                &mut tx,
                ctx,
                patient_id,
                Object::RelapsePlan,
                None,
                Operation::Read,
                p,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(PatientOverview {
            patient,
            team,
            members,
            plan,
            goals,
            actions,
            services,
            crisis_plan,
            relapse_plan,
            today: self.today(),
            can_edit_plan,
            plan_visible,
            purpose,
            country,
            emergency_numbers: country.emergency_numbers().to_vec(),
        })
    }
}
