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

samband_domain::string_enum! {
    /// What is being accessed. Declared through `string_enum!`, so `Object::ALL` is
    /// generated with the enum (a new object cannot be left out of the policy matrix),
    /// and [`Object::categories`] is an exhaustive match (nor out of the consent check).
    Object {
        /// Demographics and the patient's place in lists.
        Patient = "patient",
        Team = "team",
        PlanHeader = "plan",
        Goal = "goal",
        Action = "action",
        Service = "service",
        CrisisPlan = "crisis_plan",
        /// The relapse-prevention plan: warning signs, what helps, what the team does,
        /// whom to contact — as sensitive as the crisis plan it sits beside, so it is
        /// shared under the same consent category.
        RelapsePlan = "relapse_plan",
        History = "history",
        /// The patient's consent itself.
        Consent = "consent",
        /// Who looked at the record: the patient's own view of the audit trail.
        AccessLog = "access_log",
        /// Messages and requests. A thread declares its own category (see [`decide_in`]).
        Message = "message",
        /// Collaboration meetings; a pre-read and an item's minutes declare their own
        /// category.
        Meeting = "meeting",
        /// A patient's enrolment on a care pathway and its milestones.
        Pathway = "pathway",
        /// A structured hand-over (discharge) document: its envelope (who to whom,
        /// status, urgency) is plan information; each section declares its own
        /// category (`samband_domain::handover::Section::category`).
        Handover = "handover",
        /// A recommendation recorded at systematic case review: clinical advice (a
        /// treatment change), so read under clinical notes; the GP's task it becomes
        /// is a plan action that names only the review, not the advice.
        CaseReview = "case_review",
        /// Self-monitoring: check-in schedules and questionnaire responses (the
        /// self-reports consent category). Setting a schedule is `Detail::Planning`;
        /// the patient's own acts on it (answering, pausing, resuming) `Detail::CheckIn`.
        SelfReport = "self_report",
        /// A signal from self-monitoring (safety, deterioration, engagement) and its
        /// acknowledgement: made of what the patient reported, so read under the
        /// self-reports category — a member whose organisation may not read the
        /// patient's self-reports neither sees nor is routed the alert.
        Alert = "alert",
    }
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
            | Object::History
            | Object::Consent
            | Object::AccessLog
            | Object::Message
            | Object::Meeting
            | Object::Pathway
            | Object::Handover => Category::PlanAndActions,
            Object::CrisisPlan | Object::RelapsePlan => Category::CrisisPlan,
            Object::CaseReview => Category::ClinicalNotes,
            Object::SelfReport | Object::Alert => Category::SelfReports,
        }
    }

    /// Every category this object can carry: its type's, or — for objects whose parts
    /// each declare one (a thread, a pre-read, an item's minutes) — any.
    pub fn categories(&self) -> &'static [Category] {
        match self {
            Object::Message | Object::Meeting | Object::Handover => Category::ALL,
            Object::Patient
            | Object::Team
            | Object::PlanHeader
            | Object::Goal
            | Object::Action
            | Object::Service
            | Object::History
            | Object::Consent
            | Object::AccessLog
            | Object::Pathway => &[Category::PlanAndActions],
            Object::CrisisPlan | Object::RelapsePlan => &[Category::CrisisPlan],
            Object::CaseReview => &[Category::ClinicalNotes],
            Object::SelfReport | Object::Alert => &[Category::SelfReports],
        }
    }

    /// The object a history entry's `object_type` names (for filtering history).
    pub fn named(s: &str) -> Option<Object> {
        Object::ALL.iter().copied().find(|o| o.as_str() == s)
    }
}

samband_domain::string_enum! {
    Operation {
        Read = "read",
        /// Listing in a search or caseload (reveals that the patient exists and their name).
        List = "list",
        /// Leaving the system in bulk (exports).
        Export = "export",
        /// Named in a notification's text.
        Notify = "notify",
        Create = "create",
        Update = "update",
    }
}

impl Operation {
    pub fn is_write(&self) -> bool {
        matches!(self, Operation::Create | Operation::Update)
    }
}

samband_domain::string_enum! {
    /// Finer detail some rules need: which part of an object a write touches, or what
    /// kind of act it is.
    Detail {
        None = "none",
        /// A goal written in the patient's own words (as opposed to a professional goal).
        PatientOwnGoal = "patient_own_goal",
        /// Only the "what helps" section of the crisis plan.
        CrisisWhatHelps = "crisis_what_helps",
        /// Only the patient's own words in the relapse-prevention plan (the warning
        /// signs as they put them, what helps), the team's part left as it is.
        RelapsePatientWords = "relapse_patient_words",
        /// A professional transcribing a consent the patient gave on paper.
        PaperConsent = "paper_consent",
        /// A message thread the principal is not addressed in (nor wrote in).
        ThreadOutsider = "thread_outsider",
        /// Planning a meeting (creating, changing, inviting, the agenda, minutes,
        /// decisions, pre-reads, the chair view): professionals caring for the patient.
        Planning = "planning",
        /// A typed request (status report, advice, task): between professionals.
        Request = "request",
        /// Acting on a request addressed to someone else (accept, answer, decline).
        OthersRequest = "others_request",
        /// The patient's own wish about an agenda item: the patient alone.
        PatientWish = "patient_wish",
        /// Following a patient (ongoing information): team professionals.
        Follow = "follow",
        /// The patient's own check-in (answering a questionnaire, pausing or resuming
        /// a schedule): the patient, or a proxy acting for them — never a professional
        /// answering in the patient's name.
        CheckIn = "check_in",
        /// The patient's own signal ("I need help now", a warning sign noticed): the
        /// patient alone.
        PatientSignal = "patient_signal",
    }
}

