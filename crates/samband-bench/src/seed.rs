//! Synthetic population: organisations in every sector, a pool of professionals,
//! and N patients, each with a team of 3–8 members (one coordinator) and a plan of
//! 5–20 actions, 1–3 goals, 0–3 services and, for most, a crisis plan. Written in
//! batches straight through the store traits (no history or audit rows: those belong
//! to real use). One benchmark account, `bench.pro`, sits on every 50th team.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use samband_app::directory::AccountInput;
use samband_app::{App, AppConfig};
use samband_domain::clock::SystemClock;
use samband_domain::ids::*;
use samband_domain::organisation::{Organisation, Sector};
use samband_domain::patient::{ContactChannel, Patient};
use samband_domain::plan::*;
use samband_domain::professional::Professional;
use samband_domain::team::{CareTeam, MemberKind, TeamMember};
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 100_000)]
    patients: usize,
    #[arg(long, default_value_t = 2_000)]
    professionals: usize,
    #[arg(long, default_value_t = 500)]
    batch: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub const BENCH_USER: &str = "bench.pro";
pub const BENCH_PASSWORD: &str = "bench-password-2026";

const FIRST: &[&str] = &[
    "Kari", "Ola", "Ingrid", "Lars", "Mette", "Søren", "Anne", "Per", "Silje", "Jonas", "Camilla",
    "Even", "Lise", "Arne", "Tone", "Mads",
];
const LAST: &[&str] = &[
    "Nordmann", "Hansen", "Berg", "Lund", "Holm", "Nielsen", "Moe", "Strand", "Dahl", "Eriksen",
    "Bakke", "Jensen", "Poulsen", "Solberg", "Haugen", "Andersen",
];
const ROLES: &[&str] = &[
    "GP",
    "Care manager",
    "Psychiatric nurse",
    "NAV supervisor",
    "Home nursing",
    "Physiotherapist",
    "Psychiatrist",
    "Social worker",
];
const ACTIONS: &[&str] = &[
    "Review medication",
    "Book follow-up consultation",
    "Send status report to NAV",
    "Home visit",
    "Update crisis plan",
    "Graded activity programme",
    "Accompany to social services",
    "Coordination meeting",
];

