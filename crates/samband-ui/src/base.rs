//! What every page's layout needs: language, the signed-in user, the CSRF token, and
//! helpers for translation and local date/time formatting.

use crate::i18n::{Catalog, Lang};
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::country::{Country, EmergencyNumber};
use samband_domain::principal::Subject;
use samband_domain::FieldError;
use std::sync::Arc;

#[derive(Clone)]
pub struct Base {
    pub lang: Lang,
    pub catalog: Arc<Catalog>,
    /// Display name of the signed-in user, if any.
    pub user: Option<String>,
    pub subject: Option<Subject>,
    pub csrf: String,
    pub tz: chrono_tz::Tz,
    /// The current path, so the language switcher can return here.
    pub path: String,
    pub title: String,
}

impl Base {
    pub fn t(&self, key: &str) -> String {
        self.catalog.get(self.lang, key).to_owned()
    }

    /// A translation with `{name}` replaced by `value` (numbers, names: never markup).
    pub fn t_with(&self, key: &str, name: &str, value: &str) -> String {
        self.catalog
            .get(self.lang, key)
            .replace(&format!("{{{name}}}"), value)
    }

    /// The text of `key` with each `{name}` placeholder replaced by its value.
    pub fn t_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        args.iter().fold(
            self.catalog.get(self.lang, key).to_owned(),
            |text, (name, value)| text.replace(&format!("{{{name}}}"), value),
        )
    }

    /// What an emergency number is for, in the reader's language.
    pub fn emergency_service(&self, e: &EmergencyNumber) -> String {
        self.t(&format!("emergency_numbers.{}", e.service.as_str()))
    }

    /// "Where you live, in Denmark:" for the patient; "The patient lives in …" for
    /// professionals.
    pub fn emergency_where(&self, country: &Country) -> String {
        let whose = if self.is_patient() { "" } else { "pro_" };
        self.t(&format!("emergency_numbers.{whose}in_{country}"))
    }

    /// A translated message for a field error, falling back to the English text.
    pub fn t_err(&self, e: &FieldError) -> String {
        let key = format!("error.{}", e.code);
        if self.catalog.has(Lang::En, &key) {
            let text = self.catalog.get(self.lang, &key);
            // A date window's bound is in the domain's message ("must be on or after
            // 2026-11-23"), its last word; the catalogue's wording names it `{date}`.
            match e.message.rsplit(' ').next() {
                Some(bound) if text.contains("{date}") => text.replace("{date}", bound),
                _ => text.to_owned(),
            }
        } else {
            e.message.clone()
        }
    }

    /// The visible label of a form field, for the error summary.
    /// On one-form pages (`part.field`), the field's own name decides.
    pub fn field_label(&self, field: &str) -> String {
        let own = field.rsplit('.').next().unwrap_or(field);
        // `dec-<item id>.text` is labelled as `field.dec.text`.
        let kind = field.split(['-', '.']).next().unwrap_or(field);
        for key in [
            format!("field.{field}"),
            format!("field.{kind}.{own}"),
            format!("field.{own}"),
        ] {
            if self.catalog.has(Lang::En, &key) {
                return self.catalog.get(self.lang, &key).to_owned();
            }
        }
        own.to_owned()
    }

    pub fn date(&self, d: &NaiveDate) -> String {
        match self.lang {
            Lang::En => d.format("%-d %b %Y").to_string(),
            _ => d.format("%d.%m.%Y").to_string(),
        }
    }

    pub fn iso(&self, d: &NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }

    /// A UTC time shown in the deployment's time zone.
    pub fn datetime(&self, t: &DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.tz);
        match self.lang {
            Lang::En => local.format("%-d %b %Y %H:%M").to_string(),
            _ => local.format("%d.%m.%Y kl. %H:%M").to_string(),
        }
    }

    /// String equality for templates, where one side is often a `&&str`.
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }

    /// The patient, or a proxy acting for them: both use the patient's own pages.
    pub fn is_patient(&self) -> bool {
        matches!(
            self.subject,
            Some(Subject::Patient(_) | Subject::Proxy { .. })
        )
    }

    pub fn is_professional(&self) -> bool {
        matches!(self.subject, Some(Subject::Professional(_)))
    }

    pub fn is_admin(&self) -> bool {
        matches!(self.subject, Some(Subject::Admin))
    }

    pub fn langs(&self) -> [Lang; 3] {
        Lang::ALL
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// Percent-encodes the current path for the `next` parameter.
    pub fn next_param(&self) -> String {
        self.path
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
}
