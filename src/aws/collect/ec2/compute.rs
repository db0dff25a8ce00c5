//! The region's instances, EBS volumes, EBS snapshots, AMIs and Elastic IPs: one listing
//! each; who may restore a snapshot is asked per snapshot, when a rule reads it.

use aws_sdk_ec2::Client;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{resource, tags};
use crate::aws::collect::{error, Attributes, Collected, Scope};
use crate::aws::errors::CallError;
use crate::model::ec2::{ElasticIp, Image, Instance, Snapshot, Volume};
use crate::model::{Properties, Resource, ResourceKind};

/// The region's instances, from every reservation (`only`: one instance again).
pub(super) async fn instances(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    only: Option<&str>,
    out: &mut Collected,
) {
    // Reservations, each holding its instances.
    match client
        .describe_instances()
        .set_instance_ids(only.map(|id| vec![id.to_string()]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(reservations) => out.resources.extend(
            reservations
                .iter()
                .flat_map(|r| r.instances())
                .map(|i| instance(scope, region, i)),
        ),
        Err(e) => out.errors.push(error(
            ResourceKind::Instance,
            region,
            None,
            &[],
            "DescribeInstances",
            e.into(),
        )),
    }
}

/// The region's EBS volumes and what they are attached to.
pub(super) async fn volumes(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    only: Option<&str>,
    out: &mut Collected,
) {
    match client
        .describe_volumes()
        .set_volume_ids(only.map(|id| vec![id.to_string()]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(volumes) => out.resources.extend(volumes.iter().map(|v| {
            let id = v.volume_id().unwrap_or_default().to_string();
            let arn = format!(
                "arn:aws:ec2:{region}:{}:volume/{id}",
                scope.session.account_id
            );
            resource(
                &id,
                Some(&arn),
                region,
                Properties::Volume(Volume {
                    volume_id: id.clone(),
                    state: v
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    encrypted: v.encrypted().unwrap_or(false),
                    kms_key_id: v.kms_key_id().map(str::to_string),
                    attached_to: v
                        .attachments()
                        .iter()
                        .filter_map(|a| a.instance_id())
                        .map(str::to_string)
                        .collect(),
                    tags: tags(v.tags()),
                }),
            )
        })),
        Err(e) => out.errors.push(error(
            ResourceKind::Volume,
            region,
            None,
            &[],
            "DescribeVolumes",
            e.into(),
        )),
    }
}

/// The region's Elastic IP addresses.
pub(super) async fn elastic_ips(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    out: &mut Collected,
) {
    let kind = ResourceKind::ElasticIp;
    // One answer for the region: DescribeAddresses has no pages.
    let answer = match client.describe_addresses().send().await {
        Ok(answer) => answer,
        Err(e) => {
            return out.errors.push(error(
                kind,
                region,
                None,
                &[],
                "DescribeAddresses",
                e.into(),
            ))
        }
    };
    let present = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
    // The interfaces' status, asked once for all of them, only when a rule reads it.
    let interfaces: Vec<String> = answer
        .addresses()
        .iter()
        .filter_map(|a| present(a.network_interface_id()))
        .collect();
    let mut status = std::collections::HashMap::new();
    if scope.needs.any(kind, &["network_interface_status"]) && !interfaces.is_empty() {
        match client
            .describe_network_interfaces()
            .set_network_interface_ids(Some(interfaces))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(found) => status.extend(found.iter().filter_map(|n| {
                Some((
                    n.network_interface_id()?.to_string(),
                    n.status()?.as_str().to_string(),
                ))
            })),
            Err(e) => out.errors.push(error(
                kind,
                region,
                None,
                &["network_interface_status"],
                "DescribeNetworkInterfaces",
                e.into(),
            )),
        }
    }
    out.resources.extend(answer.addresses().iter().map(|a| {
        let id = a
            .allocation_id()
            .or(a.public_ip())
            .unwrap_or_default()
            .to_string();
        let arn = format!(
            "arn:aws:ec2:{region}:{}:elastic-ip/{id}",
            scope.session.account_id
        );
        resource(
            &id,
            Some(&arn),
            region,
            Properties::ElasticIp(ElasticIp {
                allocation_id: id.clone(),
                public_ip: a.public_ip().unwrap_or_default().to_string(),
                association_id: present(a.association_id()),
                instance_id: present(a.instance_id()),
                network_interface_status: present(a.network_interface_id())
                    .and_then(|id| status.get(&id).cloned()),
                tags: tags(a.tags()),
            }),
        )
    }));
}

/// One instance as the rules see it.
fn instance(scope: &Scope<'_>, region: &str, i: &aws_sdk_ec2::types::Instance) -> Resource {
    let id = i.instance_id().unwrap_or_default().to_string();
    let metadata = i.metadata_options();
    let arn = format!(
        "arn:aws:ec2:{region}:{}:instance/{id}",
        scope.session.account_id
    );
    resource(
        &id,
        Some(&arn),
        region,
        Properties::Instance(Instance {
            instance_id: id.clone(),
            state: i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            http_tokens: metadata
                .and_then(|m| m.http_tokens())
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            http_endpoint: metadata
                .and_then(|m| m.http_endpoint())
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
            public_ip_address: i.public_ip_address().map(str::to_string),
            instance_profile_arn: i
                .iam_instance_profile()
                .and_then(|p| p.arn())
                .map(str::to_string),
            vpc_id: i.vpc_id().unwrap_or_default().to_string(),
            subnet_id: i.subnet_id().unwrap_or_default().to_string(),
            stopped_since: i
                .state()
                .and_then(|s| s.name())
                .filter(|n| n.as_str() == "stopped")
                .and_then(|_| i.state_transition_reason())
                .and_then(stopped_since),
            tags: tags(i.tags()),
        }),
    )
}

/// When an instance was stopped, from its state transition reason: EC2 gives no field
/// for it, only text such as `User initiated (2026-10-01 12:00:00 GMT)`.
fn stopped_since(reason: &str) -> Option<DateTime<Utc>> {
    let inside = reason.rsplit_once('(')?.1.strip_suffix(')')?;
    let stamp = inside
        .strip_suffix(" GMT")
        .or_else(|| inside.strip_suffix(" UTC"))?;
    let naive = NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(naive.and_utc())
}

/// The EBS snapshots the account owns (the listing asks for `self`, and keeps only the
/// account's own should an answer hold others').
pub(super) async fn snapshots(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    only: Option<&str>,
) -> Collected {
    let kind = ResourceKind::Snapshot;
    let account = scope.session.account_id.as_str();
    let listed = client
        .describe_snapshots()
        .owner_ids("self")
        .set_snapshot_ids(only.map(|id| vec![id.to_string()]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|found| {
            found
                .into_iter()
                .filter(|s| s.owner_id() == Some(account))
                .collect::<Vec<_>>()
        });
    scope
        .each_listed(kind, region, "DescribeSnapshots", listed, |s| async move {
            let id = s.snapshot_id().unwrap_or_default().to_string();
            let mut attrs = Attributes::new(scope, kind, &id, region);
            let restorable_by = attrs
                .get(&["restorable_by"], || restorers(client, &id))
                .await;
            let arn = format!("arn:aws:ec2:{region}::snapshot/{id}");
            let snapshot = Snapshot {
                snapshot_id: id.clone(),
                volume_id: s.volume_id().unwrap_or_default().to_string(),
                state: s
                    .state()
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default(),
                encrypted: s.encrypted().unwrap_or(false),
                kms_key_id: s.kms_key_id().map(str::to_string),
                restorable_by,
                tags: tags(s.tags()),
            };
            attrs.finish(Some(arn), Properties::Snapshot(snapshot))
        })
        .await
}

/// Who may create volumes from a snapshot: the accounts named, and `all` for anyone.
async fn restorers(client: &Client, id: &str) -> Result<Vec<String>, CallError> {
    let out = client
        .describe_snapshot_attribute()
        .snapshot_id(id)
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .send()
        .await?;
    Ok(out
        .create_volume_permissions()
        .iter()
        .filter_map(|p| {
            p.group()
                .map(|g| g.as_str().to_string())
                .or_else(|| p.user_id().map(str::to_string))
        })
        .collect())
}

/// The AMIs the account owns; the listing says whether each is public.
pub(super) async fn images(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    only: Option<&str>,
    out: &mut Collected,
) {
    let account = scope.session.account_id.as_str();
    match client
        .describe_images()
        .owners("self")
        .set_image_ids(only.map(|id| vec![id.to_string()]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(images) => out.resources.extend(
            images
                .iter()
                .filter(|i| i.owner_id() == Some(account))
                .map(|i| {
                    let id = i.image_id().unwrap_or_default().to_string();
                    let arn = format!("arn:aws:ec2:{region}::image/{id}");
                    resource(
                        &id,
                        Some(&arn),
                        region,
                        Properties::Image(Image {
                            image_id: id.clone(),
                            name: i.name().unwrap_or_default().to_string(),
                            state: i
                                .state()
                                .map(|x| x.as_str().to_string())
                                .unwrap_or_default(),
                            public: i.public().unwrap_or(false),
                            tags: tags(i.tags()),
                        }),
                    )
                }),
        ),
        Err(e) => out.errors.push(error(
            ResourceKind::Image,
            region,
            None,
            &[],
            "DescribeImages",
            e.into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_instance_s_reason_gives_when_it_stopped() {
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(
            stopped_since("User initiated (2026-10-01 12:00:00 GMT)"),
            at("2026-10-01T12:00:00Z")
        );
        // The emulator writes UTC where EC2 writes GMT.
        assert_eq!(
            stopped_since("User initiated (2026-12-01 20:21:45 UTC)"),
            at("2026-12-01T20:21:45Z")
        );
        assert_eq!(
            stopped_since("Server.ScheduledStop (stopped by schedule) (2025-01-31 23:59:59 GMT)"),
            at("2025-01-31T23:59:59Z")
        );
        for unknown in [
            "",
            "User initiated",
            "User initiated (yesterday)",
            "(2026-10-01)",
        ] {
            assert_eq!(stopped_since(unknown), None, "{unknown}");
        }
    }
}
