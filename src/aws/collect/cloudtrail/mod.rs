//! CloudTrail, once for the account: each scanned region's own trails (`DescribeTrails`
//! without shadow trails, so a multi-region trail is listed once, in its home region),
//! each trail's status and selectors when a rule reads them, and the account resource
//! summing every trail up. The summary needs every trail's facts: a region that could
//! not be listed, or a trail whose status or selectors could not be read, makes the
//! account's `trails` an error rather than a partial answer. The trails are read once
//! per scan (`listings`), however many collectors judge them (`cloudwatch.rs` too). A
//! trail's log bucket is asked of S3 for its access logging and public grants (CIS 3.4,
//! CloudTrail.6, CloudTrail.7).

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

/// What the account summary and the monitoring chain read of every trail: one of them
/// unread leaves those undecided.
const SUMMED: [&str; 2] = ["status", "events"];

/// A trail with where it lives and what could not be read of it.
pub(super) struct Found {
    pub(super) region: String,
    arn: Option<String>,
    pub(super) trail: Trail,
    failed: Vec<(&'static str, &'static str, CallError)>,
}

/// Each scanned region's trails, or why the region could not be listed.
pub(super) type Listings = Vec<(String, Result<Vec<Found>, CallError>)>;

/// The scanned regions' trails, read on first use and kept for the rest of the scan.
/// Status and selectors are read when any collector's rules need them: the account
/// summary and the CIS monitoring chain always do.
pub(super) async fn listings<'s>(scope: &'s Scope<'_>) -> &'s Listings {
    scope.trails.get_or_init(|| list(scope)).await
}

async fn list(scope: &Scope<'_>) -> Listings {
    let needs = scope.needs;
    let joint = needs.kind(ACCOUNT) || needs.kind(ResourceKind::Monitoring);
    let wants = Wants {
        status: joint || needs.any(TRAIL, &["status"]),
        events: joint || needs.any(TRAIL, &["events"]),
        bucket_logging: needs.any(TRAIL, &["s3_bucket_logging"]),
        bucket_public: needs.any(TRAIL, &["s3_bucket_public"]),
    };
    join_all(scope.regions.iter().map(|region| async move {
        let client = Client::new(&scope.session.regional(region));
        let listed = client
            .describe_trails()
            .include_shadow_trails(false)
            .send()
            .await;
        let trails = match listed {
            Ok(o) => o.trail_list().to_vec(),
            Err(e) => return (region.clone(), Err(CallError::from(e))),
        };
        let client = &client;
        let found = scope
            .bounded(trails, |t| async move {
                read(scope, client, region, &t, wants).await
            })
            .await;
        (region.clone(), Ok(found))
    }))
    .await
}

async fn collect(scope: &Scope<'_>) -> Collected {
    let needs = scope.needs;
    let summary = needs.kind(ACCOUNT);
    let id = scope.session.account_id.as_str();
    let mut out = Collected::default();
    let mut found: Vec<&Found> = Vec::new();
    let mut complete = true;
    for (region, listed) in listings(scope).await {
        match listed {
            Ok(trails) => found.extend(trails),
            Err(e) => {
                complete = false;
                out.errors
                    .push(error(TRAIL, region, None, &[], "DescribeTrails", e.clone()));
                if summary {
                    out.errors.push(error(
                        ACCOUNT,
                        GLOBAL,
                        Some(id),
                        &["trails"],
                        "DescribeTrails",
                        e.clone(),
                    ));
                }
            }
        }
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
            if summary && complete && SUMMED.contains(attr) {
                complete = false;
                out.errors.push(error(
                    ACCOUNT,
                    GLOBAL,
                    Some(id),
                    &["trails"],
                    operation,
                    trail_error(name, e),
                ));
            }
        }
    }
    if summary {
        let trails = found.iter().map(|f| summarise(f)).collect();
        let properties = Properties::CloudtrailAccount(Account { trails });
        out.resources.push(resource(id, None, GLOBAL, properties));
    }
    if needs.kind(TRAIL) {
        out.resources.extend(found.into_iter().map(|f| {
            let trail = f.trail.clone();
            resource(
                &trail.name.clone(),
                f.arn.as_deref(),
                &f.region,
                Properties::Trail(trail),
            )
        }));
    }
    out
}

/// A trail's failed read, named for a finding about the account as a whole.
fn trail_error(name: &str, e: &CallError) -> CallError {
    CallError {
        code: e.code.clone(),
        message: format!("trail {name}: {}", e.message),
    }
}

/// What to read of each trail beside its listing.
#[derive(Clone, Copy)]
struct Wants {
    status: bool,
    events: bool,
    bucket_logging: bool,
    bucket_public: bool,
}

async fn read(
    scope: &Scope<'_>,
    client: &Client,
    region: &str,
    t: &aws_sdk_cloudtrail::types::Trail,
    wants: Wants,
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
    if wants.status {
        match client.get_trail_status().name(&key).send().await {
            Ok(o) => {
                trail.status = Some(TrailStatus {
                    is_logging: o.is_logging().unwrap_or(false),
                })
            }
            Err(e) => failed.push(("status", "GetTrailStatus", e.into())),
        }
    }
    if wants.events {
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
    if let Some(bucket) = &trail.s3_bucket_name {
        let named =
            super::s3::named_bucket(scope, bucket, wants.bucket_logging, wants.bucket_public);
        let super::s3::NamedBucket { logging, public } = named.await;
        match logging {
            Some(Ok(l)) => trail.s3_bucket_logging = Some(l),
            Some(Err((operation, e))) => failed.push(("s3_bucket_logging", operation, e)),
            None => {}
        }
        match public {
            Some(Ok(p)) => trail.s3_bucket_public = Some(p),
            Some(Err((operation, e))) => failed.push(("s3_bucket_public", operation, e)),
            None => {}
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

/// Every trail of the scanned regions with its status and selectors, for a collector
/// that judges the trails together with other services (`cloudwatch.rs`); or the
/// operation that failed, and why, when any region or trail could not be read.
pub(super) async fn every_trail<'s>(
    scope: &'s Scope<'_>,
) -> Result<Vec<&'s Found>, (&'static str, CallError)> {
    let mut out = Vec::new();
    for (_, listed) in listings(scope).await {
        let trails = listed.as_ref().map_err(|e| ("DescribeTrails", e.clone()))?;
        for f in trails {
            let failed = f.failed.iter().find(|(attr, _, _)| SUMMED.contains(attr));
            if let Some((_, operation, e)) = failed {
                return Err((operation, trail_error(&f.trail.name, e)));
            }
            out.push(f);
        }
    }
    Ok(out)
}

/// CloudTrail has no fix: a re-read is the whole collection, kept to the one resource.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let mut all = collect(scope).await;
    all.resources
        .retain(|r| r.properties.kind() == wanted.kind && r.id == wanted.id);
    all
}
