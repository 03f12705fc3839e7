//! Secrets never print: every account, session, token and configuration type that
//! holds a secret is built here with known secret values and formatted with `{:?}`
//! and `{:#?}`; none of the values may appear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use clap::Parser;
use samband_app::auth::Enrollment;
use samband_app::auth::{ActiveSession, NewSession, SessionView};
use samband_app::directory::AccountInput;
use samband_domain::ids::{AccountId, TokenId};
use samband_domain::principal::{AccountRole, Principal, Scopes, Subject};
use samband_domain::secret::Secret;
use samband_server::cli::Cli;
use samband_server::config::{Config, Overrides, DEFAULT_DATABASE_URL};
use samband_store::{Account, ApiToken, SessionRecord};
use std::fmt::Debug;

/// Distinct values, so a failure names the field that leaked.
const PASSWORD: &str = "Pw-correct-horse-battery";
const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$HASHhashHASHhash";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DP";
const SESSION_COOKIE: &str = "cookie-value-5f1d2c";
const SESSION_HASH: &str = "d1ab5e55e0ffedcba9876543210fedcba9876543210fedcba9876543210abcd";
const CSRF_TOKEN: &str = "csrf-token-8b7a6c";
const API_TOKEN: &str = "sbt_api-token-4e3f2a";
const TOKEN_HASH: &str = "7070707070aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffff";
const DB_PASSWORD: &str = "db-pw-Xy7Kq";
const SMTP_PASSWORD: &str = "smtp-pw-Lm3Nb";
const ALL: [&str; 11] = [
    PASSWORD,
    PASSWORD_HASH,
    TOTP_SECRET,
    SESSION_COOKIE,
    SESSION_HASH,
    CSRF_TOKEN,
    API_TOKEN,
    TOKEN_HASH,
    DB_PASSWORD,
    SMTP_PASSWORD,
    // The recognisable part of the hash on its own.
    "HASHhashHASHhash",
];

/// Formats `value` both ways and fails if any known secret shows.
fn assert_redacted(what: &str, value: &impl Debug) {
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        for secret in ALL {
            assert!(
                !shown.contains(secret),
                "{what} prints the secret {secret:?}: {shown}"
            );
        }
    }
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn principal() -> Principal {
    Principal {
        account_id: AccountId::new(),
        display_name: "Dr. Test Lege".into(),
        subject: Subject::Admin,
        scopes: Scopes::ALL,
        locale: None,
    }
}

#[test]
fn store_records_never_print_their_secrets() {
    let account = Account {
        id: AccountId::new(),
        username: "gp.test".into(),
        password_hash: PASSWORD_HASH.into(),
        role: AccountRole::Professional,
        professional_id: None,
        patient_id: None,
        display_name: "Dr. Test Lege".into(),
        locale: Some("nb".into()),
        disabled: false,
        created_at: t0(),
        totp_secret: Some(TOTP_SECRET.into()),
        totp_last_step: Some(100),
        privacy_officer: false,
        proxy_may_consent: false,
    };
    assert_redacted("Account", &account);
    // The rest of the record is still there to debug with.
    assert!(format!("{account:?}").contains("gp.test"));
    assert_eq!(account.password_hash.expose(), PASSWORD_HASH);

    let session = SessionRecord {
        id_hash: SESSION_HASH.into(),
        account_id: account.id,
        csrf_token: CSRF_TOKEN.into(),
        created_at: t0(),
        last_seen_at: t0(),
        revoked: false,
    };
    assert_redacted("SessionRecord", &session);

    let token = ApiToken {
        id: TokenId::new(),
        account_id: account.id,
        token_hash: TOKEN_HASH.into(),
        name: "EHR".into(),
        scopes: "read".into(),
        created_at: t0(),
        expires_at: None,
        revoked: false,
        last_used_at: Some(t0()),
    };
    assert_redacted("ApiToken", &token);
    // What issue_token returns: the token itself, once, and its record.
    assert_redacted("issue_token's result", &(Secret::from(API_TOKEN), token));
    assert_redacted("an Option<Vec<Account>>", &Some(vec![account]));
}

