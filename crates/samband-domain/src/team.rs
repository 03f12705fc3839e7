//! The care team around one patient. The team is one aggregate (one version) because
//! its key invariant spans members: exactly one coordinator at any time.

use crate::ids::{MemberId, OrganisationId, PatientId, ProfessionalId};
use crate::string_enum;
use crate::text::{self, LONG, SHORT};
use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

string_enum!(
    /// Who a team member is: a professional, the patient, or a proxy the patient names.
    MemberKind {
        Professional = "professional",
        Patient = "patient",
        Proxy = "proxy",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: MemberId,
    pub kind: MemberKind,
    pub professional_id: Option<ProfessionalId>,
    /// Name for a proxy (professionals and the patient are named by their own records).
    pub name: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    /// Role on this team ("GP", "Care manager", "Home nursing", "Relative").
    pub role: String,
    /// The written responsibility: "Responsible for medication".
    pub responsibility: String,
    /// Direct contact for a proxy.
    pub phone: Option<String>,
    pub is_coordinator: bool,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
}

impl TeamMember {
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.active_from <= day && self.active_to.is_none_or(|to| day <= to)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareTeam {
    pub patient_id: PatientId,
    pub members: Vec<TeamMember>,
    pub version: i64,
}

impl CareTeam {
    pub fn active_members(&self, day: NaiveDate) -> impl Iterator<Item = &TeamMember> {
        self.members.iter().filter(move |m| m.is_active_on(day))
    }

    pub fn member(&self, id: MemberId) -> Option<&TeamMember> {
        self.members.iter().find(|m| m.id == id)
    }

    pub fn coordinator(&self, day: NaiveDate) -> Option<&TeamMember> {
        self.active_members(day).find(|m| m.is_coordinator)
    }

    /// Is this professional an active member today?
    pub fn active_professional(&self, p: ProfessionalId, day: NaiveDate) -> Option<&TeamMember> {
        self.active_members(day)
            .find(|m| m.professional_id == Some(p))
    }
}

/// Raw input for one member, as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// Why the change was made (kept in the history; optional).
    #[serde(default)]
    pub reason: Option<String>,
    pub kind: String,
    pub professional_id: Option<ProfessionalId>,
    pub name: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    pub role: String,
    pub responsibility: String,
    pub phone: Option<String>,
    #[serde(default)]
    pub is_coordinator: bool,
    pub active_from: String,
    pub active_to: Option<String>,
}

impl MemberInput {
    /// Parses one member; `idx` prefixes field names (`members[2].role`) when part of a list.
    pub fn parse(
        &self,
        id: MemberId,
        prefix: &str,
        today: NaiveDate,
    ) -> Result<TeamMember, ValidationErrors> {
        let window = text::DateWindow::planning(today);
        let f = |name: &str| format!("{prefix}{name}");
        let mut e = ValidationErrors::new();
        let kind = e.take(MemberKind::parse(&f("kind"), &self.kind));
        let role = e.take(text::required(&f("role"), &self.role, SHORT));
        let responsibility = e.take(text::required(
            &f("responsibility"),
            &self.responsibility,
            LONG,
        ));
        let name = e
            .take(text::optional(&f("name"), self.name.as_deref(), SHORT))
            .flatten();
        let phone = e
            .take(text::phone(&f("phone"), self.phone.as_deref()))
            .flatten();
        let active_from = e.take(text::date(&f("active_from"), &self.active_from, window));
        let active_to = match self
            .active_to
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => e.take(text::date(&f("active_to"), raw, window)),
            None => None,
        };
        if let (Some(from), Some(to)) = (active_from, active_to) {
            if to < from {
                e.add(
                    &f("active_to"),
                    "before_start",
                    "cannot be before the start date",
                );
            }
        }
        if kind == Some(MemberKind::Professional) && self.professional_id.is_none() {
            e.add(&f("professional_id"), "required", "choose the professional");
        }
        if kind == Some(MemberKind::Proxy) && name.is_none() {
            e.add(&f("name"), "required", "give the proxy's name");
        }
        if matches!(kind, Some(MemberKind::Patient | MemberKind::Proxy)) && self.is_coordinator {
            e.add(
                &f("is_coordinator"),
                "coordinator_professional",
                "the coordinator must be a professional",
            );
        }
        match (kind, role, responsibility, active_from) {
            (Some(kind), Some(role), Some(responsibility), Some(active_from)) if e.is_empty() => {
                Ok(TeamMember {
                    id,
                    kind,
                    professional_id: if kind == MemberKind::Professional {
                        self.professional_id
                    } else {
                        None
                    },
                    name,
                    organisation_id: self.organisation_id,
                    role,
                    responsibility,
                    phone,
                    is_coordinator: self.is_coordinator,
                    active_from,
                    active_to,
                })
            }
            _ => Err(e),
        }
    }
}

