//! EFS file systems as the rules see them: one DescribeFileSystems page answers every
//! attribute here, tags included, but the backup policy, which costs a call per file
//! system, made only when a rule reads it.

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
    /// Automatic backups (EFS's backup policy, AWS Backup's default plan): `ENABLED`,
    /// `ENABLING`, `DISABLED` or `DISABLING`; `DISABLED` when no policy was ever set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_policy: Option<String>,
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
    Field::called(
        "backup_policy",
        Type::String,
        "DescribeBackupPolicy",
        "automatic backups: ENABLED, ENABLING, DISABLED or DISABLING",
    ),
    Field::listed("tags", Type::Map, "file system tags"),
];

/// An EFS access point: the directory and the POSIX identity it forces on whoever mounts
/// through it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AccessPoint {
    pub access_point_id: String,
    pub file_system_id: String,
    /// The directory clients see as the root: `/` (the whole file system) unless set.
    pub root_directory: String,
    /// Whether it names a POSIX user (uid and gid) every request is made as.
    pub posix_user_enforced: bool,
    pub tags: Tags,
}

pub const ACCESS_POINT_SCHEMA: &[Field] = &[
    Field::listed("access_point_id", Type::String, "access point id"),
    Field::listed("file_system_id", Type::String, "the file system it opens"),
    Field::listed(
        "root_directory",
        Type::String,
        "the directory exposed as root (/ unless set)",
    ),
    Field::listed(
        "posix_user_enforced",
        Type::Bool,
        "a POSIX user is forced on every request",
    ),
    Field::listed("tags", Type::Map, "access point tags"),
];
