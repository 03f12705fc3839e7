//! Schemas for the closed sets of values the API takes and answers (sectors,
//! categories, statuses…), read from the domain's own lists (`ALL` of each
//! `string_enum!`), so the document cannot disagree with what the parsers accept.
//! These are schema-only types: fields hold the domain value or its string, and name
//! one of these with `#[schema(value_type = …)]`.

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

fn strings<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(values.into_iter().map(str::to_owned)))
        .description(Some(description))
        .into()
}

macro_rules! choice {
    ($(#[$m:meta])* $name:ident = $values:expr, $description:literal) => {
        $(#[$m])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                strings($values, $description)
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

macro_rules! domain_choice {
    ($name:ident = $domain:ty, $description:literal) => {
        choice!(
            $name = <$domain>::ALL.iter().map(|v| v.as_str()),
            $description
        );
    };
}

domain_choice!(
    Sector = samband_domain::organisation::Sector,
    "The sector an organisation belongs to"
);
domain_choice!(
    Country = samband_domain::country::Country,
    "Where an organisation works, or where a patient lives (emergency numbers follow it)"
);
domain_choice!(
    Category = samband_domain::consent::Category,
    "An information category: the patient's consent decides who may read each"
);
domain_choice!(
    Purpose = samband_domain::consent::ConsentPurpose,
    "What a consent rule is for"
);
domain_choice!(
    ConsentSource = samband_domain::consent::ConsentSource,
    "Who recorded a consent rule"
);
domain_choice!(
    MeetingKind = samband_domain::meeting::MeetingKind,
    "The kind of meeting"
);
domain_choice!(
    MeetingMode = samband_domain::meeting::MeetingMode,
    "How people meet"
);
domain_choice!(
    PreReadPolicy = samband_domain::meeting::PreReadPolicy,
    "When pre-reads are released to the participants"
);
domain_choice!(
    MeetingStatus = samband_domain::meeting::MeetingStatus,
    "A meeting's status"
);
domain_choice!(
    ParticipantKind = samband_domain::meeting::ParticipantKind,
    "Who a participant is"
);
domain_choice!(
    Reply = samband_domain::meeting::Reply,
    "A participant's answer to the invitation"
);
domain_choice!(
    PreReadKind = samband_domain::meeting::PreReadKind,
    "The kind of pre-read"
);
domain_choice!(
    MessageKind = samband_domain::message::MessageKind,
    "What a message in a thread is"
);
domain_choice!(
    DeliveryState = samband_domain::message::DeliveryState,
    "How far a message got"
);
domain_choice!(
    RequestKind = samband_domain::message::RequestKind,
    "The kind of request"
);
domain_choice!(
    RequestStatus = samband_domain::message::RequestStatus,
    "A request's stored status"
);
domain_choice!(
    Contact = samband_domain::patient::ContactChannel,
    "How the patient prefers to be contacted"
);
domain_choice!(
    ActionStatus = samband_domain::plan::ActionStatus,
    "An action's status"
);
domain_choice!(
    GoalAuthor = samband_domain::plan::GoalAuthor,
    "Whose words a goal is in"
);
domain_choice!(
    Role = samband_domain::principal::AccountRole,
    "An account's role"
);
domain_choice!(
    MemberKind = samband_domain::team::MemberKind,
    "Who a team member is"
);

choice!(
    InvitationAnswer = samband_domain::meeting::Reply::ALL
        .iter()
        .filter(|r| **r != samband_domain::meeting::Reply::Pending)
        .map(|r| r.as_str()),
    "An answer to an invitation (`pending` is where every invitation starts)"
);
choice!(
    EmergencyReason = samband_app::consent::EMERGENCY_REASONS.iter().copied(),
    "Why the glass is broken"
);
choice!(
    Scopes = ["read", "write", "read write"],
    "What a token may do"
);
choice!(
    RecipientKind = ["organisation", "sector"],
    "Whom a consent rule is about"
);
choice!(
    EmailMode = samband_app::notify::EMAIL_MODES.iter().copied(),
    "When notifications are e-mailed"
);
choice!(
    AuditFormat = ["jsonl", "fhir"],
    "Samband's own audit records with their chain fields, or FHIR R4 AuditEvent resources"
);
choice!(
    JobStatus = ["pending", "running", "done", "dead"],
    "A background job's status"
);

// Enums of the domain and the app without an `ALL`: spelled here by an exhaustive
// match (a new variant fails to compile until it is), listed beside it.

pub fn national_id_kind(k: samband_domain::national_id::IdKind) -> &'static str {
    use samband_domain::national_id::IdKind as K;
    match k {
        K::NoFnr => "no_fnr",
        K::NoDNumber => "no_d_number",
        K::NoHNumber => "no_h_number",
        K::DkCpr => "dk_cpr",
    }
}
choice!(
    NationalIdKind = ["no_fnr", "no_d_number", "no_h_number", "dk_cpr"],
    "Which kind of national identifier"
);

pub fn access_purpose(p: samband_app::policy::Purpose) -> &'static str {
    use samband_app::policy::Purpose as P;
    match p {
        P::Care => "care",
        P::OwnRecord => "own_record",
        P::Proxy => "proxy",
        P::Emergency => "emergency",
    }
}
choice!(
    AccessPurpose = ["care", "own_record", "proxy", "emergency"],
    "Why the reader has access: care, their own record, as a proxy, or emergency access"
);

pub fn emergency_service(s: samband_domain::country::EmergencyService) -> &'static str {
    use samband_domain::country::EmergencyService as E;
    match s {
        E::Medical => "medical",
        E::Police => "police",
        E::Fire => "fire",
        E::AllEmergencies => "all_emergencies",
        E::OutOfHoursDoctor => "out_of_hours_doctor",
        E::MedicalHelplineCapitalRegion => "medical_helpline_capital_region",
    }
}
choice!(
    EmergencyService = [
        "medical",
        "police",
        "fire",
        "all_emergencies",
        "out_of_hours_doctor",
        "medical_helpline_capital_region"
    ],
    "What an emergency number is for"
);

domain_choice!(
    AnchorKind = samband_domain::pathway::AnchorKind,
    "The date a pathway's milestone windows are counted from"
);
domain_choice!(
    CareRole = samband_domain::pathway::CareRole,
    "The role that answers for a pathway milestone"
);
choice!(
    MilestoneState = ["upcoming", "open", "overdue", "done"],
    "Where a milestone stands today: its window not yet open, open, past due, or done"
);

// ---- hand-overs ----------------------------------------------------------------------
domain_choice!(
    Urgency = samband_domain::handover::Urgency,
    "The Danish follow-up colour of a discharge letter: red within 1–2 working days, yellow the GP reaches out, green the patient contacts the GP, white no follow-up"
);
domain_choice!(
    HandoverStatus = samband_domain::handover::HandoverStatus,
    "Where a hand-over stands: a draft, sent and awaiting acknowledgement, or acknowledged"
);
domain_choice!(
    HandoverSection = samband_domain::handover::Section,
    "A section of a hand-over, each read under its own information category"
);
domain_choice!(
    NeedsTopic = samband_domain::pathway::needs::NeedsTopic,
    "A topic of the needs-mapping conversation (DOMAIN.md §1.3), or other"
);
domain_choice!(
    MappingPoint = samband_domain::pathway::needs::MappingPoint,
    "When the needs mapping takes place: in hospital, 3–4 months or 12–18 months after the diagnosis"
);
domain_choice!(
    RegistryFlag = samband_domain::registry::Flag,
    "A reason a registry row needs attention"
);
domain_choice!(
    RegistrySort = samband_domain::registry::Sort,
    "An order of the registry; each puts first who most needs attention by it"
);
domain_choice!(
    RelapseStatus = samband_domain::relapse::RelapseStatus,
    "A relapse-prevention plan's status"
);
choice!(
    RelapseState = ["none", "draft", "agreed"],
    "A patient's relapse-prevention plan: never written, a draft, or agreed"
);

// ---- self-monitoring ------------------------------------------------------------------
domain_choice!(
    InstrumentKey = samband_domain::instrument::InstrumentKey,
    "A self-monitoring instrument of the catalogue"
);

domain_choice!(
    SignalClass = samband_domain::signal::SignalClass,
    "The class of a signal: safety, deterioration or engagement"
);
domain_choice!(
    SignalSource = samband_domain::signal::SignalSource,
    "Where a signal came from"
);
domain_choice!(
    RouteReason = samband_domain::signal::RouteReason,
    "Why an alert is with its holder"
);
domain_choice!(
    AlertStatus = samband_domain::signal::AlertStatus,
    "Whether an alert is open or acknowledged"
);
domain_choice!(
    Outcome = samband_domain::signal::Outcome,
    "What was done about an alert (no_action needs a reason)"
);
