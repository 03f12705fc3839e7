//! Which team member answers for a pathway role. Team roles are free text in the
//! team's own language ("Fastlege", "NAV supervisor", "Municipal contact person"); a
//! milestone names a fixed [`CareRole`]. A role is recognised by the words people
//! write for it in English, Norwegian and Danish; anything unrecognised goes to the
//! coordinator, who can always re-assign.

use super::template::CareRole;

/// Words (whole words) and phrases (contained) that name each role.
fn words(role: CareRole) -> &'static [&'static str] {
    match role {
        CareRole::Gp => &[
            "gp",
            "fastlege",
            "general practitioner",
            "praktiserende læge",
            "egen læge",
            "family doctor",
            "almenlæge",
        ],
        CareRole::CareManager => &["care manager", "care-manager", "caremanager"],
        CareRole::Specialist => &[
            "specialist",
            "spesialist",
            "speciallæge",
            "physician",
            "oncologist",
            "onkolog",
            "pain clinic",
            "smerteklinikk",
        ],
        CareRole::Psychiatrist => &["psychiatrist", "psykiater"],
        CareRole::HospitalContact => &[
            "hospital",
            "sykehus",
            "sygehus",
            "oncologist",
            "onkolog",
            "contact nurse",
            "kontaktsykepleier",
            "forløpskoordinator",
        ],
        CareRole::MunicipalContact => &[
            "municipal",
            "municipality",
            "kommune",
            "kommunal",
            "kommunens",
            "home nursing",
            "hjemmesykepleie",
            "hjemmesygepleje",
        ],
        CareRole::SocialSecurity => &[
            "nav",
            "social security",
            "jobcentre",
            "jobcenter",
            "jobcentret",
            "caseworker",
            "sagsbehandler",
            "veileder",
        ],
        CareRole::Employer => &["employer", "arbeidsgiver", "arbejdsgiver", "line manager"],
        // These two are found by what the member is, not by the words of the role.
        CareRole::Coordinator | CareRole::Patient => &[],
    }
}

impl CareRole {
    /// Whether a team role written as `team_role` is this pathway role.
    pub fn names(&self, team_role: &str) -> bool {
        let lower = team_role.to_lowercase();
        let tokens: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        words(*self).iter().any(|w| {
            if w.contains(' ') || w.contains('-') {
                lower.contains(w)
            } else {
                tokens.iter().any(|t| t == w)
            }
        })
    }
}

/// The active member who answers for `role` on `day`: the coordinator for
/// `coordinator`, the patient (when on the team) for `patient`, else the first active
/// professional whose team role names it — and the coordinator when nobody does.
pub fn responsible(
    team: &crate::team::CareTeam,
    role: CareRole,
    day: chrono::NaiveDate,
) -> Option<&crate::team::TeamMember> {
    use crate::team::MemberKind;
    let named = match role {
        CareRole::Coordinator => None,
        CareRole::Patient => team
            .active_members(day)
            .find(|m| m.kind == MemberKind::Patient),
        other => team
            .active_members(day)
            .find(|m| m.kind == MemberKind::Professional && other.names(&m.role)),
    };
    named.or_else(|| team.coordinator(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_roles_in_three_languages_are_recognised_and_others_are_not() {
        assert!(CareRole::Gp.names("GP"));
        assert!(CareRole::Gp.names("Fastlege"));
        assert!(CareRole::Gp.names("Praktiserende læge"));
        assert!(!CareRole::Gp.names("GPS technician of the ward"));
        assert!(CareRole::SocialSecurity.names("NAV supervisor"));
        assert!(CareRole::SocialSecurity.names("Sagsbehandler, jobcenter"));
        assert!(!CareRole::SocialSecurity.names("Navigator"));
        assert!(CareRole::MunicipalContact.names("Municipal contact person"));
        assert!(CareRole::HospitalContact.names("Oncologist"));
        assert!(CareRole::CareManager.names("Care manager"));
        assert!(!CareRole::Coordinator.names("Coordinator"));
        assert!(!CareRole::Employer.names("Physiotherapist"));
    }
}
