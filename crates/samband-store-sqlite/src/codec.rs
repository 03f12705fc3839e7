//! Conversions between domain values and SQLite's text columns, and error mapping.

use crate::db::Row;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use samband_store::StoreError;
use std::str::FromStr;
use uuid::Uuid;

pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        // A unique index or a primary key: the row exists already.
        if matches!(
            f.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        ) {
            return StoreError::Conflict("already exists".into());
        }
    }
    StoreError::Other(e.to_string())
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("stored value could not be read: {what}"))
}

pub(crate) fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp"))
}

pub(crate) fn date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt("date"))
}

pub(crate) fn id<T: From<Uuid>>(s: &str) -> Result<T, StoreError> {
    Uuid::from_str(s).map(T::from).map_err(|_| corrupt("id"))
}

pub(crate) fn opt_id<T: From<Uuid>>(s: Option<String>) -> Result<Option<T>, StoreError> {
    s.as_deref().map(id).transpose()
}

/// Reads a column, mapping decode errors to `StoreError`.
pub(crate) fn get<T: rusqlite::types::FromSql>(row: &Row, col: &str) -> Result<T, StoreError> {
    row.get(col)
}

/// Result of an optimistic update: zero rows means someone else changed it first.
pub(crate) fn versioned(rows: u64, expected: i64) -> Result<i64, StoreError> {
    if rows == 1 {
        Ok(expected + 1)
    } else {
        Err(StoreError::Conflict(format!("not at version {expected}")))
    }
}
