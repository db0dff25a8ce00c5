//! `--format ocsf`: every finding as an OCSF 1.1 Compliance Finding (class 2003,
//! category Findings), one JSON object per line — the schema Amazon Security Lake stores
//! and SIEMs ingest. The verdict is `compliance.status_id` (1 Pass, 3 Fail; 0 Unknown
//! for ERROR, 99 Other for NOT_APPLICABLE, never Pass); a suppressed failure is finding
//! status 3 (Suppressed), any other finding 1 (New).

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Reporter;
use crate::asff::finding_id;
use crate::model::partition;
use crate::report::{Finding, Report};
use crate::rules::{Severity, Status};

const OCSF_VERSION: &str = "1.1.0";
const CLASS_UID: u32 = 2003;
const CATEGORY_UID: u32 = 2;
/// `activity_id` 1: Create (a finding as observed by this scan).
const ACTIVITY_ID: u32 = 1;

pub struct OcsfReporter;

impl Reporter for OcsfReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for f in &report.findings {
            serde_json::to_writer(&mut *out, &event(report, f))?;
            writeln!(out)?;
        }
        Ok(())
    }
}

fn severity_id(s: Severity) -> (u32, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn compliance_status(s: Status) -> (u32, &'static str) {
    match s {
        Status::Pass => (1, "Pass"),
        Status::Fail => (3, "Fail"),
        Status::Error => (0, "Unknown"),
        Status::NotApplicable => (99, "Not applicable"),
    }
}

fn event(report: &Report, f: &Finding) -> Value {
    let scan = &report.scan;
    let (severity_id, severity) = severity_id(f.severity);
    let (status_id, status) = compliance_status(f.status);
    let (finding_status_id, finding_status) = if f.suppressed.is_some() {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    let standards: Vec<&String> = f.frameworks.keys().collect();
    let requirements = f.controls("/");
    let time = f.timestamp.timestamp_millis();
    let mut event = json!({
        "activity_id": ACTIVITY_ID,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": finding_status_id,
        "status": finding_status,
        "time": time,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": scan.tool, "vendor_name": scan.tool, "version": scan.tool_version},
            "correlation_uid": scan.id,
        },
        "finding_info": {
            "uid": finding_id(report.account_of(f), f),
            "title": f.title,
            "desc": f.evidence,
            "created_time": time,
            "types": [f.rule_id],
        },
        "compliance": {
            "control": f.rule_id,
            "standards": standards,
            "requirements": requirements,
            "status_id": status_id,
            "status": status,
            "status_detail": f.evidence,
        },
        "remediation": {"desc": f.remediation.text, "references": [f.remediation.url]},
        "resources": [{
            "uid": f.resource_arn.as_deref().unwrap_or(&f.resource_id),
            "name": f.resource_id,
            "type": f.resource_type.as_str(),
            "region": f.region,
            "cloud_partition": partition(&f.region),
            "labels": f.resource_tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
        }],
        "cloud": {
            "provider": "AWS",
            "region": f.region,
            "account": {"uid": report.account_of(f), "type_id": 10, "type": "AWS Account"},
        },
    });
    if let Some(s) = &f.suppressed {
        event["unmapped"] = json!({"suppressed_by": s.entry, "reason": s.reason});
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    fn events(report: &Report) -> Vec<Value> {
        let mut buf = Vec::new();
        OcsfReporter.write(report, &mut buf).unwrap();
        String::from_utf8(buf)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn each_finding_is_one_compliance_finding_line() {
        let mut report = fixtures::report();
        report.findings[2].suppressed = Some(fixtures::suppression());
        let all = events(&report);
        assert_eq!(all.len(), 4);
        let open = &all[1];
        assert_eq!(open["class_uid"], 2003);
        assert_eq!(open["category_uid"], 2);
        assert_eq!(open["type_uid"], 200301);
        assert_eq!(open["severity_id"], 4);
        assert_eq!(open["compliance"]["status_id"], 3);
        assert_eq!(
            open["compliance"]["standards"],
            json!(["aws-fsbp", "cis-aws-3.0"])
        );
        assert_eq!(
            open["compliance"]["requirements"],
            json!(["aws-fsbp/S3.8", "cis-aws-3.0/2.1.4"])
        );
        assert_eq!(open["status_id"], 1);
        assert_eq!(open["metadata"]["version"], "1.1.0");
        assert_eq!(open["cloud"]["account"]["uid"], "123456789012");
        assert_eq!(open["resources"][0]["uid"], "arn:aws:s3:::open, \"quoted\"");
        assert_eq!(open["time"], 1_795_435_200_000_i64);
        assert_eq!(all[0]["compliance"]["status_id"], 1, "a pass");
        assert_eq!(all[2]["status_id"], 3, "suppressed");
        assert_eq!(all[2]["unmapped"]["reason"], "public website");
        assert_eq!(
            all[3]["compliance"]["status_id"], 0,
            "an error is unknown, not a pass"
        );
    }
}
