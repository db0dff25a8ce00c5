//! `AWS::Lambda::Function`, with `AWS::Lambda::Permission` and `AWS::Lambda::Url`
//! folded in. Defaults from the CloudFormation reference: package type `Zip`,
//! architecture `x86_64`, tracing `PassThrough`, no VPC, no reserved concurrency, no
//! resource policy until a permission adds one, no function URL.

use crate::model::lambda::{Concurrency, Function, FunctionUrl, FunctionVpc};
use crate::model::policy::ResourcePolicy;
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node, Value};

use super::{tags, Input, Targets};

pub fn function(input: &mut Input<'_>) -> Properties {
    let name = input.named("FunctionName");
    let p = input.props;
    let runtime = input
        .attr("runtime", &["Runtime"], |p| {
            optional(p.get("Runtime"), Node::text)
        })
        .flatten();
    let text = |key: &str| optional(p.get(key), Node::text).ok().flatten();
    let package_type = text("PackageType").unwrap_or_else(|| "Zip".into());
    let role = text("Role").unwrap_or_default();
    let architectures = input
        .attr("architectures", &["Architectures"], |p| {
            Ok(optional(p.get("Architectures"), Node::texts)?
                .unwrap_or_else(|| vec!["x86_64".into()]))
        })
        .unwrap_or_default();
    let tracing_mode = input
        .attr("tracing_mode", &["TracingConfig"], |p| {
            Ok(optional(p.path(&["TracingConfig", "Mode"]), Node::text)?
                .unwrap_or_else(|| "PassThrough".into()))
        })
        .unwrap_or_default();
    let vpc = input
        .attr("vpc", &["VpcConfig"], |p| {
            let Some(config) = p.get("VpcConfig") else {
                return Ok(None);
            };
            let subnet_ids = optional(config.get("SubnetIds"), Node::texts)?.unwrap_or_default();
            let security_group_ids =
                optional(config.get("SecurityGroupIds"), Node::texts)?.unwrap_or_default();
            // Attached when it names subnets; the VPC is theirs.
            Ok(subnet_ids.first().map(|first| FunctionVpc {
                vpc_id: format!("the VPC of {first}"),
                subnet_ids: subnet_ids.clone(),
                security_group_ids,
            }))
        })
        .flatten();
    let environment_variable_names = match p.path(&["Environment", "Variables"]).map(|v| &v.value) {
        Some(Value::Map(entries)) => entries.iter().map(|e| e.key.clone()).collect(),
        _ => Vec::new(),
    };
    let concurrency = input.attr("concurrency", &["ReservedConcurrentExecutions"], |p| {
        Ok(Concurrency {
            reserved: optional(p.get("ReservedConcurrentExecutions"), Node::integer)?,
        })
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::LambdaFunction(Function {
        name,
        runtime,
        package_type,
        architectures,
        role,
        tracing_mode,
        vpc,
        environment_variable_names,
        concurrency,
        policy: Some(ResourcePolicy::default()),
        url: Some(FunctionUrl::default()),
        tags,
    })
}

/// `AWS::Serverless::Function` (SAM): the function SAM expands it into. SAM writes
/// `Tracing: Active` for `TracingConfig`, tags as a map, `FunctionUrlConfig` for the
/// URL; the permissions it adds for its `Events` name their source (never public).
pub fn serverless_function(input: &mut Input<'_>) -> Properties {
    let mut props = input.props.clone();
    if let (Value::Map(entries), Some(tracing)) = (&mut props.value, input.props.entry("Tracing")) {
        entries.push(crate::template::node::Entry {
            key: "TracingConfig".into(),
            line: tracing.line,
            node: Node::new(
                Value::Map(vec![crate::template::node::Entry {
                    key: "Mode".into(),
                    line: tracing.line,
                    node: tracing.node.clone(),
                }]),
                tracing.line,
            ),
        });
    }
    let mut sam = Input::new(input.id, &props, input.at);
    let mut properties = function(&mut sam);
    if let Properties::LambdaFunction(f) = &mut properties {
        let url = sam.attr("url", &["FunctionUrlConfig"], |p| {
            Ok(match p.get("FunctionUrlConfig") {
                Some(config) => FunctionUrl {
                    configured: true,
                    auth_type: Some(
                        config
                            .get("AuthType")
                            .ok_or("FunctionUrlConfig has no AuthType")?
                            .text()?,
                    ),
                },
                None => FunctionUrl::default(),
            })
        });
        // An unauthenticated URL comes with SAM's permission for anyone to call it.
        let open = url
            .as_ref()
            .is_some_and(|u| u.configured && u.auth_type.as_deref() == Some("NONE"));
        f.url = url;
        let policy = f.policy.get_or_insert_with(ResourcePolicy::default);
        if let Some(Value::Map(events)) = props.get("Events").map(|e| &e.value) {
            policy.present |= !events.is_empty();
        }
        policy.present |= open;
        policy.public |= open;
    }
    input.name = sam.name.clone();
    input.absorb(sam);
    properties
}

/// Condition-like properties of a permission that narrow a `*` principal to known
/// callers (as `model::policy` reads `aws:SourceArn` and the like).
const NARROWING: &[&str] = &[
    "SourceArn",
    "SourceAccount",
    "PrincipalOrgID",
    "EventSourceToken",
];

/// `AWS::Lambda::Permission`: a statement of the function's resource policy.
pub fn permission(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(function) = p.get("FunctionName") else {
        return;
    };
    let public = (|| -> Result<bool, String> {
        let principal = p.get("Principal").ok_or("no Principal")?.text()?;
        if principal != "*" {
            return Ok(false);
        }
        for key in NARROWING {
            if let Some(value) = p.get(key) {
                value.text()?;
                return Ok(false);
            }
        }
        Ok(true)
    })();
    let line = p.line;
    targets.each(function, ResourceKind::LambdaFunction, |props, marks| {
        let Properties::LambdaFunction(f) = props else {
            return;
        };
        marks.lines.entry("policy".into()).or_insert(line);
        match &public {
            Ok(public) => {
                let policy = f.policy.get_or_insert_with(ResourcePolicy::default);
                policy.present = true;
                policy.public |= public;
            }
            Err(why) => marks.unknown("policy", why.clone()),
        }
    });
}

/// `AWS::Lambda::Url`: the function's URL and how callers authenticate.
pub fn url(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(function) = p.get("TargetFunctionArn") else {
        return;
    };
    let auth = p.get("AuthType").ok_or_else(|| "no AuthType".to_string());
    let auth = auth.and_then(Node::text);
    let line = p.line;
    targets.each(function, ResourceKind::LambdaFunction, |props, marks| {
        let Properties::LambdaFunction(f) = props else {
            return;
        };
        marks.lines.insert("url".into(), line);
        match &auth {
            Ok(auth) => {
                f.url = Some(FunctionUrl {
                    configured: true,
                    auth_type: Some(auth.clone()),
                })
            }
            Err(why) => marks.unknown("url", why.clone()),
        }
    });
}
