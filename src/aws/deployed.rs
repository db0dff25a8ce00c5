//! What `scan --stack` reads of a deployed stack: its parameters (`DescribeStacks`), the
//! template it runs after transforms (`GetTemplate`, stage `Processed`) and its resources
//! (`ListStackResources`, paginated: `DescribeStackResources` stops at 100). Three calls
//! and one more per 100 resources; the live scan of those resources is the collectors'.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::TemplateStage;
use aws_sdk_cloudformation::Client;

use super::errors::CallError;
use super::session::Session;
use crate::deployed::{Deployed, StackResource};

/// The value `DescribeStacks` shows for a `NoEcho` parameter: not the value deployed.
const MASKED: &str = "****";

/// The stack `name` (a name or a stack id) in `region`, or one sentence saying why it
/// cannot be read.
pub async fn read(session: &Session, name: &str, region: &str) -> Result<Deployed, String> {
    let client = Client::new(&session.regional(region));
    let failed = |call: &str, e: CallError| format!("cannot read stack {name}: {call} failed: {e}");
    let described = client
        .describe_stacks()
        .stack_name(name)
        .send()
        .await
        .map_err(CallError::from);
    let described = match described {
        Err(e) if e.code == "ValidationError" && e.message.contains("does not exist") => {
            return Err(format!("stack {name} does not exist in {region}"))
        }
        other => other.map_err(|e| failed("DescribeStacks", e))?,
    };
    let stack = described
        .stacks()
        .first()
        .ok_or_else(|| format!("stack {name} does not exist"))?;
    let status = stack
        .stack_status()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    if status == "DELETE_COMPLETE" {
        return Err(format!("stack {name} was deleted"));
    }
    let stack_id = stack.stack_id().unwrap_or(name).to_string();
    let stack_name = stack.stack_name().unwrap_or(name).to_string();
    // A parameter of an SSM type deployed its resolved value; a NoEcho one is unknown.
    let parameters: BTreeMap<String, String> = stack
        .parameters()
        .iter()
        .filter_map(|p| {
            let value = p.resolved_value().or(p.parameter_value())?;
            let key = p.parameter_key()?;
            (value != MASKED).then(|| (key.to_string(), value.to_string()))
        })
        .collect();
    let template = client
        .get_template()
        .stack_name(&stack_id)
        .template_stage(TemplateStage::Processed)
        .send()
        .await
        .map_err(|e| failed("GetTemplate", e.into()))?
        .template_body()
        .unwrap_or_default()
        .to_string();
    let mut resources = Vec::new();
    let mut pages = client
        .list_stack_resources()
        .stack_name(&stack_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed("ListStackResources", e.into()))?;
        for r in page.stack_resource_summaries() {
            resources.push(StackResource {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                physical_id: r.physical_resource_id().map(str::to_string),
                resource_type: r.resource_type().unwrap_or_default().to_string(),
                status: r
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(Deployed {
        name: stack_name,
        stack_id,
        status,
        region: region.to_string(),
        template,
        parameters,
        resources,
    })
}
