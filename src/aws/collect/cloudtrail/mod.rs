//! CloudTrail, once for the account: each scanned region's own trails (`DescribeTrails`
//! without shadow trails, so a multi-region trail is listed once, in its home region),
//! each trail's status and selectors when a rule reads them, and the account resource
//! summing every trail up. The summary needs every trail's facts: a region that could
//! not be listed, or a trail whose status or selectors could not be read, makes the
//! account's `trails` an error rather than a partial answer.

mod selectors;

use aws_sdk_cloudtrail::Client;
use futures::future::join_all;

use super::{error, resource, Collected, Collector, Scope, Wanted};
use crate::aws::errors::CallError;
use crate::model::cloudtrail::{Account, Trail, TrailStatus, TrailSummary};
use crate::model::iam::GLOBAL;
use crate::model::{Properties, ResourceKind};

const TRAIL: ResourceKind = ResourceKind::Trail;
const ACCOUNT: ResourceKind = ResourceKind::CloudtrailAccount;

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, _home| Box::pin(collect(scope)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

/// A trail with where it lives and what could not be read of it.
struct Found {
    region: String,
    arn: Option<String>,
    trail: Trail,
    failed: Vec<(&'static str, &'static str, CallError)>,
}

async fn collect(scope: &Scope<'_>) -> Collected {
    let needs = scope.needs;
    let summary = needs.kind(ACCOUNT);
    let want_status = summary || needs.any(TRAIL, &["status"]);
    let want_events = summary || needs.any(TRAIL, &["events"]);
    let listings = join_all(scope.regions.iter().map(|region| async move {
        let client = Client::new(&scope.session.regional(region));
        let listed = client
            .describe_trails()
            .include_shadow_trails(false)
            .send()
            .await;
        (region, client, listed)
    }))
    .await;
    let mut out = Collected::default();
    let mut found: Vec<Found> = Vec::new();
    let mut complete = true;
    for (region, client, listed) in listings {
        let trails = match listed {
            Ok(o) => o.trail_list().to_vec(),
            Err(e) => {
                complete = false;
                let e = CallError::from(e);
                out.errors
                    .push(error(TRAIL, region, None, &[], "DescribeTrails", e.clone()));
                if summary {
                    let id = scope.session.account_id.as_str();
                    out.errors.push(error(
                        ACCOUNT,
                        GLOBAL,
                        Some(id),
                        &["trails"],
                        "DescribeTrails",
                        e,
                    ));
                }
                continue;
            }
        };
        let client = &client;
        let per_trail = scope
            .bounded(trails, |t| async move {
                read(client, region, &t, want_status, want_events).await
            })
            .await;
        found.extend(per_trail);
    }
    // In a fixed order, whatever order the reads finished in: the summary's findings
    // name trails by position.
    found.sort_by(|a, b| (&a.region, &a.trail.name).cmp(&(&b.region, &b.trail.name)));
    for f in &found {
        for (attr, operation, e) in &f.failed {
            let name = f.trail.name.as_str();
            if needs.any(TRAIL, &[attr]) {
                out.errors.push(error(
                    TRAIL,
                    &f.region,
                    Some(name),
                    &[attr],
                    operation,
                    e.clone(),
                ));
            }
            if summary && complete {
                complete = false;
                let id = scope.session.account_id.as_str();
                let message = format!("trail {name}: {}", e.message);
                let e = CallError {
                    code: e.code.clone(),
                    message,
                };
                out.errors
                    .push(error(ACCOUNT, GLOBAL, Some(id), &["trails"], operation, e));
            }
        }
    }
    if summary {
        let trails = found.iter().map(summarise).collect();
        let id = scope.session.account_id.clone();
        let properties = Properties::CloudtrailAccount(Account { trails });
        out.resources.push(resource(&id, None, GLOBAL, properties));
    }
    if needs.kind(TRAIL) {
        out.resources.extend(found.into_iter().map(|f| {
            let id = f.trail.name.clone();
            resource(&id, f.arn.as_deref(), &f.region, Properties::Trail(f.trail))
        }));
    }
    out
}

async fn read(
    client: &Client,
    region: &str,
    t: &aws_sdk_cloudtrail::types::Trail,
    want_status: bool,
    want_events: bool,
) -> Found {
    let arn = t.trail_arn().map(str::to_string);
    // Status and selectors are asked by ARN, which names the trail in any region.
    let key = arn
        .clone()
        .or_else(|| t.name().map(str::to_string))
        .unwrap_or_default();
    let mut failed = Vec::new();
    let mut trail = Trail {
        name: t.name().unwrap_or_default().to_string(),
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        include_global_service_events: t.include_global_service_events().unwrap_or(false),
        log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: t.kms_key_id().map(str::to_string),
        s3_bucket_name: t.s3_bucket_name().map(str::to_string),
        cloud_watch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_string),
        ..Trail::default()
    };
    if want_status {
        match client.get_trail_status().name(&key).send().await {
            Ok(o) => {
                trail.status = Some(TrailStatus {
                    is_logging: o.is_logging().unwrap_or(false),
                })
            }
            Err(e) => failed.push(("status", "GetTrailStatus", e.into())),
        }
    }
    if want_events {
        match client.get_event_selectors().trail_name(&key).send().await {
            Ok(o) => {
                trail.events = Some(selectors::events(
                    o.event_selectors(),
                    o.advanced_event_selectors(),
                ))
            }
            Err(e) => failed.push(("events", "GetEventSelectors", e.into())),
        }
    }
    Found {
        region: t.home_region().unwrap_or(region).to_string(),
        arn,
        trail,
        failed,
    }
}

fn summarise(f: &Found) -> TrailSummary {
    TrailSummary {
        name: f.trail.name.clone(),
        home_region: f.region.clone(),
        is_multi_region: f.trail.is_multi_region,
        is_logging: f.trail.status.as_ref().is_some_and(|s| s.is_logging),
        events: f.trail.events.clone().unwrap_or_default(),
    }
}

/// CloudTrail has no fix: a re-read is the whole collection, kept to the one resource.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let mut all = collect(scope).await;
    all.resources
        .retain(|r| r.properties.kind() == wanted.kind && r.id == wanted.id);
    all
}
