//! The region's subnets, security groups and network ACLs, with permissions and ACL
//! entries normalised so a port-range test sees what they really open.

use aws_sdk_ec2::types::{IpPermission, NetworkAclEntry};
use aws_sdk_ec2::Client;

use super::{resource, tags};
use crate::aws::collect::{error, Collected, Scope};
use crate::model::ec2::{protocol_ports, AclEntry, NetworkAcl, Permission, SecurityGroup, Subnet};
use crate::model::{Properties, ResourceKind};

/// The region's subnets (one paginated DescribeSubnets).
pub(super) async fn subnets(client: &Client, region: &str, out: &mut Collected) {
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

/// The region's security groups, their permissions normalised.
pub(super) async fn security_groups(client: &Client, region: &str, out: &mut Collected) {
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

/// The region's network ACLs, their entries split by direction.
pub(super) async fn network_acls(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    out: &mut Collected,
) {
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

/// Normalises one network ACL entry like a permission.
fn acl_entry(e: &NetworkAclEntry) -> AclEntry {
    let range = e.port_range();
    let (protocol, ports) = protocol_ports(
        e.protocol().unwrap_or("-1"),
        range.and_then(|r| r.from()).map(i64::from),
        range.and_then(|r| r.to()).map(i64::from),
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
    let (protocol, ports) = protocol_ports(
        p.ip_protocol().unwrap_or("-1"),
        p.from_port().map(i64::from),
        p.to_port().map(i64::from),
    );
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
