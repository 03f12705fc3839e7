//! Benchmark tooling (not shipped): `seed` fills a database with a synthetic population
//! (invented names, synthetic identifiers) through the store traits, and `load` drives
//! a running server at a fixed concurrency and reports throughput and latency
//! percentiles. Figures and exact commands live in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cluster;
mod crash;
mod harness;
mod load;
mod messages;
mod seed;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "samband-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill a fresh database with a synthetic population.
    Seed(seed::Args),
    /// Drive a running server and report latency percentiles.
    Load(load::Args),
    /// Append N chained audit entries (for timing `samband audit verify`).
    AuditSeed(AuditArgs),
    /// Messages per second and post → live-inbox latency (against `samband demo`).
    Messages(messages::Args),
    /// SIGKILL `samband serve` mid-load, restart, and check every acknowledged write
    /// and its audit entry survived (issue #10).
    Crash(crash::Args),
    /// Three instances on one PostgreSQL, one SIGKILLed mid-load: no lost write, jobs
    /// done exactly once, live updates across instances (issue #10).
    Cluster(cluster::Args),
}

#[derive(clap::Args)]
struct AuditArgs {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 1_000_000)]
    entries: usize,
}

async fn audit_seed(a: AuditArgs) -> anyhow::Result<()> {
    use samband_domain::ids::{AccountId, PatientId};
    let started = std::time::Instant::now();
    let store = samband_server::open_store(&a.database_url, 4).await?;
    let actors: Vec<AccountId> = (0..200).map(|_| AccountId::new()).collect();
    let patients: Vec<PatientId> = (0..5_000).map(|_| PatientId::new()).collect();
    let mut done = 0;
    while done < a.entries {
        let n = 10_000.min(a.entries - done);
        let mut tx = store.begin().await?;
        for i in done..done + n {
            tx.append_audit(&samband_store::AuditEntry {
                id: uuid::Uuid::now_v7(),
                at: samband_domain::clock::Clock::now(&samband_domain::clock::SystemClock),
                actor_account_id: Some(actors[i % actors.len()]),
                patient_id: Some(patients[i % patients.len()]),
                object_type: "patient".into(),
                object_id: None,
                action: "read".into(),
                purpose: "care".into(),
                request_id: Some(format!("bench-{i}")),
            })
            .await?;
        }
        tx.commit().await?;
        done += n;
    }
    println!(
        "appended {} chained audit entries in {:.1} s",
        a.entries,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed(a) => seed::run(a).await,
        Command::Load(a) => load::run(a).await,
        Command::AuditSeed(a) => audit_seed(a).await,
        Command::Messages(a) => messages::run(a).await,
        Command::Crash(a) => crash::run(a).await,
        Command::Cluster(a) => cluster::run(a).await,
    }
}
