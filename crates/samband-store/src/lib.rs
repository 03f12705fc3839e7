//! Storage seams. One trait per aggregate, all reachable through a `Tx` that a `Store`
//! opens; the SQLite and PostgreSQL crates implement them and must both pass the
//! `conformance` suite. Nothing here knows a SQL dialect.
//!
//! Every use case runs in exactly one transaction: the data it reads or writes and the
//! audit entry recording that access commit together or not at all.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod chain;
pub mod conformance;
pub mod needs;
pub mod paging;
pub mod pathways;
pub mod records;
pub mod registry;
pub mod relapse;
pub mod self_reports;
pub mod signals;
pub mod succession;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::consent::Consent;
use samband_domain::ids::*;
use samband_domain::meeting::{AgendaItem, Decision, Meeting, Participant, PreRead};
use samband_domain::message::{Attachment, Message, Recipient, Request, Thread};
use samband_domain::organisation::Organisation;
use samband_domain::patient::Patient;
use samband_domain::plan::{Action, CrisisPlan, Goal, PlanHeader, Service};
use samband_domain::professional::Professional;
use samband_domain::team::CareTeam;
use uuid::Uuid;

pub use needs::{NeedsMappingRecord, NeedsMappingRepo};
pub use paging::{After, HistoryFilter, PageAt, ThreadFilter};
pub use pathways::{HandoverRepo, PathwayRepo, StoredTemplate};
pub use records::*;
pub use registry::{RegistryQuery, RegistryRepo, RegistryRow};
pub use relapse::RelapsePlanRepo;
pub use self_reports::{ResponseRecord, SelfReportRepo};
pub use signals::{AlertEvent, AlertFilter, AlertScope, SignalRepo};
pub use succession::{FlaggedItem, HandOverTo, OpenItems, SuccessionRecord, SuccessionRepo};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The row changed since the version the caller started from (or a unique key clashed).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync {
    /// Opens a write transaction: a use case that changes anything. On SQLite it runs on
    /// the single writer, in a savepoint of a batch that commits once for every use case
    /// in it; `commit` returns when the batch is durable.
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;
    /// Opens a read transaction: a consistent snapshot for a use case whose only write
    /// is its audit trail. It never waits for the writer. Its audit entries are written
    /// at `commit`, which returns once they are durable; any other write fails.
    async fn begin_read(&self) -> StoreResult<Box<dyn Tx>> {
        self.begin().await
    }
    /// Links committed audit entries into the hash chain, in sequence order; returns how
    /// many it sealed. Safe to call from several places at once (one seals, the others
    /// find nothing to do).
    async fn seal_audit(&self) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let n = tx.seal_audit(SEAL_BATCH).await?;
        tx.commit().await?;
        Ok(n)
    }
    /// How often a background sealer should run, or `None` if the store seals every
    /// entry before its commit returns (SQLite's writer does).
    fn sealer_interval(&self) -> Option<std::time::Duration> {
        None
    }
    /// Cheap reachability check for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;
    fn backend_name(&self) -> &'static str;

    /// Tells the other Samband instances sharing this database that `payload` (an
    /// opaque live-update signal) happened. A single-instance backend does nothing.
    async fn broadcast(&self, _payload: &str) -> StoreResult<()> {
        Ok(())
    }

    /// Delivers other instances' signals to `sink` until the store closes; returns at
    /// once on a single-instance backend.
    async fn listen(&self, _sink: Box<dyn Fn(String) + Send + Sync>) -> StoreResult<()> {
        Ok(())
    }
}

#[async_trait]
pub trait Tx:
    Send
    + OrganisationRepo
    + ProfessionalRepo
    + PatientRepo
    + TeamRepo
    + PlanRepo
    + HistoryRepo
    + AuditRepo
    + AccessLogRepo
    + AccountRepo
    + ConsentRepo
    + MessageRepo
    + RequestRepo
    + JobRepo
    + NotificationRepo
    + MeetingRepo
    + PathwayRepo
    + HandoverRepo
    + SuccessionRepo
    + NeedsMappingRepo
    + RegistryRepo
    + RelapsePlanRepo
    + SelfReportRepo
    + SignalRepo
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}

