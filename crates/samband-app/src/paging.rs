//! Every list is read a page at a time. A caller asks with [`PageParams`] — an opaque
//! cursor and a page size, as typed in a query string — and gets a [`Page`]: the rows,
//! the cursor of the next page if there is one, and how many rows the whole list holds.
//!
//! The cursor is the last row's sort key and id (the tie-breaker), with the list's
//! name, as base64url of a small JSON array: the store goes on from just after that row
//! (keyset paging), so a page costs the same however deep into the list it is, and rows
//! with equal keys are neither repeated nor skipped. A cursor that does not decode, or
//! that belongs to another list, and a page size outside 1–[`MAX_LIMIT`] are field
//! errors (`cursor`, `limit`); nothing is read.

use crate::AppError;
use base64::Engine;
use samband_domain::ValidationErrors;
use samband_store::PageAt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Rows per page when the caller does not say.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: i64 = 200;

/// A page request as the caller typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PageParams {
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

impl PageParams {
    pub fn first() -> Self {
        Self::default()
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the page after this one; `None` on the last page.
    pub next: Option<String>,
    /// How many rows the whole list holds (every page together).
    pub total: i64,
    /// The page size used.
    pub limit: i64,
}

impl<T> Page<T> {
    /// The same page with its rows turned into something else.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            total: self.total,
            limit: self.limit,
        }
    }
}

/// A page request checked for one list: where to start and how many rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageReq<K> {
    list: &'static str,
    pub(crate) after: Option<(K, Uuid)>,
    pub(crate) limit: i64,
}

impl<K: Clone> PageReq<K> {
    /// What to ask the store for: one row more than the page, so the page knows
    /// whether another follows.
    pub(crate) fn probe(&self) -> PageAt<K> {
        PageAt {
            after: self.after.as_ref().map(|(key, id)| samband_store::After {
                key: key.clone(),
                id: *id,
            }),
            limit: self.limit + 1,
        }
    }
}

impl<K: Serialize> PageReq<K> {
    /// Cuts what the store returned for [`probe`](Self::probe) to the page and names
    /// the next page's cursor (from the last row kept, before any row is withheld).
    pub(crate) fn cut<T>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> (K, Uuid),
    ) -> (Vec<T>, Option<String>) {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit.max(0) as usize);
        let next = if more {
            rows.last().map(|r| {
                let (k, id) = key(r);
                encode(self.list, &k, id)
            })
        } else {
            None
        };
        (rows, next)
    }

    pub(crate) fn page<T>(&self, items: Vec<T>, next: Option<String>, total: i64) -> Page<T> {
        Page {
            items,
            next,
            total,
            limit: self.limit,
        }
    }
}

/// Checks a page request for the list named `list` (whose sort key is a `K`).
pub(crate) fn parse<K: DeserializeOwned>(
    list: &'static str,
    p: &PageParams,
) -> Result<PageReq<K>, AppError> {
    let mut errs = ValidationErrors::new();
    let limit = match p.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                errs.add(
                    "limit",
                    "page_size",
                    format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                );
                DEFAULT_LIMIT
            }
        },
    };
    let after = match p.cursor.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match decode::<K>(list, s) {
            Some(a) => Some(a),
            None => {
                errs.add(
                    "cursor",
                    "bad_cursor",
                    "cursor is not a cursor of this list; start again from the first page",
                );
                None
            }
        },
    };
    errs.into_result()?;
    Ok(PageReq { list, after, limit })
}

fn encode<K: Serialize>(list: &str, key: &K, id: Uuid) -> String {
    let json = serde_json::to_vec(&(list, key, id)).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode<K: DeserializeOwned>(list: &str, s: &str) -> Option<(K, Uuid)> {
    if s.len() > 1024 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()?;
    let (name, key, id): (String, K, Uuid) = serde_json::from_slice(&bytes).ok()?;
    (name == list).then_some((key, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(cursor: Option<&str>, limit: Option<&str>) -> PageParams {
        PageParams {
            cursor: cursor.map(str::to_owned),
            limit: limit.map(str::to_owned),
        }
    }

    fn fields(e: AppError) -> Vec<(String, &'static str)> {
        match e {
            AppError::Validation(v) => v.errors.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn the_default_page_starts_at_the_beginning() {
        let r = parse::<String>("caseload", &PageParams::first()).unwrap();
        assert_eq!((r.after, r.limit), (None, DEFAULT_LIMIT));
        let r = parse::<String>("caseload", &params(Some(""), Some(" 7 "))).unwrap();
        assert_eq!((r.after, r.limit), (None, 7));
    }

    #[test]
    fn a_cursor_round_trips_with_its_key_and_id() {
        let id = Uuid::now_v7();
        let c = encode("caseload", &"Berg Kari".to_string(), id);
        assert!(c
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let r = parse::<String>("caseload", &params(Some(&c), Some("200"))).unwrap();
        assert_eq!(r.after, Some(("Berg Kari".to_string(), id)));
        assert_eq!(r.limit, MAX_LIMIT);
    }

    #[test]
    fn limits_out_of_bounds_and_foreign_or_broken_cursors_are_field_errors() {
        for bad in ["0", "-1", "201", "ten", "1.5", "99999999999999999999"] {
            assert_eq!(
                fields(parse::<String>("caseload", &params(None, Some(bad))).unwrap_err()),
                [("limit".to_string(), "page_size")],
                "{bad}"
            );
        }
        let other_list = encode("history", &"x".to_string(), Uuid::now_v7());
        let wrong_key = encode("caseload", &17, Uuid::now_v7());
        for bad in [
            "%%%",
            "abc",
            other_list.as_str(),
            wrong_key.as_str(),
            &"A".repeat(2000),
        ] {
            assert_eq!(
                fields(parse::<String>("caseload", &params(Some(bad), None)).unwrap_err()),
                [("cursor".to_string(), "bad_cursor")],
                "{bad}"
            );
        }
        assert_eq!(
            fields(parse::<String>("caseload", &params(Some("abc"), Some("0"))).unwrap_err()).len(),
            2,
            "both named at once"
        );
    }

    #[test]
    fn a_page_cut_from_one_row_more_names_the_next_cursor() {
        let r = parse::<i64>("audit", &params(None, Some("2"))).unwrap();
        assert_eq!(r.probe().limit, 3);
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let rows = vec![(1i64, ids[0]), (2, ids[1]), (3, ids[2])];
        let (kept, next) = r.cut(rows.clone(), |r| *r);
        assert_eq!(kept, rows[..2].to_vec());
        let next = parse::<i64>("audit", &params(next.as_deref(), Some("2"))).unwrap();
        assert_eq!(next.after, Some((2, ids[1])));
        let (kept, next) = r.cut(rows[..2].to_vec(), |r| *r);
        assert_eq!((kept.len(), next), (2, None), "no row more: the last page");
    }
}
