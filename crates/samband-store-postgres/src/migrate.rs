//! Embedded migrations for PostgreSQL, applied under an advisory lock so that several
//! instances starting together apply each migration exactly once.

use crate::codec::db_err;
use samband_store::{StoreError, StoreResult};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

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

/// Arbitrary constant naming Samband's migration lock.
const LOCK_KEY: i64 = 0x5a4d_4241_4e44;

pub(crate) async fn run(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    for (version, name, sql) in MIGRATIONS {
        let sum = checksum(sql);
        let applied: Option<String> =
            sqlx::query_scalar("SELECT checksum FROM schema_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        match applied {
            Some(stored) if stored != sum => {
                return Err(StoreError::Other(format!(
                    "migration {name} was changed after it was applied"
                )));
            }
            Some(_) => {}
            None => {
                sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                )
                .bind(version)
                .bind(name)
                .bind(&sum)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tracing::info!(migration = name, "applied migration");
            }
        }
    }
    tx.commit().await.map_err(db_err)
}

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
