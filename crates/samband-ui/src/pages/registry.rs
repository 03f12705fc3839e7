//! The coordinator's caseload registry in the UI: one page of it with its order and
//! filter (a GET form, so the address is the view and can be bookmarked), the pager,
//! and the CSV export of the same view.

use super::{error_response, render};
use crate::base::Base;
use crate::pager::Pager;
use crate::session::Viewer;
use crate::UiState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use samband_app::paging::PageParams;
use samband_app::registry::{RegistryItem, RegistryParams};
use samband_domain::registry::{sparkline_points, Flag, Sort};

/// PHQ-9's top score: the sparkline's scale.
const SPARK_MAX: i64 = 27;

#[derive(Template)]
#[template(path = "registry.html")]
struct RegistryPage {
    base: Base,
    rows: Vec<RegistryItem>,
    count: String,
    pager: Pager,
    sort: Sort,
    flags: Vec<Flag>,
    coordinating: bool,
    review: bool,
    hidden: i64,
    /// The export of this view (same order and filter).
    export_href: String,
    /// This page itself, which the results reload from when something changes for the
    /// reader (a patient answered, an alert moved).
    self_href: String,
}

impl RegistryPage {
    fn sorts(&self) -> &'static [Sort] {
        Sort::ALL
    }
    fn all_flags(&self) -> &'static [Flag] {
        Flag::ALL
    }
    fn flag_on(&self, f: &Flag) -> bool {
        self.flags.contains(f)
    }
    fn sort_label(&self, s: &Sort) -> String {
        self.base.t(&format!("registry.sort_{}", s.as_str()))
    }
    fn flag_label(&self, f: &Flag) -> String {
        self.base.t(&format!("registry.flag_{}", f.as_str()))
    }
    fn withheld(&self, r: &RegistryItem) -> bool {
        r.withheld.contains(&"plan")
    }
    /// The sparkline's polyline points, or nothing for fewer than two scores (one
    /// score is a dot, not a trend).
    fn spark(&self, scores: &[i64]) -> String {
        sparkline_points(scores, SPARK_MAX, 60.0, 18.0)
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
    fn waiting(&self, r: &RegistryItem) -> String {
        self.base.t_args(
            "registry.waiting_n",
            &[
                ("requests", &r.open_requests.to_string()),
                ("receipts", &r.pending_receipts.to_string()),
            ],
        )
    }
    fn change(&self, r: &RegistryItem) -> String {
        match r.change_percent {
            Some(c) if c > 0 => format!("+{c} %"),
            Some(c) => format!("{c} %"),
            None => String::new(),
        }
    }
}

/// The query string as pairs: `flag` repeats (one per ticked box).
fn parse_query(raw: Option<&str>) -> (RegistryParams, Vec<(String, String)>) {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
    let one = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let params = RegistryParams {
        sort: one("sort"),
        flags: pairs
            .iter()
            .filter(|(n, _)| n == "flag")
            .map(|(_, v)| v.clone())
            .collect(),
        coordinating: one("coordinating"),
        review: one("review"),
        page: PageParams {
            cursor: one("cursor"),
            limit: one("limit"),
        },
    };
    (params, pairs)
}

pub async fn registry(
    State(state): State<UiState>,
    mut viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    if viewer.base.is_patient() {
        return Redirect::to("/me").into_response();
    }
    let (params, pairs) = parse_query(raw.as_deref());
    let page = match state.app.registry().page(&viewer.ctx, &params).await {
        Ok(p) => p,
        Err(e) => return error_response(&viewer.base, e),
    };
    viewer.base.title = viewer.base.t(if page.review {
        "registry.review_title"
    } else {
        "registry.title"
    });
    // Paging keeps the view: every parameter but the cursor and page size.
    let keep_pairs: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != "cursor" && k != "limit")
        .collect();
    let keep: Vec<(&str, Option<&str>)> = keep_pairs
        .iter()
        .map(|(k, v)| (k.as_str(), Some(v.as_str())))
        .collect();
    let pager = Pager::new(&page.page, "/registry", &keep, &params.page);
    let view_query = serde_urlencoded::to_string(&keep_pairs).unwrap_or_default();
    let self_href = match raw.as_deref() {
        Some(q) if !q.is_empty() => format!("/registry?{q}"),
        _ => "/registry".to_owned(),
    };
    let export_href = if view_query.is_empty() {
        "/registry/export.csv".to_owned()
    } else {
        format!("/registry/export.csv?{view_query}")
    };
    let key = if page.page.total == 1 {
        "registry.count_one"
    } else {
        "registry.count"
    };
    let count = viewer.base.t_with(key, "n", &page.page.total.to_string());
    render(
        StatusCode::OK,
        &RegistryPage {
            base: viewer.base,
            rows: page.page.items,
            count,
            pager,
            sort: page.sort,
            flags: page.flags,
            coordinating: page.coordinating,
            review: page.review,
            hidden: page.hidden,
            export_href,
            self_href,
        },
    )
}

/// The same view as CSV.
pub async fn export(
    State(state): State<UiState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let (params, _) = parse_query(raw.as_deref());
    match state.app.registry().export_csv(&viewer.ctx, &params).await {
        Ok(csv) => samband_http::csv_response(csv, "registry.csv"),
        Err(e) => error_response(&viewer.base, e),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_query;

    #[test]
    fn repeated_flags_are_all_kept_and_the_page_is_read() {
        let (p, _) = parse_query(Some("sort=overdue&flag=overdue&flag=no_contact&limit=5"));
        assert_eq!(p.sort.as_deref(), Some("overdue"));
        assert_eq!(p.flags, vec!["overdue", "no_contact"]);
        assert_eq!(p.page.limit.as_deref(), Some("5"));
        assert!(p.page.cursor.is_none());
    }
}
