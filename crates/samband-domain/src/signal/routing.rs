//! Who an alert lands on, and who is next when nobody acknowledges it.
//!
//! The chain, computed for the day it is used on: the coordinator; if they are away,
//! the deputy their absence names — only while the deputy is an active professional
//! on this patient's team and not away themselves, because the access policy lets
//! nobody else read the alert (a deputy outside the team would be told of an alert
//! they cannot open); then the team's other clinicians whose role suits the signal
//! (the pathway role words of `pathway/roles.rs`), in the class's order of roles; and
//! last the coordinator anyway, away or not, so the chain is never empty. Members who
//! may not read the alert under the patient's consent, or cannot sign in, are left
//! out (`eligible`), except that final coordinator. Past the end of the chain the
//! alert stays with its last person and everyone with a clinical role on the team is
//! told at every further step ([`clinical_group`]).

use super::SignalClass;
use crate::absence::{absent_on, Absence};
use crate::ids::MemberId;
use crate::pathway::template::CareRole;
use crate::team::{CareTeam, MemberKind, TeamMember};
use chrono::NaiveDate;

crate::string_enum!(
    /// Why a member is on the chain.
    RouteReason {
        Coordinator = "coordinator",
        /// Standing in for the absent coordinator.
        Deputy = "deputy",
        /// Another clinician on the team whose role suits the signal.
        Role = "role",
        /// The coordinator, though away: nobody else could take it.
        CoordinatorAway = "coordinator_away",
        /// Past the end of the chain: the whole clinical team is told.
        Everyone = "everyone",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub member: MemberId,
    pub reason: RouteReason,
}

/// The roles that suit a class, in the order they are asked.
pub fn roles_for(class: SignalClass) -> &'static [CareRole] {
    match class {
        SignalClass::Safety => &[
            CareRole::Psychiatrist,
            CareRole::Gp,
            CareRole::CareManager,
            CareRole::Specialist,
        ],
        SignalClass::Deterioration => &[
            CareRole::CareManager,
            CareRole::Gp,
            CareRole::Psychiatrist,
            CareRole::Specialist,
        ],
        SignalClass::Engagement => &[CareRole::CareManager, CareRole::Gp],
    }
}

fn is_clinical(m: &TeamMember) -> bool {
    m.kind == MemberKind::Professional
        && (m.is_coordinator
            || [
                CareRole::Psychiatrist,
                CareRole::Gp,
                CareRole::CareManager,
                CareRole::Specialist,
                CareRole::HospitalContact,
            ]
            .iter()
            .any(|r| r.names(&m.role)))
}

fn away(m: &TeamMember, absences: &[Absence], day: NaiveDate) -> bool {
    m.professional_id
        .is_some_and(|p| absent_on(absences, p, day).is_some())
}

/// The chain for `class` on `day` (see the module's description). Empty only for a
/// team with no coordinator that day.
pub fn chain(
    team: &CareTeam,
    absences: &[Absence],
    class: SignalClass,
    day: NaiveDate,
    eligible: &dyn Fn(&TeamMember) -> bool,
) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::new();
    let usable = |m: &TeamMember| {
        m.kind == MemberKind::Professional && !away(m, absences, day) && eligible(m)
    };
    let coordinator = team.coordinator(day);
    if let Some(c) = coordinator {
        if usable(c) {
            out.push(Route {
                member: c.id,
                reason: RouteReason::Coordinator,
            });
        } else if let Some(deputy) = c
            .professional_id
            .and_then(|p| absent_on(absences, p, day))
            .and_then(|a| a.deputy)
            .and_then(|d| team.active_professional(d, day))
            .filter(|m| usable(m))
        {
            out.push(Route {
                member: deputy.id,
                reason: RouteReason::Deputy,
            });
        }
    }
    for role in roles_for(class) {
        for m in team.active_members(day) {
            if role.names(&m.role) && usable(m) && !out.iter().any(|r| r.member == m.id) {
                out.push(Route {
                    member: m.id,
                    reason: RouteReason::Role,
                });
            }
        }
    }
    if let Some(c) = coordinator {
        if !out.iter().any(|r| r.member == c.id) {
            out.push(Route {
                member: c.id,
                reason: RouteReason::CoordinatorAway,
            });
        }
    }
    out
}

/// Everyone with a clinical role on the team on `day` (the coordinator included) who
/// may read the alert: told at every step past the end of the chain. Members away are
/// included — at that point being told matters more than being off.
pub fn clinical_group(
    team: &CareTeam,
    day: NaiveDate,
    eligible: &dyn Fn(&TeamMember) -> bool,
) -> Vec<MemberId> {
    team.active_members(day)
        .filter(|m| is_clinical(m) && eligible(m))
        .map(|m| m.id)
        .collect()
}

