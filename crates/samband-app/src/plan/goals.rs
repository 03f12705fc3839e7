//! Goals in the care plan, the patient's own and the professionals'.

use super::Plan;
use crate::kernel::versioned::parse_reason;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::plan::*;
use samband_domain::principal::Subject;

impl Plan<'_> {
    pub(crate) fn goal_detail(&self, ctx: &Ctx, input: &GoalInput) -> Detail {
        let patient_goal = input
            .author
            .as_deref()
            .is_none_or(|a| a.trim().is_empty() || a.trim() == "patient");
        if patient_goal && matches!(ctx.principal.subject, Subject::Patient(_)) {
            Detail::PatientOwnGoal
        } else {
            Detail::None
        }
    }

    pub async fn add_goal(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &GoalInput,
    ) -> Result<Goal, AppError> {
        let detail = self.goal_detail(ctx, input);
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(tx, ctx, patient, Operation::Create, Object::Goal, detail)
            .await?;
        let team = self.team().load(&mut tx, patient).await?;
        let f = input.parse(&team, self.today())?;
        let goal = Goal {
            id: GoalId::new(),
            patient_id: patient,
            author: f.author,
            owner_member_id: f.owner_member_id,
            text: f.text,
            achieved: f.achieved,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_goal(&goal).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Goal,
                id: goal.id.to_string(),
                version: 1,
                old: None::<&Goal>,
                new: &goal,
                reason: None,
                audit_id: Some(goal.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(goal)
    }

    pub async fn update_goal(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: GoalId,
        input: &GoalInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<Goal, AppError> {
        let reason = parse_reason(reason)?;
        // Decide on the stored goal: a patient may edit goals in their own words only.
        let mut tx = self.store.begin().await?;
        let stored = tx.get_goal(patient, id).await?;
        let detail = match (&stored, ctx.principal.subject) {
            (Some(g), Subject::Patient(_)) if g.author == GoalAuthor::Patient => {
                self.goal_detail(ctx, input)
            }
            _ => Detail::None,
        };
        let (tx, purpose) = self
            .authorize(tx, ctx, patient, Operation::Update, Object::Goal, detail)
            .await?;
        // Read once, in this transaction, before deciding: the same goal is updated.
        let old = stored.ok_or(AppError::NotFound)?;
        let at = Versioned {
            patient,
            object: Object::Goal,
            id: id.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &old, expected_version)
            .await?;
        let team = self.team().load(&mut tx, patient).await?;
        let f = input.parse(&team, self.today())?;
        let mut next = Goal {
            author: f.author,
            owner_member_id: f.owner_member_id,
            text: f.text,
            achieved: f.achieved,
            ..old.clone()
        };
        let saved = tx.update_goal(&next, expected_version).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_goal(patient, id).await?.ok_or(AppError::NotFound) })
            })
            .await?;
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Goal,
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
