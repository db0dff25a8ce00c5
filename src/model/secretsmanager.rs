//! Secrets Manager secrets as the rules see them: one ListSecrets page answers every
//! attribute here (rotation, last use, key, tags) but who manages the key, which KMS
//! answers once per key. The secret's value is never read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Secret {
    pub name: String,
    /// The KMS key encrypting it; absent when it is Secrets Manager's own
    /// (`aws/secretsmanager`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// `CUSTOMER` or `AWS`: who manages that key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_manager: Option<String>,
    pub rotation_enabled: bool,
    /// Days between automatic rotations, when the schedule is given in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<DateTime<Utc>>,
    /// When Secrets Manager will next rotate it, with rotation on; a date already past
    /// is a rotation that did not happen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation: Option<DateTime<Utc>>,
    /// The day it was last read (Secrets Manager keeps the date only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    pub tags: Tags,
}

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "secret name"),
    Field::listed(
        "kms_key_id",
        Type::String,
        "the KMS key encrypting it; absent for aws/secretsmanager",
    ),
    Field::called(
        "kms_key_manager",
        Type::String,
        "DescribeKey",
        "CUSTOMER or AWS: who manages the key (AWS for aws/secretsmanager)",
    ),
    Field::listed("rotation_enabled", Type::Bool, "automatic rotation on"),
    Field::listed(
        "rotation_days",
        Type::Int,
        "days between automatic rotations, when given in days",
    ),
    Field::listed(
        "last_rotated",
        Type::Time,
        "last rotation; not set if never rotated",
    ),
    Field::listed(
        "next_rotation",
        Type::Time,
        "the next scheduled rotation, with rotation on",
    ),
    Field::listed(
        "last_accessed",
        Type::Time,
        "the day it was last read; not set if never read",
    ),
    Field::listed("created", Type::Time, "when it was created"),
    Field::listed("tags", Type::Map, "secret tags"),
];
