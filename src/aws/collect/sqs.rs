//! SQS queues in one region: one GetQueueAttributes answers encryption and policy; tags
//! cost a call each, the key's manager one per key (`Scope::key_manager`), made only when
//! a rule reads them.

use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::policy::ResourcePolicy;
use crate::model::sqs::{Queue, QueueEncryption};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::SqsQueue;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .list_queues()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    scope
        .each_listed(KIND, region, "ListQueues", listed, |url| {
            queue(scope, &client, region, url)
        })
        .await
}

/// One queue again, by its name.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    match client.get_queue_url().queue_name(&wanted.id).send().await {
        Ok(out) => {
            let url = out.queue_url().unwrap_or_default().to_string();
            queue(scope, &client, &wanted.region, url).await
        }
        Err(e) => scope.listing_failed(KIND, &wanted.region, "GetQueueUrl", e.into()),
    }
}

async fn queue(scope: &Scope<'_>, c: &Client, region: &str, url: String) -> Collected {
    let name = url.rsplit('/').next().unwrap_or_default().to_string();
    let arn = format!("arn:aws:sqs:{region}:{}:{name}", scope.session.account_id);
    let mut attrs = Attributes::new(scope, KIND, &name, region);
    let mut queue = Queue {
        name,
        ..Queue::default()
    };
    // The key's manager needs the attributes first: a failed call errors all three.
    if let Some((encryption, policy)) = attrs
        .get(&["encryption", "policy", "kms_key_manager"], || {
            attributes(c, &url)
        })
        .await
    {
        let key = encryption.kms_master_key_id.clone();
        queue.kms_key_manager = attrs
            .get(&["kms_key_manager"], || {
                scope.key_manager(key.as_deref(), region)
            })
            .await;
        queue.encryption = Some(encryption);
        queue.policy = Some(policy);
    }
    queue.tags = attrs.get(&["tags"], || tags(c, &url)).await;
    attrs.finish(Some(arn), Properties::SqsQueue(queue))
}

async fn attributes(c: &Client, url: &str) -> Result<(QueueEncryption, ResourcePolicy), CallError> {
    let out = c
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await?;
    let get = |name: QueueAttributeName| {
        out.attributes()
            .and_then(|m| m.get(&name))
            .filter(|v| !v.is_empty())
    };
    let encryption = QueueEncryption {
        sqs_managed: get(QueueAttributeName::SqsManagedSseEnabled).is_some_and(|v| v == "true"),
        kms_master_key_id: get(QueueAttributeName::KmsMasterKeyId).cloned(),
    };
    let policy = super::resource_policy(get(QueueAttributeName::Policy).map(String::as_str))?;
    Ok((encryption, policy))
}

async fn tags(c: &Client, url: &str) -> Result<crate::model::Tags, CallError> {
    let out = c.list_queue_tags().queue_url(url).send().await?;
    Ok(out
        .tags()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}
