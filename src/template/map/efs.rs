//! `AWS::EFS::FileSystem` and `AWS::EFS::AccessPoint`. Defaults from the CloudFormation
//! reference: a file system is unencrypted unless `Encrypted` is true and has automatic
//! backups off unless its `BackupPolicy` enables them (only the console turns them on
//! by default); an access point exposes the file system's root (`/`) and enforces no
//! POSIX user unless it says so.

use crate::model::efs::{AccessPoint, FileSystem};
use crate::model::Properties;
use crate::template::node::{optional, Node};

use super::{tags_at, Input};

pub fn file_system(input: &mut Input<'_>) -> Properties {
    let encrypted = input.flag("encrypted", "Encrypted", false);
    let kms_key_id = input.text("kms_key_id", "KmsKeyId");
    let backup_policy = input.attr("backup_policy", &["BackupPolicy"], |p| {
        Ok(Some(
            optional(p.path(&["BackupPolicy", "Status"]), Node::text)?
                .unwrap_or_else(|| "DISABLED".into()),
        ))
    });
    let tags = input
        .attr("tags", &["FileSystemTags"], |p| {
            tags_at(p, "FileSystemTags")
        })
        .unwrap_or_default();
    Properties::EfsFileSystem(FileSystem {
        file_system_id: input.id.to_string(),
        name: tags.get("Name").cloned(),
        life_cycle_state: "available".into(),
        encrypted,
        kms_key_id,
        backup_policy: backup_policy.flatten(),
        tags,
    })
}

pub fn access_point(input: &mut Input<'_>) -> Properties {
    let file_system_id = optional(input.props.get("FileSystemId"), Node::text)
        .ok()
        .flatten()
        .unwrap_or_default();
    let root_directory = input
        .attr("root_directory", &["RootDirectory"], |p| {
            Ok(optional(p.path(&["RootDirectory", "Path"]), Node::text)?
                .unwrap_or_else(|| "/".into()))
        })
        .unwrap_or_default();
    let posix_user_enforced = input.props.get("PosixUser").is_some();
    let tags = input
        .attr("tags", &["AccessPointTags"], |p| {
            tags_at(p, "AccessPointTags")
        })
        .unwrap_or_default();
    Properties::EfsAccessPoint(AccessPoint {
        access_point_id: input.id.to_string(),
        file_system_id,
        root_directory,
        posix_user_enforced,
        tags,
    })
}
