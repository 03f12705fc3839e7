//! The `samband` binary: parses the command line and hands over to `samband-server`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = samband_server::cli::Cli::parse();
    match samband_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("samband: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
