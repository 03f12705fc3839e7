//! Samband's use cases. Every use case follows one shape:
//! **authorize (the one access policy) → transaction → domain rules → persist → audit →
//! commit**, and returns domain values or read models — never HTTP responses.
//!
//! The use cases are grouped by capability, one folder each, reached through a handle
//! on [`App`]: `app.patients()`, `app.team()`, `app.plan()`, `app.meetings()`,
//! `app.messages()`, `app.requests()`, `app.consent()`, `app.notifications()`,
//! `app.auth()`, `app.directory()`, `app.audit_trail()`. What they all share — policy
//! facts, authorization, audit, versioned saves, the transaction shapes — is the
//! `kernel` module.
//!
//! Surfaces (JSON API, HTML UI, later FHIR) call these use cases and nothing below
//! them, so a rule enforced here holds on every path.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod audit_export;
pub mod auth;
pub mod consent;
pub mod demo;
pub mod directory;
pub mod error;
pub mod handovers;
pub mod jobs;
pub(crate) mod kernel;
pub mod live;
pub mod meetings;
pub mod messaging;
pub mod monitoring;
pub mod notify;
pub mod paging;
pub mod pathways;
pub mod patients;
pub mod plan;
pub mod policy;
pub mod ratelimit;
pub mod registry;
pub mod requests;
pub mod signals;
pub mod team;
pub mod views;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use samband_domain::clock::Clock;
use samband_domain::principal::Principal;
use samband_store::Store;
use std::sync::Arc;

pub use error::AppError;

/// Settings the use cases need (the server builds them from configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, whatever happens.
    pub session_absolute: Duration,
    /// The longest lifetime, in days, an API token may be issued with (the default,
    /// [`auth::DEFAULT_TOKEN_DAYS`], is capped at it).
    pub token_max_days: i64,
    /// Failed sign-ins per account within `throttle_window` before further tries wait.
    pub max_failures_per_account: i64,
    /// Failed sign-ins per client address within `throttle_window`.
    pub max_failures_per_address: i64,
    pub throttle_window: Duration,
    /// The deployment's time zone: "today" and displayed times follow it.
    pub time_zone: Tz,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// What recipients see where the patient has not said otherwise.
    pub consent_defaults: samband_domain::consent::ConsentDefaults,
    pub rate_limits: ratelimit::RateLimits,
    /// Professionals must use two-step verification (set up at first sign-in).
    pub require_totp_for_professionals: bool,
    /// Weekends and public holidays: deadlines are counted in working days.
    pub calendar: samband_domain::calendar::WorkingCalendar,
    /// Working days a recipient has to acknowledge a message that asks for a receipt.
    pub ack_working_days: u32,
    /// The same for an urgent message.
    pub urgent_ack_working_days: u32,
    /// A request's default deadline, in working days.
    pub request_working_days: u32,
    /// Working days the receiver of a structured hand-over has to acknowledge it
    /// before it escalates to the sender and the coordinator.
    pub handover_ack_working_days: u32,
    /// Largest attachment accepted.
    pub attachment_max_bytes: usize,
    /// Background jobs: how long a claim holds, how often to try, the first backoff.
    pub jobs: jobs::JobSettings,
    /// Outgoing e-mail, when configured (otherwise notifications stay in-app).
    pub mail: Option<notify::MailSettings>,
    /// Where a patient is taken to live when neither a national identifier nor their
    /// team's organisations say (emergency numbers follow it).
    pub default_country: samband_domain::country::Country,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            token_max_days: auth::MAX_TOKEN_DAYS,
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            throttle_window: Duration::minutes(15),
            time_zone: chrono_tz::Europe::Oslo,
            trust_forwarded_for: false,
            consent_defaults: samband_domain::consent::ConsentDefaults::default(),
            rate_limits: ratelimit::RateLimits::default(),
            require_totp_for_professionals: false,
            calendar: samband_domain::calendar::WorkingCalendar::default(),
            ack_working_days: 5,
            urgent_ack_working_days: 1,
            request_working_days: 5,
            handover_ack_working_days: samband_domain::handover::DEFAULT_ACK_WORKING_DAYS,
            attachment_max_bytes: 10 * 1024 * 1024,
            jobs: jobs::JobSettings::default(),
            mail: None,
            default_country: samband_domain::country::Country::Norway,
        }
    }
}