/// Who holds an alert at escalation `level` of `chain`: the step's member, or past the
/// end the last one (with the whole clinical group told).
pub fn at_level(chain: &[Route], level: u32) -> Option<Route> {
    let last = chain.len().checked_sub(1)?;
    let i = (level as usize).min(last);
    let mut r = chain[i];
    if level as usize > last {
        r.reason = RouteReason::Everyone;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AbsenceId, PatientId, ProfessionalId};
    use chrono::{DateTime, Utc};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn member(role: &str, coordinator: bool) -> TeamMember {
        TeamMember {
            id: MemberId::new(),
            kind: MemberKind::Professional,
            professional_id: Some(ProfessionalId::new()),
            name: None,
            organisation_id: None,
            role: role.into(),
            responsibility: String::new(),
            phone: None,
            is_coordinator: coordinator,
            active_from: d("2026-01-01"),
            active_to: None,
        }
    }

    fn away_for(m: &TeamMember, deputy: Option<&TeamMember>) -> Absence {
        Absence {
            id: AbsenceId::new(),
            professional_id: m.professional_id.unwrap(),
            from: d("2026-03-01"),
            to: d("2026-03-31"),
            deputy: deputy.and_then(|x| x.professional_id),
            note: None,
            ended_on: None,
            created_at: DateTime::<Utc>::MIN_UTC,
            version: 1,
        }
    }

    struct World {
        team: CareTeam,
        coord: TeamMember,
        nurse: TeamMember,
        gp: TeamMember,
        psych: TeamMember,
        nav: TeamMember,
    }

    fn world() -> World {
        let coord = member("Care manager", true);
        let nurse = member("Psychiatric nurse", false);
        let gp = member("Fastlege", false);
        let psych = member("Psykiater", false);
        let nav = member("NAV supervisor", false);
        let team = CareTeam {
            patient_id: PatientId::new(),
            members: vec![
                coord.clone(),
                nurse.clone(),
                gp.clone(),
                psych.clone(),
                nav.clone(),
            ],
            version: 1,
        };
        World {
            team,
            coord,
            nurse,
            gp,
            psych,
            nav,
        }
    }

    fn ids(c: &[Route]) -> Vec<(MemberId, RouteReason)> {
        c.iter().map(|r| (r.member, r.reason)).collect()
    }

    const ALL: &dyn Fn(&TeamMember) -> bool = &|_| true;

    #[test]
    fn the_coordinator_first_then_suitable_roles_in_the_class_order() {
        let w = world();
        let c = chain(&w.team, &[], SignalClass::Safety, d("2026-03-10"), ALL);
        assert_eq!(
            ids(&c),
            vec![
                (w.coord.id, RouteReason::Coordinator),
                (w.psych.id, RouteReason::Role),
                (w.gp.id, RouteReason::Role),
            ]
        );
        let c = chain(&w.team, &[], SignalClass::Engagement, d("2026-03-10"), ALL);
        assert_eq!(
            ids(&c),
            vec![
                (w.coord.id, RouteReason::Coordinator),
                (w.gp.id, RouteReason::Role)
            ]
        );
        // The NAV supervisor and the nurse (no suitable role words) are never on it.
        assert!(!c
            .iter()
            .any(|r| r.member == w.nav.id || r.member == w.nurse.id));
    }

    #[test]
    fn an_absent_coordinator_goes_to_their_deputy_on_the_team_and_last() {
        let w = world();
        let abs = [away_for(&w.coord, Some(&w.nurse))];
        let c = chain(&w.team, &abs, SignalClass::Safety, d("2026-03-10"), ALL);
        assert_eq!(
            ids(&c),
            vec![
                (w.nurse.id, RouteReason::Deputy),
                (w.psych.id, RouteReason::Role),
                (w.gp.id, RouteReason::Role),
                (w.coord.id, RouteReason::CoordinatorAway),
            ]
        );
        // After the absence: back to the coordinator.
        let c = chain(&w.team, &abs, SignalClass::Safety, d("2026-04-01"), ALL);
        assert_eq!(c[0].member, w.coord.id);
    }

    #[test]
    fn a_deputy_who_is_away_off_the_team_or_not_permitted_is_skipped() {
        let w = world();
        // Deputy away too.
        let abs = [away_for(&w.coord, Some(&w.nurse)), away_for(&w.nurse, None)];
        let c = chain(&w.team, &abs, SignalClass::Safety, d("2026-03-10"), ALL);
        assert_eq!(
            c[0],
            Route {
                member: w.psych.id,
                reason: RouteReason::Role
            }
        );
        // Deputy not on this patient's team.
        let stranger = member("Care manager", false);
        let abs = [away_for(&w.coord, Some(&stranger))];
        let c = chain(&w.team, &abs, SignalClass::Safety, d("2026-03-10"), ALL);
        assert_eq!(c[0].member, w.psych.id);
        // Deputy whose organisation may not read it.
        let abs = [away_for(&w.coord, Some(&w.nurse))];
        let nurse = w.nurse.id;
        let c = chain(&w.team, &abs, SignalClass::Safety, d("2026-03-10"), &|m| {
            m.id != nurse
        });
        assert_eq!(c[0].member, w.psych.id);
    }

    #[test]
    fn with_nobody_else_the_absent_coordinator_gets_it_and_levels_saturate() {
        let w = world();
        let team = CareTeam {
            members: vec![w.coord.clone(), w.nav.clone()],
            ..w.team.clone()
        };
        let abs = [away_for(&w.coord, None)];
        let c = chain(
            &team,
            &abs,
            SignalClass::Deterioration,
            d("2026-03-10"),
            ALL,
        );
        assert_eq!(ids(&c), vec![(w.coord.id, RouteReason::CoordinatorAway)]);
        assert_eq!(
            at_level(&c, 0).unwrap().reason,
            RouteReason::CoordinatorAway
        );
        let past = at_level(&c, 5).unwrap();
        assert_eq!(
            (past.member, past.reason),
            (w.coord.id, RouteReason::Everyone)
        );
        assert_eq!(
            clinical_group(&team, d("2026-03-10"), ALL),
            vec![w.coord.id]
        );
        assert_eq!(
            clinical_group(&w.team, d("2026-03-10"), ALL),
            vec![w.coord.id, w.gp.id, w.psych.id]
        );
        assert!(at_level(&[], 0).is_none());
    }
}
