//! The `samband` binary end to end: migrate, user add, check-config, and `serve`
//! answering /healthz on a port it chose, then stopping cleanly on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_samband"));
    c.env_remove("SAMBAND_DATABASE_URL")
        .env_remove("SAMBAND_BIND")
        .env_remove("SAMBAND_CONFIG");
    c
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("samband-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn migrate_user_add_and_check_config() {
    let dir = temp_dir("admin");
    let url = format!("sqlite://{}", dir.join("s.db").display());
    let out = bin()
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));

    let mut child = bin()
        .args([
            "user",
            "add",
            "--database-url",
            &url,
            "--username",
            "ops",
            "--display-name",
            "Operations",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough passphrase\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin account ops"));

    // A weak password is refused with the reason, and exits non-zero.
    let out = bin()
        .args([
            "user",
            "add",
            "--database-url",
            &url,
            "--username",
            "ops2",
            "--display-name",
            "Ops",
        ])
        .env("SAMBAND_NEW_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12"));

    let out = bin()
        .args([
            "check-config",
            "--database-url",
            "postgres://samband:s3cret-pw@db.example/samband",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("configuration OK") && !text.contains("s3cret-pw"),
        "{text}"
    );
    let out = bin()
        .args(["check-config"])
        .env("SAMBAND_BIND", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bind address"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_answers_healthz_and_stops_on_sigterm() {
    let dir = temp_dir("serve");
    let mut child = bin()
        .current_dir(&dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("SAMBAND_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("Samband is listening on ")
                .map(str::to_owned)
        })
        .expect("the server prints its address");
    assert!(
        dir.join("samband.db").exists(),
        "serve creates samband.db in the working directory"
    );
    let addr: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut status = String::new();
    std::io::Read::read_to_string(&mut s, &mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    // SIGTERM: graceful shutdown, exit code 0.
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn audit_verify_and_export_detect_direct_database_edits() {
    let dir = temp_dir("audit");
    let db = dir.join("s.db");
    let url = format!("sqlite://{}", db.display());
    for user in ["ops1", "ops2", "ops3"] {
        let out = bin()
            .args([
                "user",
                "add",
                "--database-url",
                &url,
                "--username",
                user,
                "--display-name",
                "Ops",
            ])
            .env("SAMBAND_NEW_PASSWORD", "a long enough passphrase")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = bin()
        .args(["audit", "verify", "--database-url", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact: 3 entries"));

    let out = bin()
        .args([
            "audit",
            "export",
            "--format",
            "fhir",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 3);
    assert!(events
        .iter()
        .all(|e| e["resourceType"] == "AuditEvent" && e["action"] == "C" && e["outcome"] == "0"));
    let file = dir.join("audit.jsonl");
    let out = bin()
        .args([
            "audit",
            "export",
            "--format",
            "jsonl",
            "--database-url",
            &url,
            "--output",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines = std::fs::read_to_string(&file).unwrap();
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["seq"], 1);
    assert_eq!(first["prev_hash"].as_str().unwrap().len(), 64);

    // An edit made directly in the database, past the append-only triggers.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET action = 'read' WHERE seq = 2;",
    )
    .unwrap();
    drop(conn);
    let out = bin()
        .args(["audit", "verify", "--database-url", &url])
        .output()
        .unwrap();
    assert!(!out.status.success(), "verify must fail after tampering");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken at entry 2"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
