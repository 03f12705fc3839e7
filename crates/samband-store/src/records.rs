//! Records the store keeps that are not domain aggregates: accounts, sessions, tokens,
//! history and audit entries, and the caseload row. Secret-bearing fields are
//! [`Secret`]s, which debug-print as `[redacted]`.

use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::patient::Patient;
use samband_domain::principal::AccountRole;
pub use samband_domain::secret::Secret;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadRow {
    pub patient: Patient,
    /// The professional's own membership on this patient's team.
    pub member_id: MemberId,
    pub my_organisation: Option<OrganisationId>,
    pub my_sector: Option<samband_domain::organisation::Sector>,
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
    /// The argon2id hash (PHC string); never printed.
    pub password_hash: Secret,
    pub role: AccountRole,
    pub professional_id: Option<ProfessionalId>,
    pub patient_id: Option<PatientId>,
    pub display_name: String,
    pub locale: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// Base32 TOTP secret once two-step verification is set up; never printed.
    pub totp_secret: Option<Secret>,
    /// The last TOTP time step accepted (a code is never accepted twice).
    pub totp_last_step: Option<i64>,
    /// Reviews emergency access by people in the same organisation.
    pub privacy_officer: bool,
    /// A proxy account authorised to change the patient's consent.
    pub proxy_may_consent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie value: a database leak yields no usable session. Never
    /// printed.
    pub id_hash: Secret,
    pub account_id: AccountId,
    /// The session's CSRF token; never printed.
    pub csrf_token: Secret,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    pub id: TokenId,
    pub account_id: AccountId,
    /// SHA-256 of the token; the token itself is shown once and never stored. Never
    /// printed.
    pub token_hash: Secret,
    pub name: String,
    pub scopes: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    /// When the token last authenticated a request, to the minute (see
    /// `AccountRepo::mark_token_used`); `None` if never.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The first link of the audit chain points at this.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry as stored, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    pub entry: AuditEntry,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// The chain hash of an entry: SHA-256 over the previous hash and every field, in a
/// fixed order with unit separators, times in UTC to the microsecond (what both
/// backends store). Both backends and the verifier call this one function.
pub fn audit_hash(prev_hash: &str, e: &AuditEntry) -> String {
    use sha2::{Digest, Sha256};
    let at = e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let opt = |v: Option<String>| v.unwrap_or_default();
    let fields = [
        prev_hash.to_owned(),
        e.id.to_string(),
        at,
        opt(e.actor_account_id.map(|a| a.to_string())),
        opt(e.patient_id.map(|p| p.to_string())),
        e.object_type.clone(),
        opt(e.object_id.clone()),
        e.action.clone(),
        e.purpose.clone(),
        opt(e.request_id.clone()),
    ];
    let mut h = Sha256::new();
    for f in &fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An emergency-access ("break the glass") grant: one professional, one patient, a
/// stated reason, a hard expiry; flagged for review by the privacy officer.
#[derive(Debug, Clone, PartialEq)]
pub struct EmergencyGrant {
    pub id: Uuid,
    pub patient_id: PatientId,
    pub account_id: AccountId,
    pub reason_code: String,
    pub reason_text: String,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<AccountId>,
}

/// A professional's active membership with the organisation and sector it is held for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipRow {
    pub member_id: MemberId,
    pub organisation_id: Option<OrganisationId>,
    pub sector: Option<samband_domain::organisation::Sector>,
}

/// A thread in someone's inbox: the thread and what is new in it for them.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxThread {
    pub thread: samband_domain::message::Thread,
    /// Messages in the thread addressed to the reader and not yet opened.
    pub unread: i64,
    /// Messages addressed to the reader that ask for a receipt not yet given.
    pub awaiting_ack: i64,
}

/// A unit of background work, persisted so it survives restarts. Jobs are claimed with
/// a lease: a runner that dies mid-job loses the lease and another takes the job again.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: Value,
    pub run_at: DateTime<Utc>,
    /// `pending`, `running`, `done` or `dead`.
    pub status: String,
    /// Attempts started so far (a claim counts as an attempt).
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// At most one job per key ever exists (scheduled work, idempotent enqueues).
    pub dedupe_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Job {
    pub fn new(kind: &str, payload: Value, run_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        Self {
            id: JobId::new(),
            kind: kind.into(),
            payload,
            run_at,
            status: "pending".into(),
            attempts: 0,
            max_attempts: 10,
            lease_until: None,
            last_error: None,
            dedupe_key: None,
            created_at: now,
            finished_at: None,
        }
    }

    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
}

/// Something in a person's in-app inbox besides messages: a request's reminder, a
/// missing receipt, an ongoing-information digest, an alert. It stores references
/// only; the text is composed when shown, through the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: NotificationId,
    pub account_id: AccountId,
    pub patient_id: Option<PatientId>,
    /// `message`, `request`, `request_reminder`, `request_overdue`, `ack_overdue`,
    /// `ongoing`, `job_dead`.
    pub kind: String,
    pub thread_id: Option<ThreadId>,
    pub actor_name: Option<String>,
    /// A count or short non-clinical detail (e.g. the number of changes in a digest).
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// `none` (no e-mail), `queued` (an e-mail job exists), `digest` (waits for the
    /// daily digest), `digested` (went out in one).
    pub email_status: String,
}

/// How a person wants to hear about new things by e-mail.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationPrefs {
    pub account_id: AccountId,
    /// Where e-mail goes; a professional's directory address when not set here.
    pub email: Option<String>,
    /// `immediate`, `digest` or `off`.
    pub mode: String,
}

/// A GP or caseworker following a patient's record while the patient is in
/// specialist care ("ongoing information").
#[derive(Debug, Clone, PartialEq)]
pub struct Follow {
    pub account_id: AccountId,
    pub patient_id: PatientId,
    pub since: DateTime<Utc>,
    /// Changes up to this time have been sent in a digest.
    pub digested_until: DateTime<Utc>,
}
