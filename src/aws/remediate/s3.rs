//! S3 fixes: default encryption (SSE-S3, or SSE-KMS with `--kms-key`), encryption with
//! a customer-managed key, the bucket's public access block, versioning.

use aws_sdk_s3::types::{
    BucketVersioningStatus, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    VersioningConfiguration,
};

use super::{failed, Fix};
use crate::aws::session::Session;
use crate::model::s3::Bucket;
use crate::model::Properties;
use crate::remediate::{Decision, FixOptions, FixTarget};

const ENCRYPTION_PERMISSIONS: &[&str] = &[
    "s3:GetEncryptionConfiguration",
    "kms:DescribeKey",
    "s3:PutEncryptionConfiguration",
];

pub const DEFAULT_ENCRYPTION: Fix = Fix {
    id: "s3-default-encryption",
    permissions: |_| ENCRYPTION_PERMISSIONS,
    decide: |before, _, options| {
        let change = match &options.kms_key {
            Some(key) => format!(
                "PutBucketEncryption: default encryption {} → SSE-KMS with {key}",
                algorithm(before)
            ),
            None => format!(
                "PutBucketEncryption: default encryption {} → SSE-S3 (AES256)",
                algorithm(before)
            ),
        };
        Decision::Change(change)
    },
    apply: |session, target, options, _| Box::pin(encrypt(session, target, options)),
};

pub const KMS_ENCRYPTION: Fix = Fix {
    id: "s3-kms-encryption",
    permissions: |_| ENCRYPTION_PERMISSIONS,
    decide: |before, _, options| {
        if algorithm(before).starts_with("aws:kms") {
            return Decision::NeedsInput(
                "the bucket already uses SSE-KMS with an AWS-managed key; replacing a \
                 bucket's key is left to a person"
                    .to_string(),
            );
        }
        match &options.kms_key {
            Some(key) => Decision::Change(format!(
                "PutBucketEncryption: default encryption {} → SSE-KMS with {key}",
                algorithm(before)
            )),
            None => Decision::NeedsInput(
                "the rule asks for a customer-managed key: pass --kms-key ARN".to_string(),
            ),
        }
    },
    apply: |session, target, options, _| Box::pin(encrypt(session, target, options)),
};

pub const BLOCK_PUBLIC_ACCESS: Fix = Fix {
    id: "s3-block-public-access",
    permissions: |_| {
        &[
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
        ]
    },
    decide: |_, _, _| {
        Decision::Change(
            "PutPublicAccessBlock: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and \
             RestrictPublicBuckets on (public ACLs and policies stop granting access)"
                .to_string(),
        )
    },
    apply: |session, target, _, _| Box::pin(block_public_access(session, target)),
};

pub const VERSIONING: Fix = Fix {
    id: "s3-versioning",
    permissions: |_| &["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
    decide: |before, _, _| {
        let status = bucket(before)
            .and_then(|b| b.versioning.as_ref())
            .map_or("none", |v| v.status.as_str());
        Decision::Change(format!(
            "PutBucketVersioning: {status} → Enabled (MFA delete unchanged)"
        ))
    },
    apply: |session, target, _, _| Box::pin(enable_versioning(session, target)),
};

fn bucket(properties: &Properties) -> Option<&Bucket> {
    match properties {
        Properties::S3Bucket(b) => Some(b),
        _ => None,
    }
}

/// The bucket's default encryption algorithm, `none` without one.
fn algorithm(properties: &Properties) -> &str {
    bucket(properties)
        .and_then(|b| b.encryption.as_ref())
        .and_then(|e| e.algorithm.as_deref())
        .unwrap_or("none")
}

/// SSE-KMS with `--kms-key` (and an S3 bucket key, which cuts KMS requests), else SSE-S3.
async fn encrypt(
    session: &Session,
    target: &FixTarget,
    options: &FixOptions,
) -> Result<(), String> {
    let kms_key = options.kms_key.as_deref();
    let default = match kms_key {
        Some(key) => ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::AwsKms)
            .kms_master_key_id(key),
        None => {
            ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256)
        }
    }
    .build()
    .map_err(|e| e.to_string())?;
    let config = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .bucket_key_enabled(kms_key.is_some())
                .build(),
        )
        .build()
        .map_err(|e| e.to_string())?;
    session
        .s3_in(&target.region)
        .put_bucket_encryption()
        .bucket(&target.resource_id)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .map(drop)
        .map_err(failed("PutBucketEncryption"))
}

async fn block_public_access(session: &Session, target: &FixTarget) -> Result<(), String> {
    session
        .s3_in(&target.region)
        .put_public_access_block()
        .bucket(&target.resource_id)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map(drop)
        .map_err(failed("PutPublicAccessBlock"))
}

/// Turns versioning on; MFA delete is left as it is (it is not part of the request).
async fn enable_versioning(session: &Session, target: &FixTarget) -> Result<(), String> {
    session
        .s3_in(&target.region)
        .put_bucket_versioning()
        .bucket(&target.resource_id)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .map(drop)
        .map_err(failed("PutBucketVersioning"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::aws::remediate::tests::{options, target};
    use crate::model::ResourceKind;

    fn with_encryption(encryption: serde_json::Value) -> Properties {
        Properties::from_attributes(
            ResourceKind::S3Bucket,
            json!({"name": "b", "encryption": encryption}),
        )
        .unwrap()
    }

    #[test]
    fn default_encryption_uses_the_given_key_else_sse_s3() {
        let none = with_encryption(json!({"enabled": false}));
        let t = target(&[]);
        assert_eq!(
            (DEFAULT_ENCRYPTION.decide)(&none, &t, &options(None, &[])),
            Decision::Change(
                "PutBucketEncryption: default encryption none → SSE-S3 (AES256)".into()
            )
        );
        let Decision::Change(with_key) =
            (DEFAULT_ENCRYPTION.decide)(&none, &t, &options(Some("arn:k"), &[]))
        else {
            panic!()
        };
        assert!(with_key.ends_with("SSE-KMS with arn:k"), "{with_key}");
    }

    #[test]
    fn a_customer_managed_key_must_be_given_and_an_existing_key_is_never_replaced() {
        let t = target(&[]);
        let aes = with_encryption(json!({"enabled": true, "algorithm": "AES256"}));
        assert!(matches!(
            (KMS_ENCRYPTION.decide)(&aes, &t, &options(None, &[])),
            Decision::NeedsInput(_)
        ));
        assert!(matches!(
            (KMS_ENCRYPTION.decide)(&aes, &t, &options(Some("arn:k"), &[])),
            Decision::Change(_)
        ));
        let managed = with_encryption(json!({"enabled": true, "algorithm": "aws:kms",
            "kms_key_id": "alias/aws/s3", "kms_key_manager": "AWS"}));
        assert!(matches!(
            (KMS_ENCRYPTION.decide)(&managed, &t, &options(Some("arn:k"), &[])),
            Decision::NeedsInput(reason) if reason.contains("left to a person")
        ));
    }

    #[test]
    fn versioning_names_its_current_status() {
        let suspended = Properties::from_attributes(
            ResourceKind::S3Bucket,
            json!({"name": "b", "versioning": {"status": "Suspended", "mfa_delete": false}}),
        )
        .unwrap();
        assert!(matches!(
            (VERSIONING.decide)(&suspended, &target(&[]), &options(None, &[])),
            Decision::Change(s) if s.contains("Suspended → Enabled")
        ));
    }
}
