//! Application, Network and Gateway Load Balancers in one region: DescribeLoadBalancers
//! lists them; attributes and listeners cost a call each per load balancer, and the
//! rules of each plain-HTTP listener one more (the only way to know nothing is served
//! over HTTP); tags are asked for 20 load balancers a call. Each only when a rule reads it.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::types::{
    ActionTypeEnum, LoadBalancer as Listed, ProtocolEnum, Rule,
};
use aws_sdk_elasticloadbalancingv2::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::elbv2::{Listener, LoadBalancer, LoadBalancerAttributes};
use crate::model::{Properties, ResourceKind, Tags};

const KIND: ResourceKind = ResourceKind::LoadBalancer;
/// DescribeTags takes at most 20 ARNs.
const TAGS_BATCH: usize = 20;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .describe_load_balancers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(balancers) => balancers_found(scope, &client, region, balancers).await,
        Err(e) => scope.listing_failed(KIND, region, "DescribeLoadBalancers", e.into()),
    }
}

/// One load balancer again, by its name.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    let listed = client
        .describe_load_balancers()
        .names(&wanted.id)
        .send()
        .await;
    match listed {
        Ok(out) => {
            let balancers = out.load_balancers.unwrap_or_default();
            balancers_found(scope, &client, &wanted.region, balancers).await
        }
        Err(e) => scope.listing_failed(KIND, &wanted.region, "DescribeLoadBalancers", e.into()),
    }
}

async fn balancers_found(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    listed: Vec<Listed>,
) -> Collected {
    let arns: Vec<String> = listed
        .iter()
        .filter_map(|b| b.load_balancer_arn().map(str::to_string))
        .collect();
    let mut tags = scope
        .batched(KIND, &["tags"], &arns, TAGS_BATCH, |batch| {
            tag_sets(c, batch)
        })
        .await;
    let items: Vec<_> = listed
        .into_iter()
        .map(|b| {
            let tags = tags.remove(b.load_balancer_arn().unwrap_or_default());
            (b, tags)
        })
        .collect();
    scope
        .each(items, |(b, tags)| balancer(scope, c, region, b, tags))
        .await
}

async fn balancer(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    listed: Listed,
    tags: Option<Result<Tags, CallError>>,
) -> Collected {
    let name = listed.load_balancer_name().unwrap_or_default().to_string();
    let arn = listed.load_balancer_arn().unwrap_or_default().to_string();
    let mut attrs = Attributes::new(scope, KIND, &name, region);
    let lb_type = listed
        .r#type()
        .map_or("application", |t| t.as_str())
        .to_string();
    let mut balancer = LoadBalancer {
        name,
        scheme: listed
            .scheme()
            .map_or("internet-facing", |s| s.as_str())
            .to_string(),
        availability_zones: listed
            .availability_zones()
            .iter()
            .filter_map(|z| z.zone_name().map(str::to_string))
            .collect(),
        lb_type,
        ..LoadBalancer::default()
    };
    balancer.attributes = attrs.get(&["attributes"], || attributes(c, &arn)).await;
    let application = balancer.lb_type == "application";
    balancer.listeners = attrs
        .get(&["listeners"], || listeners(c, &arn, application))
        .await;
    balancer.tags = attrs
        .get(&["tags"], || async move {
            tags.unwrap_or_else(|| Ok(Tags::new()))
        })
        .await;
    attrs.finish(Some(arn), Properties::LoadBalancer(balancer))
}

async fn attributes(c: &Client, arn: &str) -> Result<LoadBalancerAttributes, CallError> {
    let out = c
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await?;
    let get = |key: &str| {
        out.attributes()
            .iter()
            .find(|a| a.key() == Some(key))
            .and_then(|a| a.value())
            .filter(|v| !v.is_empty())
    };
    let on = |key: &str| get(key) == Some("true");
    Ok(LoadBalancerAttributes {
        deletion_protection: on("deletion_protection.enabled"),
        access_logs: on("access_logs.s3.enabled"),
        drop_invalid_header_fields: on("routing.http.drop_invalid_header_fields.enabled"),
        desync_mitigation_mode: get("routing.http.desync_mitigation_mode").map(str::to_string),
    })
}

/// The listeners; for each plain-HTTP listener of an Application Load Balancer, whether
/// its rules (DescribeRules, the default rule among them) all redirect to HTTPS.
async fn listeners(c: &Client, arn: &str, application: bool) -> Result<Vec<Listener>, CallError> {
    let listed: Vec<_> = c
        .describe_listeners()
        .load_balancer_arn(arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await?;
    let mut out = Vec::with_capacity(listed.len());
    for l in listed {
        let protocol = l.protocol().cloned();
        let secure = matches!(protocol, Some(ProtocolEnum::Https | ProtocolEnum::Tls));
        let plain_http = application && protocol == Some(ProtocolEnum::Http);
        let redirects_to_https = match (plain_http, l.listener_arn()) {
            (true, Some(listener)) => Some(all_redirect_to_https(&rules(c, listener).await?)),
            _ => None,
        };
        out.push(Listener {
            port: l.port().map_or(0, i64::from),
            protocol: protocol.map(|p| p.as_str().to_string()).unwrap_or_default(),
            // An HTTP listener may report a policy it never uses.
            ssl_policy: l.ssl_policy().filter(|_| secure).map(str::to_string),
            redirects_to_https,
        });
    }
    Ok(out)
}

async fn rules(c: &Client, listener: &str) -> Result<Vec<Rule>, CallError> {
    let mut all = Vec::new();
    let mut marker = None;
    loop {
        let page = c
            .describe_rules()
            .listener_arn(listener)
            .set_marker(marker)
            .send()
            .await?;
        all.extend(page.rules().iter().cloned());
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() {
            return Ok(all);
        }
    }
}

/// Every rule redirects to HTTPS and none forwards or answers itself: a listener with
/// no rules at all has no redirect either.
fn all_redirect_to_https(rules: &[Rule]) -> bool {
    !rules.is_empty()
        && rules.iter().all(|r| {
            r.actions().iter().any(|a| {
                a.r#type() == Some(&ActionTypeEnum::Redirect)
                    && a.redirect_config().and_then(|r| r.protocol()) == Some("HTTPS")
            }) && !r.actions().iter().any(|a| {
                matches!(
                    a.r#type(),
                    Some(ActionTypeEnum::Forward | ActionTypeEnum::FixedResponse)
                )
            })
        })
}

/// The tags of each load balancer in `arns`.
async fn tag_sets(c: &Client, arns: Vec<String>) -> Result<HashMap<String, Tags>, CallError> {
    let out = c
        .describe_tags()
        .set_resource_arns(Some(arns))
        .send()
        .await?;
    Ok(out
        .tag_descriptions()
        .iter()
        .filter_map(|d| {
            let tags = super::tag_map(d.tags().iter().map(|t| (t.key(), t.value())));
            Some((d.resource_arn()?.to_string(), tags))
        })
        .collect())
}
