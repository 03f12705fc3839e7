//! `samband-bench crash`: durability under SIGKILL (issue #10, item 6).
//!
//! Seeds a fresh database with `samband demo`, then repeats: a mixed concurrent write
//! and read load through the HTTP API, SIGKILL of the server at a random moment in it,
//! `samband audit verify` and `audit export` on the database exactly as the crash left
//! it (every acknowledged request must have its audit entry), a restart with `samband
//! serve`, and a read-back of every object acknowledged in the cycle (and a sample of
//! earlier ones) through the restarted server. At the end every object acknowledged in
//! any cycle is read back. It also checks that SQLite cannot be opened with weaker
//! settings than WAL + synchronous=FULL. Exits non-zero on the first lost write.

use crate::harness::*;
use anyhow::{bail, Context};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// The `samband` binary under test.
    #[arg(long)]
    samband: PathBuf,
    /// sqlite (a fresh file) or postgres (a fresh schema in --postgres-url's database).
    #[arg(long)]
    backend: String,
    /// Where to create the PostgreSQL schema (default SAMBAND_TEST_DATABASE_URL or
    /// postgres://postgres@127.0.0.1:5432/test); it is dropped afterwards.
    #[arg(long)]
    postgres_url: Option<String>,
    #[arg(long, default_value_t = 20)]
    cycles: usize,
    /// The kill comes at a random moment between these two (ms after the load starts).
    #[arg(long, default_value_t = 200)]
    min_load_ms: u64,
    #[arg(long, default_value_t = 1500)]
    max_load_ms: u64,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Random seed for the kill moments and the read mix (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Keep the work directory (server logs, SQLite file) even when all is well.
    #[arg(long)]
    keep: bool,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let bin = std::fs::canonicalize(&a.samband)
        .with_context(|| format!("no samband binary at {}", a.samband.display()))?;
    let seed = a.seed.unwrap_or_else(rand::random);
    let work = std::env::temp_dir().join(format!("samband-crash-{}-{seed}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let admin = a.postgres_url.clone().unwrap_or_else(default_pg_url);
    let (url, pg_name) = match a.backend.as_str() {
        "sqlite" => (
            format!("sqlite://{}", work.join("crash.db").display()),
            None,
        ),
        "postgres" => {
            let (name, url) = create_pg_schema(&admin, "samband_crash").await?;
            (url, Some(name))
        }
        other => bail!("unknown backend {other:?}: sqlite or postgres"),
    };
    println!(
        "crash test: {} cycles on {}, kill between {} and {} ms into the load, concurrency {}, seed {seed}",
        a.cycles, a.backend, a.min_load_ms, a.max_load_ms, a.concurrency
    );
    let result = cycles(&a, &bin, &url, &work, seed).await;
    if let Some(name) = &pg_name {
        drop_pg_schema(&admin, name).await?;
    }
    match &result {
        Ok(()) if !a.keep => {
            let _ = std::fs::remove_dir_all(&work);
        }
        _ => println!("work directory (logs, database): {}", work.display()),
    }
    if result.is_ok() && a.backend == "sqlite" {
        weaker_sqlite_refused(&bin).await?;
    }
    result
}

async fn cycles(
    a: &Args,
    bin: &std::path::Path,
    url: &str,
    work: &std::path::Path,
    seed: u64,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let http = client()?;
    let env = vec![("SAMBAND_LOG".to_owned(), "warn".to_owned())];
    let mut server = Server::start(bin, "demo", url, &env, work.join("server-0.log")).await?;
    let world = World::load(&http, &server.base).await?;
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut spec = LoadSpec {
        world: world.clone(),
        bases: vec![server.base.clone()],
        recipient: world.member("Camilla Poulsen")?,
        cycle: 0,
        tag: format!("crash{seed:x}"),
        concurrency: a.concurrency,
        tasks_per_worker: 0,
        creates_per_worker: 10,
        seed,
    };
    let owned = owned_actions(&http, &spec, &ledger).await?;
    let mut kills = Vec::new();
    let mut checked_total = 0;
    // Seconds spent in: load, audit checks, restarts, read-backs.
    let mut spent = [0f64; 4];
    for cycle in 1..=a.cycles {
        let t = Instant::now();
        spec.cycle = cycle;
        spec.bases = vec![server.base.clone()];
        let load = start_load(&http, &spec, &owned, &ledger);
        let at = rng.gen_range(a.min_load_ms..=a.max_load_ms.max(a.min_load_ms));
        tokio::time::sleep(Duration::from_millis(at)).await;
        if !server.alive() {
            bail!(
                "cycle {cycle}: the server died by itself:\n{}",
                tail(
                    &std::fs::read_to_string(&server.log).unwrap_or_default(),
                    30
                )
            );
        }
        server.kill9().await?;
        kills.push(at);
        load.join().await;
        spent[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();

        // The database exactly as the kill left it.
        let (entries, problems) = check_audit(bin, url, work, &ledger).await?;
        fail_if(&problems, &format!("cycle {cycle}: audit after the kill"))?;
        spent[1] += t.elapsed().as_secs_f64();
        let t = Instant::now();

        server = Server::start(
            bin,
            "serve",
            url,
            &env,
            work.join(format!("server-{cycle}.log")),
        )
        .await?;
        spent[2] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let sample: u64 = rng.gen();
        let (checked, problems) = check_objects(&http, &server.base, &world, &ledger, |c, id| {
            c == cycle || c == 0 || fxhash(id) ^ sample < u64::MAX / 20
        })
        .await?;
        checked_total += checked;
        fail_if(
            &problems,
            &format!("cycle {cycle}: objects after the restart"),
        )?;
        spent[3] += t.elapsed().as_secs_f64();
        let l = ledger.lock().unwrap_or_else(|e| e.into_inner());
        if cycle % 10 == 0 || cycle == a.cycles {
            println!(
                "cycle {cycle}: {} acknowledged writes and {} reads so far, {} unanswered, {entries} audit entries",
                l.writes(),
                l.reads(),
                l.unknown
            );
        }
    }
    // Everything acknowledged in every cycle, read back once more.
    let (checked, problems) =
        check_objects(&http, &server.base, &world, &ledger, |_, _| true).await?;
    fail_if(&problems, "at the end")?;
    server.kill9().await?;
    let (n, problems) = check_audit(bin, url, work, &ledger).await?;
    fail_if(&problems, "audit at the end")?;
    // Whatever the kills left unsealed (and whatever sequence numbers the transactions
    // they cut off never used) is sealed into the chain by a server running idle.
    let mut server = Server::start(bin, "serve", url, &env, work.join("server-final.log")).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let sealed = loop {
        let (ok, out) = cli(bin, url, &["audit", "verify"]).await?;
        if !ok {
            bail!("audit verify on the idle server: {}", out.trim());
        }
        if !out.contains("unsealed tail") {
            break out;
        }
        if Instant::now() > deadline {
            bail!(
                "an idle server left the unsealed tail unsealed for 30 s: {}",
                out.trim()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    server.kill9().await?;
    let l = ledger.lock().unwrap_or_else(|e| e.into_inner());
    let mean_kill = kills.iter().sum::<u64>() as f64 / kills.len().max(1) as f64;
    println!(
        "crash test passed: {} cycles on {url_kind} in {:.0} s; {} acknowledged writes ({} threads, {} actions) and {} acknowledged reads, \
         {} requests unanswered at the kills (mean kill {mean_kill:.0} ms into the load); \
         0 lost: every acknowledged object read back after its crash ({checked_total} checks) and at the end ({checked} objects), \
         every acknowledged request's audit entry present ({n} entries), audit chain verified after every kill ({} times with an unsealed tail); \
         time in load {:.0} s, audit checks {:.0} s, restarts {:.0} s, read-backs {:.0} s; \
         then, idle: {}",
        a.cycles,
        started.elapsed().as_secs_f64(),
        l.writes(),
        l.threads.len(),
        l.actions.len(),
        l.reads(),
        l.unknown,
        UNSEALED_TAILS.load(std::sync::atomic::Ordering::Relaxed),
        spent[0],
        spent[1],
        spent[2],
        spent[3],
        sealed.trim(),
        url_kind = a.backend,
    );
    Ok(())
}

/// A stable hash of an id, to pick a sample of earlier objects per cycle.
fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// `samband migrate` on a URL asking for weaker settings (rollback journal,
/// synchronous=OFF) must either refuse or leave the file in WAL mode — the settings
/// Samband needs are not the URL's to weaken. (The refusal of weaker settings that
/// took effect is the unit test `weaker_settings_are_refused`.)
async fn weaker_sqlite_refused(bin: &std::path::Path) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("samband-weak-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("weak.db");
    let url = format!(
        "sqlite://{}?journal_mode=delete&synchronous=off",
        file.display()
    );
    let (ok, out) = cli(bin, &url, &["migrate"]).await?;
    let header = std::fs::read(&file).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    // SQLite's file header: bytes 18 and 19 are 2 for WAL.
    let wal = header.len() > 19 && header[18] == 2 && header[19] == 2;
    if ok && !wal {
        bail!("samband migrate accepted a rollback-journal SQLite database: {out}");
    }
    if ok {
        println!("weaker SQLite settings in the URL: overridden (the file is in WAL mode)");
    } else {
        println!(
            "weaker SQLite settings in the URL: refused ({})",
            out.lines().next().unwrap_or_default().trim()
        );
    }
    Ok(())
}
