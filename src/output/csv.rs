//! `--format csv`: one row per finding under a stable header, quoted by the csv crate,
//! so `scan --format csv > out.csv` opens cleanly in a spreadsheet.

use std::io::{self, Write};

use super::Reporter;
use crate::report::Report;

/// The header, in order. Documented in docs/report-format.md; only ever extended at the end.
pub const HEADER: [&str; 14] = [
    "timestamp",
    "account_id",
    "region",
    "rule_id",
    "title",
    "severity",
    "status",
    "resource_type",
    "resource_id",
    "resource_arn",
    "message",
    "frameworks",
    "remediation",
    "remediation_url",
];

pub struct CsvReporter;

impl Reporter for CsvReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for f in &report.findings {
            w.write_record([
                f.timestamp
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    .as_str(),
                &report.scan.account_id,
                &f.region,
                &f.rule_id,
                &f.title,
                f.severity.as_str(),
                f.status.as_str(),
                f.resource_type.as_str(),
                &f.resource_id,
                f.resource_arn.as_deref().unwrap_or(""),
                &f.message,
                &f.frameworks_joined(),
                &f.remediation.text,
                &f.remediation.url,
            ])?;
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn csv_has_the_header_and_one_quoted_row_per_finding() {
        let report = fixtures::report();
        let mut buf = Vec::new();
        CsvReporter.write(&report, &mut buf).unwrap();
        let mut reader = csv::Reader::from_reader(buf.as_slice());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            HEADER.to_vec()
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), report.findings.len());
        assert_eq!(&rows[1][8], "open, \"quoted\"");
        assert_eq!(&rows[1][6], "FAIL");
        assert_eq!(&rows[1][11], "aws-fsbp:S3.8;cis-aws-3.0:2.1.4");
        assert_eq!(&rows[0][0], "2026-11-23T12:00:00Z");
    }
}
