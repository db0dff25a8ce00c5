//! GuardDuty in one region: its detector, if any, and whether it is enabled. One
//! resource per region, named after it.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegionSettings {
    pub detectors: Vec<Detector>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Detector {
    pub detector_id: String,
    /// ENABLED or DISABLED.
    pub status: String,
}

const DETECTOR: &[Field] = &[
    Field::listed("detector_id", Type::String, "detector id"),
    Field::listed("status", Type::String, "ENABLED or DISABLED"),
];

pub const SCHEMA: &[Field] = &[Field::listed(
    "detectors",
    Type::List(DETECTOR),
    "the region's detectors (at most one)",
)];
