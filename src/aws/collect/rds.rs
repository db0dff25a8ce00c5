//! RDS DB instances in one region: DescribeDBInstances pages answer every attribute,
//! tags included, so the region costs one paginated call whatever the rules read.

use aws_sdk_rds::types::DbInstance as SdkInstance;
use aws_sdk_rds::Client;

use super::{resource, tag_map, Collected, Collector, Scope, Wanted};
use crate::model::rds::DbInstance;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::DbInstance;
const LISTING: &str = "DescribeDBInstances";

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region, None)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

/// One instance again, by its identifier.
async fn one<'a>(scope: &'a Scope<'a>, wanted: &'a Wanted) -> Collected {
    collect(scope, &wanted.region, Some(&wanted.id)).await
}

async fn collect(scope: &Scope<'_>, region: &str, only: Option<&str>) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let _permit = scope.limit.acquire().await;
    let listed = client
        .describe_db_instances()
        .set_db_instance_identifier(only.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(instances) => Collected {
            resources: instances.iter().map(|i| instance(region, i)).collect(),
            errors: Vec::new(),
        },
        Err(e) => scope.listing_failed(KIND, region, LISTING, e.into()),
    }
}

fn instance(region: &str, i: &SdkInstance) -> crate::model::Resource {
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
        db_cluster_identifier: i.db_cluster_identifier().map(str::to_string),
        read_replica_source: i
            .read_replica_source_db_instance_identifier()
            .map(str::to_string),
        tags: tag_map(i.tag_list().iter().map(|t| (t.key(), t.value()))),
    };
    resource(
        &id,
        i.db_instance_arn(),
        region,
        Properties::DbInstance(model),
    )
}
