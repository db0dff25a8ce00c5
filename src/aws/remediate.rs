//! Applies remediations planned by `crate::remediate`, each re-reading the resource
//! first and verifying after; every attempt yields an audit record.

use chrono::Utc;

use super::errors::{or_absent, CallError};
use super::session::Session;
use crate::remediate::{Action, AuditRecord, Outcome, S3_DEFAULT_ENCRYPTION};

/// Applies `action`; never fails, the record says what happened.
pub async fn apply(session: &Session, scan_id: &str, action: &Action) -> AuditRecord {
    let (before, after, outcome, reason) = match action.remediation {
        S3_DEFAULT_ENCRYPTION => s3_default_encryption(session, action).await,
        other => (
            String::new(),
            String::new(),
            Outcome::Skipped,
            format!("remediation `{other}` is not available in this build"),
        ),
    };
    AuditRecord {
        time: Utc::now(),
        caller: session.caller_arn.clone(),
        scan_id: scan_id.to_string(),
        remediation: action.remediation.to_string(),
        rule_id: action.rule_id.clone(),
        resource_id: action.resource_id.clone(),
        region: action.region.clone(),
        before,
        after,
        outcome,
        reason,
    }
}

/// Turns on SSE-S3 default encryption for a bucket that has none. A bucket that has any
/// configuration is left alone: replacing one is not a safe automatic fix.
async fn s3_default_encryption(
    session: &Session,
    action: &Action,
) -> (String, String, Outcome, String) {
    let s3 = session.s3_in(&action.region);
    let bucket = &action.resource_id;
    let before = match current_encryption(&s3, bucket).await {
        Ok(state) => state,
        Err(e) => {
            return (
                String::new(),
                String::new(),
                Outcome::Failed,
                format!("could not re-read the bucket: {e}"),
            )
        }
    };
    if before != "none" {
        return (
            before.clone(),
            before,
            Outcome::Skipped,
            "the bucket already has default encryption; it is not replaced".to_string(),
        );
    }
    let rule = aws_sdk_s3::types::ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::Aes256)
                .build()
                .expect("the algorithm is set"),
        )
        .build();
    let config = aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
        .rules(rule)
        .build();
    let put = match config {
        Ok(config) => s3
            .put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(config)
            .send()
            .await
            .map_err(CallError::from),
        Err(e) => Err(CallError {
            code: "InvalidRequest".to_string(),
            message: e.to_string(),
        }),
    };
    if let Err(e) = put {
        return (
            before,
            String::new(),
            Outcome::Failed,
            format!("PutBucketEncryption failed: {e}"),
        );
    }
    match current_encryption(&s3, bucket).await {
        Ok(after) if after == "AES256" => (
            before,
            after,
            Outcome::Applied,
            "default encryption SSE-S3 turned on".to_string(),
        ),
        Ok(after) => (
            before,
            after.clone(),
            Outcome::Failed,
            format!("the bucket reports {after} after the change"),
        ),
        Err(e) => (
            before,
            String::new(),
            Outcome::Failed,
            format!("could not verify the change: {e}"),
        ),
    }
}

/// The bucket's default encryption algorithm, or `none`.
async fn current_encryption(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<String, CallError> {
    let out = s3
        .get_bucket_encryption()
        .bucket(bucket)
        .send()
        .await
        .map_err(CallError::from);
    let algorithm = out.map(|o| {
        o.server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map_or("none".to_string(), |d| {
                d.sse_algorithm().as_str().to_string()
            })
    });
    or_absent(
        algorithm,
        &["ServerSideEncryptionConfigurationNotFoundError"],
        || "none".to_string(),
    )
}
