//! The links under a paged list: how many there are, "Next page" (the list's next
//! cursor) and "First page" (when the reader is past it). Every link keeps the list's
//! filter and the page size the reader chose, so paging never loses what was asked for.

use crate::base::Base;
use samband_app::paging::{Page, PageParams};

#[derive(Debug, Clone, PartialEq)]
pub struct Pager {
    pub total: i64,
    pub shown: usize,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

impl Pager {
    /// `path` is the list's page; `keep` its filter parameters (empty ones are left
    /// out); `asked` the page request this page answered.
    pub fn new<T>(
        page: &Page<T>,
        path: &str,
        keep: &[(&str, Option<&str>)],
        asked: &PageParams,
    ) -> Self {
        Self::named(page, path, keep, asked, ("cursor", "limit"))
    }

    /// The same for a page that shows two lists, each with its own `(cursor, limit)`
    /// parameter names; `keep` then holds the other list's parameters.
    pub fn named<T>(
        page: &Page<T>,
        path: &str,
        keep: &[(&str, Option<&str>)],
        asked: &PageParams,
        (cursor_name, limit_name): (&str, &str),
    ) -> Self {
        let limit = asked.limit.as_deref().filter(|l| !l.trim().is_empty());
        let href = |cursor: Option<&str>| {
            let mut pairs: Vec<(&str, &str)> = keep
                .iter()
                .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
                .collect();
            if let Some(c) = cursor {
                pairs.push((cursor_name, c));
            }
            if let Some(l) = limit {
                pairs.push((limit_name, l));
            }
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            }
        };
        let past_first = asked
            .cursor
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        Self {
            total: page.total,
            shown: page.items.len(),
            next_href: page.next.as_deref().map(|c| href(Some(c))),
            first_href: past_first.then(|| href(None)),
        }
    }

    /// "Showing 50 of 20000" in the reader's language.
    pub fn summary(&self, base: &Base) -> String {
        base.t("pager.showing")
            .replace("{shown}", &self.shown.to_string())
            .replace("{total}", &self.total.to_string())
    }

    /// Whether there is anything to show under the list (more than one page).
    pub fn has_links(&self) -> bool {
        self.next_href.is_some() || self.first_href.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(next: Option<&str>) -> Page<u8> {
        Page {
            items: vec![1, 2],
            next: next.map(str::to_owned),
            total: 9,
            limit: 2,
        }
    }

    #[test]
    fn links_keep_the_filter_and_the_page_size() {
        let asked = PageParams {
            cursor: Some("abc".into()),
            limit: Some("2".into()),
        };
        let p = Pager::new(
            &page(Some("n+x")),
            "/patients/1/history",
            &[
                ("object_id", Some("a b")),
                ("empty", Some("")),
                ("none", None),
            ],
            &asked,
        );
        assert_eq!(
            p.next_href.as_deref(),
            Some("/patients/1/history?object_id=a+b&cursor=n%2Bx&limit=2")
        );
        assert_eq!(
            p.first_href.as_deref(),
            Some("/patients/1/history?object_id=a+b&limit=2")
        );
        assert_eq!((p.total, p.shown), (9, 2));
    }

    #[test]
    fn the_first_and_last_page_have_no_link_back_or_on() {
        let p = Pager::new(&page(None), "/patients", &[], &PageParams::first());
        assert_eq!((p.next_href, p.first_href), (None, None));
        let p = Pager::new(&page(Some("c")), "/patients", &[], &PageParams::first());
        assert_eq!(p.next_href.as_deref(), Some("/patients?cursor=c"));
        assert!(p.first_href.is_none());
    }
}