fn name(rng: &mut StdRng) -> String {
    format!(
        "{} {}",
        FIRST[rng.gen_range(0..FIRST.len())],
        LAST[rng.gen_range(0..LAST.len())]
    )
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = samband_server::open_store(&a.database_url, 4).await?;
    let app = App::new(store.clone(), Arc::new(SystemClock), AppConfig::default());
    let mut rng = StdRng::seed_from_u64(a.seed);
    let today = app.today();

    let mut orgs = Vec::new();
    let mut tx = store.begin().await?;
    for (i, sector) in Sector::ALL.iter().cycle().take(20).enumerate() {
        let o = Organisation {
            id: OrganisationId::new(),
            name: format!("Organisation {i} ({sector})"),
            sector: *sector,
            country: Some(samband_domain::country::Country::Norway),
            version: 1,
        };
        tx.insert_organisation(&o).await?;
        orgs.push(o);
    }
    let mut pros = Vec::new();
    for i in 0..a.professionals {
        let org = &orgs[i % orgs.len()];
        let p = Professional {
            id: ProfessionalId::new(),
            name: name(&mut rng),
            title: ROLES[i % ROLES.len()].into(),
            organisation_ids: vec![org.id],
            phone: Some(format!(
                "+47 55 {:02} {:02} {:02}",
                i % 100,
                (i / 100) % 100,
                rng.gen_range(0..100)
            )),
            email: None,
            availability: Some("Weekdays 08–15".into()),
            version: 1,
        };
        tx.insert_professional(&p).await?;
        pros.push(p);
    }
    tx.commit().await?;
    app.directory()
        .create_account(
            None,
            &AccountInput {
                username: BENCH_USER.into(),
                password: BENCH_PASSWORD.into(),
                role: "professional".into(),
                display_name: pros[0].name.clone(),
                professional_id: Some(pros[0].id),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("bench account: {e}"))?;

    let created = Utc
        .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_else(|| samband_domain::clock::Clock::now(&samband_domain::clock::SystemClock));
    let (mut members_total, mut actions_total) = (0usize, 0usize);
    let mut done = 0;
    while done < a.patients {
        let n = a.batch.min(a.patients - done);
        let mut tx = store.begin().await?;
        for k in 0..n {
            let i = done + k;
            let birth = NaiveDate::from_ymd_opt(
                1940 + rng.gen_range(0..65),
                rng.gen_range(1..13),
                rng.gen_range(1..29),
            )
            .unwrap();
            let patient = Patient {
                id: PatientId::new(),
                name: name(&mut rng),
                birth_date: birth,
                national_id: None,
                preferred_contact: ContactChannel::InApp,
                phone: None,
                email: None,
                version: 1,
            };
            tx.insert_patient(&patient).await?;
            let size = rng.gen_range(3..=8);
            let mut chosen: Vec<usize> = Vec::with_capacity(size);
            if i % 50 == 0 {
                chosen.push(0); // the benchmark account's professional
            }
            while chosen.len() < size {
                let c = rng.gen_range(1..pros.len());
                if !chosen.contains(&c) {
                    chosen.push(c);
                }
            }
            let members: Vec<TeamMember> = chosen
                .iter()
                .enumerate()
                .map(|(j, &c)| TeamMember {
                    id: MemberId::new(),
                    kind: MemberKind::Professional,
                    professional_id: Some(pros[c].id),
                    name: None,
                    organisation_id: Some(pros[c].organisation_ids[0]),
                    role: pros[c].title.clone(),
                    responsibility: format!("{} for this patient", pros[c].title),
                    phone: None,
                    is_coordinator: j == 0,
                    active_from: today - Duration::days(200),
                    active_to: None,
                })
                .collect();
            members_total += members.len();
            let team = CareTeam {
                patient_id: patient.id,
                members,
                version: 0,
            };
            tx.save_team(&team, 0).await?;
            tx.save_plan_header(
                &PlanHeader {
                    patient_id: patient.id,
                    revision_date: Some(today + Duration::days(180)),
                    version: 0,
                },
                0,
            )
            .await?;
            let mut goals = Vec::new();
            for g in 0..rng.gen_range(1..=3) {
                let goal = Goal {
                    id: GoalId::new(),
                    patient_id: patient.id,
                    author: if g == 0 {
                        GoalAuthor::Patient
                    } else {
                        GoalAuthor::Professional
                    },
                    owner_member_id: (g > 0).then(|| team.members[0].id),
                    text: if g == 0 {
                        "Have a good everyday life".into()
                    } else {
                        "Return to work part-time".into()
                    },
                    achieved: false,
                    created_at: created,
                    version: 1,
                };
                tx.insert_goal(&goal).await?;
                goals.push(goal.id);
            }
            let n_actions = rng.gen_range(5..=20);
            actions_total += n_actions;
            for _ in 0..n_actions {
                let owner = &team.members[rng.gen_range(0..team.members.len())];
                let status = [
                    ActionStatus::Planned,
                    ActionStatus::InProgress,
                    ActionStatus::Done,
                    ActionStatus::Cancelled,
                ][rng.gen_range(0..4)];
                tx.insert_action(&Action {
                    id: ActionId::new(),
                    patient_id: patient.id,
                    title: ACTIONS[rng.gen_range(0..ACTIONS.len())].into(),
                    owner_member_id: owner.id,
                    sector: orgs
                        .iter()
                        .find(|o| Some(o.id) == owner.organisation_id)
                        .map(|o| o.sector)
                        .unwrap_or(Sector::Other),
                    due_date: today + Duration::days(rng.gen_range(-60..120)),
                    status,
                    goal_id: goals.first().copied().filter(|_| rng.gen_bool(0.5)),
                    created_at: created,
                    version: 1,
                })
                .await?;
            }
            for s in 0..rng.gen_range(0..=3) {
                tx.insert_service(&Service {
                    id: ServiceId::new(),
                    patient_id: patient.id,
                    what: format!("Service {s}"),
                    provider: "Municipal care".into(),
                    frequency: "Weekly".into(),
                    version: 1,
                })
                .await?;
            }
            if rng.gen_bool(0.7) {
                let cp = CrisisPlan {
                    warning_signs: "Sleeps badly; withdraws".into(),
                    what_helps: "A walk; calling my sister".into(),
                    contacts: "Coordinator in the day, emergency 113 at night".into(),
                    updated_at: Some(created),
                    ..CrisisPlan::empty(patient.id)
                };
                tx.save_crisis_plan(&cp, 0).await?;
            }
        }
        tx.commit().await?;
        done += n;
        if done % 10_000 < a.batch {
            eprintln!("{done} patients ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    println!(
        "seeded {} patients, {} team members, {} actions, {} professionals in {:.0} s",
        a.patients,
        members_total,
        actions_total,
        pros.len(),
        started.elapsed().as_secs_f64()
    );
    println!("benchmark login: {BENCH_USER} / {BENCH_PASSWORD}");
    Ok(())
}
