//! Consent: the patient decides which recipients (an organisation, or a whole sector)
//! may see which categories of information, optionally for a period and a purpose.
//! A deployment's defaults apply where the patient has said nothing.
//!
//! Precedence: a rule for the recipient's organisation beats a rule for its sector,
//! which beats the deployment default; among rules of the same reach, deny wins.

use crate::ids::{OrganisationId, PatientId};
use crate::organisation::Sector;
use crate::string_enum;
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

string_enum!(
    /// The categories of patient information. Every object Samband stores declares one.
    Category {
        PlanAndActions = "plan_and_actions",
        ClinicalNotes = "clinical_notes",
        Medication = "medication",
        MentalHealth = "mental_health",
        WorkCapacity = "work_capacity",
        SocialCircumstances = "social_circumstances",
        CrisisPlan = "crisis_plan",
        SelfReports = "self_reports",
        MeetingPreReads = "meeting_pre_reads",
    }
);

impl Category {
    /// Health information in the sense of the duty of confidentiality: never shown to
    /// non-health recipients without the patient's explicit consent.
    pub fn is_health(&self) -> bool {
        !matches!(
            self,
            Category::PlanAndActions | Category::WorkCapacity | Category::SocialCircumstances
        )
    }
}

string_enum!(
    ConsentPurpose {
        Treatment = "treatment",
        Coordination = "coordination",
        WorkRehabilitation = "work_rehabilitation",
    }
);

