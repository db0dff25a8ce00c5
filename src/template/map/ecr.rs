//! `AWS::ECR::Repository`. Defaults from the CloudFormation reference: tags mutable,
//! AES256 encryption, no scan on push (`MANUAL`; the registry's own scanning
//! configuration, which may scan it anyway, is seen only by a live scan), no lifecycle
//! policy, no repository policy.

use crate::model::ecr::Repository;
use crate::model::policy::ResourcePolicy;
use crate::model::Properties;
use crate::template::node::{optional, Node};

use super::{resource_policy, tags, Input};

pub fn repository(input: &mut Input<'_>) -> Properties {
    let name = input.named("RepositoryName");
    let p = input.props;
    let text = |key: &[&str]| optional(p.path(key), Node::text).ok().flatten();
    let image_tag_mutability = text(&["ImageTagMutability"]).unwrap_or_else(|| "MUTABLE".into());
    let encryption_type =
        text(&["EncryptionConfiguration", "EncryptionType"]).unwrap_or_else(|| "AES256".into());
    let kms_key = text(&["EncryptionConfiguration", "KmsKey"]);
    let scan_frequency = input.attr("scan_frequency", &["ImageScanningConfiguration"], |p| {
        let on_push = optional(
            p.path(&["ImageScanningConfiguration", "ScanOnPush"]),
            Node::boolean,
        )?;
        Ok(Some(
            if on_push == Some(true) {
                "SCAN_ON_PUSH"
            } else {
                "MANUAL"
            }
            .to_string(),
        ))
    });
    let lifecycle_policy = input.attr("lifecycle_policy", &["LifecyclePolicy"], |p| {
        Ok(p.get("LifecyclePolicy").is_some())
    });
    let policy = input.attr("policy", &["RepositoryPolicyText"], |p| {
        match p.get("RepositoryPolicyText") {
            Some(document) => resource_policy(document),
            None => Ok(ResourcePolicy::default()),
        }
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::EcrRepository(Repository {
        name,
        image_tag_mutability,
        encryption_type,
        kms_key,
        scan_frequency: scan_frequency.flatten(),
        lifecycle_policy,
        policy,
        tags,
    })
}
