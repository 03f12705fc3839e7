//! The conformance suite every backend must pass, so both are held to one statement of
//! behaviour. It lives here, not in a backend.
//!
//! Each scenario is a named entry in [`SCENARIOS`]. [`run_all`] runs every entry on a
//! fresh, migrated store of its own (the backend's test passes a function that opens
//! one), each in its own task, and returns the names of the scenarios that completed:
//! one that panics, times out, or leaves a broken audit chain behind is left out, and
//! the backend's test compares the result with the registry. A separate test
//! (`tests/conformance_coverage.rs`) reads `lib.rs` and this file and fails if any
//! method of any store trait is never called here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::*;
use chrono::{Duration, TimeZone};
use samband_domain::consent::Category;
use samband_domain::meeting::{
    MeetingKind, MeetingMode, MeetingStatus, ParticipantKind, PreReadKind, PreReadPolicy, Reply,
};
use samband_domain::message::{MessageKind, RequestKind, RequestStatus};
use samband_domain::organisation::Sector;
use samband_domain::patient::ContactChannel;
use samband_domain::plan::ActionStatus;
use samband_domain::principal::AccountRole;
use samband_domain::team::{MemberKind, TeamMember};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

mod needs;
mod signals;
use signals::*;
mod pathways;
use needs::*;
use pathways::*;
mod succession;
use succession::*;
mod caseload_registry;
use caseload_registry::*;
mod relapse;
use relapse::*;
mod self_reports;
use self_reports::*;

/// What a scenario's entry point returns.
pub type ScenarioFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// One named scenario: it runs against a fresh store and panics on the first
/// behaviour that differs from the contract.
#[derive(Clone, Copy)]
pub struct Scenario {
    pub name: &'static str,
    pub run: fn(Arc<dyn Store>) -> ScenarioFuture,
}

macro_rules! registry {
    ($($name:ident),* $(,)?) => {
        /// Every scenario of the suite, in the order [`run_all`] runs them.
        pub const SCENARIOS: &[Scenario] = &[
            $(Scenario {
                name: stringify!($name),
                run: |store| -> ScenarioFuture { Box::pin($name(store)) },
            }),*
        ];
    };
}

registry![
    // Store and Tx
    store_pings_names_itself_and_passes_live_signals,
    transactions_commit_or_leave_nothing,
    // Directory
    organisations_round_trip_are_unique_and_listed_by_name,
    professionals_keep_their_organisations_and_are_listed_by_name,
    patients_are_found_by_id_and_national_id,
    caseload_lists_active_memberships_by_patient_name,
    caseload_pages_walk_every_patient_once_in_name_order,
    registry_rows_hold_their_facts_and_filter_and_sort_in_the_store,
    registry_pages_walk_every_row_once_in_each_order,
    case_reviews_end_newness_and_are_listed_newest_first,
    // Team
    team_saves_are_versioned,
    team_member_owning_an_action_is_not_removed,
    active_membership_names_organisation_and_sector,
    // Plan
    actions_are_versioned_per_patient_and_ordered_by_due_date,
    goals_are_versioned_in_creation_order,
    services_are_versioned,
    crisis_plan_and_plan_header_are_versioned,
    // History and audit
    history_is_newest_first_narrowed_and_limited,
    history_pages_walk_every_entry_once_with_ties_and_types,
    audit_is_kept_in_append_order_and_counted,
    audit_chain_links_every_entry,
    audit_sealer_passes_a_rolled_back_number,
    read_transactions_audit_durably_and_refuse_writes,
    access_log_pages_walk_the_patients_named_entries_newest_first,
    // Pathways and hand-overs
    stored_templates_are_unique_per_key_and_version,
    enrolments_keep_their_completions_and_are_versioned,
    handovers_round_trip_are_versioned_and_overdue_ones_found,
    // Successors
    a_leavers_open_items_move_to_the_successor_flagged,
    // Needs mapping (issue 11, part C)
    needs_mappings_round_trip_per_patient_by_day,
    // Relapse-prevention plan (issue 12)
    relapse_plans_are_versioned_and_their_states_read_in_bulk,
    // Self-monitoring (issue 12)
    checkin_schedules_are_versioned_and_due_ones_paged,
    responses_keep_their_scores_and_page_newest_first,
    // Signals and absences (issue 12)
    absences_round_trip_by_first_day_and_are_versioned,
    one_open_alert_per_patient_and_class_with_events_and_pages,
    thresholds_are_saved_per_patient_and_versioned,
    // Accounts
    accounts_have_unique_usernames_and_are_found,
    sessions_are_touched_revoked_and_listed_newest_first,
    api_tokens_are_found_by_their_hash,
    api_tokens_are_listed_per_account_newest_first,
    api_tokens_are_revoked_only_by_their_own_account,
    api_token_last_use_is_written_at_most_once_a_minute,
    totp_steps_advance_and_recovery_codes_are_single_use,
    login_failures_are_counted_per_key_and_cleared,
    // Consent
    consent_is_versioned_and_rules_round_trip,
    consent_read_after_a_membership_follows_a_save,
    emergency_grants_expire_and_are_reviewed,
    // Messages
    threads_are_listed_by_latest_activity_with_participants,
    message_receipts_move_from_sent_to_acknowledged,
    unacknowledged_recipients_are_escalated_once,
    attachments_round_trip_and_need_their_message,
    accounts_are_found_for_professionals_and_patients,
    // Requests
    requests_are_versioned_and_listed_newest_first,
    thread_and_request_pages_hold_what_the_filter_lets_through_once_each,
    // Jobs
    jobs_are_claimed_once_by_concurrent_runners,
    job_dedupe_keys_enqueue_once,
    job_leases_expire_and_jobs_retry_die_and_revive,
    jobs_are_listed_newest_first_and_counted,
    // Notifications
    notifications_are_newest_first_and_marked_read,
    notification_and_meeting_pages_walk_every_row_once_with_ties,
    digests_are_taken_once_oldest_first,
    notification_prefs_are_saved_and_replaced,
    follows_are_kept_once_and_unfollowed,
    // Meetings
    meetings_are_versioned_and_listed_soonest_first,
    meeting_participants_are_invited_once_per_meeting,
    participants_reply_and_guests_are_found_by_token,
    agenda_items_are_in_slot_order_with_minutes_versioned,
    pre_reads_and_decisions_are_oldest_first,
];

/// How long one scenario may take before it counts as failed.
const SCENARIO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Runs every scenario in [`SCENARIOS`], each on a store `open` returns fresh; returns
/// the names of the scenarios that completed.
pub async fn run_all<F, Fut>(open: F) -> Vec<&'static str>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    run_scenarios(SCENARIOS, open).await
}

/// Runs `scenarios` one after the other, each on a fresh store and in its own task;
/// returns the names of those that completed with the store's audit chain intact. A
/// scenario that panics or times out is reported on stderr and left out.
pub async fn run_scenarios<F, Fut>(scenarios: &[Scenario], open: F) -> Vec<&'static str>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    let mut completed = Vec::new();
    for s in scenarios {
        let store = open().await;
        let run = s.run;
        let name = s.name;
        let task = tokio::spawn(async move {
            run(store.clone()).await;
            // Whatever the scenario audited must still form an intact hash chain, once
            // sealed as far as the sealer can.
            while store.seal_audit().await.unwrap_or(0) > 0 {}
            if let Err(e) = crate::chain::verify_chain(&*store, 7).await {
                panic!("audit chain broken after the scenario: {e:?}");
            }
        });
        let abort = task.abort_handle();
        match tokio::time::timeout(SCENARIO_TIMEOUT, task).await {
            Ok(Ok(())) => completed.push(name),
            Ok(Err(e)) => eprintln!("conformance scenario {name} failed: {e}"),
            Err(_) => {
                abort.abort();
                eprintln!("conformance scenario {name} timed out");
            }
        }
    }
    completed
}

// ---------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------

pub struct Fixture {
    pub org: Organisation,
    pub gp: Professional,
    pub nurse: Professional,
    pub patient: Patient,
    pub team: CareTeam,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn today() -> NaiveDate {
    t0().date_naive()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn is_conflict<T: std::fmt::Debug>(r: &StoreResult<T>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

fn organisation(name: &str, sector: Sector) -> Organisation {
    Organisation {
        id: OrganisationId::new(),
        name: name.into(),
        sector,
        country: Some(samband_domain::country::Country::Norway),
        version: 1,
    }
}

fn professional(name: &str, title: &str, orgs: Vec<OrganisationId>) -> Professional {
    Professional {
        id: ProfessionalId::new(),
        name: name.into(),
        title: title.into(),
        organisation_ids: orgs,
        phone: Some("+47 22 00 00 00".into()),
        email: Some("x@example.org".into()),
        availability: Some("Weekdays 8–15".into()),
        version: 1,
    }
}

fn patient(name: &str) -> Patient {
    Patient {
        id: PatientId::new(),
        name: name.into(),
        birth_date: day("1980-05-17"),
        national_id: None,
        preferred_contact: ContactChannel::InApp,
        phone: None,
        email: None,
        version: 1,
    }
}

fn member(
    p: &Professional,
    org: OrganisationId,
    coordinator: bool,
    to: Option<NaiveDate>,
) -> TeamMember {
    TeamMember {
        id: MemberId::new(),
        kind: MemberKind::Professional,
        professional_id: Some(p.id),
        name: None,
        organisation_id: Some(org),
        role: p.title.clone(),
        responsibility: "Responsible for medication".into(),
        phone: None,
        is_coordinator: coordinator,
        active_from: day("2026-01-01"),
        active_to: to,
    }
}

/// One organisation, a GP (coordinator) and a nurse whose membership ended on 30 June,
/// one patient and their team (version 1).
async fn seed(store: &dyn Store) -> Fixture {
    let org = organisation("Fjordby legekontor", Sector::Primary);
    let gp = professional("Dr. Test Lege", "GP", vec![org.id]);
    let nurse = professional("Test Sykepleier", "Psychiatric nurse", vec![org.id]);
    let patient = patient("Test Pasient");
    let team = CareTeam {
        patient_id: patient.id,
        members: vec![
            member(&gp, org.id, true, None),
            member(&nurse, org.id, false, Some(day("2026-06-30"))),
        ],
        version: 0,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_organisation(&org).await.unwrap();
    tx.insert_professional(&gp).await.unwrap();
    tx.insert_professional(&nurse).await.unwrap();
    tx.insert_patient(&patient).await.unwrap();
    let v = tx.save_team(&team, 0).await.unwrap();
    assert_eq!(v, 1, "a new team starts at version 1");
    tx.commit().await.unwrap();
    let team = CareTeam { version: 1, ..team };
    Fixture {
        org,
        gp,
        nurse,
        patient,
        team,
    }
}

fn account(username: &str, role: AccountRole) -> Account {
    Account {
        id: AccountId::new(),
        username: username.into(),
        password_hash: "$argon2id$fake".into(),
        role,
        professional_id: None,
        patient_id: None,
        display_name: username.into(),
        locale: None,
        disabled: false,
        created_at: t0(),
        totp_secret: None,
        totp_last_step: None,
        privacy_officer: false,
        proxy_may_consent: false,
    }
}

fn action(f: &Fixture, due: &str) -> Action {
    Action {
        id: ActionId::new(),
        patient_id: f.patient.id,
        title: "Review medication".into(),
        owner_member_id: f.team.members[0].id,
        sector: Sector::Primary,
        due_date: day(due),
        status: ActionStatus::Planned,
        goal_id: None,
        created_at: t0(),
        version: 1,
    }
}

/// The fixture plus accounts for the GP, the patient, a proxy and a disabled former
/// proxy, and one action owned by the GP (for requests and decisions).
struct World {
    f: Fixture,
    gp: Account,
    patient: Account,
    proxy: Account,
    old_proxy: Account,
    action: Action,
}

async fn seed_world(store: &dyn Store) -> World {
    let f = seed(store).await;
    let gp = Account {
        professional_id: Some(f.gp.id),
        display_name: "Dr. Test Lege".into(),
        ..account("gp", AccountRole::Professional)
    };
    let patient = Account {
        patient_id: Some(f.patient.id),
        display_name: "Test Pasient".into(),
        ..account("patient", AccountRole::Patient)
    };
    let proxy = Account {
        patient_id: Some(f.patient.id),
        display_name: "Sara Proxy".into(),
        ..account("proxy", AccountRole::Proxy)
    };
    let old_proxy = Account {
        patient_id: Some(f.patient.id),
        disabled: true,
        ..account("old.proxy", AccountRole::Proxy)
    };
    let action = Action {
        title: "Status report".into(),
        due_date: day("2026-11-09"),
        ..action(&f, "2026-11-09")
    };
    let mut tx = store.begin().await.unwrap();
    for a in [&gp, &patient, &proxy, &old_proxy] {
        tx.insert_account(a).await.unwrap();
    }
    tx.insert_action(&action).await.unwrap();
    tx.commit().await.unwrap();
    World {
        f,
        gp,
        patient,
        proxy,
        old_proxy,
        action,
    }
}

fn thread(w: &World, subject: &str, at: DateTime<Utc>) -> Thread {
    Thread {
        id: ThreadId::new(),
        patient_id: w.f.patient.id,
        subject: subject.into(),
        category: Category::ClinicalNotes,
        created_by: w.gp.id,
        created_at: at,
        last_message_at: at,
    }
}

fn message(w: &World, thread: &Thread, at: DateTime<Utc>, needs_ack: bool) -> Message {
    Message {
        id: MessageId::new(),
        thread_id: thread.id,
        patient_id: w.f.patient.id,
        author_account_id: w.gp.id,
        author_name: "Dr. Test Lege".into(),
        kind: MessageKind::Message,
        body: "Please come in for a blood test.".into(),
        sent_at: at,
        needs_ack,
        urgent: false,
        ack_due: needs_ack.then(|| day("2026-11-04")),
    }
}

fn recipient(m: &Message, a: &Account) -> Recipient {
    Recipient {
        message_id: m.id,
        account_id: a.id,
        name: a.display_name.clone(),
        delivered_at: None,
        read_at: None,
        acknowledged_at: None,
        escalated_at: None,
    }
}

/// A thread with the GP, the patient and the proxy as participants.
async fn seed_thread(store: &dyn Store, w: &World, subject: &str, at: DateTime<Utc>) -> Thread {
    let t = thread(w, subject, at);
    let mut tx = store.begin().await.unwrap();
    tx.insert_thread(&t).await.unwrap();
    for a in [&w.gp, &w.patient, &w.proxy] {
        tx.add_participant(t.id, a.id).await.unwrap();
    }
    tx.commit().await.unwrap();
    t
}

// ---------------------------------------------------------------------------------
// Store and Tx
// ---------------------------------------------------------------------------------

/// `ping` answers, the name is stable, and live signals either reach a listener (a
/// backend shared by several instances) or the listener returns at once (a
/// single-instance backend) and broadcasting is harmless.
async fn store_pings_names_itself_and_passes_live_signals(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
    let name = store.backend_name();
    assert!(!name.is_empty(), "a backend names itself");
    assert_eq!(name, store.backend_name(), "the name is stable");

    let (sink, mut heard) = tokio::sync::mpsc::unbounded_channel::<String>();
    let listener = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .listen(Box::new(move |payload| {
                    let _ = sink.send(payload);
                }))
                .await
        })
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        // The listener may not be subscribed yet: say it again until it is heard.
        store.broadcast("conformance-signal").await.unwrap();
        match tokio::time::timeout(std::time::Duration::from_millis(200), heard.recv()).await {
            Ok(Some(payload)) => {
                assert_eq!(
                    payload, "conformance-signal",
                    "the payload arrives unchanged"
                );
                assert!(
                    !listener.is_finished(),
                    "a listener that hears signals keeps listening"
                );
                listener.abort();
                break;
            }
            // The sink was dropped: the listener returned.
            Ok(None) => {
                let returned = listener.await.unwrap();
                assert!(
                    returned.is_ok(),
                    "a single-instance listener returns Ok: {returned:?}"
                );
                break;
            }
            Err(_) => assert!(
                tokio::time::Instant::now() < deadline,
                "the listener neither returned nor heard a broadcast"
            ),
        }
    }
    store.ping().await.unwrap();
}

async fn transactions_commit_or_leave_nothing(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let dropped = action(&f, "2027-01-01");
    {
        let mut tx = store.begin().await.unwrap();
        tx.insert_action(&dropped).await.unwrap();
        // dropped without commit
    }
    let kept = action(&f, "2027-01-02");
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_action(f.patient.id, dropped.id).await.unwrap(),
        None,
        "a dropped transaction rolls back"
    );
    tx.insert_action(&kept).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_action(f.patient.id, kept.id).await.unwrap().as_ref(),
        Some(&kept),
        "a committed transaction persists"
    );
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Directory
// ---------------------------------------------------------------------------------

