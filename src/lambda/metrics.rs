//! CloudWatch metrics as Embedded Metric Format lines: the Lambda prints them on stdout,
//! CloudWatch Logs turns them into the metrics the stack's dashboard draws
//! (namespace `Compliance`; see docs/stack.md).

use serde_json::{json, Value};

use crate::report::Report;
use crate::rules::Severity;

pub const NAMESPACE: &str = "Compliance";

/// One EMF document for the scan's totals and one per severity for failed findings.
pub fn emf_lines(report: &Report, suffix: &str, duration_secs: f64) -> Vec<String> {
    let timestamp = report.scan.finished_at.timestamp_millis();
    let document = |dimensions: Value, metrics: Value, values: Value| {
        let mut doc = json!({
            "_aws": {"Timestamp": timestamp, "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": [dimensions], "Metrics": metrics}]},
            "Suffix": suffix,
        });
        if let (Some(doc), Some(values)) = (doc.as_object_mut(), values.as_object()) {
            doc.extend(values.clone());
        }
        doc.to_string()
    };
    let mut lines = vec![document(
        json!(["Suffix"]),
        json!([
            {"Name": "ComplianceScore", "Unit": "Percent"},
            {"Name": "ResourcesScanned", "Unit": "Count"},
            {"Name": "ScanDuration", "Unit": "Seconds"}
        ]),
        json!({
            "ComplianceScore": report.summary.score.unwrap_or(100.0),
            "ResourcesScanned": report.summary.resources_scanned,
            "ScanDuration": (duration_secs * 1000.0).round() / 1000.0,
        }),
    )];
    for severity in Severity::ALL {
        let failed = report
            .summary
            .failed_by_severity
            .get(&severity)
            .copied()
            .unwrap_or(0);
        lines.push(document(
            json!(["Suffix", "Severity"]),
            json!([{"Name": "FailedFindings", "Unit": "Count"}]),
            json!({"Severity": severity.as_str(), "FailedFindings": failed}),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn lines_are_emf_documents_with_the_dashboard_s_names() {
        let lines = emf_lines(&fixtures::report(), "pr-42", 1.5);
        assert_eq!(lines.len(), 6);
        let totals: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(
            totals["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "Compliance"
        );
        assert_eq!(
            totals["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0],
            json!(["Suffix"])
        );
        assert_eq!(totals["Suffix"], "pr-42");
        assert_eq!(totals["ComplianceScore"], 33.3);
        assert_eq!(totals["ScanDuration"], 1.5);
        let critical: Value = serde_json::from_str(&lines[1]).unwrap();
        assert_eq!(
            (
                critical["Severity"].as_str(),
                critical["FailedFindings"].as_u64()
            ),
            (Some("critical"), Some(1))
        );
        assert_eq!(
            critical["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"],
            "FailedFindings"
        );
    }
}
