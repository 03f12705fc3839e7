//! The command line: `serve`, `demo`, `migrate`, `user add`, `check-config`.

use crate::config::{Config, Overrides, DEFAULT_DATABASE_URL};
use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use samband_app::audit_export::{ExportFormat, Verified};
use samband_app::demo::DEMO_PASSWORD;
use samband_app::directory::AccountInput;
use samband_domain::secret::Secret;
use secrecy::ExposeSecret;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "samband",
    version,
    about = "Samband: cross-sectoral care coordination"
)]
pub struct Cli {
    /// TOML configuration file (also SAMBAND_CONFIG).
    #[arg(long, global = true, env = "SAMBAND_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database: sqlite://PATH or postgres://… (also SAMBAND_DATABASE_URL). May hold
    /// a password, so `Debug` shows `[redacted]`.
    #[arg(long, global = true)]
    pub database_url: Option<Secret>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Run the server on a fresh database seeded with the five demo stories.
    Demo(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Load and validate the configuration, print it (without secrets) and exit.
    CheckConfig,
    /// Check or export the tamper-evident audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain; exits non-zero and names the first broken link.
    Verify,
    /// Write every entry as JSON lines (`jsonl`) or FHIR R4 AuditEvent lines (`fhir`).
    Export {
        #[arg(long, default_value = "jsonl")]
        format: String,
        /// File to write (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, IP:PORT (also SAMBAND_BIND).
    #[arg(long)]
    pub bind: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from SAMBAND_NEW_PASSWORD or stdin.
    Add {
        #[arg(long)]
        username: String,
        /// professional, patient or admin
        #[arg(long, default_value = "admin")]
        role: String,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        professional_id: Option<String>,
        #[arg(long)]
        patient_id: Option<String>,
        /// A professional who reviews emergency access in their organisation.
        #[arg(long)]
        privacy_officer: bool,
    },
}

/// The demo runs on its own file so it never touches a real `samband.db`.
pub const DEMO_DATABASE_URL: &str = "sqlite://samband-demo.db";

fn load(cli: &Cli, bind: Option<String>, default_db: &str) -> anyhow::Result<Config> {
    let env = |k: &str| std::env::var(k).ok();
    Config::load(
        cli.config.as_deref(),
        &env,
        &Overrides {
            database_url: cli.database_url.clone(),
            bind,
        },
        default_db,
    )
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::CheckConfig => {
            let cfg = load(&cli, None, DEFAULT_DATABASE_URL)?;
            println!("{cfg:#?}");
            println!("configuration OK");
            Ok(())
        }
        Command::Audit(cmd) => {
            let cfg = load(&cli, None, DEFAULT_DATABASE_URL)?;
            let app = crate::build_app(&cfg, crate::system_clock()).await?;
            match cmd {
                AuditCommand::Verify => match app.audit_trail().verify_audit().await? {
                    Verified::Intact { entries, unsealed } => {
                        println!("audit trail intact: {entries} entries verified");
                        if unsealed > 0 {
                            // Not a break: entries after the sealer's last pass.
                            println!(
                                "unsealed tail: {unsealed} newer entries not yet linked into the chain (a running server seals them within a second)"
                            );
                        }
                        Ok(())
                    }
                    Verified::Broken(b) => {
                        bail!("audit trail broken at entry {}: {}", b.seq, b.reason)
                    }
                },
                AuditCommand::Export { format, output } => {
                    let format = match format.as_str() {
                        "jsonl" => ExportFormat::JsonLines,
                        "fhir" => ExportFormat::FhirAuditEvent,
                        other => bail!("unknown format {other:?}: use jsonl or fhir"),
                    };
                    let n = match output {
                        Some(path) => {
                            let file = std::fs::File::create(path)
                                .with_context(|| format!("creating {}", path.display()))?;
                            let mut w = std::io::BufWriter::new(file);
                            app.audit_trail().export_audit(format, &mut w).await?
                        }
                        None => {
                            let stdout = std::io::stdout();
                            let mut w = std::io::BufWriter::new(stdout.lock());
                            app.audit_trail().export_audit(format, &mut w).await?
                        }
                    };
                    eprintln!("exported {n} audit entries");
                    Ok(())
                }
            }
        }
        Command::Migrate => {
            let cfg = load(&cli, None, DEFAULT_DATABASE_URL)?;
            init_tracing(&cfg.log, cfg.log_format);
            crate::open_store(cfg.database_url.expose_secret(), 2).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User(UserCommand::Add {
            username,
            role,
            display_name,
            professional_id,
            patient_id,
            privacy_officer,
        }) => {
            let cfg = load(&cli, None, DEFAULT_DATABASE_URL)?;
            let app = crate::build_app(&cfg, crate::system_clock()).await?;
            let password = match std::env::var("SAMBAND_NEW_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading password from stdin")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let input = AccountInput {
                username: username.clone(),
                password: password.into(),
                role: role.clone(),
                display_name: display_name.clone(),
                professional_id: professional_id
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .context("--professional-id")?,
                patient_id: patient_id
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .context("--patient-id")?,
                privacy_officer: *privacy_officer,
                proxy_may_consent: false,
            };
            match app.directory().create_account(None, &input).await {
                Ok(a) => {
                    println!("created {} account {}", a.role, a.username);
                    Ok(())
                }
                Err(samband_app::AppError::Validation(v)) => bail!("not created: {v}"),
                Err(e) => Err(e.into()),
            }
        }
        Command::Serve(args) => {
            let cfg = load(&cli, args.bind.clone(), DEFAULT_DATABASE_URL)?;
            init_tracing(&cfg.log, cfg.log_format);
            let app = crate::build_app(&cfg, crate::system_clock()).await?;
            serve_until_signal(&cfg, app).await
        }
        Command::Demo(args) => {
            let cfg = load(&cli, args.bind.clone(), DEMO_DATABASE_URL)?;
            init_tracing(&cfg.log, cfg.log_format);
            let url = cfg.database_url.expose_secret().to_owned();
            if url == DEMO_DATABASE_URL {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("samband-demo.db{suffix}"));
                }
            }
            let app = crate::build_app(&cfg, crate::system_clock()).await?;
            let mut tx = app.store.begin().await?;
            if !tx.list_accounts().await?.is_empty() {
                bail!(
                    "`samband demo` needs an empty database; {} already has accounts",
                    crate::config::redact_url(&url)
                );
            }
            drop(tx);
            let data = app
                .seed_demo()
                .await
                .map_err(|e| anyhow::anyhow!("seeding demo data: {e}"))?;
            println!(
                "\nSamband demo data loaded (database {})",
                crate::config::redact_url(&url)
            );
            println!("Every demo account's password: {DEMO_PASSWORD}\n");
            for l in &data.logins {
                println!("  {:<18} {:<20} {}", l.username, l.display_name, l.what);
            }
            println!();
            serve_until_signal(&cfg, app).await
        }
    }
}

