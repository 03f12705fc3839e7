//! What a sender gives: a new thread or a reply, with attachments (the form's
//! multipart or the API's base64 JSON).

use crate::AppError;
use samband_domain::ValidationErrors;
use serde::Deserialize;

/// A file sent with a message (the API decodes base64, the form reads multipart).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub data: Vec<u8>,
}

/// A new thread: addressees are `team`, `role:<role>`, `member:<member id>` or
/// `patient`. A patient writing leaves them empty to reach the whole team.
#[derive(Debug, Clone, Default)]
pub struct ComposeInput {
    pub subject: String,
    pub body: String,
    pub category: Option<String>,
    pub to: Vec<String>,
    pub needs_ack: bool,
    pub urgent: bool,
    pub attachments: Vec<Upload>,
}

#[derive(Debug, Clone, Default)]
pub struct ReplyInput {
    pub body: String,
    pub needs_ack: bool,
    pub urgent: bool,
    pub attachments: Vec<Upload>,
}

/// Raw JSON for a new thread through the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComposeJson {
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub needs_ack: bool,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub attachments: Vec<UploadJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyJson {
    pub body: String,
    #[serde(default)]
    pub needs_ack: bool,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub attachments: Vec<UploadJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadJson {
    pub file_name: String,
    pub content_base64: String,
}

/// Decodes API uploads; a bad encoding is a field error.
pub fn decode_uploads(items: &[UploadJson]) -> Result<Vec<Upload>, AppError> {
    use base64::Engine;
    let mut e = ValidationErrors::new();
    let mut out = Vec::new();
    for (i, u) in items.iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(u.content_base64.trim()) {
            Ok(data) => out.push(Upload {
                file_name: u.file_name.clone(),
                data,
            }),
            Err(_) => e.add(
                &format!("attachments[{i}].content_base64"),
                "bad_base64",
                "must be base64",
            ),
        }
    }
    e.into_result()?;
    Ok(out)
}
