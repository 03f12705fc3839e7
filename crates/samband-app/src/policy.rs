//! The one access policy. Every read and write of patient data, on every surface, is
//! decided here and nowhere else; handlers and templates never filter.
//!
//! The decision is a pure function of facts the caller loads (who asks, their active
//! membership on the patient's team, what they want to do to which category of
//! information) so it can be tested exhaustively. Deny by default: anything not
//! explicitly permitted below is refused. The patient's consent per category (a later
//! capability) enters as one more fact in [`AccessFacts`] without touching callers.

use samband_domain::ids::{MemberId, PatientId};
use samband_domain::principal::{Principal, Subject};
use serde::Serialize;

/// The categories of patient information. Every object declares one (see
/// [`Object::category`]); consent will be given or withheld per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Identity, team, goals, actions, services: what every team member needs.
    PlanAndActions,
    ClinicalNotes,
    Medication,
    MentalHealth,
    WorkCapacity,
    SocialCircumstances,
    CrisisPlan,
    SelfReports,
    MeetingPreReads,
}

/// What is being accessed. Adding an object type forces a category (exhaustive match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Object {
    /// Demographics and the patient's place in lists.
    Patient,
    Team,
    PlanHeader,
    Goal,
    Action,
    Service,
    CrisisPlan,
    History,
}

impl Object {
    pub fn category(&self) -> Category {
        match self {
            Object::Patient
            | Object::Team
            | Object::PlanHeader
            | Object::Goal
            | Object::Action
            | Object::Service
            | Object::History => Category::PlanAndActions,
            Object::CrisisPlan => Category::CrisisPlan,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Object::Patient => "patient",
            Object::Team => "team",
            Object::PlanHeader => "plan",
            Object::Goal => "goal",
            Object::Action => "action",
            Object::Service => "service",
            Object::CrisisPlan => "crisis_plan",
            Object::History => "history",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Read,
    /// Listing in a search or caseload (reveals that the patient exists and their name).
    List,
    Create,
    Update,
}

impl Operation {
    pub fn is_write(&self) -> bool {
        matches!(self, Operation::Create | Operation::Update)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::List => "list",
            Operation::Create => "create",
            Operation::Update => "update",
        }
    }
}

/// Finer detail some rules need: which part of an object a write touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    None,
    /// A goal written in the patient's own words (as opposed to a professional goal).
    PatientOwnGoal,
    /// Only the "what helps" section of the crisis plan.
    CrisisWhatHelps,
}

/// The facts the decision rests on, loaded by the caller inside its transaction.
#[derive(Debug, Clone)]
pub struct AccessFacts<'a> {
    pub principal: &'a Principal,
    pub patient: PatientId,
    /// The principal's active membership on this patient's team today, if any.
    pub membership: Option<MemberId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A professional on the care team, caring for or coordinating care for the patient.
    Care,
    /// The patient reading or writing their own record.
    OwnRecord,
}

