//! Lambda functions in one region: ListFunctions gives most attributes; concurrency,
//! resource policy, URL and tags cost one call each, made only when a rule reads them.

use aws_sdk_lambda::types::FunctionConfiguration;
use aws_sdk_lambda::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::{or_absent, CallError};
use crate::model::lambda::{Concurrency, Function, FunctionUrl, FunctionVpc};
use crate::model::policy::ResourcePolicy;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::LambdaFunction;
/// Lambda's answer when a function has no policy or no URL.
const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let listed = client
        .list_functions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    scope
        .each_listed(KIND, region, "ListFunctions", listed, |f| {
            function(scope, &client, region, f)
        })
        .await
}

/// One function again: `GetFunction` answers the configuration `ListFunctions` lists.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let client = Client::new(&scope.session.regional(&wanted.region));
    match client.get_function().function_name(&wanted.id).send().await {
        Ok(out) => match out.configuration() {
            Some(f) => function(scope, &client, &wanted.region, f.clone()).await,
            None => Collected::default(),
        },
        Err(e) => {
            let mut attrs = Attributes::new(scope, KIND, &wanted.id, &wanted.region);
            attrs.fail_all("GetFunction", e.into());
            Collected {
                errors: attrs.errors,
                ..Collected::default()
            }
        }
    }
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
    let document = c
        .get_policy()
        .function_name(name)
        .send()
        .await
        .map_err(CallError::from);
    let document = or_absent(
        document.map(|out| out.policy().map(str::to_string)),
        NOT_FOUND,
        || None,
    )?;
    super::resource_policy(document.as_deref())
}

async fn url(c: &Client, name: &str) -> Result<FunctionUrl, CallError> {
    let out = c
        .get_function_url_config()
        .function_name(name)
        .send()
        .await
        .map_err(CallError::from);
    let url = out.map(|o| FunctionUrl {
        configured: true,
        auth_type: Some(o.auth_type().as_str().to_string()),
    });
    or_absent(url, NOT_FOUND, FunctionUrl::default)
}

async fn tags(c: &Client, arn: &str) -> Result<crate::model::Tags, CallError> {
    let out = c.list_tags().resource(arn).send().await?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}