/// Checks the invariants that span the whole team, on `today`.
pub fn validate_team(members: &[TeamMember], today: NaiveDate) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let coordinators = members
        .iter()
        .filter(|m| m.is_active_on(today) && m.is_coordinator)
        .count();
    if coordinators != 1 {
        e.add(
            "is_coordinator",
            "one_coordinator",
            format!("a care team needs exactly one active coordinator (found {coordinators})"),
        );
    }
    for (i, a) in members.iter().enumerate() {
        for b in &members[i + 1..] {
            let same_person = match (a.kind, b.kind) {
                (MemberKind::Professional, MemberKind::Professional) => {
                    a.professional_id == b.professional_id
                }
                (MemberKind::Patient, MemberKind::Patient) => true,
                _ => false,
            };
            let overlap = a.active_from <= b.active_to.unwrap_or(NaiveDate::MAX)
                && b.active_from <= a.active_to.unwrap_or(NaiveDate::MAX);
            if same_person && overlap {
                e.add(
                    "professional_id",
                    "duplicate_member",
                    "this person is already on the team for that period",
                );
            }
        }
    }
    e.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn pro(coord: bool, p: ProfessionalId, from: &str, to: Option<&str>) -> TeamMember {
        TeamMember {
            id: MemberId::new(),
            kind: MemberKind::Professional,
            professional_id: Some(p),
            name: None,
            organisation_id: None,
            role: "GP".into(),
            responsibility: "Medication".into(),
            phone: None,
            is_coordinator: coord,
            active_from: day(from),
            active_to: to.map(day),
        }
    }

    #[test]
    fn exactly_one_active_coordinator() {
        let today = day("2026-11-22");
        let a = pro(true, ProfessionalId::new(), "2026-01-01", None);
        let b = pro(false, ProfessionalId::new(), "2026-01-01", None);
        assert!(validate_team(&[a.clone(), b.clone()], today).is_ok());
        assert!(validate_team(std::slice::from_ref(&b), today).is_err());
        let mut c = b.clone();
        c.is_coordinator = true;
        assert!(validate_team(&[a.clone(), c], today).is_err());
        // A coordinator whose membership ended does not count.
        let ended = pro(
            true,
            ProfessionalId::new(),
            "2026-01-01",
            Some("2026-06-01"),
        );
        assert!(validate_team(&[ended, b], today).is_err());
    }

    #[test]
    fn same_professional_twice_in_overlapping_periods_is_refused() {
        let today = day("2026-11-22");
        let p = ProfessionalId::new();
        let a = pro(true, p, "2026-01-01", None);
        let b = pro(false, p, "2026-03-01", None);
        assert_eq!(
            validate_team(&[a.clone(), b], today).unwrap_err().errors[0].code,
            "duplicate_member"
        );
        let earlier = pro(false, p, "2025-01-01", Some("2025-12-31"));
        assert!(validate_team(&[a, earlier], today).is_ok());
    }

    #[test]
    fn member_input_checks_fields() {
        let input = MemberInput {
            kind: "proxy".into(),
            role: "Relative".into(),
            responsibility: "Accompanies to social services".into(),
            is_coordinator: true,
            active_from: "2026-05-01".into(),
            active_to: Some("2026-04-01".into()),
            ..Default::default()
        };
        let err = input
            .parse(MemberId::new(), "", day("2026-05-01"))
            .unwrap_err();
        let codes: Vec<_> = err
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert!(codes.contains(&("active_to", "before_start")), "{codes:?}");
        assert!(codes.contains(&("name", "required")), "{codes:?}");
        assert!(
            codes.contains(&("is_coordinator", "coordinator_professional")),
            "{codes:?}"
        );
    }
}
