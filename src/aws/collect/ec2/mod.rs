//! EC2/VPC for one region: VPCs with their flow logs and endpoints (`vpcs.rs`), subnets,
//! security groups and network ACLs (`network.rs`), instances, EBS volumes and
//! snapshots, AMIs and Elastic IPs (`compute.rs`), and the region's EBS
//! default-encryption setting. Every call is
//! per region, never per resource, and made only for the kinds the enabled rules judge.

mod compute;
mod network;
mod vpcs;

use aws_sdk_ec2::types::Tag;
use aws_sdk_ec2::Client;

use super::{error, resource, Collected, Collector, Scope, Wanted};
use crate::model::ec2::RegionSettings;
use crate::model::{Properties, ResourceKind};

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = &Client::new(&scope.session.regional(region));
    let mut out = Collected::default();
    let needs = scope.needs;
    {
        // The listings, one at a time per region.
        let _permit = scope.limit.acquire().await;
        if needs.kind(ResourceKind::Vpc) {
            vpcs::vpcs(scope, client, region, None, &mut out).await;
        }
        if needs.kind(ResourceKind::Subnet) {
            network::subnets(client, region, &mut out).await;
        }
        if needs.kind(ResourceKind::SecurityGroup) {
            network::security_groups(client, region, &mut out).await;
        }
        if needs.kind(ResourceKind::NetworkAcl) {
            network::network_acls(scope, client, region, &mut out).await;
        }
        if needs.kind(ResourceKind::Instance) {
            compute::instances(scope, client, region, None, &mut out).await;
        }
        if needs.kind(ResourceKind::Volume) {
            compute::volumes(scope, client, region, None, &mut out).await;
        }
        if needs.kind(ResourceKind::ElasticIp) {
            compute::elastic_ips(scope, client, region, &mut out).await;
        }
        if needs.kind(ResourceKind::Image) {
            compute::images(scope, client, region, None, &mut out).await;
        }
        if needs.kind(ResourceKind::Ec2RegionSettings) {
            region_settings(scope, client, region, &mut out).await;
        }
    }
    // Snapshots ask per snapshot, each within the scan's limit: not under the permit.
    if needs.kind(ResourceKind::Snapshot) {
        out.extend(compute::snapshots(scope, client, region, None).await);
    }
    out
}

/// One VPC, instance, volume, snapshot or image again (the EC2 kinds a fix changes); a
/// VPC's flow logs and endpoints are asked for that VPC alone.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let mut out = Collected::default();
    let client = Client::new(&scope.session.regional(&wanted.region));
    let only = Some(wanted.id.as_str());
    match wanted.kind {
        ResourceKind::Vpc => vpcs::vpcs(scope, &client, &wanted.region, only, &mut out).await,
        ResourceKind::Instance => {
            compute::instances(scope, &client, &wanted.region, only, &mut out).await
        }
        ResourceKind::Volume => {
            compute::volumes(scope, &client, &wanted.region, only, &mut out).await
        }
        ResourceKind::Image => {
            compute::images(scope, &client, &wanted.region, only, &mut out).await
        }
        ResourceKind::Snapshot => {
            out.extend(compute::snapshots(scope, &client, &wanted.region, only).await)
        }
        _ => {}
    }
    out
}

/// The region's settings: one resource per region, named after it.
pub(super) async fn region_settings(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    out: &mut Collected,
) {
    let kind = ResourceKind::Ec2RegionSettings;
    let mut settings = RegionSettings::default();
    if scope.needs.any(kind, &["ebs_encryption_by_default"]) {
        match client.get_ebs_encryption_by_default().send().await {
            Ok(o) => {
                settings.ebs_encryption_by_default =
                    Some(o.ebs_encryption_by_default().unwrap_or(false))
            }
            Err(e) => out.errors.push(error(
                kind,
                region,
                Some(region),
                &["ebs_encryption_by_default"],
                "GetEbsEncryptionByDefault",
                e.into(),
            )),
        }
    }
    out.resources.push(resource(
        region,
        None,
        region,
        Properties::Ec2RegionSettings(settings),
    ));
}

pub(super) fn tags(list: &[Tag]) -> crate::model::Tags {
    super::tag_map(list.iter().map(|t| (t.key(), t.value())))
}
