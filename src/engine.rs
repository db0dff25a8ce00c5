//! The pure core: evaluates a rule set over an inventory and builds the report.
//! No I/O, no clock, no SDK: the same inputs give the same report on a laptop, in
//! Lambda and on a replayed snapshot.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::model::{Inventory, Location, ResourceKind, Tags};
use crate::report::{Finding, Report, ScanInfo, Summary, REPORT_SCHEMA_VERSION};
use crate::rules::evaluate::Setting;
use crate::rules::{Rule, RuleSet, Severity, Status};
use crate::suppress::Suppressions;

/// What the caller knows about the run that the inventory does not.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub scan_id: String,
    pub source: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

/// The report of `rules` over `inventory`, its failures matched against `suppressions`.
pub fn build_report(
    rules: &RuleSet,
    inventory: &Inventory,
    run: RunInfo,
    suppressions: &Suppressions,
) -> Report {
    let findings = evaluate(rules, inventory);
    let summary = summarize(&findings, inventory.resources.len());
    let mut report = Report {
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
            incomplete: inventory.incomplete,
            outside_regions: inventory.elsewhere.clone(),
        },
        summary,
        findings,
        errors: inventory.errors.clone(),
        suppressions: Vec::new(),
        baseline: None,
        stack: None,
        accounts: Vec::new(),
    };
    if !suppressions.entries.is_empty() {
        let evaluated = rules.rules.iter().map(|r| r.id.as_str()).collect();
        suppress(&mut report, suppressions, &evaluated);
    }
    report
}

