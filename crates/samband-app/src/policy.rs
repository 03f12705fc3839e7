//! The one access policy. Every read and write of patient data, on every surface, is
//! decided here and nowhere else; handlers and templates never filter.
//!
//! The decision is a pure function of facts the caller loads inside its transaction
//! (who asks, their active membership on the patient's team and that membership's
//! organisation and sector, the patient's consent, the deployment's consent defaults,
//! an active emergency-access grant) and of what is asked: an operation on an object,
//! whose information category the object declares. Deny by default.

use chrono::NaiveDate;
use samband_domain::consent::{Category, Consent, ConsentDefaults, Viewer};
use samband_domain::ids::{MemberId, OrganisationId, PatientId};
use samband_domain::organisation::Sector;
use samband_domain::principal::{Principal, Subject};
use serde::Serialize;

/// What is being accessed. Adding an object type forces a category (exhaustive match),
/// so no data type can escape the consent check.
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
    /// The patient's consent itself.
    Consent,
    /// Who looked at the record: the patient's own view of the audit trail.
    AccessLog,
    /// Messages and requests. A thread declares its own category (see [`decide_in`]).
    Message,
    /// Collaboration meetings; a pre-read declares its own category.
    Meeting,
}

impl Object {
    pub const ALL: [Object; 12] = [
        Object::Patient,
        Object::Team,
        Object::PlanHeader,
        Object::Goal,
        Object::Action,
        Object::Service,
        Object::CrisisPlan,
        Object::History,
        Object::Consent,
        Object::AccessLog,
        Object::Message,
        Object::Meeting,
    ];

    pub fn category(&self) -> Category {
        match self {
            Object::Patient
            | Object::Team
            | Object::PlanHeader
            | Object::Goal
            | Object::Action
            | Object::Service
            | Object::History
            | Object::Consent
            | Object::AccessLog
            | Object::Message
            | Object::Meeting => Category::PlanAndActions,
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
            Object::Consent => "consent",
            Object::AccessLog => "access_log",
            Object::Message => "message",
            Object::Meeting => "meeting",
        }
    }

    /// The object a history entry's `object_type` names (for filtering history).
    pub fn named(s: &str) -> Option<Object> {
        Object::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Read,
    /// Listing in a search or caseload (reveals that the patient exists and their name).
    List,
    /// Leaving the system in bulk (exports).
    Export,
    /// Named in a notification's text.
    Notify,
    Create,
    Update,
}

impl Operation {
    pub const ALL: [Operation; 6] = [
        Operation::Read,
        Operation::List,
        Operation::Export,
        Operation::Notify,
        Operation::Create,
        Operation::Update,
    ];

    pub fn is_write(&self) -> bool {
        matches!(self, Operation::Create | Operation::Update)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::List => "list",
            Operation::Export => "export",
            Operation::Notify => "notify",
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
    /// A professional transcribing a consent the patient gave on paper.
    PaperConsent,
    /// A message thread the principal is not addressed in (nor wrote in).
    ThreadOutsider,
}

impl Detail {
    pub const ALL: [Detail; 5] = [
        Detail::None,
        Detail::PatientOwnGoal,
        Detail::CrisisWhatHelps,
        Detail::PaperConsent,
        Detail::ThreadOutsider,
    ];
}

/// The principal's active membership on the patient's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub member_id: MemberId,
    pub organisation: Option<OrganisationId>,
    pub sector: Option<Sector>,
}

/// The facts the decision rests on, loaded by the caller inside its transaction.
#[derive(Debug, Clone)]
pub struct AccessFacts<'a> {
    pub principal: &'a Principal,
    pub patient: PatientId,
    pub membership: Option<Membership>,
    pub consent: &'a Consent,
    pub defaults: &'a ConsentDefaults,
    pub today: NaiveDate,
    /// The principal holds an unexpired emergency-access grant for this patient.
    pub emergency: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A professional on the care team, caring for or coordinating care for the patient.
    Care,
    /// The patient reading or writing their own record.
    OwnRecord,
    /// A proxy acting for the patient who named them.
    Proxy,
    /// Emergency access ("break the glass"): logged and shown to the patient.
    Emergency,
}

