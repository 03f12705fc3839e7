//! The conformance suite every backend must pass. Each backend's test module calls
//! [`run_all`] on a fresh, migrated store; a failing scenario panics with its name.
//! It lives here, not in a backend, so both are held to one statement of behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::*;
use chrono::{Duration, TimeZone};
use samband_domain::organisation::Sector;
use samband_domain::patient::ContactChannel;
use samband_domain::plan::ActionStatus;
use samband_domain::principal::AccountRole;
use samband_domain::team::{MemberKind, TeamMember};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// Runs every scenario; returns how many ran (so a caller notices one dropped).
pub async fn run_all(store: Arc<dyn Store>) -> usize {
    let f = seed(&*store).await;
    directory_round_trip(&*store, &f).await;
    team_versioning(&*store, &f).await;
    caseload_lists_only_active_memberships(&*store, &f).await;
    action_versioning(&*store, &f).await;
    goals_services_crisis_plan(&*store, &f).await;
    uncommitted_transaction_leaves_nothing(&*store, &f).await;
    history_and_audit(&*store, &f).await;
    accounts_sessions_tokens(&*store, &f).await;
    consent_and_emergency(&*store, &f).await;
    audit_chain_links_every_entry(&*store, &f).await;
    jobs_claimed_once_by_concurrent_runners(store.clone()).await;
    jobs_lease_dedupe_retry_and_burial(&*store).await;
    SCENARIOS
}

/// The number of scenarios `run_all` runs.
pub const SCENARIOS: usize = 12;

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

async fn seed(store: &dyn Store) -> Fixture {
    let org = Organisation {
        id: OrganisationId::new(),
        name: "Fjordby legekontor".into(),
        sector: Sector::Primary,
        country: Some(samband_domain::country::Country::Norway),
        version: 1,
    };
    let pro = |name: &str, title: &str| Professional {
        id: ProfessionalId::new(),
        name: name.into(),
        title: title.into(),
        organisation_ids: vec![org.id],
        phone: Some("+47 22 00 00 00".into()),
        email: Some("x@example.org".into()),
        availability: Some("Weekdays 8–15".into()),
        version: 1,
    };
    let gp = pro("Dr. Test Lege", "GP");
    let nurse = pro("Test Sykepleier", "Psychiatric nurse");
    let patient = Patient {
        id: PatientId::new(),
        name: "Test Pasient".into(),
        birth_date: day("1980-05-17"),
        national_id: None,
        preferred_contact: ContactChannel::InApp,
        phone: None,
        email: None,
        version: 1,
    };
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

async fn directory_round_trip(store: &dyn Store, f: &Fixture) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_organisation(f.org.id).await.unwrap().as_ref(),
        Some(&f.org)
    );
    let unstated = Organisation {
        id: OrganisationId::new(),
        name: "Lægehuset uden land".into(),
        sector: Sector::Primary,
        country: None,
        version: 1,
    };
    tx.insert_organisation(&unstated).await.unwrap();
    assert_eq!(
        tx.get_organisation(unstated.id).await.unwrap().as_ref(),
        Some(&unstated),
        "an organisation's country may be unstated"
    );
    assert_eq!(
        tx.get_professional(f.gp.id).await.unwrap().as_ref(),
        Some(&f.gp)
    );
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
        ..f.patient.clone()
    };
    tx.insert_patient(&with_id).await.unwrap();
    assert_eq!(
        tx.find_patient_by_national_id(&fnr).await.unwrap(),
        Some(with_id.id)
    );
    assert_eq!(
        tx.get_patient(with_id.id)
            .await
            .unwrap()
            .unwrap()
            .national_id,
        with_id.national_id,
        "national id round-trips"
    );
    let both = tx.get_professionals(&[f.gp.id, f.nurse.id]).await.unwrap();
    assert_eq!(both.len(), 2);
    assert!(tx
        .list_organisations()
        .await
        .unwrap()
        .iter()
        .any(|o| o.id == f.org.id));
    tx.commit().await.unwrap();
}