#[async_trait]
pub trait OrganisationRepo {
    async fn insert_organisation(&mut self, o: &Organisation) -> StoreResult<()>;
    async fn get_organisation(&mut self, id: OrganisationId) -> StoreResult<Option<Organisation>>;
    async fn list_organisations(&mut self) -> StoreResult<Vec<Organisation>>;
    /// One page of the directory's organisations by name (then id).
    async fn organisations_page(&mut self, page: &PageAt<String>)
        -> StoreResult<Vec<Organisation>>;
    async fn count_organisations(&mut self) -> StoreResult<i64>;
}

#[async_trait]
pub trait ProfessionalRepo {
    async fn insert_professional(&mut self, p: &Professional) -> StoreResult<()>;
    async fn get_professional(&mut self, id: ProfessionalId) -> StoreResult<Option<Professional>>;
    async fn get_professionals(&mut self, ids: &[ProfessionalId])
        -> StoreResult<Vec<Professional>>;
    async fn list_professionals(&mut self) -> StoreResult<Vec<Professional>>;
    /// One page of the directory's professionals by name (then id).
    async fn professionals_page(&mut self, page: &PageAt<String>)
        -> StoreResult<Vec<Professional>>;
    async fn count_professionals(&mut self) -> StoreResult<i64>;
}

#[async_trait]
pub trait PatientRepo {
    async fn insert_patient(&mut self, p: &Patient) -> StoreResult<()>;
    async fn get_patient(&mut self, id: PatientId) -> StoreResult<Option<Patient>>;
    /// The patient holding this national identifier (normalised digits), if any.
    async fn find_patient_by_national_id(&mut self, value: &str) -> StoreResult<Option<PatientId>>;
    /// One page of the patients on whose team the professional is active on `today`,
    /// by name, then patient id (the page's keys are the patient's name and id).
    async fn caseload(
        &mut self,
        professional: ProfessionalId,
        today: NaiveDate,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<CaseloadRow>>;
    /// How many patients the whole caseload holds (one indexed count).
    async fn count_caseload(
        &mut self,
        professional: ProfessionalId,
        today: NaiveDate,
    ) -> StoreResult<i64>;
}

#[async_trait]
pub trait TeamRepo {
    async fn get_team(&mut self, patient: PatientId) -> StoreResult<Option<CareTeam>>;
    /// Writes the whole team if its stored version is still `expected` (0 = create).
    /// Returns the new version; `Conflict` if someone else saved first.
    async fn save_team(&mut self, team: &CareTeam, expected: i64) -> StoreResult<i64>;
    /// Directory details for every member of the patient's team, in team order.
    async fn member_contacts(&mut self, patient: PatientId) -> StoreResult<Vec<MemberContact>>;
    /// A professional's active membership on one patient's team, for the policy.
    async fn active_membership(
        &mut self,
        patient: PatientId,
        professional: ProfessionalId,
        today: NaiveDate,
    ) -> StoreResult<Option<MembershipRow>>;
}

#[async_trait]
pub trait PlanRepo {
    async fn get_plan_header(&mut self, patient: PatientId) -> StoreResult<Option<PlanHeader>>;
    async fn save_plan_header(&mut self, h: &PlanHeader, expected: i64) -> StoreResult<i64>;

    async fn list_goals(&mut self, patient: PatientId) -> StoreResult<Vec<Goal>>;
    /// One of the patient's goals (by its key: the cost does not grow with the plan).
    async fn get_goal(&mut self, patient: PatientId, id: GoalId) -> StoreResult<Option<Goal>>;
    async fn insert_goal(&mut self, g: &Goal) -> StoreResult<()>;
    async fn update_goal(&mut self, g: &Goal, expected: i64) -> StoreResult<i64>;

    async fn list_actions(&mut self, patient: PatientId) -> StoreResult<Vec<Action>>;
    async fn get_action(&mut self, patient: PatientId, id: ActionId)
        -> StoreResult<Option<Action>>;
    async fn insert_action(&mut self, a: &Action) -> StoreResult<()>;
    async fn update_action(&mut self, a: &Action, expected: i64) -> StoreResult<i64>;

    async fn list_services(&mut self, patient: PatientId) -> StoreResult<Vec<Service>>;
    async fn get_service(
        &mut self,
        patient: PatientId,
        id: ServiceId,
    ) -> StoreResult<Option<Service>>;
    async fn insert_service(&mut self, s: &Service) -> StoreResult<()>;
    async fn update_service(&mut self, s: &Service, expected: i64) -> StoreResult<i64>;

