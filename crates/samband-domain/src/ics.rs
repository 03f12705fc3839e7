//! iCalendar (RFC 5545) file for one meeting invitation.
//!
//! A meeting in Samband is sent to the participants' own calendars (Outlook, Google,
//! Apple, Thunderbird) as an `.ics` attachment or download. This module only renders the
//! text; it is pure and deterministic (same [`CalendarEvent`] in, same bytes out), so
//! tests can compare output and a re-sent invitation is byte-identical to the first.
//!
//! How calendar clients treat the file (RFC 5546, iTIP):
//!
//! - The **UID** identifies the meeting. It must stay the same for the meeting's whole
//!   life: a file with a UID the client already knows *updates* that entry instead of
//!   adding a second one.
//! - The **SEQUENCE** says which version of the meeting this is. It must increase on
//!   every change (time, place, attendees, cancellation); clients ignore a file whose
//!   SEQUENCE is lower than what they already have, which is how they tell a new change
//!   from a stale, re-delivered one.
//! - **METHOD:REQUEST** adds or updates the entry; **METHOD:CANCEL** (with the same UID
//!   and a higher SEQUENCE, and `STATUS:CANCELLED`) removes it from the calendar.
//!
//! All times are written in UTC (`YYYYMMDDTHHMMSSZ`), so no `VTIMEZONE` is needed and
//! each client shows the time in its user's own zone. Sub-second precision is dropped.
//! The module does not validate the event (e.g. that `end` is after `start`); that is
//! the meeting aggregate's business.
//!
//! Encoding choices, all so that what a client shows is exactly what Samband stored:
//!
//! - TEXT values (UID, SUMMARY, DESCRIPTION, LOCATION) are escaped per RFC 5545 3.3.11
//!   (`\` → `\\`, `;` → `\;`, `,` → `\,`, newline → `\n`). A CR LF or lone CR counts
//!   as one newline. Other control characters (which TEXT cannot carry) are dropped;
//!   horizontal tab is kept.
//! - Parameter values (the `CN` display name) cannot contain DQUOTE or be escaped with
//!   backslashes: a DQUOTE is replaced by an apostrophe (`'`), line breaks and tabs by a
//!   space, other control characters are dropped, and the value is put in DQUOTEs when it
//!   contains `:`, `;` or `,`. A `^` that RFC 6868 parsers would read as the start of an
//!   escape (`^n`, `^^`, `^'`) is written as `^^`; any other `^` is left alone, so
//!   clients without RFC 6868 support show names unchanged in practice.
//! - Addresses are `mailto:` URIs (RFC 6068; characters outside its `qchar` set are
//!   percent-encoded). A person without an e-mail address still needs a valid
//!   calendar-user address, so they get the URN `urn:samband:person:<slug>`, where the
//!   slug is the name in lower-case ASCII letters, digits and `-` (`person` if nothing is
//!   left). The slug is derived from the name, not from the person's position, so the
//!   same person keeps the same address across updates even when the attendee list is
//!   reordered; a second attendee with the same slug gets `-2`, a third `-3`, and so on.
//!   Such attendees cannot answer by e-mail, but they are listed in everybody's
//!   calendar entry.
//! - Lines end with CR LF and are folded (CR LF + one space) so no line is longer than
//!   75 octets. Folding never splits a UTF-8 character, nor a backslash escape (RFC 5545
//!   allows the latter, but some parsers unfold badly).

use chrono::{DateTime, Utc};

/// The `PRODID` of every file Samband produces.
pub const PRODID: &str = "-//Samband//Samband//EN";

/// Longest content line, in octets, not counting the CR LF (RFC 5545 3.1).
const MAX_LINE_OCTETS: usize = 75;

/// What the file asks the receiving calendar to do (RFC 5546 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Add the meeting, or update it if the UID is known and the SEQUENCE is higher.
    Request,
    /// Remove the meeting with this UID from the calendar.
    Cancel,
}

impl Method {
    /// The `METHOD` value: `REQUEST` or `CANCEL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }

    /// The VEVENT `STATUS` that goes with the method.
    fn status(self) -> &'static str {
        match self {
            Self::Request => "CONFIRMED",
            Self::Cancel => "CANCELLED",
        }
    }
}

/// An attendee's answer to the invitation (the `PARTSTAT` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartStat {
    /// Not answered yet; the attendee is asked to answer (`RSVP=TRUE`).
    NeedsAction,
    Accepted,
    Declined,
    Tentative,
}

