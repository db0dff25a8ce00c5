//! Security Hub in one region: whether the account is subscribed. One resource per
//! region, named after it.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegionSettings {
    pub enabled: bool,
    /// The hub's ARN when enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_arn: Option<String>,
}

pub const SCHEMA: &[Field] = &[
    Field::listed(
        "enabled",
        Type::Bool,
        "the account is subscribed to Security Hub here",
    ),
    Field::listed("hub_arn", Type::String, "the hub's ARN when enabled"),
];
