//! RDS as the rules see it: DB instances, DB clusters (Aurora, Multi-AZ DB clusters,
//! and the Neptune and DocumentDB clusters RDS's API also lists) and the account's own
//! snapshots of each. A listing page answers every attribute, tags included; only who
//! may restore a manual snapshot costs a call per snapshot, made when a rule reads it.
//! An Aurora instance reports its cluster's encryption, backup retention and IAM
//! authentication, which is what RDS itself enforces for it.

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
    /// The logs published to CloudWatch Logs (`audit`, `error`, `postgresql`, …).
    pub cloudwatch_logs_exports: Vec<String>,
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
        "cloudwatch_logs_exports",
        Type::StringList,
        "the logs published to CloudWatch Logs (audit, error, general, slowquery, postgresql, …)",
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DbCluster {
    pub db_cluster_identifier: String,
    /// `aurora-mysql`, `aurora-postgresql`, `mysql`, `postgres` (Multi-AZ DB clusters),
    /// `neptune`, `docdb`.
    pub engine: String,
    pub status: String,
    pub storage_encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub deletion_protection: bool,
    pub iam_database_authentication_enabled: bool,
    /// Instances in more than one Availability Zone.
    pub multi_az: bool,
    pub copy_tags_to_snapshot: bool,
    /// Days automated backups are kept.
    pub backup_retention_period: i64,
    /// The identifiers of its DB instances.
    pub members: Vec<String>,
    pub tags: Tags,
}

/// A snapshot of a DB instance or of a DB cluster, the account's own.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Snapshot {
    pub snapshot_identifier: String,
    /// `manual`, `automated` or `awsbackup`; only a manual snapshot can be shared.
    pub snapshot_type: String,
    pub encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// The accounts that may restore it (`all`: anyone); asked of a manual snapshot only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restorable_by: Option<Vec<String>>,
    pub tags: Tags,
}

pub const CLUSTER_SCHEMA: &[Field] = &[
    Field::listed(
        "db_cluster_identifier",
        Type::String,
        "DB cluster identifier",
    ),
    Field::listed(
        "engine",
        Type::String,
        "aurora-mysql, aurora-postgresql, mysql, postgres, neptune, docdb",
    ),
    Field::listed("status", Type::String, "available, stopped, creating, …"),
    Field::listed("storage_encrypted", Type::Bool, "storage encrypted at rest"),
    Field::listed(
        "kms_key_id",
        Type::String,
        "the KMS key encrypting the storage",
    ),
    Field::listed(
        "deletion_protection",
        Type::Bool,
        "deletion refused until turned off",
    ),
    Field::listed(
        "iam_database_authentication_enabled",
        Type::Bool,
        "IAM database authentication on",
    ),
    Field::listed(
        "multi_az",
        Type::Bool,
        "instances in more than one Availability Zone",
    ),
    Field::listed(
        "copy_tags_to_snapshot",
        Type::Bool,
        "snapshots get the cluster's tags",
    ),
    Field::listed(
        "backup_retention_period",
        Type::Int,
        "days automated backups are kept",
    ),
    Field::listed("members", Type::StringList, "its DB instances"),
    Field::listed("tags", Type::Map, "cluster tags"),
];

const fn snapshot_schema(attributes_call: &'static str) -> [Field; 6] {
    [
        Field::listed("snapshot_identifier", Type::String, "snapshot identifier"),
        Field::listed(
            "snapshot_type",
            Type::String,
            "manual, automated or awsbackup",
        ),
        Field::listed("encrypted", Type::Bool, "encrypted at rest"),
        Field::listed("kms_key_id", Type::String, "the KMS key encrypting it"),
        Field::called(
            "restorable_by",
            Type::StringList,
            attributes_call,
            "accounts that may restore it (all: anyone), for a manual snapshot",
        ),
        Field::listed("tags", Type::Map, "snapshot tags"),
    ]
}

pub const SNAPSHOT_SCHEMA: &[Field] = &snapshot_schema(DESCRIBE_SNAPSHOT_ATTRIBUTES);
pub const CLUSTER_SNAPSHOT_SCHEMA: &[Field] =
    &snapshot_schema(DESCRIBE_CLUSTER_SNAPSHOT_ATTRIBUTES);

/// The calls behind a manual snapshot's `restorable_by`.
pub const DESCRIBE_SNAPSHOT_ATTRIBUTES: &str = "DescribeDBSnapshotAttributes";
pub const DESCRIBE_CLUSTER_SNAPSHOT_ATTRIBUTES: &str = "DescribeDBClusterSnapshotAttributes";
