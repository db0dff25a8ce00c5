//! The load balancer fix that only turns protection on: deletion protection, one
//! attribute, taking effect at once without touching listeners or traffic.

use super::{failed, Fix};
use crate::model::Properties;
use crate::remediate::Decision;

pub const DELETION_PROTECTION: Fix = Fix {
    id: "elbv2-deletion-protection",
    permissions: |_| {
        &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
        ]
    },
    decide: |before, _, _| match before {
        Properties::LoadBalancer(b) => Decision::Change(format!(
            "ModifyLoadBalancerAttributes: deletion_protection.enabled {} → true",
            b.attributes
                .as_ref()
                .map_or("unknown".to_string(), |a| a.deletion_protection.to_string())
        )),
        _ => Decision::NeedsInput("not a load balancer".into()),
    },
    apply: |session, t, _, _| {
        Box::pin(async move {
            let on = aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder()
                .key("deletion_protection.enabled")
                .value("true")
                .build();
            aws_sdk_elasticloadbalancingv2::Client::new(&session.regional(&t.region))
                .modify_load_balancer_attributes()
                .load_balancer_arn(t.resource_arn.as_deref().unwrap_or(&t.resource_id))
                .attributes(on)
                .send()
                .await
                .map(drop)
                .map_err(failed("ModifyLoadBalancerAttributes"))
        })
    },
};
