//! EC2/VPC for one region: VPCs (with their flow logs and endpoints), subnets, security
//! groups, network ACLs, instances, EBS volumes, Elastic IPs and the region's EBS
//! default-encryption setting. Every call here is per region, never per resource: flow
//! logs and endpoints are listed once and matched to VPCs.

use aws_sdk_ec2::types::{Filter, IpPermission, NetworkAclEntry, Tag};
use aws_sdk_ec2::Client;

use super::{error, Collected, Collector, Scope, Wanted};
use crate::model::ec2::{
    AclEntry, ElasticIp, FlowLog, Instance, NetworkAcl, Permission, PortRange, RegionSettings,
    SecurityGroup, Subnet, Volume, Vpc, VpcEndpoint,
};
use crate::model::{Properties, Resource, ResourceKind};

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let mut out = Collected::default();
    let needs = scope.needs;
    let _permit = scope.limit.acquire().await;

    if needs.kind(ResourceKind::Vpc) {
        vpcs(scope, &client, region, None, &mut out).await;
    }
    if needs.kind(ResourceKind::Subnet) {
        match client
            .describe_subnets()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(subnets) => out.resources.extend(subnets.iter().map(|s| {
                let id = s.subnet_id().unwrap_or_default().to_string();
                resource(
                    &id,
                    s.subnet_arn(),
                    region,
                    Properties::Subnet(Subnet {
                        subnet_id: id.clone(),
                        vpc_id: s.vpc_id().unwrap_or_default().to_string(),
                        availability_zone: s.availability_zone().unwrap_or_default().to_string(),
                        map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
                        tags: tags(s.tags()),
                    }),
                )
            })),
            Err(e) => out.errors.push(error(
                ResourceKind::Subnet,
                region,
                None,
                &[],
                "DescribeSubnets",
                e.into(),
            )),
        }
    }
    if needs.kind(ResourceKind::SecurityGroup) {
        match client
            .describe_security_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(groups) => out.resources.extend(groups.iter().map(|g| {
                let id = g.group_id().unwrap_or_default().to_string();
                let name = g.group_name().unwrap_or_default().to_string();
                resource(
                    &id,
                    g.security_group_arn(),
                    region,
                    Properties::SecurityGroup(SecurityGroup {
                        group_id: id.clone(),
                        is_default: name == "default",
                        group_name: name,
                        vpc_id: g.vpc_id().unwrap_or_default().to_string(),
                        ingress: g.ip_permissions().iter().map(permission).collect(),
                        egress: g.ip_permissions_egress().iter().map(permission).collect(),
                        tags: tags(g.tags()),
                    }),
                )
            })),
            Err(e) => out.errors.push(error(
                ResourceKind::SecurityGroup,
                region,
                None,
                &[],
                "DescribeSecurityGroups",
                e.into(),
            )),
        }
    }
    if needs.kind(ResourceKind::NetworkAcl) {
        match client
            .describe_network_acls()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(acls) => out.resources.extend(acls.iter().map(|a| {
                let id = a.network_acl_id().unwrap_or_default().to_string();
                let entries = |egress: bool| {
                    a.entries()
                        .iter()
                        .filter(|e| e.egress() == Some(egress))
                        .map(acl_entry)
                        .collect()
                };
                let arn = format!(
                    "arn:aws:ec2:{region}:{}:network-acl/{id}",
                    a.owner_id().unwrap_or(&scope.session.account_id)
                );
                resource(
                    &id,
                    Some(&arn),
                    region,
                    Properties::NetworkAcl(NetworkAcl {
                        network_acl_id: id.clone(),
                        vpc_id: a.vpc_id().unwrap_or_default().to_string(),
                        is_default: a.is_default().unwrap_or(false),
                        ingress: entries(false),
                        egress: entries(true),
                        tags: tags(a.tags()),
                    }),
                )
            })),
            Err(e) => out.errors.push(error(
                ResourceKind::NetworkAcl,
                region,
                None,
                &[],
                "DescribeNetworkAcls",
                e.into(),
            )),
        }
    }
    if needs.kind(ResourceKind::Instance) {
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
    if needs.kind(ResourceKind::Volume) {
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
    if needs.kind(ResourceKind::ElasticIp) {
        // One answer for the region: DescribeAddresses has no pages.
        match client.describe_addresses().send().await {
            Ok(answer) => out.resources.extend(answer.addresses().iter().map(|a| {
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
                        association_id: a.association_id().map(str::to_string),
                        tags: tags(a.tags()),
                    }),
                )
            })),
            Err(e) => out.errors.push(error(
                ResourceKind::ElasticIp,
                region,
                None,
                &[],
                "DescribeAddresses",
                e.into(),
            )),
        }
    }
    if needs.kind(ResourceKind::Ec2RegionSettings) {
        let kind = ResourceKind::Ec2RegionSettings;
        let mut settings = RegionSettings::default();
        if needs.any(kind, &["ebs_encryption_by_default"]) {
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
    out
}

/// One VPC again (the only EC2 kind a fix changes); its flow logs and endpoints are
/// asked for that VPC alone.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let mut out = Collected::default();
    if wanted.kind == ResourceKind::Vpc {
        let client = Client::new(&scope.session.regional(&wanted.region));
        vpcs(scope, &client, &wanted.region, Some(&wanted.id), &mut out).await;
    }
    out
}

