//! Scoring against an independent, table-driven statement of the manuals' rules over
//! every possible answer vector. The oracle below never calls `score`'s helpers: it
//! sums with a fold over digits of the vector's index, bands by descending threshold
//! tables copied from the manuals, and prorates in floating point.

use super::*;
use crate::ids::PatientId;

/// Answer vector number `n` in base `radix`, `len` digits, least significant first.
fn vector(mut n: u32, radix: u32, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    for _ in 0..len {
        v.push((n % radix) as u8);
        n /= radix;
    }
    v
}

/// PHQ-9 manual: severity from the total, thresholds descending.
fn phq9_band(total: u32) -> &'static str {
    const T: [(u32, &str); 5] = [
        (20, "severe"),
        (15, "moderately_severe"),
        (10, "moderate"),
        (5, "mild"),
        (0, "minimal"),
    ];
    T.iter()
        .find(|(min, _)| total >= *min)
        .map(|(_, b)| *b)
        .unwrap()
}

fn gad7_band(total: u32) -> &'static str {
    const T: [(u32, &str); 4] = [
        (15, "severe"),
        (10, "moderate"),
        (5, "mild"),
        (0, "minimal"),
    ];
    T.iter()
        .find(|(min, _)| total >= *min)
        .map(|(_, b)| *b)
        .unwrap()
}

fn who5_band(percent: u32) -> &'static str {
    if percent <= 28 {
        "depression_likely"
    } else if percent < 52 {
        "poor"
    } else {
        "good"
    }
}

fn band_key(inst: &Instrument, s: &Scores) -> Option<&'static str> {
    s.band.map(|b| inst.bands[b].key)
}

fn some(v: &[u8]) -> Answers {
    v.iter().map(|x| Some(*x)).collect()
}

#[test]
fn phq9_every_vector_total_band_item9_remission() {
    let inst = get(InstrumentKey::Phq9);
    for n in 0..4u32.pow(9) {
        let v = vector(n, 4, 9);
        let total: u32 = v.iter().map(|x| u32::from(*x)).sum();
        let s = score(inst, &some(&v)).unwrap();
        assert_eq!(s.total, Some(total as u16), "{v:?}");
        assert!(!s.prorated);
        assert_eq!(band_key(inst, &s), Some(phq9_band(total)), "{v:?}");
        assert_eq!(s.item9, ItemNine::Answered(v[8]), "{v:?}");
        assert_eq!(s.scaled, None);
        assert_eq!(is_remission(inst, s.total.unwrap()), Some(total < 5));
    }
}

#[test]
fn phq2_every_vector_and_screen() {
    let inst = get(InstrumentKey::Phq2);
    for n in 0..16 {
        let v = vector(n, 4, 2);
        let total = u32::from(v[0]) + u32::from(v[1]);
        let s = score(inst, &some(&v)).unwrap();
        assert_eq!(s.total, Some(total as u16));
        assert_eq!(s.screen_positive, Some(total >= 3));
        assert_eq!(s.item9, ItemNine::NotAsked);
    }
    // PHQ-2 items are PHQ-9's first two, word for word.
    assert_eq!(inst.items, &get(InstrumentKey::Phq9).items[..2]);
}

#[test]
fn gad7_every_vector_total_band_screen() {
    let inst = get(InstrumentKey::Gad7);
    for n in 0..4u32.pow(7) {
        let v = vector(n, 4, 7);
        let total: u32 = v.iter().map(|x| u32::from(*x)).sum();
        let s = score(inst, &some(&v)).unwrap();
        assert_eq!(s.total, Some(total as u16), "{v:?}");
        assert_eq!(band_key(inst, &s), Some(gad7_band(total)), "{v:?}");
        assert_eq!(s.screen_positive, Some(total >= 10), "{v:?}");
    }
}

#[test]
fn who5_every_vector_raw_percent_screen() {
    let inst = get(InstrumentKey::Who5);
    for n in 0..6u32.pow(5) {
        let v = vector(n, 6, 5);
        let raw: u32 = v.iter().map(|x| u32::from(*x)).sum();
        let s = score(inst, &some(&v)).unwrap();
        assert_eq!(s.total, Some(raw as u16), "{v:?}");
        assert_eq!(s.scaled, Some((raw * 4) as u16), "{v:?}");
        assert_eq!(s.chart_value(), Some((raw * 4) as u16));
        let screen = raw < 13 || v.iter().any(|x| *x <= 1);
        assert_eq!(s.screen_positive, Some(screen), "{v:?}");
        assert_eq!(band_key(inst, &s), Some(who5_band(raw * 4)), "{v:?}");
    }
}

/// Half up in floating point, computed unlike the integer version under test.
fn prorated(sum: u32, items: u32, answered: u32) -> u16 {
    ((f64::from(sum * items) / f64::from(answered)) + 0.5).floor() as u16
}

