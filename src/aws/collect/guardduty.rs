//! GuardDuty in one region: its detector (a region has at most one) and whether it is
//! enabled, as the region's one resource.

use aws_sdk_guardduty::Client;

use super::{region_settings, Collected, Collector, Scope};
use crate::aws::errors::CallError;
use crate::model::guardduty::{Detector, RegionSettings};
use crate::model::{Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::GuarddutyRegionSettings;

/// GuardDuty has no fix: a re-read is the region's collection.
pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, region| Box::pin(collect(scope, region)),
    one: |scope, wanted| Box::pin(collect(scope, &wanted.region)),
};

async fn collect(scope: &Scope<'_>, region: &str) -> Collected {
    let client = Client::new(&scope.session.regional(region));
    let read = async {
        let detectors = detectors(&client).await?;
        Ok(RegionSettings { detectors })
    };
    let wrap = Properties::GuarddutyRegionSettings;
    region_settings(KIND, region, &["detectors"], read, wrap).await
}

async fn detectors(client: &Client) -> Result<Vec<Detector>, (&'static str, CallError)> {
    let ids: Vec<String> = client
        .list_detectors()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| ("ListDetectors", e.into()))?;
    let mut out = Vec::new();
    for id in ids {
        let detector = client
            .get_detector()
            .detector_id(&id)
            .send()
            .await
            .map_err(|e| ("GetDetector", e.into()))?;
        out.push(Detector {
            status: detector
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            detector_id: id,
        });
    }
    Ok(out)
}
