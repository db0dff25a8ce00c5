//! The region's instances, EBS volumes and Elastic IPs: one listing each.

use aws_sdk_ec2::Client;

use super::{resource, tags};
use crate::aws::collect::{error, Collected, Scope};
use crate::model::ec2::{ElasticIp, Instance, Volume};
use crate::model::{Properties, Resource, ResourceKind};

/// The region's instances, from every reservation.
pub(super) async fn instances(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    out: &mut Collected,
) {
    // Reservations, each holding its instances.
    match client
        .describe_instances()
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
pub(super) async fn volumes(scope: &Scope<'_>, client: &Client, region: &str, out: &mut Collected) {
    match client
        .describe_volumes()
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
            tags: tags(i.tags()),
        }),
    )
}
