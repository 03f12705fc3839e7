//! The clinical safety file names, for each hazard, the tests that prove its control.
//! This reads `docs/safety/hazard-log.md` and fails for any `test:` line whose file or
//! test function does not exist, so renaming or deleting a control's test cannot leave
//! the file claiming a proof it no longer has.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn every_test_the_hazard_log_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let log = std::fs::read_to_string(root.join("docs/safety/hazard-log.md")).unwrap();
    let mut hazards = 0;
    let mut named = 0;
    let mut missing = Vec::new();
    let mut hazard_without_test = Vec::new();
    let mut tests_in_this_hazard = 0;
    let mut current = String::new();
    for line in log.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            if hazards > 0 && tests_in_this_hazard == 0 {
                hazard_without_test.push(current.clone());
            }
            hazards += 1;
            tests_in_this_hazard = 0;
            current = h.to_owned();
        }
        let Some(reference) = line.trim().strip_prefix("- test: ") else {
            continue;
        };
        named += 1;
        tests_in_this_hazard += 1;
        let (file, function) = reference.split_once("::").expect("file::function");
        match std::fs::read_to_string(root.join(file)) {
            Ok(src) => {
                let defined = [format!("fn {function}("), format!("fn {function}<")]
                    .iter()
                    .any(|d| src.contains(d.as_str()));
                if !defined {
                    missing.push(reference.to_owned());
                }
            }
            Err(_) => missing.push(reference.to_owned()),
        }
    }
    if tests_in_this_hazard == 0 && hazards > 0 {
        hazard_without_test.push(current);
    }
    assert!(hazards >= 8, "the log names its hazards ({hazards} found)");
    assert!(named >= hazards, "every hazard names its tests");
    assert!(
        missing.is_empty(),
        "tests named in the hazard log that do not exist: {missing:#?}"
    );
    assert!(
        hazard_without_test.is_empty(),
        "hazards with no test: {hazard_without_test:?}"
    );
}
