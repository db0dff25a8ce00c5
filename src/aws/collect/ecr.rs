//! ECR private repositories in one region: DescribeRepositories lists them with their
//! tag mutability and encryption; the scanning each gets (the registry's rules applied)
//! is asked for 25 repositories a call; the lifecycle policy, the repository policy and
//! tags cost a call each, made only when a rule reads them.

use std::collections::HashMap;

use aws_sdk_ecr::types::Repository as Listed;
use aws_sdk_ecr::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::{or_absent, CallError};
use crate::model::ecr::{Repository, SCANNING_CONFIGURATION};
use crate::model::policy::ResourcePolicy;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::EcrRepository;
/// BatchGetRepositoryScanningConfiguration takes at most 25 names.
const SCANNING_BATCH: usize = 25;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .describe_repositories()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(repositories) => repositories_found(scope, &client, region, repositories).await,
        Err(e) => scope.listing_failed(KIND, region, "DescribeRepositories", e.into()),
    }
}

/// One repository again, by its name.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let listed = client
        .describe_repositories()
        .repository_names(&wanted.id)
        .send()
        .await;
    match listed {
        Ok(out) => {
            repositories_found(
                scope,
                &client,
                &wanted.region,
                out.repositories.unwrap_or_default(),
            )
            .await
        }
        Err(e) => scope.listing_failed(KIND, &wanted.region, "DescribeRepositories", e.into()),
    }
}

async fn repositories_found(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    listed: Vec<Listed>,
) -> Collected {
    let names: Vec<String> = listed
        .iter()
        .filter_map(|r| r.repository_name().map(str::to_string))
        .collect();
    let mut scanning = scope
        .batched(KIND, &["scan_frequency"], &names, SCANNING_BATCH, |batch| {
            scan_frequencies(c, batch)
        })
        .await;
    let items: Vec<_> = listed
        .into_iter()
        .map(|r| {
            let frequency = scanning.remove(r.repository_name().unwrap_or_default());
            (r, frequency)
        })
        .collect();
    scope
        .each(items, |(r, frequency)| {
            repository(scope, c, region, r, frequency)
        })
        .await
}

async fn repository(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    listed: Listed,
    frequency: Option<Result<String, CallError>>,
) -> Collected {
    let name = listed.repository_name().unwrap_or_default().to_string();
    let arn = listed.repository_arn().map(str::to_string);
    let encryption = listed.encryption_configuration();
    let mut attrs = Attributes::new(scope, KIND, &name, region);
    let mut repository = Repository {
        name: name.clone(),
        image_tag_mutability: listed
            .image_tag_mutability()
            .map_or("MUTABLE", |m| m.as_str())
            .to_string(),
        encryption_type: encryption
            .map_or("AES256", |e| e.encryption_type().as_str())
            .to_string(),
        kms_key: encryption.and_then(|e| e.kms_key()).map(str::to_string),
        ..Repository::default()
    };
    repository.scan_frequency = attrs
        .get(&["scan_frequency"], || async move {
            frequency.unwrap_or_else(|| {
                Err(CallError {
                    code: "NotAsked".to_string(),
                    message: format!("{SCANNING_CONFIGURATION} was not asked about {name}"),
                })
            })
        })
        .await;
    let name = &repository.name;
    repository.lifecycle_policy = attrs
        .get(&["lifecycle_policy"], || lifecycle_policy(c, name))
        .await;
    repository.policy = attrs.get(&["policy"], || policy(c, name)).await;
    if let Some(arn) = arn.clone() {
        repository.tags = attrs.get(&["tags"], || tags(c, arn)).await;
    }
    attrs.finish(arn, Properties::EcrRepository(repository))
}

/// The scan frequency of each repository in `names`, as ECR applies the registry's rules.
async fn scan_frequencies(
    c: &Client,
    names: Vec<String>,
) -> Result<HashMap<String, String>, CallError> {
    let out = c
        .batch_get_repository_scanning_configuration()
        .set_repository_names(Some(names))
        .send()
        .await?;
    Ok(out
        .scanning_configurations()
        .iter()
        .filter_map(|s| {
            let name = s.repository_name()?.to_string();
            let frequency = s.scan_frequency().map_or("MANUAL", |f| f.as_str());
            Some((name, frequency.to_string()))
        })
        .collect())
}

async fn lifecycle_policy(c: &Client, name: &str) -> Result<bool, CallError> {
    let answer = c
        .get_lifecycle_policy()
        .repository_name(name)
        .send()
        .await
        .map(|out| out.lifecycle_policy_text().is_some_and(|t| !t.is_empty()))
        .map_err(CallError::from);
    or_absent(answer, &["LifecyclePolicyNotFoundException"], || false)
}

async fn policy(c: &Client, name: &str) -> Result<ResourcePolicy, CallError> {
    let answer = c
        .get_repository_policy()
        .repository_name(name)
        .send()
        .await
        .map(|out| out.policy_text)
        .map_err(CallError::from);
    let document = or_absent(answer, &["RepositoryPolicyNotFoundException"], || None)?;
    super::resource_policy(document.as_deref())
}

async fn tags(c: &Client, arn: String) -> Result<crate::model::Tags, CallError> {
    let out = c.list_tags_for_resource().resource_arn(arn).send().await?;
    Ok(super::tag_map(
        out.tags().iter().map(|t| (Some(t.key()), Some(t.value()))),
    ))
}
