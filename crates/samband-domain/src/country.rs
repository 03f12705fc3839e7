//! The country a patient lives in, and the emergency numbers that follow from it. What
//! a patient is told to call in a crisis must follow where they are, never the language
//! they read in: a Danish patient reading English is still in Denmark.

use crate::string_enum;

string_enum!(
    /// A country Samband serves.
    Country {
        Norway = "NO",
        Denmark = "DK",
    }
);

/// What an emergency number is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyService {
    /// Ambulance: when life or health is in danger (Norway's 113).
    Medical,
    Police,
    Fire,
    /// One number for ambulance, fire and police (Denmark's 112).
    AllEmergencies,
    /// The out-of-hours doctor (Norway's legevakt, 116 117).
    OutOfHoursDoctor,
    /// The Capital Region of Denmark's medical helpline (1813); other Danish regions
    /// have their own out-of-hours numbers.
    MedicalHelplineCapitalRegion,
}

impl EmergencyService {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Medical => "medical",
            Self::Police => "police",
            Self::Fire => "fire",
            Self::AllEmergencies => "all_emergencies",
            Self::OutOfHoursDoctor => "out_of_hours_doctor",
            Self::MedicalHelplineCapitalRegion => "medical_helpline_capital_region",
        }
    }
}

/// One number to call, for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EmergencyNumber {
    pub service: EmergencyService,
    /// As it is dialled (digits only).
    pub number: &'static str,
    /// As it is written ("116 117").
    pub display: &'static str,
}

const fn n(
    service: EmergencyService,
    number: &'static str,
    display: &'static str,
) -> EmergencyNumber {
    EmergencyNumber {
        service,
        number,
        display,
    }
}

const NORWAY: &[EmergencyNumber] = &[
    n(EmergencyService::Medical, "113", "113"),
    n(EmergencyService::Police, "112", "112"),
    n(EmergencyService::Fire, "110", "110"),
    n(EmergencyService::OutOfHoursDoctor, "116117", "116 117"),
];

const DENMARK: &[EmergencyNumber] = &[
    n(EmergencyService::AllEmergencies, "112", "112"),
    n(
        EmergencyService::MedicalHelplineCapitalRegion,
        "1813",
        "1813",
    ),
];

impl Country {
    /// The number to call when someone's life or health is in danger: the first of
    /// [`Self::emergency_numbers`].
    pub fn medical_emergency(&self) -> EmergencyNumber {
        self.emergency_numbers()[0]
    }

    /// Every number a crisis page shows, the medical emergency first.
    pub fn emergency_numbers(&self) -> &'static [EmergencyNumber] {
        match self {
            Country::Norway => NORWAY,
            Country::Denmark => DENMARK,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_medical_emergency_number_follows_the_country() {
        assert_eq!(Country::Norway.medical_emergency().number, "113");
        assert_eq!(
            Country::Norway.medical_emergency().service,
            EmergencyService::Medical
        );
        assert_eq!(Country::Denmark.medical_emergency().number, "112");
        assert_eq!(
            Country::Denmark.medical_emergency().service,
            EmergencyService::AllEmergencies
        );
    }

    #[test]
    fn no_country_lists_another_countrys_medical_number() {
        let dk: Vec<&str> = Country::Denmark
            .emergency_numbers()
            .iter()
            .map(|e| e.number)
            .collect();
        assert!(!dk.contains(&"113"), "{dk:?}");
        let no: Vec<&str> = Country::Norway
            .emergency_numbers()
            .iter()
            .map(|e| e.number)
            .collect();
        assert_eq!(no, ["113", "112", "110", "116117"]);
        assert!(!no.contains(&"1813"));
    }

    #[test]
    fn parses_the_stored_spelling() {
        assert_eq!(Country::parse("country", "DK").ok(), Some(Country::Denmark));
        assert_eq!(Country::parse("country", "NO").ok(), Some(Country::Norway));
        assert!(Country::parse("country", "SE").is_err());
    }
}
