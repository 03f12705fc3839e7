//! Checks `samband_domain::ics::render` against an independent parser: Python's
//! `icalendar` library (`pip install icalendar`; `.ci/run` installs it). Each case writes
//! a rendered file to a temp directory and runs `python3` with the expected values as
//! JSON on stdin; the script exits non-zero with a message on any mismatch.
//!
//! A missing `python3` or `icalendar` makes the test fail (not skip), so CI cannot pass
//! without the check having run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeZone, Utc};
use samband_domain::ics::{render, Attendee, CalendarEvent, Method, PartStat, Person};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const CHECK_PY: &str = r#"
import json, sys

try:
    import icalendar
except ImportError as err:
    sys.exit(f"python package 'icalendar' is not installed ({err}); run: pip install icalendar")

path = sys.argv[1]
exp = json.load(sys.stdin)
problems = []

def check(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")

with open(path, "rb") as f:
    data = f.read()

# Raw form, checked independently of the parser: CR LF line ends, no physical line over
# 75 octets, and each physical line valid UTF-8 on its own (folding split no character).
lines = data.split(b"\r\n")
check("file ends with CRLF", lines[-1], b"")
for i, line in enumerate(lines[:-1], start=1):
    if len(line) > 75:
        problems.append(f"line {i} has {len(line)} octets: {line!r}")
    if b"\r" in line or b"\n" in line:
        problems.append(f"line {i} has a bare CR or LF: {line!r}")
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as err:
        problems.append(f"line {i} is not valid UTF-8 on its own ({err}): {line!r}")

cal = icalendar.Calendar.from_ical(data)
check("calendar parse errors", list(getattr(cal, "errors", [])), [])
check("VERSION", str(cal.get("VERSION")), "2.0")
check("PRODID", str(cal.get("PRODID")), "-//Samband//Samband//EN")
check("CALSCALE", str(cal.get("CALSCALE")), "GREGORIAN")
check("METHOD", str(cal.get("METHOD")), exp["method"])

events = cal.walk("VEVENT")
check("number of VEVENTs", len(events), 1)
check("number of subcomponents", len(cal.subcomponents), 1)
if len(events) != 1:
    sys.exit("\n".join(problems))
ev = events[0]
check("event parse errors", list(getattr(ev, "errors", [])), [])

check("UID", str(ev.get("UID")), exp["uid"])
check("SEQUENCE", ev.decoded("SEQUENCE"), exp["sequence"])
check("STATUS", str(ev.get("STATUS")), exp["status"])
for name in ("DTSTAMP", "DTSTART", "DTEND"):
    value = ev.decoded(name)
    check(f"{name} is UTC", value.utcoffset() is not None and value.utcoffset().total_seconds() == 0, True)
    check(name, value.strftime("%Y%m%dT%H%M%SZ"), exp[name.lower()])
check("SUMMARY", str(ev.get("SUMMARY")), exp["summary"])
check("DESCRIPTION", str(ev.get("DESCRIPTION")), exp["description"])
check("LOCATION", None if ev.get("LOCATION") is None else str(ev.get("LOCATION")), exp["location"])
check("URL", None if ev.get("URL") is None else str(ev.get("URL")), exp["url"])

org = ev.get("ORGANIZER")
check("ORGANIZER address", str(org), exp["organizer"]["address"])
check("ORGANIZER CN", org.params.get("CN") if org is not None else None, exp["organizer"]["cn"])

attendees = ev.get("ATTENDEE", [])
if not isinstance(attendees, list):
    attendees = [attendees]
got = [
    {
        "address": str(a),
        "cn": a.params.get("CN"),
        "role": a.params.get("ROLE"),
        "partstat": a.params.get("PARTSTAT"),
        "rsvp": a.params.get("RSVP"),
    }
    for a in attendees
]
check("number of ATTENDEEs", len(got), len(exp["attendees"]))
for i, (g, w) in enumerate(zip(got, exp["attendees"])):
    for key in ("address", "cn", "role", "partstat", "rsvp"):
        check(f"ATTENDEE {i} {key}", g[key], w[key])

if problems:
    sys.exit(f"{path}:\n  " + "\n  ".join(problems))
print(f"{path}: ok")
"#;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn person(name: &str, email: Option<&str>) -> Person {
    Person {
        name: name.into(),
        email: email.map(Into::into),
    }
}

