//! Files the surfaces hand out: always as downloads, never rendered inline.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// A calendar file (`text/calendar`, iTIP REQUEST) as a download.
pub fn calendar_response(ics: String) -> Response {
    let mut res = ics.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8; method=REQUEST"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"meeting.ics\""),
    );
    res
}

/// An attachment as a download: its checked type, never rendered inline, never
/// sniffed, sandboxed should a browser open it anyway. The file name is cut to safe
/// ASCII so it cannot break out of the header.
pub fn attachment_response(file_name: &str, content_type: &str, data: Vec<u8>) -> Response {
    let mut res = data.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    res
}

/// A CSV export as a download, never cached (it holds patient data).
pub fn csv_response(csv: String, file_name: &'static str) -> Response {
    let mut res = csv.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_is_a_sandboxed_download_with_a_safe_name() {
        let res = attachment_response("r\"ep\nort.pdf", "application/pdf", b"%PDF".to_vec());
        let h = res.headers();
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(
            h[header::CONTENT_DISPOSITION],
            "attachment; filename=\"r_ep_ort.pdf\""
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("sandbox"));
    }

    #[test]
    fn a_calendar_file_is_a_download() {
        let res = calendar_response("BEGIN:VCALENDAR".into());
        assert!(res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        assert!(res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
    }
}