#[test]
fn phq9_one_missing_prorates_and_item9_missing_is_unknown() {
    let inst = get(InstrumentKey::Phq9);
    for gap in 0..9 {
        for n in 0..4u32.pow(8) {
            let v = vector(n, 4, 8);
            let mut a: Answers = some(&v);
            a.insert(gap, None);
            let sum: u32 = v.iter().map(|x| u32::from(*x)).sum();
            let s = score(inst, &a).unwrap();
            let want = prorated(sum, 9, 8);
            assert_eq!(s.total, Some(want), "{a:?}");
            assert!(s.prorated);
            assert_eq!(band_key(inst, &s), Some(phq9_band(u32::from(want))));
            if gap == 8 {
                assert_eq!(s.item9, ItemNine::Unanswered, "{a:?}");
                assert_eq!(s.item9.value(), None);
            } else {
                assert_eq!(s.item9, ItemNine::Answered(a[8].unwrap()));
            }
        }
    }
    // Worked example: eight answers of 3 (24) prorate to 27; 1 and seven 0 to 1.
    let mut a = vec![Some(3); 9];
    a[3] = None;
    assert_eq!(score(inst, &a).unwrap().total, Some(27));
    let mut a = vec![Some(0); 9];
    a[0] = Some(1);
    a[5] = None;
    assert_eq!(score(inst, &a).unwrap().total, Some(1));
    // 4 over 8 items is 4.5 → 5 (half up, into "mild").
    let a = vec![
        Some(1),
        Some(1),
        Some(1),
        Some(1),
        Some(0),
        Some(0),
        Some(0),
        Some(0),
        None,
    ];
    assert_eq!(score(inst, &a).unwrap().total, Some(5));
}

#[test]
fn phq9_two_missing_has_no_total_but_keeps_item9() {
    let inst = get(InstrumentKey::Phq9);
    for i in 0..9 {
        for j in (i + 1)..9 {
            let mut a = vec![Some(2); 9];
            a[i] = None;
            a[j] = None;
            let s = score(inst, &a).unwrap();
            assert_eq!(s.total, None, "{a:?}");
            assert_eq!(s.band, None);
            assert_eq!(s.answered, 7);
            let want = if j == 8 {
                ItemNine::Unanswered
            } else {
                ItemNine::Answered(2)
            };
            assert_eq!(s.item9, want);
        }
    }
}

#[test]
fn gad7_one_missing_prorates_two_missing_none() {
    let inst = get(InstrumentKey::Gad7);
    for gap in 0..7 {
        for n in 0..4u32.pow(6) {
            let v = vector(n, 4, 6);
            let mut a = some(&v);
            a.insert(gap, None);
            let sum: u32 = v.iter().map(|x| u32::from(*x)).sum();
            let want = prorated(sum, 7, 6);
            let s = score(inst, &a).unwrap();
            assert_eq!(s.total, Some(want), "{a:?}");
            assert_eq!(s.screen_positive, Some(want >= 10));
        }
    }
    let a = vec![Some(3), None, Some(3), None, Some(3), Some(3), Some(3)];
    let s = score(inst, &a).unwrap();
    assert_eq!((s.total, s.screen_positive), (None, None));
}

#[test]
fn who5_missing_item_has_no_score_but_a_low_item_still_screens() {
    let inst = get(InstrumentKey::Who5);
    let s = score(inst, &[Some(5), Some(5), None, Some(5), Some(5)]).unwrap();
    assert_eq!((s.total, s.scaled, s.screen_positive), (None, None, None));
    let s = score(inst, &[Some(5), Some(1), None, Some(5), Some(5)]).unwrap();
    assert_eq!((s.total, s.screen_positive), (None, Some(true)));
}

#[test]
fn esas_is_per_symptom_without_a_total_and_nrs_is_its_item() {
    let esas = get(InstrumentKey::EsasR);
    assert_eq!(esas.items.len(), 9);
    assert!(esas.acknowledgement.is_some());
    for item in 0..9 {
        for value in 0..=10u8 {
            let mut a = vec![None; 9];
            a[item] = Some(value);
            let s = score(esas, &a).unwrap();
            assert_eq!((s.total, s.band, s.answered), (None, None, 1));
        }
    }
    let nrs = get(InstrumentKey::PainNrs);
    for value in 0..=10u8 {
        let s = score(nrs, &[Some(value)]).unwrap();
        assert_eq!(s.total, Some(u16::from(value)));
        let want = match value {
            0 => "none",
            1..=3 => "mild",
            4..=6 => "moderate",
            _ => "severe",
        };
        assert_eq!(band_key(nrs, &s), Some(want));
    }
}

