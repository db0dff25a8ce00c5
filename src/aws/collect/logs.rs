//! CloudWatch Logs log groups in one region: one paginated DescribeLogGroups holds
//! every attribute the rules read, so a log group costs no call of its own.

use aws_sdk_cloudwatchlogs::types;
use aws_sdk_cloudwatchlogs::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::model::logs::LogGroup;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::LogGroup;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .describe_log_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    scope
        .each_listed(
            KIND,
            region,
            "DescribeLogGroups",
            listed,
            |group| async move { log_group(scope, region, &group) },
        )
        .await
}

/// One log group again: listed by its name as a prefix, then matched exactly.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let listed = client
        .describe_log_groups()
        .log_group_name_prefix(&wanted.id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let exact = listed.map(|groups| {
        groups
            .into_iter()
            .filter(|g| g.log_group_name() == Some(wanted.id.as_str()))
            .collect::<Vec<_>>()
    });
    scope
        .each_listed(
            KIND,
            &wanted.region,
            "DescribeLogGroups",
            exact,
            |group| async move { log_group(scope, &wanted.region, &group) },
        )
        .await
}

fn log_group(scope: &Scope<'_>, region: &str, g: &types::LogGroup) -> Collected {
    let name = g.log_group_name().unwrap_or_default().to_string();
    let attrs = Attributes::new(scope, KIND, &name, region);
    // `arn` ends in `:*`; `log_group_arn` is the group's own ARN.
    let arn = g
        .log_group_arn()
        .map(str::to_string)
        .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()));
    attrs.finish(
        arn,
        Properties::LogGroup(LogGroup {
            name,
            retention_in_days: g.retention_in_days().map(i64::from),
            kms_key_id: g.kms_key_id().map(str::to_string),
        }),
    )
}
