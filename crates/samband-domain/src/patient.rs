//! Patients (service users). The national identifier is an attribute, never the key:
//! people change numbers (D-number → fødselsnummer) and some have none.

use crate::ids::PatientId;
use crate::national_id::NationalId;
use crate::string_enum;
use crate::text::{self, SHORT};
use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

string_enum!(
    /// How the patient prefers to be reached.
    ContactChannel {
        InApp = "in_app",
        Sms = "sms",
        Phone = "phone",
        Email = "email",
        Letter = "letter",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub name: String,
    pub birth_date: NaiveDate,
    pub national_id: Option<NationalId>,
    pub preferred_contact: ContactChannel,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewPatient {
    pub name: String,
    pub birth_date: NaiveDate,
    pub national_id: Option<NationalId>,
    pub preferred_contact: ContactChannel,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub struct PatientInput<'a> {
    pub name: &'a str,
    pub birth_date: &'a str,
    pub national_id_country: Option<&'a str>,
    pub national_id: Option<&'a str>,
    pub preferred_contact: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

impl NewPatient {
    pub fn parse(input: PatientInput<'_>, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.take(text::required("name", input.name, SHORT));
        let birth_date = e.take(text::date(
            "birth_date",
            input.birth_date,
            text::DateWindow::birth(today),
        ));
        let national_id = match input.national_id.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => match NationalId::parse(input.national_id_country.unwrap_or("NO"), raw) {
                Ok(id) => Some(id),
                Err(err) => {
                    e.add("national_id", "bad_national_id", err.to_string());
                    None
                }
            },
        };
        if let (Some(id), Some(bd)) = (&national_id, birth_date) {
            if id.birth_date != bd {
                e.add(
                    "birth_date",
                    "mismatch_national_id",
                    "does not match the birth date in the national identifier",
                );
            }
        }
        let preferred_contact = e.take(ContactChannel::parse(
            "preferred_contact",
            input.preferred_contact,
        ));
        let phone = e.take(text::phone("phone", input.phone)).flatten();
        let email = e.take(text::email("email", input.email)).flatten();
        if preferred_contact == Some(ContactChannel::Sms)
            && phone.is_none()
            && e.for_field("phone").is_none()
        {
            e.add(
                "phone",
                "required",
                "a phone number is needed to be reached by text message",
            );
        }
        if preferred_contact == Some(ContactChannel::Email)
            && email.is_none()
            && e.for_field("email").is_none()
        {
            e.add(
                "email",
                "required",
                "an e-mail address is needed to be reached by e-mail",
            );
        }
        match (name, birth_date, preferred_contact) {
            (Some(name), Some(birth_date), Some(preferred_contact)) if e.is_empty() => Ok(Self {
                name,
                birth_date,
                national_id,
                preferred_contact,
                phone,
                email,
            }),
            _ => Err(e),
        }
    }
}
