//! SNS topics in one region: one GetTopicAttributes answers both encryption and policy;
//! subscriptions and tags cost a call each, made only when a rule reads them.

use aws_sdk_sns::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::policy::ResourcePolicy;
use crate::model::sns::{Subscription, Topic, TopicEncryption};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::SnsTopic;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .list_topics()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let arns = listed.map(|topics| {
        topics
            .iter()
            .filter_map(|t| t.topic_arn())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    scope
        .each_listed(KIND, region, "ListTopics", arns, |arn| {
            topic(scope, &client, region, arn)
        })
        .await
}

/// One topic again, by the ARN the finding names.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let arn = wanted.arn.clone().unwrap_or_else(|| wanted.id.clone());
    topic(scope, &client, &wanted.region, arn).await
}

async fn topic(scope: &Scope<'_>, c: &Client, region: &str, arn: String) -> Collected {
    let name = arn.rsplit(':').next().unwrap_or_default().to_string();
    let mut attrs = Attributes::new(scope, KIND, &name, region);
    let mut topic = Topic {
        name: name.clone(),
        ..Topic::default()
    };
    if let Some((encryption, policy)) = attrs
        .get(&["encryption", "policy"], || attributes(c, &arn))
        .await
    {
        topic.encryption = Some(encryption);
        topic.policy = Some(policy);
    }
    topic.subscriptions = attrs
        .get(&["subscriptions"], || subscriptions(c, &arn))
        .await;
    topic.tags = attrs.get(&["tags"], || tags(c, &arn)).await;
    attrs.finish(Some(arn), Properties::SnsTopic(topic))
}

async fn attributes(c: &Client, arn: &str) -> Result<(TopicEncryption, ResourcePolicy), CallError> {
    let out = c.get_topic_attributes().topic_arn(arn).send().await?;
    let map = out.attributes();
    let key = map
        .and_then(|m| m.get("KmsMasterKeyId"))
        .filter(|k| !k.is_empty())
        .cloned();
    let document = map.and_then(|m| m.get("Policy")).filter(|p| !p.is_empty());
    Ok((
        TopicEncryption {
            kms_master_key_id: key,
        },
        super::resource_policy(document.map(String::as_str))?,
    ))
}

async fn subscriptions(c: &Client, arn: &str) -> Result<Vec<Subscription>, CallError> {
    let subs = c
        .list_subscriptions_by_topic()
        .topic_arn(arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await?;
    Ok(subs
        .iter()
        .map(|s| Subscription {
            protocol: s.protocol().unwrap_or_default().to_string(),
        })
        .collect())
}

async fn tags(c: &Client, arn: &str) -> Result<crate::model::Tags, CallError> {
    let out = c.list_tags_for_resource().resource_arn(arn).send().await?;
    Ok(super::tag_map(
        out.tags().iter().map(|t| (Some(t.key()), Some(t.value()))),
    ))
}
