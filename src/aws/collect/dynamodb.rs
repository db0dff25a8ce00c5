//! DynamoDB tables in one region: the listing names them, DescribeTable reads each;
//! point-in-time recovery and tags cost a call each, the key's manager one per key
//! (`Scope::key_manager`), the auto scaling of provisioned capacity two per region
//! (`autoscaling::Scaled`), made only when a rule reads them.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use tokio::sync::OnceCell;

use super::autoscaling::Scaled;
use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::dynamodb::Table;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::DynamodbTable;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .list_tables()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let scaling = OnceCell::new();
    scope
        .each_listed(KIND, region, "ListTables", listed, |name| {
            table(scope, &client, region, &scaling, name)
        })
        .await
}

/// The region's auto scaling, read by the first provisioned table that asks.
type Scaling = OnceCell<Result<Arc<Scaled>, CallError>>;

/// One table again, by its name.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let scaling = OnceCell::new();
    table(scope, &client, &wanted.region, &scaling, wanted.id.clone()).await
}

async fn table(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    scaling: &Scaling,
    name: String,
) -> Collected {
    let mut attrs = Attributes::new(scope, KIND, &name, region);
    // Every listed attribute comes from DescribeTable: without it nothing is known.
    let described = match c.describe_table().table_name(&name).send().await {
        Ok(out) => out.table,
        Err(e) => {
            attrs.fail_all("DescribeTable", e.into());
            None
        }
    };
    let Some(t) = described else {
        let table = Table {
            table_name: name,
            ..Table::default()
        };
        return attrs.finish(None, Properties::DynamodbTable(table));
    };
    let arn = t.table_arn().map(str::to_string);
    let mut table = Table {
        table_name: name.clone(),
        status: t
            .table_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        // A table without a billing summary was created provisioned.
        billing_mode: t
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map_or("PROVISIONED", |m| m.as_str())
            .to_string(),
        deletion_protection: t.deletion_protection_enabled().unwrap_or(false),
        // No SSE description, or one not enabled: DynamoDB's own key.
        kms_key_arn: t
            .sse_description()
            .filter(|d| d.status().is_some_and(|s| s.as_str() == "ENABLED"))
            .and_then(|d| d.kms_master_key_arn())
            .map(str::to_string),
        ..Table::default()
    };
    // On-demand capacity scales by itself: only a provisioned table asks.
    if table.billing_mode != "PROVISIONED" {
        table.capacity_scales = Some(true);
    } else {
        table.capacity_scales = attrs
            .get(&["capacity_scales"], || async {
                let scaled = scaling
                    .get_or_init(|| async { Scaled::read(scope, region).await.map(Arc::new) })
                    .await;
                scaled.clone().map(|s| s.covers(&t))
            })
            .await;
    }
    let key = table.kms_key_arn.clone();
    table.kms_key_manager = attrs
        .get(&["kms_key_manager"], || {
            scope.key_manager(key.as_deref(), region)
        })
        .await;
    table.point_in_time_recovery = attrs
        .get(&["point_in_time_recovery"], || recovery(c, &name))
        .await;
    if let Some(arn) = arn.clone() {
        table.tags = attrs.get(&["tags"], || tags(c, arn)).await;
    }
    attrs.finish(arn, Properties::DynamodbTable(table))
}

async fn recovery(c: &Client, name: &str) -> Result<String, CallError> {
    let out = c
        .describe_continuous_backups()
        .table_name(name)
        .send()
        .await?;
    // No description is no recovery: DynamoDB has it off until it is turned on.
    Ok(out
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        .map_or("DISABLED", |s| s.as_str())
        .to_string())
}

async fn tags(c: &Client, arn: String) -> Result<crate::model::Tags, CallError> {
    let mut all = crate::model::Tags::new();
    let mut next = None;
    loop {
        let page = c
            .list_tags_of_resource()
            .resource_arn(&arn)
            .set_next_token(next)
            .send()
            .await?;
        all.extend(super::tag_map(
            page.tags().iter().map(|t| (Some(t.key()), Some(t.value()))),
        ));
        next = page.next_token().map(str::to_string);
        if next.is_none() {
            return Ok(all);
        }
    }
}
