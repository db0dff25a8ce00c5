//! IAM Access Analyzer in one region: its analyzers, with their type and status. One
//! resource per region, named after it (an analyzer only sees its own region).

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegionSettings {
    pub analyzers: Vec<Analyzer>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Analyzer {
    pub name: String,
    /// ACCOUNT or ORGANIZATION (external access), ACCOUNT_UNUSED_ACCESS, …
    #[serde(rename = "type")]
    pub analyzer_type: String,
    /// ACTIVE, CREATING, DISABLED or FAILED.
    pub status: String,
}

const ANALYZER: &[Field] = &[
    Field::listed("name", Type::String, "analyzer name"),
    Field::listed(
        "type",
        Type::String,
        "ACCOUNT or ORGANIZATION (external access), *_UNUSED_ACCESS, *_INTERNAL_ACCESS",
    ),
    Field::listed(
        "status",
        Type::String,
        "ACTIVE, CREATING, DISABLED or FAILED",
    ),
];

pub const SCHEMA: &[Field] = &[Field::listed(
    "analyzers",
    Type::List(ANALYZER),
    "the region's analyzers, of every type",
)];
