//! The crate's one way to run a statement: prepared once per connection and kept in
//! rusqlite's statement cache, run on the calling thread (no hop to a worker thread per
//! statement), rows read out into plain values before the statement is reset.
//!
//! The builder keeps the shape the repositories were written in (`query(sql).bind(..)
//! .fetch_all(conn)`), so every repository reads the same way. Rows are owned values
//! so they can live across an `.await` in a `Send` future (a rusqlite statement or row
//! borrows the connection, which is not `Sync`, and must not).

use crate::codec::db_err;
use rusqlite::types::{FromSql, ToSql, Value, ValueRef};
use rusqlite::Connection;
use samband_store::{StoreError, StoreResult};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Statements kept prepared per connection. A read use case runs about twenty
/// different ones and the reader connections serve every use case, so rusqlite's
/// default of 16 would evict on every request.
pub(crate) const STATEMENT_CACHE: usize = 256;

/// A statement with its parameters, bound in order.
pub(crate) struct Query<'q> {
    sql: &'q str,
    params: Vec<Box<dyn ToSql + 'q>>,
}

pub(crate) fn query(sql: &str) -> Query<'_> {
    Query {
        sql,
        params: Vec::new(),
    }
}

/// A query whose rows are one value each.
pub(crate) struct Scalar<'q>(Query<'q>);

pub(crate) fn query_scalar(sql: &str) -> Scalar<'_> {
    Scalar(query(sql))
}

/// What an executed statement changed.
pub(crate) struct Done(u64);

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.0
    }
}

/// One result row, read out of the statement: column names shared by the rows of one
/// result, values owned.
pub(crate) struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// The value of column `col`. Like sqlx's SQLite rows, a name that occurs twice in
    /// a result (a join's `*`) means its last occurrence.
    pub(crate) fn get<T: FromSql>(&self, col: &str) -> StoreResult<T> {
        let i = self
            .names
            .iter()
            .rposition(|n| n == col)
            .ok_or_else(|| StoreError::Other(format!("column {col}: not in the result")))?;
        self.index(i)
            .map_err(|e| StoreError::Other(format!("column {col}: {e}")))
    }

    /// The value of the column at `i`.
    pub(crate) fn index<T: FromSql>(&self, i: usize) -> Result<T, String> {
        let v = self.values.get(i).ok_or_else(|| format!("no column {i}"))?;
        T::column_result(ValueRef::from(v)).map_err(|e| e.to_string())
    }
}

impl<'q> Query<'q> {
    pub(crate) fn bind<T: ToSql + 'q>(mut self, v: T) -> Self {
        self.params.push(Box::new(v));
        self
    }

    fn params(&self) -> Vec<&dyn ToSql> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &dyn ToSql)
            .collect()
    }

    pub(crate) fn execute(self, conn: &Connection) -> StoreResult<Done> {
        let mut stmt = conn.prepare_cached(self.sql).map_err(db_err)?;
        let n = stmt.execute(&self.params()[..]).map_err(db_err)?;
        Ok(Done(n as u64))
    }

    /// Runs the statement, handing each row to `f` until it returns `false`.
    fn each(self, conn: &Connection, mut f: impl FnMut(Row) -> bool) -> StoreResult<()> {
        let mut stmt = conn.prepare_cached(self.sql).map_err(db_err)?;
        let names: Arc<[String]> = stmt.column_names().into_iter().map(String::from).collect();
        let width = names.len();
        let mut rows = stmt.query(&self.params()[..]).map_err(db_err)?;
        while let Some(r) = rows.next().map_err(db_err)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(Value::from(r.get_ref(i).map_err(db_err)?));
            }
            let more = f(Row {
                names: names.clone(),
                values,
            });
            if !more {
                break;
            }
        }
        Ok(())
    }

    pub(crate) fn fetch_all(self, conn: &Connection) -> StoreResult<Vec<Row>> {
        let mut out = Vec::new();
        self.each(conn, |r| {
            out.push(r);
            true
        })?;
        Ok(out)
    }

    pub(crate) fn fetch_optional(self, conn: &Connection) -> StoreResult<Option<Row>> {
        let mut out = None;
        self.each(conn, |r| {
            out = Some(r);
            false
        })?;
        Ok(out)
    }

    pub(crate) fn fetch_one(self, conn: &Connection) -> StoreResult<Row> {
        self.fetch_optional(conn)?.ok_or_else(|| {
            StoreError::Other("no rows returned by a query that expected one".into())
        })
    }
}

impl<'q> Scalar<'q> {
    pub(crate) fn bind<T: ToSql + 'q>(self, v: T) -> Self {
        Scalar(self.0.bind(v))
    }

    pub(crate) fn fetch_one<T: FromSql>(self, conn: &Connection) -> StoreResult<T> {
        first(&self.0.fetch_one(conn)?)
    }

    pub(crate) fn fetch_optional<T: FromSql>(self, conn: &Connection) -> StoreResult<Option<T>> {
        self.0.fetch_optional(conn)?.as_ref().map(first).transpose()
    }

    pub(crate) fn fetch_all<T: FromSql>(self, conn: &Connection) -> StoreResult<Vec<T>> {
        self.0.fetch_all(conn)?.iter().map(first).collect()
    }
}

fn first<T: FromSql>(r: &Row) -> StoreResult<T> {
    r.index(0).map_err(StoreError::Other)
}

/// Runs statements that take no parameters, one after the other (a migration, a
/// tool's raw SQL), parsed afresh each time.
pub(crate) fn exec(conn: &Connection, sql: &str) -> StoreResult<()> {
    conn.execute_batch(sql).map_err(db_err)
}

/// Runs one statement without parameters from the statement cache: the transaction
/// statements every use case runs (`BEGIN`, `SAVEPOINT uc`, `COMMIT`, ...).
pub(crate) fn exec_one(conn: &Connection, sql: &str) -> StoreResult<()> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute([]))
        .map_err(db_err)?;
    Ok(())
}

// Statement counting, for tests: SQLite's own trace hook, so it counts what SQLite ran
// (transaction statements included), not what this crate meant to run.

static COUNTING: AtomicBool = AtomicBool::new(false);
static SHOWING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// From now on, every connection a store opens counts the statements SQLite runs on it
/// into [`statements_run`] (and with `show`, prints each one's text up to its first
/// string value, for finding what to cut). For tests: the trace hook costs time.
pub fn count_statements(show: bool) {
    SHOWING.store(show, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
}

/// Statements run on counted connections since the process started.
pub fn statements_run() -> u64 {
    STATEMENTS.load(Ordering::SeqCst)
}

fn traced(sql: &str) {
    // A trigger's body is reported as a comment naming it: part of its statement.
    if sql.starts_with("--") {
        return;
    }
    STATEMENTS.fetch_add(1, Ordering::SeqCst);
    if SHOWING.load(Ordering::Relaxed) {
        // The trace carries bound values; show only the text before the first of them.
        let text = sql.split('\'').next().unwrap_or_default();
        eprintln!(
            "  statement: {}",
            text.chars().take(160).collect::<String>()
        );
    }
}

/// Installs the counting hook on a freshly set-up connection, if counting is on.
pub(crate) fn maybe_count(conn: &mut Connection) {
    if COUNTING.load(Ordering::SeqCst) {
        conn.trace(Some(traced));
    }
}