async fn team_versioning(store: &dyn Store, f: &Fixture) {
    let mut tx = store.begin().await.unwrap();
    let stored = tx.get_team(f.patient.id).await.unwrap().expect("team");
    assert_eq!(stored, f.team, "team round-trips with members in order");
    let mut changed = stored.clone();
    changed.members[0].responsibility = "Medication and sick leave".into();
    assert_eq!(tx.save_team(&changed, 1).await.unwrap(), 2);
    // A second writer that started from version 1 must be refused.
    let stale = tx.save_team(&stored, 1).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(_))),
        "stale team save: {stale:?}"
    );
    // Creating a team that already exists is a conflict too.
    assert!(matches!(
        tx.save_team(&stored, 0).await,
        Err(StoreError::Conflict(_))
    ));
    let now = tx.get_team(f.patient.id).await.unwrap().expect("team");
    assert_eq!(now.version, 2);
    let contacts = tx.member_contacts(f.patient.id).await.unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0].member_id, now.members[0].id, "team order");
    assert_eq!(
        contacts[0].professional_name.as_deref(),
        Some("Dr. Test Lege")
    );
    assert_eq!(contacts[1].title.as_deref(), Some("Psychiatric nurse"));
    assert_eq!(contacts[0].availability.as_deref(), Some("Weekdays 8–15"));
    assert_eq!(contacts[0].organisation.as_ref(), Some(&f.org));
    assert!(tx
        .member_contacts(PatientId::new())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(now.members[0].responsibility, "Medication and sick leave");
    tx.commit().await.unwrap();
}

