//! Professionals: the people in organisations who sit on care teams, with the direct
//! contact details and availability the patient and colleagues need.

use crate::ids::{OrganisationId, ProfessionalId};
use crate::text::{self, LONG, SHORT};
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Professional {
    pub id: ProfessionalId,
    pub name: String,
    /// Title or profession ("GP", "Psychiatric nurse", "NAV supervisor").
    pub title: String,
    pub organisation_ids: Vec<OrganisationId>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Free text: "Mon–Thu 08–15, answers messages within a day".
    pub availability: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewProfessional {
    pub name: String,
    pub title: String,
    pub organisation_ids: Vec<OrganisationId>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub availability: Option<String>,
}

impl NewProfessional {
    pub fn parse(
        name: &str,
        title: &str,
        organisation_ids: Vec<OrganisationId>,
        phone: Option<&str>,
        email: Option<&str>,
        availability: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.take(text::required("name", name, SHORT));
        let title = e.take(text::required("title", title, SHORT));
        let phone = e.take(text::phone("phone", phone)).flatten();
        let email = e.take(text::email("email", email)).flatten();
        let availability = e
            .take(text::optional("availability", availability, LONG))
            .flatten();
        if organisation_ids.is_empty() {
            e.add(
                "organisation_ids",
                "required",
                "a professional belongs to at least one organisation",
            );
        }
        match (name, title) {
            (Some(name), Some(title)) if e.is_empty() => Ok(Self {
                name,
                title,
                organisation_ids,
                phone,
                email,
                availability,
            }),
            _ => Err(e),
        }
    }
}