impl Purpose {
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::Care => "care",
            Purpose::OwnRecord => "own_record",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Permit(Purpose),
    Deny(DenyReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    NotOnTeam,
    NotOwnRecord,
    AdministratorsSeeNoClinicalContent,
    ReadOnlyToken,
    PatientMayNotEdit,
}

/// Decides whether `facts.principal` may perform `op` on `object` (with `detail`).
pub fn decide(facts: &AccessFacts<'_>, op: Operation, object: Object, detail: Detail) -> Decision {
    let p = facts.principal;
    if op.is_write() && !p.scopes.write {
        return Decision::Deny(DenyReason::ReadOnlyToken);
    }
    if !op.is_write() && !p.scopes.read {
        return Decision::Deny(DenyReason::ReadOnlyToken);
    }
    // Reserved for consent: `object.category()` is checked against the patient's
    // consent for the principal's organisation and sector here.
    let _category = object.category();
    match p.subject {
        Subject::Admin => Decision::Deny(DenyReason::AdministratorsSeeNoClinicalContent),
        Subject::Professional(_) => match facts.membership {
            Some(_) => Decision::Permit(Purpose::Care),
            None => Decision::Deny(DenyReason::NotOnTeam),
        },
        Subject::Patient(own) => {
            if own != facts.patient {
                return Decision::Deny(DenyReason::NotOwnRecord);
            }
            let allowed = match op {
                Operation::Read | Operation::List => true,
                Operation::Create | Operation::Update => matches!(
                    (object, detail),
                    (Object::Goal, Detail::PatientOwnGoal)
                        | (Object::CrisisPlan, Detail::CrisisWhatHelps)
                ),
            };
            if allowed {
                Decision::Permit(Purpose::OwnRecord)
            } else {
                Decision::Deny(DenyReason::PatientMayNotEdit)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samband_domain::ids::{AccountId, ProfessionalId};
    use samband_domain::principal::Scopes;

    const OBJECTS: &[Object] = &[
        Object::Patient,
        Object::Team,
        Object::PlanHeader,
        Object::Goal,
        Object::Action,
        Object::Service,
        Object::CrisisPlan,
        Object::History,
    ];
    const OPS: &[Operation] = &[
        Operation::Read,
        Operation::List,
        Operation::Create,
        Operation::Update,
    ];
    const DETAILS: &[Detail] = &[
        Detail::None,
        Detail::PatientOwnGoal,
        Detail::CrisisWhatHelps,
    ];

    fn principal(subject: Subject, scopes: Scopes) -> Principal {
        Principal {
            account_id: AccountId::new(),
            display_name: "x".into(),
            subject,
            scopes,
            locale: None,
        }
    }

    /// The rules of issue #2 stated independently as a table, checked against `decide`
    /// for every combination of subject, membership, ownership, scope, operation,
    /// object and detail.
    fn expected(
        kind: &str,
        member: bool,
        own: bool,
        scopes: Scopes,
        op: Operation,
        obj: Object,
        d: Detail,
    ) -> bool {
        let scope_ok = if op.is_write() {
            scopes.write
        } else {
            scopes.read
        };
        if !scope_ok {
            return false;
        }
        match kind {
            "admin" => false,
            "professional" => member,
            "patient" => {
                own && (!op.is_write()
                    || (obj == Object::Goal && d == Detail::PatientOwnGoal)
                    || (obj == Object::CrisisPlan && d == Detail::CrisisWhatHelps))
            }
            _ => false,
        }
    }

    #[test]
    fn matrix_matches_the_stated_rules() {
        let patient = PatientId::new();
        let other = PatientId::new();
        let scopes = [
            Scopes::ALL,
            Scopes {
                read: true,
                write: false,
            },
            Scopes {
                read: false,
                write: true,
            },
        ];
        let mut cases = 0;
        let mut mismatches = Vec::new();
        for kind in ["admin", "professional", "patient"] {
            for member in [false, true] {
                for own in [false, true] {
                    for sc in scopes {
                        let subject = match kind {
                            "admin" => Subject::Admin,
                            "professional" => Subject::Professional(ProfessionalId::new()),
                            _ => Subject::Patient(if own { patient } else { other }),
                        };
                        let p = principal(subject, sc);
                        let facts = AccessFacts {
                            principal: &p,
                            patient,
                            membership: member.then(MemberId::new),
                        };
                        for &op in OPS {
                            for &obj in OBJECTS {
                                for &d in DETAILS {
                                    cases += 1;
                                    let got =
                                        matches!(decide(&facts, op, obj, d), Decision::Permit(_));
                                    if got != expected(kind, member, own, sc, op, obj, d) {
                                        mismatches.push(format!("{kind} member={member} own={own} {sc:?} {op:?} {obj:?} {d:?} -> {got}"));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        println!(
            "policy matrix: {cases} cases, {} mismatches",
            mismatches.len()
        );
        assert!(cases > 1000, "matrix too small: {cases}");
        assert!(mismatches.is_empty(), "{mismatches:#?}");
    }

    #[test]
    fn patient_purpose_is_own_record_and_professional_is_care() {
        let patient = PatientId::new();
        let pat = principal(Subject::Patient(patient), Scopes::ALL);
        let facts = AccessFacts {
            principal: &pat,
            patient,
            membership: None,
        };
        assert_eq!(
            decide(&facts, Operation::Read, Object::Action, Detail::None),
            Decision::Permit(Purpose::OwnRecord)
        );
        let pro = principal(Subject::Professional(ProfessionalId::new()), Scopes::ALL);
        let facts = AccessFacts {
            principal: &pro,
            patient,
            membership: Some(MemberId::new()),
        };
        assert_eq!(
            decide(&facts, Operation::Update, Object::Action, Detail::None),
            Decision::Permit(Purpose::Care)
        );
    }
}
