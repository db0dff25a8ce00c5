//! The pure core: evaluates a rule set over an inventory and builds the report.
//! No I/O, no clock, no SDK: the same inputs give the same report on a laptop, in
//! Lambda and on a replayed snapshot.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::model::{Inventory, ResourceKind};
use crate::report::{Finding, Report, ScanInfo, Summary, REPORT_SCHEMA_VERSION};
use crate::rules::evaluate::Context;
use crate::rules::{Rule, RuleSet, Severity, Status};

/// What the caller knows about the run that the inventory does not.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub scan_id: String,
    pub source: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

pub fn build_report(rules: &RuleSet, inventory: &Inventory, run: RunInfo) -> Report {
    let findings = evaluate(rules, inventory);
    let summary = summarize(&findings, inventory.resources.len());
    Report {
        schema_version: REPORT_SCHEMA_VERSION.to_string(),
        scan: ScanInfo {
            id: run.scan_id,
            tool: env!("CARGO_PKG_NAME").to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            account_id: inventory.account_id.clone(),
            regions: inventory.regions.clone(),
            source: run.source,
            collected_at: inventory.collected_at,
            started_at: run.started_at,
            finished_at: run.finished_at,
            rules_evaluated: rules.rules.len(),
        },
        summary,
        findings,
        errors: inventory.errors.clone(),
    }
}

/// Every rule against every resource of its kind, sorted by rule, region and resource.
pub fn evaluate(rules: &RuleSet, inventory: &Inventory) -> Vec<Finding> {
    // Attribute errors by resource (or, with no resource id, for every resource of the
    // kind in a region), and listings that failed outright.
    type Key<'i> = (ResourceKind, &'i str, Option<&'i str>);
    let mut attribute_errors: HashMap<Key<'_>, BTreeMap<&str, String>> = HashMap::new();
    let mut listing_errors = Vec::new();
    for e in &inventory.errors {
        if e.resource_id.is_none() && e.attributes.is_empty() {
            listing_errors.push(e);
            continue;
        }
        let entry = attribute_errors
            .entry((e.resource_type, e.region.as_str(), e.resource_id.as_deref()))
            .or_default();
        for attr in &e.attributes {
            entry.insert(
                attr.as_str(),
                format!("{} failed: {}: {}", e.operation, e.code, e.message),
            );
        }
    }

    let mut findings = Vec::new();
    for rule in &rules.rules {
        for resource in inventory
            .resources
            .iter()
            .filter(|r| r.properties.kind() == rule.resource)
        {
            let own = attribute_errors.get(&(
                rule.resource,
                resource.region.as_str(),
                Some(resource.id.as_str()),
            ));
            let regional = attribute_errors.get(&(rule.resource, resource.region.as_str(), None));
            let failed = |attr: &str| {
                own.and_then(|m| m.get(attr))
                    .or_else(|| regional.and_then(|m| m.get(attr)))
                    .cloned()
            };
            let ctx = Context {
                region: &resource.region,
                account_id: &inventory.account_id,
            };
            let judgement = rule.judge(&resource.properties.attributes(), &failed, ctx);
            findings.push(finding(
                rule,
                inventory,
                &resource.id,
                resource.arn.clone(),
                &resource.region,
                judgement.status,
                judgement.message,
            ));
        }
        for e in listing_errors
            .iter()
            .filter(|e| e.resource_type == rule.resource)
        {
            let message = format!(
                "could not list {} in {}: {} failed: {}: {}",
                e.resource_type, e.region, e.operation, e.code, e.message
            );
            findings.push(finding(
                rule,
                inventory,
                "*",
                None,
                &e.region,
                Status::Error,
                message,
            ));
        }
    }
    findings.sort_by(|a, b| {
        (&a.rule_id, &a.region, &a.resource_id).cmp(&(&b.rule_id, &b.region, &b.resource_id))
    });
    findings
}

fn finding(
    rule: &Rule,
    inventory: &Inventory,
    resource_id: &str,
    resource_arn: Option<String>,
    region: &str,
    status: Status,
    message: String,
) -> Finding {
    Finding {
        rule_id: rule.id.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        status,
        resource_type: rule.resource,
        resource_id: resource_id.to_string(),
        resource_arn,
        region: region.to_string(),
        message,
        remediation: rule.remediation.clone(),
        frameworks: rule.frameworks.clone(),
        timestamp: inventory.collected_at,
    }
}

/// Counts by status and severity, and the score as Security Hub computes it.
pub fn summarize(findings: &[Finding], resources_scanned: usize) -> Summary {
    let mut by_status: BTreeMap<Status, usize> = [
        Status::Pass,
        Status::Fail,
        Status::NotApplicable,
        Status::Error,
    ]
    .into_iter()
    .map(|s| (s, 0))
    .collect();
    let mut failed_by_severity: BTreeMap<Severity, usize> =
        Severity::ALL.into_iter().map(|s| (s, 0)).collect();
    for f in findings {
        *by_status.entry(f.status).or_default() += 1;
        if f.status == Status::Fail {
            *failed_by_severity.entry(f.severity).or_default() += 1;
        }
    }
    let (passed, failed) = (by_status[&Status::Pass], by_status[&Status::Fail]);
    let score = (passed + failed > 0)
        .then(|| (passed as f64 * 1000.0 / (passed + failed) as f64).round() / 10.0);
    Summary {
        score,
        resources_scanned,
        findings: findings.len(),
        by_status,
        failed_by_severity,
    }
}