impl Purpose {
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::Care => "care",
            Purpose::OwnRecord => "own_record",
            Purpose::Proxy => "proxy",
            Purpose::Emergency => "emergency",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Permit(Purpose),
    Deny(DenyReason),
}

impl Decision {
    pub fn is_permit(&self) -> bool {
        matches!(self, Decision::Permit(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    NotOnTeam,
    NoConsent,
    NotOwnRecord,
    AdministratorsSeeNoClinicalContent,
    ReadOnlyToken,
    PatientMayNotEdit,
    /// The access log is the patient's own view.
    PatientOnly,
    /// Emergency access is for reading only.
    EmergencyReadOnly,
    /// Professionals may only record a consent the patient gave on paper.
    ConsentIsThePatients,
    /// Messages are read by those they are addressed to.
    NotAddressed,
}

/// Decides whether `facts.principal` may perform `op` on `object` (with `detail`).
pub fn decide(facts: &AccessFacts<'_>, op: Operation, object: Object, detail: Detail) -> Decision {
    decide_in(facts, op, object, object.category(), detail)
}

/// As [`decide`], for an object whose information category is its own (a message
/// thread about work capacity, say) rather than its type's.
pub fn decide_in(
    facts: &AccessFacts<'_>,
    op: Operation,
    object: Object,
    category: Category,
    detail: Detail,
) -> Decision {
    let p = facts.principal;
    let scope_ok = if op.is_write() {
        p.scopes.write
    } else {
        p.scopes.read
    };
    if !scope_ok {
        return Decision::Deny(DenyReason::ReadOnlyToken);
    }
    match p.subject {
        Subject::Admin => Decision::Deny(DenyReason::AdministratorsSeeNoClinicalContent),
        Subject::Patient(own) => {
            if own != facts.patient {
                return Decision::Deny(DenyReason::NotOwnRecord);
            }
            let allowed = match op {
                Operation::Read | Operation::List | Operation::Export | Operation::Notify => true,
                Operation::Create | Operation::Update => matches!(
                    (object, detail),
                    (Object::Goal, Detail::PatientOwnGoal)
                        | (Object::CrisisPlan, Detail::CrisisWhatHelps)
                        | (Object::Consent, Detail::None)
                        // Patients write to their team and acknowledge what they get.
                        | (Object::Message, Detail::None)
                        // ... and reply to invitations, say what they want to raise.
                        | (Object::Meeting, Detail::None)
                ),
            };
            if allowed {
                Decision::Permit(Purpose::OwnRecord)
            } else {
                Decision::Deny(DenyReason::PatientMayNotEdit)
            }
        }
        Subject::Proxy {
            patient,
            may_consent,
        } => {
            if patient != facts.patient {
                return Decision::Deny(DenyReason::NotOwnRecord);
            }
            // A proxy reads what the patient reads; the only thing they may change is
            // the consent, and only when authorised to.
            let allowed = !op.is_write()
                || (object == Object::Consent && detail == Detail::None && may_consent);
            if allowed {
                Decision::Permit(Purpose::Proxy)
            } else {
                Decision::Deny(DenyReason::PatientMayNotEdit)
            }
        }
        Subject::Professional(_) => {
            if object == Object::AccessLog {
                return Decision::Deny(DenyReason::PatientOnly);
            }
            match facts.membership {
                // Whose record it is: every active member may know (their own caseload).
                Some(_) if object == Object::Patient && !op.is_write() => {
                    Decision::Permit(Purpose::Care)
                }
                Some(m) => {
                    if object == Object::Consent && op.is_write() && detail != Detail::PaperConsent
                    {
                        return Decision::Deny(DenyReason::ConsentIsThePatients);
                    }
                    if object == Object::Message && detail == Detail::ThreadOutsider {
                        return Decision::Deny(DenyReason::NotAddressed);
                    }
                    let viewer = Viewer {
                        organisation: m.organisation,
                        sector: m.sector,
                    };
                    if facts
                        .consent
                        .allows(viewer, category, facts.today, facts.defaults)
                    {
                        Decision::Permit(Purpose::Care)
                    } else {
                        Decision::Deny(DenyReason::NoConsent)
                    }
                }
                None if facts.emergency => {
                    if op.is_write() {
                        Decision::Deny(DenyReason::EmergencyReadOnly)
                    } else {
                        Decision::Permit(Purpose::Emergency)
                    }
                }
                None => Decision::Deny(DenyReason::NotOnTeam),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samband_domain::consent::{ConsentRule, ConsentSource, Recipient};
    use samband_domain::ids::{AccountId, ProfessionalId};
    use samband_domain::principal::Scopes;

    fn principal(subject: Subject, scopes: Scopes) -> Principal {
        Principal {
            account_id: AccountId::new(),
            display_name: "x".into(),
            subject,
            scopes,
            locale: None,
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum ConsentState {
        Defaults,
        OrgDeny,
        OrgPermit,
        SectorDeny,
        SectorPermit,
        ExpiredPermit,
        OrgPermitSectorDeny,
    }

    const STATES: [ConsentState; 7] = [
        ConsentState::Defaults,
        ConsentState::OrgDeny,
        ConsentState::OrgPermit,
        ConsentState::SectorDeny,
        ConsentState::SectorPermit,
        ConsentState::ExpiredPermit,
        ConsentState::OrgPermitSectorDeny,
    ];

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn consent_for(
        state: ConsentState,
        patient: PatientId,
        org: OrganisationId,
        sector: Sector,
        category: Category,
    ) -> Consent {
        let rule = |recipient, permit, valid_to: Option<NaiveDate>| ConsentRule {
            recipient,
            category,
            permit,
            valid_from: None,
            valid_to,
            purpose: None,
            source: ConsentSource::Patient,
        };
        let rules = match state {
            ConsentState::Defaults => vec![],
            ConsentState::OrgDeny => vec![rule(Recipient::Organisation(org), false, None)],
            ConsentState::OrgPermit => vec![rule(Recipient::Organisation(org), true, None)],
            ConsentState::SectorDeny => vec![rule(Recipient::Sector(sector), false, None)],
            ConsentState::SectorPermit => vec![rule(Recipient::Sector(sector), true, None)],
            ConsentState::ExpiredPermit => vec![rule(
                Recipient::Sector(sector),
                true,
                Some(day("2026-01-01")),
            )],
            ConsentState::OrgPermitSectorDeny => {
                vec![
                    rule(Recipient::Organisation(org), true, None),
                    rule(Recipient::Sector(sector), false, None),
                ]
            }
        };
        Consent {
            patient_id: patient,
            rules,
            updated_at: None,
            version: 1,
        }
    }

    /// The rules of issues #2 and #3 stated independently, as a table: what each kind
    /// of principal may do, given consent and emergency access.
    #[allow(clippy::too_many_arguments)]
    fn expected(
        kind: &str,
        member: bool,
        own: bool,
        sector: Sector,
        state: ConsentState,
        emergency: bool,
        scopes: Scopes,
        op: Operation,
        obj: Object,
        d: Detail,
    ) -> bool {
        let write = matches!(op, Operation::Create | Operation::Update);
        if (write && !scopes.write) || (!write && !scopes.read) {
            return false;
        }
        let health_sector = matches!(
            sector,
            Sector::Specialist | Sector::Primary | Sector::Municipal
        );
        let category_is_base = obj != Object::CrisisPlan;
        let by_default = health_sector || category_is_base;
        let consented = match state {
            ConsentState::Defaults | ConsentState::ExpiredPermit => by_default,
            ConsentState::OrgDeny | ConsentState::SectorDeny => false,
            ConsentState::OrgPermit
            | ConsentState::SectorPermit
            | ConsentState::OrgPermitSectorDeny => true,
        };
        match kind {
            "admin" => false,
            "patient" => {
                own && (!write
                    || (obj == Object::Goal && d == Detail::PatientOwnGoal)
                    || (obj == Object::CrisisPlan && d == Detail::CrisisWhatHelps)
                    || (obj == Object::Consent && d == Detail::None)
                    || (obj == Object::Message && d == Detail::None)
                    || (obj == Object::Meeting && d == Detail::None))
            }
            "proxy" => own && !write,
            "proxy_authorised" => own && (!write || (obj == Object::Consent && d == Detail::None)),
            "professional" if obj == Object::AccessLog => false,
            "professional" if member && obj == Object::Patient && !write => true,
            "professional" if member => {
                let consent_write_ok =
                    !(obj == Object::Consent && write) || d == Detail::PaperConsent;
                let addressed = !(obj == Object::Message && d == Detail::ThreadOutsider);
                consent_write_ok && consented && addressed
            }
            "professional" => emergency && !write,
            _ => false,
        }
    }

    #[test]
    fn matrix_matches_the_stated_rules() {
        let patient = PatientId::new();
        let other = PatientId::new();
        let org = OrganisationId::new();
        let today = day("2026-11-23");
        let defaults = ConsentDefaults::default();
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
        let sectors = Sector::ALL;
        let mut cases = 0usize;
        let mut mismatches = Vec::new();
        for kind in [
            "admin",
            "professional",
            "patient",
            "proxy",
            "proxy_authorised",
        ] {
            for member in [false, true] {
                for own in [false, true] {
                    for &sector in sectors {
                        for state in STATES {
                            for emergency in [false, true] {
                                for sc in scopes {
                                    let whose = if own { patient } else { other };
                                    let subject = match kind {
                                        "admin" => Subject::Admin,
                                        "professional" => {
                                            Subject::Professional(ProfessionalId::new())
                                        }
                                        "proxy" => Subject::Proxy {
                                            patient: whose,
                                            may_consent: false,
                                        },
                                        "proxy_authorised" => Subject::Proxy {
                                            patient: whose,
                                            may_consent: true,
                                        },
                                        _ => Subject::Patient(whose),
                                    };
                                    let p = principal(subject, sc);
                                    for obj in Object::ALL {
                                        let consent = consent_for(
                                            state,
                                            patient,
                                            org,
                                            sector,
                                            obj.category(),
                                        );
                                        let membership = member.then(|| Membership {
                                            member_id: MemberId::new(),
                                            organisation: Some(org),
                                            sector: Some(sector),
                                        });
                                        let facts = AccessFacts {
                                            principal: &p,
                                            patient,
                                            membership,
                                            consent: &consent,
                                            defaults: &defaults,
                                            today,
                                            emergency,
                                        };
                                        for op in Operation::ALL {
                                            for d in Detail::ALL {
                                                cases += 1;
                                                let got = matches!(
                                                    decide(&facts, op, obj, d),
                                                    Decision::Permit(_)
                                                );
                                                let want = expected(
                                                    kind, member, own, sector, state, emergency,
                                                    sc, op, obj, d,
                                                );
                                                if got != want {
                                                    mismatches.push(format!(
                                                        "{kind} member={member} own={own} {sector} {state:?} emergency={emergency} {sc:?} {op:?} {obj:?} {d:?}: got {got}"
                                                    ));
                                                }
                                            }
                                        }
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
        assert!(cases > 100_000, "matrix too small: {cases}");
        assert!(
            mismatches.is_empty(),
            "{} mismatches, first: {:#?}",
            mismatches.len(),
            &mismatches[..mismatches.len().min(10)]
        );
    }

    #[test]
    fn purposes_name_why_the_access_happened() {
        let patient = PatientId::new();
        let consent = Consent::empty(patient);
        let defaults = ConsentDefaults::default();
        let today = day("2026-11-23");
        let pat = principal(Subject::Patient(patient), Scopes::ALL);
        let facts = AccessFacts {
            principal: &pat,
            patient,
            membership: None,
            consent: &consent,
            defaults: &defaults,
            today,
            emergency: false,
        };
        assert_eq!(
            decide(&facts, Operation::Read, Object::Action, Detail::None),
            Decision::Permit(Purpose::OwnRecord)
        );
        let pro = principal(Subject::Professional(ProfessionalId::new()), Scopes::ALL);
        let facts = AccessFacts {
            principal: &pro,
            patient,
            membership: None,
            consent: &consent,
            defaults: &defaults,
            today,
            emergency: true,
        };
        assert_eq!(
            decide(&facts, Operation::Read, Object::CrisisPlan, Detail::None),
            Decision::Permit(Purpose::Emergency)
        );
        assert_eq!(
            decide(&facts, Operation::Update, Object::CrisisPlan, Detail::None),
            Decision::Deny(DenyReason::EmergencyReadOnly)
        );
    }
}
