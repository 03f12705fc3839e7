//! The translation catalogue. Every user-facing string in the UI is looked up here by
//! key; English is complete, Norwegian bokmål and Danish fall back to English for keys
//! they lack. The language comes from the account's profile, then a `lang` cookie set
//! by the language switcher, then `Accept-Language`.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Nb,
    Da,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Nb, Lang::Da];

    pub fn code(&self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nb => "nb",
            Lang::Da => "da",
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Nb => "Norsk bokmål",
            Lang::Da => "Dansk",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "en-gb" | "en-us" => Some(Lang::En),
            "nb" | "no" | "nn" | "nb-no" | "nn-no" => Some(Lang::Nb),
            "da" | "da-dk" => Some(Lang::Da),
            _ => None,
        }
    }

    /// Picks the first supported language in an `Accept-Language` header, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut prefs: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let lang =
                    Lang::from_code(tag).or_else(|| Lang::from_code(tag.split('-').next()?))?;
                Some((q, lang))
            })
            .collect();
        prefs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        prefs.first().map(|p| p.1)
    }
}

pub struct Catalog {
    en: HashMap<String, String>,
    nb: HashMap<String, String>,
    da: HashMap<String, String>,
}

fn parse(src: &str) -> HashMap<String, String> {
    // The catalogues are compiled in and checked by a test, so a parse error here is a
    // build defect; an empty map then makes every key fall back visibly.
    let table: toml::Table = toml::from_str(src).unwrap_or_default();
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(inner) => flatten(&key, inner, out),
            _ => {}
        }
    }
}

impl Catalog {
    pub fn load() -> Self {
        Self {
            en: parse(include_str!("../locales/en.toml")),
            nb: parse(include_str!("../locales/nb.toml")),
            da: parse(include_str!("../locales/da.toml")),
        }
    }

    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        let table = match lang {
            Lang::En => &self.en,
            Lang::Nb => &self.nb,
            Lang::Da => &self.da,
        };
        table
            .get(key)
            .or_else(|| self.en.get(key))
            .map(String::as_str)
            .unwrap_or(key)
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        match lang {
            Lang::En => self.en.contains_key(key),
            Lang::Nb => self.nb.contains_key(key),
            Lang::Da => self.da.contains_key(key),
        }
    }

    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let table = match lang {
            Lang::En => &self.en,
            Lang::Nb => &self.nb,
            Lang::Da => &self.da,
        };
        table.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_parse_and_norwegian_danish_only_use_english_keys() {
        for (name, src) in [
            ("en", include_str!("../locales/en.toml")),
            ("nb", include_str!("../locales/nb.toml")),
            ("da", include_str!("../locales/da.toml")),
        ] {
            assert!(
                toml::from_str::<toml::Table>(src).is_ok(),
                "{name}.toml does not parse"
            );
        }
        let c = Catalog::load();
        assert!(c.keys(Lang::En).len() > 100);
        for lang in [Lang::Nb, Lang::Da] {
            for k in c.keys(lang) {
                assert!(
                    c.has(Lang::En, k),
                    "{} has {k} which English lacks",
                    lang.code()
                );
            }
        }
    }

    /// Sections written after the catalogues became partial are complete in every
    /// language: a Danish patient must never read an English safety text.
    const COMPLETE_EVERYWHERE: &[&str] = &[
        "emergency_numbers.",
        "country.",
        "kept.",
        "meeting.cancel",
        "meeting.minutes_",
        "meeting.conflict_kept",
        "meeting.new_decision",
        "meeting.add_decision",
        "meeting.save_raise",
        "error.confirm_required",
        "field.dec.",
        "field.confirm",
        "field.end_",
        "member.end_",
        "consent.withdraw",
        "field.withdraw_confirm",
    ];

    #[test]
    fn new_sections_are_complete_in_every_language() {
        let c = Catalog::load();
        let mut missing = Vec::new();
        for k in c.keys(Lang::En) {
            if COMPLETE_EVERYWHERE.iter().any(|p| k.starts_with(p)) {
                for lang in [Lang::Nb, Lang::Da] {
                    if !c.has(lang, k) {
                        missing.push(format!("{}: {k}", lang.code()));
                    }
                }
            }
        }
        for k in ["me.write_intro"] {
            for lang in Lang::ALL {
                assert!(c.has(lang, k), "{} lacks {k}", lang.code());
                assert!(c.get(lang, k).contains("{number}"), "{k} names no number");
            }
        }
        missing.sort();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    /// Every key a template or handler asks for exists in English.
    #[test]
    fn every_key_used_exists_in_english() {
        let c = Catalog::load();
        let mut sources: Vec<String> = Vec::new();
        for dir in [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        ] {
            let mut stack = vec![std::path::PathBuf::from(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if let Ok(s) = std::fs::read_to_string(&p) {
                        sources.push(s);
                    }
                }
            }
        }
        let mut missing = Vec::new();
        let mut seen = 0;
        for s in &sources {
            for (i, _) in s.match_indices("t(\"") {
                let rest = &s[i + 3..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    let is_key = key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                    if is_key && key.contains('.') && !key.ends_with('.') {
                        seen += 1;
                        if !c.has(Lang::En, key) {
                            missing.push(key.to_owned());
                        }
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(seen > 50, "found only {seen} lookups");
        assert!(missing.is_empty(), "keys missing from en.toml: {missing:?}");
    }

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(
            Lang::from_accept_language("da-DK,da;q=0.9,en;q=0.8"),
            Some(Lang::Da)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.5, nb;q=0.9"),
            Some(Lang::Nb)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }
}
