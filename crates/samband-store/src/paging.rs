//! Keyset paging: a list is read page by page from just after the last row shown,
//! identified by its sort key and its id (the tie-breaker), never by an offset. A
//! page query reads at most `limit` rows however long the list is, and rows that
//! share a sort key are neither repeated nor skipped.

use uuid::Uuid;

/// The last row of the previous page: its sort key and id.
#[derive(Debug, Clone, PartialEq)]
pub struct After<K> {
    pub key: K,
    pub id: Uuid,
}

/// Which page to read: the rows after `after` (from the start when `None`) in the
/// list's order, at most `limit` of them.
#[derive(Debug, Clone, PartialEq)]
pub struct PageAt<K> {
    pub after: Option<After<K>>,
    pub limit: i64,
}

impl<K> PageAt<K> {
    /// The first `limit` rows.
    pub fn first(limit: i64) -> Self {
        Self { after: None, limit }
    }

    /// The `limit` rows after the row with `key` and `id`.
    pub fn after(key: K, id: Uuid, limit: i64) -> Self {
        Self {
            after: Some(After { key, id }),
            limit,
        }
    }
}

/// Which history entries a history list holds: one object's (`object_id`), and only
/// entries about the object types the reader may read (`object_types`; `None` for
/// every type). The caller decides the types through the access policy; the store only
/// filters by them, so the page and its count agree with what is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HistoryFilter<'a> {
    pub object_id: Option<&'a str>,
    pub object_types: Option<&'a [&'a str]>,
}

/// Which of a patient's threads a list holds for one reader, as the access policy
/// decided per information category: threads the reader takes part in whose category
/// is in `participant_categories`, and threads they do not take part in whose category
/// is in `other_categories`. The store only filters by them, so a page and its count
/// hold exactly what the reader may see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThreadFilter<'a> {
    pub reader: samband_domain::ids::AccountId,
    pub participant_categories: &'a [&'a str],
    pub other_categories: &'a [&'a str],
}
