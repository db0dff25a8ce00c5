//! The region's VPCs, with the flow logs and endpoints the rules read, listed once for
//! the region and matched to each VPC.

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;

use super::{resource, tags};
use crate::aws::collect::{error, Collected, Scope};
use crate::model::ec2::{FlowLog, Vpc, VpcEndpoint};
use crate::model::{Properties, ResourceKind};

/// The region's VPCs, or only the VPC `only` names.
pub(super) async fn vpcs(
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
