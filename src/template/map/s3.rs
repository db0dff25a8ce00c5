//! `AWS::S3::Bucket` and `AWS::S3::BucketPolicy`, with the defaults S3 gives a new
//! bucket: SSE-S3 encryption (since 5 January 2023), all four public-access-block
//! settings on and ACLs disabled (`BucketOwnerEnforced`, since April 2023), versioning
//! never enabled, no access logging, no lifecycle rules, a private ACL.
//! (S3 User Guide: "Setting default server-side encryption behavior", "Blocking public
//! access", "Controlling ownership of objects".)

use crate::model::policy;
use crate::model::s3::{
    Acl, Bucket, BucketPolicy, Encryption, Lifecycle, Logging, Ownership, PublicAccessBlock,
    Versioning,
};
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{key_manager, tags, Input, Targets};

pub fn bucket(input: &mut Input<'_>) -> Properties {
    let name = input.named("BucketName");
    let encryption = input.attr("encryption", &["BucketEncryption"], encryption);
    let versioning = input.attr("versioning", &["VersioningConfiguration"], |p| {
        let status = optional(p.path(&["VersioningConfiguration", "Status"]), Node::text)?;
        Ok(Versioning {
            status: status.unwrap_or_else(|| "Disabled".into()),
            // CloudFormation cannot turn MFA delete on.
            mfa_delete: false,
        })
    });
    let public_access_block = input.attr(
        "public_access_block",
        &["PublicAccessBlockConfiguration"],
        |p| match p.get("PublicAccessBlockConfiguration") {
            None => Ok(PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: true,
                restrict_public_buckets: true,
            }),
            // A configuration given leaves the settings it omits off.
            Some(c) => {
                let flag = |key| optional(c.get(key), Node::boolean).map(|b| b.unwrap_or(false));
                Ok(PublicAccessBlock {
                    block_public_acls: flag("BlockPublicAcls")?,
                    ignore_public_acls: flag("IgnorePublicAcls")?,
                    block_public_policy: flag("BlockPublicPolicy")?,
                    restrict_public_buckets: flag("RestrictPublicBuckets")?,
                })
            }
        },
    );
    let acl = input.attr("acl", &["AccessControl"], |p| {
        let canned = optional(p.get("AccessControl"), Node::text)?.unwrap_or_default();
        Ok(Acl {
            public_read: matches!(
                canned.as_str(),
                "PublicRead" | "PublicReadWrite" | "AuthenticatedRead"
            ),
            public_write: canned == "PublicReadWrite",
        })
    });
    let ownership = input.attr("ownership", &["OwnershipControls"], |p| {
        let rule = match p.path(&["OwnershipControls", "Rules"]) {
            Some(rules) => rules.list()?.first().copied().cloned(),
            None => None,
        };
        let object_ownership = match rule {
            Some(rule) => optional(rule.get("ObjectOwnership"), Node::text)?,
            None => Some("BucketOwnerEnforced".into()),
        };
        Ok(Ownership { object_ownership })
    });
    let logging = input.attr("logging", &["LoggingConfiguration"], |p| {
        let config = p.get("LoggingConfiguration");
        Ok(Logging {
            enabled: config.is_some(),
            target_bucket: optional(
                config.and_then(|c| c.get("DestinationBucketName")),
                Node::text,
            )?,
        })
    });
    let lifecycle = input.attr("lifecycle", &["LifecycleConfiguration"], |p| {
        let rules = match p.path(&["LifecycleConfiguration", "Rules"]) {
            Some(rules) => rules.list()?,
            None => Vec::new(),
        };
        let mut enabled = 0;
        for rule in &rules {
            if rule.get("Status").map(Node::text).transpose()?.as_deref() == Some("Enabled") {
                enabled += 1;
            }
        }
        Ok(Lifecycle {
            rule_count: rules.len() as i64,
            enabled_rule_count: enabled,
        })
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::S3Bucket(Bucket {
        name,
        encryption,
        versioning,
        public_access_block,
        // No policy until an AWS::S3::BucketPolicy attaches one.
        policy: Some(BucketPolicy::default()),
        acl,
        ownership,
        logging,
        lifecycle,
        tags,
    })
}

/// The bucket's default encryption; SSE-S3 when the template sets none.
fn encryption(p: &Node) -> Result<Encryption, String> {
    let rule = match p.path(&["BucketEncryption", "ServerSideEncryptionConfiguration"]) {
        Some(rules) => rules.list()?.first().copied().cloned(),
        None => None,
    };
    let Some(rule) = rule else {
        return Ok(Encryption {
            enabled: true,
            algorithm: Some("AES256".into()),
            ..Encryption::default()
        });
    };
    let default = rule.get("ServerSideEncryptionByDefault");
    let algorithm = optional(default.and_then(|d| d.get("SSEAlgorithm")), Node::text)?
        .unwrap_or_else(|| "AES256".into());
    let key = default.and_then(|d| d.get("KMSMasterKeyID"));
    let kms = algorithm.starts_with("aws:kms");
    Ok(Encryption {
        enabled: true,
        kms_key_manager: match (kms, key) {
            (false, _) => None,
            // No key named: the aws/s3 managed key.
            (true, None) => Some("AWS".into()),
            (true, Some(key)) => Some(key_manager(key)?.into()),
        },
        kms_key_id: optional(key, Node::text)?,
        algorithm: Some(algorithm),
        bucket_key_enabled: optional(rule.get("BucketKeyEnabled"), Node::boolean)?.unwrap_or(false),
    })
}

/// `AWS::S3::BucketPolicy`: the policy of the bucket it names.
pub fn bucket_policy(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let Some(bucket) = input.props.get("Bucket") else {
        return;
    };
    let document = input.props.entry("PolicyDocument");
    let read = document
        .ok_or_else(|| "the policy has no PolicyDocument".to_string())
        .and_then(|d| {
            let json = d.node.to_json()?;
            policy::analyze(&json.to_string())
        });
    targets.each(bucket, ResourceKind::S3Bucket, |props, marks| {
        if let Properties::S3Bucket(b) = props {
            if let Some(entry) = document {
                marks.lines.insert("policy".into(), entry.line);
            }
            match &read {
                Ok(facts) => b.policy = Some(BucketPolicy::from_facts(facts)),
                Err(why) => marks.unknown("policy", format!("PolicyDocument: {why}")),
            }
        }
    });
}