/// The region's VPCs, or only the VPC `only` names.
async fn vpcs(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    only: Option<&str>,
    out: &mut Collected,
) {
    let kind = ResourceKind::Vpc;
    let filter = |name: &str| only.map(|id| Filter::builder().name(name).values(id).build());
    let listed = match client
        .describe_vpcs()
        .set_vpc_ids(only.map(|id| vec![id.to_string()]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(v) => v,
        Err(e) => {
            return out
                .errors
                .push(error(kind, region, None, &[], "DescribeVpcs", e.into()))
        }
    };
    // Region-wide listings, matched to VPCs below; a failure leaves the attribute
    // unknown for every VPC in the region.
    let flow_logs = if scope.needs.any(kind, &["flow_logs"]) {
        match client
            .describe_flow_logs()
            .set_filter(filter("resource-id").map(|f| vec![f]))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(logs) => Some(logs),
            Err(e) => {
                out.errors.push(error(
                    kind,
                    region,
                    None,
                    &["flow_logs"],
                    "DescribeFlowLogs",
                    e.into(),
                ));
                None
            }
        }
    } else {
        None
    };
    let endpoints = if scope.needs.any(kind, &["endpoints"]) {
        match client
            .describe_vpc_endpoints()
            .set_filters(filter("vpc-id").map(|f| vec![f]))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
        {
            Ok(list) => Some(list),
            Err(e) => {
                out.errors.push(error(
                    kind,
                    region,
                    None,
                    &["endpoints"],
                    "DescribeVpcEndpoints",
                    e.into(),
                ));
                None
            }
        }
    } else {
        None
    };
    for v in &listed {
        let id = v.vpc_id().unwrap_or_default().to_string();
        let vpc = Vpc {
            vpc_id: id.clone(),
            cidr_block: v.cidr_block().map(str::to_string),
            is_default: v.is_default().unwrap_or(false),
            tags: tags(v.tags()),
            flow_logs: flow_logs.as_ref().map(|logs| {
                logs.iter()
                    .filter(|l| l.resource_id() == Some(id.as_str()))
                    .map(|l| FlowLog {
                        flow_log_id: l.flow_log_id().unwrap_or_default().to_string(),
                        status: l.flow_log_status().unwrap_or_default().to_string(),
                        traffic_type: l
                            .traffic_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        destination_type: l
                            .log_destination_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        log_group_name: l.log_group_name().map(str::to_string),
                    })
                    .collect()
            }),
            endpoints: endpoints.as_ref().map(|list| {
                list.iter()
                    .filter(|e| e.vpc_id() == Some(id.as_str()))
                    .map(|e| VpcEndpoint {
                        endpoint_id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
                        service_name: e.service_name().unwrap_or_default().to_string(),
                        endpoint_type: e
                            .vpc_endpoint_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                    })
                    .collect()
            }),
        };
        let arn = format!(
            "arn:aws:ec2:{region}:{}:vpc/{id}",
            v.owner_id().unwrap_or(&scope.session.account_id)
        );
        out.resources
            .push(resource(&id, Some(&arn), region, Properties::Vpc(vpc)));
    }
}

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

/// A protocol by name (`tcp`, `udp`, `icmp`, `all` for -1; others as numbered) and the
/// ports it opens: 0–65535 for all traffic, or for tcp/udp without a usable range.
fn protocol_ports(raw: &str, from: Option<i32>, to: Option<i32>) -> (String, Option<PortRange>) {
    let protocol = match raw {
        "-1" => "all",
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        other => other,
    }
    .to_string();
    let ports = match (protocol.as_str(), from, to) {
        ("all", _, _) => Some(PortRange { from: 0, to: 65535 }),
        ("tcp" | "udp", Some(from), Some(to)) if from >= 0 && to >= 0 => Some(PortRange {
            from: from.into(),
            to: to.into(),
        }),
        ("tcp" | "udp", _, _) => Some(PortRange { from: 0, to: 65535 }),
        _ => None,
    };
    (protocol, ports)
}

/// Normalises one network ACL entry like a permission.
fn acl_entry(e: &NetworkAclEntry) -> AclEntry {
    let range = e.port_range();
    let (protocol, ports) = protocol_ports(
        e.protocol().unwrap_or("-1"),
        range.and_then(|r| r.from()),
        range.and_then(|r| r.to()),
    );
    AclEntry {
        rule_number: e.rule_number().unwrap_or_default().into(),
        action: e
            .rule_action()
            .map(|a| a.as_str().to_string())
            .unwrap_or_default(),
        protocol,
        ports,
        cidr: e
            .cidr_block()
            .or(e.ipv6_cidr_block())
            .unwrap_or_default()
            .to_string(),
    }
}

/// Normalises one permission so range tests see what it really opens.
fn permission(p: &IpPermission) -> Permission {
    let (protocol, ports) =
        protocol_ports(p.ip_protocol().unwrap_or("-1"), p.from_port(), p.to_port());
    Permission {
        protocol,
        ports,
        ipv4_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip())
            .map(str::to_string)
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6())
            .map(str::to_string)
            .collect(),
        source_groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id())
            .map(str::to_string)
            .collect(),
        prefix_lists: p
            .prefix_list_ids()
            .iter()
            .filter_map(|l| l.prefix_list_id())
            .map(str::to_string)
            .collect(),
    }
}

fn tags(list: &[Tag]) -> crate::model::Tags {
    super::tag_map(list.iter().map(|t| (t.key(), t.value())))
}

fn resource(id: &str, arn: Option<&str>, region: &str, properties: Properties) -> Resource {
    Resource {
        id: id.to_string(),
        arn: arn.map(str::to_string),
        region: region.to_string(),
        properties,
    }
}
