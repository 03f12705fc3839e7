//! For unit tests of the kernel and the runner: an [`App`] on a fresh SQLite store with
//! a manual clock (the same store the product runs on by default).

use crate::{App, AppConfig};
use chrono::{TimeZone, Utc};
use samband_domain::clock::ManualClock;
use samband_store::Store;
use std::sync::Arc;

/// A fresh store in its own temporary directory, and the clock to move.
pub(crate) async fn app() -> (App, Arc<ManualClock>) {
    let dir = std::env::temp_dir().join(format!("samband-app-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let store: Arc<dyn Store> =
        Arc::new(samband_store_sqlite::SqliteStore::open(&url).await.unwrap());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    ));
    (App::new(store, clock.clone(), AppConfig::default()), clock)
}