/// Details that only a professional on the patient's team may act under.
fn for_team_professionals(d: Detail) -> bool {
    matches!(
        d,
        Detail::Planning | Detail::Request | Detail::OthersRequest | Detail::Follow
    )
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
    /// Planning, requests and following are for professionals on the team.
    TeamProfessionalsOnly,
    /// Only the patient themself says this.
    NotThePatient,
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
            if for_team_professionals(detail) {
                return Decision::Deny(DenyReason::TeamProfessionalsOnly);
            }
            let allowed = match op {
                Operation::Read | Operation::List | Operation::Export | Operation::Notify => true,
                Operation::Create | Operation::Update => matches!(
                    (object, detail),
                    (Object::Goal, Detail::PatientOwnGoal)
                        | (Object::CrisisPlan, Detail::CrisisWhatHelps)
                        | (Object::RelapsePlan, Detail::RelapsePatientWords)
                        | (Object::Consent, Detail::None)
                        // Patients write to their team and acknowledge what they get.
                        | (Object::Message, Detail::None)
                        // ... and reply to invitations, say what they want to raise.
                        | (Object::Meeting, Detail::None)
                        // ... and what they wish for an agenda item.
                        | (Object::Meeting, Detail::PatientWish)
                        // ... and answer, pause and resume their check-ins.
                        | (Object::SelfReport, Detail::CheckIn)
                        // ... and raise a signal of their own.
                        | (Object::Alert, Detail::PatientSignal)
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
            if for_team_professionals(detail) {
                return Decision::Deny(DenyReason::TeamProfessionalsOnly);
            }
            if matches!(detail, Detail::PatientWish | Detail::PatientSignal) {
                return Decision::Deny(DenyReason::NotThePatient);
            }
            // A proxy reads what the patient reads; what they may change is the consent,
            // only when authorised to, and the patient's check-ins (a parent or carer
            // answering for someone who cannot use the form themself).
            let allowed = !op.is_write()
                || (object == Object::Consent && detail == Detail::None && may_consent)
                || (object == Object::SelfReport && detail == Detail::CheckIn);
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
                    if detail == Detail::OthersRequest {
                        return Decision::Deny(DenyReason::NotAddressed);
                    }
                    if matches!(
                        detail,
                        Detail::PatientWish | Detail::CheckIn | Detail::PatientSignal
                    ) {
                        return Decision::Deny(DenyReason::NotThePatient);
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
                    if for_team_professionals(detail) {
                        Decision::Deny(DenyReason::TeamProfessionalsOnly)
                    } else if detail == Detail::CheckIn {
                        Decision::Deny(DenyReason::NotThePatient)
                    } else if op.is_write() {
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

/// Reading the audit trail in bulk (the API's audit export, page by page): for
/// administrators, within the token's read scope. The trail names patients and actors
/// but carries no clinical content, which administrators never see.
pub fn may_export_audit(principal: &Principal) -> bool {
    matches!(principal.subject, Subject::Admin) && principal.scopes.read
}

#[cfg(test)]
mod audit_export_tests {
    use super::*;
    use samband_domain::ids::{AccountId, PatientId, ProfessionalId};
    use samband_domain::principal::Scopes;

    #[test]
    fn only_administrators_with_a_read_scope_export_the_audit_trail() {
        let with = |subject, scopes| Principal {
            account_id: AccountId::new(),
            display_name: "x".into(),
            subject,
            scopes,
            locale: None,
        };
        assert!(may_export_audit(&with(Subject::Admin, Scopes::ALL)));
        assert!(!may_export_audit(&with(
            Subject::Admin,
            Scopes {
                read: false,
                write: true
            }
        )));
        for subject in [
            Subject::Professional(ProfessionalId::new()),
            Subject::Patient(PatientId::new()),
            Subject::Proxy {
                patient: PatientId::new(),
                may_consent: true,
            },
        ] {
            assert!(!may_export_audit(&with(subject, Scopes::ALL)));
        }
    }
}

/// Acts that come before any access to a record: registering a patient and asking for
/// emergency access (`Create`), listing one's caseload (`List`) — for professionals,
/// within the token's scopes.
pub fn decide_unbound(principal: &Principal, op: Operation) -> Decision {
    let scope_ok = if op.is_write() {
        principal.scopes.write
    } else {
        principal.scopes.read
    };
    if !scope_ok {
        return Decision::Deny(DenyReason::ReadOnlyToken);
    }
    match principal.subject {
        Subject::Professional(_) if matches!(op, Operation::Create | Operation::List) => {
            Decision::Permit(Purpose::Care)
        }
        Subject::Admin => Decision::Deny(DenyReason::AdministratorsSeeNoClinicalContent),
        _ => Decision::Deny(DenyReason::TeamProfessionalsOnly),
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
        cat: Category,
        d: Detail,
    ) -> bool {
        let write = matches!(op, Operation::Create | Operation::Update);
        let team_only = matches!(
            d,
            Detail::Planning | Detail::Request | Detail::OthersRequest | Detail::Follow
        );
        // What only the patient themself says or does.
        let patient_only = matches!(d, Detail::PatientWish | Detail::PatientSignal);
        if (write && !scopes.write) || (!write && !scopes.read) {
            return false;
        }
        let health_sector = matches!(
            sector,
            Sector::Specialist | Sector::Primary | Sector::Municipal
        );
        let by_default = health_sector || cat == Category::PlanAndActions;
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
                own && !team_only
                    && (!write
                        || (obj == Object::Goal && d == Detail::PatientOwnGoal)
                        || (obj == Object::CrisisPlan && d == Detail::CrisisWhatHelps)
                        || (obj == Object::RelapsePlan && d == Detail::RelapsePatientWords)
                        || (obj == Object::Consent && d == Detail::None)
                        || (obj == Object::Message && d == Detail::None)
                        || (obj == Object::Meeting && d == Detail::None)
                        || (obj == Object::Meeting && d == Detail::PatientWish)
                        || (obj == Object::SelfReport && d == Detail::CheckIn)
                        || (obj == Object::Alert && d == Detail::PatientSignal))
            }
            "proxy" => {
                own && !team_only
                    && !patient_only
                    && (!write || (obj == Object::SelfReport && d == Detail::CheckIn))
            }
            "proxy_authorised" => {
                own && !team_only
                    && !patient_only
                    && (!write
                        || (obj == Object::Consent && d == Detail::None)
                        || (obj == Object::SelfReport && d == Detail::CheckIn))
            }
            "professional" if obj == Object::AccessLog => false,
            "professional" if member && obj == Object::Patient && !write => true,
            "professional" if member => {
                let consent_write_ok =
                    !(obj == Object::Consent && write) || d == Detail::PaperConsent;
                let addressed = !(obj == Object::Message && d == Detail::ThreadOutsider)
                    && d != Detail::OthersRequest;
                consent_write_ok && consented && addressed && !patient_only && d != Detail::CheckIn
            }
            "professional" => emergency && !write && !team_only && d != Detail::CheckIn,
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
        let mut seen = std::collections::HashSet::new();
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
                                    for (obj, cat) in Object::ALL
                                        .iter()
                                        .flat_map(|o| o.categories().iter().map(move |c| (*o, *c)))
                                    {
                                        let consent = consent_for(state, patient, org, sector, cat);
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
                                        for &op in Operation::ALL {
                                            for &d in Detail::ALL {
                                                cases += 1;
                                                seen.insert((obj, cat));
                                                let got = matches!(
                                                    decide_in(&facts, op, obj, cat, d),
                                                    Decision::Permit(_)
                                                );
                                                let want = expected(
                                                    kind, member, own, sector, state, emergency,
                                                    sc, op, obj, cat, d,
                                                );
                                                if got != want {
                                                    mismatches.push(format!(
                                                        "{kind} member={member} own={own} {sector} {state:?} emergency={emergency} {sc:?} {op:?} {obj:?} {cat:?} {d:?}: got {got}"
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
        // Every category a thread, a pre-read or an item's minutes can carry was put
        // to the policy, for both objects that carry their own.
        for obj in [Object::Message, Object::Meeting, Object::Handover] {
            for &cat in Category::ALL {
                assert!(
                    seen.contains(&(obj, cat)),
                    "{obj:?} in {cat:?} never decided"
                );
            }
        }
        assert!(
            mismatches.is_empty(),
            "{} mismatches, first: {:#?}",
            mismatches.len(),
            &mismatches[..mismatches.len().min(10)]
        );
    }

    /// Registering a patient and listing a caseload: every subject, scope and
    /// operation against the rule stated here.
    #[test]
    fn acts_on_no_record_are_for_professionals_within_their_scopes() {
        let patient = PatientId::new();
        let subjects = [
            ("admin", Subject::Admin),
            ("professional", Subject::Professional(ProfessionalId::new())),
            ("patient", Subject::Patient(patient)),
            (
                "proxy",
                Subject::Proxy {
                    patient,
                    may_consent: true,
                },
            ),
        ];
        for (kind, subject) in subjects {
            for (read, write) in [(true, true), (true, false), (false, true), (false, false)] {
                let p = principal(subject, Scopes { read, write });
                for &op in Operation::ALL {
                    let scope = if op.is_write() { write } else { read };
                    let want = kind == "professional"
                        && scope
                        && matches!(op, Operation::Create | Operation::List);
                    assert_eq!(
                        decide_unbound(&p, op).is_permit(),
                        want,
                        "{kind} read={read} write={write} {op:?}"
                    );
                }
            }
        }
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
