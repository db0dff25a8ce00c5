//! EFS file systems in one region: DescribeFileSystems pages answer every attribute,
//! tags included.

use aws_sdk_efs::types::FileSystemDescription;
use aws_sdk_efs::Client;

use super::{resource, tag_map, Collected, Collector, Scope, Wanted};
use crate::model::efs::FileSystem;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::EfsFileSystem;
const LISTING: &str = "DescribeFileSystems";

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region, None)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

/// One file system again, by its id.
async fn one<'a>(scope: &'a Scope<'a>, wanted: &'a Wanted) -> Collected {
    collect(scope, &wanted.region, Some(&wanted.id)).await
}

async fn collect(scope: &Scope<'_>, region: &str, only: Option<&str>) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let _permit = scope.limit.acquire().await;
    let listed = client
        .describe_file_systems()
        .set_file_system_id(only.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(found) => Collected {
            resources: found.iter().map(|f| file_system(region, f)).collect(),
            errors: Vec::new(),
        },
        Err(e) => scope.listing_failed(KIND, region, LISTING, e.into()),
    }
}

fn file_system(region: &str, f: &FileSystemDescription) -> crate::model::Resource {
    let id = f.file_system_id().to_string();
    let model = FileSystem {
        file_system_id: id.clone(),
        name: f.name().filter(|n| !n.is_empty()).map(str::to_string),
        life_cycle_state: f.life_cycle_state().as_str().to_string(),
        encrypted: f.encrypted().unwrap_or(false),
        kms_key_id: f.kms_key_id().map(str::to_string),
        tags: tag_map(f.tags().iter().map(|t| (Some(t.key()), Some(t.value())))),
    };
    resource(
        &id,
        f.file_system_arn(),
        region,
        Properties::EfsFileSystem(model),
    )
}
