//! RDS DB instances as the rules see them. One DescribeDBInstances page answers every
//! attribute here, tags included, so RDS costs one paginated call per region whatever
//! the rules read. An Aurora instance reports its cluster's encryption, backup
//! retention and IAM authentication, which is what RDS itself enforces for it.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DbInstance {
    pub db_instance_identifier: String,
    /// `mysql`, `postgres`, `mariadb`, `oracle-ee`, `sqlserver-se`, `aurora-mysql`, …
    pub engine: String,
    pub engine_version: String,
    /// `available`, `stopped`, `creating`, `backing-up`, …
    pub status: String,
    /// Absent only when the answer leaves it out (real RDS always says): a rule that
    /// needs it then fails rather than guessing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publicly_accessible: Option<bool>,
    pub storage_encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub auto_minor_version_upgrade: bool,
    pub multi_az: bool,
    pub deletion_protection: bool,
    /// Days automated backups are kept; 0 when automated backups are off.
    pub backup_retention_period: i64,
    pub iam_database_authentication_enabled: bool,
    pub copy_tags_to_snapshot: bool,
    /// Seconds between Enhanced Monitoring samples; 0 when it is off.
    pub monitoring_interval: i64,
    /// The Aurora (or Multi-AZ) cluster the instance belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_cluster_identifier: Option<String>,
    /// The instance this one replicates, for a read replica.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_replica_source: Option<String>,
    pub tags: Tags,
}

pub const SCHEMA: &[Field] = &[
    Field::listed(
        "db_instance_identifier",
        Type::String,
        "DB instance identifier",
    ),
    Field::listed(
        "engine",
        Type::String,
        "mysql, postgres, mariadb, oracle-ee, sqlserver-se, aurora-mysql, …",
    ),
    Field::listed("engine_version", Type::String, "engine version"),
    Field::listed("status", Type::String, "available, stopped, creating, …"),
    Field::listed(
        "publicly_accessible",
        Type::Bool,
        "resolves to a public address from outside the VPC",
    ),
    Field::listed("storage_encrypted", Type::Bool, "storage encrypted at rest"),
    Field::listed(
        "kms_key_id",
        Type::String,
        "the KMS key encrypting the storage",
    ),
    Field::listed(
        "auto_minor_version_upgrade",
        Type::Bool,
        "minor engine versions applied in the maintenance window",
    ),
    Field::listed(
        "multi_az",
        Type::Bool,
        "a standby in another Availability Zone",
    ),
    Field::listed(
        "deletion_protection",
        Type::Bool,
        "deletion refused until turned off",
    ),
    Field::listed(
        "backup_retention_period",
        Type::Int,
        "days automated backups are kept (0: off)",
    ),
    Field::listed(
        "iam_database_authentication_enabled",
        Type::Bool,
        "IAM database authentication on",
    ),
    Field::listed(
        "copy_tags_to_snapshot",
        Type::Bool,
        "snapshots get the instance's tags",
    ),
    Field::listed(
        "monitoring_interval",
        Type::Int,
        "seconds between Enhanced Monitoring samples (0: off)",
    ),
    Field::listed(
        "db_cluster_identifier",
        Type::String,
        "the cluster the instance belongs to",
    ),
    Field::listed(
        "read_replica_source",
        Type::String,
        "the instance this read replica copies",
    ),
    Field::listed("tags", Type::Map, "instance tags"),
];
