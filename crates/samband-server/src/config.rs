//! Configuration, layered: built-in defaults → optional TOML file → `SAMBAND_*`
//! environment → command-line flags. Secrets may come from files (`*_FILE`) and never
//! print: `Debug` and `check-config` show the database URL without its password.

use anyhow::{bail, Context};
use samband_domain::secret::Secret;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::Path;

#[derive(Clone)]
pub struct Config {
    pub database_url: SecretString,
    pub bind: String,
    pub time_zone: chrono_tz::Tz,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// The longest lifetime an API token may be issued with, in days (tokens last 90
    /// days unless the request asks otherwise, never longer than this).
    pub token_max_days: i64,
    /// Set when served over HTTPS (directly or behind a TLS proxy): cookies get
    /// `Secure` and responses HSTS.
    pub secure_cookies: bool,
    pub trust_forwarded_for: bool,
    pub max_connections: u32,
    pub log: String,
    /// How log lines are written (to standard error): `text` (coloured only on a
    /// terminal) or `json` (one JSON object per line).
    pub log_format: LogFormat,
    /// Where `/metrics` (Prometheus text) is served: an address of its own, apart
    /// from `bind`, so a proxy in front of Samband never exposes it. None: no metrics
    /// endpoint.
    pub metrics_bind: Option<String>,
    /// Requests per minute per API token (0 = no limit).
    pub api_rate_per_minute: u32,
    /// Sign-in attempts per minute per client address (0 = no limit).
    pub sign_in_rate_per_minute: u32,
    /// Professionals must set up two-step verification.
    pub require_totp: bool,
    /// What team members see where the patient has said nothing (by sector kind).
    pub consent_defaults: samband_domain::consent::ConsentDefaults,
    /// Outgoing mail server (`smtp://`, `smtp://…?tls=required`, `smtps://`); none
    /// means notifications stay in the app.
    pub smtp_url: Option<SecretString>,
    /// PEM file of a private certificate authority the mail relay's certificate
    /// comes from; TLS is then required.
    pub smtp_ca_file: Option<String>,
    pub mail_from: String,
    /// The address people use to reach Samband (links in e-mail).
    pub public_url: String,
    /// Public holidays for working-day deadlines: `no`, `dk` or `none`.
    pub holidays: samband_domain::calendar::HolidayRegion,
    /// Further non-working days (local closures).
    pub extra_holidays: Vec<chrono::NaiveDate>,
    /// Where a patient is taken to live when neither their national identifier nor
    /// their team's organisations say: `no` or `dk` (default: Denmark when the holidays
    /// are Danish, otherwise Norway).
    pub country: samband_domain::country::Country,
    pub ack_working_days: u32,
    pub urgent_ack_working_days: u32,
    /// Working days to acknowledge a structured hand-over (default 2).
    pub handover_ack_working_days: u32,
    pub job_lease_seconds: i64,
    pub job_max_attempts: i64,
    pub job_backoff_seconds: i64,
    pub attachment_max_kb: i64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &redact_url(self.database_url.expose_secret()),
            )
            .field("bind", &self.bind)
            .field("time_zone", &self.time_zone.name())
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("token_max_days", &self.token_max_days)
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("max_connections", &self.max_connections)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("metrics_bind", &self.metrics_bind)
            .field("api_rate_per_minute", &self.api_rate_per_minute)
            .field("sign_in_rate_per_minute", &self.sign_in_rate_per_minute)
            .field("require_totp", &self.require_totp)
            .field("consent_defaults", &self.consent_defaults)
            .field(
                "smtp_url",
                &self
                    .smtp_url
                    .as_ref()
                    .map(|u| redact_url(u.expose_secret())),
            )
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("holidays", &self.holidays)
            .field("extra_holidays", &self.extra_holidays)
            .field("country", &self.country)
            .field("ack_working_days", &self.ack_working_days)
            .field("urgent_ack_working_days", &self.urgent_ack_working_days)
            .field("handover_ack_working_days", &self.handover_ack_working_days)
            .field("job_lease_seconds", &self.job_lease_seconds)
            .field("job_max_attempts", &self.job_max_attempts)
            .field("job_backoff_seconds", &self.job_backoff_seconds)
            .field("attachment_max_kb", &self.attachment_max_kb)
            .finish()
    }
}

