//! The needs-mapping conversation of the cancer pathway at home (Pakkeforløp hjem):
//! thirteen topics plus free text, at three collaboration points. Each need found is
//! handed to the person who will meet it, so it becomes a plan action with an owner.

use crate::ids::MemberId;
use crate::string_enum;
use crate::text::{self, LONG, SHORT};
use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

string_enum!(
    /// The topics of the needs mapping (DOMAIN.md §1.3).
    NeedsTopic {
        FamilyNetwork = "family_network",
        WorkSchool = "work_school",
        FinancesHousing = "finances_housing",
        HelpAtHome = "help_at_home",
        Rehabilitation = "rehabilitation",
        PhysicalFunction = "physical_function",
        Nutrition = "nutrition",
        OralHealth = "oral_health",
        MentalHealth = "mental_health",
        SexualHealth = "sexual_health",
        SelfCare = "self_care",
        CopingResources = "coping_resources",
        LeisureSocial = "leisure_social",
        Other = "other",
    }
);

string_enum!(
    /// The three collaboration points: in hospital after the diagnosis is given, in
    /// the municipality about 3–4 months after, and about 12–18 months after.
    MappingPoint {
        Hospital = "hospital",
        Months3To4 = "months_3_4",
        Months12To18 = "months_12_18",
    }
);

/// One need found in the conversation and who takes it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifiedNeed {
    pub topic: NeedsTopic,
    pub description: String,
    pub owner: MemberId,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsMapping {
    pub point: MappingPoint,
    pub held_on: NaiveDate,
    /// The patient may decline the conversation; they are asked again later.
    pub declined: bool,
    pub needs: Vec<IdentifiedNeed>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedInput {
    pub topic: String,
    pub description: String,
    pub owner: Option<MemberId>,
    pub due: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsMappingInput {
    pub point: String,
    pub held_on: Option<NaiveDate>,
    #[serde(default)]
    pub declined: bool,
    #[serde(default)]
    pub needs: Vec<NeedInput>,
    pub notes: Option<String>,
}

impl NeedsMappingInput {
    /// `is_owner` says whether a member may take a need on (an active professional on
    /// the patient's team); `today` bounds the dates.
    pub fn validate(
        &self,
        today: NaiveDate,
        is_owner: impl Fn(MemberId) -> bool,
    ) -> Result<NeedsMapping, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let point = errs.take(MappingPoint::parse("point", &self.point));
        let held_on = match self.held_on {
            None => {
                errs.add(
                    "held_on",
                    "required",
                    "say when the conversation took place",
                );
                None
            }
            Some(d) if d > today => {
                errs.add(
                    "held_on",
                    "in_future",
                    "a conversation cannot be recorded ahead",
                );
                None
            }
            Some(d) => Some(d),
        };
        let notes = errs
            .take(text::optional("notes", self.notes.as_deref(), LONG))
            .flatten();
        if self.declined && !self.needs.is_empty() {
            errs.add(
                "needs",
                "declined_with_needs",
                "a declined conversation records no needs",
            );
        }
        if !self.declined && self.needs.is_empty() && notes.is_none() {
            errs.add(
                "needs",
                "required",
                "record the needs found, or a note that none were found",
            );
        }
        let mut needs = Vec::new();
        for (i, n) in self.needs.iter().enumerate() {
            let f = format!("needs[{i}]");
            let topic = errs.take(NeedsTopic::parse(&format!("{f}.topic"), &n.topic));
            let description = errs.take(text::required(
                &format!("{f}.description"),
                &n.description,
                SHORT,
            ));
            let owner = match n.owner {
                Some(o) if is_owner(o) => Some(o),
                Some(_) => {
                    errs.add(
                        &format!("{f}.owner"),
                        "not_a_professional_member",
                        "the owner must be an active professional on the team",
                    );
                    None
                }
                None => {
                    errs.add(
                        &format!("{f}.owner"),
                        "required",
                        "every need needs an owner",
                    );
                    None
                }
            };
            let due = match n.due {
                Some(d) if d < today => {
                    errs.add(&format!("{f}.due"), "in_past", "the due date has passed");
                    None
                }
                Some(d) => Some(d),
                None => {
                    errs.add(
                        &format!("{f}.due"),
                        "required",
                        "every need needs a due date",
                    );
                    None
                }
            };
            if let (Some(topic), Some(description), Some(owner), Some(due)) =
                (topic, description, owner, due)
            {
                needs.push(IdentifiedNeed {
                    topic,
                    description,
                    owner,
                    due,
                });
            }
        }
        errs.into_result()?;
        Ok(NeedsMapping {
            point: point.unwrap_or(MappingPoint::Hospital),
            held_on: held_on.unwrap_or(today),
            declined: self.declined,
            needs,
            notes,
        })
    }
}
