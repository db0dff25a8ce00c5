//! CloudWatch Logs log groups as the rules see them: everything comes with the listing.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogGroup {
    pub name: String,
    /// Absent when events never expire (the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<i64>,
    /// The KMS key encrypting the group; absent when CloudWatch Logs' own encryption
    /// is all there is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "log group name"),
    Field::listed(
        "retention_in_days",
        Type::Int,
        "days events are kept; not set when they never expire",
    ),
    Field::listed(
        "kms_key_id",
        Type::String,
        "ARN of the KMS key encrypting the group",
    ),
];