    async fn get_crisis_plan(&mut self, patient: PatientId) -> StoreResult<Option<CrisisPlan>>;
    async fn save_crisis_plan(&mut self, c: &CrisisPlan, expected: i64) -> StoreResult<i64>;
}

#[async_trait]
pub trait HistoryRepo {
    async fn append_history(&mut self, h: &HistoryEntry) -> StoreResult<()>;
    /// One page of the patient's history, newest first (then the higher id first; the
    /// page's keys are `at` and the entry's id); `filter` narrows it.
    async fn list_history(
        &mut self,
        patient: PatientId,
        filter: &HistoryFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<HistoryEntry>>;
    /// How many entries the whole filtered history holds.
    async fn count_history(
        &mut self,
        patient: PatientId,
        filter: &HistoryFilter<'_>,
    ) -> StoreResult<i64>;
}

#[async_trait]
pub trait ConsentRepo {
    async fn get_consent(&mut self, patient: PatientId) -> StoreResult<Option<Consent>>;
    /// Saves the consent if it is still at `expected` (0 = create); returns the new version.
    async fn save_consent(&mut self, c: &Consent, expected: i64) -> StoreResult<i64>;
    async fn insert_emergency(&mut self, g: &EmergencyGrant) -> StoreResult<()>;
    /// The principal's grant for this patient that has not expired at `now`, if any.
    async fn active_emergency(
        &mut self,
        account: AccountId,
        patient: PatientId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<EmergencyGrant>>;
    /// Grants, newest first; `patient` narrows to one patient, `unreviewed` to open ones.
    async fn list_emergency(
        &mut self,
        patient: Option<PatientId>,
        unreviewed: bool,
    ) -> StoreResult<Vec<EmergencyGrant>>;
    /// One page of the grants still awaiting review, newest first (`started_at`, then
    /// id, descending). `reviewer` narrows them to grants used by someone who works in
    /// one of that professional's organisations (a privacy officer's share); `None` is
    /// every open grant (an administrator's).
    async fn emergency_review_page(
        &mut self,
        reviewer: Option<ProfessionalId>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<EmergencyGrant>>;
    /// How many grants [`ConsentRepo::emergency_review_page`] holds in all.
    async fn count_emergency_review(
        &mut self,
        reviewer: Option<ProfessionalId>,
    ) -> StoreResult<i64>;
    /// The open grant `id` if it is in `reviewer`'s share (see
    /// [`ConsentRepo::emergency_review_page`]).
    async fn emergency_for_review(
        &mut self,
        id: Uuid,
        reviewer: Option<ProfessionalId>,
    ) -> StoreResult<Option<EmergencyGrant>>;
    /// `NotFound` if there is no such grant or it was reviewed already.
    async fn mark_emergency_reviewed(
        &mut self,
        id: Uuid,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// The most entries one sealing pass links.
pub const SEAL_BATCH: i64 = 5_000;

#[async_trait]
pub trait AuditRepo {
    /// Appends an entry, unsealed: it takes its sequence number and is linked into the
    /// hash chain by the sealer after it commits, so concurrent appends never wait on
    /// each other.
    async fn append_audit(&mut self, e: &AuditEntry) -> StoreResult<()>;
    /// Seals up to `limit` committed entries after the chain's head, in sequence order,
    /// never passing one that may still commit; returns how many it sealed.
    async fn seal_audit(&mut self, limit: i64) -> StoreResult<u64>;
    /// Entries with `seq > after`, in order, with their chain fields (for verify/export).
    async fn audit_records(&mut self, after: i64, limit: i64) -> StoreResult<Vec<AuditRecord>>;
    /// The chain's anchor: the newest entry's sequence number and hash.
    async fn audit_head(&mut self) -> StoreResult<(i64, String)>;
    /// Oldest first.
    async fn list_audit(
        &mut self,
        patient: Option<PatientId>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>>;
    async fn count_audit(&mut self) -> StoreResult<i64>;
}

/// The patient's access log read from the audit trail, a page at a time (reads only:
/// nothing here appends to or links the chain).
#[async_trait]
pub trait AccessLogRepo {
    /// One page of the audit entries about the patient that name who acted, newest
    /// first, each with its sequence number (the page's keys: the sequence number and
    /// the entry's id).
    async fn access_log(
        &mut self,
        patient: PatientId,
        page: &PageAt<i64>,
    ) -> StoreResult<Vec<(i64, AuditEntry)>>;
    /// How many such entries there are.
    async fn count_access_log(&mut self, patient: PatientId) -> StoreResult<i64>;
}

#[async_trait]
pub trait AccountRepo {
    async fn insert_account(&mut self, a: &Account) -> StoreResult<()>;
    async fn get_account(&mut self, id: AccountId) -> StoreResult<Option<Account>>;
    async fn get_account_by_username(&mut self, username: &str) -> StoreResult<Option<Account>>;
    async fn list_accounts(&mut self) -> StoreResult<Vec<Account>>;

    async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()>;
    async fn get_session(&mut self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&mut self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn revoke_session(&mut self, id_hash: &str) -> StoreResult<()>;
    /// The account's sessions that are not revoked, newest first.
    async fn list_sessions(&mut self, account: AccountId) -> StoreResult<Vec<SessionRecord>>;

    async fn insert_token(&mut self, t: &ApiToken) -> StoreResult<()>;
    async fn get_token_by_hash(&mut self, hash: &str) -> StoreResult<Option<ApiToken>>;
    /// The token and its account in one query (every API request asks).
    async fn get_token_and_account(
        &mut self,
        hash: &str,
    ) -> StoreResult<Option<(ApiToken, Account)>>;
    /// The session and its account in one query (every page request asks).
    async fn get_session_and_account(
        &mut self,
        id_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, Account)>>;
    /// The account's tokens that are not revoked (expired ones included), newest first
    /// (ties: the later id first).
    async fn list_tokens(&mut self, account: AccountId) -> StoreResult<Vec<ApiToken>>;
    /// Revokes one of `account`'s own tokens. `NotFound` if there is no such token, it
    /// belongs to another account, or it is revoked already: the account is part of
    /// the match, so no caller can revoke another account's token.
    async fn revoke_token(&mut self, account: AccountId, token: TokenId) -> StoreResult<()>;
    /// Sets `last_used_at = at` if it is unset or older than `stale_before`, in one
    /// conditional update; true if it wrote. Callers pass a `stale_before` a minute
    /// before `at`, so a busy token is written at most once a minute.
    async fn mark_token_used(
        &mut self,
        token: TokenId,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Turns two-step verification on with `secret` and stores the recovery code hashes
    /// (replacing any earlier ones).
    async fn set_totp(
        &mut self,
        account: AccountId,
        secret: &str,
        recovery_hashes: &[String],
    ) -> StoreResult<()>;
    /// Records an accepted time step if it is newer than the last; false if it is not.
    async fn advance_totp_step(&mut self, account: AccountId, step: i64) -> StoreResult<bool>;
    /// Marks an unused recovery code used; false if there is no such unused code.
    async fn use_recovery_code(
        &mut self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    async fn record_login_failure(&mut self, key: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn count_login_failures(&mut self, key: &str, since: DateTime<Utc>) -> StoreResult<i64>;
    async fn clear_login_failures(&mut self, key: &str) -> StoreResult<()>;
}

#[async_trait]
pub trait MessageRepo {
    async fn insert_thread(&mut self, t: &Thread) -> StoreResult<()>;
    async fn get_thread(&mut self, id: ThreadId) -> StoreResult<Option<Thread>>;
    /// One page of the patient's threads that `filter` lets through, newest activity
    /// first (then the higher id first; the page's keys are `last_message_at` and the
    /// thread's id).
    async fn list_threads(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Thread>>;
    /// How many of the patient's threads `filter` lets through.
    async fn count_threads(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
    ) -> StoreResult<i64>;
    /// Adds a participant (who may then see the thread); a repeat is a no-op.
    async fn add_participant(&mut self, thread: ThreadId, account: AccountId) -> StoreResult<()>;
    async fn is_participant(&mut self, thread: ThreadId, account: AccountId) -> StoreResult<bool>;
    /// One page of the threads the account takes part in, newest activity first (then
    /// the higher id first; the page's keys are `last_message_at` and the thread's id),
    /// with what is new.
    async fn inbox_threads(
        &mut self,
        account: AccountId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<InboxThread>>;
    /// How many threads the account takes part in.
    async fn count_inbox(&mut self, account: AccountId) -> StoreResult<i64>;
    /// Stores a message with its recipients and moves the thread's last activity.
    async fn insert_message(&mut self, m: &Message, recipients: &[Recipient]) -> StoreResult<()>;
    async fn get_message(&mut self, id: MessageId) -> StoreResult<Option<Message>>;
    /// Oldest first.
    async fn list_messages(&mut self, thread: ThreadId) -> StoreResult<Vec<Message>>;
    /// Every recipient row of every message in the thread, by message, then recipient
    /// name, then account.
    async fn list_recipients(&mut self, thread: ThreadId) -> StoreResult<Vec<Recipient>>;
    /// Marks every message to the account not yet delivered as delivered (it has been
    /// shown in their inbox); returns how many changed.
    async fn mark_delivered(&mut self, account: AccountId, at: DateTime<Utc>) -> StoreResult<u64>;
    /// Marks the account's messages in the thread read (and delivered).
    async fn mark_thread_read(
        &mut self,
        thread: ThreadId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Records the receipt (and read/delivered if missing); false if the account is not
    /// a recipient of the message or had acknowledged already.
    async fn acknowledge(
        &mut self,
        message: MessageId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Marks the recipients who have not acknowledged as escalated and returns them, by
    /// name then account (empty when everyone acknowledged or it was escalated before).
    async fn escalate_unacknowledged(
        &mut self,
        message: MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Recipient>>;
    /// Unread messages addressed to the account.
    async fn unread_messages(&mut self, account: AccountId) -> StoreResult<i64>;
    /// Stores an attachment in its message's thread; `NotFound` (and nothing written, the
    /// transaction still usable) if there is no such message.
    async fn insert_attachment(&mut self, a: &Attachment, data: &[u8]) -> StoreResult<()>;
    async fn list_attachments(&mut self, thread: ThreadId) -> StoreResult<Vec<Attachment>>;
    async fn get_attachment(
        &mut self,
        id: AttachmentId,
    ) -> StoreResult<Option<(Attachment, ThreadId, Vec<u8>)>>;
    /// The sign-in account of a professional, if they have an enabled one (the oldest,
    /// then the lowest id, if several).
    async fn account_for_professional(
        &mut self,
        professional: ProfessionalId,
    ) -> StoreResult<Option<Account>>;
    /// The patient's own account and their proxies' accounts that are enabled: by role
    /// (the patient first), then username.
    async fn accounts_for_patient(&mut self, patient: PatientId) -> StoreResult<Vec<Account>>;
}

#[async_trait]
pub trait RequestRepo {
    async fn insert_request(&mut self, r: &Request) -> StoreResult<()>;
    async fn get_request(&mut self, id: RequestId) -> StoreResult<Option<Request>>;
    async fn request_for_thread(&mut self, thread: ThreadId) -> StoreResult<Option<Request>>;
    /// Saves if still at `expected`; returns the new version.
    async fn update_request(&mut self, r: &Request, expected: i64) -> StoreResult<i64>;
    /// One page of the patient's requests whose thread `filter` lets through, newest
    /// first (then the higher id first; the page's keys are `created_at` and the id).
    async fn list_requests(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Request>>;
    /// How many of the patient's requests `filter` lets through.
    async fn count_requests(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
    ) -> StoreResult<i64>;
}

#[async_trait]
pub trait JobRepo {
    /// Queues a job; false (and nothing written) if its dedupe key exists already.
    async fn enqueue_job(&mut self, j: &Job) -> StoreResult<bool>;
    /// Takes the oldest due job (pending and due, or running with an expired lease),
    /// counts the attempt and leases it until `lease_until`. Two runners never get the
    /// same job while a lease holds (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: the
    /// single writer).
    async fn claim_job(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>>;
    /// Marks the job done if it is still the caller's: not done already, and at the
    /// attempt the caller claimed (`attempts` as the claim returned it). False, and
    /// nothing written, if its lease passed to another runner meanwhile (who claimed
    /// it again, counting another attempt) or it was finished: a handler then drops its
    /// transaction, so the job's effect happens once.
    async fn finish_job(
        &mut self,
        id: JobId,
        attempts: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Back to pending, to run again at `run_at` — under the same fence as
    /// [`JobRepo::finish_job`]: false, and nothing written, if the job is no longer at
    /// the caller's attempt (another runner claimed it) or is done or dead.
    async fn retry_job(
        &mut self,
        id: JobId,
        attempts: i64,
        run_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool>;
    /// Gives up on the job (dead-lettered), under the same fence as `retry_job`.
    async fn bury_job(
        &mut self,
        id: JobId,
        attempts: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool>;
    async fn get_job(&mut self, id: JobId) -> StoreResult<Option<Job>>;
    /// Newest first; `status` narrows.
    async fn list_jobs(&mut self, status: Option<&str>, limit: i64) -> StoreResult<Vec<Job>>;
    async fn count_jobs(&mut self, status: &str) -> StoreResult<i64>;
    /// When the next pending job is due, if any.
    async fn next_job_at(&mut self) -> StoreResult<Option<DateTime<Utc>>>;
    /// A dead job back to pending with its attempts reset (an administrator's retry).
    async fn revive_job(&mut self, id: JobId, run_at: DateTime<Utc>) -> StoreResult<bool>;
}

#[async_trait]
pub trait NotificationRepo {
    async fn insert_notification(&mut self, n: &Notification) -> StoreResult<()>;
    /// One page of the account's notifications, newest first (then the higher id
    /// first; the page's keys are `created_at` and the id).
    async fn list_notifications(
        &mut self,
        account: AccountId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Notification>>;
    /// How many notifications the account has in all.
    async fn count_notifications(&mut self, account: AccountId) -> StoreResult<i64>;
    async fn unread_notifications(&mut self, account: AccountId) -> StoreResult<i64>;
    async fn mark_notifications_read(
        &mut self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Notifications waiting for the account's daily digest, marking them digested;
    /// oldest first, then by id.
    async fn take_digest(&mut self, account: AccountId) -> StoreResult<Vec<Notification>>;
    /// Accounts with notifications waiting for a digest.
    async fn digest_accounts(&mut self) -> StoreResult<Vec<AccountId>>;
    async fn get_prefs(&mut self, account: AccountId) -> StoreResult<Option<NotificationPrefs>>;
    async fn save_prefs(&mut self, p: &NotificationPrefs) -> StoreResult<()>;
    /// Starts following; a repeat is a no-op.
    async fn follow(&mut self, f: &Follow) -> StoreResult<()>;
    async fn unfollow(&mut self, account: AccountId, patient: PatientId) -> StoreResult<bool>;
    async fn list_follows(&mut self, account: Option<AccountId>) -> StoreResult<Vec<Follow>>;
    async fn set_digested_until(
        &mut self,
        account: AccountId,
        patient: PatientId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}

#[async_trait]
pub trait MeetingRepo {
    async fn insert_meeting(&mut self, m: &Meeting) -> StoreResult<()>;
    async fn get_meeting(&mut self, id: MeetingId) -> StoreResult<Option<Meeting>>;
    /// Saves if still at `expected`; returns the new version.
    async fn update_meeting(&mut self, m: &Meeting, expected: i64) -> StoreResult<i64>;
    /// One page of the patient's meetings, soonest first (then by id; the page's keys
    /// are `starts_at` and the id).
    async fn list_meetings(
        &mut self,
        patient: PatientId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Meeting>>;
    /// How many meetings the patient has in all.
    async fn count_meetings(&mut self, patient: PatientId) -> StoreResult<i64>;
    /// One page of the meetings the account is invited to that are not cancelled and
    /// end at or after `from`, soonest first (then by id; the page's keys are
    /// `starts_at` and the id).
    async fn meetings_for_account(
        &mut self,
        account: AccountId,
        from: DateTime<Utc>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Meeting>>;
    /// How many such meetings there are.
    async fn count_meetings_for_account(
        &mut self,
        account: AccountId,
        from: DateTime<Utc>,
    ) -> StoreResult<i64>;

    /// `Conflict` if the same team member or e-mail address is already invited.
    async fn insert_participant(&mut self, p: &Participant) -> StoreResult<()>;
    async fn list_participants(&mut self, meeting: MeetingId) -> StoreResult<Vec<Participant>>;
    async fn update_participant(&mut self, p: &Participant, expected: i64) -> StoreResult<i64>;
    async fn set_guest_token(&mut self, participant: ParticipantId, hash: &str) -> StoreResult<()>;
    async fn participant_by_guest_token(&mut self, hash: &str) -> StoreResult<Option<Participant>>;

    async fn insert_agenda_item(&mut self, i: &AgendaItem) -> StoreResult<()>;
    /// In slot order.
    async fn list_agenda(&mut self, meeting: MeetingId) -> StoreResult<Vec<AgendaItem>>;
    async fn update_agenda_item(&mut self, i: &AgendaItem, expected: i64) -> StoreResult<i64>;

    async fn insert_pre_read(&mut self, r: &PreRead) -> StoreResult<()>;
    async fn list_pre_reads(&mut self, meeting: MeetingId) -> StoreResult<Vec<PreRead>>;

    async fn insert_decision(&mut self, d: &Decision) -> StoreResult<()>;
    async fn list_decisions(&mut self, meeting: MeetingId) -> StoreResult<Vec<Decision>>;
}
