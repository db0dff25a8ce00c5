//! The stack's own buckets: uploading the Lambda package, storing results without
//! overwriting (scans, audits) and the suppression file over its last version, reading
//! stored scans, and emptying every object
//! version and delete marker before the stack is deleted (CloudFormation refuses to
//! delete a bucket that holds anything).

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use aws_sdk_s3::Client;

use super::errors::CallError;
use crate::stack::{scans_from, SCANS_PREFIX};

/// DeleteObjects takes at most this many keys per call.
const BATCH: usize = 1000;

/// Uploads `body` to `key` unless an object is already there (keys name their content).
pub async fn upload_once(
    s3: &Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> Result<bool, CallError> {
    match s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(CallError::from)
    {
        Ok(_) => return Ok(false),
        Err(e) if e.code == "NotFound" || e.code == "NoSuchKey" || e.message.contains("404") => {}
        Err(e) => return Err(e),
    }
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await?;
    Ok(true)
}

/// Deletes every version and delete marker in `bucket`; returns how many went.
pub async fn empty(s3: &Client, bucket: &str) -> Result<usize, CallError> {
    let mut deleted = 0;
    loop {
        // Always the first page: each pass deletes what it lists.
        let page = s3
            .list_object_versions()
            .bucket(bucket)
            .max_keys(BATCH as i32)
            .send()
            .await?;
        let mut ids = Vec::new();
        for v in page.versions() {
            ids.push(identifier(v.key(), v.version_id())?);
        }
        for m in page.delete_markers() {
            ids.push(identifier(m.key(), m.version_id())?);
        }
        if ids.is_empty() {
            return Ok(deleted);
        }
        let count = ids.len();
        let delete = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(|e| CallError {
                code: "InvalidRequest".to_string(),
                message: e.to_string(),
            })?;
        let out = s3
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await?;
        if let Some(err) = out.errors().first() {
            return Err(CallError {
                code: err.code().unwrap_or("DeleteFailed").to_string(),
                message: format!(
                    "{} of {bucket}: {}",
                    err.key().unwrap_or_default(),
                    err.message().unwrap_or_default()
                ),
            });
        }
        deleted += count;
    }
}

fn identifier(key: Option<&str>, version: Option<&str>) -> Result<ObjectIdentifier, CallError> {
    ObjectIdentifier::builder()
        .key(key.unwrap_or_default())
        .set_version_id(version.map(str::to_string))
        .build()
        .map_err(|e| CallError {
            code: "InvalidRequest".to_string(),
            message: e.to_string(),
        })
}

/// The JSON reports the scanner Lambda stored (`scans/YYYY/MM/DD/<id>.json`), from
/// `since` on, as (`s3://bucket/key`, text) pairs.
pub async fn stored_reports(
    s3: &Client,
    bucket: &str,
    since: Option<chrono::NaiveDate>,
) -> Result<Vec<(String, String)>, CallError> {
    let objects = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(SCANS_PREFIX)
        .into_paginator()
        .send()
        .try_collect()
        .await?;
    let after = since.map(scans_from);
    let mut reports = Vec::new();
    for key in objects
        .iter()
        .flat_map(|page| page.contents())
        .filter_map(|o| o.key())
    {
        if !is_report(key) || after.as_deref().is_some_and(|a| key < a) {
            continue;
        }
        reports.push((format!("s3://{bucket}/{key}"), read(s3, bucket, key).await?));
    }
    Ok(reports)
}

/// Whether `key` is a stored report, `scans/YYYY/MM/DD/<id>.json`: not its inventory,
/// nor an organisation run's per-account parts one level deeper (already in its report).
fn is_report(key: &str) -> bool {
    key.ends_with(".json") && !key.ends_with(".inventory.json") && key.matches('/').count() == 4
}

/// The text of the object at `key`.
pub async fn read(s3: &Client, bucket: &str, key: &str) -> Result<String, CallError> {
    let body = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await?
        .body
        .collect()
        .await
        .map_err(|e| CallError {
            code: "ReadFailed".to_string(),
            message: format!("reading {key}: {e}"),
        })?;
    Ok(String::from_utf8_lossy(&body.into_bytes()).into_owned())
}

/// Stores `body` at `key`, replacing what is there (the bucket keeps the old version).
pub async fn put(
    s3: &Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    content_type: &str,
) -> Result<(), CallError> {
    write(s3, bucket, key, body, content_type, false).await
}

/// Stores `body` at `key`, refusing to replace an object that is already there.
pub async fn store_new(
    s3: &Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    content_type: &str,
) -> Result<(), CallError> {
    write(s3, bucket, key, body, content_type, true).await
}

async fn write(
    s3: &Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    content_type: &str,
    only_new: bool,
) -> Result<(), CallError> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .set_if_none_match(only_new.then(|| "*".to_string()))
        .content_type(content_type)
        .body(ByteStream::from(body))
        .send()
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_run_s_own_report_is_a_stored_report() {
        assert!(super::is_report("scans/2026/12/03/nightly-1.json"));
        for not in [
            "scans/2026/12/03/nightly-1.csv",
            "scans/2026/12/03/nightly-1.inventory.json",
            "scans/2026/12/03/nightly-1/accounts.json",
            "scans/2026/12/03/nightly-1/111122223333.json",
            "scans/2026/12/03/nightly-1/111122223333.error.json",
        ] {
            assert!(!super::is_report(not), "{not}");
        }
    }
}
