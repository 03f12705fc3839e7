//! A simulated month of signals (issue 12, item 9) on SQLite with the fake clock: 200
//! patients, each with a coordinator, a colleague who deputises, and a GP; scored
//! answers on a fortnightly schedule and at random hours (item-9 positives at night
//! and on weekends among them), weekly engagement checks; coordinators on leave for
//! random periods naming their deputy, some deputies who never answer, and people who
//! answer only in working hours. The job runner runs every simulated hour. At the end
//! every signal is acknowledged or still escalating (an open alert is never past its
//! deadline), none was dropped (each detection is an alert or an occurrence of one)
//! and none duplicated (at most one open alert per patient and class). Fed through the
//! integration points `on_scored_response` and `on_schedule`, as scored responses and
//! the schedule runner will feed them.

use chrono::{Datelike, Duration, Timelike, Utc, Weekday};
use samband_app::directory::AccountInput;
use samband_app::Ctx;
use samband_domain::clock::Clock;
use samband_domain::ids::*;
use samband_domain::patient::PatientInput;
use samband_domain::principal::{Principal, Scopes, Subject};
use samband_domain::professional::NewProfessional;
use samband_domain::signal::routing::RouteReason;
use samband_domain::signal::{AckInput, ScorePoint, SignalClass};
use samband_domain::team::{MemberKind, TeamMember};
use samband_store::{AlertFilter, AlertScope, PageAt};
use samband_testkit::fixture::PASSWORD;
use samband_testkit::{Backend, TestApp};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A small deterministic generator (xorshift64*): the month is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn ctx(account: AccountId, subject: Subject) -> Ctx {
    Ctx {
        principal: Principal {
            account_id: account,
            display_name: "sim".into(),
            subject,
            scopes: Scopes::ALL,
            locale: None,
        },
        request_id: None,
    }
}

/// PHQ-9 severity band of a total (0 minimal … 4 severe).
fn band(total: u16) -> u8 {
    match total {
        0..=4 => 0,
        5..=9 => 1,
        10..=14 => 2,
        15..=19 => 3,
        _ => 4,
    }
}

