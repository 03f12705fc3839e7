//! Embedded migrations, applied in order, each in its own transaction. A migration that
//! was applied and later edited is refused (checksum drift), never silently re-run.

use crate::codec::db_err;
use samband_store::{StoreError, StoreResult};
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

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
];

pub(crate) async fn run(conn: &mut SqliteConnection) -> StoreResult<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    for (version, name, sql) in MIGRATIONS {
        let sum = checksum(sql);
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        let applied = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = ?")
            .bind(version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        match applied {
            Some(row) => {
                let stored: String = row.try_get(0).map_err(db_err)?;
                if stored != sum {
                    return Err(StoreError::Other(format!(
                        "migration {name} was changed after it was applied"
                    )));
                }
            }
            None => {
                sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
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
        tx.commit().await.map_err(db_err)?;
    }
    Ok(())
}

fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