impl PartStat {
    /// The `PARTSTAT` value, e.g. `NEEDS-ACTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NeedsAction => "NEEDS-ACTION",
            Self::Accepted => "ACCEPTED",
            Self::Declined => "DECLINED",
            Self::Tentative => "TENTATIVE",
        }
    }
}

/// Someone named in the invitation: the organiser or an attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Display name (the `CN` parameter).
    pub name: String,
    /// E-mail address; without one the person gets a `urn:samband:person:` address.
    pub email: Option<String>,
}

/// One `ATTENDEE` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub person: Person,
    pub partstat: PartStat,
    /// `ROLE=REQ-PARTICIPANT` when true, `ROLE=OPT-PARTICIPANT` when false.
    pub required: bool,
}

/// Everything one invitation file says about a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Stable for the meeting's whole life, e.g. `"<meeting uuid>@samband.example"`:
    /// clients recognise an update by the UID they already have.
    pub uid: String,
    /// Increased on every change (including cancellation): clients apply a file only if
    /// its SEQUENCE is higher than the one they have.
    pub sequence: u32,
    /// `REQUEST` to add or update, `CANCEL` to remove.
    pub method: Method,
    /// When this version of the invitation was created.
    pub dtstamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    /// Omitted from the file when `None` or blank.
    pub location: Option<String>,
    /// The video link, or a link to the meeting in Samband. Omitted when `None` or blank.
    pub url: Option<String>,
    pub organizer: Person,
    pub attendees: Vec<Attendee>,
}

/// Renders the invitation as a complete iCalendar file: one `VCALENDAR` with one
/// `VEVENT`, CR LF line endings, lines folded at 75 octets. See the module docs for the
/// encoding choices.
pub fn render(e: &CalendarEvent) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line(&format!("PRODID:{PRODID}"));
    out.line("CALSCALE:GREGORIAN");
    out.line(&format!("METHOD:{}", e.method.as_str()));
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", escape_text(&e.uid)));
    out.line(&format!("SEQUENCE:{}", e.sequence));
    out.line(&format!("DTSTAMP:{}", format_utc(e.dtstamp)));
    out.line(&format!("DTSTART:{}", format_utc(e.start)));
    out.line(&format!("DTEND:{}", format_utc(e.end)));
    out.line(&format!("SUMMARY:{}", escape_text(&e.summary)));
    out.line(&format!("DESCRIPTION:{}", escape_text(&e.description)));
    if let Some(location) = non_blank(e.location.as_deref()) {
        out.line(&format!("LOCATION:{}", escape_text(location)));
    }
    if let Some(url) = non_blank(e.url.as_deref()) {
        out.line(&format!("URL:{}", clean_uri(url)));
    }

    let organizer_address = match non_blank(e.organizer.email.as_deref()) {
        Some(email) => mailto(email),
        None => format!("urn:samband:person:{}", slug(&e.organizer.name)),
    };
    out.line(&format!(
        "ORGANIZER{}:{organizer_address}",
        cn_param(&e.organizer.name)
    ));

    let mut used_slugs: Vec<String> = Vec::new();
    for a in &e.attendees {
        let address = match non_blank(a.person.email.as_deref()) {
            Some(email) => mailto(email),
            None => {
                let base = slug(&a.person.name);
                let mut candidate = base.clone();
                let mut n = 2u32;
                while used_slugs.contains(&candidate) {
                    candidate = format!("{base}-{n}");
                    n += 1;
                }
                used_slugs.push(candidate.clone());
                format!("urn:samband:person:{candidate}")
            }
        };
        let role = if a.required {
            "REQ-PARTICIPANT"
        } else {
            "OPT-PARTICIPANT"
        };
        let rsvp = if a.partstat == PartStat::NeedsAction {
            ";RSVP=TRUE"
        } else {
            ""
        };
        out.line(&format!(
            "ATTENDEE{};ROLE={role};PARTSTAT={}{rsvp}:{address}",
            cn_param(&a.person.name),
            a.partstat.as_str()
        ));
    }

    out.line(&format!("STATUS:{}", e.method.status()));
    out.line("END:VEVENT");
    out.line("END:VCALENDAR");
    out.0
}

/// The output being built: each content line folded and ended with CR LF.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, content: &str) {
        fold_into(&mut self.0, content);
    }
}

