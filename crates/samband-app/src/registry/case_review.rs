//! Recording a case-review recommendation: in one transaction the review itself (read
//! under clinical notes), a plan action for whoever carries it out — the team's GP
//! unless another professional is named — due on the day asked, and a notification to
//! them. The action names the review, not the advice, since plan actions are shared
//! more widely than clinical notes.

use super::Registry;
use crate::kernel::Change;
use crate::notify::Notice;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::case_review::{CaseReview, CaseReviewInput};
use samband_domain::ids::*;
use samband_domain::pathway::CareRole;
use samband_domain::team::MemberKind;
use serde::Serialize;

/// A recorded review with the names a reader needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseReviewView {
    #[serde(flatten)]
    pub review: CaseReview,
    pub reviewer_name: Option<String>,
    pub to_member_name: Option<String>,
}

impl Registry<'_> {
    /// Records a recommendation for `patient` and gives it as a task.
    pub async fn record_review(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &CaseReviewInput,
    ) -> Result<CaseReviewView, AppError> {
        let mut tx = self.store.begin().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Create,
                Object::CaseReview,
                Detail::None,
            )
            .await?;
        let reviewer = facts
            .membership
            .map(|m| m.member_id)
            .ok_or(AppError::Forbidden)?;
        let today = self.today();
        let team = tx.get_team(patient).await?.ok_or(AppError::NotFound)?;
        let checked = input.validate(today, |m| {
            team.member(m)
                .is_some_and(|t| t.kind == MemberKind::Professional && t.is_active_on(today))
        })?;
        let to = match checked.to_member {
            Some(m) => m,
            None => samband_domain::pathway::roles::responsible(&team, CareRole::Gp, today)
                .map(|m| m.id)
                .ok_or(AppError::NotFound)?,
        };
        let action = self
            .plan()
            .start_action(
                &mut tx,
                ctx,
                &team,
                to,
                format!("Carry out the case-review recommendation of {today}"),
                checked.due,
                "case-review recommendation".into(),
            )
            .await?;
        let now = self.clock.now();
        let review = CaseReview {
            id: uuid::Uuid::now_v7(),
            patient_id: patient,
            reviewer,
            recommendation: checked.recommendation,
            to_member: to,
            due: checked.due,
            action_id: action.id,
            created_at: now,
        };
        tx.insert_case_review(&review).await?;
        let mut told = Vec::new();
        if let Some(account) = self.handovers().member_account(&mut tx, &team, to).await? {
            self.notifications()
                .notify(
                    &mut tx,
                    Notice {
                        account,
                        patient: Some(patient),
                        kind: "case_review",
                        thread: None,
                        actor: Some(&ctx.principal.display_name),
                        detail: Some(checked.due.to_string()),
                        unread: true,
                    },
                )
                .await?;
            told.push(account);
        }
        let view = view(&team, review.clone());
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::CaseReview,
                id: review.id.to_string(),
                version: 1,
                old: None,
                new: &review,
                reason: None,
                audit_id: Some(review.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        self.after_commit(told);
        Ok(view)
    }

    /// The patient's case reviews, newest first.
    pub async fn reviews(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<CaseReviewView>, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::CaseReview,
                Detail::None,
            )
            .await?;
        let team = tx.get_team(patient).await?.ok_or(AppError::NotFound)?;
        let list = tx.list_case_reviews(patient).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::CaseReview,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(list.into_iter().map(|r| view(&team, r)).collect())
    }
}

fn view(team: &samband_domain::team::CareTeam, review: CaseReview) -> CaseReviewView {
    let name = |m: MemberId| {
        team.member(m)
            .map(|t| t.name.clone().unwrap_or_else(|| t.role.clone()))
    };
    CaseReviewView {
        reviewer_name: name(review.reviewer),
        to_member_name: name(review.to_member),
        review,
    }
}
