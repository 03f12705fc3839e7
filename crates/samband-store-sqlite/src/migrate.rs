//! Embedded migrations, applied in order, each in its own transaction. A migration that
//! was applied and later edited is refused (checksum drift), never silently re-run.

use crate::db::{exec, query, query_scalar};
use rusqlite::Connection;
use samband_store::{StoreError, StoreResult};
use sha2::{Digest, Sha256};

pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "0001_init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "0002_consent_emergency_chain",
        include_str!("../migrations/0002_consent_emergency_chain.sql"),
    ),
    (
        3,
        "0003_two_factor",
        include_str!("../migrations/0003_two_factor.sql"),
    ),
    (
        4,
        "0004_privacy_officer",
        include_str!("../migrations/0004_privacy_officer.sql"),
    ),
    (
        5,
        "0005_proxy",
        include_str!("../migrations/0005_proxy.sql"),
    ),
    (
        6,
        "0006_messages_jobs",
        include_str!("../migrations/0006_messages_jobs.sql"),
    ),
    (
        7,
        "0007_meetings",
        include_str!("../migrations/0007_meetings.sql"),
    ),
    (
        8,
        "0008_minutes_category",
        include_str!("../migrations/0008_minutes_category.sql"),
    ),
    (
        9,
        "0009_organisation_country",
        include_str!("../migrations/0009_organisation_country.sql"),
    ),
    (
        10,
        "0010_token_last_used",
        include_str!("../migrations/0010_token_last_used.sql"),
    ),
    (
        11,
        "0011_audit_sealer",
        include_str!("../migrations/0011_audit_sealer.sql"),
    ),
    (
        12,
        "0012_list_paging",
        include_str!("../migrations/0012_list_paging.sql"),
    ),
    (
        13,
        "0013_pathways_handovers",
        include_str!("../migrations/0013_pathways_handovers.sql"),
    ),
    (
        14,
        "0014_succession",
        include_str!("../migrations/0014_succession.sql"),
    ),
    (
        16,
        "0016_needs_mappings",
        include_str!("../migrations/0016_needs_mappings.sql"),
    ),
    (
        17,
        "0017_admin_lists",
        include_str!("../migrations/0017_admin_lists.sql"),
    ),
    (
        18,
        "0018_self_monitoring",
        include_str!("../migrations/0018_self_monitoring.sql"),
    ),
    (
        19,
        "0019_signals_absence",
        include_str!("../migrations/0019_signals_absence.sql"),
    ),
    (
        20,
        "0020_relapse_plan",
        include_str!("../migrations/0020_relapse_plan.sql"),
    ),
    (
        21,
        "0021_case_reviews",
        include_str!("../migrations/0021_case_reviews.sql"),
    ),
];

/// Applies what is pending. Blocking (it may run long): the caller runs it off the
/// async runtime's threads.
pub(crate) fn run(conn: &Connection) -> StoreResult<()> {
    exec(
        conn,
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL)",
    )?;
    for (version, name, sql) in MIGRATIONS {
        let sum = checksum(sql);
        exec(conn, "BEGIN IMMEDIATE")?;
        // Whatever fails below leaves the migration unapplied, not half applied.
        let applied = apply(conn, *version, name, sql, &sum);
        match applied {
            Ok(()) => exec(conn, "COMMIT")?,
            Err(e) => {
                let _ = exec(conn, "ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(())
}

fn apply(conn: &Connection, version: i64, name: &str, sql: &str, sum: &str) -> StoreResult<()> {
    let applied: Option<String> =
        query_scalar("SELECT checksum FROM schema_migrations WHERE version = ?")
            .bind(version)
            .fetch_optional(conn)?;
    match applied {
        Some(stored) => {
            if stored != sum {
                return Err(StoreError::Other(format!(
                    "migration {name} was changed after it was applied"
                )));
            }
        }
        None => {
            exec(conn, sql)?;
            query("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)")
                .bind(version)
                .bind(name)
                .bind(sum)
                .execute(conn)?;
            tracing::info!(migration = name, "applied migration");
        }
    }
    Ok(())
}

fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
