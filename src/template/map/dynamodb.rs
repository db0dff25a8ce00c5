//! `AWS::DynamoDB::Table` (and `GlobalTable`'s shape is not read), with the
//! `AWS::ApplicationAutoScaling::ScalableTarget`s that scale a provisioned table
//! folded in. Defaults from the CloudFormation reference: billing mode `PROVISIONED`,
//! deletion protection off, point-in-time recovery off, encryption with a key DynamoDB
//! owns (`SSESpecification.SSEEnabled: true` without a key means the `aws/dynamodb`
//! AWS managed key).

use std::collections::BTreeSet;

use crate::model::dynamodb::Table;
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node, Value};

use super::{key_manager, tags, Input, Targets};

pub fn table(input: &mut Input<'_>) -> Properties {
    let table_name = input.named("TableName");
    let p = input.props;
    let billing_mode = optional(p.get("BillingMode"), Node::text)
        .ok()
        .flatten()
        .unwrap_or_else(|| "PROVISIONED".into());
    let deletion_protection = input
        .attr("deletion_protection", &["DeletionProtectionEnabled"], |p| {
            Ok(optional(p.get("DeletionProtectionEnabled"), Node::boolean)?.unwrap_or(false))
        })
        .unwrap_or_default();
    let sse = input.attr("kms_key_manager", &["SSESpecification"], |p| {
        let spec = p.get("SSESpecification");
        let enabled =
            optional(spec.and_then(|s| s.get("SSEEnabled")), Node::boolean)?.unwrap_or(false);
        let key = spec.and_then(|s| s.get("KMSMasterKeyId"));
        Ok(match (enabled, key) {
            (false, _) => (None, None),
            (true, None) => (
                Some("alias/aws/dynamodb".to_string()),
                Some("AWS".to_string()),
            ),
            (true, Some(key)) => (Some(key.text()?), Some(key_manager(key)?.to_string())),
        })
    });
    let (kms_key_arn, kms_key_manager) = sse.unwrap_or_default();
    let capacity_scales = Some(billing_mode == "PAY_PER_REQUEST");
    if billing_mode != "PAY_PER_REQUEST" {
        for dimension in wanted(p) {
            input.note(dimension);
        }
    }
    let point_in_time_recovery = input.attr(
        "point_in_time_recovery",
        &["PointInTimeRecoverySpecification"],
        |p| {
            let on = optional(
                p.path(&[
                    "PointInTimeRecoverySpecification",
                    "PointInTimeRecoveryEnabled",
                ]),
                Node::boolean,
            )?;
            Ok(if on == Some(true) {
                "ENABLED"
            } else {
                "DISABLED"
            }
            .to_string())
        },
    );
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::DynamodbTable(Table {
        table_name,
        status: "ACTIVE".into(),
        billing_mode,
        deletion_protection,
        kms_key_arn,
        kms_key_manager,
        capacity_scales,
        point_in_time_recovery,
        tags,
    })
}

/// `AWS::Serverless::SimpleTable` (SAM): a table with a primary key, on demand unless
/// it gives `ProvisionedThroughput` (then without auto scaling), encrypted as
/// `SSESpecification` says; SAM cannot turn point-in-time recovery or deletion
/// protection on.
pub fn simple_table(input: &mut Input<'_>) -> Properties {
    let table_name = input.named("TableName");
    let provisioned = input.props.get("ProvisionedThroughput").is_some();
    let sse = input.attr("kms_key_manager", &["SSESpecification"], |p| {
        let on = optional(p.path(&["SSESpecification", "SSEEnabled"]), Node::boolean)?;
        Ok(on == Some(true))
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::DynamodbTable(Table {
        table_name,
        status: "ACTIVE".into(),
        billing_mode: if provisioned {
            "PROVISIONED"
        } else {
            "PAY_PER_REQUEST"
        }
        .into(),
        deletion_protection: false,
        kms_key_arn: (sse == Some(true)).then(|| "alias/aws/dynamodb".to_string()),
        kms_key_manager: (sse == Some(true)).then(|| "AWS".to_string()),
        capacity_scales: Some(!provisioned),
        point_in_time_recovery: Some("DISABLED".into()),
        tags,
    })
}

/// The read and write dimensions a provisioned table and each of its global secondary
/// indexes need scaled.
fn wanted(p: &Node) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = ["table:ReadCapacityUnits", "table:WriteCapacityUnits"]
        .map(String::from)
        .into();
    if let Some(Ok(indexes)) = p.get("GlobalSecondaryIndexes").map(Node::list) {
        for index in indexes {
            if let Some(Ok(name)) = index.get("IndexName").map(Node::text) {
                out.insert(format!("index/{name}:ReadCapacityUnits"));
                out.insert(format!("index/{name}:WriteCapacityUnits"));
            }
        }
    }
    out
}

/// `AWS::ApplicationAutoScaling::ScalableTarget` on a DynamoDB table or index
/// (`ResourceId: table/NAME[/index/INDEX]`): a provisioned table scales when every
/// dimension `wanted` lists has a target.
pub fn scalable_target(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let text = |key| p.get(key).and_then(|v| v.text().ok());
    let (Some(namespace), Some(resource), Some(dimension)) = (
        text("ServiceNamespace"),
        text("ResourceId"),
        text("ScalableDimension"),
    ) else {
        return;
    };
    let Some(rest) = resource
        .strip_prefix("table/")
        .filter(|_| namespace == "dynamodb")
    else {
        return;
    };
    let (table, index) = match rest.split_once("/index/") {
        Some((table, index)) => (table, Some(index)),
        None => (rest, None),
    };
    let unit = dimension.rsplit(':').next().unwrap_or_default();
    let key = match index {
        Some(index) => format!("index/{index}:{unit}"),
        None => format!("table:{unit}"),
    };
    let reference = Node::new(Value::Scalar(table.to_string()), p.line);
    targets.each(&reference, ResourceKind::DynamodbTable, |props, marks| {
        let Properties::DynamodbTable(t) = props else {
            return;
        };
        if marks.notes.remove(&key) && marks.notes.is_empty() {
            t.capacity_scales = Some(true);
        }
    });
}
