//! EFS file systems and access points in one region: DescribeFileSystems and
//! DescribeAccessPoints pages answer every attribute, tags included; a file system's
//! backup policy costs a call of its own, only when a rule reads it.

use aws_sdk_efs::types::{AccessPointDescription, FileSystemDescription};
use aws_sdk_efs::Client;

use super::{tag_map, Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::{or_absent, CallError};
use crate::model::efs::{AccessPoint, FileSystem};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::EfsFileSystem;
const LISTING: &str = "DescribeFileSystems";

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let mut out = Collected::default();
    if scope.needs.kind(KIND) {
        out.extend(file_systems(scope, &client, region, None).await);
    }
    if scope.needs.kind(ResourceKind::EfsAccessPoint) {
        out.extend(access_points(scope, &client, region, None).await);
    }
    out
}

/// One file system or access point again, by its id.
async fn one<'a>(scope: &'a Scope<'a>, wanted: &'a Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let only = Some(wanted.id.as_str());
    match wanted.kind {
        ResourceKind::EfsAccessPoint => access_points(scope, &client, &wanted.region, only).await,
        _ => file_systems(scope, &client, &wanted.region, only).await,
    }
}

async fn file_systems(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    only: Option<&str>,
) -> Collected {
    let _permit = scope.limit.acquire().await;
    let listed = client
        .describe_file_systems()
        .set_file_system_id(only.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    drop(_permit);
    match listed {
        Ok(found) => {
            scope
                .each(found, |f| file_system(scope, client, region, f))
                .await
        }
        Err(e) => scope.listing_failed(KIND, region, LISTING, e.into()),
    }
}

async fn file_system(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    f: FileSystemDescription,
) -> Collected {
    let id = f.file_system_id().to_string();
    let mut attrs = Attributes::new(scope, KIND, &id, region);
    let mut model = FileSystem {
        file_system_id: id.clone(),
        name: f.name().filter(|n| !n.is_empty()).map(str::to_string),
        life_cycle_state: f.life_cycle_state().as_str().to_string(),
        encrypted: f.encrypted().unwrap_or(false),
        kms_key_id: f.kms_key_id().map(str::to_string),
        tags: tag_map(f.tags().iter().map(|t| (Some(t.key()), Some(t.value())))),
        ..FileSystem::default()
    };
    model.backup_policy = attrs
        .get(&["backup_policy"], || backup_policy(c, &id))
        .await;
    attrs.finish(
        f.file_system_arn().map(str::to_string),
        Properties::EfsFileSystem(model),
    )
}

/// No backup policy ever set is automatic backups off.
async fn backup_policy(c: &Client, id: &str) -> Result<String, CallError> {
    let answer = c
        .describe_backup_policy()
        .file_system_id(id)
        .send()
        .await
        .map(|out| {
            out.backup_policy()
                .map_or("DISABLED", |p| p.status().as_str())
                .to_string()
        })
        .map_err(CallError::from);
    or_absent(answer, &["PolicyNotFound"], || "DISABLED".to_string())
}

async fn access_points(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    only: Option<&str>,
) -> Collected {
    let kind = ResourceKind::EfsAccessPoint;
    let _permit = scope.limit.acquire().await;
    let listed = client
        .describe_access_points()
        .set_access_point_id(only.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(found) => Collected {
            resources: found.iter().map(|a| access_point(region, a)).collect(),
            ..Collected::default()
        },
        Err(e) => scope.listing_failed(kind, region, "DescribeAccessPoints", e.into()),
    }
}

fn access_point(region: &str, a: &AccessPointDescription) -> crate::model::Resource {
    let id = a.access_point_id().unwrap_or_default().to_string();
    let model = AccessPoint {
        access_point_id: id.clone(),
        file_system_id: a.file_system_id().unwrap_or_default().to_string(),
        // No root directory given is the file system's own root.
        root_directory: a
            .root_directory()
            .and_then(|r| r.path())
            .unwrap_or("/")
            .to_string(),
        posix_user_enforced: a.posix_user().is_some(),
        tags: tag_map(a.tags().iter().map(|t| (Some(t.key()), Some(t.value())))),
    };
    super::resource(
        &id,
        a.access_point_arn(),
        region,
        Properties::EfsAccessPoint(model),
    )
}