async fn organisations_round_trip_are_unique_and_listed_by_name(store: Arc<dyn Store>) {
    let store = &*store;
    // One Norwegian, one whose country is not stated: both round-trip.
    let b = organisation("Bergen kommune", Sector::Municipal);
    let a = Organisation {
        country: None,
        ..organisation("Alna legekontor", Sector::Primary)
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_organisation(b.id).await.unwrap(), None);
    tx.insert_organisation(&b).await.unwrap();
    tx.insert_organisation(&a).await.unwrap();
    assert_eq!(tx.get_organisation(b.id).await.unwrap().as_ref(), Some(&b));
    assert_eq!(
        tx.list_organisations().await.unwrap(),
        vec![a.clone(), b.clone()],
        "by name"
    );
    let first = tx
        .organisations_page(&PageAt {
            after: None,
            limit: 1,
        })
        .await
        .unwrap();
    assert_eq!(first, vec![a.clone()], "a page holds no more than asked");
    assert_eq!(
        tx.organisations_page(&PageAt {
            after: Some(After {
                key: a.name.clone(),
                id: a.id.as_uuid(),
            }),
            limit: 10,
        })
        .await
        .unwrap(),
        vec![b.clone()],
        "and the next goes on after it"
    );
    assert_eq!(tx.count_organisations().await.unwrap(), 2);
    tx.commit().await.unwrap();
    // A failed statement may poison the transaction (PostgreSQL): the clash gets its own.
    let mut tx = store.begin().await.unwrap();
    let again = tx
        .insert_organisation(&Organisation {
            name: "Other".into(),
            ..a.clone()
        })
        .await;
    assert!(is_conflict(&again), "the same id twice: {again:?}");
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.list_organisations().await.unwrap().len(), 2);
    tx.commit().await.unwrap();
}