/// Appends `content` to `out` as one content line, folded so that no physical line is
/// longer than [`MAX_LINE_OCTETS`] octets (a continuation line's leading space counts).
/// Breaks fall only between "atoms": a whole UTF-8 character, or a backslash together
/// with the character it escapes.
fn fold_into(out: &mut String, content: &str) {
    let mut budget = MAX_LINE_OCTETS;
    let mut used = 0;
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        let mut atom_len = c.len_utf8();
        let escaped = if c == '\\' { chars.next() } else { None };
        if let Some(next) = escaped {
            atom_len += next.len_utf8();
        }
        if used + atom_len > budget {
            out.push_str("\r\n ");
            // The continuation line's leading space takes one octet of the next line.
            budget = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        if let Some(next) = escaped {
            out.push(next);
        }
        used += atom_len;
    }
    out.push_str("\r\n");
}

/// `YYYYMMDDTHHMMSSZ` (RFC 5545 3.3.5, form #2: UTC time).
fn format_utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// True for the characters RFC 5545 calls CONTROL (all ASCII controls except HTAB, plus
/// DEL); line breaks are handled before this is asked.
fn is_forbidden_control(c: char) -> bool {
    (c.is_ascii_control() && c != '\t') || c == '\u{7f}'
}

/// Escapes a TEXT value (RFC 5545 3.3.11). CR LF, lone CR and LF become `\n`; other
/// control characters except HTAB are dropped.
pub(crate) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if is_forbidden_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (RFC 5545 3.1 `param-value`) carrying `s` as closely as possible:
/// DQUOTE → `'`, line breaks and tabs → space, other controls dropped, `^` doubled
/// where an RFC 6868 parser would otherwise decode it, and DQUOTEs around the value
/// when it contains `:`, `;` or `,`.
pub(crate) fn param_value(s: &str) -> String {
    let cleaned: Vec<char> = s
        .trim()
        .chars()
        .filter_map(|c| match c {
            '"' => Some('\''),
            '\r' | '\n' | '\t' => Some(' '),
            c if is_forbidden_control(c) => None,
            c => Some(c),
        })
        .collect();
    let mut value = String::with_capacity(cleaned.len() + 2);
    for (i, &c) in cleaned.iter().enumerate() {
        value.push(c);
        if c == '^' && matches!(cleaned.get(i + 1), Some('n' | '^' | '\'')) {
            value.push('^');
        }
    }
    if value.contains([':', ';', ',']) {
        format!("\"{value}\"")
    } else {
        value
    }
}

/// `;CN=<name>`, or nothing for a blank name.
fn cn_param(name: &str) -> String {
    let value = param_value(name);
    if value.is_empty() {
        String::new()
    } else {
        format!(";CN={value}")
    }
}

