//! Samband's metrics: one process-wide registry, written to by whoever measures
//! something (the HTTP middleware, the store's writer and audit appender, the
//! `/metrics` handler before it renders) and read as Prometheus text.
//!
//! The crate depends on nothing of Samband's and on no web framework, so the store
//! crates can report into it. Labels are fixed vocabularies only — a route
//! *template*, a method, a status class, a stage name given as `&'static str` —
//! never a raw path, an id, a name or anything a person typed: nothing here may
//! identify a patient.
//!
//! ```
//! use std::time::Duration;
//! samband_metrics::record_batch(samband_metrics::WRITER, 12, Duration::from_micros(850));
//! assert!(samband_metrics::render().contains("samband_store_batch_size_count{stage=\"writer\"}"));
//! ```

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::LazyLock;
use std::time::Duration;

/// The stage name of the SQLite writer that commits write use cases in groups.
pub const WRITER: &str = "writer";
/// The stage name of the audit appender that commits read audit entries in groups.
pub const AUDIT_APPENDER: &str = "audit_appender";
/// The stage name of the sealer that links committed audit entries into the chain.
pub const SEALER: &str = "sealer";

/// The media type of [`render`]'s output (Prometheus text exposition format 0.0.4).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A route label for requests the router matched to no route (never the raw path).
pub const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageLabels {
    stage: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    status: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: HistogramFamily<RequestLabels>,
    batch_size: HistogramFamily<StageLabels>,
    batch_commit_seconds: HistogramFamily<StageLabels>,
    jobs: Family<JobLabels, Gauge>,
}

fn latency_histogram() -> Histogram {
    // 100 µs … 30 s.
    Histogram::new([
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        5.0, 10.0, 30.0,
    ])
}

fn batch_size_histogram() -> Histogram {
    // 1, 2, 4, … 1024 entries or use cases per batch.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        1.0, 2.0, 11,
    ))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("samband");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register(
        "http_requests",
        "HTTP requests answered, by route template, method and status class",
        requests.clone(),
    );
    let request_seconds: HistogramFamily<RequestLabels> =
        Family::new_with_constructor(latency_histogram);
    registry.register_with_unit(
        "http_request_duration",
        "Time from a request's arrival to its response headers",
        Unit::Seconds,
        request_seconds.clone(),
    );
    let batch_size: HistogramFamily<StageLabels> =
        Family::new_with_constructor(batch_size_histogram);
    registry.register(
        "store_batch_size",
        "Items (use cases or audit entries) committed together in one batch",
        batch_size.clone(),
    );
    let batch_commit_seconds: HistogramFamily<StageLabels> =
        Family::new_with_constructor(latency_histogram);
    registry.register_with_unit(
        "store_batch_commit_duration",
        "Time one batch took to commit durably",
        Unit::Seconds,
        batch_commit_seconds.clone(),
    );
    let jobs = Family::<JobLabels, Gauge>::default();
    registry.register(
        "job_queue_jobs",
        "Background jobs in the queue by status, counted when metrics are read",
        jobs.clone(),
    );
    Metrics {
        registry,
        requests,
        request_seconds,
        batch_size,
        batch_commit_seconds,
        jobs,
    }
});

/// Records one batch committed by `stage` ([`WRITER`], [`AUDIT_APPENDER`], [`SEALER`]
/// or another fixed name): how many items it held and how long its commit took.
pub fn record_batch(stage: &'static str, size: usize, commit: Duration) {
    let labels = StageLabels { stage };
    let m = &*METRICS;
    m.batch_size.get_or_create(&labels).observe(size as f64);
    m.batch_commit_seconds
        .get_or_create(&labels)
        .observe(commit.as_secs_f64());
}

/// Records one answered HTTP request. `route` must be the route *template* the
/// router matched (`/api/v1/patients/{id}`), or [`UNMATCHED_ROUTE`]; the method is
/// reduced to the standard ones (anything else counts as `OTHER`) and the status to
/// its class (`2xx` …).
pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let labels = RequestLabels {
        method: method_label(method),
        route: route.to_owned(),
        status: status_class(status),
    };
    let m = &*METRICS;
    m.requests.get_or_create(&labels).inc();
    m.request_seconds
        .get_or_create(&labels)
        .observe(elapsed.as_secs_f64());
}

/// Sets the job queue's depth (the `/metrics` handler counts before it renders).
pub fn set_job_queue(pending: i64, running: i64, dead: i64) {
    let m = &*METRICS;
    for (status, n) in [("pending", pending), ("running", running), ("dead", dead)] {
        m.jobs.get_or_create(&JobLabels { status }).set(n);
    }
}

/// Everything recorded so far, in the Prometheus text exposition format.
pub fn render() -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &METRICS.registry);
    out
}

fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_value(text: &str, prefix: &str) -> Option<f64> {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }

    #[test]
    fn batches_are_counted_and_bucketed_per_stage() {
        record_batch("test_stage_a", 3, Duration::from_millis(2));
        record_batch("test_stage_a", 40, Duration::from_millis(20));
        let text = render();
        assert_eq!(
            line_value(
                &text,
                "samband_store_batch_size_count{stage=\"test_stage_a\"}"
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            line_value(
                &text,
                "samband_store_batch_size_sum{stage=\"test_stage_a\"}"
            ),
            Some(43.0)
        );
        // 3 falls in the bucket up to 4; 40 does not.
        assert_eq!(
            line_value(
                &text,
                "samband_store_batch_size_bucket{stage=\"test_stage_a\",le=\"4\"}"
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            line_value(
                &text,
                "samband_store_batch_commit_duration_seconds_count{stage=\"test_stage_a\"}"
            ),
            Some(2.0),
            "{text}"
        );
    }

    #[test]
    fn requests_are_labelled_by_template_method_and_status_class() {
        record_request("GET", "/test/{id}", 200, Duration::from_millis(1));
        record_request("GET", "/test/{id}", 204, Duration::from_millis(1));
        record_request("BREW", "/test/{id}", 503, Duration::from_millis(1));
        let text = render();
        assert_eq!(
            line_value(
                &text,
                "samband_http_requests_total{method=\"GET\",route=\"/test/{id}\",status=\"2xx\"}"
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            line_value(
                &text,
                "samband_http_requests_total{method=\"OTHER\",route=\"/test/{id}\",status=\"5xx\"}"
            ),
            Some(1.0),
            "{text}"
        );
        assert!(text.contains("# TYPE samband_http_request_duration_seconds histogram"));
    }

    #[test]
    fn job_queue_depth_is_a_gauge_per_status() {
        set_job_queue(4, 1, 2);
        let text = render();
        assert_eq!(
            line_value(&text, "samband_job_queue_jobs{status=\"dead\"}"),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            line_value(&text, "samband_job_queue_jobs{status=\"pending\"}"),
            Some(4.0)
        );
    }
}
