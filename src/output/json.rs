//! `--format json`: the report as its documented, versioned JSON schema.

use std::io::{self, Write};

use super::Reporter;
use crate::report::Report;

pub struct JsonReporter;

impl Reporter for JsonReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn json_round_trips_and_names_statuses_as_aws_config_does() {
        let report = fixtures::report();
        let mut buf = Vec::new();
        JsonReporter.write(&report, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema_version"], "1.6");
        assert_eq!(value["summary"]["by_status"]["FAIL"], 2);
        assert_eq!(value["summary"]["failed_by_severity"]["critical"], 1);
        assert_eq!(value["summary"]["score"], 33.3);
        assert_eq!(value["findings"][1]["frameworks"]["aws-fsbp"][0], "S3.8");
        assert_eq!(value["findings"][0]["timestamp"], "2026-11-23T12:00:00Z");
    }
}
