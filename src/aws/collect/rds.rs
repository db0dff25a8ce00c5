//! RDS in one region: DB instances, DB clusters and the account's snapshots of each,
//! one paginated listing per kind the rules judge (tags come with it). Who may restore a
//! manual snapshot is asked per snapshot, only when a rule reads it.

use aws_sdk_rds::types::{DbCluster as SdkCluster, DbInstance as SdkInstance, Tag};
use aws_sdk_rds::Client;

use super::{error, resource, tag_map, Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::rds::{DbCluster, DbInstance, Snapshot};
use crate::model::{Properties, Resource, ResourceKind};

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let mut out = Collected::default();
    let needs = scope.needs;
    if needs.kind(ResourceKind::DbInstance) {
        out.extend(instances(scope, &client, region, None).await);
    }
    if needs.kind(ResourceKind::DbCluster) {
        out.extend(clusters(scope, &client, region, None).await);
    }
    if needs.kind(ResourceKind::DbSnapshot) {
        out.extend(snapshots(scope, &client, region, None).await);
    }
    if needs.kind(ResourceKind::DbClusterSnapshot) {
        out.extend(cluster_snapshots(scope, &client, region, None).await);
    }
    out
}

/// One resource again, by its identifier.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let (region, id) = (wanted.region.as_str(), Some(wanted.id.as_str()));
    match wanted.kind {
        ResourceKind::DbInstance => instances(scope, &client, region, id).await,
        ResourceKind::DbCluster => clusters(scope, &client, region, id).await,
        ResourceKind::DbSnapshot => snapshots(scope, &client, region, id).await,
        ResourceKind::DbClusterSnapshot => cluster_snapshots(scope, &client, region, id).await,
        _ => Collected::default(),
    }
}

fn tags(list: &[Tag]) -> crate::model::Tags {
    tag_map(list.iter().map(|t| (t.key(), t.value())))
}

/// A listing's resources, or the error every rule on its kind reports.
fn listed<T, E: Into<CallError>>(
    kind: ResourceKind,
    region: &str,
    operation: &str,
    answer: Result<Vec<T>, E>,
    each: impl Fn(&T) -> Resource,
) -> Collected {
    match answer {
        Ok(items) => Collected {
            resources: items.iter().map(each).collect(),
            ..Collected::default()
        },
        Err(e) => Collected {
            errors: vec![error(kind, region, None, &[], operation, e.into())],
            ..Collected::default()
        },
    }
}