/// A minimal JSON encoder for the expected values (the crate has no serde_json).
enum Json {
    Null,
    Num(u64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    fn str(s: &str) -> Self {
        Self::Str(s.to_owned())
    }

    fn opt(s: Option<&str>) -> Self {
        s.map_or(Self::Null, Self::str)
    }

    fn encode(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Num(n) => out.push_str(&n.to_string()),
            Self::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Self::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.encode(out);
                }
                out.push(']');
            }
            Self::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    Self::str(key).encode(out);
                    out.push(':');
                    value.encode(out);
                }
                out.push('}');
            }
        }
    }
}

/// What Python should find: the display name, address, role… exactly as a client shows
/// them (a CN's DQUOTE comes back as an apostrophe; see the module docs).
struct ExpectedPerson {
    address: &'static str,
    cn: &'static str,
}

struct ExpectedAttendee {
    who: ExpectedPerson,
    role: &'static str,
    partstat: &'static str,
    rsvp: Option<&'static str>,
}

fn expected_json(
    e: &CalendarEvent,
    organizer: &ExpectedPerson,
    attendees: &[ExpectedAttendee],
) -> String {
    let fmt = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let (method, status) = match e.method {
        Method::Request => ("REQUEST", "CONFIRMED"),
        Method::Cancel => ("CANCEL", "CANCELLED"),
    };
    let json = Json::Obj(vec![
        ("method", Json::str(method)),
        ("status", Json::str(status)),
        ("uid", Json::str(&e.uid)),
        ("sequence", Json::Num(u64::from(e.sequence))),
        ("dtstamp", Json::Str(fmt(e.dtstamp))),
        ("dtstart", Json::Str(fmt(e.start))),
        ("dtend", Json::Str(fmt(e.end))),
        ("summary", Json::str(&e.summary)),
        ("description", Json::str(&e.description)),
        ("location", Json::opt(e.location.as_deref())),
        ("url", Json::opt(e.url.as_deref())),
        (
            "organizer",
            Json::Obj(vec![
                ("address", Json::str(organizer.address)),
                ("cn", Json::str(organizer.cn)),
            ]),
        ),
        (
            "attendees",
            Json::Arr(
                attendees
                    .iter()
                    .map(|a| {
                        Json::Obj(vec![
                            ("address", Json::str(a.who.address)),
                            ("cn", Json::str(a.who.cn)),
                            ("role", Json::str(a.role)),
                            ("partstat", Json::str(a.partstat)),
                            ("rsvp", Json::opt(a.rsvp)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]);
    let mut out = String::new();
    json.encode(&mut out);
    out
}

/// Renders `e` to `<tmp>/ics_python/<name>.ics` and has Python check it.
fn check_with_python(
    name: &str,
    e: &CalendarEvent,
    organizer: &ExpectedPerson,
    attendees: &[ExpectedAttendee],
) {
    check_file_with_python(name, &render(e), e, organizer, attendees);
}

/// Writes `ics` to `<tmp>/ics_python/<name>.ics` and has Python check that it says what
/// `e` says.
fn check_file_with_python(
    name: &str,
    ics: &str,
    e: &CalendarEvent,
    organizer: &ExpectedPerson,
    attendees: &[ExpectedAttendee],
) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ics_python");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.ics"));
    std::fs::write(&path, ics).unwrap();

    let mut child = match Command::new("python3")
        .arg("-c")
        .arg(CHECK_PY)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(err) => panic!("could not run python3 (needed for this test): {err}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(expected_json(e, organizer, attendees).as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "python icalendar check of {} failed ({}):\n{stderr}{stdout}",
        path.display(),
        output.status
    );
}

const ORGANIZER: ExpectedPerson = ExpectedPerson {
    address: "mailto:kari.nordmann@kommune.example",
    cn: "Nordmann, Kari: koordinator; 'KN'",
};

fn invitation() -> CalendarEvent {
    CalendarEvent {
        uid: "0191d2a4-7f00-7000-8000-0000000000aa@samband.example".into(),
        sequence: 4,
        method: Method::Request,
        dtstamp: at(2025, 3, 1, 8, 0, 5),
        start: at(2025, 3, 10, 9, 30, 0),
        end: at(2025, 3, 10, 10, 15, 0),
        summary: "Samarbeidsmøte for Even, \"ansvarsgruppe\"; æøå ÆØÅ\nlinje to \\ slutt".into(),
        description: format!(
            "Agenda:\n1. Status; tiltak, mål\n2. Veien videre\n\n{}",
            "Blåbærsyltetøy på ærfuglens øy, ".repeat(10)
        ),
        location: Some("Helsehuset, rom 2; 3. etasje".into()),
        url: Some("https://video.example/rom/abc?pwd=x;y=1,2".into()),
        organizer: person(
            "Nordmann, Kari: koordinator; \"KN\"",
            Some("kari.nordmann@kommune.example"),
        ),
        attendees: vec![
            Attendee {
                person: person("Ola Hansen", Some("ola@kommune.example")),
                partstat: PartStat::Accepted,
                required: true,
            },
            Attendee {
                person: person("Fastlege Dr. Berg, Åse", Some("berg@lege.example")),
                partstat: PartStat::NeedsAction,
                required: true,
            },
            Attendee {
                person: person("Even Ødegård", None),
                partstat: PartStat::Tentative,
                required: false,
            },
            Attendee {
                person: person("Sara \"Sassa\" Lund^n", Some("sara@nav.example")),
                partstat: PartStat::Declined,
                required: false,
            },
        ],
    }
}

fn invitation_attendees() -> Vec<ExpectedAttendee> {
    vec![
        ExpectedAttendee {
            who: ExpectedPerson {
                address: "mailto:ola@kommune.example",
                cn: "Ola Hansen",
            },
            role: "REQ-PARTICIPANT",
            partstat: "ACCEPTED",
            rsvp: None,
        },
        ExpectedAttendee {
            who: ExpectedPerson {
                address: "mailto:berg@lege.example",
                cn: "Fastlege Dr. Berg, Åse",
            },
            role: "REQ-PARTICIPANT",
            partstat: "NEEDS-ACTION",
            rsvp: Some("TRUE"),
        },
        ExpectedAttendee {
            who: ExpectedPerson {
                address: "urn:samband:person:even-odegard",
                cn: "Even Ødegård",
            },
            role: "OPT-PARTICIPANT",
            partstat: "TENTATIVE",
            rsvp: None,
        },
        ExpectedAttendee {
            who: ExpectedPerson {
                address: "mailto:sara@nav.example",
                cn: "Sara 'Sassa' Lund^n",
            },
            role: "OPT-PARTICIPANT",
            partstat: "DECLINED",
            rsvp: None,
        },
    ]
}

#[test]
fn request_parses_in_python_icalendar() {
    let e = invitation();
    let attendees = invitation_attendees();
    check_with_python("request", &e, &ORGANIZER, &attendees);

    // A CR LF or lone CR in stored text comes back as one newline.
    let mut with_cr = e.clone();
    with_cr.description = e
        .description
        .replacen("\n1.", "\r\n1.", 1)
        .replacen("\n2.", "\r2.", 1);
    assert_ne!(with_cr.description, e.description);
    let ics = render(&with_cr);
    check_file_with_python("request-cr", &ics, &e, &ORGANIZER, &attendees);
}

#[test]
fn long_norwegian_summary_parses_in_python_icalendar() {
    let mut e = invitation();
    e.summary = "Blåbærsyltetøy på ærfuglens øy; «sitat», \"hei\"\n"
        .repeat(10)
        .chars()
        .take(300)
        .collect();
    e.location = None;
    e.url = None;
    check_with_python("long", &e, &ORGANIZER, &invitation_attendees());
}

#[test]
fn cancel_parses_in_python_icalendar() {
    let mut e = invitation();
    e.method = Method::Cancel;
    e.sequence = 5;
    e.dtstamp = at(2025, 3, 5, 12, 0, 0);
    e.description = "Møtet er avlyst.".into();
    e.attendees.truncate(1);
    e.attendees.push(Attendee {
        person: person("Even Ødegård", None),
        partstat: PartStat::NeedsAction,
        required: true,
    });
    let attendees = vec![
        ExpectedAttendee {
            who: ExpectedPerson {
                address: "mailto:ola@kommune.example",
                cn: "Ola Hansen",
            },
            role: "REQ-PARTICIPANT",
            partstat: "ACCEPTED",
            rsvp: None,
        },
        ExpectedAttendee {
            who: ExpectedPerson {
                address: "urn:samband:person:even-odegard",
                cn: "Even Ødegård",
            },
            role: "REQ-PARTICIPANT",
            partstat: "NEEDS-ACTION",
            rsvp: Some("TRUE"),
        },
    ];
    check_with_python("cancel", &e, &ORGANIZER, &attendees);
}

#[test]
fn single_attendee_parses_in_python_icalendar() {
    let mut e = invitation();
    e.description = String::new();
    e.attendees.truncate(1);
    let mut attendees = invitation_attendees();
    attendees.truncate(1);
    check_with_python("single", &e, &ORGANIZER, &attendees);
}
