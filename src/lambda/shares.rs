//! An organisation run's account × region items (`OrganizationItems` `account-region`),
//! so that no item of a large account nears Lambda's 15 minutes: each item collects one
//! region's share of the account (the first region's share also reads the account's
//! global services, IAM and S3's listing, for every region), and stores the inventory
//! only. The aggregation judges each account once, from its shares merged, because rules
//! such as a multi-region trail's see every region at once: judged apart, a region
//! alone would give a verdict the account does not deserve. A share that left nothing
//! is an error for every kind it would have read, so its rules are ERROR, never PASS.

use chrono::{DateTime, Utc};
use lambda_runtime::Error;
use serde_json::{json, Value};

use super::fan_out::{stored, Unscanned};
use super::log::{fail, log};
use super::settings::Settings;
use crate::aws::buckets::put;
use crate::aws::collect::share_lost;
use crate::model::{CollectionError, Inventory, INVENTORY_SCHEMA_VERSION};
use crate::organization::scan::{collect_share, Plan};
use crate::organization::Account;
use crate::pipeline::{self, Silent};
use crate::report::Report;
use crate::rules::RuleSet;
use crate::suppress::Suppressions;

/// The regions the stack's items split an account into: its `ScanRegions` when they are
/// named and more than one; `None` (one item per account) otherwise, `all` included,
/// whose regions each member account knows only for itself.
pub fn split_regions(settings: &Settings) -> Option<&[String]> {
    let named = &settings.regions.named;
    (settings.region_items && !settings.regions.all && named.len() > 1).then_some(named.as_slice())
}

/// Collects `region`'s share of `account` (`base` is the account's key prefix): the key
/// and body to store, `<base>.<region>.inventory.json` or its reason, and the answer.
pub async fn collect(
    plan: &Plan<'_>,
    account: Account,
    region: &str,
    base: &str,
) -> Result<(String, Vec<u8>, Value), Error> {
    let base = format!("{base}.{region}");
    match collect_share(plan, &account, Some(region), &Silent).await {
        Ok(inventory) => {
            let answer = json!({
                "account_id": account.id, "region": region, "scanned": true,
                "resources": inventory.resources.len(), "errors": inventory.errors.len(),
                "incomplete": inventory.incomplete,
            });
            let body = serde_json::to_vec(&inventory).map_err(|e| fail(&e.to_string()))?;
            Ok((format!("{base}.inventory.json"), body, answer))
        }
        Err(error) => {
            log(
                "error",
                &format!(
                    "account {} was not scanned in {region}: {error}",
                    account.id
                ),
                json!({}),
            );
            let answer = json!({"account_id": account.id, "region": region, "scanned": false, "error": error});
            let body = serde_json::to_vec(&Unscanned { account, error })
                .map_err(|e| fail(&e.to_string()))?;
            Ok((format!("{base}.error.json"), body, answer))
        }
    }
}

/// How the aggregation judges an account from its shares.
pub struct Judge<'a> {
    pub rules: &'a RuleSet,
    pub suppressions: &'a Suppressions,
    pub run_id: &'a str,
    pub started_at: DateTime<Utc>,
}

/// `account`'s report from the shares its `regions` items stored under `base`, stored
/// at `<base>.json` as a one-item account's is; the first reason when no share holds
/// anything.
pub async fn judged(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    base: &str,
    account: &Account,
    regions: &[String],
    judge: &Judge<'_>,
) -> Result<Report, String> {
    let needs = pipeline::needs(judge.rules, judge.suppressions);
    let mut parts = Vec::new();
    let mut lost = Vec::new();
    let mut reasons = Vec::new();
    for region in regions {
        let share = format!("{base}.{region}");
        match stored::<Inventory>(s3, bucket, &share, ".inventory.json").await {
            Ok(part) => parts.push(part),
            Err(reason) => {
                let why = format!("{region} was not collected: {reason}");
                lost.extend(share_lost(&needs, regions, region, &why));
                reasons.push(why);
            }
        }
    }
    if parts.is_empty() {
        return Err(reasons.join("; "));
    }
    let inventory = merged(account.id.clone(), regions.to_vec(), parts, lost);
    let report = pipeline::judge(
        judge.rules,
        &inventory,
        judge.suppressions,
        "lambda",
        Some(judge.run_id.to_string()),
        judge.started_at,
    );
    let key = format!("{base}.json");
    match serde_json::to_vec(&report) {
        Ok(body) => {
            if let Err(e) = put(s3, bucket, &key, body, "application/json").await {
                // The organisation's report holds it all the same.
                log(
                    "error",
                    &format!("could not store s3://{bucket}/{key}: {e}"),
                    json!({}),
                );
            }
        }
        Err(e) => log("error", &e.to_string(), json!({})),
    }
    Ok(report)
}

/// One account's inventory over `regions` from its shares collected apart, with `lost`
/// standing for the shares that left nothing: such an inventory is incomplete.
fn merged(
    account_id: String,
    regions: Vec<String>,
    parts: Vec<Inventory>,
    lost: Vec<CollectionError>,
) -> Inventory {
    let collected_at = parts
        .iter()
        .map(|p| p.collected_at)
        .min()
        .unwrap_or_else(Utc::now);
    let incomplete = !lost.is_empty() || parts.iter().any(|p| p.incomplete);
    let mut merged = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        account_id,
        regions,
        collected_at,
        incomplete,
        resources: Vec::new(),
        errors: lost,
        elsewhere: Vec::new(),
    };
    for part in parts {
        merged.resources.extend(part.resources);
        merged.errors.extend(part.errors);
        merged.elsewhere.extend(part.elsewhere);
    }
    merged.resources.sort_by(|a, b| {
        (a.properties.kind(), &a.region, &a.id).cmp(&(b.properties.kind(), &b.region, &b.id))
    });
    merged
}
