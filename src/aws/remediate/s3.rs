//! S3 fixes: default encryption, the bucket's public access block, versioning. Reads go
//! through the collector's own functions where it has them, so the re-read sees what
//! the scan saw.

use aws_sdk_s3::types::{
    BucketVersioningStatus, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    VersioningConfiguration,
};
use serde_json::{json, Value};

use super::failed;
use crate::aws::collect::s3 as collected;
use crate::aws::errors::{or_absent, CallError};
use crate::aws::session::Session;
use crate::remediate::Target;

/// `{algorithm, kms_key_id}`; `none` when the bucket has no default encryption.
pub async fn encryption(session: &Session, t: &Target) -> Result<Value, CallError> {
    let out = session
        .s3_in(&t.region)
        .get_bucket_encryption()
        .bucket(&t.resource_id)
        .send()
        .await
        .map_err(CallError::from)
        .map(Some);
    let out = or_absent(
        out,
        &["ServerSideEncryptionConfigurationNotFoundError"],
        || None,
    )?;
    let default = out.as_ref().and_then(|o| {
        o.server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
    });
    Ok(json!({
        "algorithm": default.map_or("none", |d| d.sse_algorithm().as_str()),
        "kms_key_id": default.and_then(|d| d.kms_master_key_id()),
    }))
}

/// SSE-KMS with `kms_key` (and an S3 bucket key, which cuts KMS requests), else SSE-S3.
pub async fn encrypt(session: &Session, t: &Target, kms_key: Option<&str>) -> Result<(), String> {
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
        .s3_in(&t.region)
        .put_bucket_encryption()
        .bucket(&t.resource_id)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .map(drop)
        .map_err(failed("PutBucketEncryption"))
}

/// The four settings of the bucket's public access block (all false when it has none).
pub async fn public_access_block(session: &Session, t: &Target) -> Result<Value, CallError> {
    let block = collected::public_access_block(&session.s3_in(&t.region), &t.resource_id).await?;
    Ok(serde_json::to_value(block).unwrap_or_default())
}

pub async fn block_public_access(session: &Session, t: &Target) -> Result<(), String> {
    session
        .s3_in(&t.region)
        .put_public_access_block()
        .bucket(&t.resource_id)
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

/// `{status, mfa_delete}`.
pub async fn versioning(session: &Session, t: &Target) -> Result<Value, CallError> {
    let versioning = collected::versioning(&session.s3_in(&t.region), &t.resource_id).await?;
    Ok(serde_json::to_value(versioning).unwrap_or_default())
}

/// Turns versioning on; MFA delete is left as it is (it is not part of the request).
pub async fn enable_versioning(session: &Session, t: &Target) -> Result<(), String> {
    session
        .s3_in(&t.region)
        .put_bucket_versioning()
        .bucket(&t.resource_id)
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
