//! Who is asking: the authenticated principal every use case receives. Built by the
//! web layer from a session or bearer token; decided upon only by the access policy.

use crate::ids::{AccountId, PatientId, ProfessionalId};
use crate::string_enum;
use serde::{Deserialize, Serialize};

string_enum!(
    AccountRole {
        Professional = "professional",
        Patient = "patient",
        Proxy = "proxy",
        Admin = "admin",
    }
);

/// What a bearer token may do. Sessions carry both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes {
    pub read: bool,
    pub write: bool,
}

impl Scopes {
    pub const ALL: Scopes = Scopes {
        read: true,
        write: true,
    };

    pub fn parse(raw: &str) -> Option<Scopes> {
        let mut s = Scopes {
            read: false,
            write: false,
        };
        for part in raw.split([' ', ',']).filter(|p| !p.is_empty()) {
            match part {
                "read" => s.read = true,
                "write" => s.write = true,
                _ => return None,
            }
        }
        (s.read || s.write).then_some(s)
    }

    pub fn as_string(&self) -> String {
        match (self.read, self.write) {
            (true, true) => "read write".into(),
            (true, false) => "read".into(),
            (false, true) => "write".into(),
            (false, false) => String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Professional(ProfessionalId),
    Patient(PatientId),
    /// Someone the patient named to act for them; `may_consent` if authorised to change
    /// the patient's consent.
    Proxy {
        patient: PatientId,
        may_consent: bool,
    },
    Admin,
}

impl Subject {
    /// The patient whose own record this principal reads (the patient or their proxy).
    pub fn own_patient(&self) -> Option<PatientId> {
        match self {
            Subject::Patient(p) | Subject::Proxy { patient: p, .. } => Some(*p),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub account_id: AccountId,
    pub display_name: String,
    pub subject: Subject,
    pub scopes: Scopes,
    pub locale: Option<String>,
}
