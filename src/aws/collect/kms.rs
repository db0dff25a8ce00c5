//! Customer-managed KMS keys in one region. ListKeys names every key; DescribeKey (one
//! per key, always) tells customer keys from AWS-managed ones, which are skipped.

use aws_sdk_kms::types::KeyListEntry;
use aws_sdk_kms::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::kms::{Key, Rotation};
use crate::model::policy::ResourcePolicy;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::KmsKey;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .list_keys()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    scope
        .each_listed(KIND, region, "ListKeys", listed, |k| {
            key(scope, &client, region, k)
        })
        .await
}

/// One key again: nothing when it is no longer a customer-managed key.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let entry = KeyListEntry::builder()
        .key_id(&wanted.id)
        .set_key_arn(wanted.arn.clone())
        .build();
    key(scope, &client, &wanted.region, entry).await
}

async fn key(scope: &Scope<'_>, c: &Client, region: &str, entry: KeyListEntry) -> Collected {
    let id = entry.key_id().unwrap_or_default().to_string();
    let mut attrs = Attributes::new(scope, KIND, &id, region);
    // A key's metadata always names its manager: an answer without it says nothing.
    let described = c.describe_key().key_id(&id).send().await;
    let meta = match described.map(|out| out.key_metadata) {
        Ok(Some(meta)) if meta.key_manager().is_some() => meta,
        failed => {
            // Unknown whether it is a customer key: every needed attribute is unknown.
            let error = failed.err().map_or_else(
                || CallError {
                    code: "InvalidResponse".to_string(),
                    message: "DescribeKey answered without the key's manager".to_string(),
                },
                CallError::from,
            );
            attrs.fail_all("DescribeKey", error);
            let key = Key {
                key_id: id,
                ..Key::default()
            };
            return attrs.finish(entry.key_arn().map(str::to_string), Properties::KmsKey(key));
        }
    };
    if meta.key_manager().is_some_and(|k| k.as_str() != "CUSTOMER") {
        return Collected::default();
    }
    let mut key = Key {
        key_id: id.clone(),
        description: meta.description().unwrap_or_default().to_string(),
        key_state: meta
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        key_spec: meta
            .key_spec()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        key_usage: meta
            .key_usage()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        origin: meta
            .origin()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        deletion_date: super::time(meta.deletion_date()),
        ..Key::default()
    };
    // KMS answers rotation only for enabled or disabled symmetric keys.
    if key.key_spec == "SYMMETRIC_DEFAULT"
        && matches!(key.key_state.as_str(), "Enabled" | "Disabled")
    {
        key.rotation = attrs.get(&["rotation"], || rotation(c, &id)).await;
    }
    key.policy = attrs.get(&["policy"], || key_policy(c, &id)).await;
    key.tags = attrs.get(&["tags"], || tags(c, &id)).await;
    attrs.finish(meta.arn().map(str::to_string), Properties::KmsKey(key))
}

async fn rotation(c: &Client, id: &str) -> Result<Rotation, CallError> {
    let out = c.get_key_rotation_status().key_id(id).send().await?;
    Ok(Rotation {
        enabled: out.key_rotation_enabled(),
    })
}

async fn key_policy(c: &Client, id: &str) -> Result<ResourcePolicy, CallError> {
    let out = c
        .get_key_policy()
        .key_id(id)
        .policy_name("default")
        .send()
        .await?;
    // Every key has a policy: an answer without one is not "no policy".
    let document = out
        .policy()
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| CallError {
            code: "InvalidResponse".to_string(),
            message: "GetKeyPolicy answered without the key's policy".to_string(),
        })?;
    super::resource_policy(Some(document))
}

async fn tags(c: &Client, id: &str) -> Result<crate::model::Tags, CallError> {
    let tags = c
        .list_resource_tags()
        .key_id(id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await?;
    Ok(super::tag_map(
        tags.iter()
            .map(|t| (Some(t.tag_key()), Some(t.tag_value()))),
    ))
}
