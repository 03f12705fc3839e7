//! Column access and error mapping for PostgreSQL rows.

use samband_store::StoreError;
use sqlx::postgres::PgRow;
use uuid::Uuid;

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Conflict("already exists".into());
        }
    }
    StoreError::Other(e.to_string())
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("stored value could not be read: {what}"))
}

pub(crate) fn get<'r, T>(row: &'r PgRow, col: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    sqlx::Row::try_get(row, col).map_err(|e| StoreError::Other(format!("column {col}: {e}")))
}

pub(crate) fn uid<T: From<Uuid>>(row: &PgRow, col: &str) -> Result<T, StoreError> {
    get::<Uuid>(row, col).map(T::from)
}

pub(crate) fn opt_uid<T: From<Uuid>>(row: &PgRow, col: &str) -> Result<Option<T>, StoreError> {
    get::<Option<Uuid>>(row, col).map(|o| o.map(T::from))
}

pub(crate) fn versioned(rows: u64, expected: i64) -> Result<i64, StoreError> {
    if rows == 1 {
        Ok(expected + 1)
    } else {
        Err(StoreError::Conflict(format!("not at version {expected}")))
    }
}
