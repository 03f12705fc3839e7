//! Decisions taken in the meeting, each becoming an action in the care plan.

use super::Meetings;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::plan::{Action, ActionStatus};
use samband_domain::ValidationErrors;

impl Meetings<'_> {
    /// Records a decision on an item and makes it an action in the care plan (owner,
    /// due date, goal), linked back to the meeting.
    pub async fn add_decision(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        item: AgendaItemId,
        input: &DecisionInput,
    ) -> Result<Decision, AppError> {
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let it = self.load_item(&mut tx, &m, item).await?;
        let mut e = ValidationErrors::new();
        let text = e.take(samband_domain::meeting::check_text("text", &input.text));
        let team = tx.get_team(m.patient_id).await?.ok_or(AppError::NotFound)?;
        let today = self.today();
        let owner = match input.owner_member_id {
            None => {
                e.add("owner_member_id", "required", "choose who owns the action");
                None
            }
            Some(o) => match team.active_members(today).find(|x| x.id == o) {
                Some(x) => Some(x.clone()),
                None => {
                    e.add(
                        "owner_member_id",
                        "not_on_team",
                        "the owner must be on the care team",
                    );
                    None
                }
            },
        };
        let due = e.take(samband_domain::text::date(
            "due_date",
            &input.due_date,
            samband_domain::text::DateWindow::planning(self.today()),
        ));
        if let Some(d) = due {
            if d < self.in_local_time(m.starts_at).date() {
                e.add(
                    "due_date",
                    "before_meeting",
                    "the due date must not be before the meeting",
                );
            }
        }
        if let Some(g) = input.goal_id {
            if tx.get_goal(m.patient_id, g).await?.is_none() {
                e.add("goal_id", "no_such_goal", "no such goal in this plan");
            }
        }
        e.into_result()?;
        let (Some(text), Some(owner), Some(due)) = (text, owner, due) else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let sector = match owner.organisation_id {
            Some(o) => tx.get_organisation(o).await?.map(|o| o.sector),
            None => None,
        }
        .unwrap_or(samband_domain::organisation::Sector::Other);
        let now = self.clock.now();
        let action = Action {
            id: ActionId::new(),
            patient_id: m.patient_id,
            title: text.chars().take(samband_domain::text::SHORT).collect(),
            owner_member_id: owner.id,
            sector,
            due_date: due,
            status: ActionStatus::Planned,
            goal_id: input.goal_id,
            created_at: now,
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.record_change(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Action,
            action.id.to_string(),
            1,
            None::<&Action>,
            &action,
            Some(format!(
                "decided at the meeting \"{}\", item \"{}\"",
                m.title, it.title
            )),
        )
        .await?;
        let d = Decision {
            id: DecisionId::new(),
            meeting_id: id,
            item_id: item,
            text,
            owner_member_id: owner.id,
            due_date: due,
            goal_id: input.goal_id,
            action_id: action.id,
            created_at: now,
        };
        tx.insert_decision(&d).await?;
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(d.id.to_string()),
            Operation::Create,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(d)
    }
}
