//! Who manages the KMS key a resource names: a customer, or AWS. Rules that want a
//! customer-managed key (S3, SQS, Secrets Manager, DynamoDB) read it; KMS is asked once
//! per key and scan (`DescribeKey`), whatever the number of resources sharing the key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::Scope;
use crate::aws::errors::CallError;

/// Each key's answer, by region and key as the resource names it (an id, ARN or alias):
/// asked once even when many resources want it at the same moment, a refusal included.
#[derive(Default)]
pub(crate) struct KeyManagers(Mutex<HashMap<(String, String), Answer>>);

type Answer = Arc<OnceCell<Result<String, CallError>>>;

impl Scope<'_> {
    /// `CUSTOMER` or `AWS` for `key`, named by a resource in `region`: no key, or an
    /// `alias/aws/…`, is AWS's. An answer without the manager is an error, never taken
    /// for a customer's key.
    pub(super) async fn key_manager(
        &self,
        key: Option<&str>,
        region: &str,
    ) -> Result<String, CallError> {
        let Some(key) = key.filter(|k| !k.starts_with("alias/aws/")) else {
            return Ok("AWS".to_string());
        };
        // A key ARN names its region; a bare id or alias lives in the resource's.
        let region = key
            .strip_prefix("arn:")
            .and_then(|r| r.split(':').nth(2))
            .unwrap_or(region);
        let answer: Answer = self
            .key_managers
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((region.to_string(), key.to_string()))
            .or_default()
            .clone();
        answer
            .get_or_init(|| describe(self, key, region))
            .await
            .clone()
    }
}

async fn describe(scope: &Scope<'_>, key: &str, region: &str) -> Result<String, CallError> {
    let kms = aws_sdk_kms::Client::new(&scope.session.regional(region));
    let out = kms.describe_key().key_id(key).send().await.map_err(|e| {
        let e = CallError::from(e);
        CallError {
            code: e.code,
            message: format!("DescribeKey on {key}: {}", e.message),
        }
    })?;
    out.key_metadata()
        .and_then(|m| m.key_manager())
        .map(|m| m.as_str().to_string())
        .ok_or_else(|| CallError {
            code: "InvalidResponse".to_string(),
            message: format!("DescribeKey on {key} answered without its manager"),
        })
}
