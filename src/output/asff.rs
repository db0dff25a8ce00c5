//! `--format asff`: every finding in the AWS Security Finding Format, as one JSON array
//! (what `aws securityhub batch-import-findings --findings file://…` takes, 100 at a
//! time). `scan --security-hub` imports the same findings itself.

use std::io::{self, Write};

use super::Reporter;
use crate::asff;
use crate::report::Report;

pub struct AsffReporter;

impl Reporter for AsffReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let findings: Vec<asff::AsffFinding> = report
            .findings
            .iter()
            .map(|f| asff::finding(report, f, report.scan.finished_at))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &findings)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn every_finding_is_an_element_with_its_verdict_and_a_suppression_is_marked() {
        let mut report = fixtures::report();
        report.findings[2].suppressed = Some(fixtures::suppression());
        let mut buf = Vec::new();
        AsffReporter.write(&report, &mut buf).unwrap();
        let all: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        let statuses: Vec<&str> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["Compliance"]["Status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["PASSED", "FAILED", "FAILED", "NOT_AVAILABLE"]);
        assert_eq!(all[2]["Workflow"]["Status"], "SUPPRESSED");
        assert_eq!(
            all[2]["ProductFields"]["compliance/SuppressedBy"],
            "s.yaml:3: public website"
        );
        assert!(all[1].get("Workflow").is_none());
        assert_eq!(all[0]["UpdatedAt"], "2026-11-23T12:00:00.000Z");
    }
}
