//! No store trait method can escape the conformance suite: this test reads the trait
//! definitions in `src/lib.rs` and the suite in `src/conformance.rs`, and fails for any
//! method (of any trait, found by parsing, not from a list kept by hand) that no
//! registered scenario calls — directly or through a helper function it calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

/// The trait definitions: `lib.rs` and the modules it declares traits in.
const LIB: &[&str] = &[
    include_str!("../src/lib.rs"),
    include_str!("../src/pathways.rs"),
    include_str!("../src/succession.rs"),
    include_str!("../src/needs.rs"),
    include_str!("../src/registry.rs"),
    include_str!("../src/relapse.rs"),
    include_str!("../src/self_reports.rs"),
    include_str!("../src/signals.rs"),
];
/// The suite: `conformance.rs` and its submodules.
const SUITE: &[&str] = &[
    include_str!("../src/conformance.rs"),
    include_str!("../src/conformance/pathways.rs"),
    include_str!("../src/conformance/succession.rs"),
    include_str!("../src/conformance/needs.rs"),
    include_str!("../src/conformance/caseload_registry.rs"),
    include_str!("../src/conformance/relapse.rs"),
    include_str!("../src/conformance/self_reports.rs"),
    include_str!("../src/conformance/signals.rs"),
];

/// Every `pub trait` of the crate must be in [`LIB`]: a trait added in a new module
/// that this list misses would escape the check.
#[test]
fn every_trait_of_the_crate_is_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = LIB.concat();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let src = std::fs::read_to_string(&path).unwrap();
            for line in src
                .lines()
                .filter(|l| l.trim_start().starts_with("pub trait "))
            {
                assert!(
                    lib.contains(line),
                    "{}: {line} is not read by this test",
                    path.display()
                );
            }
        }
    }
}

