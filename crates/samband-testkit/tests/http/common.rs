//! Helpers more than one HTTP test module needs.

use chrono::{TimeZone, Utc};
use samband_testkit::TestApp;

/// A wall-clock time in Oslo, as the deployment's calendar counts days.
pub(crate) fn oslo(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    chrono_tz::Europe::Oslo
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// Runs every job due on the test's clock; returns the kinds that ran.
pub(crate) async fn run_jobs(t: &TestApp) -> Vec<String> {
    t.app
        .run_due_jobs(None, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect()
}
