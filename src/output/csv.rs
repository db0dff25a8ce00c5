//! `--format csv`: one row per finding under a stable header, quoted by the csv crate,
//! so `scan --format csv > out.csv` opens cleanly in a spreadsheet.

use std::io::{self, Write};

use super::Reporter;
use crate::report::{BaselineState, Report};

/// The header, in order. Documented in docs/report-format.md; only ever extended at the end.
pub const HEADER: [&str; 22] = [
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
    "suppressed",
    "suppression_reason",
    "suppression_owner",
    "suppression_expires",
    "suppression_ticket",
    "baseline",
    "evidence",
    "location",
];

pub struct CsvReporter;

impl Reporter for CsvReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER).map_err(io_error)?;
        for f in &report.findings {
            let timestamp = f
                .timestamp
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let frameworks = f.frameworks_joined();
            let s = f.suppressed.as_ref();
            let expires = s
                .and_then(|s| s.expires)
                .map(|d| d.to_string())
                .unwrap_or_default();
            let location = f.location.as_ref().map(|_| f.place()).unwrap_or_default();
            let baseline = match f.baseline {
                Some(BaselineState::New) => "new",
                Some(BaselineState::Existing) => "existing",
                None => "",
            };
            let cells = [
                timestamp.as_str(),
                report.account_of(f),
                &f.region,
                &f.rule_id,
                &f.title,
                f.severity.as_str(),
                f.status.as_str(),
                f.resource_type.as_str(),
                &f.resource_id,
                f.resource_arn.as_deref().unwrap_or(""),
                &f.message,
                &frameworks,
                &f.remediation.text,
                &f.remediation.url,
                if s.is_some() { "true" } else { "false" },
                s.map_or("", |s| s.reason.as_str()),
                s.and_then(|s| s.owner.as_deref()).unwrap_or(""),
                &expires,
                s.and_then(|s| s.ticket.as_deref()).unwrap_or(""),
                baseline,
                &f.evidence,
                &location,
            ];
            let cells: Vec<std::borrow::Cow<'_, str>> = cells.iter().map(|c| inert(c)).collect();
            w.write_record(cells.iter().map(|c| c.as_bytes()))
                .map_err(io_error)?;
        }
        w.flush()
    }
}

/// A cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (a resource id or tag an attacker chose) gets a leading `'`, as
/// OWASP advises against CSV injection.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The writer's error with its I/O kind kept, so a closed pipe (`| head`) stays a
/// closed pipe and ends the output quietly.
fn io_error(e: csv::Error) -> io::Error {
    if !matches!(e.kind(), csv::ErrorKind::Io(_)) {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(inner) => inner,
        other => io::Error::other(format!("{other:?}")),
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
        assert_eq!((&rows[1][14], &rows[1][19]), ("false", ""));
        assert_eq!(
            &rows[1][20], "evidence: public_access_block.block_public_acls is false; expected true",
            "the evaluator's explanation beside the message"
        );
    }

    #[test]
    fn a_suppressed_finding_carries_its_entry() {
        let mut report = fixtures::report();
        report.findings[2].suppressed = Some(fixtures::suppression());
        report.findings[2].baseline = Some(BaselineState::Existing);
        let mut buf = Vec::new();
        CsvReporter.write(&report, &mut buf).unwrap();
        let mut reader = csv::Reader::from_reader(buf.as_slice());
        let row = reader.records().nth(2).unwrap().unwrap();
        assert_eq!(&row[6], "FAIL", "the verdict is kept");
        assert_eq!(
            row.iter().skip(14).take(6).collect::<Vec<_>>(),
            [
                "true",
                "public website",
                "web-team",
                "2027-03-31",
                "WEB-12",
                "existing"
            ]
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for risky in ["+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(inert(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(inert("sg-0123"), "sg-0123");
        assert_eq!(inert(""), "");
    }

    #[test]
    fn a_closed_pipe_stays_a_closed_pipe() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
        }
        let e = CsvReporter
            .write(&fixtures::report(), &mut Closed)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    }
}
