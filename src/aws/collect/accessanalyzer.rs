//! IAM Access Analyzer in one region: every analyzer, of every type, with its status,
//! as the region's one resource. One paginated `ListAnalyzers`.

use aws_sdk_accessanalyzer::Client;

use super::{region_settings, Collected, Collector, Scope};
use crate::aws::errors::CallError;
use crate::model::accessanalyzer::{Analyzer, RegionSettings};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::AccessanalyzerRegionSettings;

/// Access Analyzer has no fix: a re-read is the region's collection.
pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(collect(scope, &wanted.region)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let wrap = Properties::AccessanalyzerRegionSettings;
    region_settings(KIND, region, &["analyzers"], read(&client), wrap).await
}

async fn read(client: &Client) -> Result<RegionSettings, (&'static str, CallError)> {
    let analyzers: Vec<_> = client
        .list_analyzers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| ("ListAnalyzers", CallError::from(e)))?;
    let analyzers = analyzers
        .iter()
        .map(|a| Analyzer {
            name: a.name().to_string(),
            analyzer_type: a.r#type().as_str().to_string(),
            status: a.status().as_str().to_string(),
        })
        .collect();
    Ok(RegionSettings { analyzers })
}
