//! `AWS::ElasticLoadBalancingV2::LoadBalancer`, with its `Listener`s folded in.
//! Defaults from the CloudFormation reference and the ELB User Guide: an internet-facing
//! Application Load Balancer, deletion protection and access logs off, invalid header
//! fields kept, desync mitigation `defensive`; a listener's TLS policy, when the
//! template names none, is left unnamed (judged as not one of the allowed policies).

use crate::model::elbv2::{Listener, LoadBalancer, LoadBalancerAttributes};
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{tags, Input, Targets};

pub fn load_balancer(input: &mut Input<'_>) -> Properties {
    let name = input.named("Name");
    let p = input.props;
    let text = |key| optional(p.get(key), Node::text).ok().flatten();
    let lb_type = text("Type").unwrap_or_else(|| "application".into());
    let scheme = text("Scheme").unwrap_or_else(|| "internet-facing".into());
    // One subnet per Availability Zone is what ELB allows, so the subnets stand for them.
    let availability_zones = input
        .attr("availability_zones", &["Subnets", "SubnetMappings"], |p| {
            if let Some(subnets) = p.get("Subnets") {
                return subnets.texts();
            }
            let mut out = Vec::new();
            if let Some(mappings) = p.get("SubnetMappings") {
                for m in mappings.list()? {
                    out.push(
                        m.get("SubnetId")
                            .ok_or("a mapping without SubnetId")?
                            .text()?,
                    );
                }
            }
            Ok(out)
        })
        .unwrap_or_default();
    let application = lb_type == "application";
    let attributes = input.attr("attributes", &["LoadBalancerAttributes"], |p| {
        let mut out = LoadBalancerAttributes {
            desync_mitigation_mode: application.then(|| "defensive".to_string()),
            ..LoadBalancerAttributes::default()
        };
        if let Some(list) = p.get("LoadBalancerAttributes") {
            for a in list.list()? {
                let key = a.get("Key").ok_or("an attribute without Key")?.text()?;
                let value = a.get("Value").ok_or("an attribute without Value")?;
                match key.as_str() {
                    "deletion_protection.enabled" => out.deletion_protection = value.boolean()?,
                    "access_logs.s3.enabled" => out.access_logs = value.boolean()?,
                    "routing.http.drop_invalid_header_fields.enabled" => {
                        out.drop_invalid_header_fields = value.boolean()?
                    }
                    "routing.http.desync_mitigation_mode" => {
                        out.desync_mitigation_mode = Some(value.text()?)
                    }
                    _ => {}
                }
            }
        }
        Ok(out)
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::LoadBalancer(LoadBalancer {
        name,
        lb_type,
        scheme,
        availability_zones,
        attributes,
        // Listeners are their own resources; none until one names this load balancer.
        listeners: Some(Vec::new()),
        tags,
    })
}

/// `AWS::ElasticLoadBalancingV2::Listener`: one more listener of `LoadBalancerArn`'s.
/// An HTTP listener redirects to HTTPS when its default action does (the rules of
/// `ListenerRule`s are not read: a rule forwarding plain HTTP is missed only if the
/// default redirects).
pub fn listener(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(lb) = p.get("LoadBalancerArn") else {
        return;
    };
    let read = (|| -> Result<Listener, String> {
        let protocol = optional(p.get("Protocol"), Node::text)?.unwrap_or_default();
        let redirects = match p.get("DefaultActions") {
            Some(actions) => {
                let actions = actions.list()?;
                let mut all = !actions.is_empty();
                for a in actions {
                    let kind = optional(a.get("Type"), Node::text)?.unwrap_or_default();
                    let to = optional(a.path(&["RedirectConfig", "Protocol"]), Node::text)?;
                    all &= kind == "redirect" && to.as_deref() == Some("HTTPS");
                }
                all
            }
            None => false,
        };
        Ok(Listener {
            port: optional(p.get("Port"), Node::integer)?.unwrap_or_default(),
            redirects_to_https: (protocol == "HTTP").then_some(redirects),
            ssl_policy: optional(p.get("SslPolicy"), Node::text)?,
            protocol,
        })
    })();
    let line = p.line;
    targets.each(lb, ResourceKind::LoadBalancer, |props, marks| {
        let Properties::LoadBalancer(l) = props else {
            return;
        };
        marks.lines.entry("listeners".into()).or_insert(line);
        match &read {
            Ok(listener) => l
                .listeners
                .get_or_insert_with(Vec::new)
                .push(listener.clone()),
            Err(why) => marks.unknown("listeners", why.clone()),
        }
    });
}
