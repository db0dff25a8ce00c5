//! Customer-managed KMS keys as the rules see them. AWS-managed keys are not
//! resources here: their owner can change none of what the rules check.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::{ResourcePolicy, RESOURCE_POLICY};
use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Key {
    pub key_id: String,
    pub description: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    pub key_state: String,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, …
    pub key_spec: String,
    /// `ENCRYPT_DECRYPT`, `SIGN_VERIFY`, …
    pub key_usage: String,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, …
    pub origin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Rotation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<ResourcePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Rotation {
    pub enabled: bool,
}

const ROTATION: &[Field] = &[Field::listed(
    "enabled",
    Type::Bool,
    "automatic rotation on",
)];

pub const SCHEMA: &[Field] = &[
    Field::listed("key_id", Type::String, "key id"),
    Field::listed("description", Type::String, "description"),
    Field::listed(
        "key_state",
        Type::String,
        "Enabled, Disabled, PendingDeletion, …",
    ),
    Field::listed("key_spec", Type::String, "SYMMETRIC_DEFAULT, RSA_2048, …"),
    Field::listed("key_usage", Type::String, "ENCRYPT_DECRYPT, SIGN_VERIFY, …"),
    Field::listed("origin", Type::String, "AWS_KMS, EXTERNAL, AWS_CLOUDHSM, …"),
    Field::listed(
        "deletion_date",
        Type::Time,
        "when a pending deletion happens",
    ),
    Field::called(
        "rotation",
        Type::Object(ROTATION),
        "GetKeyRotationStatus",
        "rotation (symmetric keys only)",
    ),
    Field::called(
        "policy",
        Type::Object(RESOURCE_POLICY),
        "GetKeyPolicy",
        "key policy analysis",
    ),
    Field::called("tags", Type::Map, "ListResourceTags", "key tags"),
];
