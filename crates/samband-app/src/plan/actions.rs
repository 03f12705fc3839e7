//! Actions in the care plan: who does what by when, in which sector.

use super::Plan;
use crate::kernel::versioned::parse_reason;
use crate::kernel::{Change, TxBox, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::organisation::Sector;
use samband_domain::plan::*;
use samband_domain::team::CareTeam;

impl Plan<'_> {
    pub async fn add_action(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &ActionInput,
    ) -> Result<Action, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Action,
                Detail::None,
            )
            .await?;
        let team = self.team().load(&mut tx, patient).await?;
        // Only the goal the action names is needed to check it belongs to this plan.
        let goals = match input.goal_id {
            Some(g) => tx.get_goal(patient, g).await?.into_iter().collect(),
            None => Vec::new(),
        };
        let today = self.today();
        let f = input.parse(&team, &goals, today, today)?;
        let sector = self.action_sector(&mut tx, &team, &f).await?;
        let action = Action {
            id: ActionId::new(),
            patient_id: patient,
            title: f.title,
            owner_member_id: f.owner_member_id,
            sector,
            due_date: f.due_date,
            status: f.status,
            goal_id: f.goal_id,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Action,
                id: action.id.to_string(),
                version: 1,
                old: None::<&Action>,
                new: &action,
                reason: None,
                audit_id: Some(action.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(action)
    }

    /// A plan action another use case starts in its own transaction (a need found in a
    /// needs mapping, a case-review recommendation): owned by `owner`, in the sector of
    /// the owner's organisation, with its history row giving `reason`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn start_action(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        team: &CareTeam,
        owner: MemberId,
        title: String,
        due: chrono::NaiveDate,
        reason: String,
    ) -> Result<Action, AppError> {
        let org = team.member(owner).and_then(|m| m.organisation_id);
        let sector = match org {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        }
        .unwrap_or(Sector::Other);
        let action = Action {
            id: ActionId::new(),
            patient_id: team.patient_id,
            title: title.chars().take(samband_domain::text::SHORT).collect(),
            owner_member_id: owner,
            sector,
            due_date: due,
            status: ActionStatus::Planned,
            goal_id: None,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.record_change(
            tx,
            ctx,
            team.patient_id,
            Object::Action,
            action.id.to_string(),
            1,
            None::<&Action>,
            &action,
            Some(reason),
        )
        .await?;
        Ok(action)
    }

    pub(crate) async fn action_sector(
        &self,
        tx: &mut TxBox,
        team: &CareTeam,
        f: &ActionFields,
    ) -> Result<Sector, AppError> {
        if let Some(s) = f.sector {
            return Ok(s);
        }
        let org = team
            .member(f.owner_member_id)
            .and_then(|m| m.organisation_id);
        Ok(match org {
            Some(o) => tx
                .get_organisation(o)
                .await?
                .map(|o| o.sector)
                .unwrap_or(Sector::Other),
            None => Sector::Other,
        })
    }

    pub async fn get_action(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ActionId,
    ) -> Result<Action, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Action,
                Detail::None,
            )
            .await?;
        let action = tx
            .get_action(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Action,
            Some(id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(action)
    }

    pub async fn update_action(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ActionId,
        input: &ActionInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<Action, AppError> {
        let reason = parse_reason(reason)?;
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::Action,
                Detail::None,
            )
            .await?;
        let old = tx
            .get_action(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let at = Versioned {
            patient,
            object: Object::Action,
            id: id.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let team = self.team().load(&mut tx, patient).await?;
        // Only the goal the action names is needed to check it belongs to this plan.
        let goals = match input.goal_id {
            Some(g) => tx.get_goal(patient, g).await?.into_iter().collect(),
            None => Vec::new(),
        };
        let created = old
            .created_at
            .with_timezone(&self.config.time_zone)
            .date_naive();
        // An existing action may keep an owner who has since left the team.
        let mut check_team = team.clone();
        if input.owner_member_id == Some(old.owner_member_id) {
            for m in &mut check_team.members {
                if m.id == old.owner_member_id {
                    m.active_to = None;
                    m.active_from = m.active_from.min(self.today());
                }
            }
        }
        let f = input.parse(&check_team, &goals, self.today(), created)?;
        let sector = match f.sector {
            Some(s) => s,
            None if f.owner_member_id == old.owner_member_id => old.sector,
            None => self.action_sector(&mut tx, &team, &f).await?,
        };
        let mut next = Action {
            title: f.title,
            owner_member_id: f.owner_member_id,
            sector,
            due_date: f.due_date,
            status: f.status,
            goal_id: f.goal_id,
            ..old.clone()
        };
        let saved = tx.update_action(&next, expected_version).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_action(patient, id).await?.ok_or(AppError::NotFound) })
            })
            .await?;
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Action,
                id: id.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason,
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }
}
