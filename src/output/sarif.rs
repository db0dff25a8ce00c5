//! `--format sarif`: the scan as a SARIF 2.1.0 log, the format code-scanning views
//! (GitHub, GitLab, Azure DevOps) ingest. Failed findings are results, each located at
//! its resource's ARN; collection errors are tool notifications; passed findings are
//! counted in the run's properties (code-scanning views list alerts, not passes).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::Reporter;
use crate::model::Location;
use crate::report::{BaselineState, Finding, Report};
use crate::rules::{Severity, Status};

pub struct SarifReporter;

/// The schema every log names; tests validate against the OASIS schema itself.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

impl Reporter for SarifReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &log(report))?;
        writeln!(out)
    }
}

fn log(report: &Report) -> Value {
    // One rule entry per rule id, in id order; results point at it by index.
    let mut rules: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in &report.findings {
        rules.entry(f.rule_id.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| result(f, index[f.rule_id.as_str()]))
        .collect();
    let unscanned = report.accounts.iter().filter_map(|a| {
        let reason = a.error.as_ref()?;
        Some(json!({
            "level": "error",
            "message": { "text": format!("account {} was not scanned: {reason}", a.account_id) },
        }))
    });
    let notifications: Vec<Value> = unscanned
        .chain(report.errors.iter().map(|e| {
            let place = match &e.account_id {
                Some(account) => format!("account {account}, {}", e.region),
                None => e.region.clone(),
            };
            json!({
                "level": "error",
                "message": { "text": format!(
                    "could not read {} in {place}: {} failed: {}: {}",
                    e.resource_id.as_deref().map_or_else(
                        || format!("the {} list", e.resource_type.as_str()),
                        |id| format!("{} {id}", e.resource_type.as_str())),
                    e.operation, e.code, e.message) },
            })
        }))
        .collect();
    let scan = &report.scan;
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": scan.tool,
                "version": scan.tool_version,
                "semanticVersion": scan.tool_version,
                "rules": rules.values().map(|f| rule(f)).collect::<Vec<_>>(),
            }},
            "automationDetails": { "id": format!("compliance/{}/{}", scan.account_id, scan.id) },
            "invocations": [{
                "executionSuccessful": !scan.incomplete && report.accounts_unscanned() == 0,
                "startTimeUtc": scan.started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "endTimeUtc": scan.finished_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": {
                "scanId": scan.id,
                "accountId": scan.account_id,
                "regions": scan.regions,
                "incomplete": scan.incomplete,
                "score": report.summary.score,
                "resourcesScanned": report.summary.resources_scanned,
                "passed": report.summary.count(Status::Pass),
                "failed": report.summary.count(Status::Fail),
                "suppressed": report.summary.suppressed,
                "errors": report.summary.count(Status::Error),
                "accounts": report.accounts.iter().map(|a| json!({
                    "accountId": a.account_id,
                    "name": a.name,
                    "scanned": a.error.is_none(),
                    "error": a.error,
                    "score": a.summary.score,
                    "failed": a.summary.count(Status::Fail),
                    "failedBySeverity": a.summary.failed_by_severity,
                })).collect::<Vec<_>>(),
            },
        }],
    })
}

/// A rule's metadata, taken from one of its findings (they all carry the same).
fn rule(f: &Finding) -> Value {
    let mut tags = vec![
        "security".to_string(),
        f.resource_type.service().as_str().to_string(),
    ];
    tags.extend(
        f.frameworks
            .iter()
            .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw}:{id}"))),
    );
    json!({
        "id": f.rule_id,
        "shortDescription": { "text": f.title },
        "helpUri": f.remediation.url,
        "help": {
            "text": format!("{} {}", f.remediation.text, f.remediation.url),
            "markdown": format!("{}\n\n[AWS documentation]({})", f.remediation.text, f.remediation.url),
        },
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": {
            "tags": tags,
            "precision": "very-high",
            "security-severity": security_severity(f.severity),
        },
    })
}

fn result(f: &Finding, rule_index: usize) -> Value {
    if let Some(location) = &f.location {
        return template_result(f, rule_index, location);
    }
    let fqn = f.resource_arn.clone().unwrap_or_else(|| {
        format!(
            "{}/{}/{}",
            f.resource_type.as_str(),
            f.region,
            f.resource_id
        )
    });
    // In a scan of several accounts the same id (a default VPC's name) recurs in each.
    let fingerprint = match &f.account_id {
        Some(account) => fingerprint(&[&f.rule_id, account, &f.region, &fqn]),
        None => fingerprint(&[&f.rule_id, &f.region, &fqn]),
    };
    let locations = json!([{
        "physicalLocation": { "artifactLocation": { "uri": uri_reference(&fqn) } },
        "logicalLocations": [{
            "name": f.resource_id,
            "fullyQualifiedName": fqn,
            "kind": "resource",
        }],
    }]);
    finish(f, rule_index, locations, fingerprint)
}

