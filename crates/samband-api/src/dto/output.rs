//! What the API answers: its own response types, documented from their definitions.
//! Each is built from the use case's value by naming every field (no `..`), so a field
//! added to a domain or view type must be decided on here — shown or not — before
//! the build passes, and a FHIR facade can map the same values its own way. Closed
//! value sets keep the domain's spelling (the `choices` schemas); ids are UUIDs.

use super::choices::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

fn ids<T: Copy>(v: &[T], f: impl Fn(T) -> Uuid) -> Vec<Uuid> {
    v.iter().copied().map(f).collect()
}

// ---- pages ------------------------------------------------------------------------------

/// One page of a list: the rows, the cursor of the next page (null on the last), how
/// many rows the whole list holds and the page size used.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// The cursor of the next page; null on the last page.
    pub next: Option<String>,
    /// How many rows the whole list holds.
    #[schema(minimum = 0)]
    pub total: i64,
    #[schema(minimum = 1)]
    pub limit: i64,
}

impl<T: ToSchema> Page<T> {
    pub fn from<U>(p: samband_app::paging::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let samband_app::paging::Page {
            items,
            next,
            total,
            limit,
        } = p;
        Self {
            items: items.into_iter().map(f).collect(),
            next,
            total,
            limit,
        }
    }
}

// ---- auth --------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// The token's id, to find it in `GET /me/tokens` and revoke it.
    pub id: Uuid,
    /// The secret: shown only in this response.
    pub token: String,
    #[schema(value_type = String, example = "Bearer")]
    pub token_type: &'static str,
    #[schema(value_type = Scopes)]
    pub scopes: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// One of my API tokens as listed: never its secret.
#[derive(Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = Scopes)]
    pub scopes: String,
    pub created_at: DateTime<Utc>,
    /// Null if never used; to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Who the caller is.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub account_id: Uuid,
    pub display_name: String,
    pub subject: Subject,
    pub scopes: ScopeFlags,
    pub locale: Option<String>,
}

/// Whose account this is: `{"Professional": id}`, `{"Patient": id}`,
/// `{"Proxy": {"patient": id, "may_consent": bool}}` or `"Admin"`.
#[derive(Serialize, ToSchema)]
pub enum Subject {
    Professional(Uuid),
    Patient(Uuid),
    Proxy { patient: Uuid, may_consent: bool },
    Admin,
}

#[derive(Serialize, ToSchema)]
pub struct ScopeFlags {
    pub read: bool,
    pub write: bool,
}

impl From<samband_domain::principal::Principal> for Me {
    fn from(p: samband_domain::principal::Principal) -> Self {
        use samband_domain::principal::Subject as S;
        let samband_domain::principal::Principal {
            account_id,
            display_name,
            subject,
            scopes,
            locale,
        } = p;
        Self {
            account_id: account_id.0,
            display_name,
            subject: match subject {
                S::Professional(id) => Subject::Professional(id.0),
                S::Patient(id) => Subject::Patient(id.0),
                S::Proxy {
                    patient,
                    may_consent,
                } => Subject::Proxy {
                    patient: patient.0,
                    may_consent,
                },
                S::Admin => Subject::Admin,
            },
            scopes: ScopeFlags {
                read: scopes.read,
                write: scopes.write,
            },
            locale,
        }
    }
}

// ---- directory ---------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = Sector)]
    pub sector: samband_domain::organisation::Sector,
    /// Null: not stated.
    #[schema(value_type = Option<Country>)]
    pub country: Option<samband_domain::country::Country>,
    pub version: i64,
}