string_enum!(
    /// Who recorded the consent: the patient online, a proxy, or a professional
    /// transcribing a consent given on paper.
    ConsentSource {
        Patient = "patient",
        Proxy = "proxy",
        Paper = "paper",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Recipient {
    Organisation(OrganisationId),
    Sector(Sector),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRule {
    pub recipient: Recipient,
    pub category: Category,
    pub permit: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub purpose: Option<ConsentPurpose>,
    pub source: ConsentSource,
}

impl ConsentRule {
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day <= t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub patient_id: PatientId,
    pub rules: Vec<ConsentRule>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// What a deployment allows where the patient has said nothing (configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentDefaults {
    /// Categories health-sector team members see unless the patient objects.
    pub health: Vec<Category>,
    /// Categories non-health team members (social security, other) see by default.
    pub non_health: Vec<Category>,
}

impl Default for ConsentDefaults {
    fn default() -> Self {
        // Health personnel cooperating on care may share unless the patient objects
        // (helsepersonelloven § 25); others see only the shared plan and who does what.
        Self {
            health: Category::ALL.to_vec(),
            non_health: vec![Category::PlanAndActions],
        }
    }
}

/// Whose eyes: the recipient's organisation and its sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub organisation: Option<OrganisationId>,
    pub sector: Option<Sector>,
}

impl Consent {
    pub fn empty(patient_id: PatientId) -> Self {
        Self {
            patient_id,
            rules: Vec::new(),
            updated_at: None,
            version: 0,
        }
    }

    /// Does the consent (with the deployment's defaults) let `viewer` see `category` on `day`?
    pub fn allows(
        &self,
        viewer: Viewer,
        category: Category,
        day: NaiveDate,
        defaults: &ConsentDefaults,
    ) -> bool {
        let pick = |want: &dyn Fn(&Recipient) -> bool| -> Option<bool> {
            let applicable: Vec<&ConsentRule> = self
                .rules
                .iter()
                .filter(|r| r.category == category && r.in_force(day) && want(&r.recipient))
                .collect();
            if applicable.is_empty() {
                None
            } else {
                Some(applicable.iter().all(|r| r.permit))
            }
        };
        if let Some(org) = viewer.organisation {
            if let Some(v) = pick(&|r| *r == Recipient::Organisation(org)) {
                return v;
            }
        }
        if let Some(sector) = viewer.sector {
            if let Some(v) = pick(&|r| *r == Recipient::Sector(sector)) {
                return v;
            }
        }
        match viewer.sector {
            Some(s) if s.is_health() => defaults.health.contains(&category),
            Some(_) => defaults.non_health.contains(&category),
            // A member without an organisation is judged as a non-health recipient.
            None => defaults.non_health.contains(&category),
        }
    }
}

/// One rule as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// `organisation` or `sector`.
    pub recipient_kind: String,
    /// An organisation id, or a sector name.
    pub recipient: String,
    pub category: String,
    pub permit: bool,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub purpose: Option<String>,
}

impl RuleInput {
    pub fn parse(
        &self,
        prefix: &str,
        source: ConsentSource,
        today: NaiveDate,
    ) -> Result<ConsentRule, ValidationErrors> {
        let window = crate::text::DateWindow::planning(today);
        let f = |n: &str| format!("{prefix}{n}");
        let mut e = ValidationErrors::new();
        let recipient = match self.recipient_kind.trim() {
            "organisation" => match self.recipient.trim().parse::<uuid::Uuid>() {
                Ok(u) => Some(Recipient::Organisation(OrganisationId(u))),
                Err(_) => {
                    e.add(
                        &f("recipient"),
                        "unknown_recipient",
                        "choose an organisation",
                    );
                    None
                }
            },
            "sector" => e
                .take(Sector::parse(&f("recipient"), &self.recipient))
                .map(Recipient::Sector),
            _ => {
                e.add(
                    &f("recipient_kind"),
                    "bad_choice",
                    "must be organisation or sector",
                );
                None
            }
        };
        let category = e.take(Category::parse(&f("category"), &self.category));
        let date = |field: &str, v: &Option<String>, e: &mut ValidationErrors| match v
            .as_deref()
            .map(str::trim)
        {
            None | Some("") => None,
            Some(raw) => e.take(crate::text::date(&f(field), raw, window)),
        };
        let valid_from = date("valid_from", &self.valid_from, &mut e);
        let valid_to = date("valid_to", &self.valid_to, &mut e);
        // A new rule that has already ended would only replace the rules in force.
        if valid_to.is_some_and(|t| t < today) {
            e.add(&f("valid_to"), "in_past", "the period has already ended");
        }
        if let (Some(a), Some(b)) = (valid_from, valid_to) {
            if b < a {
                e.add(
                    &f("valid_to"),
                    "before_start",
                    "the period cannot end before it starts",
                );
            }
        }
        let purpose = match self.purpose.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => e.take(ConsentPurpose::parse(&f("purpose"), p)),
        };
        match (recipient, category) {
            (Some(recipient), Some(category)) if e.is_empty() => Ok(ConsentRule {
                recipient,
                category,
                permit: self.permit,
                valid_from,
                valid_to,
                purpose,
                source,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn rule(recipient: Recipient, category: Category, permit: bool) -> ConsentRule {
        ConsentRule {
            recipient,
            category,
            permit,
            valid_from: None,
            valid_to: None,
            purpose: None,
            source: ConsentSource::Patient,
        }
    }

    #[test]
    fn defaults_split_health_from_non_health() {
        let c = Consent::empty(PatientId::new());
        let d = ConsentDefaults::default();
        let today = day("2026-11-23");
        let gp = Viewer {
            organisation: Some(OrganisationId::new()),
            sector: Some(Sector::Primary),
        };
        let nav = Viewer {
            organisation: Some(OrganisationId::new()),
            sector: Some(Sector::SocialSecurity),
        };
        assert!(c.allows(gp, Category::Medication, today, &d));
        assert!(!c.allows(nav, Category::Medication, today, &d));
        assert!(
            !c.allows(nav, Category::WorkCapacity, today, &d),
            "work capacity needs an explicit grant"
        );
        assert!(c.allows(nav, Category::PlanAndActions, today, &d));
    }

    #[test]
    fn organisation_beats_sector_and_deny_wins_at_equal_reach() {
        let today = day("2026-11-23");
        let d = ConsentDefaults::default();
        let night = OrganisationId::new();
        let viewer = Viewer {
            organisation: Some(night),
            sector: Some(Sector::Municipal),
        };
        let mut c = Consent::empty(PatientId::new());
        c.rules.push(rule(
            Recipient::Sector(Sector::Municipal),
            Category::MentalHealth,
            false,
        ));
        assert!(!c.allows(viewer, Category::MentalHealth, today, &d));
        c.rules.push(rule(
            Recipient::Organisation(night),
            Category::MentalHealth,
            true,
        ));
        assert!(
            c.allows(viewer, Category::MentalHealth, today, &d),
            "the organisation rule is more specific"
        );
        c.rules.push(rule(
            Recipient::Organisation(night),
            Category::MentalHealth,
            false,
        ));
        assert!(
            !c.allows(viewer, Category::MentalHealth, today, &d),
            "deny wins at the same reach"
        );
    }

    #[test]
    fn periods_start_and_end() {
        let d = ConsentDefaults::default();
        let nav = Viewer {
            organisation: None,
            sector: Some(Sector::SocialSecurity),
        };
        let mut c = Consent::empty(PatientId::new());
        let mut r = rule(
            Recipient::Sector(Sector::SocialSecurity),
            Category::WorkCapacity,
            true,
        );
        r.valid_from = Some(day("2026-12-01"));
        r.valid_to = Some(day("2026-12-31"));
        c.rules.push(r);
        assert!(!c.allows(nav, Category::WorkCapacity, day("2026-11-30"), &d));
        assert!(c.allows(nav, Category::WorkCapacity, day("2026-12-01"), &d));
        assert!(c.allows(nav, Category::WorkCapacity, day("2026-12-31"), &d));
        assert!(!c.allows(nav, Category::WorkCapacity, day("2027-01-01"), &d));
    }

    #[test]
    fn rule_input_is_validated() {
        let bad = RuleInput {
            recipient_kind: "sector".into(),
            recipient: "police".into(),
            category: "gossip".into(),
            permit: true,
            valid_from: Some("2026-12-01".into()),
            valid_to: Some("2026-11-01".into()),
            purpose: Some("curiosity".into()),
        };
        let e = bad
            .parse("", ConsentSource::Patient, day("2026-11-23"))
            .unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|x| x.field.as_str()).collect();
        for f in ["recipient", "category", "valid_to", "purpose"] {
            assert!(fields.contains(&f), "{fields:?}");
        }
    }
}
