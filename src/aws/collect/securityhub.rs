//! Security Hub in one region: one `DescribeHub`, whose "not subscribed" answer
//! (InvalidAccessException) is the fact that the hub is off here.

use aws_sdk_securityhub::Client;

use super::{error, resource, Collected, Collector, Scope};
use crate::aws::errors::{or_absent, CallError};
use crate::model::securityhub::RegionSettings;
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::SecurityhubRegionSettings;

/// Security Hub has no fix: a re-read is the region's collection.
pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(collect(scope, &wanted.region)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let mut out = Collected::default();
    let hub = client
        .describe_hub()
        .send()
        .await
        .map_err(CallError::from)
        .map(|o| o.hub_arn().map(str::to_string));
    let mut settings = RegionSettings::default();
    match or_absent(hub.map(Some), &["InvalidAccessException"], || None) {
        Ok(hub) => {
            settings.enabled = hub.is_some();
            settings.hub_arn = hub.flatten();
        }
        Err(e) => {
            let attrs = ["enabled", "hub_arn"];
            out.errors
                .push(error(KIND, region, Some(region), &attrs, "DescribeHub", e));
        }
    }
    let properties = Properties::SecurityhubRegionSettings(settings);
    out.resources
        .push(resource(region, None, region, properties));
    out
}
