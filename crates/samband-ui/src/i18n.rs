//! The translation catalogue. Every user-facing string in the UI is looked up here by
//! key. English, Norwegian bokmål and Danish have exactly the same keys, with the same
//! placeholders in each value (a test below checks both); the fallback to English only
//! keeps a page readable should a key ever slip through. The language comes from the
//! account's profile, then a `lang` cookie set by the language switcher, then
//! `Accept-Language`.

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

    /// The parts of a catalogue value that a translation must carry over unchanged:
    /// interpolations in braces (`{name}`, `{{ name }}`), HTML tags and HTML entities.
    fn placeholders(s: &str) -> std::collections::BTreeSet<&str> {
        let mut out = std::collections::BTreeSet::new();
        let mut i = 0;
        while let Some(rest) = s.get(i..).filter(|r| !r.is_empty()) {
            let len = match rest.as_bytes()[0] {
                b'{' => {
                    let open = rest.bytes().take_while(|&b| b == b'{').count();
                    rest[open..].find('}').map(|j| {
                        let close = rest[open + j..].bytes().take_while(|&b| b == b'}').count();
                        open + j + close
                    })
                }
                b'<' => rest.find('>').map(|j| j + 1),
                b'&' => {
                    let name = rest[1..]
                        .bytes()
                        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
                        .count();
                    (name > 0 && rest[1 + name..].starts_with(';')).then_some(name + 2)
                }
                _ => None,
            };
            match len {
                Some(n) => {
                    out.insert(&rest[..n]);
                    i += n;
                }
                None => i += rest.chars().next().map_or(1, char::len_utf8),
            }
        }
        out
    }

    #[test]
    fn placeholders_are_braces_tags_and_entities() {
        let found: Vec<&str> =
            placeholders("Hei {name}, {{ count }} nye &amp; <b>viktige</b> – 50 % < 3")
                .into_iter()
                .collect();
        assert_eq!(found, ["&amp;", "</b>", "<b>", "{name}", "{{ count }}"]);
        assert!(placeholders("Ingen plassholdere her: æøå, 113.").is_empty());
    }

    /// The rule of the project: every user-facing string exists in English, Norwegian
    /// and Danish. So Norwegian and Danish have exactly English's keys, and each of their
    /// values keeps the English value's placeholders. A key added to en.toml alone fails
    /// here.
    #[test]
    fn norwegian_and_danish_have_exactly_the_english_keys_and_placeholders() {
        use std::collections::BTreeSet;
        let c = Catalog::load();
        let en: BTreeSet<&str> = c.keys(Lang::En).into_iter().collect();
        assert!(en.len() > 100, "en.toml has only {} keys", en.len());
        let mut problems = Vec::new();
        for lang in [Lang::Nb, Lang::Da] {
            let code = lang.code();
            let keys: BTreeSet<&str> = c.keys(lang).into_iter().collect();
            for k in en.difference(&keys) {
                problems.push(format!("{code}.toml lacks {k}"));
            }
            for k in keys.difference(&en) {
                problems.push(format!("{code}.toml has {k}, which en.toml lacks"));
            }
            for k in en.intersection(&keys) {
                let want = placeholders(c.get(Lang::En, k));
                let got = placeholders(c.get(lang, k));
                if want != got {
                    problems.push(format!(
                        "{code}.toml {k} has placeholders {got:?}, en.toml has {want:?}"
                    ));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} catalogue problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
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