struct Pro {
    id: ProfessionalId,
    ctx: Ctx,
    /// Never acknowledges anything (the deputy who does not respond).
    silent: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_of_signals_is_never_dropped_nor_duplicated() {
    let started = std::time::Instant::now();
    let t = TestApp::start(Backend::Sqlite).await;
    let app = &t.app;
    let mut rng = Rng(0x5A3B_A2D0_1234_9876);
    let admin = app
        .directory()
        .create_account(
            None,
            &AccountInput {
                username: "admin".into(),
                password: PASSWORD.into(),
                role: "admin".into(),
                display_name: "Admin".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let a = ctx(admin.id, Subject::Admin);
    let org = app
        .directory()
        .create_organisation(&a, "Simby helsesenter", "primary_care", Some("NO"))
        .await
        .unwrap();
    // Ten care managers (coordinators, each the next one's deputy) and four GPs.
    let mut pros: Vec<Pro> = Vec::new();
    for i in 0..14 {
        let (name, title) = if i < 10 {
            (format!("Care manager {i}"), "Care manager")
        } else {
            (format!("GP {i}"), "GP")
        };
        let p = app
            .directory()
            .create_professional(
                &a,
                NewProfessional::parse(&name, title, vec![org.id], None, None, None).unwrap(),
            )
            .await
            .unwrap();
        let acc = app
            .directory()
            .create_account(
                Some(&a),
                &AccountInput {
                    username: format!("pro{i}"),
                    password: PASSWORD.into(),
                    role: "professional".into(),
                    display_name: name.clone(),
                    professional_id: Some(p.id),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        pros.push(Pro {
            id: p.id,
            ctx: ctx(acc.id, Subject::Professional(p.id)),
            // Three of the care managers never answer when they deputise (nor at all).
            silent: matches!(i, 2 | 5 | 8),
        });
    }
    let by_pro: HashMap<ProfessionalId, usize> =
        pros.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    // 200 patients: coordinator c, deputy c+1 (also a care manager on the team), a GP.
    let today = app.today();
    let mut patients = Vec::new();
    for n in 0..200usize {
        let c = n % 10;
        let name = format!("Sim Patient {n:03}");
        let birth = "1970-01-01";
        let p = app
            .patients()
            .register(
                &pros[c].ctx,
                PatientInput {
                    name: &name,
                    birth_date: birth,
                    national_id_country: None,
                    national_id: None,
                    preferred_contact: "in_app",
                    phone: None,
                    email: None,
                },
                "Care manager",
                "Coordinates the plan",
            )
            .await
            .unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let mut team = tx.get_team(p).await.unwrap().unwrap();
        for (who, role) in [((c + 1) % 10, "Care manager"), (10 + n % 4, "GP")] {
            team.members.push(TeamMember {
                id: MemberId::new(),
                kind: MemberKind::Professional,
                professional_id: Some(pros[who].id),
                name: None,
                organisation_id: Some(org.id),
                role: role.into(),
                responsibility: "Follows up".into(),
                phone: None,
                is_coordinator: false,
                active_from: today,
                active_to: None,
            });
        }
        tx.save_team(&team, team.version).await.unwrap();
        tx.commit().await.unwrap();
        let member_pro: HashMap<MemberId, usize> = team
            .members
            .iter()
            .filter_map(|m| m.professional_id.map(|pid| (m.id, by_pro[&pid])))
            .collect();
        patients.push((p, member_pro));
    }
    // Leave: each care manager is away for one or two random periods of 2–9 days,
    // naming the next care manager as deputy.
    let mut leave_days = 0;
    for c in 0..10 {
        let mut start = rng.below(8) as i64;
        for _ in 0..(1 + rng.below(2)) {
            let len = 2 + rng.below(8) as i64;
            let from = today + Duration::days(start);
            let to = from + Duration::days(len - 1);
            app.directory()
                .record_absence(
                    &pros[c].ctx,
                    pros[c].id,
                    &samband_domain::absence::AbsenceInput {
                        from: from.to_string(),
                        to: to.to_string(),
                        deputy: Some(pros[(c + 1) % 10].id),
                        note: None,
                    },
                )
                .await
                .unwrap();
            leave_days += len;
            start += len + 3 + rng.below(6) as i64;
        }
    }
    // Each patient answers PHQ-9 every 14 days from a random first day, at a random
    // hour (nights and weekends included), and now and then in between.
    let t0 = t.clock.now();
    let mut answers: BTreeMap<chrono::DateTime<Utc>, Vec<usize>> = BTreeMap::new();
    let mut due: Vec<Vec<chrono::DateTime<Utc>>> = Vec::new();
    for n in 0..patients.len() {
        let first = rng.below(14) as i64;
        let mut d = Vec::new();
        for k in 0..3 {
            let day = first + 14 * k;
            if day < 30 {
                d.push(t0 + Duration::days(day));
                // Four in five answer; some of those at night.
                if rng.chance(80) {
                    let at = t0 + Duration::days(day) + Duration::hours(rng.below(24) as i64);
                    answers.entry(at).or_default().push(n);
                }
            }
        }
        if rng.chance(25) {
            let at = t0 + Duration::hours(rng.below(29 * 24) as i64);
            answers.entry(at).or_default().push(n);
        }
        due.push(d);
    }
    let mut previous: Vec<Option<ScorePoint>> = vec![None; patients.len()];
    let mut answered_at: Vec<Vec<chrono::DateTime<Utc>>> = vec![Vec::new(); patients.len()];
    let mut detections = 0u32;
    let mut triggers = 0u32;
    let mut repeats = 0u32;
    let mut safety_off_hours = 0u32;
    let mut alerts: HashMap<AlertId, PatientId> = HashMap::new();
    let mut acknowledged = 0u32;
    let mut by_deputy = 0u32;
    let oslo = chrono_tz::Europe::Oslo;
    let end = t0 + Duration::days(30);
    let mut now = t0;
    while now < end {
        t.clock.set(now);
        let local = now.with_timezone(&oslo);
        let weekend = matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
        let working = !weekend && (8..16).contains(&local.hour());
        // Answers due this hour.
        let this_hour: Vec<usize> = answers
            .range(now..now + Duration::hours(1))
            .flat_map(|(_, v)| v.clone())
            .collect();
        for n in this_hour {
            let (p, _) = &patients[n];
            let prev = previous[n];
            let base_total = prev.map(|s| s.total).unwrap_or(8);
            let total = (base_total as i64 + rng.below(13) as i64 - 5).clamp(0, 27) as u16;
            let item9 = if rng.chance(8) {
                1 + rng.below(3) as u8
            } else {
                0
            };
            let cur = ScorePoint {
                at: now,
                total,
                band: band(total),
                item9: Some(item9),
            };
            let pctx = ctx(AccountId::new(), Subject::Patient(*p));
            // One answer in five is sent twice (a double tap, a retry): the second must
            // be an occurrence of the first's alerts, never alerts of its own.
            let sends = if rng.chance(20) { 2 } else { 1 };
            for _ in 0..sends {
                let mut tx = app.store.begin().await.unwrap();
                let raised = app
                    .signals()
                    .on_scored_response(&mut tx, &pctx, *p, prev.as_ref(), &cur)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                triggers += 1;
                for r in raised {
                    detections += 1;
                    if r.class == SignalClass::Safety && !working && r.new {
                        safety_off_hours += 1;
                    }
                    if !r.new {
                        repeats += 1;
                    }
                    alerts.insert(r.alert, *p);
                }
            }
            previous[n] = Some(cur);
            answered_at[n].push(now);
        }
        // Mondays at 09:00 local: the weekly engagement check per schedule.
        if local.weekday() == Weekday::Mon && local.hour() == 9 {
            for (n, (p, _)) in patients.iter().enumerate() {
                let mut tx = app.store.begin().await.unwrap();
                let raised = app
                    .signals()
                    .on_schedule(&mut tx, *p, &due[n], &answered_at[n])
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                if let Some(r) = raised {
                    detections += 1;
                    if !r.new {
                        repeats += 1;
                    }
                    alerts.insert(r.alert, *p);
                }
            }
        }
        app.run_due_jobs(None, 100_000).await.unwrap();
        // People act in working hours; the whole clinical team (past the chain) also
        // picks up safety alerts at night one time in four.
        let open: Vec<(AlertId, PatientId)> = alerts.iter().map(|(a, p)| (*a, *p)).collect();
        for (id, p) in open {
            let mut tx = app.store.begin_read().await.unwrap();
            let alert = tx.get_alert(p, id).await.unwrap().unwrap();
            tx.commit().await.unwrap();
            if !alert.is_open() {
                continue;
            }
            let member_pro = &patients.iter().find(|(q, _)| *q == p).unwrap().1;
            let holder = &pros[member_pro[&alert.assignee]];
            let night_pickup = alert.route == RouteReason::Everyone
                && alert.class == SignalClass::Safety
                && rng.chance(25);
            if holder.silent || !(working && rng.chance(40) || night_pickup) {
                continue;
            }
            let done = app
                .signals()
                .acknowledge(
                    &holder.ctx,
                    p,
                    id,
                    &AckInput {
                        outcome: "contacted".into(),
                        reason: None,
                    },
                    alert.version,
                )
                .await
                .unwrap();
            acknowledged += 1;
            if done.alert.route == RouteReason::Deputy {
                by_deputy += 1;
            }
        }
        now += Duration::hours(1);
    }
    // The end of the month: run what fell due, then check every alert.
    t.clock.set(end);
    app.run_due_jobs(None, 100_000).await.unwrap();
    let mut tx = app.store.begin_read().await.unwrap();
    let (mut open, mut acked, mut occurrences, mut escalations, mut overdue) = (0, 0, 0, 0, 0);
    let mut open_keys = HashSet::new();
    let mut stored = 0;
    let mut by_class: BTreeMap<&str, u32> = BTreeMap::new();
    for (p, _) in &patients {
        let filter = AlertFilter {
            scope: AlertScope::Patient(*p),
            open_only: false,
        };
        for alert in tx.alerts_page(&filter, &PageAt::first(1000)).await.unwrap() {
            stored += 1;
            occurrences += alert.occurrences;
            escalations += alert.level;
            *by_class.entry(alert.class.as_str()).or_default() += 1;
            if alert.is_open() {
                open += 1;
                assert!(
                    open_keys.insert((alert.patient_id, alert.class)),
                    "two open alerts of one class for one patient"
                );
                if alert.deadline <= end {
                    overdue += 1;
                }
            } else {
                acked += 1;
            }
        }
    }
    tx.commit().await.unwrap();
    println!(
        "simulated month: {} patients, {triggers} scored answers, {detections} detections \
         ({safety_off_hours} safety at night or at weekends), {stored} alerts {by_class:?}, \
         {occurrences} occurrences ({repeats} repeats deduplicated), {escalations} escalations, {acked} acknowledged \
         ({by_deputy} by a deputy), {open} still escalating, {overdue} dropped, \
         {leave_days} days of leave, in {:.1} s",
        patients.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(stored, alerts.len(), "every alert raised is stored");
    assert_eq!(acked, acknowledged as usize);
    assert_eq!(acked + open, stored);
    // Nothing dropped: every detection is an alert or an occurrence of one ...
    assert_eq!(occurrences, detections, "each detection landed on an alert");
    // ... and every open alert is still escalating: its deadline lies ahead.
    assert_eq!(overdue, 0, "an open alert past its deadline was dropped");
    // None duplicated: repeats while an alert was open were occurrences of it.
    assert_eq!(stored as u32 + repeats, detections);
    assert!(repeats > 0 && safety_off_hours > 0 && by_deputy > 0 && escalations > 0);
}
