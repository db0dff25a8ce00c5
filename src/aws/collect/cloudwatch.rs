//! CIS 4.1–4.15 for the account: the logging multi-region trails that deliver to
//! CloudWatch Logs (with all management events), their log groups' metric filters, the
//! alarms on those filters' metrics and the SNS topics the alarms notify. A class of
//! events is monitored when one chain reaches a topic with a confirmed subscription.
//! Each call is made only for what the chain still needs: the alarms of a region only
//! when one of its filters catches a class, a topic's subscriptions only when an alarm
//! names it.

use std::collections::{BTreeMap, BTreeSet};

use super::{error, resource, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::iam::GLOBAL;
use crate::model::monitoring::{classes_caught, monitored_group, Monitoring};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::Monitoring;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, _home| Box::pin(collect(scope)),
    one: |scope, _wanted: &Wanted| Box::pin(collect(scope)),
};

async fn collect(scope: &Scope<'_>) -> Collected {
    let id = scope.session.account_id.clone();
    let mut out = Collected::default();
    let monitoring = match monitoring(scope).await {
        Ok(m) => m,
        Err((operation, e)) => {
            let attrs = ["monitored", "trails"];
            out.errors
                .push(error(KIND, GLOBAL, Some(&id), &attrs, operation, e));
            Monitoring::default()
        }
    };
    let properties = Properties::Monitoring(monitoring);
    out.resources.push(resource(&id, None, GLOBAL, properties));
    out
}

type Failure = (&'static str, CallError);

async fn monitoring(scope: &Scope<'_>) -> Result<Monitoring, Failure> {
    let trails = super::cloudtrail::every_trail(scope).await?;
    let mut out = Monitoring::default();
    // Log groups (region, name) the qualifying trails deliver to.
    let mut groups: BTreeSet<(String, String)> = BTreeSet::new();
    for t in trails.iter().map(|f| &f.trail) {
        if let Some(group) = monitored_group(t) {
            groups.insert(group);
            out.trails.push(t.name.clone());
        }
    }
    out.trails.sort();
    // Metrics (region, namespace, name) → the classes their filters catch.
    let mut metrics: BTreeMap<(String, String, String), BTreeSet<&'static str>> = BTreeMap::new();
    for (region, group) in &groups {
        let logs = aws_sdk_cloudwatchlogs::Client::new(&scope.session.regional(region));
        let filters = logs
            .describe_metric_filters()
            .log_group_name(group)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| ("DescribeMetricFilters", CallError::from(e)))?;
        for f in filters {
            let caught = classes_caught(f.filter_pattern().unwrap_or_default());
            if caught.is_empty() {
                continue;
            }
            for m in f.metric_transformations() {
                let key = (
                    region.clone(),
                    m.metric_namespace().to_string(),
                    m.metric_name().to_string(),
                );
                metrics
                    .entry(key)
                    .or_default()
                    .extend(caught.iter().copied());
            }
        }
    }
    // Alarms of the regions holding such metrics; the topics they notify.
    let regions: BTreeSet<&String> = metrics.keys().map(|(r, _, _)| r).collect();
    let mut topic_classes: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for region in regions {
        let cloudwatch = aws_sdk_cloudwatch::Client::new(&scope.session.regional(region));
        let pages: Vec<_> = cloudwatch
            .describe_alarms()
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| ("DescribeAlarms", CallError::from(e)))?;
        for alarm in pages.iter().flat_map(|p| p.metric_alarms()) {
            let key = (
                region.clone(),
                alarm.namespace().unwrap_or_default().to_string(),
                alarm.metric_name().unwrap_or_default().to_string(),
            );
            let Some(classes) = metrics.get(&key) else {
                continue;
            };
            if alarm.actions_enabled() == Some(false) {
                continue;
            }
            for action in alarm
                .alarm_actions()
                .iter()
                .filter(|a| a.split(':').nth(2) == Some("sns"))
            {
                topic_classes
                    .entry(action.clone())
                    .or_default()
                    .extend(classes.iter().copied());
            }
        }
    }
    // A topic counts when someone confirmed a subscription to it.
    let mut monitored: BTreeSet<&'static str> = BTreeSet::new();
    for (topic, classes) in &topic_classes {
        if classes.is_subset(&monitored) {
            continue;
        }
        let region = topic.split(':').nth(3).unwrap_or_default();
        let sns = aws_sdk_sns::Client::new(&scope.session.regional(region));
        let subscriptions = sns
            .list_subscriptions_by_topic()
            .topic_arn(topic)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| ("ListSubscriptionsByTopic", CallError::from(e)))?;
        let confirmed = subscriptions
            .iter()
            .any(|s| s.subscription_arn().is_some_and(|a| a.starts_with("arn:")));
        if confirmed {
            monitored.extend(classes.iter().copied());
        }
    }
    out.monitored = crate::model::monitoring::CLASSES
        .iter()
        .filter(|c| monitored.contains(c.name))
        .map(|c| c.name.to_string())
        .collect();
    Ok(out)
}
