//! Which DynamoDB capacity scales with demand, as Application Auto Scaling says: the
//! region's scalable targets and scaling policies, asked once (two listings) by the
//! first provisioned table that needs them and shared by every other table.

use std::collections::HashSet;

use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use aws_sdk_applicationautoscaling::Client;
use aws_sdk_dynamodb::types::TableDescription;

use super::Scope;
use crate::aws::errors::CallError;

/// The (resource id, scalable dimension) pairs that scale: a target whose scaling out is
/// not suspended, with a scaling policy to act on it.
#[derive(Debug, Default)]
pub(super) struct Scaled(HashSet<(String, String)>);

impl Scaled {
    pub(super) async fn read(scope: &Scope<'_>, region: &str) -> Result<Scaled, CallError> {
        let client = Client::new(&scope.session.regional(region));
        let targets: Vec<_> = client
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Dynamodb)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        let policies: Vec<_> = client
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Dynamodb)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        let with_policy: HashSet<(String, String)> = policies
            .iter()
            .map(|p| {
                let dimension = p.scalable_dimension().as_str().to_string();
                (p.resource_id().to_string(), dimension)
            })
            .collect();
        Ok(Scaled(
            targets
                .iter()
                .filter(|t| {
                    t.suspended_state()
                        .is_none_or(|s| s.dynamic_scaling_out_suspended() != Some(true))
                })
                .map(|t| {
                    let dimension = t.scalable_dimension().as_str().to_string();
                    (t.resource_id().to_string(), dimension)
                })
                .filter(|pair| with_policy.contains(pair))
                .collect(),
        ))
    }

    /// Whether the table's read and write capacity scale, and each global secondary
    /// index's.
    pub(super) fn covers(&self, table: &TableDescription) -> bool {
        let name = table.table_name().unwrap_or_default();
        let scales = |resource: String, kind: &str| {
            ["ReadCapacityUnits", "WriteCapacityUnits"]
                .iter()
                .all(|unit| {
                    self.0
                        .contains(&(resource.clone(), format!("dynamodb:{kind}:{unit}")))
                })
        };
        scales(format!("table/{name}"), "table")
            && table.global_secondary_indexes().iter().all(|index| {
                let index = index.index_name().unwrap_or_default();
                scales(format!("table/{name}/index/{index}"), "index")
            })
    }
}
