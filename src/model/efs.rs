//! EFS file systems as the rules see them: one DescribeFileSystems page answers every
//! attribute here, tags included.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FileSystem {
    pub file_system_id: String,
    /// The `Name` tag, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `available`, `creating`, `updating`, `deleting`, `deleted` or `error`.
    pub life_cycle_state: String,
    pub encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub tags: Tags,
}

pub const SCHEMA: &[Field] = &[
    Field::listed("file_system_id", Type::String, "file system id"),
    Field::listed("name", Type::String, "its Name tag"),
    Field::listed(
        "life_cycle_state",
        Type::String,
        "available, creating, updating, deleting, deleted or error",
    ),
    Field::listed("encrypted", Type::Bool, "file data encrypted at rest"),
    Field::listed("kms_key_id", Type::String, "the KMS key encrypting it"),
    Field::listed("tags", Type::Map, "file system tags"),
];
