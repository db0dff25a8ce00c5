//! DynamoDB tables as the rules see them. DescribeTable answers deletion protection and
//! the encryption key; point-in-time recovery and tags cost a call each, who manages the
//! key one per key, each made only when a rule reads it.

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
    /// The KMS key encrypting it; absent when DynamoDB's own key does (the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    /// `CUSTOMER` or `AWS`: who manages that key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_manager: Option<String>,
    /// Whether capacity follows demand: on demand it does; provisioned, when the read and
    /// write capacity of the table and of each global secondary index are auto scaled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_scales: Option<bool>,
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
    Field::listed(
        "kms_key_arn",
        Type::String,
        "the KMS key encrypting it; absent for DynamoDB's own key",
    ),
    Field::called(
        "kms_key_manager",
        Type::String,
        "DescribeKey",
        "CUSTOMER or AWS: who manages the key (AWS for DynamoDB's own and aws/dynamodb)",
    ),
    Field::called(
        "capacity_scales",
        Type::Bool,
        "DescribeScalableTargets",
        "on demand, or provisioned with the table's and each global secondary index's read and write capacity auto scaled (asked once per region, for provisioned tables only)",
    ),
    Field::called(
        "point_in_time_recovery",
        Type::String,
        "DescribeContinuousBackups",
        "point-in-time recovery: ENABLED or DISABLED",
    ),
    Field::called("tags", Type::Map, "ListTagsOfResource", "table tags"),
];
