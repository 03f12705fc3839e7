//! Records the store keeps that are not domain aggregates: accounts, sessions, tokens,
//! history and audit entries, and the caseload row.

use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::patient::Patient;
use samband_domain::principal::AccountRole;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadRow {
    pub patient: Patient,
    /// The professional's own membership on this patient's team.
    pub member_id: MemberId,
    pub my_role: String,
    pub is_coordinator: bool,
    pub open_actions: i64,
    pub overdue_actions: i64,
}

/// A team member's directory details (name, contact, organisation), read in one query
/// for the team views.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberContact {
    pub member_id: MemberId,
    pub professional_name: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub availability: Option<String>,
    pub organisation: Option<samband_domain::organisation::Organisation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: Uuid,
    pub patient_id: PatientId,
    /// `action`, `goal`, `service`, `crisis_plan`, `team`, `plan`.
    pub object_type: String,
    pub object_id: String,
    pub version: i64,
    pub actor_account_id: AccountId,
    pub actor_name: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    pub old_value: Option<Value>,
    pub new_value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_account_id: Option<AccountId>,
    pub patient_id: Option<PatientId>,
    pub object_type: String,
    pub object_id: Option<String>,
    /// `read`, `create`, `update`, `deny`, `login`, `login_failed`, `logout`.
    pub action: String,
    /// Why the access happened (`treatment`, `coordination`, `own_record`, `administration`).
    pub purpose: String,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: AccountId,
    pub username: String,
    pub password_hash: String,
    pub role: AccountRole,
    pub professional_id: Option<ProfessionalId>,
    pub patient_id: Option<PatientId>,
    pub display_name: String,
    pub locale: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie value: a database leak yields no usable session.
    pub id_hash: String,
    pub account_id: AccountId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    pub id: TokenId,
    pub account_id: AccountId,
    /// SHA-256 of the token; the token itself is shown once and never stored.
    pub token_hash: String,
    pub name: String,
    pub scopes: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}