/// The URL with any password replaced by `***`: the one in the user information
/// (`user:password@host`) and the values of query parameters that carry one
/// (`?password=…`, `sslpassword`, `token`, `secret`, `key`).
pub fn redact_url(url: &str) -> String {
    let (head, fragment) = match url.find('#') {
        Some(h) => (&url[..h], &url[h..]),
        None => (url, ""),
    };
    let (base, query) = match head.find('?') {
        Some(q) => (&head[..q], Some(&head[q + 1..])),
        None => (head, None),
    };
    let mut out = match base.find("://") {
        Some(s) => {
            let rest = &base[s + 3..];
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => match rest[..at].split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &base[..s + 3], &rest[at..]),
                    None => base.to_owned(),
                },
                None => base.to_owned(),
            }
        }
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let secret_key = |k: &str| {
            let k = k.to_ascii_lowercase();
            ["pass", "secret", "token", "key"]
                .iter()
                .any(|w| k.contains(w))
        };
        let params: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if secret_key(k) => format!("{k}=***"),
                _ => kv.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out.push_str(fragment);
    out
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines, coloured only when standard error is a terminal.
    #[default]
    Text,
    /// One JSON object per line, with the request span's fields.
    Json,
}

/// What the TOML file may contain (every key optional).
/// Secret-bearing values are [`Secret`]s, so `Debug` never shows them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<Secret>,
    database_url_file: Option<String>,
    bind: Option<String>,
    time_zone: Option<String>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    token_max_days: Option<i64>,
    secure_cookies: Option<bool>,
    trust_forwarded_for: Option<bool>,
    max_connections: Option<u32>,
    log: Option<String>,
    log_format: Option<String>,
    metrics_bind: Option<String>,
    api_rate_per_minute: Option<u32>,
    sign_in_rate_per_minute: Option<u32>,
    require_totp: Option<bool>,
    consent_health_default: Option<Vec<String>>,
    consent_non_health_default: Option<Vec<String>>,
    smtp_url: Option<Secret>,
    smtp_url_file: Option<String>,
    smtp_ca_file: Option<String>,
    mail_from: Option<String>,
    public_url: Option<String>,
    holidays: Option<String>,
    extra_holidays: Option<Vec<String>>,
    country: Option<String>,
    ack_working_days: Option<i64>,
    urgent_ack_working_days: Option<i64>,
    handover_ack_working_days: Option<i64>,
    job_lease_seconds: Option<i64>,
    job_max_attempts: Option<i64>,
    job_backoff_seconds: Option<i64>,
    attachment_max_kb: Option<i64>,
}

