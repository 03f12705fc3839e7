//! Systematic case review (DOMAIN.md §3): the consulting psychiatrist or specialist
//! goes through the patients the registry puts forward — new ones, those not improving
//! by week 8, those with a safety signal — and records a recommendation, which becomes a
//! task for the GP with a due date.

use crate::ids::{ActionId, MemberId, PatientId};
use crate::text::{self, DateWindow};
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A patient enrolled this many days ago or less and never reviewed is "new".
pub const NEW_FOR_DAYS: i64 = 28;

/// A recommendation recorded at case review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReview {
    pub id: Uuid,
    pub patient_id: PatientId,
    /// Who reviewed (their membership on the patient's team).
    pub reviewer: MemberId,
    pub recommendation: String,
    /// Who carries it out (the GP by default).
    pub to_member: MemberId,
    pub due: NaiveDate,
    /// The plan action it became.
    pub action_id: ActionId,
    pub created_at: DateTime<Utc>,
}

/// A recommendation as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CaseReviewInput {
    pub recommendation: String,
    /// A member id; empty for the team's GP.
    pub to_member: Option<String>,
    pub due_date: String,
}

/// A checked recommendation: its text, who (if named) and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReview {
    pub recommendation: String,
    pub to_member: Option<MemberId>,
    pub due: NaiveDate,
}

impl CaseReviewInput {
    /// Checks every field; `is_active_professional` says whether a member id names an
    /// active professional on the patient's team.
    pub fn validate(
        &self,
        today: NaiveDate,
        is_active_professional: impl Fn(MemberId) -> bool,
    ) -> Result<CheckedReview, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let recommendation = e.take(text::required(
            "recommendation",
            &self.recommendation,
            text::LONG,
        ));
        let due = e.take(text::date(
            "due_date",
            &self.due_date,
            DateWindow::ahead(today),
        ));
        let to_member = match self.to_member.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => match Uuid::parse_str(raw).map(MemberId::from) {
                Ok(m) if is_active_professional(m) => Some(Some(m)),
                _ => {
                    e.add(
                        "to_member",
                        "not_a_professional_member",
                        "must be an active professional on the patient's team",
                    );
                    None
                }
            },
        };
        match (recommendation, due, to_member) {
            (Some(recommendation), Some(due), Some(to_member)) if e.is_empty() => {
                Ok(CheckedReview {
                    recommendation,
                    to_member,
                    due,
                })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_bad_field_is_named_and_a_good_input_is_kept() {
        let today = day("2026-11-23");
        let known = MemberId::new();
        let bad = CaseReviewInput {
            recommendation: "  ".into(),
            to_member: Some(MemberId::new().to_string()),
            due_date: "2026-11-22".into(),
        };
        let e = bad.validate(today, |m| m == known).unwrap_err();
        let mut fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["due_date", "recommendation", "to_member"]);
        let good = CaseReviewInput {
            recommendation: "Raise sertraline to 100 mg; review in 4 weeks".into(),
            to_member: Some(known.to_string()),
            due_date: "2026-12-07".into(),
        };
        let c = good.validate(today, |m| m == known).unwrap();
        assert_eq!(c.to_member, Some(known));
        assert_eq!(c.due, day("2026-12-07"));
        let default_gp = CaseReviewInput {
            to_member: None,
            ..good
        };
        assert_eq!(
            default_gp.validate(today, |_| false).unwrap().to_member,
            None
        );
    }
}