/// `mailto:` URI for an address (RFC 6068): bytes outside `qchar` (unreserved and
/// `!$'()*+,;:@`) are percent-encoded, so e.g. `%`, `?`, `#` or a space cannot change the
/// URI's meaning.
fn mailto(email: &str) -> String {
    let mut out = String::from("mailto:");
    for b in email.trim().bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A URI value as given, minus surrounding whitespace and any control characters (which
/// no URI contains and which could otherwise break the content line).
fn clean_uri(s: &str) -> String {
    s.trim().chars().filter(|c| !c.is_control()).collect()
}

/// Lower-case ASCII slug of a name for `urn:samband:person:<slug>`: Nordic letters
/// transliterated, every other run of non-alphanumerics one `-`, `person` if empty.
fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'æ' | 'ä' => "ae",
            'ø' | 'ö' => "o",
            'å' | 'á' | 'à' | 'â' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'ü' | 'ú' => "u",
            'ó' | 'ô' => "o",
            'í' | 'ï' => "i",
            _ => "",
        };
        if c.is_ascii_alphanumeric() || !mapped.is_empty() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            if mapped.is_empty() {
                out.push(c);
            } else {
                out.push_str(mapped);
            }
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("person");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn person(name: &str, email: Option<&str>) -> Person {
        Person {
            name: name.into(),
            email: email.map(Into::into),
        }
    }

    fn event() -> CalendarEvent {
        CalendarEvent {
            uid: "0191d2a4-7f00-7000-8000-000000000001@samband.example".into(),
            sequence: 2,
            method: Method::Request,
            dtstamp: at(2025, 3, 1, 8, 0),
            start: at(2025, 3, 10, 9, 30),
            end: at(2025, 3, 10, 10, 15),
            summary: "Samarbeidsmøte, Even; plan".into(),
            description: "Agenda:\n1. Status\n2. Veien videre".into(),
            location: Some("Helsehuset, rom 2".into()),
            url: Some("https://samband.example/meetings/1?x=1;y=2".into()),
            organizer: person("Kari Nordmann", Some("kari@kommune.example")),
            attendees: vec![
                Attendee {
                    person: person("Ola Hansen", Some("ola@kommune.example")),
                    partstat: PartStat::Accepted,
                    required: true,
                },
                Attendee {
                    person: person("Fastlege Dr. Berg: allmenn", Some("berg@lege.example")),
                    partstat: PartStat::NeedsAction,
                    required: true,
                },
                Attendee {
                    person: person("Even", None),
                    partstat: PartStat::Tentative,
                    required: false,
                },
                Attendee {
                    person: person("Sara \"Sassa\" Lund", Some("sara@nav.example")),
                    partstat: PartStat::Declined,
                    required: false,
                },
            ],
        }
    }

    /// Reverses folding: drops every CR LF followed by a space or tab.
    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "").replace("\r\n\t", "")
    }

    /// Reverses [`escape_text`].
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => panic!("dangling backslash in {s:?}"),
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The unfolded content lines of a rendered file.
    fn content_lines(ics: &str) -> Vec<String> {
        let unfolded = unfold(ics);
        let body = unfolded.strip_suffix("\r\n").expect("ends with CRLF");
        body.split("\r\n").map(str::to_owned).collect()
    }

    fn value_of(ics: &str, name: &str) -> Vec<String> {
        content_lines(ics)
            .into_iter()
            .filter_map(|l| {
                let rest = l.strip_prefix(name)?;
                if rest.starts_with(':') || rest.starts_with(';') {
                    Some(l.clone())
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn renders_the_whole_file() {
        let ics = render(&event());
        let expected = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//Samband//Samband//EN\r\n\
CALSCALE:GREGORIAN\r\n\
METHOD:REQUEST\r\n\
BEGIN:VEVENT\r\n\
UID:0191d2a4-7f00-7000-8000-000000000001@samband.example\r\n\
SEQUENCE:2\r\n\
DTSTAMP:20250301T080000Z\r\n\
DTSTART:20250310T093000Z\r\n\
DTEND:20250310T101500Z\r\n\
SUMMARY:Samarbeidsmøte\\, Even\\; plan\r\n\
DESCRIPTION:Agenda:\\n1. Status\\n2. Veien videre\r\n\
LOCATION:Helsehuset\\, rom 2\r\n\
URL:https://samband.example/meetings/1?x=1;y=2\r\n\
ORGANIZER;CN=Kari Nordmann:mailto:kari@kommune.example\r\n\
ATTENDEE;CN=Ola Hansen;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:ola@ko\r\n \
mmune.example\r\n\
ATTENDEE;CN=\"Fastlege Dr. Berg: allmenn\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEED\r\n \
S-ACTION;RSVP=TRUE:mailto:berg@lege.example\r\n\
ATTENDEE;CN=Even;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:urn:samband:person\r\n \
:even\r\n\
ATTENDEE;CN=Sara 'Sassa' Lund;ROLE=OPT-PARTICIPANT;PARTSTAT=DECLINED:mailto\r\n \
:sara@nav.example\r\n\
STATUS:CONFIRMED\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";
        assert_eq!(ics, expected);
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(render(&event()), render(&event()));
    }

    #[test]
    fn escapes_text_values() {
        assert_eq!(escape_text(r"a\b"), r"a\\b");
        assert_eq!(escape_text("a;b,c"), r"a\;b\,c");
        assert_eq!(escape_text("a\nb\r\nc\rd"), r"a\nb\nc\nd");
        assert_eq!(escape_text("tab\there"), "tab\there");
        assert_eq!(escape_text("bell\u{7}del\u{7f}nul\0"), "belldelnul");
        assert_eq!(escape_text("kolon: \"sitat\" æøå"), "kolon: \"sitat\" æøå");

        let mut e = event();
        e.summary = "Møte; plan, \\ status\nneste".into();
        e.uid = "a,b;c@samband.example".into();
        let ics = render(&e);
        assert_eq!(
            value_of(&ics, "SUMMARY"),
            [r"SUMMARY:Møte\; plan\, \\ status\nneste"]
        );
        assert_eq!(value_of(&ics, "UID"), [r"UID:a\,b\;c@samband.example"]);
        let summary = &value_of(&ics, "SUMMARY")[0]["SUMMARY:".len()..];
        assert_eq!(unescape(summary), e.summary);
    }

    #[test]
    fn quotes_and_cleans_parameter_values() {
        assert_eq!(param_value("Kari Nordmann"), "Kari Nordmann");
        assert_eq!(param_value("Berg, Kari"), "\"Berg, Kari\"");
        assert_eq!(param_value("Dr; A"), "\"Dr; A\"");
        assert_eq!(param_value("Dr: A"), "\"Dr: A\"");
        assert_eq!(param_value("Sara \"Sassa\" Lund"), "Sara 'Sassa' Lund");
        assert_eq!(param_value("\"Berg, K\""), "\"'Berg, K'\"");
        assert_eq!(
            param_value("two\nlines\r\nhere\ttab"),
            "two lines  here tab"
        );
        assert_eq!(param_value("a^b ^n ^^ ^' end^"), "a^b ^^n ^^^ ^^' end^");
        assert_eq!(param_value("quote^\"x"), "quote^^'x");
        let mut e = event();
        e.organizer.name = "Nordmann, Kari \"KN\"".into();
        let ics = render(&e);
        assert_eq!(
            value_of(&ics, "ORGANIZER"),
            ["ORGANIZER;CN=\"Nordmann, Kari 'KN'\":mailto:kari@kommune.example"]
        );
        e.organizer.name = "  ".into();
        assert_eq!(
            value_of(&render(&e), "ORGANIZER"),
            ["ORGANIZER:mailto:kari@kommune.example"]
        );
    }

    #[test]
    fn folds_long_norwegian_lines_without_splitting_characters() {
        let unit = "Blåbærsyltetøy på ærfuglens øy, ";
        let mut summary = String::new();
        while summary.chars().count() < 300 {
            summary.push_str(unit);
        }
        let summary: String = summary.chars().take(300).collect();
        assert_eq!(summary.chars().count(), 300);

        let mut e = event();
        e.summary = summary.clone();
        let ics = render(&e);

        // `ics` is a `String`, so no character was split; check every physical line.
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        let summary_lines: Vec<&str> = ics
            .split("\r\n")
            .skip_while(|l| !l.starts_with("SUMMARY:"))
            .take_while(|l| l.starts_with("SUMMARY:") || l.starts_with(' '))
            .collect();
        assert!(summary_lines.len() > 4, "{summary_lines:?}");
        // Folding uses the room it has: only the last piece may be much shorter.
        for l in &summary_lines[..summary_lines.len() - 1] {
            assert!(l.len() >= 72, "{} octets: {l:?}", l.len());
        }

        let value = &value_of(&ics, "SUMMARY")[0]["SUMMARY:".len()..];
        assert_eq!(unescape(value), summary);
    }

    #[test]
    fn folding_respects_multibyte_characters_at_the_boundary() {
        for prefix in 0..8 {
            for ch in ['æ', '€', '𝄞'] {
                let content: String = "x"
                    .repeat(70 + prefix)
                    .chars()
                    .chain(std::iter::repeat_n(ch, 60))
                    .collect();
                let mut out = String::new();
                fold_into(&mut out, &content);
                for line in out.strip_suffix("\r\n").unwrap().split("\r\n") {
                    assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
                }
                assert_eq!(unfold(&out), format!("{content}\r\n"));
            }
        }
    }

    #[test]
    fn folding_keeps_backslash_escapes_together() {
        let content = format!("SUMMARY:{}", r"\,".repeat(60));
        let mut out = String::new();
        fold_into(&mut out, &content);
        for line in out.strip_suffix("\r\n").unwrap().split("\r\n") {
            assert!(line.len() <= 75);
            let body = line.strip_prefix(' ').unwrap_or(line);
            assert!(!body.ends_with('\\') || body.ends_with("\\\\"), "{line:?}");
            assert!(!body.starts_with(','), "{line:?}");
        }
        assert_eq!(unfold(&out), format!("{content}\r\n"));
        // Exactly 75 octets stays on one line.
        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(76));
        assert_eq!(out, format!("{}\r\n a\r\n", "a".repeat(75)));
    }

    #[test]
    fn every_line_ends_with_crlf() {
        let mut e = event();
        e.description = "line one\nline two\r\nline three\rline four".into();
        e.summary = "x".repeat(200);
        let ics = render(&e);
        assert!(ics.ends_with("\r\n"));
        let bytes = ics.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at {i}");
            }
            if b == b'\r' {
                assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at {i}");
            }
        }
        assert!(!ics.contains("\r\n\r\n"), "no empty lines");
    }

    #[test]
    fn cancel_has_method_cancel_and_status_cancelled() {
        let mut e = event();
        e.method = Method::Cancel;
        e.sequence = 3;
        let ics = render(&e);
        let lines = content_lines(&ics);
        assert!(lines.contains(&"METHOD:CANCEL".to_owned()));
        assert!(lines.contains(&"STATUS:CANCELLED".to_owned()));
        assert!(lines.contains(&"SEQUENCE:3".to_owned()));
        assert!(!ics.contains("METHOD:REQUEST"));
        assert!(!ics.contains("STATUS:CONFIRMED"));
        // Same UID as the request it cancels.
        assert_eq!(value_of(&ics, "UID"), value_of(&render(&event()), "UID"));

        let request = content_lines(&render(&event()));
        assert!(request.contains(&"METHOD:REQUEST".to_owned()));
        assert!(request.contains(&"STATUS:CONFIRMED".to_owned()));
    }

    #[test]
    fn attendees_have_partstat_role_and_rsvp() {
        let ics = render(&event());
        assert_eq!(
            value_of(&ics, "ATTENDEE"),
            [
                "ATTENDEE;CN=Ola Hansen;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:ola@kommune.example",
                "ATTENDEE;CN=\"Fastlege Dr. Berg: allmenn\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:berg@lege.example",
                "ATTENDEE;CN=Even;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:urn:samband:person:even",
                "ATTENDEE;CN=Sara 'Sassa' Lund;ROLE=OPT-PARTICIPANT;PARTSTAT=DECLINED:mailto:sara@nav.example",
            ]
        );
        let mut e = event();
        e.attendees.clear();
        let ics = render(&e);
        assert!(value_of(&ics, "ATTENDEE").is_empty());
    }

    #[test]
    fn people_without_email_get_stable_distinct_urns() {
        let mut e = event();
        e.organizer = person("Kåre Ødegård-Æsøy", None);
        e.attendees = vec![
            Attendee {
                person: person("Kåre Ødegård-Æsøy", Some("   ")),
                partstat: PartStat::Accepted,
                required: true,
            },
            Attendee {
                person: person("Kåre  Ødegård Æsøy", None),
                partstat: PartStat::NeedsAction,
                required: true,
            },
            Attendee {
                person: person("李雷", None),
                partstat: PartStat::NeedsAction,
                required: false,
            },
        ];
        let ics = render(&e);
        let addresses: Vec<String> = value_of(&ics, "ORGANIZER")
            .into_iter()
            .chain(value_of(&ics, "ATTENDEE"))
            .map(|l| l[l.find(":urn:").unwrap() + 1..].to_owned())
            .collect();
        assert_eq!(
            addresses,
            [
                "urn:samband:person:kare-odegard-aesoy",
                "urn:samband:person:kare-odegard-aesoy",
                "urn:samband:person:kare-odegard-aesoy-2",
                "urn:samband:person:person",
            ]
        );
    }

    #[test]
    fn mailto_percent_encodes_what_is_not_qchar() {
        assert_eq!(
            mailto(" kari@kommune.example "),
            "mailto:kari@kommune.example"
        );
        assert_eq!(mailto("a+b.c_d@x.example"), "mailto:a+b.c_d@x.example");
        assert_eq!(mailto("a%b?c#d e@x"), "mailto:a%25b%3Fc%23d%20e@x");
        assert_eq!(mailto("ø@x"), "mailto:%C3%B8@x");
    }

    #[test]
    fn blank_location_and_url_are_left_out() {
        let mut e = event();
        e.location = Some("  ".into());
        e.url = None;
        let ics = render(&e);
        assert!(value_of(&ics, "LOCATION").is_empty());
        assert!(value_of(&ics, "URL").is_empty());
        e.url = Some(" https://video.example/r/1\r\n ".into());
        assert_eq!(
            value_of(&render(&e), "URL"),
            ["URL:https://video.example/r/1"]
        );
    }
}