/// Who is asking and which request this is, passed to every use case.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub principal: Principal,
    pub request_id: Option<String>,
}

#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: AppConfig,
    pub limiter: Arc<ratelimit::RateLimiter>,
    /// Tells open inboxes (server-sent events) that something changed for an account.
    pub live: Arc<live::Live>,
    /// Wakes the job runner when work is queued.
    pub job_wake: Arc<tokio::sync::Notify>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        Self {
            store,
            clock,
            config,
            limiter: Arc::new(ratelimit::RateLimiter::default()),
            live: Arc::new(live::Live::default()),
            job_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Today's date in the deployment's time zone (deadlines are local dates).
    pub fn today(&self) -> NaiveDate {
        self.clock
            .now()
            .with_timezone(&self.config.time_zone)
            .date_naive()
    }

    /// The first moment after the local day `d` ends (when "by d" has passed).
    pub(crate) fn end_of_day(&self, d: NaiveDate) -> DateTime<Utc> {
        d.succ_opt()
            .and_then(|n| n.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(self.config.time_zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.clock.now())
    }

    /// Counts a request against a rate limit (see [`ratelimit`]).
    pub fn rate_limit(&self, class: ratelimit::LimitClass, key: &str) -> Result<(), AppError> {
        self.limiter
            .check(&self.config.rate_limits, class, key, self.clock.now())
            .map_err(|retry_after_secs| AppError::TooManyAttempts { retry_after_secs })
    }

    /// Registering patients, the caseload, the overview, history ([`patients`]).
    pub fn patients(&self) -> patients::Patients<'_> {
        patients::Patients::new(self)
    }

    /// The care team ([`team`]).
    pub fn team(&self) -> team::Team<'_> {
        team::Team::new(self)
    }

    /// Goals, actions, services, the crisis plan, the revision date ([`plan`]).
    pub fn plan(&self) -> plan::Plan<'_> {
        plan::Plan::new(self)
    }

    /// Care pathways: the catalogue, enrolments, milestones ([`pathways`]).
    pub fn pathways(&self) -> pathways::Pathways<'_> {
        pathways::Pathways::new(self)
    }

    /// The coordinator's caseload registry and its export ([`registry`]).
    pub fn registry(&self) -> registry::Registry<'_> {
        registry::Registry::new(self)
    }

    /// Self-monitoring: check-in schedules, answers, trends ([`monitoring`]).
    pub fn monitoring(&self) -> monitoring::Monitoring<'_> {
        monitoring::Monitoring::new(self)
    }

    /// Structured hand-overs and discharge letters ([`handovers`]).
    pub fn handovers(&self) -> handovers::Handovers<'_> {
        handovers::Handovers::new(self)
    }

    /// Collaboration meetings ([`meetings`]).
    pub fn meetings(&self) -> meetings::Meetings<'_> {
        meetings::Meetings::new(self)
    }

    /// Message threads, receipts and attachments ([`messaging`]).
    pub fn messages(&self) -> messaging::Messages<'_> {
        messaging::Messages::new(self)
    }

    /// Typed requests between professionals ([`requests`]).
    pub fn requests(&self) -> requests::Requests<'_> {
        requests::Requests::new(self)
    }

    /// Consent, emergency access and the access log ([`consent`]).
    pub fn consent(&self) -> consent::Consents<'_> {
        consent::Consents::new(self)
    }

    /// Notifications, preferences, digests and follows ([`notify`]).
    pub fn notifications(&self) -> notify::Notifications<'_> {
        notify::Notifications::new(self)
    }

    /// Signing in, sessions, API tokens, two-step verification ([`auth`]).
    pub fn auth(&self) -> auth::Auth<'_> {
        auth::Auth::new(self)
    }

    /// Organisations, professionals and accounts ([`directory`]).
    pub fn signals(&self) -> signals::Signals<'_> {
        signals::Signals::new(self)
    }

    pub fn directory(&self) -> directory::Directory<'_> {
        directory::Directory::new(self)
    }

    /// Verifying and exporting the audit trail ([`audit_export`]).
    pub fn audit_trail(&self) -> audit_export::AuditTrail<'_> {
        audit_export::AuditTrail::new(self)
    }

    pub async fn health(&self) -> Result<(), AppError> {
        self.store.ping().await.map_err(AppError::from)
    }
}