async fn caseload_lists_only_active_memberships(store: &dyn Store, f: &Fixture) {
    let mut tx = store.begin().await.unwrap();
    let gp = tx.caseload(f.gp.id, today()).await.unwrap();
    assert_eq!(gp.len(), 1);
    assert!(gp[0].is_coordinator);
    assert_eq!(gp[0].patient.id, f.patient.id);
    // The nurse's membership ended on 30 June.
    assert!(tx.caseload(f.nurse.id, today()).await.unwrap().is_empty());
    assert_eq!(
        tx.caseload(f.nurse.id, day("2026-06-30"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(tx
        .active_membership(f.patient.id, f.gp.id, today())
        .await
        .unwrap()
        .is_some());
    assert!(tx
        .active_membership(f.patient.id, f.nurse.id, today())
        .await
        .unwrap()
        .is_none());
    tx.commit().await.unwrap();
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

async fn action_versioning(store: &dyn Store, f: &Fixture) {
    let a = action(f, "2026-11-01");
    let b = action(f, "2026-12-24");
    let mut tx = store.begin().await.unwrap();
    tx.insert_action(&a).await.unwrap();
    tx.insert_action(&b).await.unwrap();
    assert_eq!(
        tx.get_action(f.patient.id, a.id).await.unwrap().as_ref(),
        Some(&a)
    );
    // An action is only found under its own patient.
    assert_eq!(tx.get_action(PatientId::new(), a.id).await.unwrap(), None);
    let done = Action {
        status: ActionStatus::Done,
        ..a.clone()
    };
    assert_eq!(tx.update_action(&done, 1).await.unwrap(), 2);
    assert!(matches!(
        tx.update_action(&a, 1).await,
        Err(StoreError::Conflict(_))
    ));
    let listed = tx.list_actions(f.patient.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    let got = listed.iter().find(|x| x.id == a.id).unwrap();
    assert_eq!((got.status, got.version), (ActionStatus::Done, 2));
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let rows = tx.caseload(f.gp.id, today()).await.unwrap();
    assert_eq!(
        (rows[0].open_actions, rows[0].overdue_actions),
        (1, 0),
        "done action is not open"
    );
    tx.commit().await.unwrap();
}

async fn goals_services_crisis_plan(store: &dyn Store, f: &Fixture) {
    use samband_domain::plan::GoalAuthor;
    let mut tx = store.begin().await.unwrap();
    let g = Goal {
        id: GoalId::new(),
        patient_id: f.patient.id,
        author: GoalAuthor::Patient,
        owner_member_id: None,
        text: "Å ha et godt liv — «walk» daily".into(),
        achieved: false,
        created_at: t0(),
        version: 1,
    };
    tx.insert_goal(&g).await.unwrap();
    let g2 = Goal {
        achieved: true,
        ..g.clone()
    };
    assert_eq!(tx.update_goal(&g2, 1).await.unwrap(), 2);
    assert!(matches!(
        tx.update_goal(&g2, 1).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(tx.list_goals(f.patient.id).await.unwrap()[0].text, g.text);

    let s = Service {
        id: ServiceId::new(),
        patient_id: f.patient.id,
        what: "Home nursing".into(),
        provider: "Fjordby kommune".into(),
        frequency: "Daily".into(),
        version: 1,
    };
    tx.insert_service(&s).await.unwrap();
    assert_eq!(
        tx.update_service(
            &Service {
                frequency: "Twice daily".into(),
                ..s.clone()
            },
            1
        )
        .await
        .unwrap(),
        2
    );
    assert_eq!(
        tx.list_services(f.patient.id).await.unwrap()[0].frequency,
        "Twice daily"
    );

    assert_eq!(tx.get_crisis_plan(f.patient.id).await.unwrap(), None);
    let c = CrisisPlan {
        warning_signs: "Sleeps badly".into(),
        updated_at: Some(t0()),
        ..CrisisPlan::empty(f.patient.id)
    };
    assert_eq!(tx.save_crisis_plan(&c, 0).await.unwrap(), 1);
    assert!(matches!(
        tx.save_crisis_plan(&c, 0).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(tx.save_crisis_plan(&c, 1).await.unwrap(), 2);
    assert_eq!(
        tx.get_crisis_plan(f.patient.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );

    let h = PlanHeader {
        patient_id: f.patient.id,
        revision_date: Some(day("2027-05-01")),
        version: 0,
    };
    assert_eq!(tx.save_plan_header(&h, 0).await.unwrap(), 1);
    assert!(matches!(
        tx.save_plan_header(&h, 0).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        tx.get_plan_header(f.patient.id)
            .await
            .unwrap()
            .unwrap()
            .revision_date,
        h.revision_date
    );
    tx.commit().await.unwrap();
}

async fn uncommitted_transaction_leaves_nothing(store: &dyn Store, f: &Fixture) {
    let a = action(f, "2027-01-01");
    {
        let mut tx = store.begin().await.unwrap();
        tx.insert_action(&a).await.unwrap();
        // dropped without commit
    }
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_action(f.patient.id, a.id).await.unwrap(),
        None,
        "dropped transaction must roll back"
    );
    tx.commit().await.unwrap();
}

async fn history_and_audit(store: &dyn Store, f: &Fixture) {
    let account = AccountId::new();
    let mut tx = store.begin().await.unwrap();
    let before = tx.count_audit().await.unwrap();
    for i in 0..3 {
        tx.append_history(&HistoryEntry {
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
            new_value: json!({"status": "done", "n": i}),
        })
        .await
        .unwrap();
        tx.append_audit(&AuditEntry {
            id: Uuid::now_v7(),
            at: t0() + Duration::minutes(i),
            actor_account_id: Some(account),
            patient_id: Some(f.patient.id),
            object_type: "care_plan".into(),
            object_id: None,
            action: "read".into(),
            purpose: "treatment".into(),
            request_id: Some(format!("req-{i}")),
        })
        .await
        .unwrap();
    }
    let hist = tx
        .list_history(f.patient.id, Some("obj"), 10)
        .await
        .unwrap();
    assert_eq!(
        hist.iter().map(|h| h.version).collect::<Vec<_>>(),
        vec![3, 2, 1],
        "newest first"
    );
    assert_eq!(hist[0].reason.as_deref(), Some("patient asked"));
    assert_eq!(hist[0].new_value, json!({"status": "done", "n": 2}));
    assert_eq!(
        tx.list_history(f.patient.id, Some("other"), 10)
            .await
            .unwrap()
            .len(),
        0
    );
    let audit = tx.list_audit(Some(f.patient.id), 100).await.unwrap();
    let ids: Vec<_> = audit.iter().filter_map(|a| a.request_id.clone()).collect();
    assert_eq!(
        ids,
        vec!["req-0", "req-1", "req-2"],
        "audit is kept in append order"
    );
    assert_eq!(tx.count_audit().await.unwrap(), before + 3);
    tx.commit().await.unwrap();
}

async fn accounts_sessions_tokens(store: &dyn Store, f: &Fixture) {
    let acc = Account {
        id: AccountId::new(),
        username: "gp.test".into(),
        password_hash: "$argon2id$fake".into(),
        role: AccountRole::Professional,
        professional_id: Some(f.gp.id),
        patient_id: None,
        display_name: "Dr. Test Lege".into(),
        locale: Some("nb".into()),
        disabled: false,
        created_at: t0(),
        totp_secret: None,
        totp_last_step: None,
        privacy_officer: false,
        proxy_may_consent: false,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.commit().await.unwrap();
    // A failed statement may poison the transaction (PostgreSQL), so the clash gets its own.
    let mut tx = store.begin().await.unwrap();
    let dup = Account {
        id: AccountId::new(),
        ..acc.clone()
    };
    assert!(
        matches!(tx.insert_account(&dup).await, Err(StoreError::Conflict(_))),
        "usernames are unique"
    );
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.get_account_by_username("gp.test")
            .await
            .unwrap()
            .as_ref(),
        Some(&acc)
    );
    assert_eq!(tx.get_account(acc.id).await.unwrap().as_ref(), Some(&acc));
    let s = SessionRecord {
        id_hash: "h1".into(),
        account_id: acc.id,
        csrf_token: "c".into(),
        created_at: t0(),
        last_seen_at: t0(),
        revoked: false,
    };
    tx.insert_session(&s).await.unwrap();
    tx.touch_session("h1", t0() + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        tx.get_session("h1").await.unwrap().unwrap().last_seen_at,
        t0() + Duration::minutes(5)
    );
    let mut s2 = s.clone();
    s2.id_hash = "h2".into();
    s2.created_at = t0() + Duration::minutes(1);
    tx.insert_session(&s2).await.unwrap();
    let listed: Vec<String> = tx
        .list_sessions(acc.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id_hash)
        .collect();
    assert_eq!(listed, vec!["h2", "h1"], "newest first");
    tx.revoke_session("h1").await.unwrap();
    assert_eq!(
        tx.list_sessions(acc.id).await.unwrap().len(),
        1,
        "revoked sessions are not listed"
    );
    assert!(tx.get_session("h1").await.unwrap().unwrap().revoked);

    let tok = ApiToken {
        id: TokenId::new(),
        account_id: acc.id,
        token_hash: "th".into(),
        name: "EHR".into(),
        scopes: "read".into(),
        created_at: t0(),
        expires_at: Some(t0() + Duration::days(30)),
        revoked: false,
    };
    tx.insert_token(&tok).await.unwrap();
    assert_eq!(
        tx.get_token_by_hash("th").await.unwrap().as_ref(),
        Some(&tok)
    );

    tx.set_totp(acc.id, "JBSWY3DPEHPK3PXP", &["r1".into(), "r2".into()])
        .await
        .unwrap();
    let with_totp = tx.get_account(acc.id).await.unwrap().unwrap();
    assert_eq!(with_totp.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert!(tx.advance_totp_step(acc.id, 100).await.unwrap());
    assert!(
        !tx.advance_totp_step(acc.id, 100).await.unwrap(),
        "a step is accepted once"
    );
    assert!(
        !tx.advance_totp_step(acc.id, 99).await.unwrap(),
        "never an older one"
    );
    assert_eq!(
        tx.get_account(acc.id)
            .await
            .unwrap()
            .unwrap()
            .totp_last_step,
        Some(100)
    );
    assert!(tx.use_recovery_code(acc.id, "r1", t0()).await.unwrap());
    assert!(
        !tx.use_recovery_code(acc.id, "r1", t0()).await.unwrap(),
        "recovery codes are single-use"
    );
    assert!(!tx.use_recovery_code(acc.id, "nope", t0()).await.unwrap());
    for i in 0..3 {
        tx.record_login_failure("acct:gp.test", t0() + Duration::minutes(i))
            .await
            .unwrap();
    }
    assert_eq!(
        tx.count_login_failures("acct:gp.test", t0() + Duration::seconds(30))
            .await
            .unwrap(),
        2
    );
    tx.clear_login_failures("acct:gp.test").await.unwrap();
    assert_eq!(
        tx.count_login_failures("acct:gp.test", t0()).await.unwrap(),
        0
    );
    tx.commit().await.unwrap();
}

async fn consent_and_emergency(store: &dyn Store, f: &Fixture) {
    use samband_domain::consent::*;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.get_consent(f.patient.id).await.unwrap(), None);
    let rule = ConsentRule {
        recipient: Recipient::Organisation(f.org.id),
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
        matches!(tx.save_consent(&c, 0).await, Err(StoreError::Conflict(_))),
        "second create conflicts"
    );
    let mut wider = c.clone();
    wider.rules.push(ConsentRule {
        recipient: Recipient::Sector(Sector::SocialSecurity),
        category: Category::WorkCapacity,
        permit: true,
        ..rule
    });
    assert_eq!(tx.save_consent(&wider, 1).await.unwrap(), 2);
    assert!(matches!(
        tx.save_consent(&wider, 1).await,
        Err(StoreError::Conflict(_))
    ));
    let stored = tx.get_consent(f.patient.id).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.rules.len()), (2, 2));
    assert_eq!(stored.rules, wider.rules, "rules round-trip exactly");

    let account = AccountId::new();
    // The grant references an account row.
    tx.insert_account(&Account {
        id: account,
        username: "er.doctor".into(),
        password_hash: "$argon2id$fake".into(),
        role: AccountRole::Professional,
        professional_id: Some(f.nurse.id),
        patient_id: None,
        display_name: "ER".into(),
        locale: None,
        disabled: false,
        created_at: t0(),
        totp_secret: None,
        totp_last_step: None,
        privacy_officer: true,
        proxy_may_consent: false,
    })
    .await
    .unwrap();
    assert!(
        tx.get_account(account)
            .await
            .unwrap()
            .unwrap()
            .privacy_officer,
        "the privacy-officer flag round-trips"
    );
    let g = EmergencyGrant {
        id: Uuid::now_v7(),
        patient_id: f.patient.id,
        account_id: account,
        reason_code: "acute_treatment".into(),
        reason_text: "Unconscious in the emergency room".into(),
        started_at: t0(),
        expires_at: t0() + Duration::hours(4),
        reviewed_at: None,
        reviewed_by: None,
    };
    tx.insert_emergency(&g).await.unwrap();
    assert_eq!(
        tx.active_emergency(account, f.patient.id, t0() + Duration::hours(3))
            .await
            .unwrap()
            .as_ref(),
        Some(&g)
    );
    assert_eq!(
        tx.active_emergency(account, f.patient.id, t0() + Duration::hours(4))
            .await
            .unwrap(),
        None,
        "expired at the limit"
    );
    assert_eq!(
        tx.active_emergency(account, PatientId::new(), t0())
            .await
            .unwrap(),
        None,
        "one patient only"
    );
    assert_eq!(
        tx.list_emergency(Some(f.patient.id), true)
            .await
            .unwrap()
            .len(),
        1
    );
    tx.mark_emergency_reviewed(g.id, AccountId::new(), t0() + Duration::days(1))
        .await
        .unwrap();
    assert!(tx.list_emergency(None, true).await.unwrap().is_empty());
    assert!(
        tx.list_emergency(Some(f.patient.id), false).await.unwrap()[0]
            .reviewed_at
            .is_some()
    );
    tx.commit().await.unwrap();
}

async fn audit_chain_links_every_entry(store: &dyn Store, f: &Fixture) {
    let mut tx = store.begin().await.unwrap();
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
    let mut tx = store.begin().await.unwrap();
    let all = tx.audit_records(0, 100_000).await.unwrap();
    assert!(all.len() >= 3);
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
    tx.commit().await.unwrap();
}

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
}

/// The tampering cases every backend must detect: (name, SQL to run after dropping the
/// append-only triggers, the sequence number `verify_chain` must report).
pub fn tamper_cases() -> Vec<(&'static str, &'static str, i64)> {
    vec![
        ("edit", "UPDATE audit_log SET action = 'update' WHERE seq = 3", 3),
        ("delete", "DELETE FROM audit_log WHERE seq = 3", 4),
        ("reorder", "UPDATE audit_log SET seq = seq + 100 WHERE seq = 2", 3),
        ("truncate", "DELETE FROM audit_log WHERE seq = 5", 0),
        ("insert", "INSERT INTO audit_log (seq, id, at, object_type, action, purpose, prev_hash, hash) SELECT 6, id || '-forged', at, object_type, action, purpose, hash, hash FROM audit_log WHERE seq = 5", 6),
    ]
}

fn test_job(now: chrono::DateTime<Utc>) -> Job {
    Job::new("email", json!({ "n": 1 }), now, now)
}

/// Four runners drain 200 due jobs: each job is claimed exactly once.
async fn jobs_claimed_once_by_concurrent_runners(store: Arc<dyn Store>) {
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
                    Some(j) => claimed.push(j.id),
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
    // Leave nothing running for later scenarios.
    let mut tx = store.begin().await.unwrap();
    for id in &ids {
        tx.finish_job(*id, now).await.unwrap();
    }
    assert_eq!(tx.count_jobs("running").await.unwrap(), 0);
    tx.commit().await.unwrap();
}

async fn jobs_lease_dedupe_retry_and_burial(store: &dyn Store) {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
    let mut tx = store.begin().await.unwrap();
    let keyed = test_job(now).dedupe("daily_digest:2026-11-24");
    assert!(tx.enqueue_job(&keyed).await.unwrap());
    assert!(!tx
        .enqueue_job(&test_job(now).dedupe("daily_digest:2026-11-24"))
        .await
        .unwrap());
    let later = Job::new("email", json!({}), now + Duration::hours(2), now);
    assert!(tx.enqueue_job(&later).await.unwrap());
    tx.commit().await.unwrap();

    // A claim leases the job; while the lease holds nobody else gets it.
    let mut tx = store.begin().await.unwrap();
    let j = tx
        .claim_job(now, now + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(j.id, keyed.id);
    assert_eq!(j.attempts, 1);
    assert!(
        tx.claim_job(now + Duration::seconds(10), now + Duration::seconds(40))
            .await
            .unwrap()
            .is_none(),
        "a leased job and a job not yet due are not claimed"
    );
    // The runner died: after the lease, the job is claimed again.
    let again = tx
        .claim_job(now + Duration::seconds(31), now + Duration::seconds(90))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (keyed.id, 2));
    tx.retry_job(keyed.id, now + Duration::minutes(1), "421 try later")
        .await
        .unwrap();
    assert_eq!(
        tx.next_job_at().await.unwrap(),
        Some(now + Duration::minutes(1))
    );
    tx.bury_job(keyed.id, now, "gave up").await.unwrap();
    let dead = tx.list_jobs(Some("dead"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].last_error.as_deref(), Some("gave up"));
    assert!(tx.revive_job(keyed.id, now).await.unwrap());
    assert!(
        !tx.revive_job(later.id, now).await.unwrap(),
        "only dead jobs revive"
    );
    let revived = tx.get_job(keyed.id).await.unwrap().unwrap();
    assert_eq!((revived.status.as_str(), revived.attempts), ("pending", 0));
    for id in [keyed.id, later.id] {
        tx.finish_job(id, now).await.unwrap();
    }
    tx.commit().await.unwrap();
}
