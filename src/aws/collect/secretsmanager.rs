//! Secrets Manager secrets in one region: ListSecrets pages answer every attribute,
//! tags included, but who manages the key (`Scope::key_manager`, one call per key, only
//! when a rule reads it). No secret's value is ever read.

use aws_sdk_secretsmanager::types::SecretListEntry;
use aws_sdk_secretsmanager::Client;

use super::{tag_map, time, Attributes, Collected, Collector, Scope, Wanted};
use crate::model::secretsmanager::Secret;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::Secret;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region, None)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

/// One secret again, by its name.
async fn one<'a>(scope: &'a Scope<'a>, wanted: &'a Wanted) -> Collected {
    collect(scope, &wanted.region, Some(&wanted.id)).await
}

async fn collect(scope: &Scope<'_>, region: &str, only: Option<&str>) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let _permit = scope.limit.acquire().await;
    let filter = only.map(|name| {
        aws_sdk_secretsmanager::types::Filter::builder()
            .key(aws_sdk_secretsmanager::types::FilterNameStringType::Name)
            .values(name)
            .build()
    });
    // The paginator yields pages only: each page's list, in order.
    let listed: Result<Vec<SecretListEntry>, _> = client
        .list_secrets()
        .set_filters(filter.map(|f| vec![f]))
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map(|pages| {
            pages
                .into_iter()
                .flat_map(|p| p.secret_list.unwrap_or_default())
                .collect()
        });
    drop(_permit);
    match listed {
        Ok(found) => {
            // A name filter matches prefixes: keep the one asked for.
            let found: Vec<SecretListEntry> = found
                .into_iter()
                .filter(|s| only.is_none_or(|name| s.name() == Some(name)))
                .collect();
            scope.each(found, |s| secret(scope, region, s)).await
        }
        Err(e) => scope.listing_failed(KIND, region, "ListSecrets", e.into()),
    }
}

async fn secret(scope: &Scope<'_>, region: &str, s: SecretListEntry) -> Collected {
    let name = s.name().unwrap_or_default().to_string();
    let mut attrs = Attributes::new(scope, KIND, &name, region);
    let mut model = Secret {
        name: name.clone(),
        kms_key_id: s.kms_key_id().map(str::to_string),
        rotation_enabled: s.rotation_enabled().unwrap_or(false),
        rotation_days: s
            .rotation_rules()
            .and_then(|r| r.automatically_after_days()),
        last_rotated: time(s.last_rotated_date()),
        next_rotation: time(s.next_rotation_date()),
        last_accessed: time(s.last_accessed_date()),
        created: time(s.created_date()),
        tags: tag_map(s.tags().iter().map(|t| (t.key(), t.value()))),
        ..Secret::default()
    };
    let key = model.kms_key_id.clone();
    model.kms_key_manager = attrs
        .get(&["kms_key_manager"], || {
            scope.key_manager(key.as_deref(), region)
        })
        .await;
    attrs.finish(s.arn().map(str::to_string), Properties::Secret(model))
}