/// Flag values (None when not given on the command line).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// May hold a password; `Debug` shows `[redacted]`.
    pub database_url: Option<Secret>,
    pub bind: Option<String>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://samband.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Config {
    /// Loads configuration; `env` is passed in so tests need not touch the process.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        flags: &Overrides,
        default_db: &str,
    ) -> anyhow::Result<Config> {
        let fc: FileConfig = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading config file {}", p.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("parsing config file {}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let secret_from_file = |path: &str| -> anyhow::Result<String> {
            Ok(std::fs::read_to_string(path)
                .with_context(|| format!("reading secret file {path}"))?
                .trim()
                .to_owned())
        };
        let mut database_url = default_db.to_owned();
        if let Some(v) = fc.database_url {
            database_url = v.expose().to_owned();
        }
        if let Some(p) = fc.database_url_file {
            database_url = secret_from_file(&p)?;
        }
        if let Some(v) = env("SAMBAND_DATABASE_URL") {
            database_url = v;
        }
        if let Some(p) = env("SAMBAND_DATABASE_URL_FILE") {
            database_url = secret_from_file(&p)?;
        }
        if let Some(v) = &flags.database_url {
            database_url = v.expose().to_owned();
        }
        let pick = |file: Option<String>, key: &str, flag: Option<&String>| -> Option<String> {
            flag.cloned().or_else(|| env(key)).or(file)
        };
        let bind = pick(fc.bind, "SAMBAND_BIND", flags.bind.as_ref())
            .unwrap_or_else(|| DEFAULT_BIND.into());
        let tz_name =
            pick(fc.time_zone, "SAMBAND_TIME_ZONE", None).unwrap_or_else(|| "Europe/Oslo".into());
        let time_zone: chrono_tz::Tz = tz_name
            .parse()
            .map_err(|_| anyhow::anyhow!("unknown time zone {tz_name:?}"))?;
        let num = |file: Option<i64>, key: &str, default: i64| -> anyhow::Result<i64> {
            match env(key) {
                Some(v) => v
                    .parse()
                    .with_context(|| format!("{key} must be a whole number")),
                None => Ok(file.unwrap_or(default)),
            }
        };
        let boolean = |file: Option<bool>, key: &str| -> anyhow::Result<bool> {
            match env(key).as_deref() {
                Some("1" | "true" | "yes") => Ok(true),
                Some("0" | "false" | "no") => Ok(false),
                Some(other) => bail!("{key} must be true or false, not {other:?}"),
                None => Ok(file.unwrap_or(false)),
            }
        };
        let categories = |file: Option<Vec<String>>,
                          key: &str,
                          default: Vec<samband_domain::consent::Category>|
         -> anyhow::Result<Vec<samband_domain::consent::Category>> {
            let names: Option<Vec<String>> = match env(key) {
                Some(v) => Some(
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect(),
                ),
                None => file,
            };
            match names {
                None => Ok(default),
                Some(list) => list
                    .iter()
                    .map(|n| {
                        samband_domain::consent::Category::parse(key, n).map_err(|_| {
                            anyhow::anyhow!("{key}: unknown information category {n:?}")
                        })
                    })
                    .collect(),
            }
        };
        let d = samband_domain::consent::ConsentDefaults::default();
        let consent_defaults = samband_domain::consent::ConsentDefaults {
            health: categories(
                fc.consent_health_default,
                "SAMBAND_CONSENT_HEALTH_DEFAULT",
                d.health,
            )?,
            non_health: categories(
                fc.consent_non_health_default,
                "SAMBAND_CONSENT_NON_HEALTH_DEFAULT",
                d.non_health,
            )?,
        };
        let mut smtp_url = fc.smtp_url.map(|u| u.expose().to_owned());
        if let Some(p) = fc.smtp_url_file {
            smtp_url = Some(secret_from_file(&p)?);
        }
        if let Some(v) = env("SAMBAND_SMTP_URL") {
            smtp_url = Some(v);
        }
        if let Some(p) = env("SAMBAND_SMTP_URL_FILE") {
            smtp_url = Some(secret_from_file(&p)?);
        }
        let smtp_url = smtp_url.filter(|u| !u.trim().is_empty());
        let region_name =
            pick(fc.holidays, "SAMBAND_HOLIDAYS", None).unwrap_or_else(|| "no".into());
        let holidays =
            samband_domain::calendar::HolidayRegion::parse(&region_name).ok_or_else(|| {
                anyhow::anyhow!("holidays must be no, dk or none, not {region_name:?}")
            })?;
        let country = match pick(fc.country, "SAMBAND_COUNTRY", None) {
            None => match holidays {
                samband_domain::calendar::HolidayRegion::Denmark => {
                    samband_domain::country::Country::Denmark
                }
                _ => samband_domain::country::Country::Norway,
            },
            Some(c) => match c.trim().to_ascii_lowercase().as_str() {
                "no" | "norway" => samband_domain::country::Country::Norway,
                "dk" | "denmark" => samband_domain::country::Country::Denmark,
                _ => anyhow::bail!("country must be no or dk, not {c:?}"),
            },
        };
        let extra_names: Vec<String> = match env("SAMBAND_EXTRA_HOLIDAYS") {
            Some(v) => v
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            None => fc.extra_holidays.unwrap_or_default(),
        };
        let extra_holidays = extra_names
            .iter()
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| anyhow::anyhow!("extra holiday {d:?} must be YYYY-MM-DD"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let log_format = match pick(fc.log_format, "SAMBAND_LOG_FORMAT", None)
            .map(|f| f.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("log_format must be text or json, not {other:?}"),
        };
        let metrics_bind =
            pick(fc.metrics_bind, "SAMBAND_METRICS_BIND", None).filter(|b| !b.trim().is_empty());
        let public_url = pick(fc.public_url, "SAMBAND_PUBLIC_URL", None)
            .unwrap_or_else(|| format!("http://{bind}"));
        let cfg = Config {
            smtp_url: smtp_url.map(SecretString::from),
            smtp_ca_file: pick(fc.smtp_ca_file, "SAMBAND_SMTP_CA_FILE", None)
                .filter(|p| !p.trim().is_empty()),
            mail_from: pick(fc.mail_from, "SAMBAND_MAIL_FROM", None)
                .unwrap_or_else(|| "Samband <no-reply@samband.invalid>".into()),
            public_url,
            holidays,
            extra_holidays,
            country,
            ack_working_days: num(fc.ack_working_days, "SAMBAND_ACK_WORKING_DAYS", 5)?.clamp(1, 60)
                as u32,
            urgent_ack_working_days: num(
                fc.urgent_ack_working_days,
                "SAMBAND_URGENT_ACK_WORKING_DAYS",
                1,
            )?
            .clamp(1, 60) as u32,
            handover_ack_working_days: num(
                fc.handover_ack_working_days,
                "SAMBAND_HANDOVER_ACK_WORKING_DAYS",
                i64::from(samband_domain::handover::DEFAULT_ACK_WORKING_DAYS),
            )?
            .clamp(1, 60) as u32,
            job_lease_seconds: num(fc.job_lease_seconds, "SAMBAND_JOB_LEASE_SECONDS", 60)?,
            job_max_attempts: num(fc.job_max_attempts, "SAMBAND_JOB_MAX_ATTEMPTS", 10)?,
            job_backoff_seconds: num(fc.job_backoff_seconds, "SAMBAND_JOB_BACKOFF_SECONDS", 5)?,
            attachment_max_kb: num(fc.attachment_max_kb, "SAMBAND_ATTACHMENT_MAX_KB", 10_240)?,
            consent_defaults,
            database_url: SecretString::from(database_url),
            bind,
            time_zone,
            session_idle_minutes: num(fc.session_idle_minutes, "SAMBAND_SESSION_IDLE_MINUTES", 30)?,
            session_absolute_hours: num(
                fc.session_absolute_hours,
                "SAMBAND_SESSION_ABSOLUTE_HOURS",
                12,
            )?,
            token_max_days: num(fc.token_max_days, "SAMBAND_TOKEN_MAX_DAYS", 365)?,
            secure_cookies: boolean(fc.secure_cookies, "SAMBAND_SECURE_COOKIES")?,
            trust_forwarded_for: boolean(fc.trust_forwarded_for, "SAMBAND_TRUST_FORWARDED_FOR")?,
            max_connections: num(
                fc.max_connections.map(i64::from),
                "SAMBAND_MAX_CONNECTIONS",
                16,
            )? as u32,
            log: pick(fc.log, "SAMBAND_LOG", None).unwrap_or_else(|| "info".into()),
            log_format,
            metrics_bind,
            require_totp: boolean(fc.require_totp, "SAMBAND_REQUIRE_TOTP")?,
            sign_in_rate_per_minute: num(
                fc.sign_in_rate_per_minute.map(i64::from),
                "SAMBAND_SIGN_IN_RATE_PER_MINUTE",
                30,
            )?
            .clamp(0, 1_000_000) as u32,
            api_rate_per_minute: num(
                fc.api_rate_per_minute.map(i64::from),
                "SAMBAND_API_RATE_PER_MINUTE",
                3_000,
            )?
            .clamp(0, 1_000_000) as u32,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let url = self.database_url.expose_secret();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            bail!("database URL must start with sqlite:// or postgres://");
        }
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            bail!(
                "bind address {:?} must be IP:PORT, e.g. 127.0.0.1:8080",
                self.bind
            );
        }
        if let Some(m) = &self.metrics_bind {
            let addr: std::net::SocketAddr = m.parse().map_err(|_| {
                anyhow::anyhow!("metrics bind address {m:?} must be IP:PORT, e.g. 127.0.0.1:9464")
            })?;
            if addr.port() != 0 && *m == self.bind {
                bail!("metrics bind address {m:?} must differ from the bind address");
            }
        }
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            bail!("session_idle_minutes must be between 1 and 1440");
        }
        if !(1..=72).contains(&self.session_absolute_hours) {
            bail!("session_absolute_hours must be between 1 and 72");
        }
        if !(1..=3650).contains(&self.token_max_days) {
            bail!("token_max_days must be between 1 and 3650");
        }
        if !(1..=200).contains(&self.max_connections) {
            bail!("max_connections must be between 1 and 200");
        }
        if !(1..=3600).contains(&self.job_lease_seconds) {
            bail!("job_lease_seconds must be between 1 and 3600");
        }
        if !(1..=100).contains(&self.job_max_attempts) {
            bail!("job_max_attempts must be between 1 and 100");
        }
        if !(1..=3600).contains(&self.job_backoff_seconds) {
            bail!("job_backoff_seconds must be between 1 and 3600");
        }
        if !(1..=100 * 1024).contains(&self.attachment_max_kb) {
            bail!("attachment_max_kb must be between 1 and 102400");
        }
        if let Some(u) = &self.smtp_url {
            let u = u.expose_secret();
            if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                bail!("smtp_url must start with smtp:// or smtps://");
            }
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            bail!("public_url must start with http:// or https://");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn layers_in_order_defaults_file_env_flags() {
        let dir = std::env::temp_dir().join(format!("samband-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("samband.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\ndatabase_url = \"sqlite://file.db\"\nsession_idle_minutes = 20\n").expect("write");

        let c = Config::load(
            None,
            &env_of(&[]),
            &Overrides::default(),
            DEFAULT_DATABASE_URL,
        )
        .expect("defaults");
        assert_eq!(
            (c.bind.as_str(), c.database_url.expose_secret()),
            (DEFAULT_BIND, DEFAULT_DATABASE_URL)
        );

        let c = Config::load(
            Some(&file),
            &env_of(&[]),
            &Overrides::default(),
            DEFAULT_DATABASE_URL,
        )
        .expect("file");
        assert_eq!(
            (c.bind.as_str(), c.session_idle_minutes),
            ("127.0.0.1:9000", 20)
        );

        let env = env_of(&[
            ("SAMBAND_BIND", "127.0.0.1:9100"),
            ("SAMBAND_DATABASE_URL", "sqlite://env.db"),
        ]);
        let c = Config::load(
            Some(&file),
            &env,
            &Overrides::default(),
            DEFAULT_DATABASE_URL,
        )
        .expect("env");
        assert_eq!(
            (c.bind.as_str(), c.database_url.expose_secret()),
            ("127.0.0.1:9100", "sqlite://env.db")
        );

        let flags = Overrides {
            bind: Some("127.0.0.1:9200".into()),
            database_url: Some("sqlite://flag.db".into()),
        };
        let c = Config::load(Some(&file), &env, &flags, DEFAULT_DATABASE_URL).expect("flags");
        assert_eq!(
            (c.bind.as_str(), c.database_url.expose_secret()),
            ("127.0.0.1:9200", "sqlite://flag.db")
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn secrets_from_files_and_never_printed() {
        let dir = std::env::temp_dir().join(format!("samband-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        let secret = dir.join("db-url");
        std::fs::write(
            &secret,
            "postgres://samband:hunter2secret@db.example:5432/samband\n",
        )
        .expect("write");
        let env = env_of(&[("SAMBAND_DATABASE_URL_FILE", secret.to_str().expect("utf8"))]);
        let c =
            Config::load(None, &env, &Overrides::default(), DEFAULT_DATABASE_URL).expect("load");
        assert!(c.database_url.expose_secret().contains("hunter2secret"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2secret"), "{shown}");
        assert!(shown.contains("samband:***@db.example"), "{shown}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_config_file_never_prints_its_secrets() {
        let fc: FileConfig = toml::from_str(
            "database_url = \"postgres://samband:file-db-pw@db/samband\"\n\
             smtp_url = \"smtps://mailer:file-smtp-pw@smtp:465\"\n",
        )
        .expect("parse");
        let shown = format!("{fc:?} {fc:#?}");
        assert!(!shown.contains("file-db-pw"), "{shown}");
        assert!(!shown.contains("file-smtp-pw"), "{shown}");
        assert_eq!(
            fc.database_url.as_ref().map(Secret::expose),
            Some("postgres://samband:file-db-pw@db/samband")
        );
    }

    #[test]
    fn urls_are_shown_without_their_passwords() {
        for (url, shown) in [
            ("sqlite://samband.db", "sqlite://samband.db"),
            ("postgres://u:pw@h:5432/db", "postgres://u:***@h:5432/db"),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "smtp://u:p%40ss@h:587?tls=required",
                "smtp://u:***@h:587?tls=required",
            ),
            ("postgres://u:a@b@h/db", "postgres://u:***@h/db"),
            (
                "postgres://u@h/db?sslmode=require&password=pw&application_name=x",
                "postgres://u@h/db?sslmode=require&password=***&application_name=x",
            ),
            (
                "postgres://h/db?sslpassword=pw#frag",
                "postgres://h/db?sslpassword=***#frag",
            ),
            (
                "smtp://h:25?from=a@b.example",
                "smtp://h:25?from=a@b.example",
            ),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn consent_defaults_are_configuration() {
        use samband_domain::consent::Category;
        let c = Config::load(
            None,
            &env_of(&[]),
            &Overrides::default(),
            DEFAULT_DATABASE_URL,
        )
        .expect("defaults");
        assert_eq!(
            c.consent_defaults.non_health,
            vec![Category::PlanAndActions]
        );
        let env = env_of(&[(
            "SAMBAND_CONSENT_NON_HEALTH_DEFAULT",
            "plan_and_actions, work_capacity",
        )]);
        let c = Config::load(None, &env, &Overrides::default(), DEFAULT_DATABASE_URL).expect("env");
        assert_eq!(
            c.consent_defaults.non_health,
            vec![Category::PlanAndActions, Category::WorkCapacity]
        );
        let bad = env_of(&[("SAMBAND_CONSENT_HEALTH_DEFAULT", "gossip")]);
        let e = Config::load(None, &bad, &Overrides::default(), DEFAULT_DATABASE_URL).unwrap_err();
        assert!(
            e.to_string().contains("unknown information category"),
            "{e}"
        );
    }

    #[test]
    fn the_longest_token_lifetime_is_configuration() {
        let load = |env: &[(&str, &str)], file: Option<&Path>| {
            Config::load(
                file,
                &env_of(env),
                &Overrides::default(),
                DEFAULT_DATABASE_URL,
            )
        };
        assert_eq!(load(&[], None).expect("defaults").token_max_days, 365);
        let dir = std::env::temp_dir().join(format!("samband-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("samband.toml");
        std::fs::write(&file, "token_max_days = 30\n").expect("write");
        assert_eq!(load(&[], Some(&file)).expect("file").token_max_days, 30);
        assert_eq!(
            load(&[("SAMBAND_TOKEN_MAX_DAYS", "120")], Some(&file))
                .expect("env")
                .token_max_days,
            120,
            "the environment wins over the file"
        );
        for bad in ["0", "3651", "-1"] {
            let e = load(&[("SAMBAND_TOKEN_MAX_DAYS", bad)], None).unwrap_err();
            assert!(e.to_string().contains("token_max_days"), "{bad}: {e}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn log_format_and_metrics_address_are_configuration() {
        let load = |env: &[(&str, &str)]| {
            Config::load(
                None,
                &env_of(env),
                &Overrides::default(),
                DEFAULT_DATABASE_URL,
            )
        };
        let c = load(&[]).expect("defaults");
        assert_eq!((c.log_format, c.metrics_bind), (LogFormat::Text, None));
        let c = load(&[
            ("SAMBAND_LOG_FORMAT", "JSON"),
            ("SAMBAND_METRICS_BIND", "127.0.0.1:9464"),
        ])
        .expect("env");
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.metrics_bind.as_deref(), Some("127.0.0.1:9464"));
        let e = load(&[("SAMBAND_LOG_FORMAT", "xml")]).unwrap_err();
        assert!(e.to_string().contains("log_format"), "{e}");
        let e = load(&[("SAMBAND_METRICS_BIND", "localhost")]).unwrap_err();
        assert!(e.to_string().contains("metrics bind address"), "{e}");
        let e = load(&[
            ("SAMBAND_BIND", "127.0.0.1:8080"),
            ("SAMBAND_METRICS_BIND", "127.0.0.1:8080"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("must differ"), "{e}");
    }

    #[test]
    fn bad_values_are_refused_with_a_message() {
        let e = Config::load(
            None,
            &env_of(&[("SAMBAND_BIND", "localhost")]),
            &Overrides::default(),
            DEFAULT_DATABASE_URL,
        );
        assert!(e.unwrap_err().to_string().contains("bind address"));
        let e = Config::load(
            None,
            &env_of(&[("SAMBAND_DATABASE_URL", "mysql://x")]),
            &Overrides::default(),
            DEFAULT_DATABASE_URL,
        );
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("sqlite:// or postgres://"));
        let e = Config::load(
            None,
            &env_of(&[("SAMBAND_TIME_ZONE", "Mars/Olympus")]),
            &Overrides::default(),
            DEFAULT_DATABASE_URL,
        );
        assert!(e.unwrap_err().to_string().contains("time zone"));
    }
}
