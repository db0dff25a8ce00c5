//! What a run of the scanner Lambda writes into the findings history table.
//!
//! Writes stay bounded: each failure of the run (not the passes, not the accepted
//! risks), and for each failure of the previous run that this one no longer reports —
//! fixed, accepted, or gone — one item saying so. The previous run's failures are a small
//! state object beside the reports (`Failing`), so no earlier report is read. What the
//! run could not look at (`Report::judged_again`) is carried over, never resolved.
//!
//! An organisation run's failures are also told apart by account: the same regional
//! settings resource (named after its region, with no ARN) exists in every account, so
//! such an item's partition key is `<account>/<id>`.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::table::{partition, Item, RESOLVED};
use crate::report::{Finding, Place, Report};

const FAILED: &str = "FAIL";

/// The failures of the last run, as the state object keeps them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Failing {
    pub scan_id: String,
    pub failures: Vec<Key>,
}

/// A failure across runs: its identity (account in a run of several, rule, region,
/// resource id) and what its items carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub rule_id: String,
    pub region: String,
    pub resource_id: String,
    pub resource: String,
    pub resource_type: String,
    pub severity: String,
}

impl Key {
    fn identity(&self) -> Identity<'_> {
        (
            self.account_id.as_deref(),
            &self.rule_id,
            &self.region,
            &self.resource_id,
        )
    }
}

/// (account in a run of several, rule, region, resource id).
type Identity<'a> = (Option<&'a str>, &'a str, &'a str, &'a str);

fn identity(f: &Finding) -> Identity<'_> {
    (
        f.account_id.as_deref(),
        &f.rule_id,
        &f.region,
        &f.resource_id,
    )
}

fn key(f: &Finding) -> Key {
    Key {
        account_id: f.account_id.clone(),
        rule_id: f.rule_id.clone(),
        region: f.region.clone(),
        resource_id: f.resource_id.clone(),
        resource: partition(
            f.account_id.as_deref(),
            f.resource_arn.as_deref(),
            &f.resource_id,
        ),
        resource_type: f.resource_type.as_str().to_string(),
        severity: f.severity.as_str().to_string(),
    }
}

impl Failing {
    /// Whether `f` failed in that run too.
    pub fn had(&self, f: &Finding) -> bool {
        self.failures.iter().any(|k| k.identity() == identity(f))
    }
}

/// What a run writes given the previous run's failures, and the failures to keep for
/// the next run. `evaluated`: the rules the run evaluated; `retention_days`: how long
/// an item lives (the reports' retention).
pub fn items(
    report: &Report,
    previous: &Failing,
    evaluated: &BTreeSet<&str>,
    retention_days: i64,
) -> (Vec<Item>, Failing) {
    let at: DateTime<Utc> = report.scan.finished_at;
    let expires_at = (at + Duration::days(retention_days)).timestamp();
    let stamp = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let item = |k: &Key, status: &str, detail: String| Item {
        resource: k.resource.clone(),
        account_id: k.account_id.clone(),
        evaluated: format!("{stamp}#{}", k.rule_id),
        rule_id: k.rule_id.clone(),
        status: status.to_string(),
        severity: k.severity.clone(),
        region: k.region.clone(),
        resource_type: k.resource_type.clone(),
        detail,
        scan_id: report.scan.id.clone(),
        expires_at,
    };
    // A template's findings (`scan --stack`) describe the template, not a resource.
    let failing: Vec<(Key, &Finding)> = report
        .findings
        .iter()
        .filter(|f| f.fails() && f.location.is_none())
        .map(|f| (key(f), f))
        .collect();
    let mut out: Vec<Item> = failing
        .iter()
        .map(|(k, f)| item(k, FAILED, f.message.clone()))
        .collect();
    let still: BTreeSet<Identity<'_>> = failing.iter().map(|(_, f)| identity(f)).collect();
    let mut keep: Vec<Key> = failing.into_iter().map(|(k, _)| k).collect();
    for k in &previous.failures {
        if still.contains(&k.identity()) {
            continue;
        }
        let (account, rule, region, id) = k.identity();
        let at = Place {
            account: account.unwrap_or(&report.scan.account_id),
            region,
        };
        if !report.judged_again(evaluated, at, rule, id) {
            keep.push(k.clone());
            continue;
        }
        let current = report.findings.iter().find(|f| identity(f) == k.identity());
        let detail = match current {
            Some(f) if f.suppressed.is_some() => "accepted by a suppression".to_string(),
            Some(f) => format!("now {}", f.status.as_str()),
            None => "the resource is gone".to_string(),
        };
        out.push(item(k, RESOLVED, detail));
    }
    let failing = Failing {
        scan_id: report.scan.id.clone(),
        failures: keep,
    };
    (out, failing)
}

#[cfg(test)]
mod tests;