async fn professionals_keep_their_organisations_and_are_listed_by_name(store: Arc<dyn Store>) {
    let store = &*store;
    let o1 = organisation("Fjordby legekontor", Sector::Primary);
    let o2 = organisation("Fjordby DPS", Sector::Specialist);
    let nurse = professional("Test Sykepleier", "Nurse", vec![o2.id, o1.id]);
    let gp = Professional {
        phone: None,
        email: None,
        availability: None,
        ..professional("Dr. Test Lege", "GP", vec![o1.id])
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_organisation(&o1).await.unwrap();
    tx.insert_organisation(&o2).await.unwrap();
    tx.insert_professional(&nurse).await.unwrap();
    tx.insert_professional(&gp).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let stored = tx.get_professional(nurse.id).await.unwrap().unwrap();
    assert_eq!(stored, nurse);
    assert_eq!(
        stored.organisation_ids,
        vec![o2.id, o1.id],
        "organisations keep their order"
    );
    assert_eq!(
        tx.get_professional(gp.id).await.unwrap().as_ref(),
        Some(&gp)
    );
    assert_eq!(
        tx.get_professional(ProfessionalId::new()).await.unwrap(),
        None
    );
    assert_eq!(
        tx.get_professionals(&[nurse.id, ProfessionalId::new(), gp.id])
            .await
            .unwrap(),
        vec![nurse.clone(), gp.clone()],
        "in the order asked for, unknown ids left out"
    );
    assert!(tx.get_professionals(&[]).await.unwrap().is_empty());
    assert_eq!(
        tx.list_professionals().await.unwrap(),
        vec![gp.clone(), nurse.clone()],
        "by name"
    );
    // A page at a time, by name then id: a namesake is neither repeated nor skipped
    // where a page ends between the two.
    let twin = professional("Dr. Test Lege", "Locum GP", vec![o2.id]);
    tx.insert_professional(&twin).await.unwrap();
    let mut all = vec![gp, twin, nurse];
    all.sort_by_key(|p| (p.name.clone(), p.id.to_string()));
    assert_eq!(tx.count_professionals().await.unwrap(), 3);
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = tx
            .professionals_page(&PageAt {
                after: after.clone(),
                limit: 1,
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(After {
            key: last.name.clone(),
            id: last.id.as_uuid(),
        });
        walked.extend(page);
    }
    assert_eq!(walked, all, "every professional once, in order");
    tx.commit().await.unwrap();
}

async fn patients_are_found_by_id_and_national_id(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_patient(f.patient.id).await.unwrap().as_ref(),
        Some(&f.patient)
    );
    assert_eq!(tx.get_patient(PatientId::new()).await.unwrap(), None);
    assert_eq!(
        tx.find_patient_by_national_id("01019000000").await.unwrap(),
        None
    );
    let fnr = samband_domain::national_id::synthetic_fnr(day("1970-04-01"), 3).unwrap();
    let with_id = Patient {
        id: PatientId::new(),
        national_id: Some(samband_domain::national_id::NationalId::parse_norwegian(&fnr).unwrap()),
        birth_date: day("1970-04-01"),
        phone: Some("+47 99 99 99 99".into()),
        email: Some("p@example.org".into()),
        ..f.patient.clone()
    };
    tx.insert_patient(&with_id).await.unwrap();
    assert_eq!(
        tx.find_patient_by_national_id(&fnr).await.unwrap(),
        Some(with_id.id)
    );
    assert_eq!(
        tx.get_patient(with_id.id).await.unwrap().as_ref(),
        Some(&with_id),
        "national id and contact details round-trip"
    );
    tx.commit().await.unwrap();
}

async fn caseload_lists_active_memberships_by_patient_name(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    // A second patient whose name sorts first, on the GP's team too.
    let other = patient("Aas Pasient");
    let other_team = CareTeam {
        patient_id: other.id,
        members: vec![member(&f.gp, f.org.id, false, None)],
        version: 0,
    };
    let overdue = action(&f, "2026-10-01");
    let open = action(&f, "2026-12-01");
    let done = Action {
        status: ActionStatus::Done,
        ..action(&f, "2026-10-01")
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_patient(&other).await.unwrap();
    tx.save_team(&other_team, 0).await.unwrap();
    for a in [&overdue, &open, &done] {
        tx.insert_action(a).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let gp = tx
        .caseload(f.gp.id, today(), &PageAt::first(10))
        .await
        .unwrap();
    assert_eq!(tx.count_caseload(f.gp.id, today()).await.unwrap(), 2);
    assert_eq!(
        gp.iter().map(|r| r.patient.id).collect::<Vec<_>>(),
        vec![other.id, f.patient.id],
        "by patient name"
    );
    assert_eq!(gp[1].patient, f.patient);
    assert_eq!(gp[1].member_id, f.team.members[0].id);
    assert_eq!(gp[1].my_organisation, Some(f.org.id));
    assert_eq!(gp[1].my_sector, Some(Sector::Primary));
    assert_eq!(gp[1].my_role, "GP");
    assert!(gp[1].is_coordinator);
    assert!(!gp[0].is_coordinator);
    assert_eq!(
        (gp[1].open_actions, gp[1].overdue_actions),
        (2, 1),
        "done actions are not open; overdue is open and past due"
    );
    assert_eq!((gp[0].open_actions, gp[0].overdue_actions), (0, 0));
    // The nurse's membership ended on 30 June.
    assert!(tx
        .caseload(f.nurse.id, today(), &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(tx.count_caseload(f.nurse.id, today()).await.unwrap(), 0);
    assert_eq!(
        tx.count_caseload(f.nurse.id, day("2026-06-30"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        tx.caseload(f.nurse.id, day("2026-06-30"), &PageAt::first(10))
            .await
            .unwrap()
            .len(),
        1,
        "the last day counts"
    );
    assert!(
        tx.caseload(f.gp.id, day("2025-12-31"), &PageAt::first(10))
            .await
            .unwrap()
            .is_empty(),
        "not before the membership starts"
    );
    tx.commit().await.unwrap();
}

/// Walks a caseload of 23 patients — names with many ties, one ended membership and
/// one other professional's patient left out — four at a time: every patient exactly
/// once, by name then id, and the count agrees.
async fn caseload_pages_walk_every_patient_once_in_name_order(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let names = ["Berg", "Aas", "Dahl", "Berg", "Berg", "Aas"];
    let mut mine = Vec::new();
    let mut tx = store.begin().await.unwrap();
    for i in 0..25 {
        let p = patient(names[i % names.len()]);
        let gp_member = if i == 24 {
            // An ended membership: not in today's caseload.
            member(&f.gp, f.org.id, true, Some(day("2026-03-01")))
        } else {
            member(&f.gp, f.org.id, true, None)
        };
        let members = if i == 23 {
            // The nurse's patient only.
            vec![member(&f.nurse, f.org.id, true, None)]
        } else {
            vec![gp_member]
        };
        tx.insert_patient(&p).await.unwrap();
        tx.save_team(
            &CareTeam {
                patient_id: p.id,
                members,
                version: 0,
            },
            0,
        )
        .await
        .unwrap();
        if i < 23 {
            mine.push((p.name.clone(), p.id));
        }
    }
    tx.commit().await.unwrap();
    // The fixture's own patient is on the GP's team too.
    mine.push((f.patient.name.clone(), f.patient.id));
    mine.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.count_caseload(f.gp.id, today()).await.unwrap(),
        mine.len() as i64
    );
    let mut walked = Vec::new();
    let mut page = PageAt::first(4);
    let mut pages = 0;
    loop {
        let rows = tx.caseload(f.gp.id, today(), &page).await.unwrap();
        assert!(rows.len() <= 4, "a page holds at most its limit");
        pages += 1;
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.patient.name.clone(), last.patient.id.as_uuid(), 4);
        walked.extend(rows.iter().map(|r| (r.patient.name.clone(), r.patient.id)));
        assert!(pages < 20, "the walk ends");
    }
    assert_eq!(walked, mine, "every patient once, by name then id");
    assert_eq!(pages, 7, "six full pages of four, then an empty one");
    // A page starting inside a run of equal names goes on from the id.
    let (name, id) = mine[2].clone();
    let rest = tx
        .caseload(f.gp.id, today(), &PageAt::after(name, id.as_uuid(), 100))
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|r| r.patient.id).collect::<Vec<_>>(),
        mine[3..].iter().map(|m| m.1).collect::<Vec<_>>()
    );
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Team
// ---------------------------------------------------------------------------------

async fn team_saves_are_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_team(PatientId::new()).await.unwrap(), None);
    let stored = tx.get_team(f.patient.id).await.unwrap().expect("team");
    assert_eq!(stored, f.team, "team round-trips with members in order");
    let mut changed = stored.clone();
    changed.members[0].responsibility = "Medication and sick leave".into();
    changed.members.swap(0, 1);
    assert_eq!(tx.save_team(&changed, 1).await.unwrap(), 2);
    // A second writer that started from version 1 must be refused.
    let stale = tx.save_team(&stored, 1).await;
    assert!(is_conflict(&stale), "stale team save: {stale:?}");
    // Creating a team that already exists is a conflict too.
    assert!(is_conflict(&tx.save_team(&stored, 0).await));
    let now = tx.get_team(f.patient.id).await.unwrap().expect("team");
    assert_eq!(now.version, 2);
    assert_eq!(
        now.members, changed.members,
        "the saved order and fields are kept"
    );
    let contacts = tx.member_contacts(f.patient.id).await.unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1].member_id, now.members[1].id, "team order");
    assert_eq!(
        contacts[1].professional_name.as_deref(),
        Some("Dr. Test Lege")
    );
    assert_eq!(contacts[0].title.as_deref(), Some("Psychiatric nurse"));
    assert_eq!(contacts[1].availability.as_deref(), Some("Weekdays 8–15"));
    assert_eq!(contacts[1].phone.as_deref(), Some("+47 22 00 00 00"));
    assert_eq!(contacts[1].email.as_deref(), Some("x@example.org"));
    assert_eq!(contacts[1].organisation.as_ref(), Some(&f.org));
    assert!(tx
        .member_contacts(PatientId::new())
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
}

async fn team_member_owning_an_action_is_not_removed(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let owned = Action {
        owner_member_id: f.team.members[1].id,
        ..action(&f, "2026-12-01")
    };
    let guest = TeamMember {
        id: MemberId::new(),
        kind: MemberKind::Proxy,
        professional_id: None,
        name: Some("Sara Lunde".into()),
        organisation_id: None,
        role: "Relative".into(),
        responsibility: "Speaks for the patient".into(),
        phone: Some("+47 40 00 00 00".into()),
        is_coordinator: false,
        active_from: day("2026-10-01"),
        active_to: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_action(&owned).await.unwrap();
    let mut with_guest = f.team.clone();
    with_guest.members.push(guest.clone());
    assert_eq!(tx.save_team(&with_guest, 1).await.unwrap(), 2);
    assert_eq!(
        tx.get_team(f.patient.id).await.unwrap().unwrap().members,
        with_guest.members
    );
    // A member who owns nothing may go.
    assert_eq!(tx.save_team(&f.team, 2).await.unwrap(), 3);
    tx.commit().await.unwrap();

    // The nurse owns an action: removing her is a conflict, and nothing changes.
    let mut tx = store.begin().await.unwrap();
    let without_nurse = CareTeam {
        members: vec![f.team.members[0].clone()],
        ..f.team.clone()
    };
    let r = tx.save_team(&without_nurse, 3).await;
    assert!(is_conflict(&r), "removing an action's owner: {r:?}");
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let team = tx.get_team(f.patient.id).await.unwrap().unwrap();
    assert_eq!((team.version, team.members), (3, f.team.members.clone()));
    tx.commit().await.unwrap();
}

async fn active_membership_names_organisation_and_sector(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.active_membership(f.patient.id, f.gp.id, today())
            .await
            .unwrap(),
        Some(MembershipRow {
            member_id: f.team.members[0].id,
            organisation_id: Some(f.org.id),
            sector: Some(Sector::Primary),
        })
    );
    assert_eq!(
        tx.active_membership(f.patient.id, f.nurse.id, today())
            .await
            .unwrap(),
        None,
        "ended"
    );
    assert_eq!(
        tx.active_membership(f.patient.id, f.nurse.id, day("2026-06-30"))
            .await
            .unwrap()
            .map(|m| m.member_id),
        Some(f.team.members[1].id),
        "active on its last day"
    );
    assert_eq!(
        tx.active_membership(PatientId::new(), f.gp.id, today())
            .await
            .unwrap(),
        None,
        "another patient's team"
    );
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------------

async fn actions_are_versioned_per_patient_and_ordered_by_due_date(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let late = action(&f, "2026-12-24");
    let soon = action(&f, "2026-11-01");
    let mut tx = store.begin().await.unwrap();
    tx.insert_action(&late).await.unwrap();
    tx.insert_action(&soon).await.unwrap();
    assert_eq!(
        tx.get_action(f.patient.id, soon.id).await.unwrap().as_ref(),
        Some(&soon)
    );
    // An action is only found under its own patient.
    assert_eq!(
        tx.get_action(PatientId::new(), soon.id).await.unwrap(),
        None
    );
    assert_eq!(
        tx.get_action(f.patient.id, ActionId::new()).await.unwrap(),
        None
    );
    let done = Action {
        status: ActionStatus::Done,
        title: "Medication reviewed".into(),
        ..soon.clone()
    };
    assert_eq!(tx.update_action(&done, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_action(&soon, 1).await), "stale");
    let elsewhere = Action {
        patient_id: PatientId::new(),
        ..done.clone()
    };
    assert!(
        is_conflict(&tx.update_action(&elsewhere, 2).await),
        "not under another patient"
    );
    assert_eq!(
        tx.list_actions(f.patient.id).await.unwrap(),
        vec![Action { version: 2, ..done }, late],
        "by due date"
    );
    assert!(tx.list_actions(PatientId::new()).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

async fn goals_are_versioned_in_creation_order(store: Arc<dyn Store>) {
    use samband_domain::plan::GoalAuthor;
    let store = &*store;
    let f = seed(store).await;
    let g = Goal {
        id: GoalId::new(),
        patient_id: f.patient.id,
        author: GoalAuthor::Patient,
        owner_member_id: None,
        text: "Å ha et godt liv — «walk» daily".into(),
        achieved: false,
        created_at: t0() + Duration::hours(1),
        version: 1,
    };
    let earlier = Goal {
        id: GoalId::new(),
        author: GoalAuthor::Professional,
        owner_member_id: Some(f.team.members[0].id),
        text: "Back to work part-time".into(),
        created_at: t0(),
        ..g.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_goal(&g).await.unwrap();
    tx.insert_goal(&earlier).await.unwrap();
    let g2 = Goal {
        achieved: true,
        ..g.clone()
    };
    assert_eq!(tx.update_goal(&g2, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_goal(&g2, 1).await));
    assert_eq!(
        tx.list_goals(f.patient.id).await.unwrap(),
        vec![earlier, Goal { version: 2, ..g2 }],
        "oldest first, text kept exactly"
    );
    assert!(tx.list_goals(PatientId::new()).await.unwrap().is_empty());
    assert_eq!(
        tx.get_goal(f.patient.id, g.id)
            .await
            .unwrap()
            .map(|x| x.version),
        Some(2),
        "one goal by its key"
    );
    assert_eq!(
        tx.get_goal(PatientId::new(), g.id).await.unwrap(),
        None,
        "only under its own patient"
    );
    tx.commit().await.unwrap();
}

async fn services_are_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let s = Service {
        id: ServiceId::new(),
        patient_id: f.patient.id,
        what: "Home nursing".into(),
        provider: "Fjordby kommune".into(),
        frequency: "Daily".into(),
        version: 1,
    };
    let s2 = Service {
        id: ServiceId::new(),
        what: "Physiotherapy".into(),
        ..s.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_service(&s).await.unwrap();
    tx.insert_service(&s2).await.unwrap();
    let twice = Service {
        frequency: "Twice daily".into(),
        ..s.clone()
    };
    assert_eq!(tx.update_service(&twice, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_service(&twice, 1).await));
    assert_eq!(
        tx.list_services(f.patient.id).await.unwrap(),
        vec![
            Service {
                version: 2,
                ..twice
            },
            s2.clone()
        ]
    );
    assert_eq!(
        tx.get_service(f.patient.id, s2.id).await.unwrap(),
        Some(s2.clone())
    );
    assert_eq!(tx.get_service(PatientId::new(), s2.id).await.unwrap(), None);
    tx.commit().await.unwrap();
}

async fn crisis_plan_and_plan_header_are_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_crisis_plan(f.patient.id).await.unwrap(), None);
    let c = CrisisPlan {
        warning_signs: "Sleeps badly".into(),
        what_helps: "A walk".into(),
        contacts: "Sister: +47 90 00 00 00".into(),
        updated_at: Some(t0()),
        ..CrisisPlan::empty(f.patient.id)
    };
    assert_eq!(tx.save_crisis_plan(&c, 0).await.unwrap(), 1);
    assert!(is_conflict(&tx.save_crisis_plan(&c, 0).await));
    let c2 = CrisisPlan {
        what_helps: "A walk and music".into(),
        ..c.clone()
    };
    assert_eq!(tx.save_crisis_plan(&c2, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.save_crisis_plan(&c2, 1).await));
    assert_eq!(
        tx.get_crisis_plan(f.patient.id).await.unwrap(),
        Some(CrisisPlan { version: 2, ..c2 })
    );

    assert_eq!(tx.get_plan_header(f.patient.id).await.unwrap(), None);
    let h = PlanHeader {
        patient_id: f.patient.id,
        revision_date: Some(day("2027-05-01")),
        version: 0,
    };
    assert_eq!(tx.save_plan_header(&h, 0).await.unwrap(), 1);
    assert!(is_conflict(&tx.save_plan_header(&h, 0).await));
    let h2 = PlanHeader {
        revision_date: None,
        ..h.clone()
    };
    assert_eq!(tx.save_plan_header(&h2, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.save_plan_header(&h2, 1).await));
    assert_eq!(
        tx.get_plan_header(f.patient.id).await.unwrap(),
        Some(PlanHeader { version: 2, ..h2 })
    );
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// History and audit
// ---------------------------------------------------------------------------------

async fn history_is_newest_first_narrowed_and_limited(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let account = AccountId::new();
    let mut tx = store.begin().await.unwrap();
    let mut appended = Vec::new();
    for i in 0..3 {
        let h = HistoryEntry {
            id: Uuid::now_v7(),
            patient_id: f.patient.id,
            object_type: "action".into(),
            object_id: "obj".into(),
            version: i + 1,
            actor_account_id: account,
            actor_name: "Dr. Test".into(),
            at: t0() + Duration::minutes(i),
            reason: (i == 2).then(|| "patient asked".into()),
            old_value: (i > 0).then(|| json!({"status": "planned"})),
            new_value: json!({"status": "done", "n": i, "text": "Å — «x»"}),
        };
        tx.append_history(&h).await.unwrap();
        appended.push(h);
    }
    let other = HistoryEntry {
        id: Uuid::now_v7(),
        object_type: "goal".into(),
        object_id: "other".into(),
        at: t0() + Duration::minutes(10),
        ..appended[0].clone()
    };
    tx.append_history(&other).await.unwrap();
    let hist = tx
        .list_history(f.patient.id, &one("obj"), &PageAt::first(10))
        .await
        .unwrap();
    let mut newest_first = appended.clone();
    newest_first.reverse();
    assert_eq!(hist, newest_first, "newest first, every field round-trips");
    assert_eq!(
        tx.list_history(f.patient.id, &one("obj"), &PageAt::first(2))
            .await
            .unwrap(),
        newest_first[..2].to_vec(),
        "limited"
    );
    assert_eq!(
        tx.list_history(f.patient.id, &HistoryFilter::default(), &PageAt::first(10))
            .await
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect::<Vec<_>>(),
        vec![other.id, appended[2].id, appended[1].id, appended[0].id],
        "every object of the patient"
    );
    assert!(tx
        .list_history(f.patient.id, &one("nothing"), &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    assert!(tx
        .list_history(
            PatientId::new(),
            &HistoryFilter::default(),
            &PageAt::first(10)
        )
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
}

fn one(object_id: &str) -> HistoryFilter<'_> {
    HistoryFilter {
        object_id: Some(object_id),
        object_types: None,
    }
}

/// Walks 17 history entries, most sharing their timestamp with others, three at a
/// time: every entry once, newest first then the higher id first; narrowed to some
/// object types the walk and the count hold only those.
async fn history_pages_walk_every_entry_once_with_ties_and_types(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let account = AccountId::new();
    let types = ["action", "goal", "team"];
    let mut tx = store.begin().await.unwrap();
    let mut all = Vec::new();
    for i in 0..17i64 {
        let h = HistoryEntry {
            id: Uuid::now_v7(),
            patient_id: f.patient.id,
            object_type: types[(i % 3) as usize].into(),
            object_id: format!("obj{}", i % 4),
            version: 1,
            actor_account_id: account,
            actor_name: "Dr. Test".into(),
            // Four distinct times: ties everywhere.
            at: t0() + Duration::minutes(i % 4),
            reason: None,
            old_value: None,
            new_value: json!({"i": i}),
        };
        tx.append_history(&h).await.unwrap();
        all.push(h);
    }
    tx.commit().await.unwrap();
    all.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));

    let mut tx = store.begin().await.unwrap();
    for filter in [
        HistoryFilter::default(),
        HistoryFilter {
            object_id: None,
            object_types: Some(&["action", "team"]),
        },
        HistoryFilter {
            object_id: Some("obj1"),
            object_types: Some(&["goal", "team", "plan"]),
        },
        HistoryFilter {
            object_id: None,
            object_types: Some(&[]),
        },
    ] {
        let expected: Vec<Uuid> = all
            .iter()
            .filter(|h| filter.object_id.is_none_or(|o| h.object_id == o))
            .filter(|h| {
                filter
                    .object_types
                    .is_none_or(|t| t.contains(&h.object_type.as_str()))
            })
            .map(|h| h.id)
            .collect();
        assert_eq!(
            tx.count_history(f.patient.id, &filter).await.unwrap(),
            expected.len() as i64,
            "{filter:?}"
        );
        let mut walked = Vec::new();
        let mut page = PageAt::first(3);
        for _ in 0..20 {
            let rows = tx.list_history(f.patient.id, &filter, &page).await.unwrap();
            assert!(rows.len() <= 3);
            let Some(last) = rows.last() else { break };
            page = PageAt::after(last.at, last.id, 3);
            walked.extend(rows.iter().map(|h| h.id));
        }
        assert_eq!(walked, expected, "every entry once, in order: {filter:?}");
    }
    assert_eq!(
        tx.count_history(PatientId::new(), &HistoryFilter::default())
            .await
            .unwrap(),
        0
    );
    tx.commit().await.unwrap();
}

fn audit_entry(patient: Option<PatientId>, i: i64) -> AuditEntry {
    AuditEntry {
        id: Uuid::now_v7(),
        at: t0() + Duration::minutes(i),
        actor_account_id: Some(AccountId::new()),
        patient_id: patient,
        object_type: "care_plan".into(),
        object_id: Some(format!("obj-{i}")),
        action: "read".into(),
        purpose: "treatment".into(),
        request_id: Some(format!("req-{i}")),
    }
}

/// Walks a patient's access log three at a time: every entry about the patient that
/// names who acted comes once, newest first (by sequence), with its sequence number;
/// entries about other patients or without an actor are left out; the count agrees.
async fn access_log_pages_walk_the_patients_named_entries_newest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    let mut mine = Vec::new();
    for i in 0..11 {
        let e = match i % 4 {
            0 => audit_entry(Some(PatientId::new()), i),
            1 => AuditEntry {
                actor_account_id: None,
                ..audit_entry(Some(f.patient.id), i)
            },
            // The same instant for several: the sequence decides.
            _ => audit_entry(Some(f.patient.id), 0),
        };
        tx.append_audit(&e).await.unwrap();
        if i % 4 > 1 {
            mine.push(e);
        }
    }
    tx.commit().await.unwrap();
    mine.reverse();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.count_access_log(f.patient.id).await.unwrap(),
        mine.len() as i64
    );
    let mut walked: Vec<(i64, AuditEntry)> = Vec::new();
    let mut page = PageAt::first(3);
    for _ in 0..10 {
        let rows = tx.access_log(f.patient.id, &page).await.unwrap();
        assert!(rows.len() <= 3);
        let Some((seq, e)) = rows.last() else { break };
        page = PageAt::after(*seq, e.id, 3);
        walked.extend(rows);
    }
    assert!(
        walked.windows(2).all(|w| w[0].0 > w[1].0),
        "newest first by sequence"
    );
    assert_eq!(
        walked.into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
        mine,
        "every named entry once, every field round-trips"
    );
    assert_eq!(tx.count_access_log(PatientId::new()).await.unwrap(), 0);
    tx.commit().await.unwrap();
}

async fn audit_is_kept_in_append_order_and_counted(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    let before = tx.count_audit().await.unwrap();
    // Appended out of time order: the trail keeps append order, not time order.
    let entries = vec![
        audit_entry(Some(f.patient.id), 2),
        audit_entry(None, 0),
        audit_entry(Some(f.patient.id), 1),
        AuditEntry {
            actor_account_id: None,
            object_id: None,
            request_id: None,
            ..audit_entry(Some(f.patient.id), 3)
        },
    ];
    for e in &entries {
        tx.append_audit(e).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.count_audit().await.unwrap(), before + 4);
    assert_eq!(
        tx.list_audit(Some(f.patient.id), 100).await.unwrap(),
        vec![entries[0].clone(), entries[2].clone(), entries[3].clone()],
        "one patient's entries, in append order, every field round-trips"
    );
    assert_eq!(
        tx.list_audit(Some(f.patient.id), 2).await.unwrap(),
        vec![entries[0].clone(), entries[2].clone()],
        "limited to the oldest"
    );
    let all = tx.list_audit(None, 100).await.unwrap();
    assert_eq!(all.len() as i64, before + 4);
    assert_eq!(all[all.len() - 4..].to_vec(), entries, "everyone's entries");
    assert!(tx
        .list_audit(Some(PatientId::new()), 100)
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
}

async fn audit_chain_links_every_entry(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.audit_head().await.unwrap().0,
        0,
        "an empty trail's head is at 0"
    );
    for i in 0..3 {
        tx.append_audit(&AuditEntry {
            id: Uuid::now_v7(),
            // Nanoseconds are stored to the microsecond; the hash must agree.
            at: t0() + Duration::nanoseconds(1_234_567 + i),
            actor_account_id: None,
            patient_id: Some(f.patient.id),
            object_type: "patient".into(),
            object_id: None,
            action: "read".into(),
            purpose: "care".into(),
            request_id: None,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    seal_all(store).await;
    let mut tx = store.begin().await.unwrap();
    let all = tx.audit_records(0, 100_000).await.unwrap();
    assert_eq!(all.len(), 3);
    let mut prev = GENESIS_HASH.to_owned();
    let mut last_seq = 0;
    for r in &all {
        assert!(r.seq > last_seq, "sequence increases");
        assert_eq!(
            r.prev_hash.as_deref(),
            Some(prev.as_str()),
            "entry {} links to its predecessor",
            r.seq
        );
        let h = audit_hash(&prev, &r.entry);
        assert_eq!(
            r.hash.as_deref(),
            Some(h.as_str()),
            "entry {} hash recomputes",
            r.seq
        );
        prev = h;
        last_seq = r.seq;
    }
    assert_eq!(
        tx.audit_head().await.unwrap(),
        (last_seq, prev),
        "the head anchors the newest entry"
    );
    let page = tx.audit_records(all[0].seq, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![all[1].seq, all[2].seq],
        "paging by sequence"
    );
    assert!(tx.audit_records(last_seq, 10).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

/// Runs the sealer until it has linked every committed entry. A pass may stop at a gap
/// while an older transaction of another client still runs; it then passes the gap on
/// a later pass, once that transaction has ended.
pub async fn seal_all(store: &dyn Store) {
    loop {
        store.seal_audit().await.unwrap();
        let status = crate::chain::verify_chain(store, 1_000).await.unwrap();
        if status.unsealed == 0 {
            return;
        }
        // A store that seals before commit returns never has a tail to wait for.
        let pause = store.sealer_interval();
        assert!(
            pause.is_some(),
            "unsealed entries on a store with no sealer"
        );
        tokio::time::sleep(pause.unwrap_or_default() / 10).await;
    }
}

fn plain_entry(i: i64) -> AuditEntry {
    AuditEntry {
        id: Uuid::now_v7(),
        at: t0() + Duration::seconds(i),
        actor_account_id: None,
        patient_id: None,
        object_type: "patient".into(),
        object_id: None,
        action: "read".into(),
        purpose: "care".into(),
        request_id: Some(format!("seal-{i}")),
    }
}

/// A transaction that appended an entry and then rolled back leaves a hole in the
/// sequence; the sealer must link the entries on both sides of it (and never wait for
/// the hole forever), and `seal_audit` on a transaction seals what it can see.
async fn audit_sealer_passes_a_rolled_back_number(store: Arc<dyn Store>) {
    let store = &*store;
    let mut tx = store.begin().await.unwrap();
    tx.append_audit(&plain_entry(1)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.append_audit(&plain_entry(2)).await.unwrap();
    drop(tx); // rolled back: its number is never used
    let mut tx = store.begin().await.unwrap();
    tx.append_audit(&plain_entry(3)).await.unwrap();
    tx.commit().await.unwrap();
    seal_all(store).await;
    let status = crate::chain::verify_chain(store, 1).await.unwrap();
    assert_eq!((status.sealed, status.unsealed), (2, 0));
    let mut tx = store.begin_read().await.unwrap();
    let records = tx.audit_records(0, 10).await.unwrap();
    let ids: Vec<_> = records
        .iter()
        .map(|r| r.entry.request_id.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        ids,
        vec!["seal-1", "seal-3"],
        "the rolled-back entry is gone"
    );
    assert_eq!(
        records[1].prev_hash, records[0].hash,
        "linked across the hole"
    );
    drop(tx);
    // One more entry, sealed by a transaction's own pass.
    let mut tx = store.begin().await.unwrap();
    tx.append_audit(&plain_entry(4)).await.unwrap();
    tx.commit().await.unwrap();
    loop {
        let mut tx = store.begin().await.unwrap();
        let n = tx.seal_audit(10).await.unwrap();
        tx.commit().await.unwrap();
        let status = crate::chain::verify_chain(store, 2).await.unwrap();
        if status.unsealed == 0 {
            assert_eq!(status.sealed, 3);
            break;
        }
        assert_eq!(
            n, 0,
            "a pass that sealed something leaves nothing it could see"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// A read transaction sees committed data, refuses to change anything, and its audit
/// entries are durable once its commit returns (and gone if it is dropped instead).
async fn read_transactions_audit_durably_and_refuse_writes(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.get_patient(f.patient.id).await.unwrap().map(|p| p.id),
        Some(f.patient.id),
        "a read transaction sees what was committed"
    );
    let before = tx.count_audit().await.unwrap();
    tx.append_audit(&plain_entry(10)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    tx.append_audit(&plain_entry(11)).await.unwrap();
    drop(tx);
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.count_audit().await.unwrap(), before + 1);
    let all = tx.list_audit(None, 1_000).await.unwrap();
    assert!(all
        .iter()
        .any(|e| e.request_id.as_deref() == Some("seal-10")));
    assert!(!all
        .iter()
        .any(|e| e.request_id.as_deref() == Some("seal-11")));
    drop(tx);
    // On SQLite a read transaction runs on a query-only connection: a write fails
    // there instead of slipping past the writer. PostgreSQL runs reads on the pool and
    // may accept it; what must never happen is a write that succeeds and is then lost.
    let mut tx = store.begin_read().await.unwrap();
    let org = Organisation {
        id: OrganisationId::new(),
        ..f.org.clone()
    };
    match tx.insert_organisation(&org).await {
        Err(_) => drop(tx),
        Ok(()) => {
            assert_ne!(
                store.backend_name(),
                "sqlite",
                "SQLite's readers are query-only"
            );
            tx.commit().await.unwrap();
            let mut check = store.begin_read().await.unwrap();
            assert!(check.get_organisation(org.id).await.unwrap().is_some());
        }
    }
}

// ---------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------

async fn accounts_have_unique_usernames_and_are_found(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let gp = Account {
        professional_id: Some(f.gp.id),
        display_name: "Dr. Test Lege".into(),
        locale: Some("nb".into()),
        ..account("gp.test", AccountRole::Professional)
    };
    let admin = Account {
        disabled: true,
        ..account("admin.test", AccountRole::Admin)
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&gp).await.unwrap();
    tx.insert_account(&admin).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let dup = Account {
        id: AccountId::new(),
        ..gp.clone()
    };
    assert!(
        is_conflict(&tx.insert_account(&dup).await),
        "usernames are unique"
    );
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_account_by_username("gp.test")
            .await
            .unwrap()
            .as_ref(),
        Some(&gp)
    );
    assert_eq!(tx.get_account_by_username("nobody").await.unwrap(), None);
    assert_eq!(tx.get_account(gp.id).await.unwrap().as_ref(), Some(&gp));
    assert_eq!(
        tx.get_account(admin.id).await.unwrap().as_ref(),
        Some(&admin)
    );
    assert_eq!(tx.get_account(AccountId::new()).await.unwrap(), None);
    assert_eq!(
        tx.list_accounts().await.unwrap(),
        vec![admin, gp],
        "by username"
    );
    tx.commit().await.unwrap();
}

fn session(account: AccountId, hash: &str, created: DateTime<Utc>) -> SessionRecord {
    SessionRecord {
        id_hash: hash.into(),
        account_id: account,
        csrf_token: format!("csrf-{hash}").into(),
        created_at: created,
        last_seen_at: created,
        revoked: false,
    }
}

async fn sessions_are_touched_revoked_and_listed_newest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let acc = account("gp.test", AccountRole::Admin);
    let other = account("other", AccountRole::Admin);
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.insert_account(&other).await.unwrap();
    let s1 = session(acc.id, "h1", t0());
    let s2 = session(acc.id, "h2", t0() + Duration::minutes(1));
    let s3 = session(other.id, "h3", t0());
    for s in [&s1, &s2, &s3] {
        tx.insert_session(s).await.unwrap();
    }
    assert_eq!(tx.get_session("h1").await.unwrap().as_ref(), Some(&s1));
    assert_eq!(tx.get_session("nope").await.unwrap(), None);
    let (joined, owner) = tx.get_session_and_account("h1").await.unwrap().unwrap();
    assert_eq!(joined, s1, "the session as get_session reads it");
    assert_eq!(Some(owner), tx.get_account(s1.account_id).await.unwrap());
    assert_eq!(tx.get_session_and_account("nope").await.unwrap(), None);
    tx.touch_session("h1", t0() + Duration::minutes(5))
        .await
        .unwrap();
    let touched = SessionRecord {
        last_seen_at: t0() + Duration::minutes(5),
        ..s1.clone()
    };
    assert_eq!(tx.get_session("h1").await.unwrap().as_ref(), Some(&touched));
    assert_eq!(
        tx.list_sessions(acc.id).await.unwrap(),
        vec![s2.clone(), touched.clone()],
        "the account's own, newest first"
    );
    tx.revoke_session("h1").await.unwrap();
    assert_eq!(
        tx.list_sessions(acc.id).await.unwrap(),
        vec![s2.clone()],
        "revoked sessions are not listed"
    );
    assert_eq!(
        tx.get_session("h1").await.unwrap(),
        Some(SessionRecord {
            revoked: true,
            ..touched
        }),
        "a revoked session is still found, marked revoked"
    );
    assert_eq!(tx.list_sessions(other.id).await.unwrap(), vec![s3]);
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let r = tx.insert_session(&session(other.id, "h2", t0())).await;
    assert!(is_conflict(&r), "a session id is unique: {r:?}");
}

async fn api_tokens_are_found_by_their_hash(store: Arc<dyn Store>) {
    let store = &*store;
    let acc = account("ehr", AccountRole::Admin);
    let tok = ApiToken {
        id: TokenId::new(),
        account_id: acc.id,
        token_hash: "th".into(),
        name: "EHR".into(),
        scopes: "read".into(),
        created_at: t0(),
        expires_at: Some(t0() + Duration::days(30)),
        revoked: false,
        last_used_at: None,
    };
    let forever = ApiToken {
        id: TokenId::new(),
        token_hash: "th2".into(),
        name: "Script".into(),
        scopes: "read write".into(),
        expires_at: None,
        revoked: true,
        last_used_at: Some(t0() + Duration::minutes(3)),
        ..tok.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.insert_token(&tok).await.unwrap();
    tx.insert_token(&forever).await.unwrap();
    assert_eq!(
        tx.get_token_by_hash("th").await.unwrap().as_ref(),
        Some(&tok)
    );
    assert_eq!(
        tx.get_token_by_hash("th2").await.unwrap().as_ref(),
        Some(&forever)
    );
    assert_eq!(tx.get_token_by_hash("nope").await.unwrap(), None);
    let (joined, owner) = tx.get_token_and_account("th").await.unwrap().unwrap();
    assert_eq!(
        Some(&joined),
        tx.get_token_by_hash("th").await.unwrap().as_ref()
    );
    assert_eq!(
        Some(owner),
        tx.get_account(joined.account_id).await.unwrap()
    );
    assert_eq!(tx.get_token_and_account("nope").await.unwrap(), None);
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let clash = ApiToken {
        id: TokenId::new(),
        ..tok.clone()
    };
    assert!(
        is_conflict(&tx.insert_token(&clash).await),
        "token hashes are unique"
    );
}

fn api_token(account: AccountId, hash: &str, created: DateTime<Utc>) -> ApiToken {
    ApiToken {
        id: TokenId::new(),
        account_id: account,
        token_hash: hash.into(),
        name: format!("token {hash}"),
        scopes: "read".into(),
        created_at: created,
        expires_at: Some(created + Duration::days(90)),
        revoked: false,
        last_used_at: None,
    }
}

async fn api_tokens_are_listed_per_account_newest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let acc = account("ehr", AccountRole::Admin);
    let other = account("other", AccountRole::Admin);
    let older = api_token(acc.id, "t1", t0());
    let newer = ApiToken {
        expires_at: None,
        scopes: "read write".into(),
        ..api_token(acc.id, "t2", t0() + Duration::minutes(1))
    };
    // Created in the same instant as `older`: the later id comes first.
    let tied = api_token(acc.id, "t3", t0());
    let expired = ApiToken {
        expires_at: Some(t0() - Duration::days(1)),
        ..api_token(acc.id, "t4", t0() - Duration::days(91))
    };
    let revoked = ApiToken {
        revoked: true,
        ..api_token(acc.id, "t5", t0() + Duration::minutes(2))
    };
    let theirs = api_token(other.id, "t6", t0() + Duration::minutes(3));
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.insert_account(&other).await.unwrap();
    assert_eq!(tx.list_tokens(acc.id).await.unwrap(), vec![], "none yet");
    for t in [&older, &newer, &tied, &expired, &revoked, &theirs] {
        tx.insert_token(t).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.list_tokens(acc.id).await.unwrap(),
        vec![newer, tied, older, expired],
        "the account's own, not revoked (expired ones too), newest first, ties by id"
    );
    assert_eq!(tx.list_tokens(other.id).await.unwrap(), vec![theirs]);
    assert_eq!(tx.list_tokens(AccountId::new()).await.unwrap(), vec![]);
}

async fn api_tokens_are_revoked_only_by_their_own_account(store: Arc<dyn Store>) {
    let store = &*store;
    let acc = account("ehr", AccountRole::Admin);
    let other = account("other", AccountRole::Admin);
    let mine = api_token(acc.id, "t1", t0());
    let kept = api_token(acc.id, "t2", t0() + Duration::minutes(1));
    let theirs = api_token(other.id, "t3", t0());
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.insert_account(&other).await.unwrap();
    for t in [&mine, &kept, &theirs] {
        tx.insert_token(t).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let r = tx.revoke_token(acc.id, theirs.id).await;
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "another account's token is not found: {r:?}"
    );
    let r = tx.revoke_token(acc.id, TokenId::new()).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    tx.revoke_token(acc.id, mine.id).await.unwrap();
    let r = tx.revoke_token(acc.id, mine.id).await;
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "a revoked token is not revoked again: {r:?}"
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_token_by_hash("t1").await.unwrap(),
        Some(ApiToken {
            revoked: true,
            ..mine
        }),
        "a revoked token is still found, marked revoked"
    );
    assert_eq!(
        tx.get_token_by_hash("t3").await.unwrap().as_ref(),
        Some(&theirs),
        "the other account's token is untouched"
    );
    assert_eq!(tx.list_tokens(acc.id).await.unwrap(), vec![kept]);
    assert_eq!(
        tx.list_tokens(other.id).await.unwrap(),
        vec![theirs.clone()]
    );
    // Nor can its own account revoke it through someone else's id.
    let r = tx.revoke_token(other.id, mine.id).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
}

async fn api_token_last_use_is_written_at_most_once_a_minute(store: Arc<dyn Store>) {
    let store = &*store;
    let acc = account("ehr", AccountRole::Admin);
    let tok = api_token(acc.id, "t1", t0());
    let other = api_token(acc.id, "t2", t0());
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.insert_token(&tok).await.unwrap();
    tx.insert_token(&other).await.unwrap();
    tx.commit().await.unwrap();
    let last_used = |hash: &'static str| async move {
        let mut tx = store.begin().await.unwrap();
        tx.get_token_by_hash(hash)
            .await
            .unwrap()
            .unwrap()
            .last_used_at
    };
    let minute = Duration::minutes(1);
    let used = |at: DateTime<Utc>| async move {
        let mut tx = store.begin().await.unwrap();
        let wrote = tx.mark_token_used(tok.id, at, at - minute).await.unwrap();
        tx.commit().await.unwrap();
        wrote
    };
    let first = t0() + Duration::seconds(10);
    assert!(used(first).await, "never used: written");
    assert_eq!(last_used("t1").await, Some(first));
    assert!(
        !used(first + Duration::seconds(30)).await,
        "half a minute later: not written"
    );
    assert!(
        !used(first + minute).await,
        "exactly a minute later: not written yet"
    );
    assert_eq!(last_used("t1").await, Some(first));
    let later = first + minute + Duration::seconds(1);
    assert!(used(later).await, "over a minute later: written");
    assert_eq!(last_used("t1").await, Some(later));
    assert_eq!(last_used("t2").await, None, "other tokens are untouched");
    let mut tx = store.begin().await.unwrap();
    assert!(
        !tx.mark_token_used(TokenId::new(), later, later - minute)
            .await
            .unwrap(),
        "an unknown token: nothing written"
    );
}

async fn totp_steps_advance_and_recovery_codes_are_single_use(store: Arc<dyn Store>) {
    let store = &*store;
    let acc = account("gp.test", AccountRole::Admin);
    let other = account("other", AccountRole::Admin);
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.insert_account(&other).await.unwrap();
    tx.set_totp(acc.id, "JBSWY3DPEHPK3PXP", &["r1".into(), "r2".into()])
        .await
        .unwrap();
    let with_totp = tx.get_account(acc.id).await.unwrap().unwrap();
    assert_eq!(
        with_totp.totp_secret.as_ref().map(Secret::expose),
        Some("JBSWY3DPEHPK3PXP")
    );
    assert_eq!(with_totp.totp_last_step, None);
    assert!(tx.advance_totp_step(acc.id, 100).await.unwrap());
    assert!(
        !tx.advance_totp_step(acc.id, 100).await.unwrap(),
        "a step is accepted once"
    );
    assert!(
        !tx.advance_totp_step(acc.id, 99).await.unwrap(),
        "never an older one"
    );
    assert!(tx.advance_totp_step(acc.id, 101).await.unwrap());
    assert_eq!(
        tx.get_account(acc.id)
            .await
            .unwrap()
            .unwrap()
            .totp_last_step,
        Some(101)
    );
    assert!(tx.use_recovery_code(acc.id, "r1", t0()).await.unwrap());
    assert!(
        !tx.use_recovery_code(acc.id, "r1", t0()).await.unwrap(),
        "recovery codes are single-use"
    );
    assert!(!tx.use_recovery_code(acc.id, "nope", t0()).await.unwrap());
    assert!(
        !tx.use_recovery_code(other.id, "r2", t0()).await.unwrap(),
        "another account's code"
    );
    // Setting up again replaces the secret and the codes and forgets the last step.
    tx.set_totp(acc.id, "KRSXG5CTMVRXEZLU", &["r3".into()])
        .await
        .unwrap();
    let again = tx.get_account(acc.id).await.unwrap().unwrap();
    assert_eq!(
        again.totp_secret.as_ref().map(Secret::expose),
        Some("KRSXG5CTMVRXEZLU")
    );
    assert_eq!(again.totp_last_step, None);
    assert!(
        !tx.use_recovery_code(acc.id, "r2", t0()).await.unwrap(),
        "earlier codes are gone"
    );
    assert!(tx.use_recovery_code(acc.id, "r3", t0()).await.unwrap());
    assert!(tx.advance_totp_step(acc.id, 50).await.unwrap());
    assert_eq!(
        tx.get_account(other.id).await.unwrap().unwrap().totp_secret,
        None,
        "other accounts untouched"
    );
    tx.commit().await.unwrap();
}

async fn login_failures_are_counted_per_key_and_cleared(store: Arc<dyn Store>) {
    let store = &*store;
    let mut tx = store.begin().await.unwrap();
    for i in 0..3 {
        tx.record_login_failure("acct:gp.test", t0() + Duration::minutes(i))
            .await
            .unwrap();
    }
    tx.record_login_failure("addr:10.0.0.1", t0())
        .await
        .unwrap();
    assert_eq!(
        tx.count_login_failures("acct:gp.test", t0() + Duration::seconds(30))
            .await
            .unwrap(),
        2,
        "only those since"
    );
    assert_eq!(
        tx.count_login_failures("acct:gp.test", t0() + Duration::minutes(1))
            .await
            .unwrap(),
        2,
        "since is inclusive"
    );
    assert_eq!(
        tx.count_login_failures("acct:gp.test", t0() - Duration::days(1))
            .await
            .unwrap(),
        3
    );
    tx.clear_login_failures("acct:gp.test").await.unwrap();
    assert_eq!(
        tx.count_login_failures("acct:gp.test", t0() - Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        tx.count_login_failures("addr:10.0.0.1", t0())
            .await
            .unwrap(),
        1,
        "other keys are kept"
    );
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Consent
// ---------------------------------------------------------------------------------

/// The policy reads the membership, then the consent (a backend may read both at
/// once): the consent a transaction then saves is the one it reads back, and a
/// membership looked up for another patient does not answer for this one.
async fn consent_read_after_a_membership_follows_a_save(store: Arc<dyn Store>) {
    use samband_domain::consent::Consent;
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .active_membership(f.patient.id, f.gp.id, today())
        .await
        .unwrap()
        .is_some());
    assert_eq!(tx.get_consent(f.patient.id).await.unwrap(), None);
    let c = Consent {
        patient_id: f.patient.id,
        rules: Vec::new(),
        updated_at: Some(t0()),
        version: 0,
    };
    assert_eq!(tx.save_consent(&c, 0).await.unwrap(), 1);
    assert_eq!(
        tx.get_consent(f.patient.id)
            .await
            .unwrap()
            .map(|c| c.version),
        Some(1),
        "the consent just saved, not the one read with the membership"
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    assert!(tx
        .active_membership(f.patient.id, f.gp.id, today())
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        tx.get_consent(f.patient.id).await.unwrap(),
        Some(Consent {
            version: 1,
            ..c.clone()
        })
    );
    assert_eq!(
        tx.active_membership(PatientId::new(), f.gp.id, today())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        tx.get_consent(f.patient.id)
            .await
            .unwrap()
            .map(|c| c.version),
        Some(1),
        "after another patient's membership"
    );
    tx.commit().await.unwrap();
}

async fn consent_is_versioned_and_rules_round_trip(store: Arc<dyn Store>) {
    use samband_domain::consent::{
        Consent, ConsentPurpose, ConsentRule, ConsentSource, Recipient as To,
    };
    let store = &*store;
    let f = seed(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_consent(f.patient.id).await.unwrap(), None);
    let rule = ConsentRule {
        recipient: To::Organisation(f.org.id),
        category: Category::MentalHealth,
        permit: false,
        valid_from: Some(day("2026-11-01")),
        valid_to: None,
        purpose: Some(ConsentPurpose::Treatment),
        source: ConsentSource::Patient,
    };
    let c = Consent {
        patient_id: f.patient.id,
        rules: vec![rule.clone()],
        updated_at: Some(t0()),
        version: 0,
    };
    assert_eq!(tx.save_consent(&c, 0).await.unwrap(), 1);
    assert!(
        is_conflict(&tx.save_consent(&c, 0).await),
        "second create conflicts"
    );
    let mut wider = c.clone();
    wider.rules.push(ConsentRule {
        recipient: To::Sector(Sector::SocialSecurity),
        category: Category::WorkCapacity,
        permit: true,
        valid_to: Some(day("2027-01-01")),
        purpose: None,
        ..rule
    });
    wider.updated_at = Some(t0() + Duration::hours(1));
    assert_eq!(tx.save_consent(&wider, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.save_consent(&wider, 1).await));
    assert_eq!(
        tx.get_consent(f.patient.id).await.unwrap(),
        Some(Consent {
            version: 2,
            ..wider
        }),
        "rules round-trip exactly"
    );
    assert_eq!(tx.get_consent(PatientId::new()).await.unwrap(), None);
    tx.commit().await.unwrap();
}

async fn emergency_grants_expire_and_are_reviewed(store: Arc<dyn Store>) {
    let store = &*store;
    let f = seed(store).await;
    let er = Account {
        professional_id: Some(f.nurse.id),
        privacy_officer: true,
        ..account("er.doctor", AccountRole::Professional)
    };
    let reviewer = account("privacy.officer", AccountRole::Professional);
    let other = patient("Other Pasient");
    let mut tx = store.begin().await.unwrap();
    // The grant references an account row.
    tx.insert_account(&er).await.unwrap();
    tx.insert_account(&reviewer).await.unwrap();
    tx.insert_patient(&other).await.unwrap();
    assert!(
        tx.get_account(er.id)
            .await
            .unwrap()
            .unwrap()
            .privacy_officer,
        "the privacy-officer flag round-trips"
    );
    let g = EmergencyGrant {
        id: Uuid::now_v7(),
        patient_id: f.patient.id,
        account_id: er.id,
        reason_code: "acute_treatment".into(),
        reason_text: "Unconscious in the emergency room".into(),
        started_at: t0(),
        expires_at: t0() + Duration::hours(4),
        reviewed_at: None,
        reviewed_by: None,
    };
    let later = EmergencyGrant {
        id: Uuid::now_v7(),
        patient_id: other.id,
        started_at: t0() + Duration::hours(1),
        expires_at: t0() + Duration::hours(5),
        ..g.clone()
    };
    tx.insert_emergency(&g).await.unwrap();
    tx.insert_emergency(&later).await.unwrap();
    assert_eq!(
        tx.active_emergency(er.id, f.patient.id, t0() + Duration::hours(3))
            .await
            .unwrap()
            .as_ref(),
        Some(&g)
    );
    assert_eq!(
        tx.active_emergency(er.id, f.patient.id, t0())
            .await
            .unwrap()
            .as_ref(),
        Some(&g),
        "active from its start"
    );
    assert_eq!(
        tx.active_emergency(er.id, f.patient.id, t0() - Duration::seconds(1))
            .await
            .unwrap(),
        None,
        "not before it starts"
    );
    assert_eq!(
        tx.active_emergency(er.id, f.patient.id, t0() + Duration::hours(4))
            .await
            .unwrap(),
        None,
        "expired at the limit"
    );
    assert_eq!(
        tx.active_emergency(er.id, PatientId::new(), t0())
            .await
            .unwrap(),
        None,
        "one patient only"
    );
    assert_eq!(
        tx.active_emergency(reviewer.id, f.patient.id, t0())
            .await
            .unwrap(),
        None,
        "one professional only"
    );
    assert_eq!(
        tx.list_emergency(None, true).await.unwrap(),
        vec![later.clone(), g.clone()],
        "newest first"
    );
    assert_eq!(
        tx.list_emergency(Some(f.patient.id), true).await.unwrap(),
        vec![g.clone()]
    );
    // The review list, a page at a time, and each reviewer's share of it: a colleague
    // of the one who used the grants (same organisation) sees both, someone from
    // another organisation neither, an administrator (no reviewer) all.
    let elsewhere = organisation("Annen kommune", Sector::Municipal);
    let outsider = professional("Ute Sider", "Nurse", vec![elsewhere.id]);
    tx.insert_organisation(&elsewhere).await.unwrap();
    tx.insert_professional(&outsider).await.unwrap();
    let first = |limit| PageAt { after: None, limit };
    for reviewer in [None, Some(f.gp.id)] {
        assert_eq!(
            tx.emergency_review_page(reviewer, &first(10))
                .await
                .unwrap(),
            vec![later.clone(), g.clone()],
            "newest first, for {reviewer:?}"
        );
        assert_eq!(tx.count_emergency_review(reviewer).await.unwrap(), 2);
        assert_eq!(
            tx.emergency_for_review(g.id, reviewer)
                .await
                .unwrap()
                .as_ref(),
            Some(&g)
        );
    }
    assert_eq!(
        tx.emergency_review_page(Some(outsider.id), &first(10))
            .await
            .unwrap(),
        vec![],
        "not another organisation's grants"
    );
    assert_eq!(
        tx.count_emergency_review(Some(outsider.id)).await.unwrap(),
        0
    );
    assert_eq!(
        tx.emergency_for_review(g.id, Some(outsider.id))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        tx.emergency_review_page(None, &first(1)).await.unwrap(),
        vec![later.clone()],
        "the page is bounded"
    );
    assert_eq!(
        tx.emergency_review_page(
            None,
            &PageAt {
                after: Some(After {
                    key: later.started_at,
                    id: later.id,
                }),
                limit: 10,
            },
        )
        .await
        .unwrap(),
        vec![g.clone()],
        "the next page goes on after the cursor"
    );
    let at = t0() + Duration::days(1);
    tx.mark_emergency_reviewed(g.id, reviewer.id, at)
        .await
        .unwrap();
    let reviewed = EmergencyGrant {
        reviewed_at: Some(at),
        reviewed_by: Some(reviewer.id),
        ..g.clone()
    };
    assert_eq!(
        tx.list_emergency(None, true).await.unwrap(),
        vec![later.clone()],
        "reviewed grants are no longer open"
    );
    assert_eq!(
        tx.emergency_review_page(None, &first(10)).await.unwrap(),
        vec![later.clone()],
        "a reviewed grant leaves the review list"
    );
    assert_eq!(tx.count_emergency_review(None).await.unwrap(), 1);
    assert_eq!(tx.emergency_for_review(g.id, None).await.unwrap(), None);
    assert_eq!(
        tx.list_emergency(Some(f.patient.id), false).await.unwrap(),
        vec![reviewed.clone()]
    );
    // A second review is refused and does not overwrite the first.
    let r = tx
        .mark_emergency_reviewed(g.id, er.id, at + Duration::days(1))
        .await;
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "reviewed twice: {r:?}"
    );
    let r = tx.mark_emergency_reviewed(Uuid::now_v7(), er.id, at).await;
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "no such grant: {r:?}"
    );
    assert_eq!(
        tx.list_emergency(Some(f.patient.id), false).await.unwrap(),
        vec![reviewed]
    );
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------

async fn threads_are_listed_by_latest_activity_with_participants(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let older = seed_thread(store, &w, "Blood test", t0()).await;
    let newer = seed_thread(store, &w, "Sick leave", t0() + Duration::hours(1)).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_thread(older.id).await.unwrap().as_ref(),
        Some(&older)
    );
    assert_eq!(tx.get_thread(ThreadId::new()).await.unwrap(), None);
    assert_eq!(
        tx.list_threads(w.f.patient.id, &every(&w.gp), &PageAt::first(10))
            .await
            .unwrap(),
        vec![newer.clone(), older.clone()],
        "newest activity first"
    );
    assert!(tx
        .list_threads(PatientId::new(), &every(&w.gp), &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    // A repeat is a no-op, and leaves the transaction usable.
    tx.add_participant(older.id, w.patient.id).await.unwrap();
    assert!(tx.is_participant(older.id, w.patient.id).await.unwrap());
    assert!(!tx.is_participant(older.id, w.old_proxy.id).await.unwrap());
    assert!(!tx
        .is_participant(ThreadId::new(), w.patient.id)
        .await
        .unwrap());
    // A message moves its thread's last activity.
    let sent = t0() + Duration::hours(2);
    let m = message(&w, &older, sent, false);
    tx.insert_message(&m, &[recipient(&m, &w.patient)])
        .await
        .unwrap();
    let moved = Thread {
        last_message_at: sent,
        ..older.clone()
    };
    assert_eq!(
        tx.get_thread(older.id).await.unwrap().as_ref(),
        Some(&moved)
    );
    assert_eq!(
        tx.list_threads(w.f.patient.id, &every(&w.gp), &PageAt::first(10))
            .await
            .unwrap(),
        vec![moved.clone(), newer.clone()]
    );
    // The inbox lists only the threads the account takes part in.
    let inbox = tx
        .inbox_threads(w.patient.id, &PageAt::first(10))
        .await
        .unwrap();
    assert_eq!(
        inbox,
        vec![
            InboxThread {
                thread: moved.clone(),
                unread: 1,
                awaiting_ack: 0
            },
            InboxThread {
                thread: newer.clone(),
                unread: 0,
                awaiting_ack: 0
            },
        ]
    );
    assert_eq!(
        tx.inbox_threads(w.patient.id, &PageAt::first(1))
            .await
            .unwrap(),
        inbox[..1].to_vec(),
        "limited"
    );
    assert_eq!(
        tx.inbox_threads(
            w.patient.id,
            &PageAt::after(
                inbox[0].thread.last_message_at,
                inbox[0].thread.id.as_uuid(),
                10
            )
        )
        .await
        .unwrap(),
        inbox[1..].to_vec(),
        "the page after the first thread"
    );
    assert_eq!(
        tx.count_inbox(w.patient.id).await.unwrap(),
        inbox.len() as i64
    );
    assert_eq!(tx.count_inbox(AccountId::new()).await.unwrap(), 0);
    assert!(tx
        .inbox_threads(w.old_proxy.id, &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    tx.add_participant(newer.id, w.old_proxy.id).await.unwrap();
    assert_eq!(
        tx.inbox_threads(w.old_proxy.id, &PageAt::first(10))
            .await
            .unwrap()
            .iter()
            .map(|i| i.thread.id)
            .collect::<Vec<_>>(),
        vec![newer.id],
        "a participant added later sees the thread"
    );
    tx.commit().await.unwrap();
}

async fn message_receipts_move_from_sent_to_acknowledged(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let t = seed_thread(store, &w, "Blood test", t0()).await;
    let first = message(&w, &t, t0() + Duration::minutes(5), true);
    let second = Message {
        needs_ack: false,
        ack_due: None,
        urgent: true,
        body: "Fasting, please.".into(),
        ..message(&w, &t, t0() + Duration::minutes(6), false)
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_message(
        &first,
        &[recipient(&first, &w.patient), recipient(&first, &w.proxy)],
    )
    .await
    .unwrap();
    tx.insert_message(&second, &[recipient(&second, &w.patient)])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_message(first.id).await.unwrap().as_ref(),
        Some(&first)
    );
    assert_eq!(tx.get_message(MessageId::new()).await.unwrap(), None);
    assert_eq!(
        tx.list_messages(t.id).await.unwrap(),
        vec![first.clone(), second.clone()],
        "oldest first"
    );
    assert!(tx.list_messages(ThreadId::new()).await.unwrap().is_empty());
    let inbox = tx
        .inbox_threads(w.patient.id, &PageAt::first(10))
        .await
        .unwrap();
    assert_eq!(
        (inbox[0].unread, inbox[0].awaiting_ack),
        (2, 1),
        "two unread, one asks for a receipt"
    );
    let gp_inbox = tx.inbox_threads(w.gp.id, &PageAt::first(10)).await.unwrap();
    assert_eq!(
        (gp_inbox[0].unread, gp_inbox[0].awaiting_ack),
        (0, 0),
        "the author is no recipient"
    );
    assert_eq!(tx.unread_messages(w.patient.id).await.unwrap(), 2);
    assert_eq!(tx.unread_messages(w.proxy.id).await.unwrap(), 1);
    assert_eq!(tx.unread_messages(w.gp.id).await.unwrap(), 0);

    // Delivered once, when shown in the inbox.
    let t1 = t0() + Duration::hours(1);
    assert_eq!(tx.mark_delivered(w.patient.id, t1).await.unwrap(), 2);
    assert_eq!(tx.mark_delivered(w.patient.id, t1).await.unwrap(), 0);
    // Read when the thread is opened.
    let t2 = t0() + Duration::hours(2);
    assert_eq!(
        tx.mark_thread_read(t.id, w.patient.id, t2).await.unwrap(),
        2
    );
    assert_eq!(
        tx.mark_thread_read(t.id, w.patient.id, t2).await.unwrap(),
        0
    );
    assert_eq!(tx.unread_messages(w.patient.id).await.unwrap(), 0);
    assert_eq!(
        tx.unread_messages(w.proxy.id).await.unwrap(),
        1,
        "per recipient"
    );
    // Acknowledged once, and only by a recipient.
    let t3 = t0() + Duration::hours(3);
    assert!(tx.acknowledge(first.id, w.patient.id, t3).await.unwrap());
    assert!(!tx.acknowledge(first.id, w.patient.id, t3).await.unwrap());
    assert!(
        !tx.acknowledge(first.id, w.gp.id, t3).await.unwrap(),
        "not a recipient"
    );
    let inbox = tx
        .inbox_threads(w.patient.id, &PageAt::first(10))
        .await
        .unwrap();
    assert_eq!((inbox[0].unread, inbox[0].awaiting_ack), (0, 0));
    // Reading the thread marks an undelivered message delivered too.
    let t4 = t0() + Duration::hours(4);
    assert_eq!(tx.mark_thread_read(t.id, w.proxy.id, t4).await.unwrap(), 1);
    assert_eq!(
        tx.list_recipients(t.id).await.unwrap(),
        vec![
            Recipient {
                delivered_at: Some(t1),
                read_at: Some(t2),
                acknowledged_at: Some(t3),
                ..recipient(&first, &w.patient)
            },
            Recipient {
                delivered_at: Some(t4),
                read_at: Some(t4),
                ..recipient(&first, &w.proxy)
            },
            Recipient {
                delivered_at: Some(t1),
                read_at: Some(t2),
                ..recipient(&second, &w.patient)
            },
        ]
        .into_iter()
        .map(|r| ((r.message_id, r.name.clone()), r))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect::<Vec<_>>(),
        "every receipt, by message and recipient name"
    );
    // A receipt given straight away fills in delivered and read.
    let t5 = t0() + Duration::hours(5);
    let third = message(&w, &t, t5, true);
    tx.insert_message(&third, &[recipient(&third, &w.proxy)])
        .await
        .unwrap();
    assert!(tx.acknowledge(third.id, w.proxy.id, t5).await.unwrap());
    let r = tx
        .list_recipients(t.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.message_id == third.id)
        .unwrap();
    assert_eq!(
        (r.delivered_at, r.read_at, r.acknowledged_at),
        (Some(t5), Some(t5), Some(t5))
    );
    tx.commit().await.unwrap();
}

async fn unacknowledged_recipients_are_escalated_once(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let t = seed_thread(store, &w, "Referral", t0()).await;
    // Four more accounts; the two named alike are inserted in reverse id order.
    let mut ids = [AccountId::new(), AccountId::new()];
    ids.sort();
    let kari = Account {
        display_name: "Kari".into(),
        ..account("kari", AccountRole::Professional)
    };
    let anne = Account {
        display_name: "Anne".into(),
        ..account("anne", AccountRole::Professional)
    };
    let ola_hi = Account {
        id: ids[1],
        display_name: "Ola".into(),
        ..account("ola.b", AccountRole::Professional)
    };
    let ola_lo = Account {
        id: ids[0],
        display_name: "Ola".into(),
        ..account("ola.a", AccountRole::Professional)
    };
    let m = message(&w, &t, t0() + Duration::minutes(1), true);
    let mut tx = store.begin().await.unwrap();
    for a in [&kari, &anne, &ola_hi, &ola_lo] {
        tx.insert_account(a).await.unwrap();
    }
    // Inserted out of name order.
    tx.insert_message(
        &m,
        &[
            recipient(&m, &kari),
            recipient(&m, &ola_hi),
            recipient(&m, &w.patient),
            recipient(&m, &anne),
            recipient(&m, &ola_lo),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        tx.list_recipients(t.id)
            .await
            .unwrap()
            .iter()
            .map(|r| r.account_id)
            .collect::<Vec<_>>(),
        vec![anne.id, kari.id, ola_lo.id, ola_hi.id, w.patient.id],
        "by name, then account"
    );
    let t1 = t0() + Duration::hours(1);
    assert!(tx.acknowledge(m.id, w.patient.id, t1).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let t2 = t0() + Duration::days(3);
    let escalated = tx.escalate_unacknowledged(m.id, t2).await.unwrap();
    let esc = |a: &Account| Recipient {
        escalated_at: Some(t2),
        ..recipient(&m, a)
    };
    assert_eq!(
        escalated,
        vec![esc(&anne), esc(&kari), esc(&ola_lo), esc(&ola_hi)],
        "those without a receipt, by name then account"
    );
    assert!(
        tx.escalate_unacknowledged(m.id, t2 + Duration::days(1))
            .await
            .unwrap()
            .is_empty(),
        "escalated once"
    );
    assert!(tx
        .escalate_unacknowledged(MessageId::new(), t2)
        .await
        .unwrap()
        .is_empty());
    let stored = tx.list_recipients(t.id).await.unwrap();
    assert_eq!(
        stored.iter().filter(|r| r.escalated_at == Some(t2)).count(),
        4
    );
    assert_eq!(
        stored
            .iter()
            .find(|r| r.account_id == w.patient.id)
            .unwrap()
            .escalated_at,
        None,
        "an acknowledged receipt is not escalated"
    );
    // A late receipt still counts.
    assert!(tx.acknowledge(m.id, kari.id, t2).await.unwrap());
    tx.commit().await.unwrap();
}

async fn attachments_round_trip_and_need_their_message(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let t = seed_thread(store, &w, "Referral", t0()).await;
    let other = seed_thread(store, &w, "Other", t0()).await;
    let m = message(&w, &t, t0(), false);
    let m2 = message(&w, &other, t0(), false);
    let pdf = Attachment {
        id: AttachmentId::new(),
        message_id: m.id,
        file_name: "referral.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: 9,
        sha256: "abc".into(),
    };
    let png_bytes: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 0xff, 0x00, 0x10];
    let png = Attachment {
        id: AttachmentId::new(),
        file_name: "rash.png".into(),
        content_type: "image/png".into(),
        size_bytes: png_bytes.len() as i64,
        sha256: "def".into(),
        ..pdf.clone()
    };
    let elsewhere = Attachment {
        id: AttachmentId::new(),
        message_id: m2.id,
        ..pdf.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_message(&m, &[]).await.unwrap();
    tx.insert_message(&m2, &[]).await.unwrap();
    tx.insert_attachment(&pdf, b"%PDF-1.7\n").await.unwrap();
    tx.insert_attachment(&png, &png_bytes).await.unwrap();
    tx.insert_attachment(&elsewhere, b"x").await.unwrap();
    // An attachment needs its message; the refusal leaves the transaction usable.
    let orphan = Attachment {
        id: AttachmentId::new(),
        message_id: MessageId::new(),
        ..pdf.clone()
    };
    let r = tx.insert_attachment(&orphan, b"x").await;
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "an attachment to an unknown message: {r:?}"
    );
    let mut both = vec![pdf.clone(), png.clone()];
    both.sort_by_key(|a| a.id);
    assert_eq!(
        tx.list_attachments(t.id).await.unwrap(),
        both,
        "the thread's attachments, by id"
    );
    assert_eq!(
        tx.get_attachment(pdf.id).await.unwrap(),
        Some((pdf.clone(), t.id, b"%PDF-1.7\n".to_vec()))
    );
    assert_eq!(
        tx.get_attachment(png.id).await.unwrap(),
        Some((png.clone(), t.id, png_bytes)),
        "bytes round-trip exactly"
    );
    assert_eq!(tx.get_attachment(orphan.id).await.unwrap(), None);
    assert_eq!(
        tx.list_attachments(other.id).await.unwrap(),
        vec![elsewhere]
    );
    tx.commit().await.unwrap();
}

async fn accounts_are_found_for_professionals_and_patients(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    // The nurse has a disabled old account and two accounts created at the same time,
    // inserted in reverse id order: the earliest (then lowest id) enabled one is hers.
    let mut ids = [AccountId::new(), AccountId::new()];
    ids.sort();
    let nurse_old = Account {
        professional_id: Some(w.f.nurse.id),
        disabled: true,
        created_at: t0() - Duration::days(300),
        ..account("nurse.old", AccountRole::Professional)
    };
    let nurse_b = Account {
        id: ids[1],
        professional_id: Some(w.f.nurse.id),
        ..account("nurse.b", AccountRole::Professional)
    };
    let nurse_a = Account {
        id: ids[0],
        professional_id: Some(w.f.nurse.id),
        ..account("nurse.a", AccountRole::Professional)
    };
    // A second proxy created before the patient's own account.
    let early_proxy = Account {
        patient_id: Some(w.f.patient.id),
        created_at: t0() - Duration::days(1),
        ..account("aa.proxy", AccountRole::Proxy)
    };
    let mut tx = store.begin().await.unwrap();
    for a in [&nurse_old, &nurse_b, &nurse_a, &early_proxy] {
        tx.insert_account(a).await.unwrap();
    }
    assert_eq!(
        tx.account_for_professional(w.f.gp.id)
            .await
            .unwrap()
            .as_ref(),
        Some(&w.gp)
    );
    assert_eq!(
        tx.account_for_professional(w.f.nurse.id)
            .await
            .unwrap()
            .as_ref(),
        Some(&nurse_a)
    );
    assert_eq!(
        tx.account_for_professional(ProfessionalId::new())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        tx.accounts_for_patient(w.f.patient.id).await.unwrap(),
        vec![w.patient.clone(), early_proxy, w.proxy.clone()],
        "the patient's own account first, then proxies by username; disabled ones left out"
    );
    assert!(tx
        .accounts_for_patient(PatientId::new())
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------

async fn requests_are_versioned_and_listed_newest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let plain = seed_thread(store, &w, "Plain", t0()).await;
    let rthread = seed_thread(store, &w, "Status report", t0()).await;
    let later_thread = seed_thread(store, &w, "Advice", t0()).await;
    let req = Request {
        id: RequestId::new(),
        thread_id: rthread.id,
        patient_id: w.f.patient.id,
        kind: RequestKind::StatusReport,
        status: RequestStatus::Requested,
        questions: vec!["How is work going?".into(), "Any sick leave?".into()],
        answers: vec![],
        answer_note: None,
        decline_reason: None,
        requester_account_id: w.patient.id,
        requester_name: "Test Pasient".into(),
        addressee_account_id: w.gp.id,
        addressee_member_id: w.f.team.members[0].id,
        addressee_name: "Dr. Test Lege".into(),
        action_id: w.action.id,
        due_date: day("2026-11-09"),
        created_at: t0(),
        answered_at: None,
        version: 1,
    };
    let later = Request {
        id: RequestId::new(),
        thread_id: later_thread.id,
        kind: RequestKind::AdviceRequest,
        questions: vec!["Dose?".into()],
        created_at: t0() + Duration::hours(1),
        ..req.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_request(&req).await.unwrap();
    tx.insert_request(&later).await.unwrap();
    assert_eq!(tx.get_request(req.id).await.unwrap().as_ref(), Some(&req));
    assert_eq!(tx.get_request(RequestId::new()).await.unwrap(), None);
    assert_eq!(
        tx.request_for_thread(rthread.id).await.unwrap().as_ref(),
        Some(&req)
    );
    assert_eq!(tx.request_for_thread(plain.id).await.unwrap(), None);
    let answered = Request {
        status: RequestStatus::Answered,
        answers: vec!["Well".into(), "No".into()],
        answer_note: Some("Doing fine".into()),
        answered_at: Some(t0() + Duration::hours(2)),
        due_date: day("2026-11-10"),
        ..req.clone()
    };
    assert_eq!(tx.update_request(&answered, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_request(&answered, 1).await));
    let declined = Request {
        status: RequestStatus::Declined,
        decline_reason: Some("Not my field".into()),
        ..later.clone()
    };
    assert_eq!(tx.update_request(&declined, 1).await.unwrap(), 2);
    assert_eq!(
        tx.list_requests(w.f.patient.id, &every(&w.gp), &PageAt::first(10))
            .await
            .unwrap(),
        vec![
            Request {
                version: 2,
                ..declined
            },
            Request {
                version: 2,
                ..answered
            },
        ],
        "newest first"
    );
    assert!(tx
        .list_requests(PatientId::new(), &every(&w.gp), &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
    // One request per thread.
    let mut tx = store.begin().await.unwrap();
    let twin = Request {
        id: RequestId::new(),
        ..req.clone()
    };
    assert!(is_conflict(&tx.insert_request(&twin).await));
}

/// Every category, for participants and others alike.
fn every(reader: &Account) -> ThreadFilter<'static> {
    const ALL: &[&str] = &[
        "plan_and_actions",
        "clinical_notes",
        "medication",
        "mental_health",
        "work_capacity",
        "social_circumstances",
        "crisis_plan",
        "self_reports",
        "meeting_pre_reads",
    ];
    ThreadFilter {
        reader: reader.id,
        participant_categories: ALL,
        other_categories: ALL,
    }
}

/// Twelve threads (four activity times, two categories, the GP taking part in two of
/// every three) and a request on every other one: walked a few at a time under a
/// filter that lets the GP see both categories where they take part and only the plan
/// elsewhere, every visible thread and request comes once, in order, and nothing else;
/// the counts agree.
async fn thread_and_request_pages_hold_what_the_filter_lets_through_once_each(
    store: Arc<dyn Store>,
) {
    let store = &*store;
    let w = seed_world(store).await;
    let mut tx = store.begin().await.unwrap();
    let mut threads = Vec::new();
    let mut requests = Vec::new();
    for i in 0..12i64 {
        let t = Thread {
            category: if i % 2 == 0 {
                Category::PlanAndActions
            } else {
                Category::MentalHealth
            },
            ..thread(&w, &format!("t{i}"), t0() + Duration::hours(i % 4))
        };
        tx.insert_thread(&t).await.unwrap();
        tx.add_participant(t.id, w.patient.id).await.unwrap();
        let gp_takes_part = i % 3 != 0;
        if gp_takes_part {
            tx.add_participant(t.id, w.gp.id).await.unwrap();
        }
        if i % 2 == 1 || i % 4 == 0 {
            let r = Request {
                id: RequestId::new(),
                thread_id: t.id,
                patient_id: w.f.patient.id,
                kind: RequestKind::AdviceRequest,
                status: RequestStatus::Requested,
                questions: vec!["Dose?".into()],
                answers: vec![],
                answer_note: None,
                decline_reason: None,
                requester_account_id: w.patient.id,
                requester_name: "Test Pasient".into(),
                addressee_account_id: w.gp.id,
                addressee_member_id: w.f.team.members[0].id,
                addressee_name: "Dr. Test Lege".into(),
                action_id: w.action.id,
                due_date: day("2026-11-09"),
                created_at: t0() + Duration::minutes(i % 3),
                answered_at: None,
                version: 1,
            };
            tx.insert_request(&r).await.unwrap();
            requests.push((r, gp_takes_part, t.category));
        }
        threads.push((t, gp_takes_part));
    }
    tx.commit().await.unwrap();
    let filter = ThreadFilter {
        reader: w.gp.id,
        participant_categories: &["plan_and_actions", "mental_health"],
        other_categories: &["plan_and_actions"],
    };
    let visible = |part: bool, c: Category| part || c == Category::PlanAndActions;
    let mut want_threads: Vec<&Thread> = threads
        .iter()
        .filter(|(t, part)| visible(*part, t.category))
        .map(|(t, _)| t)
        .collect();
    want_threads.sort_by(|a, b| {
        b.last_message_at
            .cmp(&a.last_message_at)
            .then(b.id.cmp(&a.id))
    });
    let mut want_requests: Vec<&Request> = requests
        .iter()
        .filter(|(_, part, c)| visible(*part, *c))
        .map(|(r, _, _)| r)
        .collect();
    want_requests.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    assert!(
        want_threads.len() < threads.len(),
        "the filter holds some back"
    );

    let mut tx = store.begin().await.unwrap();
    let p = w.f.patient.id;
    assert_eq!(
        tx.count_threads(p, &filter).await.unwrap(),
        want_threads.len() as i64
    );
    assert_eq!(tx.count_threads(p, &every(&w.gp)).await.unwrap(), 12);
    assert_eq!(
        tx.count_requests(p, &filter).await.unwrap(),
        want_requests.len() as i64
    );
    let mut walked = Vec::new();
    let mut page = PageAt::first(3);
    for _ in 0..20 {
        let rows = tx.list_threads(p, &filter, &page).await.unwrap();
        assert!(rows.len() <= 3);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.last_message_at, last.id.as_uuid(), 3);
        walked.extend(rows);
    }
    assert_eq!(
        walked.iter().map(|t| t.id).collect::<Vec<_>>(),
        want_threads.iter().map(|t| t.id).collect::<Vec<_>>(),
        "every visible thread once, newest activity first"
    );
    let mut walked = Vec::new();
    let mut page = PageAt::first(2);
    for _ in 0..20 {
        let rows = tx.list_requests(p, &filter, &page).await.unwrap();
        assert!(rows.len() <= 2);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.created_at, last.id.as_uuid(), 2);
        walked.extend(rows);
    }
    assert_eq!(
        walked.iter().map(|r| r.id).collect::<Vec<_>>(),
        want_requests.iter().map(|r| r.id).collect::<Vec<_>>(),
        "every visible request once, newest first"
    );
    // The patient takes part in all twelve: their inbox walks them all, in order.
    let mut all: Vec<&Thread> = threads.iter().map(|(t, _)| t).collect();
    all.sort_by(|a, b| {
        b.last_message_at
            .cmp(&a.last_message_at)
            .then(b.id.cmp(&a.id))
    });
    assert_eq!(tx.count_inbox(w.patient.id).await.unwrap(), 12);
    let mut walked = Vec::new();
    let mut page = PageAt::first(5);
    for _ in 0..20 {
        let rows = tx.inbox_threads(w.patient.id, &page).await.unwrap();
        assert!(rows.len() <= 5);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.thread.last_message_at, last.thread.id.as_uuid(), 5);
        walked.extend(rows.into_iter().map(|i| i.thread.id));
    }
    assert_eq!(
        walked,
        all.iter().map(|t| t.id).collect::<Vec<_>>(),
        "the inbox: every thread once, newest activity first"
    );
    // Nothing let through: empty and zero.
    let none = ThreadFilter {
        reader: w.gp.id,
        participant_categories: &[],
        other_categories: &[],
    };
    assert!(tx
        .list_threads(p, &none, &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(tx.count_requests(p, &none).await.unwrap(), 0);
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------

fn test_job(now: DateTime<Utc>) -> Job {
    Job::new("email", json!({ "n": 1 }), now, now)
}

/// Four runners drain 200 due jobs: each job is claimed exactly once.
async fn jobs_are_claimed_once_by_concurrent_runners(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let mut ids = std::collections::HashSet::new();
    let mut tx = store.begin().await.unwrap();
    for _ in 0..200 {
        let j = test_job(now);
        ids.insert(j.id);
        assert!(tx.enqueue_job(&j).await.unwrap());
    }
    tx.commit().await.unwrap();
    let lease = now + Duration::hours(1);
    let mut runners = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        runners.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            loop {
                let mut tx = store.begin().await.unwrap();
                let j = tx.claim_job(now, lease).await.unwrap();
                tx.commit().await.unwrap();
                match j {
                    Some(j) => {
                        assert_eq!(j.status, "running");
                        assert_eq!(j.attempts, 1);
                        assert_eq!(j.lease_until, Some(lease));
                        claimed.push(j.id);
                    }
                    None => break claimed,
                }
            }
        }));
    }
    let mut all = Vec::new();
    for r in runners {
        all.extend(r.await.unwrap());
    }
    let unique: std::collections::HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), 200, "every job claimed once, none twice");
    assert_eq!(unique, ids);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.count_jobs("running").await.unwrap(), 200);
    assert_eq!(tx.count_jobs("pending").await.unwrap(), 0);
    assert_eq!(tx.next_job_at().await.unwrap(), None);
    for id in &ids {
        assert!(tx.finish_job(*id, 1, now).await.unwrap());
    }
    // Twice, or at an attempt that is not the claim's, finishes nothing.
    let some = *ids.iter().next().unwrap();
    assert!(!tx.finish_job(some, 1, now).await.unwrap(), "already done");
    assert_eq!(tx.count_jobs("running").await.unwrap(), 0);
    assert_eq!(tx.count_jobs("done").await.unwrap(), 200);
    tx.commit().await.unwrap();
}

async fn job_dedupe_keys_enqueue_once(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
    let mut tx = store.begin().await.unwrap();
    let first = Job::new(
        "daily_digest",
        json!({"account": "a", "list": [1, 2], "text": "Å «x»"}),
        now,
        now,
    )
    .dedupe("daily_digest:2026-11-24");
    assert!(tx.enqueue_job(&first).await.unwrap());
    // The repeat is refused without poisoning the transaction.
    assert!(!tx
        .enqueue_job(&test_job(now).dedupe("daily_digest:2026-11-24"))
        .await
        .unwrap());
    // Jobs without a key never clash.
    assert!(tx.enqueue_job(&test_job(now)).await.unwrap());
    assert!(tx.enqueue_job(&test_job(now)).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(
        !tx.enqueue_job(&test_job(now).dedupe("daily_digest:2026-11-24"))
            .await
            .unwrap(),
        "a committed key refuses later enqueues"
    );
    assert_eq!(tx.count_jobs("pending").await.unwrap(), 3);
    assert_eq!(
        tx.get_job(first.id).await.unwrap().as_ref(),
        Some(&first),
        "every field round-trips"
    );
    // Even a finished job keeps its key.
    assert!(tx.finish_job(first.id, 0, now).await.unwrap());
    assert!(!tx
        .enqueue_job(&test_job(now).dedupe("daily_digest:2026-11-24"))
        .await
        .unwrap());
    assert!(tx
        .enqueue_job(&test_job(now).dedupe("daily_digest:2026-11-25"))
        .await
        .unwrap());
    tx.commit().await.unwrap();
}

async fn job_leases_expire_and_jobs_retry_die_and_revive(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
    let j = test_job(now);
    let later = Job::new("email", json!({}), now + Duration::hours(2), now);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.enqueue_job(&j).await.unwrap());
    assert!(tx.enqueue_job(&later).await.unwrap());
    // Not due yet: nothing to claim before run_at.
    assert_eq!(
        tx.claim_job(now - Duration::seconds(1), now).await.unwrap(),
        None
    );
    tx.commit().await.unwrap();

    // A claim leases the job; while the lease holds nobody else gets it.
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .claim_job(now, now + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first,
        Job {
            status: "running".into(),
            attempts: 1,
            lease_until: Some(now + Duration::seconds(30)),
            ..j.clone()
        }
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.claim_job(now + Duration::seconds(10), now + Duration::seconds(40))
            .await
            .unwrap()
            .is_none(),
        "a leased job and a job not yet due are not claimed"
    );
    // The runner died: once the lease has run out another runner takes the job.
    let again = tx
        .claim_job(now + Duration::seconds(31), now + Duration::seconds(90))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (j.id, 2));
    assert_eq!(again.lease_until, Some(now + Duration::seconds(90)));

    // Retry: only under the current claim (attempt 2); the runner that lost its lease
    // (attempt 1) changes nothing.
    let retry_at = now + Duration::minutes(1);
    assert!(!tx.retry_job(j.id, 1, retry_at, "stale").await.unwrap());
    assert!(!tx.bury_job(j.id, 1, retry_at, "stale").await.unwrap());
    let still = tx.get_job(j.id).await.unwrap().unwrap();
    assert_eq!((still.status.as_str(), still.last_error), ("running", None));
    // Pending again at a later time, with the error kept.
    assert!(tx
        .retry_job(j.id, 2, retry_at, "421 try later")
        .await
        .unwrap());
    let r = tx.get_job(j.id).await.unwrap().unwrap();
    assert_eq!(
        (
            r.status.as_str(),
            r.run_at,
            r.lease_until,
            r.last_error.as_deref(),
            r.attempts
        ),
        ("pending", retry_at, None, Some("421 try later"), 2)
    );
    assert_eq!(tx.next_job_at().await.unwrap(), Some(retry_at));
    assert!(
        tx.claim_job(now + Duration::seconds(59), now + Duration::hours(1))
            .await
            .unwrap()
            .is_none(),
        "not before its new time"
    );
    assert!(
        !tx.revive_job(j.id, now).await.unwrap(),
        "only dead jobs revive"
    );
    // Buried.
    let buried_at = now + Duration::minutes(2);
    assert!(tx.bury_job(j.id, 2, buried_at, "gave up").await.unwrap());
    assert!(
        !tx.retry_job(j.id, 2, buried_at, "late").await.unwrap(),
        "a dead job is not retried by a runner"
    );
    let dead = tx.get_job(j.id).await.unwrap().unwrap();
    assert_eq!(
        (
            dead.status.as_str(),
            dead.finished_at,
            dead.lease_until,
            dead.last_error.as_deref()
        ),
        ("dead", Some(buried_at), None, Some("gave up"))
    );
    assert_eq!(tx.count_jobs("dead").await.unwrap(), 1);
    assert_eq!(tx.list_jobs(Some("dead"), 10).await.unwrap(), vec![dead]);
    assert_eq!(
        tx.next_job_at().await.unwrap(),
        Some(later.run_at),
        "a dead job is not due"
    );
    assert!(
        tx.claim_job(now + Duration::minutes(3), now + Duration::hours(1))
            .await
            .unwrap()
            .is_none(),
        "a dead job is not claimed"
    );
    // An administrator revives it: pending, attempts reset, the last error kept.
    let revive_at = now + Duration::minutes(5);
    assert!(tx.revive_job(j.id, revive_at).await.unwrap());
    let revived = tx.get_job(j.id).await.unwrap().unwrap();
    assert_eq!(
        revived,
        Job {
            run_at: revive_at,
            last_error: Some("gave up".into()),
            ..j.clone()
        }
    );
    let c = tx
        .claim_job(revive_at, revive_at + Duration::seconds(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.id, c.attempts), (j.id, 1));
    // A runner whose lease ran out while another claimed the job again (a later
    // attempt) finishes nothing: its transaction is dropped and the effect not kept.
    assert!(
        !tx.finish_job(c.id, 0, revive_at).await.unwrap(),
        "a stale claim"
    );
    assert_eq!(tx.get_job(c.id).await.unwrap().unwrap().status, "running");
    assert!(tx.finish_job(c.id, c.attempts, revive_at).await.unwrap());
    let done = tx.get_job(j.id).await.unwrap().unwrap();
    assert_eq!(
        (done.status.as_str(), done.finished_at, done.lease_until),
        ("done", Some(revive_at), None)
    );
    assert_eq!(tx.next_job_at().await.unwrap(), Some(later.run_at));
    // The job due later is claimed when its time comes.
    let l = tx
        .claim_job(later.run_at, later.run_at + Duration::seconds(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(l.id, later.id);
    assert!(tx.finish_job(l.id, l.attempts, later.run_at).await.unwrap());
    assert_eq!(tx.next_job_at().await.unwrap(), None);
    tx.commit().await.unwrap();
}

async fn jobs_are_listed_newest_first_and_counted(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
    let jobs: Vec<Job> = (0..4)
        .map(|i| {
            Job::new(
                "email",
                json!({ "i": i }),
                now + Duration::minutes(10 - i),
                now + Duration::seconds(i),
            )
        })
        .collect();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_job(JobId::new()).await.unwrap(), None);
    assert!(tx.list_jobs(None, 10).await.unwrap().is_empty());
    assert_eq!(tx.next_job_at().await.unwrap(), None);
    for j in &jobs {
        assert!(tx.enqueue_job(j).await.unwrap());
    }
    assert!(tx.bury_job(jobs[1].id, 0, now, "broken").await.unwrap());
    assert!(tx.finish_job(jobs[2].id, 0, now).await.unwrap());
    let ids = |v: Vec<Job>| v.into_iter().map(|j| j.id).collect::<Vec<_>>();
    assert_eq!(
        ids(tx.list_jobs(None, 10).await.unwrap()),
        vec![jobs[3].id, jobs[2].id, jobs[1].id, jobs[0].id],
        "newest first"
    );
    assert_eq!(
        ids(tx.list_jobs(None, 2).await.unwrap()),
        vec![jobs[3].id, jobs[2].id],
        "limited"
    );
    assert_eq!(
        ids(tx.list_jobs(Some("pending"), 10).await.unwrap()),
        vec![jobs[3].id, jobs[0].id]
    );
    assert_eq!(
        ids(tx.list_jobs(Some("done"), 10).await.unwrap()),
        vec![jobs[2].id]
    );
    assert!(tx.list_jobs(Some("running"), 10).await.unwrap().is_empty());
    assert_eq!(tx.count_jobs("pending").await.unwrap(), 2);
    assert_eq!(tx.count_jobs("dead").await.unwrap(), 1);
    assert_eq!(tx.count_jobs("done").await.unwrap(), 1);
    assert_eq!(tx.count_jobs("running").await.unwrap(), 0);
    // The soonest pending job, not the dead or done ones due earlier.
    assert_eq!(tx.next_job_at().await.unwrap(), Some(jobs[3].run_at));
    // Claims take the job due first.
    let c = tx
        .claim_job(now + Duration::hours(1), now + Duration::hours(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.id, jobs[3].id, "the oldest due job first");
    assert_eq!(
        tx.next_job_at().await.unwrap(),
        Some(jobs[0].run_at),
        "a running job is not pending"
    );
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------

fn note(w: &World, account: &Account, kind: &str, at: DateTime<Utc>, email: &str) -> Notification {
    Notification {
        id: NotificationId::new(),
        account_id: account.id,
        patient_id: Some(w.f.patient.id),
        kind: kind.into(),
        thread_id: None,
        actor_name: Some("Test Pasient".into()),
        detail: Some("3".into()),
        created_at: at,
        read_at: None,
        email_status: email.into(),
    }
}

async fn notifications_are_newest_first_and_marked_read(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let t = seed_thread(store, &w, "Blood test", t0()).await;
    let n1 = Notification {
        thread_id: Some(t.id),
        ..note(&w, &w.gp, "message", t0() + Duration::hours(2), "none")
    };
    let n2 = Notification {
        patient_id: None,
        actor_name: None,
        detail: None,
        ..note(&w, &w.gp, "job_dead", t0() + Duration::hours(1), "queued")
    };
    let n3 = note(&w, &w.gp, "ongoing", t0() + Duration::hours(3), "none");
    let theirs = note(&w, &w.patient, "request", t0(), "none");
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .list_notifications(w.gp.id, &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(tx.unread_notifications(w.gp.id).await.unwrap(), 0);
    for n in [&n1, &n2, &n3, &theirs] {
        tx.insert_notification(n).await.unwrap();
    }
    assert_eq!(
        tx.list_notifications(w.gp.id, &PageAt::first(10))
            .await
            .unwrap(),
        vec![n3.clone(), n1.clone(), n2.clone()],
        "the account's own, newest first, every field round-trips"
    );
    assert_eq!(
        tx.list_notifications(w.gp.id, &PageAt::first(2))
            .await
            .unwrap(),
        vec![n3.clone(), n1.clone()],
        "limited"
    );
    assert_eq!(tx.unread_notifications(w.gp.id).await.unwrap(), 3);
    assert_eq!(tx.count_notifications(w.gp.id).await.unwrap(), 3);
    // The page after n1 holds only n2.
    assert_eq!(
        tx.list_notifications(w.gp.id, &PageAt::after(n1.created_at, n1.id.as_uuid(), 10))
            .await
            .unwrap(),
        vec![n2.clone()]
    );
    let at = t0() + Duration::days(1);
    assert_eq!(tx.mark_notifications_read(w.gp.id, at).await.unwrap(), 3);
    assert_eq!(tx.mark_notifications_read(w.gp.id, at).await.unwrap(), 0);
    assert_eq!(tx.unread_notifications(w.gp.id).await.unwrap(), 0);
    assert_eq!(
        tx.list_notifications(w.gp.id, &PageAt::first(1))
            .await
            .unwrap(),
        vec![Notification {
            read_at: Some(at),
            ..n3
        }]
    );
    assert_eq!(
        tx.unread_notifications(w.patient.id).await.unwrap(),
        1,
        "other accounts untouched"
    );
    tx.commit().await.unwrap();
}

/// Walks 11 notifications and 9 meetings, most sharing their timestamp, a few at a
/// time: every row once, in the list's order (notifications newest first, meetings
/// soonest first; ties by id), and the counts agree.
async fn notification_and_meeting_pages_walk_every_row_once_with_ties(store: Arc<dyn Store>) {
    let store = &*store;
    let m = seed_meetings(store).await;
    let w = &m.w;
    let mut tx = store.begin().await.unwrap();
    let mut notes = Vec::new();
    for i in 0..11 {
        let n = note(w, &w.gp, "message", t0() + Duration::hours(i % 3), "none");
        tx.insert_notification(&n).await.unwrap();
        notes.push(n);
    }
    // The fixture's two meetings, and seven more at two start times.
    let mut meetings = vec![m.meeting.clone(), m.sooner.clone()];
    for i in 0..7 {
        let x = Meeting {
            id: MeetingId::new(),
            starts_at: m.sooner.starts_at + Duration::hours(i % 2),
            ..m.sooner.clone()
        };
        tx.insert_meeting(&x).await.unwrap();
        tx.insert_participant(&Participant {
            id: ParticipantId::new(),
            meeting_id: x.id,
            ..m.member.clone()
        })
        .await
        .unwrap();
        meetings.push(x);
    }
    notes.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    meetings.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.id.cmp(&b.id)));
    assert_eq!(tx.count_notifications(w.gp.id).await.unwrap(), 11);
    assert_eq!(tx.count_meetings(w.f.patient.id).await.unwrap(), 9);

    let mut walked = Vec::new();
    let mut page = PageAt::first(4);
    for _ in 0..10 {
        let rows = tx.list_notifications(w.gp.id, &page).await.unwrap();
        assert!(rows.len() <= 4);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.created_at, last.id.as_uuid(), 4);
        walked.extend(rows);
    }
    assert_eq!(walked, notes, "every notification once, newest first");

    let mut walked = Vec::new();
    let mut page = PageAt::first(2);
    for _ in 0..10 {
        let rows = tx.list_meetings(w.f.patient.id, &page).await.unwrap();
        assert!(rows.len() <= 2);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.starts_at, last.id.as_uuid(), 2);
        walked.extend(rows);
    }
    assert_eq!(
        walked.iter().map(|x| x.id).collect::<Vec<_>>(),
        meetings.iter().map(|x| x.id).collect::<Vec<_>>(),
        "every meeting once, soonest first"
    );
    // The GP is invited to the fixture's meeting and the seven: walked two at a time.
    let mine: Vec<MeetingId> = meetings
        .iter()
        .filter(|x| x.id != m.sooner.id)
        .map(|x| x.id)
        .collect();
    let from = t0() - Duration::days(365);
    assert_eq!(
        tx.count_meetings_for_account(w.gp.id, from).await.unwrap(),
        mine.len() as i64
    );
    let mut walked = Vec::new();
    let mut page = PageAt::first(2);
    for _ in 0..10 {
        let rows = tx.meetings_for_account(w.gp.id, from, &page).await.unwrap();
        assert!(rows.len() <= 2);
        let Some(last) = rows.last() else { break };
        page = PageAt::after(last.starts_at, last.id.as_uuid(), 2);
        walked.extend(rows.into_iter().map(|x| x.id));
    }
    assert_eq!(
        walked, mine,
        "every meeting of the GP's once, soonest first"
    );
    tx.commit().await.unwrap();
}

async fn digests_are_taken_once_oldest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let t1 = t0() + Duration::hours(1);
    let t2 = t0() + Duration::hours(2);
    let a = note(&w, &w.gp, "message", t2, "digest");
    // Two at the same time, inserted in reverse id order.
    let mut tie = [
        note(&w, &w.gp, "request", t1, "digest"),
        note(&w, &w.gp, "ongoing", t1, "digest"),
    ];
    tie.sort_by_key(|n| n.id);
    let none = note(&w, &w.gp, "ongoing", t0(), "none");
    let queued = note(&w, &w.gp, "ongoing", t0(), "queued");
    let theirs = note(&w, &w.patient, "request", t0(), "digest");
    let mut tx = store.begin().await.unwrap();
    assert!(tx.digest_accounts().await.unwrap().is_empty());
    for n in [&a, &tie[1], &tie[0], &none, &queued, &theirs] {
        tx.insert_notification(n).await.unwrap();
    }
    let mut waiting = vec![w.gp.id, w.patient.id];
    waiting.sort();
    assert_eq!(
        tx.digest_accounts().await.unwrap(),
        waiting,
        "each account once, by id"
    );
    let digested = |n: &Notification| Notification {
        email_status: "digested".into(),
        ..n.clone()
    };
    assert_eq!(
        tx.take_digest(w.gp.id).await.unwrap(),
        vec![digested(&tie[0]), digested(&tie[1]), digested(&a)],
        "oldest first (then by id), marked digested"
    );
    assert!(
        tx.take_digest(w.gp.id).await.unwrap().is_empty(),
        "taken once"
    );
    assert_eq!(tx.digest_accounts().await.unwrap(), vec![w.patient.id]);
    let listed = tx
        .list_notifications(w.gp.id, &PageAt::first(10))
        .await
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|n| (n.id, n.email_status.as_str()))
            .collect::<std::collections::BTreeMap<_, _>>(),
        [
            (a.id, "digested"),
            (tie[0].id, "digested"),
            (tie[1].id, "digested"),
            (none.id, "none"),
            (queued.id, "queued"),
        ]
        .into_iter()
        .collect(),
        "the others keep their e-mail status"
    );
    assert_eq!(tx.unread_notifications(w.gp.id).await.unwrap(), 5);
    assert_eq!(tx.take_digest(w.patient.id).await.unwrap().len(), 1);
    assert!(tx.digest_accounts().await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

async fn notification_prefs_are_saved_and_replaced(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_prefs(w.gp.id).await.unwrap(), None);
    let mut prefs = NotificationPrefs {
        account_id: w.gp.id,
        email: Some("gp@example.org".into()),
        mode: "immediate".into(),
    };
    tx.save_prefs(&prefs).await.unwrap();
    assert_eq!(tx.get_prefs(w.gp.id).await.unwrap().as_ref(), Some(&prefs));
    prefs.mode = "digest".into();
    prefs.email = None;
    tx.save_prefs(&prefs).await.unwrap();
    assert_eq!(
        tx.get_prefs(w.gp.id).await.unwrap().as_ref(),
        Some(&prefs),
        "replaced, the address cleared"
    );
    let theirs = NotificationPrefs {
        account_id: w.patient.id,
        email: None,
        mode: "off".into(),
    };
    tx.save_prefs(&theirs).await.unwrap();
    assert_eq!(tx.get_prefs(w.gp.id).await.unwrap(), Some(prefs));
    assert_eq!(tx.get_prefs(w.patient.id).await.unwrap(), Some(theirs));
    tx.commit().await.unwrap();
}

async fn follows_are_kept_once_and_unfollowed(store: Arc<dyn Store>) {
    let store = &*store;
    let w = seed_world(store).await;
    let other = patient("Other Pasient");
    let f = Follow {
        account_id: w.gp.id,
        patient_id: w.f.patient.id,
        since: t0(),
        digested_until: t0(),
    };
    let g = Follow {
        patient_id: other.id,
        since: t0() + Duration::days(1),
        digested_until: t0() + Duration::days(1),
        ..f.clone()
    };
    let h = Follow {
        account_id: w.patient.id,
        ..f.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_patient(&other).await.unwrap();
    assert!(tx.list_follows(None).await.unwrap().is_empty());
    tx.follow(&f).await.unwrap();
    // A repeat is a no-op and keeps the first.
    tx.follow(&Follow {
        since: t0() + Duration::days(9),
        ..f.clone()
    })
    .await
    .unwrap();
    tx.follow(&g).await.unwrap();
    tx.follow(&h).await.unwrap();
    let t4 = t0() + Duration::days(3);
    tx.set_digested_until(w.gp.id, w.f.patient.id, t4)
        .await
        .unwrap();
    let moved = Follow {
        digested_until: t4,
        ..f.clone()
    };
    let mut mine = vec![moved.clone(), g.clone()];
    mine.sort_by_key(|x| x.patient_id);
    assert_eq!(
        tx.list_follows(Some(w.gp.id)).await.unwrap(),
        mine,
        "the account's, by patient"
    );
    let mut all = vec![moved, g, h.clone()];
    all.sort_by_key(|x| (x.account_id, x.patient_id));
    assert_eq!(
        tx.list_follows(None).await.unwrap(),
        all,
        "everyone's, by account and patient"
    );
    assert_eq!(tx.list_follows(Some(w.patient.id)).await.unwrap(), vec![h]);
    assert!(tx.unfollow(w.gp.id, w.f.patient.id).await.unwrap());
    assert!(!tx.unfollow(w.gp.id, w.f.patient.id).await.unwrap());
    assert_eq!(tx.list_follows(Some(w.gp.id)).await.unwrap().len(), 1);
    assert_eq!(tx.list_follows(None).await.unwrap().len(), 2);
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Meetings
// ---------------------------------------------------------------------------------

/// Two meetings for the patient (the one inserted second is sooner) and three
/// participants in the later one: the GP, a guest and the patient.
struct MeetingWorld {
    w: World,
    meeting: Meeting,
    sooner: Meeting,
    member: Participant,
    guest: Participant,
    pat: Participant,
}

async fn seed_meetings(store: &dyn Store) -> MeetingWorld {
    let w = seed_world(store).await;
    let meeting = Meeting {
        id: MeetingId::new(),
        patient_id: w.f.patient.id,
        kind: MeetingKind::CollaborationAfterAssessment,
        mode: MeetingMode::Hybrid,
        title: "Collaboration meeting".into(),
        starts_at: t0() + Duration::days(14),
        duration_minutes: 60,
        video_link: Some("https://video.example/abc".into()),
        place: Some("Room 2".into()),
        organiser_account_id: w.gp.id,
        organiser_name: "Dr. Test Lege".into(),
        pre_read_policy: PreReadPolicy::DaysBefore,
        pre_read_days: 3,
        follow_up_date: Some(day("2026-12-30")),
        summary: None,
        status: MeetingStatus::Planned,
        sequence: 0,
        created_at: t0(),
        version: 1,
    };
    let sooner = Meeting {
        id: MeetingId::new(),
        kind: MeetingKind::Coordination,
        mode: MeetingMode::InPerson,
        title: "Coordination".into(),
        starts_at: t0() + Duration::days(7),
        video_link: None,
        pre_read_policy: PreReadPolicy::ProfessionalsOnly,
        follow_up_date: None,
        ..meeting.clone()
    };
    let member = Participant {
        id: ParticipantId::new(),
        meeting_id: meeting.id,
        kind: ParticipantKind::Member,
        member_id: Some(w.f.team.members[0].id),
        account_id: Some(w.gp.id),
        name: "Dr. Test Lege".into(),
        organisation: Some("Fjordby legekontor".into()),
        email: None,
        reply: Reply::Pending,
        raise: None,
        pre_reads_read_at: None,
        version: 1,
    };
    let guest = Participant {
        id: ParticipantId::new(),
        meeting_id: meeting.id,
        kind: ParticipantKind::Guest,
        member_id: None,
        account_id: None,
        name: "Ola Arbeidsgiver".into(),
        organisation: Some("Bakeriet AS".into()),
        email: Some("ola@bakeriet.example".into()),
        reply: Reply::Pending,
        raise: None,
        pre_reads_read_at: None,
        version: 1,
    };
    // The patient has neither a member id nor an address.
    let pat = Participant {
        id: ParticipantId::new(),
        kind: ParticipantKind::Patient,
        member_id: None,
        account_id: Some(w.patient.id),
        name: "Test Pasient".into(),
        organisation: None,
        email: None,
        ..guest.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_meeting(&meeting).await.unwrap();
    tx.insert_meeting(&sooner).await.unwrap();
    for p in [&member, &guest, &pat] {
        tx.insert_participant(p).await.unwrap();
    }
    tx.commit().await.unwrap();
    MeetingWorld {
        w,
        meeting,
        sooner,
        member,
        guest,
        pat,
    }
}

async fn meetings_are_versioned_and_listed_soonest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let m = seed_meetings(store).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_meeting(m.meeting.id).await.unwrap().as_ref(),
        Some(&m.meeting)
    );
    assert_eq!(tx.get_meeting(MeetingId::new()).await.unwrap(), None);
    assert_eq!(
        tx.list_meetings(m.w.f.patient.id, &PageAt::first(10))
            .await
            .unwrap(),
        vec![m.sooner.clone(), m.meeting.clone()],
        "soonest first"
    );
    assert!(tx
        .list_meetings(PatientId::new(), &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(tx.count_meetings(m.w.f.patient.id).await.unwrap(), 2);
    assert_eq!(tx.count_meetings(PatientId::new()).await.unwrap(), 0);
    // Invitations decide whose meetings they are.
    assert_eq!(
        tx.meetings_for_account(
            m.w.patient.id,
            t0() - Duration::days(365),
            &PageAt::first(10)
        )
        .await
        .unwrap(),
        vec![m.meeting.clone()]
    );
    tx.insert_participant(&Participant {
        id: ParticipantId::new(),
        meeting_id: m.sooner.id,
        ..m.member.clone()
    })
    .await
    .unwrap();
    assert_eq!(
        tx.meetings_for_account(m.w.gp.id, t0() - Duration::days(365), &PageAt::first(10))
            .await
            .unwrap(),
        vec![m.sooner.clone(), m.meeting.clone()],
        "soonest first"
    );
    assert!(tx
        .meetings_for_account(
            AccountId::new(),
            t0() - Duration::days(365),
            &PageAt::first(10)
        )
        .await
        .unwrap()
        .is_empty());

    // The meeting moves: every mutable column saved, a stale save refused.
    let moved = Meeting {
        kind: MeetingKind::DischargePlanning,
        mode: MeetingMode::Digital,
        title: "Discharge planning".into(),
        starts_at: t0() + Duration::days(15),
        duration_minutes: 90,
        video_link: Some("https://video.example/new".into()),
        place: None,
        pre_read_policy: PreReadPolicy::AtMeeting,
        pre_read_days: 0,
        follow_up_date: None,
        summary: Some("We agreed on a plan.".into()),
        status: MeetingStatus::Held,
        sequence: 1,
        ..m.meeting.clone()
    };
    assert_eq!(tx.update_meeting(&moved, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_meeting(&moved, 1).await));
    let moved = Meeting {
        version: 2,
        ..moved
    };
    assert_eq!(
        tx.get_meeting(m.meeting.id).await.unwrap().as_ref(),
        Some(&moved)
    );
    // Moved to before the other one: the order follows.
    let earliest = Meeting {
        starts_at: t0() + Duration::days(1),
        status: MeetingStatus::Cancelled,
        ..moved.clone()
    };
    assert_eq!(tx.update_meeting(&earliest, 2).await.unwrap(), 3);
    // Cancelled: no longer among the account's meetings.
    assert_eq!(
        tx.meetings_for_account(m.w.gp.id, t0() - Duration::days(365), &PageAt::first(10))
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![m.sooner.id]
    );
    assert_eq!(
        tx.count_meetings_for_account(m.w.gp.id, t0() - Duration::days(365))
            .await
            .unwrap(),
        1
    );
    // One that has ended before `from` is left out; one still running is not.
    let end = m.sooner.starts_at + Duration::minutes(m.sooner.duration_minutes as i64);
    assert_eq!(
        tx.count_meetings_for_account(m.w.gp.id, end).await.unwrap(),
        1,
        "ends exactly then: still listed"
    );
    assert!(tx
        .meetings_for_account(m.w.gp.id, end + Duration::seconds(1), &PageAt::first(10))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        tx.count_meetings_for_account(m.w.gp.id, end + Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        tx.list_meetings(m.w.f.patient.id, &PageAt::first(10))
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![m.meeting.id, m.sooner.id]
    );
    tx.commit().await.unwrap();
}

async fn meeting_participants_are_invited_once_per_meeting(store: Arc<dyn Store>) {
    let store = &*store;
    let m = seed_meetings(store).await;
    let mut tx = store.begin().await.unwrap();
    // Another guest without an address: NULLs never clash.
    let phone_guest = Participant {
        id: ParticipantId::new(),
        name: "Per Telefon".into(),
        email: None,
        organisation: None,
        ..m.guest.clone()
    };
    tx.insert_participant(&phone_guest).await.unwrap();
    // The same member again, and the same address again: refused...
    let again = Participant {
        id: ParticipantId::new(),
        name: "Someone else".into(),
        ..m.member.clone()
    };
    let r = tx.insert_participant(&again).await;
    assert!(is_conflict(&r), "the same member twice: {r:?}");
    let same_email = Participant {
        id: ParticipantId::new(),
        name: "Ola again".into(),
        ..m.guest.clone()
    };
    let r = tx.insert_participant(&same_email).await;
    assert!(is_conflict(&r), "the same address twice: {r:?}");
    // ...but the same member and address are welcome at another meeting.
    for p in [&m.member, &m.guest] {
        tx.insert_participant(&Participant {
            id: ParticipantId::new(),
            meeting_id: m.sooner.id,
            ..p.clone()
        })
        .await
        .unwrap();
    }
    // ...and the transaction is still usable after the refusals.
    assert_eq!(
        tx.list_participants(m.meeting.id).await.unwrap(),
        vec![
            m.member.clone(),
            m.guest.clone(),
            phone_guest,
            m.pat.clone()
        ],
        "by name"
    );
    assert_eq!(tx.list_participants(m.sooner.id).await.unwrap().len(), 2);
    assert!(tx
        .list_participants(MeetingId::new())
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();
}

async fn participants_reply_and_guests_are_found_by_token(store: Arc<dyn Store>) {
    let store = &*store;
    let m = seed_meetings(store).await;
    let mut tx = store.begin().await.unwrap();
    let replied = Participant {
        reply: Reply::Accepted,
        raise: Some("Working hours".into()),
        pre_reads_read_at: Some(t0() + Duration::days(1)),
        name: "Ola Nordmann".into(),
        organisation: None,
        email: Some("ola@nordmann.example".into()),
        ..m.guest.clone()
    };
    assert_eq!(tx.update_participant(&replied, 1).await.unwrap(), 2);
    assert!(is_conflict(&tx.update_participant(&replied, 1).await));
    let replied = Participant {
        version: 2,
        ..replied
    };
    let tentative = Participant {
        reply: Reply::Tentative,
        ..m.member.clone()
    };
    assert_eq!(tx.update_participant(&tentative, 1).await.unwrap(), 2);
    let tentative = Participant {
        version: 2,
        ..tentative
    };

    // Guest link tokens are found by their hash.
    assert_eq!(
        tx.participant_by_guest_token("hash-of-token")
            .await
            .unwrap(),
        None
    );
    tx.set_guest_token(m.guest.id, "hash-of-token")
        .await
        .unwrap();
    assert_eq!(
        tx.participant_by_guest_token("hash-of-token")
            .await
            .unwrap(),
        Some(replied.clone())
    );
    assert_eq!(tx.participant_by_guest_token("other").await.unwrap(), None);
    // A new link replaces the old one.
    tx.set_guest_token(m.guest.id, "hash-of-new-token")
        .await
        .unwrap();
    assert_eq!(
        tx.participant_by_guest_token("hash-of-token")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        tx.participant_by_guest_token("hash-of-new-token")
            .await
            .unwrap(),
        Some(replied.clone())
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.list_participants(m.meeting.id).await.unwrap(),
        vec![tentative, replied, m.pat.clone()],
        "the replies are committed"
    );
    tx.commit().await.unwrap();
}

async fn agenda_items_are_in_slot_order_with_minutes_versioned(store: Arc<dyn Store>) {
    let store = &*store;
    let m = seed_meetings(store).await;
    let second = AgendaItem {
        id: AgendaItemId::new(),
        meeting_id: m.meeting.id,
        title: "Work".into(),
        start_offset: 30,
        duration_minutes: 30,
        responsible: m.guest.id,
        participants: vec![m.pat.id, m.member.id, m.guest.id],
        patient_present: true,
        patient_request: None,
        minutes: String::new(),
        minutes_category: Category::PlanAndActions,
        version: 1,
    };
    let first = AgendaItem {
        id: AgendaItemId::new(),
        title: "Medication".into(),
        start_offset: 0,
        responsible: m.member.id,
        participants: vec![m.member.id],
        patient_present: false,
        ..second.clone()
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.list_agenda(m.meeting.id).await.unwrap().is_empty());
    tx.insert_agenda_item(&second).await.unwrap();
    tx.insert_agenda_item(&first).await.unwrap();
    assert_eq!(
        tx.list_agenda(m.meeting.id).await.unwrap(),
        vec![first.clone(), second.clone()],
        "slot order, participants' order kept"
    );
    assert!(tx.list_agenda(m.sooner.id).await.unwrap().is_empty());
    let edited = AgendaItem {
        title: "Medication review".into(),
        start_offset: 5,
        duration_minutes: 20,
        responsible: m.guest.id,
        participants: vec![m.guest.id, m.pat.id, m.member.id],
        patient_present: true,
        patient_request: Some("I would like to be there".into()),
        minutes: "Dose unchanged.\nNext review — «in May».".into(),
        minutes_category: Category::MentalHealth,
        ..first.clone()
    };
    assert_eq!(tx.update_agenda_item(&edited, 1).await.unwrap(), 2);
    let stale = AgendaItem {
        minutes: "Someone else's minutes".into(),
        ..first.clone()
    };
    assert!(
        is_conflict(&tx.update_agenda_item(&stale, 1).await),
        "a stale save of the minutes is refused"
    );
    let edited = AgendaItem {
        version: 2,
        ..edited
    };
    assert_eq!(
        tx.list_agenda(m.meeting.id).await.unwrap(),
        vec![edited.clone(), second.clone()]
    );
    // Moved after the other item: the order follows.
    let moved = AgendaItem {
        start_offset: 60,
        ..edited.clone()
    };
    assert_eq!(tx.update_agenda_item(&moved, 2).await.unwrap(), 3);
    assert_eq!(
        tx.list_agenda(m.meeting.id).await.unwrap(),
        vec![
            second,
            AgendaItem {
                version: 3,
                ..moved
            }
        ]
    );
    tx.commit().await.unwrap();
}

async fn pre_reads_and_decisions_are_oldest_first(store: Arc<dyn Store>) {
    let store = &*store;
    let m = seed_meetings(store).await;
    let item = AgendaItem {
        id: AgendaItemId::new(),
        meeting_id: m.meeting.id,
        title: "Medication".into(),
        start_offset: 0,
        duration_minutes: 30,
        responsible: m.member.id,
        participants: vec![m.member.id],
        patient_present: false,
        patient_request: None,
        minutes: String::new(),
        minutes_category: Category::PlanAndActions,
        version: 1,
    };
    let later_read = PreRead {
        id: PreReadId::new(),
        meeting_id: m.meeting.id,
        kind: PreReadKind::SuggestedActions,
        title: "Suggested actions".into(),
        body: "Adjust the dose.".into(),
        category: Category::PlanAndActions,
        author_name: "Dr. Test Lege".into(),
        created_at: t0() + Duration::hours(2),
    };
    let earlier_read = PreRead {
        id: PreReadId::new(),
        kind: PreReadKind::Assessment,
        title: "Assessment".into(),
        body: "Summary of the assessment.".into(),
        category: Category::MeetingPreReads,
        created_at: t0() + Duration::hours(1),
        ..later_read.clone()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_agenda_item(&item).await.unwrap();
    assert!(tx.list_pre_reads(m.meeting.id).await.unwrap().is_empty());
    tx.insert_pre_read(&later_read).await.unwrap();
    tx.insert_pre_read(&earlier_read).await.unwrap();
    assert_eq!(
        tx.list_pre_reads(m.meeting.id).await.unwrap(),
        vec![earlier_read, later_read]
    );
    assert!(tx.list_pre_reads(m.sooner.id).await.unwrap().is_empty());

    let later_decision = Decision {
        id: DecisionId::new(),
        meeting_id: m.meeting.id,
        item_id: item.id,
        text: "Adjust the dose".into(),
        owner_member_id: m.w.f.team.members[0].id,
        due_date: day("2026-12-15"),
        goal_id: Some(GoalId::new()),
        action_id: m.w.action.id,
        created_at: t0() + Duration::days(15) + Duration::minutes(30),
    };
    let earlier_decision = Decision {
        id: DecisionId::new(),
        text: "Try part-time work".into(),
        goal_id: None,
        created_at: t0() + Duration::days(15) + Duration::minutes(10),
        ..later_decision.clone()
    };
    assert!(tx.list_decisions(m.meeting.id).await.unwrap().is_empty());
    tx.insert_decision(&later_decision).await.unwrap();
    tx.insert_decision(&earlier_decision).await.unwrap();
    assert_eq!(
        tx.list_decisions(m.meeting.id).await.unwrap(),
        vec![earlier_decision, later_decision]
    );
    assert!(tx.list_decisions(m.sooner.id).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Audit-chain helpers for the backends' tampering tests
// ---------------------------------------------------------------------------------

/// Appends `n` audit entries in separate transactions (for chain tests).
pub async fn append_entries(store: &dyn Store, n: usize) {
    for i in 0..n {
        let mut tx = store.begin().await.unwrap();
        tx.append_audit(&AuditEntry {
            id: Uuid::now_v7(),
            at: t0() + Duration::seconds(i as i64),
            actor_account_id: Some(AccountId::new()),
            patient_id: Some(PatientId::new()),
            object_type: "patient".into(),
            object_id: None,
            action: "read".into(),
            purpose: "care".into(),
            request_id: Some(format!("r{i}")),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    seal_all(store).await;
}

/// The tampering cases every backend must detect: (name, SQL to run after dropping the
/// append-only triggers, the sequence number `verify_chain` must report).
pub fn tamper_cases() -> Vec<(&'static str, &'static str, i64)> {
    vec![
        ("edit", "UPDATE audit_log SET action = 'update' WHERE seq = 3", 3),
        ("delete", "DELETE FROM audit_log WHERE seq = 3", 4),
        ("reorder", "UPDATE audit_log SET seq = seq + 100 WHERE seq = 2", 3),
        ("truncate", "DELETE FROM audit_log WHERE seq = 5", 0),
        // Removing the seal makes an entry look like the unsealed tail: not allowed
        // for anything the head anchors.
        ("unseal", "UPDATE audit_log SET prev_hash = NULL, hash = NULL WHERE seq = 3", 3),
        ("unseal_last", "UPDATE audit_log SET prev_hash = NULL, hash = NULL WHERE seq = 5", 5),
        ("insert", "INSERT INTO audit_log (seq, id, at, object_type, action, purpose, prev_hash, hash) SELECT 6, id || '-forged', at, object_type, action, purpose, hash, hash FROM audit_log WHERE seq = 5", 6),
    ]
}
