//! The pathway templates Samband ships, compiled into the binary. An administrator
//! clones one to adapt it; the shipped versions themselves never change in place.

use super::template::PathwayTemplate;
use crate::ValidationErrors;

/// File name and source of every shipped template (`crates/samband-domain/pathways`).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "chronic_fatigue_pain.toml",
        include_str!("../../pathways/chronic_fatigue_pain.toml"),
    ),
    (
        "cancer_home.toml",
        include_str!("../../pathways/cancer_home.toml"),
    ),
    (
        "depression_discharge.toml",
        include_str!("../../pathways/depression_discharge.toml"),
    ),
    (
        "smi_municipal.toml",
        include_str!("../../pathways/smi_municipal.toml"),
    ),
    (
        "sick_leave_follow_up.toml",
        include_str!("../../pathways/sick_leave_follow_up.toml"),
    ),
];

/// Every shipped template, validated. An error names the file and each bad field; the
/// server refuses to start on one, since a broken shipped template is a build defect.
pub fn shipped() -> Result<Vec<PathwayTemplate>, (String, ValidationErrors)> {
    SHIPPED
        .iter()
        .map(|(name, src)| {
            PathwayTemplate::from_toml("template", src).map_err(|e| ((*name).to_owned(), e))
        })
        .collect()
}