/// A template's finding: the file and line, so code-scanning views annotate the line.
fn template_result(f: &Finding, rule_index: usize, location: &Location) -> Value {
    let uri = if location.file.starts_with('/') {
        format!("file://{}", uri_reference(&location.file))
    } else {
        uri_reference(&location.file.replace('\\', "/"))
    };
    let fqn = location
        .cdk_path
        .clone()
        .unwrap_or_else(|| f.resource_id.clone());
    let locations = json!([{
        "physicalLocation": {
            "artifactLocation": { "uri": uri },
            "region": { "startLine": location.line },
        },
        "logicalLocations": [{
            "name": f.resource_id,
            "fullyQualifiedName": fqn,
            "kind": "resource",
        }],
    }]);
    let mut result = finish(
        f,
        rule_index,
        locations,
        fingerprint(&[&f.rule_id, &location.file, &f.resource_id]),
    );
    result["properties"]["templateType"] = json!(location.template_type);
    result
}

/// The first 16 bytes of the SHA-256 of `parts`, as hex: what identifies a result
/// across runs.
fn fingerprint(parts: &[&str]) -> String {
    Sha256::digest(parts.join("\n"))[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The result around its locations.
fn finish(f: &Finding, rule_index: usize, locations: Value, fingerprint: String) -> Value {
    let mut result = json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": level(f.severity),
        "message": { "text": format!(
            "{} {} in {}: {}", f.resource_type.as_str(), f.resource_id, f.region, f.message) },
        "locations": locations,
        "partialFingerprints": { "complianceResource/v1": fingerprint },
        "properties": {
            "severity": f.severity.as_str(),
            "region": f.region,
            "resourceType": f.resource_type.as_str(),
            "observedAt": f.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "evidence": f.evidence,
        },
    });
    if let Some(account) = &f.account_id {
        result["properties"]["accountId"] = json!(account);
        result["message"]["text"] = json!(format!(
            "{} {} in account {account}, {}: {}",
            f.resource_type.as_str(),
            f.resource_id,
            f.region,
            f.message
        ));
    }
    if let Some(s) = &f.suppressed {
        // An accepted risk: code-scanning views show it as dismissed, with the reason.
        let mut properties = json!({"owner": s.owner, "expires": s.expires.map(|d| d.to_string()), "entry": s.entry});
        if let Some(ticket) = &s.ticket {
            properties["ticket"] = json!(ticket);
        }
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": s.reason,
            "properties": properties,
        }]);
    }
    if let Some(state) = f.baseline {
        result["baselineState"] = json!(match state {
            BaselineState::New => "new",
            BaselineState::Existing => "unchanged",
        });
    }
    result
}

/// SARIF's levels: what blocks a merge (error), what should be looked at (warning), the
/// rest (note).
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` scale: ≥9 critical, ≥7 high, ≥4 medium, >0 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// `text` as a URI reference: characters outside RFC 3986's unreserved and delimiter
/// sets are percent-encoded (an ARN passes through unchanged).
fn uri_reference(text: &str) -> String {
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b);
    text.bytes()
        .map(|b| {
            if keep(b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    fn sarif() -> Value {
        let mut buf = Vec::new();
        SarifReporter.write(&fixtures::report(), &mut buf).unwrap();
        serde_json::from_slice(&buf).unwrap()
    }

    #[test]
    fn a_suppressed_failure_is_a_result_with_an_external_accepted_suppression() {
        let mut report = fixtures::report();
        report.findings[2].suppressed = Some(crate::report::Suppression {
            ticket: None,
            ..fixtures::suppression()
        });
        report.findings[1].baseline = Some(BaselineState::New);
        let mut buf = Vec::new();
        SarifReporter.write(&report, &mut buf).unwrap();
        let log: Value = serde_json::from_slice(&buf).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2, "still a result");
        let leaky = results
            .iter()
            .find(|r| r["ruleId"] == "s3-bucket-no-public-read")
            .unwrap();
        assert_eq!(
            leaky["suppressions"],
            json!([{"kind": "external", "status": "accepted", "justification": "public website",
                    "properties": {"owner": "web-team", "expires": "2027-03-31", "entry": "s.yaml:3"}}])
        );
        let open = results
            .iter()
            .find(|r| r["ruleId"] == "s3-bucket-public-access-block")
            .unwrap();
        assert!(open.get("suppressions").is_none());
        assert_eq!(open["baselineState"], "new");
    }

    #[test]
    fn failed_findings_are_results_pointing_at_their_rule_and_resource() {
        let log = sarif();
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2, "the two failed findings");
        let leaky = results
            .iter()
            .find(|r| r["ruleId"] == "s3-bucket-no-public-read")
            .unwrap();
        assert_eq!(leaky["level"], "error");
        let index = leaky["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            "s3-bucket-no-public-read"
        );
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["properties"]["security-severity"],
            "9.5"
        );
        assert_eq!(
            leaky["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "arn:aws:s3:::leaky"
        );
    }

    #[test]
    fn every_rule_is_described_and_errors_are_notifications() {
        let log = sarif();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 4);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1);
        assert!(notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("GetBucketPolicy failed: AccessDenied"));
        assert_eq!(run["properties"]["passed"], 1);
    }

    #[test]
    fn resource_names_become_valid_uri_references() {
        assert_eq!(uri_reference("arn:aws:s3:::a.b-c"), "arn:aws:s3:::a.b-c");
        assert_eq!(uri_reference("open, \"quoted\""), "open,%20%22quoted%22");
    }
}
