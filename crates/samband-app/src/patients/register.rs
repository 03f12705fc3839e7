//! Registering a patient: the record, a team with its first member as coordinator, and
//! an empty plan, in one transaction.

use super::Patients;
use crate::policy::{Object, Operation, Purpose};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::patient::{NewPatient, Patient, PatientInput};
use samband_domain::plan::*;
use samband_domain::principal::Subject;
use samband_domain::team::{CareTeam, MemberKind, TeamMember};
use samband_domain::text::{self, LONG};
use samband_domain::ValidationErrors;

impl Patients<'_> {
    /// A professional registers a patient; they become the team's first member and its
    /// coordinator, with the responsibility they state.
    pub async fn register(
        &self,
        ctx: &Ctx,
        input: PatientInput<'_>,
        role: &str,
        responsibility: &str,
    ) -> Result<PatientId, AppError> {
        self.authorize_unbound(ctx, Operation::Create).await?;
        let Subject::Professional(pro_id) = ctx.principal.subject else {
            return Err(AppError::Forbidden);
        };
        let today = self.today();
        let mut errs = ValidationErrors::new();
        let new = errs.take(NewPatient::parse(input, today));
        let role = errs.take(text::required("my_role", role, text::SHORT));
        let responsibility = errs.take(text::required("my_responsibility", responsibility, LONG));
        errs.into_result()?;
        let (Some(new), Some(role), Some(responsibility)) = (new, role, responsibility) else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let mut tx = self.store.begin().await?;
        let pro = tx
            .get_professional(pro_id)
            .await?
            .ok_or(AppError::Forbidden)?;
        let patient = Patient {
            id: PatientId::new(),
            name: new.name,
            birth_date: new.birth_date,
            national_id: new.national_id,
            preferred_contact: new.preferred_contact,
            phone: new.phone,
            email: new.email,
            version: 1,
        };
        tx.insert_patient(&patient).await?;
        let team = CareTeam {
            patient_id: patient.id,
            members: vec![TeamMember {
                id: MemberId::new(),
                kind: MemberKind::Professional,
                professional_id: Some(pro.id),
                name: None,
                organisation_id: pro.organisation_ids.first().copied(),
                role,
                responsibility,
                phone: None,
                is_coordinator: true,
                active_from: today,
                active_to: None,
            }],
            version: 1,
        };
        tx.save_team(&team, 0).await?;
        let header = PlanHeader {
            patient_id: patient.id,
            revision_date: None,
            version: 1,
        };
        tx.save_plan_header(&header, 0).await?;
        self.record_change(
            &mut tx,
            ctx,
            patient.id,
            Object::Patient,
            patient.id.to_string(),
            1,
            None::<&Patient>,
            &patient,
            None,
        )
        .await?;
        self.record_change(
            &mut tx,
            ctx,
            patient.id,
            Object::Team,
            patient.id.to_string(),
            1,
            None::<&CareTeam>,
            &team,
            None,
        )
        .await?;
        self.audit(
            &mut tx,
            ctx,
            patient.id,
            Object::Patient,
            Some(patient.id.to_string()),
            Operation::Create,
            Purpose::Care,
        )
        .await?;
        tx.commit().await?;
        Ok(patient.id)
    }
}