/// Marks `report`'s failures with the entries of `set` that accept them (`evaluated`: the
/// rule ids the scan ran) and recounts the summary without them.
pub fn suppress(report: &mut Report, set: &Suppressions, evaluated: &BTreeSet<&str>) {
    crate::suppress::apply(set, report, evaluated);
    report.summary = summarize(&report.findings, report.summary.resources_scanned);
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
            let why = if e.operation == crate::model::UNRESOLVED {
                format!("the template cannot tell it: {}", e.message)
            } else {
                format!("{} failed: {}: {}", e.operation, e.code, e.message)
            };
            entry.insert(attr.as_str(), why);
        }
    }

    // Each resource's attributes are serialized once, whatever the number of rules.
    let attributes: Vec<serde_json::Value> = inventory
        .resources
        .iter()
        .map(|r| r.properties.attributes())
        .collect();
    let mut findings = Vec::new();
    for rule in &rules.rules {
        for (resource, attrs) in inventory
            .resources
            .iter()
            .zip(&attributes)
            .filter(|(r, _)| r.properties.kind() == rule.resource)
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
            let setting = Setting {
                region: &resource.region,
                account_id: &inventory.account_id,
                at: inventory.collected_at,
            };
            let judgement = rule.judge(attrs, &failed, setting);
            let mut found = finding(
                rule,
                inventory,
                &resource.id,
                resource.arn.clone(),
                &resource.region,
                judgement.status,
                judgement.message,
            );
            found.evidence = judgement.evidence;
            found.resource_tags = tags_of(attrs);
            found.location = resource.location.as_ref().map(|l| located(rule, l));
            findings.push(found);
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

/// Where a template finding points: the line of the first property the rule reads, or
/// the resource's own line.
fn located(rule: &Rule, location: &Location) -> Location {
    let mut read = BTreeSet::new();
    rule.condition.attributes(&mut read);
    let line = read
        .iter()
        .filter_map(|a| location.property_lines.get(a))
        .min()
        .copied()
        .unwrap_or(location.line);
    Location {
        line,
        property_lines: BTreeMap::new(),
        ..location.clone()
    }
}

/// The resource's tags, when they were collected.
fn tags_of(attrs: &serde_json::Value) -> Tags {
    attrs
        .get("tags")
        .and_then(serde_json::Value::as_object)
        .map(|tags| {
            tags.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
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
        evidence: message.clone(),
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
        resource_tags: Tags::new(),
        suppressed: None,
        baseline: None,
        location: None,
        account_id: None,
    }
}

/// Counts by status and severity, and the score as Security Hub computes it, of the
/// findings no suppression accepts; the accepted failures are counted apart.
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
    let mut suppressed = 0;
    for f in findings {
        if f.suppressed.is_some() {
            suppressed += 1;
            continue;
        }
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
        suppressed,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::s3::{Bucket, Versioning};
    use crate::model::{CollectionError, Properties, Resource, Service, INVENTORY_SCHEMA_VERSION};
    use crate::rules::load::parse;

    fn rules() -> RuleSet {
        let text = r#"id: s3-bucket-versioning-check
title: Versioning
description: Versioning on.
resource: aws.s3.bucket
severity: high
remediation: {text: Turn it on., url: "https://docs.aws.amazon.com/x"}
applies_when: {attribute: name, ne: skipped}
condition: {attribute: versioning.status, eq: Enabled}
tests:
  - {name: on, resource: {versioning: {status: Enabled}}, expect: PASS}
  - {name: off, resource: {versioning: {status: Disabled}}, expect: FAIL}
"#;
        RuleSet {
            rules: vec![parse("s3-bucket-versioning-check.yaml", text, "test", &[]).unwrap()],
        }
    }

    fn bucket(name: &str, region: &str, status: Option<&str>) -> Resource {
        Resource {
            id: name.to_string(),
            arn: Some(format!("arn:aws:s3:::{name}")),
            region: region.to_string(),
            location: None,
            properties: Properties::S3Bucket(Bucket {
                name: name.to_string(),
                versioning: status.map(|s| Versioning {
                    status: s.to_string(),
                    mfa_delete: false,
                }),
                ..Bucket::default()
            }),
        }
    }

    fn error(region: &str, id: Option<&str>, attributes: &[&str]) -> CollectionError {
        CollectionError {
            account_id: None,
            region: region.to_string(),
            service: Service::S3,
            resource_type: ResourceKind::S3Bucket,
            resource_id: id.map(str::to_string),
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
            operation: "GetBucketVersioning".to_string(),
            code: "AccessDenied".to_string(),
            message: "denied".to_string(),
        }
    }

    fn inventory(resources: Vec<Resource>, errors: Vec<CollectionError>) -> Inventory {
        Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            account_id: "123456789012".to_string(),
            regions: vec!["us-east-1".to_string(), "eu-west-1".to_string()],
            collected_at: Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(),
            incomplete: false,
            resources,
            errors,
            elsewhere: Vec::new(),
        }
    }

    fn status(findings: &[crate::report::Finding], id: &str) -> Status {
        findings
            .iter()
            .find(|f| f.resource_id == id)
            .unwrap()
            .status
    }

    #[test]
    fn verdicts_follow_the_inventory() {
        let inv = inventory(
            vec![
                bucket("on", "us-east-1", Some("Enabled")),
                bucket("off", "us-east-1", Some("Suspended")),
                bucket("skipped", "us-east-1", Some("Suspended")),
                bucket("unread", "us-east-1", None),
                bucket("denied", "us-east-1", Some("Enabled")),
                bucket("regional", "eu-west-1", Some("Enabled")),
            ],
            vec![
                error("us-east-1", Some("denied"), &["versioning"]),
                error("eu-west-1", None, &["versioning"]),
            ],
        );
        let findings = evaluate(&rules(), &inv);
        assert_eq!(status(&findings, "on"), Status::Pass);
        assert_eq!(status(&findings, "off"), Status::Fail);
        assert_eq!(status(&findings, "skipped"), Status::NotApplicable);
        assert_eq!(
            status(&findings, "unread"),
            Status::Error,
            "an attribute absent from the snapshot"
        );
        assert_eq!(
            status(&findings, "denied"),
            Status::Error,
            "its own call failed"
        );
        assert_eq!(
            status(&findings, "regional"),
            Status::Error,
            "a region-wide call failed"
        );
        let denied = findings.iter().find(|f| f.resource_id == "denied").unwrap();
        assert_eq!(
            denied.message,
            "could not read versioning: GetBucketVersioning failed: AccessDenied: denied"
        );
        assert!(findings.iter().all(|f| f.timestamp == inv.collected_at));
        let order: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.region.as_str(), f.resource_id.as_str()))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(
            order, sorted,
            "findings are sorted by rule, region, resource"
        );
    }

    #[test]
    fn a_failed_listing_is_one_error_per_rule_and_region() {
        let inv = inventory(vec![], vec![error("eu-west-1", None, &[])]);
        let findings = evaluate(&rules(), &inv);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            (findings[0].status, findings[0].resource_id.as_str()),
            (Status::Error, "*")
        );
        assert!(findings[0]
            .message
            .starts_with("could not list aws.s3.bucket in eu-west-1"));
    }

    #[test]
    fn score_is_passed_over_passed_and_failed() {
        let inv = inventory(
            vec![
                bucket("a", "us-east-1", Some("Enabled")),
                bucket("b", "us-east-1", Some("x")),
                bucket("c", "us-east-1", Some("x")),
                bucket("d", "us-east-1", None),
            ],
            vec![],
        );
        let summary = summarize(&evaluate(&rules(), &inv), 4);
        assert_eq!(summary.score, Some(33.3));
        assert_eq!(summary.count(Status::Error), 1);
        assert_eq!(summary.failed_by_severity[&Severity::High], 2);
        assert_eq!(summarize(&[], 0).score, None, "nothing judged, no score");
    }
}
