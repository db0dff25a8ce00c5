//! `AWS::RDS::DBInstance` and `AWS::RDS::DBCluster`. Defaults from the CloudFormation
//! reference and the RDS User Guide: storage unencrypted, minor version upgrades on,
//! single-AZ, no deletion protection, backups kept 1 day, IAM authentication off, tags
//! not copied to snapshots, enhanced monitoring off, no log exports; an instance
//! without `DBSubnetGroupName` lands in the default VPC and is publicly accessible
//! unless it says otherwise, one with a subnet group is private. A cluster is
//! multi-AZ when it is a Multi-AZ DB cluster or two or more instances join it.

use crate::model::rds::{DbCluster, DbInstance};
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{tags, Input, Targets};

fn text(p: &Node, key: &str) -> Option<String> {
    optional(p.get(key), Node::text).ok().flatten()
}

pub fn instance(input: &mut Input<'_>) -> Properties {
    let id = input.named("DBInstanceIdentifier");
    let p = input.props;
    let engine = text(p, "Engine").unwrap_or_default().to_ascii_lowercase();
    let in_subnet_group = p.get("DBSubnetGroupName").is_some();
    let publicly_accessible = input.attr("publicly_accessible", &["PubliclyAccessible"], |p| {
        Ok(Some(
            optional(p.get("PubliclyAccessible"), Node::boolean)?.unwrap_or(!in_subnet_group),
        ))
    });
    let storage_encrypted = input.flag("storage_encrypted", "StorageEncrypted", false);
    let kms_key_id = input
        .attr("kms_key_id", &["KmsKeyId"], |p| {
            optional(p.get("KmsKeyId"), Node::text)
        })
        .flatten();
    let model = DbInstance {
        db_instance_identifier: id,
        engine_version: text(p, "EngineVersion").unwrap_or_default(),
        status: "available".into(),
        publicly_accessible: publicly_accessible.flatten(),
        // A KMS key implies encryption (CloudFormation requires StorageEncrypted with it).
        storage_encrypted: storage_encrypted || kms_key_id.is_some(),
        kms_key_id,
        auto_minor_version_upgrade: input.flag(
            "auto_minor_version_upgrade",
            "AutoMinorVersionUpgrade",
            true,
        ),
        multi_az: input.flag("multi_az", "MultiAZ", false),
        deletion_protection: input.flag("deletion_protection", "DeletionProtection", false),
        backup_retention_period: input.number(
            "backup_retention_period",
            "BackupRetentionPeriod",
            1,
        ),
        iam_database_authentication_enabled: input.flag(
            "iam_database_authentication_enabled",
            "EnableIAMDatabaseAuthentication",
            false,
        ),
        copy_tags_to_snapshot: input.flag("copy_tags_to_snapshot", "CopyTagsToSnapshot", false),
        monitoring_interval: input.number("monitoring_interval", "MonitoringInterval", 0),
        cloudwatch_logs_exports: input
            .attr(
                "cloudwatch_logs_exports",
                &["EnableCloudwatchLogsExports"],
                |p| {
                    Ok(optional(p.get("EnableCloudwatchLogsExports"), Node::texts)?
                        .unwrap_or_default())
                },
            )
            .unwrap_or_default(),
        db_cluster_identifier: text(p, "DBClusterIdentifier"),
        read_replica_source: text(p, "SourceDBInstanceIdentifier"),
        tags: input.attr("tags", &["Tags"], tags).unwrap_or_default(),
        engine,
    };
    Properties::DbInstance(model)
}

pub fn cluster(input: &mut Input<'_>) -> Properties {
    let id = input.named("DBClusterIdentifier");
    let p = input.props;
    let engine = text(p, "Engine").unwrap_or_default().to_ascii_lowercase();
    // A Multi-AZ DB cluster (non-Aurora, with an instance class) spans three AZs.
    let multi_az_cluster = p.get("DBClusterInstanceClass").is_some();
    let storage_encrypted = input.flag("storage_encrypted", "StorageEncrypted", false);
    let kms_key_id = input
        .attr("kms_key_id", &["KmsKeyId"], |p| {
            optional(p.get("KmsKeyId"), Node::text)
        })
        .flatten();
    Properties::DbCluster(DbCluster {
        db_cluster_identifier: id,
        status: "available".into(),
        storage_encrypted: storage_encrypted || kms_key_id.is_some(),
        kms_key_id,
        deletion_protection: input.flag("deletion_protection", "DeletionProtection", false),
        iam_database_authentication_enabled: input.flag(
            "iam_database_authentication_enabled",
            "EnableIAMDatabaseAuthentication",
            false,
        ),
        multi_az: multi_az_cluster,
        copy_tags_to_snapshot: input.flag("copy_tags_to_snapshot", "CopyTagsToSnapshot", false),
        backup_retention_period: input.number(
            "backup_retention_period",
            "BackupRetentionPeriod",
            1,
        ),
        members: Vec::new(),
        tags: input.attr("tags", &["Tags"], tags).unwrap_or_default(),
        engine,
    })
}

/// A DB instance joining a cluster (`DBClusterIdentifier`): one more member. The
/// cluster is multi-AZ once its members are in two AZs; RDS puts an instance that
/// names no `AvailabilityZone` in another AZ than the others.
pub fn member(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let Some(cluster) = input.props.get("DBClusterIdentifier") else {
        return;
    };
    let member = input.id.to_string();
    let zone = match text(input.props, "AvailabilityZone") {
        Some(zone) => format!("zone {zone}"),
        None => format!("the zone RDS picks for {member}"),
    };
    targets.each(cluster, ResourceKind::DbCluster, |props, marks| {
        if let Properties::DbCluster(c) = props {
            c.members.push(member.clone());
            marks.notes.insert(zone.clone());
            c.multi_az |= marks.notes.len() >= 2;
        }
    });
}
