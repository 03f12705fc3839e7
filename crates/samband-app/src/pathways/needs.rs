//! Recording a needs-mapping conversation (the cancer pathway at home): at one of its
//! three points, over the thirteen topics plus free text. In one transaction: the
//! conversation, each identified need as a plan action owned by the professional who
//! takes it on, and the milestone it evidences (`needs_mapping`) completed.

use super::Pathways;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::pathway::needs::{NeedsMappingInput, NeedsTopic};
use samband_domain::pathway::Event;
use samband_domain::team::MemberKind;
use samband_store::NeedsMappingRecord;

/// A recorded conversation and what it started.
#[derive(Debug, Clone)]
pub struct MappingRecorded {
    pub record: NeedsMappingRecord,
    pub actions: Vec<ActionId>,
    /// Milestone occurrences it completed (0 or 1 per active enrolment).
    pub completed: usize,
}

/// The English word for a topic, for an action's title (the plan's own text).
fn topic_en(t: NeedsTopic) -> &'static str {
    match t {
        NeedsTopic::FamilyNetwork => "Family and network",
        NeedsTopic::WorkSchool => "Work and education",
        NeedsTopic::FinancesHousing => "Finances and housing",
        NeedsTopic::HelpAtHome => "Help at home",
        NeedsTopic::Rehabilitation => "Rehabilitation",
        NeedsTopic::PhysicalFunction => "Physical function",
        NeedsTopic::Nutrition => "Nutrition",
        NeedsTopic::OralHealth => "Oral health",
        NeedsTopic::MentalHealth => "Mental health",
        NeedsTopic::SexualHealth => "Sexual health",
        NeedsTopic::SelfCare => "Self-care",
        NeedsTopic::CopingResources => "Coping and resources",
        NeedsTopic::LeisureSocial => "Leisure and social life",
        NeedsTopic::Other => "Other",
    }
}

impl Pathways<'_> {
    pub async fn record_needs_mapping(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &NeedsMappingInput,
    ) -> Result<MappingRecorded, AppError> {
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Create,
                Object::Pathway,
                Detail::None,
            )
            .await?;
        let member = facts
            .membership
            .map(|m| m.member_id)
            .ok_or(AppError::Forbidden)?;
        let today = self.today();
        let team = tx.get_team(patient).await?.ok_or(AppError::NotFound)?;
        let mapping = input.validate(today, |m| {
            team.member(m)
                .is_some_and(|t| t.kind == MemberKind::Professional && t.is_active_on(today))
        })?;
        let now = self.clock.now();
        let record = NeedsMappingRecord {
            id: uuid::Uuid::now_v7(),
            patient_id: patient,
            recorded_by: member,
            mapping,
            created_at: now,
        };
        tx.insert_needs_mapping(&record).await?;
        self.record_change(
            &mut tx,
            ctx,
            patient,
            Object::Pathway,
            format!("needs_mapping:{}", record.id),
            1,
            None::<&samband_domain::pathway::needs::NeedsMapping>,
            &record.mapping,
            Some(format!(
                "needs-mapping conversation ({})",
                record.mapping.point.as_str()
            )),
        )
        .await?;
        let mut actions = Vec::new();
        for n in &record.mapping.needs {
            team.member(n.owner).ok_or(AppError::NotFound)?;
            let action = self
                .plan()
                .start_action(
                    &mut tx,
                    ctx,
                    &team,
                    n.owner,
                    format!("{}: {}", topic_en(n.topic), n.description),
                    n.due,
                    format!(
                        "need identified in the needs-mapping conversation of {}",
                        record.mapping.held_on
                    ),
                )
                .await?;
            actions.push(action.id);
        }
        let completed = self
            .record_evidence(
                &mut tx,
                ctx,
                patient,
                &Event::NeedsMappingRecorded(record.mapping.point),
                record.mapping.held_on,
                &format!("needs_mapping:{}", record.id),
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Pathway,
            Some(record.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(MappingRecorded {
            record,
            actions,
            completed,
        })
    }

    /// The patient's recorded conversations, by day.
    pub async fn needs_mappings(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<NeedsMappingRecord>, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Pathway,
                Detail::None,
            )
            .await?;
        let list = tx.list_needs_mappings(patient).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Pathway,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(list)
    }
}
