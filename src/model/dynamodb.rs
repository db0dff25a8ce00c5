//! DynamoDB tables as the rules see them. DescribeTable answers deletion protection;
//! point-in-time recovery and tags cost a call each, made only when a rule reads them.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Table {
    pub table_name: String,
    /// `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`, `ARCHIVED`, …
    pub status: String,
    /// `PAY_PER_REQUEST` (on demand) or `PROVISIONED`.
    pub billing_mode: String,
    pub deletion_protection: bool,
    /// Point-in-time recovery: `ENABLED` or `DISABLED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_in_time_recovery: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

pub const SCHEMA: &[Field] = &[
    Field::listed("table_name", Type::String, "table name"),
    Field::listed(
        "status",
        Type::String,
        "ACTIVE, CREATING, UPDATING, DELETING, ARCHIVED, …",
    ),
    Field::listed(
        "billing_mode",
        Type::String,
        "PAY_PER_REQUEST (on demand) or PROVISIONED",
    ),
    Field::listed(
        "deletion_protection",
        Type::Bool,
        "deletion refused until turned off",
    ),
    Field::called(
        "point_in_time_recovery",
        Type::String,
        "DescribeContinuousBackups",
        "point-in-time recovery: ENABLED or DISABLED",
    ),
    Field::called("tags", Type::Map, "ListTagsOfResource", "table tags"),
];