#[test]
fn bad_answers_name_the_item_and_nothing_is_scored() {
    let inst = get(InstrumentKey::Phq9);
    let mut a = vec![Some(0); 9];
    a[2] = Some(4);
    let e = score(inst, &a).unwrap_err();
    assert_eq!(
        e.for_field("answers.sleep").map(|f| f.code),
        Some("bad_value")
    );
    let e = score(inst, &[Some(0); 8]).unwrap_err();
    assert_eq!(e.for_field("answers").map(|f| f.code), Some("wrong_count"));
    let e = score(inst, &[None; 9]).unwrap_err();
    assert_eq!(e.for_field("answers").map(|f| f.code), Some("required"));
    // WHO-5 has six options, 0–5; 6 is not one.
    let e = score(
        get(InstrumentKey::Who5),
        &[Some(6), Some(0), Some(0), Some(0), Some(0)],
    )
    .unwrap_err();
    assert!(e.for_field("answers.cheerful").is_some());
}

#[test]
fn response_is_a_halving_from_baseline_and_percent_change_is_honest() {
    let phq9 = get(InstrumentKey::Phq9);
    for baseline in 0..=27u16 {
        for latest in 0..=27u16 {
            let want = (baseline > 0).then(|| f64::from(latest) <= f64::from(baseline) * 0.5);
            assert_eq!(
                is_response(phq9, baseline, latest),
                want,
                "{baseline}→{latest}"
            );
        }
    }
    assert_eq!(is_response(get(InstrumentKey::Who5), 10, 2), None);
    assert_eq!(percent_change(20, 10), Some(-50));
    assert_eq!(percent_change(12, 15), Some(25));
    assert_eq!(percent_change(0, 5), None);
    assert_eq!(is_remission(get(InstrumentKey::Gad7), 2), None);
}

#[test]
fn catalogue_is_complete_consistent_and_licence_clean() {
    for key in InstrumentKey::ALL {
        let inst = get(*key);
        assert_eq!(inst.key, *key);
        assert_eq!(catalogue::get_version(*key, inst.version), Some(inst));
        for item in inst.items {
            for lang in ["en", "nb", "da"] {
                assert!(!item.text.get(lang).is_empty());
            }
        }
        // Bands cover 0..=chart_max without gaps or overlaps.
        if !inst.bands.is_empty() {
            for v in 0..=inst.chart_max {
                let n = inst
                    .bands
                    .iter()
                    .filter(|b| b.min <= v && v <= b.max)
                    .count();
                assert_eq!(n, 1, "{key} at {v}");
            }
        }
        let mut keys: Vec<_> = inst.items.iter().map(|i| i.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), inst.items.len());
    }
    let phq9 = get(InstrumentKey::Phq9);
    assert_eq!(phq9.loinc_panel, Some("44249-1"));
    assert_eq!(phq9.loinc_total, Some("44261-6"));
    assert_eq!(phq9.items[8].loinc, Some("44260-8"));
    let codes: Vec<_> = phq9.options.iter().map(|o| o.loinc.unwrap()).collect();
    assert_eq!(codes, ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]);
    let gad7 = get(InstrumentKey::Gad7);
    assert_eq!(
        (gad7.loinc_panel, gad7.loinc_total),
        (Some("69737-5"), Some("70274-6"))
    );
    for banned in ["bpi", "chalder", "cfq", "relational"] {
        assert!(InstrumentKey::ALL
            .iter()
            .all(|k| !k.as_str().contains(banned)));
    }
}

#[test]
fn scored_response_exposes_what_signals_need() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-01T03:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut items = vec![Some(1); 9];
    items[8] = Some(2);
    let r = ScoredResponse::new(get(InstrumentKey::Phq9), PatientId::new(), items, at).unwrap();
    assert_eq!(
        (r.total(), r.item9(), r.band()),
        (Some(10), Some(2), Some(2))
    );
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<ScoredResponse>(&json).unwrap(), r);
}

#[test]
fn answers_by_key_orders_items_and_names_bad_ones() {
    use std::collections::BTreeMap;
    let inst = get(InstrumentKey::Gad7);
    let mut given: BTreeMap<String, Option<i64>> = BTreeMap::new();
    given.insert("afraid".into(), Some(3));
    given.insert("nervous".into(), Some(1));
    let a = answers_by_key(inst, &given).unwrap();
    assert_eq!(a, vec![Some(1), None, None, None, None, None, Some(3)]);
    given.insert("bogus".into(), Some(1));
    given.insert("relaxing".into(), Some(-1));
    given.insert("restless".into(), Some(300));
    let e = answers_by_key(inst, &given).unwrap_err();
    assert_eq!(
        e.for_field("answers.bogus").map(|f| f.code),
        Some("unknown_item")
    );
    assert_eq!(
        e.for_field("answers.relaxing").map(|f| f.code),
        Some("bad_value")
    );
    assert_eq!(
        e.for_field("answers.restless").map(|f| f.code),
        Some("bad_value")
    );
}
