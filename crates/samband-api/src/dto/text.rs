//! Schemas for the text the API takes, with the bounds the domain's parsers enforce
//! (`samband_domain::text`): a maximum length in characters, no control characters
//! other than line breaks and tabs, and for a required field at least one character
//! that is not white space. Schema-only types, named by `#[schema(value_type = …)]`.

use samband_domain::message::BODY_MAX;
use samband_domain::text::{LONG, PLANNING_YEARS, SHORT};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr};

/// Characters `char::is_control` refuses, less the line breaks and tab it allows.
const CONTROL: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";
/// What `str::trim` removes (Unicode `White_Space`), spelled out: a regex's `\s`
/// differs between engines.
const SPACE: &str =
    r"\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The text the parsers accept, exactly: surrounding white space (trimmed away), then
/// `min` to `max` characters that begin and end with something visible and hold no
/// control characters (`min` 0: blank is allowed and means none). Lengths are counted
/// after trimming, so there is no `maxLength` (it would count the white space too).
pub(crate) fn pattern(min: usize, max: usize) -> String {
    let visible = format!("[^{SPACE}{CONTROL}]");
    let word = if min >= 2 {
        format!(
            "{visible}[^{CONTROL}]{{{},{}}}{visible}",
            min - 2,
            max.saturating_sub(2)
        )
    } else {
        format!(
            "{visible}(?:[^{CONTROL}]{{0,{}}}{visible})?",
            max.saturating_sub(2)
        )
    };
    if min == 0 {
        format!("^[{SPACE}]*(?:{word})?[{SPACE}]*$")
    } else {
        format!("^[{SPACE}]*{word}[{SPACE}]*$")
    }
}

fn text(min: usize, max: usize, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(pattern(min, max)))
        .description(Some(description))
        .into()
}

macro_rules! text {
    ($name:ident, $min:expr, $max:expr, $description:expr) => {
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                text($min, $max, &$description)
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

text!(
    Short,
    1,
    SHORT,
    format!("Required, at most {SHORT} characters, not blank")
);
text!(
    ShortOptional,
    0,
    SHORT,
    format!("At most {SHORT} characters; blank means none")
);
text!(
    Long,
    1,
    LONG,
    format!("Required, at most {LONG} characters, not blank")
);
text!(
    LongOptional,
    0,
    LONG,
    format!("At most {LONG} characters; blank means none")
);
text!(
    Body,
    1,
    BODY_MAX,
    format!("Required, at most {BODY_MAX} characters, not blank")
);
text!(
    BodyOptional,
    0,
    BODY_MAX,
    format!("At most {BODY_MAX} characters; blank means none")
);

text!(
    TokenName,
    1,
    100,
    "Required, at most 100 characters, not blank"
);
text!(
    EmergencyReasonText,
    10,
    LONG,
    format!("What the situation is: 10 to {LONG} characters")
);

fn plain(
    pattern: String,
    min: Option<usize>,
    max: Option<usize>,
    description: &str,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(pattern))
        .min_length(min)
        .max_length(max)
        .description(Some(description))
        .into()
}

macro_rules! plain {
    ($name:ident, $pattern:expr, $min:expr, $max:expr, $description:literal) => {
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                plain($pattern, $min, $max, $description)
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

// `samband_domain::text::phone`: digits and spaces, an optional leading `+`, 5–15
// digits, at most 20 characters once trimmed; blank means none.
plain!(
    Phone,
    format!("^[{SPACE}]*(?:\\+?(?: *[0-9]){{5,15}})?[{SPACE}]*$"),
    None,
    None,
    "A phone number: digits and spaces, optionally starting with +; blank means none"
);
// `samband_domain::text::email`, in printable ASCII (its limit counts bytes).
plain!(
    Email,
    format!("^[{SPACE}]*(?:[!-?A-~]+@[!-\\-/-?A-~][!-?A-~]*\\.[!-?A-~]*[!-\\-/-?A-~])?[{SPACE}]*$"),
    None,
    Some(254),
    "An e-mail address; blank means none"
);
// The account rule in `samband_app::auth`.
plain!(
    Username,
    format!("^[{SPACE}]*[A-Za-z0-9._@-]{{2,64}}[{SPACE}]*$"),
    None,
    None,
    "2–64 characters: letters, digits, . - _ @"
);
plain!(
    NewPassword,
    "^[\\s\\S]*$".to_owned(),
    Some(samband_app::auth::MIN_PASSWORD_LEN),
    Some(1024),
    "At least 12 characters, and not the username or the name"
);

text!(
    Minutes,
    0,
    BODY_MAX,
    format!("At most {BODY_MAX} characters; blank clears them")
);

// `samband_domain::meeting`'s link rule: a web address without white space.
plain!(
    VideoLink,
    format!("^[{SPACE}]*(?:https?://[!-~]{{0,992}})?[{SPACE}]*$"),
    None,
    None,
    "A web address starting with https:// (or http://), at most 1000 characters; blank means none"
);
// chrono's `%Y-%m-%dT%H:%M` (or with `:%S`) after trimming; it takes one-digit fields.
plain!(
    LocalDateTime,
    format!(
        "^[{SPACE}]*[0-9]{{4}}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])T(?:[01]?[0-9]|2[0-3]):[0-5]?[0-9](?::[0-5]?[0-9])?[{SPACE}]*$"
    ),
    None,
    None,
    "Local date and time, YYYY-MM-DDTHH:MM, not in the past and within the planning window"
);
plain!(
    LocalTime,
    format!("^[{SPACE}]*(?:[01]?[0-9]|2[0-3]):[0-5]?[0-9][{SPACE}]*$"),
    None,
    None,
    "Local time, HH:MM, within the meeting"
);

// Standard base64 with padding, not empty, as `decode_uploads` reads it (trimmed).
plain!(
    Base64File,
    format!(
        "^[{SPACE}]*(?:[A-Za-z0-9+/]{{4}})*(?:[A-Za-z0-9+/]{{4}}|[A-Za-z0-9+/]{{2}}==|[A-Za-z0-9+/]{{3}}=)[{SPACE}]*$"
    ),
    None,
    None,
    "The file's bytes in standard base64 (with padding)"
);

fn date(description: String) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .description(Some(description))
        .into()
}

/// A date of care (membership, consent period, meeting, due date): the bounds are
/// `samband_domain::text::DateWindow::planning`.
pub struct PlanningDate;
impl utoipa::PartialSchema for PlanningDate {
    fn schema() -> RefOr<Schema> {
        date(format!(
            "YYYY-MM-DD, within {PLANNING_YEARS} years before or after today"
        ))
    }
}
impl utoipa::ToSchema for PlanningDate {}

/// `samband_domain::text::DateWindow::birth`.
pub struct BirthDate;
impl utoipa::PartialSchema for BirthDate {
    fn schema() -> RefOr<Schema> {
        date("YYYY-MM-DD, from 1900-01-01 up to today".into())
    }
}
impl utoipa::ToSchema for BirthDate {}
