//! The findings history table's calls: the Lambda's `BatchWriteItem` of a run's items
//! (25 a call, the API's most, with what DynamoDB leaves unprocessed sent again with
//! backoff) and `report --resource`'s `Query` of one resource's items (paginated).

use std::collections::HashMap;
#[cfg(feature = "lambda")]
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
#[cfg(feature = "lambda")]
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;

use super::errors::CallError;
use crate::history::table::Item;

#[cfg(feature = "lambda")]
const BATCH: usize = 25;
#[cfg(feature = "lambda")]
const RESENDS: u32 = 5;

/// Writes `items` into `table`; how many were written, or why not all of them were.
#[cfg(feature = "lambda")]
pub async fn write(client: &Client, table: &str, items: &[Item]) -> Result<usize, String> {
    let mut written = 0;
    for chunk in items.chunks(BATCH) {
        let mut pending: Vec<WriteRequest> = chunk.iter().map(request).collect();
        for attempt in 0..=RESENDS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
            let sent = pending.len();
            let out = client
                .batch_write_item()
                .request_items(table, std::mem::take(&mut pending))
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "cannot write the findings history to {table}: BatchWriteItem failed: {}",
                        CallError::from(e)
                    )
                })?;
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
            written += sent - pending.len();
            if pending.is_empty() {
                break;
            }
        }
        if !pending.is_empty() {
            return Err(format!(
                "cannot write the findings history to {table}: {} item(s) still unprocessed after {RESENDS} resends ({written} written)",
                pending.len()
            ));
        }
    }
    Ok(written)
}

/// Every item of `resource` in `table`.
pub async fn history(client: &Client, table: &str, resource: &str) -> Result<Vec<Item>, String> {
    let mut pages = client
        .query()
        .table_name(table)
        .key_condition_expression("#r = :r")
        .expression_attribute_names("#r", "resource")
        .expression_attribute_values(":r", AttributeValue::S(resource.to_string()))
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            format!(
                "cannot read the findings history in {table}: Query failed: {}",
                CallError::from(e)
            )
        })?;
        for item in page.items() {
            out.push(
                from_attributes(item)
                    .map_err(|e| format!("{table} holds an item this version cannot read: {e}"))?,
            );
        }
    }
    Ok(out)
}

#[cfg(feature = "lambda")]
fn request(item: &Item) -> WriteRequest {
    let s = |v: &str| AttributeValue::S(v.to_string());
    let mut attributes = HashMap::from([
        ("resource".to_string(), s(&item.resource)),
        ("evaluated".to_string(), s(&item.evaluated)),
        ("rule_id".to_string(), s(&item.rule_id)),
        ("status".to_string(), s(&item.status)),
        ("severity".to_string(), s(&item.severity)),
        ("region".to_string(), s(&item.region)),
        ("resource_type".to_string(), s(&item.resource_type)),
        ("detail".to_string(), s(&item.detail)),
        ("scan_id".to_string(), s(&item.scan_id)),
        (
            "expires_at".to_string(),
            AttributeValue::N(item.expires_at.to_string()),
        ),
    ]);
    if let Some(account) = &item.account_id {
        attributes.insert("account_id".to_string(), s(account));
    }
    let put = PutRequest::builder()
        .set_item(Some(attributes))
        .build()
        .expect("an item is set");
    WriteRequest::builder().put_request(put).build()
}

fn from_attributes(item: &HashMap<String, AttributeValue>) -> Result<Item, String> {
    let s = |k: &str| -> Result<String, String> {
        match item.get(k) {
            Some(AttributeValue::S(v)) => Ok(v.clone()),
            _ => Err(format!("no text attribute {k}")),
        }
    };
    let expires_at = match item.get("expires_at") {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| format!("expires_at is {n}"))?,
        _ => return Err("no number attribute expires_at".into()),
    };
    Ok(Item {
        resource: s("resource")?,
        account_id: s("account_id").ok(),
        evaluated: s("evaluated")?,
        rule_id: s("rule_id")?,
        status: s("status")?,
        severity: s("severity")?,
        region: s("region")?,
        resource_type: s("resource_type")?,
        detail: s("detail")?,
        scan_id: s("scan_id")?,
        expires_at,
    })
}

#[cfg(all(test, feature = "lambda"))]
mod tests {
    use super::*;

    #[test]
    fn an_item_reads_back_as_it_was_written() {
        let mut item = Item {
            resource: "arn:aws:s3:::b".into(),
            account_id: None,
            evaluated: "2026-12-03T00:00:00Z#s3-bucket-versioning-enabled".into(),
            rule_id: "s3-bucket-versioning-enabled".into(),
            status: "FAIL".into(),
            severity: "medium".into(),
            region: "us-east-1".into(),
            resource_type: "aws.s3.bucket".into(),
            detail: "versioning is Disabled".into(),
            scan_id: "s".into(),
            expires_at: 1_800_000_000,
        };
        let written = request(&item).put_request.unwrap().item;
        assert_eq!(from_attributes(&written).unwrap(), item);
        item.account_id = Some("111122223333".into());
        let written = request(&item).put_request.unwrap().item;
        assert_eq!(from_attributes(&written).unwrap(), item);
        let mut broken = written.clone();
        broken.remove("status");
        assert!(from_attributes(&broken).unwrap_err().contains("status"));
    }
}