impl From<samband_domain::organisation::Organisation> for Organisation {
    fn from(o: samband_domain::organisation::Organisation) -> Self {
        let samband_domain::organisation::Organisation {
            id,
            name,
            sector,
            country,
            version,
        } = o;
        Self {
            id: id.0,
            name,
            sector,
            country,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Professional {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub organisation_ids: Vec<Uuid>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub availability: Option<String>,
    pub version: i64,
}

impl From<samband_domain::professional::Professional> for Professional {
    fn from(p: samband_domain::professional::Professional) -> Self {
        let samband_domain::professional::Professional {
            id,
            name,
            title,
            organisation_ids,
            phone,
            email,
            availability,
            version,
        } = p;
        Self {
            id: id.0,
            name,
            title,
            organisation_ids: ids(&organisation_ids, |i| i.0),
            phone,
            email,
            availability,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountCreated {
    pub id: Uuid,
    pub username: String,
    #[schema(value_type = Role)]
    pub role: String,
    pub display_name: String,
}

// ---- patients ------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct CaseloadItem {
    pub id: Uuid,
    pub name: String,
    pub birth_date: NaiveDate,
    pub my_role: String,
    pub is_coordinator: bool,
    #[schema(minimum = 0)]
    pub open_actions: i64,
    #[schema(minimum = 0)]
    pub overdue_actions: i64,
    /// Items handed to the coordinator when someone left without a successor, still
    /// waiting for a new owner.
    #[schema(minimum = 0)]
    pub needs_new_owner: i64,
}

impl From<samband_app::views::CaseloadItem> for CaseloadItem {
    fn from(r: samband_app::views::CaseloadItem) -> Self {
        let samband_app::views::CaseloadItem {
            patient,
            my_role,
            is_coordinator,
            open_actions,
            overdue_actions,
            needs_new_owner,
        } = r;
        Self {
            id: patient.id.0,
            name: patient.name,
            birth_date: patient.birth_date,
            my_role,
            is_coordinator,
            open_actions,
            overdue_actions,
            needs_new_owner,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NationalId {
    #[schema(value_type = NationalIdKind)]
    pub kind: &'static str,
    pub value: String,
    pub birth_date: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct Patient {
    pub id: Uuid,
    pub name: String,
    pub birth_date: NaiveDate,
    pub national_id: Option<NationalId>,
    #[schema(value_type = Contact)]
    pub preferred_contact: samband_domain::patient::ContactChannel,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub version: i64,
}

impl From<samband_domain::patient::Patient> for Patient {
    fn from(p: samband_domain::patient::Patient) -> Self {
        let samband_domain::patient::Patient {
            id,
            name,
            birth_date,
            national_id,
            preferred_contact,
            phone,
            email,
            version,
        } = p;
        Self {
            id: id.0,
            name,
            birth_date,
            national_id: national_id.map(|n| NationalId {
                kind: national_id_kind(n.kind),
                value: n.value,
                birth_date: n.birth_date,
            }),
            preferred_contact,
            phone,
            email,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TeamMember {
    pub id: Uuid,
    #[schema(value_type = MemberKind)]
    pub kind: samband_domain::team::MemberKind,
    pub professional_id: Option<Uuid>,
    /// Name of a proxy (professionals and the patient are named by their own records).
    pub name: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub role: String,
    pub responsibility: String,
    pub phone: Option<String>,
    pub is_coordinator: bool,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
}

impl From<samband_domain::team::TeamMember> for TeamMember {
    fn from(m: samband_domain::team::TeamMember) -> Self {
        let samband_domain::team::TeamMember {
            id,
            kind,
            professional_id,
            name,
            organisation_id,
            role,
            responsibility,
            phone,
            is_coordinator,
            active_from,
            active_to,
        } = m;
        Self {
            id: id.0,
            kind,
            professional_id: professional_id.map(|i| i.0),
            name,
            organisation_id: organisation_id.map(|i| i.0),
            role,
            responsibility,
            phone,
            is_coordinator,
            active_from,
            active_to,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CareTeam {
    pub patient_id: Uuid,
    pub members: Vec<TeamMember>,
    pub version: i64,
}

impl From<samband_domain::team::CareTeam> for CareTeam {
    fn from(t: samband_domain::team::CareTeam) -> Self {
        let samband_domain::team::CareTeam {
            patient_id,
            members,
            version,
        } = t;
        Self {
            patient_id: patient_id.0,
            members: members.into_iter().map(Into::into).collect(),
            version,
        }
    }
}

/// A team member with the names and contact details the team and the patient need.
#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub member: TeamMember,
    pub display_name: String,
    pub title: Option<String>,
    pub organisation: Option<Organisation>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub availability: Option<String>,
    pub active: bool,
}

impl From<samband_app::views::MemberView> for MemberView {
    fn from(m: samband_app::views::MemberView) -> Self {
        let samband_app::views::MemberView {
            member,
            display_name,
            title,
            organisation,
            phone,
            email,
            availability,
            active,
        } = m;
        Self {
            member: member.into(),
            display_name,
            title,
            organisation: organisation.map(Into::into),
            phone,
            email,
            availability,
            active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlanHeader {
    pub patient_id: Uuid,
    pub revision_date: Option<NaiveDate>,
    pub version: i64,
}

impl From<samband_domain::plan::PlanHeader> for PlanHeader {
    fn from(h: samband_domain::plan::PlanHeader) -> Self {
        let samband_domain::plan::PlanHeader {
            patient_id,
            revision_date,
            version,
        } = h;
        Self {
            patient_id: patient_id.0,
            revision_date,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Goal {
    pub id: Uuid,
    pub patient_id: Uuid,
    #[schema(value_type = GoalAuthor)]
    pub author: samband_domain::plan::GoalAuthor,
    /// For a professional goal: the team member who owns it.
    pub owner_member_id: Option<Uuid>,
    pub text: String,
    pub achieved: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<samband_domain::plan::Goal> for Goal {
    fn from(g: samband_domain::plan::Goal) -> Self {
        let samband_domain::plan::Goal {
            id,
            patient_id,
            author,
            owner_member_id,
            text,
            achieved,
            created_at,
            version,
        } = g;
        Self {
            id: id.0,
            patient_id: patient_id.0,
            author,
            owner_member_id: owner_member_id.map(|i| i.0),
            text,
            achieved,
            created_at,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Action {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub title: String,
    pub owner_member_id: Uuid,
    #[schema(value_type = Sector)]
    pub sector: samband_domain::organisation::Sector,
    pub due_date: NaiveDate,
    #[schema(value_type = ActionStatus)]
    pub status: samband_domain::plan::ActionStatus,
    pub goal_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<samband_domain::plan::Action> for Action {
    fn from(a: samband_domain::plan::Action) -> Self {
        let samband_domain::plan::Action {
            id,
            patient_id,
            title,
            owner_member_id,
            sector,
            due_date,
            status,
            goal_id,
            created_at,
            version,
        } = a;
        Self {
            id: id.0,
            patient_id: patient_id.0,
            title,
            owner_member_id: owner_member_id.0,
            sector,
            due_date,
            status,
            goal_id: goal_id.map(|i| i.0),
            created_at,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Service {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub what: String,
    pub provider: String,
    pub frequency: String,
    pub version: i64,
}

impl From<samband_domain::plan::Service> for Service {
    fn from(s: samband_domain::plan::Service) -> Self {
        let samband_domain::plan::Service {
            id,
            patient_id,
            what,
            provider,
            frequency,
            version,
        } = s;
        Self {
            id: id.0,
            patient_id: patient_id.0,
            what,
            provider,
            frequency,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CrisisPlan {
    pub patient_id: Uuid,
    pub warning_signs: String,
    pub what_helps: String,
    pub contacts: String,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<samband_domain::plan::CrisisPlan> for CrisisPlan {
    fn from(c: samband_domain::plan::CrisisPlan) -> Self {
        let samband_domain::plan::CrisisPlan {
            patient_id,
            warning_signs,
            what_helps,
            contacts,
            updated_at,
            version,
        } = c;
        Self {
            patient_id: patient_id.0,
            warning_signs,
            what_helps,
            contacts,
            updated_at,
            version,
        }
    }
}

/// What to call in an emergency where the patient lives.
#[derive(Serialize, ToSchema)]
pub struct EmergencyNumber {
    #[schema(value_type = EmergencyService)]
    pub service: &'static str,
    /// As it is dialled.
    pub number: String,
    /// As it is written ("116 117").
    pub display: String,
}

/// Everything about one patient the reader may see.
#[derive(Serialize, ToSchema)]
pub struct PatientOverview {
    pub patient: Patient,
    pub team: CareTeam,
    pub members: Vec<MemberView>,
    pub plan: PlanHeader,
    pub goals: Vec<Goal>,
    pub actions: Vec<Action>,
    pub services: Vec<Service>,
    /// Null when the policy withholds the crisis plan from this reader.
    pub crisis_plan: Option<CrisisPlan>,
    /// Null when withheld (with the crisis plan: the same category).
    pub relapse_plan: Option<crate::dto::relapse::RelapsePlan>,
    pub today: NaiveDate,
    /// May this reader change the plan?
    pub can_edit_plan: bool,
    /// False when consent withholds the plan and team from this reader: the lists
    /// are then empty.
    pub plan_visible: bool,
    /// Why this reader has access.
    #[schema(value_type = AccessPurpose)]
    pub purpose: &'static str,
    #[schema(value_type = Country)]
    pub country: samband_domain::country::Country,
    /// The medical emergency first.
    pub emergency_numbers: Vec<EmergencyNumber>,
}

impl From<samband_app::views::PatientOverview> for PatientOverview {
    fn from(o: samband_app::views::PatientOverview) -> Self {
        let samband_app::views::PatientOverview {
            patient,
            team,
            members,
            plan,
            goals,
            actions,
            services,
            crisis_plan,
            relapse_plan,
            today,
            can_edit_plan,
            plan_visible,
            purpose,
            country,
            emergency_numbers,
        } = o;
        Self {
            patient: patient.into(),
            team: team.into(),
            members: members.into_iter().map(Into::into).collect(),
            plan: plan.into(),
            goals: goals.into_iter().map(Into::into).collect(),
            actions: actions.into_iter().map(Into::into).collect(),
            services: services.into_iter().map(Into::into).collect(),
            crisis_plan: crisis_plan.map(Into::into),
            relapse_plan: relapse_plan.map(Into::into),
            today,
            can_edit_plan,
            plan_visible,
            purpose: access_purpose(purpose),
            country,
            emergency_numbers: emergency_numbers
                .into_iter()
                .map(|n| EmergencyNumber {
                    service: emergency_service(n.service),
                    number: n.number.into(),
                    display: n.display.into(),
                })
                .collect(),
        }
    }
}

/// One change in the patient's history.
#[derive(Serialize, ToSchema)]
pub struct HistoryItem {
    /// `action`, `goal`, `service`, `crisis_plan`, `team`, `plan`, …
    pub object_type: String,
    pub object_id: String,
    pub version: i64,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The object before the change (null for its first version).
    pub old: Option<Value>,
    /// The object after the change.
    pub new: Value,
}

impl From<samband_app::views::HistoryItem> for HistoryItem {
    fn from(h: samband_app::views::HistoryItem) -> Self {
        let samband_app::views::HistoryItem {
            object_type,
            object_id,
            version,
            actor_name,
            at,
            reason,
            old_value,
            new_value,
        } = h;
        Self {
            object_type,
            object_id,
            version,
            changed_by: actor_name,
            changed_at: at,
            reason,
            old: old_value,
            new: new_value,
        }
    }
}

// ---- consent, emergency access, access log, audit -----------------------------------------

/// Whom a consent rule is about: `{"kind": "organisation", "id": uuid}` or
/// `{"kind": "sector", "id": sector}`.
#[derive(Serialize, ToSchema)]
pub struct ConsentRecipient {
    #[schema(value_type = RecipientKind)]
    pub kind: &'static str,
    /// An organisation's id, or a sector.
    pub id: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsentRule {
    pub recipient: ConsentRecipient,
    #[schema(value_type = Category)]
    pub category: samband_domain::consent::Category,
    pub permit: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    #[schema(value_type = Option<Purpose>)]
    pub purpose: Option<samband_domain::consent::ConsentPurpose>,
    #[schema(value_type = ConsentSource)]
    pub source: samband_domain::consent::ConsentSource,
}

#[derive(Serialize, ToSchema)]
pub struct Consent {
    pub patient_id: Uuid,
    pub rules: Vec<ConsentRule>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<samband_domain::consent::Consent> for Consent {
    fn from(c: samband_domain::consent::Consent) -> Self {
        use samband_domain::consent::Recipient;
        let samband_domain::consent::Consent {
            patient_id,
            rules,
            updated_at,
            version,
        } = c;
        let rules = rules
            .into_iter()
            .map(|r| {
                let samband_domain::consent::ConsentRule {
                    recipient,
                    category,
                    permit,
                    valid_from,
                    valid_to,
                    purpose,
                    source,
                } = r;
                ConsentRule {
                    recipient: match recipient {
                        Recipient::Organisation(o) => ConsentRecipient {
                            kind: "organisation",
                            id: o.0.to_string(),
                        },
                        Recipient::Sector(s) => ConsentRecipient {
                            kind: "sector",
                            id: s.as_str().into(),
                        },
                    },
                    category,
                    permit,
                    valid_from,
                    valid_to,
                    purpose,
                    source,
                }
            })
            .collect();
        Self {
            patient_id: patient_id.0,
            rules,
            updated_at,
            version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EmergencyStarted {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An emergency access awaiting review: who, why and when (never what they read).
#[derive(Serialize, ToSchema)]
pub struct EmergencyToReview {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub account_id: Uuid,
    /// The name of the one who used it.
    pub used_by: String,
    /// Their title.
    pub used_by_title: String,
    /// Their organisation, when they have one.
    pub used_by_organisation: Option<String>,
    #[schema(value_type = EmergencyReason)]
    pub reason_code: String,
    pub reason_text: String,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One line of the patient's access log.
#[derive(Serialize, ToSchema)]
pub struct AccessLogRow {
    pub at: DateTime<Utc>,
    pub who: String,
    pub role: String,
    pub organisation: Option<String>,
    pub action: String,
    pub object: String,
    pub purpose: String,
    pub emergency: bool,
}

impl From<samband_app::consent::AccessLogRow> for AccessLogRow {
    fn from(r: samband_app::consent::AccessLogRow) -> Self {
        let samband_app::consent::AccessLogRow {
            at,
            who,
            role,
            organisation,
            action,
            object,
            purpose,
            emergency,
        } = r;
        Self {
            at,
            who,
            role,
            organisation,
            action,
            object,
            purpose,
            emergency,
        }
    }
}

/// One audit record: with `format=jsonl` Samband's own record with its chain fields,
/// with `format=fhir` a FHIR R4 `AuditEvent` resource.
#[derive(Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AuditRecord(pub Value);

// ---- jobs ---------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct JobItem {
    pub id: Uuid,
    pub kind: String,
    #[schema(value_type = JobStatus)]
    pub status: String,
    #[schema(minimum = 0)]
    pub attempts: i64,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

impl From<samband_app::views::JobItem> for JobItem {
    fn from(j: samband_app::views::JobItem) -> Self {
        let samband_app::views::JobItem {
            id,
            kind,
            status,
            attempts,
            run_at,
            last_error,
        } = j;
        Self {
            id: id.0,
            kind,
            status,
            attempts,
            run_at,
            last_error,
        }
    }
}
