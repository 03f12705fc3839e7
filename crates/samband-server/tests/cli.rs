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