async fn serve_until_signal(cfg: &Config, app: samband_app::App) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&cfg.bind)
        .await
        .with_context(|| format!("binding {}", cfg.bind))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = app.store.backend_name(), "listening");
    // Printed on stdout so scripts and tests that bind port 0 learn the real port.
    println!("Samband is listening on http://{addr}/");
    let metrics = match &cfg.metrics_bind {
        Some(bind) => {
            let listener = tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("binding the metrics address {bind}"))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, "metrics served");
            println!("Samband metrics on http://{addr}/metrics");
            Some(tokio::spawn(crate::serve_metrics(listener, app.clone())))
        }
        None => None,
    };
    let mailer = crate::mailer(cfg)?;
    if mailer.is_none() {
        tracing::info!("no mail server configured: notifications stay in the app");
    }
    let (stop_jobs, runner) = crate::spawn_job_runner(&app, mailer);
    let served = crate::serve(listener, app, cfg.secure_cookies, shutdown_signal()).await;
    let _ = stop_jobs.send(true);
    let _ = runner.await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Logs go to standard error (standard output carries what the commands print: the
/// listening address, the demo logins), as text — coloured only when standard error
/// is a terminal and `NO_COLOR` is unset — or as JSON lines.
pub fn init_tracing(filter: &str, format: crate::config::LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = match format {
        crate::config::LogFormat::Text => builder.with_ansi(colour).try_init(),
        crate::config::LogFormat::Json => builder
            .with_ansi(false)
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
