//! Trend charts as inline SVG, drawn on the server (no chart JavaScript, no chart
//! crate): one series over time with the instrument's bands shaded, a dashed baseline,
//! a point for every answer and a line only along the runs the domain joined (a gap
//! over twice the schedule's interval is left open — sparse data stays sparse). Each
//! chart has a `<title>` and `<desc>`; the page puts a table of the values beside it.

use samband_domain::instrument::trend::Series;
use samband_domain::instrument::Band;
use std::fmt::Write;

const W: f64 = 600.0;
const H: f64 = 220.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

/// Band shading, lightest for the first band (a fixed palette, presentation attributes
/// only, so the page's CSP needs no inline style).
const BAND_FILL: [&str; 5] = ["#e8f5e9", "#fff8e1", "#ffe0b2", "#ffccbc", "#ffcdd2"];

/// What the chart says in words (already translated).
pub struct ChartText<'a> {
    pub title: &'a str,
    pub desc: &'a str,
    pub baseline: &'a str,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart of `series` over 0..=`max`, with `bands` shaded and `baseline` dashed.
pub fn chart(
    series: &Series,
    bands: &[Band],
    max: u16,
    baseline: Option<u16>,
    text: &ChartText<'_>,
) -> String {
    let max = f64::from(max.max(1));
    let y = |v: u16| TOP + (H - TOP - BOTTOM) * (1.0 - f64::from(v) / max);
    let (first, last) = match (series.points.first(), series.points.last()) {
        (Some(f), Some(l)) => (f.at, l.at),
        _ => (chrono::DateTime::UNIX_EPOCH, chrono::DateTime::UNIX_EPOCH),
    };
    let span = (last - first).num_seconds().max(1) as f64;
    let single = series.points.len() <= 1;
    let x = |at: chrono::DateTime<chrono::Utc>| {
        if single {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (W - LEFT - RIGHT) * ((at - first).num_seconds() as f64 / span)
        }
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="trend" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{t}</title><desc id="{id}-d">{d}</desc>"#,
        id = esc(series.key),
        t = esc(text.title),
        d = esc(text.desc),
    );
    for (i, b) in bands.iter().enumerate() {
        // A band covers its values up to the next band's first value.
        let top = y(b.max.saturating_add(1).min(max as u16));
        let top = if b.max >= max as u16 {
            y(max as u16)
        } else {
            top
        };
        let bottom = y(b.min);
        let _ = write!(
            s,
            r#"<rect class="band" data-band="{k}" x="{LEFT}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="{f}"/>"#,
            k = esc(b.key),
            w = W - LEFT - RIGHT,
            h = (bottom - top).max(0.0),
            f = BAND_FILL[i.min(BAND_FILL.len() - 1)],
        );
    }
    // Axis: 0 and max.
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}" stroke="#555"/><text x="{lx}" y="{b:.1}" font-size="11" text-anchor="end">0</text><text x="{lx}" y="{tp:.1}" font-size="11" text-anchor="end">{m}</text>"##,
        b = y(0),
        r = W - RIGHT,
        lx = LEFT - 4.0,
        tp = y(max as u16) + 4.0,
        m = max as u16,
    );
    if let Some(bl) = baseline {
        let _ = write!(
            s,
            r##"<line class="baseline" x1="{LEFT}" y1="{v:.1}" x2="{r:.1}" y2="{v:.1}" stroke="#333" stroke-dasharray="6 4"><title>{t} {bl}</title></line>"##,
            v = y(bl),
            r = W - RIGHT,
            t = esc(text.baseline),
        );
    }
    for run in series.runs.iter().filter(|r| r.len() > 1) {
        let pts: Vec<String> = run
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.at), y(p.value)))
            .collect();
        let _ = write!(
            s,
            r##"<polyline class="run" points="{}" fill="none" stroke="#1a4f8b" stroke-width="2"/>"##,
            pts.join(" ")
        );
    }
    for p in &series.points {
        let _ = write!(
            s,
            r##"<circle class="point" cx="{:.1}" cy="{:.1}" r="4" fill="#1a4f8b"><title>{}: {}</title></circle>"##,
            x(p.at),
            y(p.value),
            p.at.format("%Y-%m-%d"),
            p.value
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};
    use samband_domain::instrument::trend::{runs, TrendPoint};
    use samband_domain::instrument::{get, InstrumentKey};

    fn series(days: &[(i64, u16)], gap_days: i64) -> Series {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
        let points: Vec<_> = days
            .iter()
            .map(|(d, v)| TrendPoint {
                at: t0 + Duration::days(*d),
                value: *v,
            })
            .collect();
        Series {
            key: "total",
            label: None,
            runs: runs(&points, Duration::days(gap_days)),
            points,
        }
    }

    fn text() -> ChartText<'static> {
        ChartText {
            title: "PHQ-9 <total> & more",
            desc: "Lower is better",
            baseline: "Baseline",
        }
    }

    #[test]
    fn a_gap_leaves_the_line_open_and_every_answer_is_a_point() {
        let inst = get(InstrumentKey::Phq9);
        let s = series(&[(0, 20), (14, 15), (28, 12), (90, 6), (104, 4)], 28);
        let svg = chart(&s, inst.bands, inst.chart_max, Some(20), &text());
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 5);
        assert_eq!(svg.matches(r#"class="band""#).count(), 5);
        assert_eq!(svg.matches(r#"class="baseline""#).count(), 1);
        // The first run has three points, the second two: nothing joins day 28 to 90.
        let runs: Vec<usize> = svg
            .match_indices("points=\"")
            .map(|(i, _)| {
                let rest = &svg[i + 8..];
                rest[..rest.find('"').unwrap()].split(' ').count()
            })
            .collect();
        assert_eq!(runs, [3, 2]);
    }

    #[test]
    fn accessible_and_escaped() {
        let inst = get(InstrumentKey::Phq9);
        let svg = chart(&series(&[(0, 9)], 28), inst.bands, 27, None, &text());
        assert!(svg.contains("<title id=\"total-t\">PHQ-9 &lt;total&gt; &amp; more</title>"));
        assert!(svg.contains("<desc id=\"total-d\">Lower is better</desc>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(
            !svg.contains("<polyline"),
            "one answer is a point, not a line"
        );
        assert!(!svg.contains("baseline"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn values_map_to_height_and_bands_stack_without_overlap() {
        let inst = get(InstrumentKey::Phq9);
        let svg = chart(
            &series(&[(0, 0), (7, 27)], 28),
            inst.bands,
            27,
            None,
            &text(),
        );
        // 0 sits on the axis (y = H - BOTTOM), 27 at the top (y = TOP).
        assert!(svg.contains(&format!("cy=\"{:.1}\"", H - BOTTOM)));
        assert!(svg.contains(&format!("cy=\"{:.1}\"", TOP)));
        let heights: f64 = svg
            .match_indices("height=\"")
            .map(|(i, _)| {
                let rest = &svg[i + 8..];
                rest[..rest.find('"').unwrap()].parse::<f64>().unwrap()
            })
            .sum();
        assert!((heights - (H - TOP - BOTTOM)).abs() < 0.5, "{heights}");
    }
}
