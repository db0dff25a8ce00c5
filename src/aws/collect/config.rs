//! AWS Config in one region: three descriptions (recorders, their status, delivery
//! channels) make the region's one resource, whatever the rules read of it.

use aws_sdk_config::Client;

use super::{error, resource, Collected, Collector, Scope};
use crate::aws::errors::CallError;
use crate::model::config::{Recorder, RegionSettings};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::ConfigRegionSettings;

/// The role AWS Config records with when it uses its service-linked role.
const SERVICE_LINKED_ROLE: &str = "/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";

/// Config has no fix: a re-read is the region's collection.
pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(collect(scope, &wanted.region)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let mut out = Collected::default();
    let mut settings = RegionSettings::default();
    let mut fail = |attr: &str, operation: &str, e: CallError| {
        out.errors
            .push(error(KIND, region, Some(region), &[attr], operation, e));
    };
    let recorders = client.describe_configuration_recorders().send().await;
    let statuses = client.describe_configuration_recorder_status().send().await;
    match (recorders, statuses) {
        (Ok(recorders), Ok(statuses)) => {
            settings.recorders = recorders
                .configuration_recorders()
                .iter()
                .map(|r| {
                    let name = r.name().unwrap_or_default().to_string();
                    let status = statuses
                        .configuration_recorders_status()
                        .iter()
                        .find(|s| s.name() == Some(name.as_str()));
                    let group = r.recording_group();
                    Recorder {
                        all_supported: group.is_some_and(|g| g.all_supported()),
                        include_global_resource_types: group
                            .is_some_and(|g| g.include_global_resource_types()),
                        role_arn: r.role_arn().map(str::to_string),
                        service_linked_role: r
                            .role_arn()
                            .is_some_and(|a| a.ends_with(SERVICE_LINKED_ROLE)),
                        recording: status.is_some_and(|s| s.recording()),
                        last_status: status
                            .and_then(|s| s.last_status())
                            .map(|s| s.as_str().to_string()),
                        name,
                    }
                })
                .collect();
        }
        (Err(e), _) => fail("recorders", "DescribeConfigurationRecorders", e.into()),
        (_, Err(e)) => fail("recorders", "DescribeConfigurationRecorderStatus", e.into()),
    }
    match client.describe_delivery_channels().send().await {
        Ok(o) => settings.delivery_channels = o.delivery_channels().len() as i64,
        Err(e) => fail("delivery_channels", "DescribeDeliveryChannels", e.into()),
    }
    out.resources.push(resource(
        region,
        None,
        region,
        Properties::ConfigRegionSettings(settings),
    ));
    out
}
