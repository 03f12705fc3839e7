//! Benchmark tooling (not shipped): `seed` fills a database with a synthetic population
//! (invented names, synthetic identifiers) through the store traits, and `load` drives
//! a running server at a fixed concurrency and reports throughput and latency
//! percentiles. Figures and exact commands live in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod load;
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed(a) => seed::run(a).await,
        Command::Load(a) => load::run(a).await,
    }
}
