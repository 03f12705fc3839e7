//! Organisations and the sector each belongs to. Sector matters to the access policy
//! (health vs. non-health recipients) and to how actions are grouped in the plan.

use crate::country::Country;
use crate::ids::OrganisationId;
use crate::text::{self, SHORT};
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Declares a string-backed enum with `as_str`, `parse` and `ALL`, so storage, forms and
/// the API share one spelling of every value.
#[macro_export]
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }
            /// Parses the stored/wire spelling; the error names the allowed values.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::ValidationErrors> {
                match raw.trim() {
                    $($s => Ok($name::$variant),)*
                    _ => Err($crate::ValidationErrors::single(
                        field,
                        "bad_choice",
                        format!("must be one of: {}", [$($s),*].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// The sector an organisation (and the actions it owns) belongs to.
    Sector {
        Specialist = "specialist_health",
        Primary = "primary_care",
        Municipal = "municipal_care",
        SocialSecurity = "social_security",
        Other = "other",
    }
);

impl Sector {
    /// Health sectors share care information under the duty of confidentiality's
    /// cooperation exception; the others need the patient's explicit consent.
    pub fn is_health(&self) -> bool {
        matches!(
            self,
            Sector::Specialist | Sector::Primary | Sector::Municipal
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub sector: Sector,
    /// Where it works; a patient without a national identifier is taken to live where
    /// their team works (emergency numbers follow it). `None`: not stated.
    pub country: Option<Country>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    pub sector: Sector,
    pub country: Option<Country>,
}

impl NewOrganisation {
    /// `country` is `NO`, `DK`, or blank for not stated.
    pub fn parse(
        name: &str,
        sector: &str,
        country: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.take(text::required("name", name, SHORT));
        let sector = errs.take(Sector::parse("sector", sector));
        let country = match country.map(str::trim).filter(|c| !c.is_empty()) {
            None => Some(None),
            Some(c) => errs.take(Country::parse("country", c)).map(Some),
        };
        match (name, sector, country) {
            (Some(name), Some(sector), Some(country)) if errs.is_empty() => Ok(Self {
                name,
                sector,
                country,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_is_optional_but_must_be_known() {
        let o = NewOrganisation::parse("Lægehuset", "primary_care", Some("DK")).expect("valid");
        assert_eq!(o.country, Some(Country::Denmark));
        let o = NewOrganisation::parse("Legesenter", "primary_care", Some(" ")).expect("valid");
        assert_eq!(o.country, None);
        let e = NewOrganisation::parse("Vårdcentral", "primary_care", Some("SE"))
            .expect_err("unknown country");
        assert!(e.for_field("country").is_some());
    }
}