/// The source with comments removed and string and character literals emptied, so
/// that neither can satisfy (or confuse) the search below.
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if at(i) == 'r'
            && (at(i + 1) == '"' || (at(i + 1) == '#' && matches!(at(i + 2), '"' | '#')))
            && !(i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
        {
            // Raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1; // the opening quote
            loop {
                if j >= c.len() {
                    break;
                }
                if c[j] == '"' && (1..=hashes).all(|h| at(j + h) == '#') {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if at(i) == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if at(i) == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal ('x', '\n', '\''); otherwise it is a lifetime.
            i += 1;
            if at(i) == '\\' {
                i += 1;
            }
            i += 1;
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// The identifier starting at byte `i` (after any whitespace).
fn ident_at(s: &str, mut i: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    while i < b.len() && (b[i] as char).is_whitespace() {
        i += 1;
    }
    let start = i;
    while i < b.len() && is_ident(b[i] as char) {
        i += 1;
    }
    (i > start).then(|| (s[start..i].to_owned(), i))
}

/// Byte offsets where `word` occurs as a whole word.
fn words(s: &str, word: &str) -> Vec<usize> {
    let b = s.as_bytes();
    s.match_indices(word)
        .map(|(i, _)| i)
        .filter(|&i| {
            (i == 0 || !is_ident(b[i - 1] as char))
                && b.get(i + word.len()).is_none_or(|&n| !is_ident(n as char))
        })
        .collect()
}

/// The block `{ … }` that starts at the first `{` at or after `from`: (start, end).
fn block(s: &str, from: usize) -> (usize, usize) {
    let b = s.as_bytes();
    let open = from + s[from..].find('{').expect("a block");
    let mut depth = 0;
    for (k, &ch) in b.iter().enumerate().skip(open) {
        match ch {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (open, k + 1);
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces after byte {from}");
}

/// Every `fn name` in `s`, with its body (functions without a body, as in a trait, get
/// an empty one).
fn functions(s: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for at in words(s, "fn") {
        let Some((name, after)) = ident_at(s, at + 2) else {
            continue; // `fn(` — a function pointer type
        };
        let semi = s[after..].find(';').map(|k| after + k);
        let brace = s[after..].find('{').map(|k| after + k);
        let body = match (semi, brace) {
            (Some(x), Some(y)) if x < y => String::new(),
            (_, Some(_)) => {
                let (a, b) = block(s, after);
                s[a..b].to_owned()
            }
            _ => String::new(),
        };
        out.push((name, at, body));
    }
    out
}

/// Every trait in `src` with the names of its methods.
fn traits(src: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for at in words(src, "trait") {
        let (name, after) = ident_at(src, at + 5).expect("a trait name");
        let (a, b) = block(src, after);
        let methods = functions(&src[a..b])
            .into_iter()
            .map(|(m, _, _)| m)
            .collect();
        out.insert(name, methods);
    }
    out
}

/// The supertraits `Tx` is declared with.
fn tx_supertraits(src: &str) -> Vec<String> {
    let at = words(src, "trait")
        .into_iter()
        .find(|&i| ident_at(src, i + 5).is_some_and(|(n, _)| n == "Tx"))
        .expect("trait Tx");
    let colon = at + src[at..].find(':').unwrap();
    let open = at + src[at..].find('{').unwrap();
    src[colon + 1..open]
        .split('+')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s != "Send" && s != "Sync")
        .collect()
}

/// The scenario names listed in the suite's `registry![ … ];`.
fn registered(suite: &str) -> Vec<String> {
    let at = suite.find("registry![").expect("the registry");
    let end = at + suite[at..].find("];").expect("the registry's end");
    suite[at + "registry![".len()..end]
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Method names called (`.name(`) in the bodies of the registered scenarios and of
/// every function of the suite they call, transitively.
fn methods_called_by_scenarios(suite: &str) -> BTreeSet<String> {
    let fns: BTreeMap<String, String> = functions(suite)
        .into_iter()
        .map(|(n, _, body)| (n, body))
        .collect();
    let calls_fn = |body: &str, f: &str| {
        words(body, f).into_iter().any(|i| {
            let before = body[..i].trim_end();
            !before.ends_with('.') && body[i + f.len()..].trim_start().starts_with('(')
        })
    };
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = registered(suite);
    while let Some(f) = todo.pop() {
        let body = fns
            .get(&f)
            .unwrap_or_else(|| panic!("registered scenario {f} is not a function"));
        if !reached.insert(f.clone()) {
            continue;
        }
        for other in fns.keys() {
            if !reached.contains(other) && calls_fn(body, other) {
                todo.push(other.clone());
            }
        }
    }
    let mut called = BTreeSet::new();
    for f in &reached {
        let body = &fns[f];
        let b = body.as_bytes();
        for (i, _) in body.match_indices('.') {
            if let Some((name, after)) = ident_at(body, i + 1) {
                if !b.get(i + 1).is_some_and(|&ch| is_ident(ch as char)) {
                    continue;
                }
                let rest = body[after..].trim_start();
                if rest.starts_with('(') || rest.starts_with("::<") {
                    called.insert(name);
                }
            }
        }
    }
    called
}

#[test]
fn every_store_trait_method_is_called_by_a_registered_scenario() {
    let lib = strip(&LIB.concat());
    let suite = strip(&SUITE.concat());
    let traits = traits(&lib);

    // The parse found what it should: Store, Tx and every trait Tx is made of, each
    // with methods.
    let supertraits = tx_supertraits(&lib);
    assert!(supertraits.len() >= 14, "Tx's supertraits: {supertraits:?}");
    for t in supertraits
        .iter()
        .chain(["Store".to_owned(), "Tx".to_owned()].iter())
    {
        let methods = traits
            .get(t)
            .unwrap_or_else(|| panic!("trait {t} not found in lib.rs"));
        assert!(!methods.is_empty(), "no methods parsed for {t}");
    }
    let total: usize = traits.values().map(Vec::len).sum();
    assert!(total >= 100, "only {total} trait methods parsed");

    let called = methods_called_by_scenarios(&suite);
    let missing: Vec<String> = traits
        .iter()
        .flat_map(|(t, ms)| {
            ms.iter()
                .filter(|m| !called.contains(*m))
                .map(move |m| format!("{t}::{m}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "trait methods no registered conformance scenario calls: {missing:?}"
    );
}

#[test]
fn the_registry_names_each_scenario_once_and_matches_scenarios() {
    let names = registered(&strip(&SUITE.concat()));
    let unique: BTreeSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a scenario is registered twice");
    let exported: Vec<&str> = samband_store::conformance::SCENARIOS
        .iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        exported,
        names.iter().map(String::as_str).collect::<Vec<_>>(),
        "the parsed registry is the one the suite runs"
    );
}

/// The checker itself must be able to fail: a method only mentioned in a comment or
/// a string, or called only from a function no scenario reaches, does not count.
#[test]
fn the_check_counts_only_real_calls_from_registered_scenarios() {
    let suite = strip(
        r#"
        registry![a, b];
        async fn a(store: Arc<dyn Store>) { helper(&*store).await; }
        async fn b(store: Arc<dyn Store>) {
            // tx.in_comment(x)
            let s = "tx.in_string(x)";
            let c = '"';
            tx.direct(1).await;
        }
        async fn helper(store: &dyn Store) { tx.via_helper().await; }
        async fn unused(store: &dyn Store) { tx.unreached().await; }
        "#,
    );
    let called = methods_called_by_scenarios(&suite);
    assert!(called.contains("direct"));
    assert!(called.contains("via_helper"));
    assert!(!called.contains("in_comment"));
    assert!(!called.contains("in_string"));
    assert!(!called.contains("unreached"));

    let lib = strip(
        "pub trait A { async fn one(&mut self) -> R<()>; /// doc\n fn two(&self) -> &str { \"\" } }",
    );
    assert_eq!(
        traits(&lib).get("A"),
        Some(&vec!["one".to_owned(), "two".to_owned()])
    );
}
