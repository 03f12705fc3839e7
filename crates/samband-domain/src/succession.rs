//! Who takes over when a professional leaves a patient's team. The leaver's open work
//! (actions, owned goals, requests addressed to them, agenda items of coming meetings,
//! pending receipts) moves in one change to a named successor, or, when none is named,
//! to the coordinator, marked as needing a new owner. A coordinator must name the next.

use crate::ids::MemberId;
use crate::team::{CareTeam, MemberKind};
use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where the leaver's open items go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    pub leaver: MemberId,
    /// The member who takes the items over.
    pub to: MemberId,
    /// No successor was named: the coordinator holds the items until someone is found,
    /// and every item is flagged "needs a new owner".
    pub needs_new_owner: bool,
    /// The leaver was the coordinator; the successor becomes it.
    pub hands_over_coordination: bool,
}

/// Decides where a leaving member's work goes on `day` (the last day of membership).
/// `successor` must be another active professional on the team (a new member is added
/// to the team first, in the same change).
pub fn plan_succession(
    team: &CareTeam,
    leaver: MemberId,
    successor: Option<MemberId>,
    day: NaiveDate,
) -> Result<Succession, ValidationErrors> {
    let Some(l) = team.member(leaver).filter(|m| m.is_active_on(day)) else {
        return Err(ValidationErrors::single(
            "member_id",
            "not_active",
            "this person is not an active member of the team",
        ));
    };
    match successor {
        Some(s) => {
            let ok = s != leaver
                && team.member(s).is_some_and(|m| {
                    m.kind == MemberKind::Professional
                        && m.is_active_on(day)
                        && m.active_to.is_none_or(|to| to > day)
                });
            if !ok {
                return Err(ValidationErrors::single(
                    "successor_id",
                    "not_a_professional_member",
                    "the successor must be another professional who stays on the team",
                ));
            }
            Ok(Succession {
                leaver,
                to: s,
                needs_new_owner: false,
                hands_over_coordination: l.is_coordinator,
            })
        }
        None if l.is_coordinator => Err(ValidationErrors::single(
            "successor_id",
            "coordinator_needs_successor",
            "the coordinator cannot leave without naming who coordinates next",
        )),
        None => match team.coordinator(day) {
            Some(c) => Ok(Succession {
                leaver,
                to: c.id,
                needs_new_owner: true,
                hands_over_coordination: false,
            }),
            None => Err(ValidationErrors::single(
                "successor_id",
                "required",
                "the team has no coordinator to hold the open items: name a successor",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{PatientId, ProfessionalId};
    use crate::team::TeamMember;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn member(kind: MemberKind, coord: bool, to: Option<&str>) -> TeamMember {
        TeamMember {
            id: MemberId::new(),
            kind,
            professional_id: (kind == MemberKind::Professional).then(ProfessionalId::new),
            name: None,
            organisation_id: None,
            role: "GP".into(),
            responsibility: String::new(),
            phone: None,
            is_coordinator: coord,
            active_from: day("2026-01-01"),
            active_to: to.map(day),
        }
    }

    fn team(members: Vec<TeamMember>) -> CareTeam {
        CareTeam {
            patient_id: PatientId::new(),
            members,
            version: 1,
        }
    }

    #[test]
    fn a_named_successor_takes_over_and_a_coordinator_hands_coordination_on() {
        let coord = member(MemberKind::Professional, true, None);
        let gp = member(MemberKind::Professional, false, None);
        let t = team(vec![coord.clone(), gp.clone()]);
        let s = plan_succession(&t, coord.id, Some(gp.id), day("2026-06-01")).unwrap();
        assert_eq!(
            (s.to, s.needs_new_owner, s.hands_over_coordination),
            (gp.id, false, true)
        );
        let s = plan_succession(&t, gp.id, Some(coord.id), day("2026-06-01")).unwrap();
        assert!(!s.hands_over_coordination);
    }

    #[test]
    fn without_a_successor_the_coordinator_holds_the_items_flagged() {
        let coord = member(MemberKind::Professional, true, None);
        let gp = member(MemberKind::Professional, false, None);
        let t = team(vec![coord.clone(), gp.clone()]);
        let s = plan_succession(&t, gp.id, None, day("2026-06-01")).unwrap();
        assert_eq!((s.to, s.needs_new_owner), (coord.id, true));
    }

    #[test]
    fn a_coordinator_cannot_leave_without_naming_the_next() {
        let coord = member(MemberKind::Professional, true, None);
        let t = team(vec![coord.clone()]);
        let e = plan_succession(&t, coord.id, None, day("2026-06-01")).unwrap_err();
        assert_eq!(
            e.for_field("successor_id").unwrap().code,
            "coordinator_needs_successor"
        );
    }

    #[test]
    fn the_successor_must_be_another_professional_who_stays() {
        let coord = member(MemberKind::Professional, true, None);
        let gp = member(MemberKind::Professional, false, None);
        let patient = member(MemberKind::Patient, false, None);
        let leaving_too = member(MemberKind::Professional, false, Some("2026-06-01"));
        let t = team(vec![
            coord.clone(),
            gp.clone(),
            patient.clone(),
            leaving_too.clone(),
        ]);
        for bad in [gp.id, patient.id, leaving_too.id, MemberId::new()] {
            let e = plan_succession(&t, gp.id, Some(bad), day("2026-06-01")).unwrap_err();
            assert_eq!(
                e.for_field("successor_id").unwrap().code,
                "not_a_professional_member"
            );
        }
        let gone = plan_succession(&t, MemberId::new(), None, day("2026-06-01")).unwrap_err();
        assert_eq!(gone.for_field("member_id").unwrap().code, "not_active");
    }
}