#[test]
fn app_session_token_and_enrollment_types_never_print_their_secrets() {
    let new_session = NewSession {
        cookie_value: SESSION_COOKIE.into(),
        csrf_token: CSRF_TOKEN.into(),
        principal: principal(),
        must_enroll: false,
    };
    assert_redacted("NewSession", &new_session);
    assert_eq!(new_session.cookie_value.expose(), SESSION_COOKIE);

    let active = ActiveSession {
        principal: principal(),
        csrf_token: CSRF_TOKEN.into(),
        must_enroll: true,
    };
    assert_redacted("ActiveSession", &active);

    let view = SessionView {
        handle: SESSION_HASH.into(),
        created_at: t0(),
        last_seen_at: t0(),
        current: true,
    };
    assert_redacted("SessionView", &view);

    let enrollment = Enrollment {
        secret: TOTP_SECRET.into(),
        uri: format!(
            "otpauth://totp/Samband:Dr--Test?secret={TOTP_SECRET}&issuer=Samband&algorithm=SHA1&digits=6&period=30"
        )
        .into(),
    };
    assert_redacted("Enrollment", &enrollment);

    let input = AccountInput {
        username: "new.user".into(),
        password: PASSWORD.into(),
        role: "professional".into(),
        display_name: "New User".into(),
        ..Default::default()
    };
    assert_redacted("AccountInput", &input);
    // As it arrives through the admin API.
    let from_json: AccountInput = serde_json::from_str(&format!(
        r#"{{"username": "u", "password": "{PASSWORD}", "role": "admin", "display_name": "U"}}"#
    ))
    .unwrap();
    assert_redacted("AccountInput from JSON", &from_json);
    assert_eq!(from_json.password.expose(), PASSWORD);
}

#[test]
fn configuration_never_prints_its_secrets() {
    let db = format!("postgres://samband:{DB_PASSWORD}@db.example:5432/samband");
    let smtp = format!("smtps://mailer:{SMTP_PASSWORD}@smtp.example:465");
    let env = |k: &str| match k {
        "SAMBAND_DATABASE_URL" => Some(db.clone()),
        "SAMBAND_SMTP_URL" => Some(smtp.clone()),
        _ => None,
    };
    let c = Config::load(None, &env, &Overrides::default(), DEFAULT_DATABASE_URL).unwrap();
    assert_redacted("Config", &c);
    let shown = format!("{c:?}");
    assert!(shown.contains("samband:***@db.example"), "{shown}");
    assert!(shown.contains("mailer:***@smtp.example"), "{shown}");

    // A password in the query string instead of the user information.
    let query =
        format!("postgres://samband@db.example/samband?sslmode=require&password={DB_PASSWORD}");
    let env = |k: &str| (k == "SAMBAND_DATABASE_URL").then(|| query.clone());
    let c = Config::load(None, &env, &Overrides::default(), DEFAULT_DATABASE_URL).unwrap();
    assert_redacted("Config with ?password=", &c);
    assert!(format!("{c:?}").contains("sslmode=require&password=***"));

    let flags = Overrides {
        database_url: Some(db.clone().into()),
        bind: None,
    };
    assert_redacted("Overrides", &flags);
    let c = Config::load(
        None,
        &|_: &str| None::<String>,
        &flags,
        DEFAULT_DATABASE_URL,
    )
    .unwrap();
    assert_redacted("Config from flags", &c);

    let cli =
        Cli::try_parse_from(["samband", "--database-url", db.as_str(), "check-config"]).unwrap();
    assert_redacted("Cli", &cli);
    assert_eq!(
        cli.database_url.as_ref().map(Secret::expose),
        Some(db.as_str())
    );
}
