//! Security Hub in one region: one `DescribeHub`, whose "not subscribed" answer
//! (InvalidAccessException) is the fact that the hub is off here.

use aws_sdk_securityhub::Client;

use super::{region_settings, Collected, Collector, Scope};
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
    let read = async {
        let hub = client
            .describe_hub()
            .send()
            .await
            .map_err(CallError::from)
            .map(|o| o.hub_arn().map(str::to_string));
        let hub = or_absent(hub.map(Some), &["InvalidAccessException"], || None)
            .map_err(|e| ("DescribeHub", e))?;
        Ok(RegionSettings {
            enabled: hub.is_some(),
            hub_arn: hub.flatten(),
        })
    };
    let wrap = Properties::SecurityhubRegionSettings;
    region_settings(KIND, region, &["enabled", "hub_arn"], read, wrap).await
}