async fn instances(scope: &Scope<'_>, c: &Client, region: &str, only: Option<&str>) -> Collected {
    let _permit = scope.limit.acquire().await;
    let answer = c
        .describe_db_instances()
        .set_db_instance_identifier(only.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    listed(
        ResourceKind::DbInstance,
        region,
        "DescribeDBInstances",
        answer,
        |i| instance(region, i),
    )
}

fn instance(region: &str, i: &SdkInstance) -> Resource {
    let id = i.db_instance_identifier().unwrap_or_default().to_string();
    let model = DbInstance {
        db_instance_identifier: id.clone(),
        engine: i.engine().unwrap_or_default().to_string(),
        engine_version: i.engine_version().unwrap_or_default().to_string(),
        status: i.db_instance_status().unwrap_or_default().to_string(),
        publicly_accessible: i.publicly_accessible(),
        storage_encrypted: i.storage_encrypted().unwrap_or(false),
        kms_key_id: i.kms_key_id().map(str::to_string),
        auto_minor_version_upgrade: i.auto_minor_version_upgrade().unwrap_or(false),
        multi_az: i.multi_az().unwrap_or(false),
        deletion_protection: i.deletion_protection().unwrap_or(false),
        backup_retention_period: i.backup_retention_period().unwrap_or(0).into(),
        iam_database_authentication_enabled: i
            .iam_database_authentication_enabled()
            .unwrap_or(false),
        copy_tags_to_snapshot: i.copy_tags_to_snapshot().unwrap_or(false),
        monitoring_interval: i.monitoring_interval().unwrap_or(0).into(),
        cloudwatch_logs_exports: i.enabled_cloudwatch_logs_exports().to_vec(),
        db_cluster_identifier: i.db_cluster_identifier().map(str::to_string),
        read_replica_source: i
            .read_replica_source_db_instance_identifier()
            .map(str::to_string),
        tags: tags(i.tag_list()),
    };
    resource(
        &id,
        i.db_instance_arn(),
        region,
        Properties::DbInstance(model),
    )
}

async fn clusters(scope: &Scope<'_>, c: &Client, region: &str, only: Option<&str>) -> Collected {
    let _permit = scope.limit.acquire().await;
    let answer = c
        .describe_db_clusters()
        .set_db_cluster_identifier(only.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    listed(
        ResourceKind::DbCluster,
        region,
        "DescribeDBClusters",
        answer,
        |k| cluster(region, k),
    )
}

fn cluster(region: &str, k: &SdkCluster) -> Resource {
    let id = k.db_cluster_identifier().unwrap_or_default().to_string();
    let model = DbCluster {
        db_cluster_identifier: id.clone(),
        engine: k.engine().unwrap_or_default().to_string(),
        status: k.status().unwrap_or_default().to_string(),
        storage_encrypted: k.storage_encrypted().unwrap_or(false),
        kms_key_id: k.kms_key_id().map(str::to_string),
        deletion_protection: k.deletion_protection().unwrap_or(false),
        iam_database_authentication_enabled: k
            .iam_database_authentication_enabled()
            .unwrap_or(false),
        multi_az: k.multi_az().unwrap_or(false),
        copy_tags_to_snapshot: k.copy_tags_to_snapshot().unwrap_or(false),
        backup_retention_period: k.backup_retention_period().unwrap_or(0).into(),
        members: k
            .db_cluster_members()
            .iter()
            .filter_map(|m| m.db_instance_identifier())
            .map(str::to_string)
            .collect(),
        tags: tags(k.tag_list()),
    };
    resource(
        &id,
        k.db_cluster_arn(),
        region,
        Properties::DbCluster(model),
    )
}

/// A snapshot as both listings give it, before who may restore it is asked.
struct Listed {
    id: String,
    arn: Option<String>,
    snapshot: Snapshot,
}

async fn snapshots(scope: &Scope<'_>, c: &Client, region: &str, only: Option<&str>) -> Collected {
    let kind = ResourceKind::DbSnapshot;
    let answer = {
        let _permit = scope.limit.acquire().await;
        c.describe_db_snapshots()
            .set_db_snapshot_identifier(only.map(str::to_string))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    };
    let listed = answer.map(|found| {
        found
            .iter()
            .map(|s| Listed {
                id: s.db_snapshot_identifier().unwrap_or_default().to_string(),
                arn: s.db_snapshot_arn().map(str::to_string),
                snapshot: Snapshot {
                    snapshot_identifier: s.db_snapshot_identifier().unwrap_or_default().into(),
                    snapshot_type: s.snapshot_type().unwrap_or_default().to_string(),
                    encrypted: s.encrypted().unwrap_or(false),
                    kms_key_id: s.kms_key_id().map(str::to_string),
                    restorable_by: None,
                    tags: tags(s.tag_list()),
                },
            })
            .collect::<Vec<_>>()
    });
    let ask = |id: String| async move {
        let out = c
            .describe_db_snapshot_attributes()
            .db_snapshot_identifier(id)
            .send()
            .await?;
        let attributes = out
            .db_snapshot_attributes_result()
            .map(|r| r.db_snapshot_attributes())
            .unwrap_or_default();
        Ok(restore(
            attributes
                .iter()
                .map(|a| (a.attribute_name(), a.attribute_values())),
        ))
    };
    scope
        .each_listed(kind, region, "DescribeDBSnapshots", listed, |l| {
            with_restorers(scope, kind, region, l, ask, Properties::DbSnapshot)
        })
        .await
}

async fn cluster_snapshots(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    only: Option<&str>,
) -> Collected {
    let kind = ResourceKind::DbClusterSnapshot;
    let answer = {
        let _permit = scope.limit.acquire().await;
        c.describe_db_cluster_snapshots()
            .set_db_cluster_snapshot_identifier(only.map(str::to_string))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    };
    let listed = answer.map(|found| {
        found
            .iter()
            .map(|s| Listed {
                id: s
                    .db_cluster_snapshot_identifier()
                    .unwrap_or_default()
                    .to_string(),
                arn: s.db_cluster_snapshot_arn().map(str::to_string),
                snapshot: Snapshot {
                    snapshot_identifier: s
                        .db_cluster_snapshot_identifier()
                        .unwrap_or_default()
                        .into(),
                    snapshot_type: s.snapshot_type().unwrap_or_default().to_string(),
                    encrypted: s.storage_encrypted().unwrap_or(false),
                    kms_key_id: s.kms_key_id().map(str::to_string),
                    restorable_by: None,
                    tags: tags(s.tag_list()),
                },
            })
            .collect::<Vec<_>>()
    });
    let ask = |id: String| async move {
        let out = c
            .describe_db_cluster_snapshot_attributes()
            .db_cluster_snapshot_identifier(id)
            .send()
            .await?;
        let attributes = out
            .db_cluster_snapshot_attributes_result()
            .map(|r| r.db_cluster_snapshot_attributes())
            .unwrap_or_default();
        Ok(restore(
            attributes
                .iter()
                .map(|a| (a.attribute_name(), a.attribute_values())),
        ))
    };
    scope
        .each_listed(kind, region, "DescribeDBClusterSnapshots", listed, |l| {
            with_restorers(scope, kind, region, l, ask, Properties::DbClusterSnapshot)
        })
        .await
}

/// A listed snapshot with, for a manual one whose rules read it, who may restore it
/// (`ask`, by identifier): automated and AWS Backup snapshots cannot be shared.
async fn with_restorers<F, Fut>(
    scope: &Scope<'_>,
    kind: ResourceKind,
    region: &str,
    l: Listed,
    ask: F,
    wrap: fn(Snapshot) -> Properties,
) -> Collected
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>, CallError>>,
{
    let mut attrs = Attributes::new(scope, kind, &l.id, region);
    let mut snapshot = l.snapshot;
    if snapshot.snapshot_type == "manual" {
        snapshot.restorable_by = attrs.get(&["restorable_by"], || ask(l.id.clone())).await;
    }
    attrs.finish(l.arn, wrap(snapshot))
}

/// The values of a snapshot's `restore` attribute: the accounts that may restore it,
/// `all` for anyone.
fn restore<'a>(attributes: impl Iterator<Item = (Option<&'a str>, &'a [String])>) -> Vec<String> {
    attributes
        .filter(|(name, _)| *name == Some("restore"))
        .flat_map(|(_, values)| values.iter().cloned())
        .collect()
}
