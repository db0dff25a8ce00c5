//! Lambda functions in one region: ListFunctions gives most attributes; concurrency,
//! resource policy, URL and tags cost one call each, made only when a rule reads them.

use aws_sdk_lambda::types::FunctionConfiguration;
use aws_sdk_lambda::Client;
use futures::stream::{self, StreamExt};

use super::{Attributes, Collected, Scope};
use crate::aws::errors::CallError;
use crate::model::lambda::{Concurrency, Function, FunctionUrl, FunctionVpc};
use crate::model::policy::{self, ResourcePolicy};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::LambdaFunction;

pub async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let conf = aws_sdk_lambda::config::Builder::from(&scope.session.config)
        .region(aws_sdk_lambda::config::Region::new(region.to_string()))
        .build();
    let client = Client::from_conf(conf);
    let functions = match client
        .list_functions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(f) => f,
        Err(e) => {
            return Collected {
                resources: Vec::new(),
                errors: vec![scope.listing_error(KIND, region, "ListFunctions", e.into())],
            }
        }
    };
    let client = &client;
    let parts: Vec<Collected> = stream::iter(functions)
        .map(|f| async move {
            let _permit = scope.limit.acquire().await;
            function(scope, client, region, f).await
        })
        .buffer_unordered(scope.limit.available_permits().max(1))
        .collect()
        .await;
    let mut out = Collected::default();
    parts.into_iter().for_each(|p| out.extend(p));
    out
}

async fn function(
    scope: &Scope<'_>,
    c: &Client,
    region: &str,
    f: FunctionConfiguration,
) -> Collected {
    let name = f.function_name().unwrap_or_default().to_string();
    let n = name.as_str();
    let mut attrs = Attributes::new(scope, KIND, n, region);
    let vpc = f
        .vpc_config()
        .filter(|v| v.vpc_id().is_some_and(|id| !id.is_empty()) || !v.subnet_ids().is_empty());
    let mut function = Function {
        name: name.clone(),
        runtime: f.runtime().map(|r| r.as_str().to_string()),
        package_type: f
            .package_type()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "Zip".to_string()),
        architectures: f
            .architectures()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        role: f.role().unwrap_or_default().to_string(),
        tracing_mode: f
            .tracing_config()
            .and_then(|t| t.mode())
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "PassThrough".to_string()),
        vpc: vpc.map(|v| FunctionVpc {
            vpc_id: v.vpc_id().unwrap_or_default().to_string(),
            subnet_ids: v.subnet_ids().to_vec(),
            security_group_ids: v.security_group_ids().to_vec(),
        }),
        environment_variable_names: f
            .environment()
            .and_then(|e| e.variables())
            .map(|vars| {
                let mut names: Vec<String> = vars.keys().cloned().collect();
                names.sort();
                names
            })
            .unwrap_or_default(),
        ..Function::default()
    };
    function.concurrency = attrs.get(&["concurrency"], || concurrency(c, n)).await;
    function.policy = attrs.get(&["policy"], || resource_policy(c, n)).await;
    function.url = attrs.get(&["url"], || url(c, n)).await;
    let arn = f.function_arn().map(str::to_string);
    if let Some(arn) = arn.as_deref() {
        function.tags = attrs.get(&["tags"], || tags(c, arn)).await;
    }
    attrs.finish(arn, Properties::LambdaFunction(function))
}

async fn concurrency(c: &Client, name: &str) -> Result<Concurrency, CallError> {
    let out = c
        .get_function_concurrency()
        .function_name(name)
        .send()
        .await?;
    Ok(Concurrency {
        reserved: out.reserved_concurrent_executions().map(i64::from),
    })
}

async fn resource_policy(c: &Client, name: &str) -> Result<ResourcePolicy, CallError> {
    match c
        .get_policy()
        .function_name(name)
        .send()
        .await
        .map_err(CallError::from)
    {
        Ok(out) => {
            let facts =
                policy::analyze(out.policy().unwrap_or("{}")).map_err(|reason| CallError {
                    code: "InvalidPolicy".to_string(),
                    message: reason,
                })?;
            Ok(ResourcePolicy {
                present: true,
                public: facts.is_public(),
            })
        }
        Err(e) if e.is(&["ResourceNotFoundException"]) => Ok(ResourcePolicy::default()),
        Err(e) => Err(e),
    }
}

async fn url(c: &Client, name: &str) -> Result<FunctionUrl, CallError> {
    match c
        .get_function_url_config()
        .function_name(name)
        .send()
        .await
        .map_err(CallError::from)
    {
        Ok(out) => Ok(FunctionUrl {
            configured: true,
            auth_type: Some(out.auth_type().as_str().to_string()),
        }),
        Err(e) if e.is(&["ResourceNotFoundException"]) => Ok(FunctionUrl::default()),
        Err(e) => Err(e),
    }
}

async fn tags(c: &Client, arn: &str) -> Result<crate::model::Tags, CallError> {
    let out = c.list_tags().resource(arn).send().await?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}
