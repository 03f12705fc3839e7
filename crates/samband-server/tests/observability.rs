//! What an operator sees of a running `samband serve`: its logs written to a file
//! (no colour escapes), as JSON lines by configuration, and its metrics on their own
//! listener — labelled by route template, never by a path that names a patient.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("samband-obs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Server {
    child: Child,
    addr: SocketAddr,
    metrics: Option<SocketAddr>,
    dir: std::path::PathBuf,
}

/// Starts `samband serve` on port 0 in a fresh directory with `env`, its standard
/// error going to `stderr.log` (a file, not a terminal), and waits for the lines it
/// prints on standard output: its address, and the metrics address when asked for.
fn serve(name: &str, env: &[(&str, &str)], want_metrics: bool) -> Server {
    let dir = temp_dir(name);
    let log = std::fs::File::create(dir.join("stderr.log")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samband"));
    for k in [
        "SAMBAND_DATABASE_URL",
        "SAMBAND_BIND",
        "SAMBAND_CONFIG",
        "SAMBAND_LOG",
        "SAMBAND_LOG_FORMAT",
        "SAMBAND_METRICS_BIND",
        "NO_COLOR",
    ] {
        cmd.env_remove(k);
    }
    let mut child = cmd
        .current_dir(&dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let parse = |url: &str| -> SocketAddr {
        url.trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (mut addr, mut metrics) = (None, None);
    for line in lines.by_ref().map_while(Result::ok) {
        if let Some(u) = line.strip_prefix("Samband is listening on ") {
            addr = Some(parse(u));
        }
        if let Some(u) = line.strip_prefix("Samband metrics on ") {
            metrics = Some(parse(u));
        }
        if addr.is_some() && (metrics.is_some() || !want_metrics) {
            break;
        }
    }
    // Keep reading standard output so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        addr: addr.expect("the server prints its address"),
        metrics,
        dir,
    }
}

impl Server {
    /// Stops the server with SIGTERM (a graceful shutdown flushes every log line) and
    /// returns what it wrote to standard error.
    fn stop(mut self) -> Vec<u8> {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "{exit:?}");
        let log = std::fs::read(self.dir.join("stderr.log")).unwrap();
        let _ = std::fs::remove_dir_all(&self.dir);
        log
    }
}

/// One HTTP/1.1 GET: the status code and the body.
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {out:?}"));
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_owned())
}

const DEBUG_REQUESTS: &str = "info,samband_server=debug";

#[test]
fn logs_written_to_a_file_carry_no_colour_escapes() {
    let server = serve("text", &[("SAMBAND_LOG", DEBUG_REQUESTS)], false);
    let patient = uuid::Uuid::now_v7();
    assert_eq!(get(server.addr, "/healthz").0, 200);
    get(server.addr, &format!("/patients/{patient}"));
    let log = String::from_utf8(server.stop()).unwrap();
    assert!(log.contains("listening"), "{log}");
    assert!(
        log.contains("route=/patients/{patient}"),
        "the request's span is in its log line: {log}"
    );
    assert!(
        log.contains(&format!("patient.id={patient}")),
        "the route names a patient: {log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "no ANSI escape in a log file: {log:?}"
    );
}

#[test]
fn json_logs_are_one_object_per_line_with_the_request_span() {
    let server = serve(
        "json",
        &[
            ("SAMBAND_LOG", DEBUG_REQUESTS),
            ("SAMBAND_LOG_FORMAT", "json"),
        ],
        false,
    );
    let patient = uuid::Uuid::now_v7();
    get(
        server.addr,
        &format!("/api/v1/patients/{patient}?name=Kari"),
    );
    get(server.addr, "/no/such/page/Kari-Nordmann");
    let log = String::from_utf8(server.stop()).unwrap();
    assert!(!log.contains('\u{1b}'), "{log:?}");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}")))
        .collect();
    assert!(lines.iter().any(|l| l["message"] == "listening"), "{log}");
    let answered: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["message"] == "request answered")
        .collect();
    let api = answered
        .iter()
        .find(|l| l["span"]["route"] == "/api/v1/patients/{patient}")
        .unwrap_or_else(|| panic!("no line for the API request: {log}"));
    let span = &api["span"];
    assert_eq!(span["method"], "GET");
    assert_eq!(span["status"], 401);
    assert_eq!(span["patient.id"], patient.to_string());
    assert!(span["duration_ms"].as_f64().is_some(), "{span}");
    assert!(
        uuid::Uuid::parse_str(span["request_id"].as_str().unwrap()).is_ok(),
        "{span}"
    );
    // Only the allow-listed fields, and nothing of the path, query or body.
    let mut keys: Vec<&str> = span
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "duration_ms",
            "method",
            "name",
            "patient.id",
            "request_id",
            "route",
            "status"
        ]
    );
    assert!(
        answered.iter().any(|l| l["span"]["route"] == "unmatched"),
        "an unmatched path is logged as such: {log}"
    );
    assert!(
        !log.contains("Kari"),
        "no path or query text in logs: {log}"
    );
}

#[test]
fn metrics_count_route_templates_on_their_own_listener_and_name_no_patient() {
    let server = serve("metrics", &[("SAMBAND_METRICS_BIND", "127.0.0.1:0")], true);
    let metrics = server.metrics.expect("the metrics address is printed");
    let patients: Vec<uuid::Uuid> = (0..3).map(|_| uuid::Uuid::now_v7()).collect();
    for p in &patients {
        assert_eq!(get(server.addr, &format!("/api/v1/patients/{p}")).0, 401);
        get(server.addr, &format!("/patients/{p}"));
    }
    assert_eq!(get(server.addr, "/healthz").0, 200);
    assert_eq!(
        get(server.addr, "/metrics").0,
        404,
        "metrics are not served on the application's address"
    );

    let (status, text) = get(metrics, "/metrics");
    assert_eq!(status, 200, "{text}");
    let count = |labels: &str| -> f64 {
        let prefix = format!("samband_http_requests_total{{{labels}}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(
        count(r#"method="GET",route="/api/v1/patients/{patient}",status="4xx""#),
        3.0
    );
    assert!(count(r#"method="GET",route="/patients/{patient}",status="3xx""#) >= 3.0);
    assert_eq!(count(r#"method="GET",route="/healthz",status="2xx""#), 1.0);
    assert!(text.contains(
        r#"samband_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"} 1"#
    ));
    for status in ["pending", "running", "dead"] {
        assert!(
            text.contains(&format!("samband_job_queue_jobs{{status=\"{status}\"}} ")),
            "{text}"
        );
    }
    for p in &patients {
        assert!(!text.contains(&p.to_string()), "a patient id in\n{text}");
    }
    server.stop();
}
