//! Printers: each turns a `Report` into bytes in one format. They never call AWS and
//! never decide a verdict.

mod accounts;
mod asff;
mod csv;
mod drift;
pub mod fit;
mod history;
mod html;
mod html_risks;
mod json;
mod junit;
mod markup;
mod ocsf;
mod remediation;
mod resource_history;
mod rule_list;
mod sarif;
mod suppressions;
mod table;

use std::io::{self, Write};

use clap::ValueEnum;

use crate::report::Report;

pub use self::asff::AsffReporter;
pub use self::csv::CsvReporter;
pub use self::history::{write_controls, write_diff, write_trend};
pub use self::html::HtmlReporter;
pub use self::json::JsonReporter;
pub use self::junit::JunitReporter;
pub use self::ocsf::OcsfReporter;
pub use self::remediation::write_remediation;
pub use self::resource_history::write_resource_history;
pub use self::rule_list::write_rules;
pub use self::sarif::SarifReporter;
pub use self::suppressions::write_suppressions;
pub use self::table::{GroupBy, TableReporter};

/// A list in the house style: on a `terminal`, condensed borders wrapped to its width;
/// piped or redirected, the same columns without box drawing, 120 wide.
fn new_table(terminal: bool) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    if terminal {
        table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    } else {
        table
            .load_preset(comfy_table::presets::NOTHING)
            .force_no_tty()
            .set_width(120);
    }
    table
}

/// How a score reads at a glance, the same in the table and on the HTML page: `good`
/// from 90%, `fair` from 70%, `poor` below, `none` when nothing was judged.
pub fn score_band(score: Option<f64>) -> &'static str {
    match score {
        None => "none",
        Some(s) if s >= 90.0 => "good",
        Some(s) if s >= 70.0 => "fair",
        Some(_) => "poor",
    }
}

/// Writes a report in one format.
pub trait Reporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// The formats `--format` accepts for a scan's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    /// One self-contained page for auditors (no external resources).
    Html,
    /// SARIF 2.1.0, for code-scanning views.
    Sarif,
    /// JUnit XML, one test case per rule × resource, for CI test reports.
    Junit,
    /// AWS Security Finding Format (Security Hub), a JSON array of every finding.
    Asff,
    /// OCSF 1.1 Compliance Findings (class 2003, as Security Lake stores them), one JSON
    /// object per line.
    Ocsf,
}

/// The formats of lists that are not one scan's findings: rules, trend, diff, controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

impl Format {
    /// The reporter for this format; `table` only matters to the table (every other
    /// format carries everything, suppressed findings included).
    pub fn reporter(self, table: TableReporter) -> Box<dyn Reporter> {
        match self {
            Format::Table => Box::new(table),
            Format::Json => Box::new(JsonReporter),
            Format::Csv => Box::new(CsvReporter),
            Format::Html => Box::new(HtmlReporter { trend: Vec::new() }),
            Format::Sarif => Box::new(SarifReporter),
            Format::Junit => Box::new(JunitReporter),
            Format::Asff => Box::new(AsffReporter),
            Format::Ocsf => Box::new(OcsfReporter),
        }
    }

    /// This format for a list, or an explanation for `what` (e.g. `--trend`) when the
    /// format only describes one scan's findings.
    pub fn for_list(self, what: &str) -> Result<ListFormat, String> {
        match self {
            Format::Table => Ok(ListFormat::Table),
            Format::Json => Ok(ListFormat::Json),
            Format::Csv => Ok(ListFormat::Csv),
            other => Err(format!(
                "{what} prints as table, json or csv; {} describes one scan's findings",
                other
                    .to_possible_value()
                    .map_or_else(String::new, |v| v.get_name().to_string())
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::score_band;

    #[test]
    fn scores_fall_in_bands_at_90_and_70() {
        assert_eq!(score_band(Some(100.0)), "good");
        assert_eq!(score_band(Some(90.0)), "good");
        assert_eq!(score_band(Some(89.9)), "fair");
        assert_eq!(score_band(Some(70.0)), "fair");
        assert_eq!(
            score_band(Some(33.6)),
            "poor",
            "a third passing is not green"
        );
        assert_eq!(score_band(None), "none");
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small report shared by the printer tests.
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};

    use crate::engine::summarize;
    use crate::model::{CollectionError, ResourceKind, Service};
    use crate::report::{Finding, Report, ScanInfo, REPORT_SCHEMA_VERSION};
    use crate::rules::{Remediation, Severity, Status};

    pub fn finding(
        rule: &str,
        severity: Severity,
        status: Status,
        id: &str,
        message: &str,
    ) -> Finding {
        Finding {
            rule_id: rule.to_string(),
            title: format!("title of {rule}"),
            severity,
            status,
            resource_type: ResourceKind::S3Bucket,
            resource_id: id.to_string(),
            resource_arn: Some(format!("arn:aws:s3:::{id}")),
            region: "us-east-1".to_string(),
            message: message.to_string(),
            evidence: format!("evidence: {message}"),
            remediation: Remediation {
                text: "fix it".into(),
                url: "https://docs.aws.amazon.com/x".into(),
                automatic: None,
            },
            frameworks: BTreeMap::from([
                ("aws-fsbp".to_string(), vec!["S3.8".to_string()]),
                ("cis-aws-3.0".to_string(), vec!["2.1.4".to_string()]),
            ]),
            timestamp: Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap(),
            resource_tags: BTreeMap::new(),
            suppressed: None,
            baseline: None,
            location: None,
            account_id: None,
        }
    }

    /// The acceptance the printer tests give `leaky`'s failure.
    pub fn suppression() -> crate::report::Suppression {
        crate::report::Suppression {
            entry: "s.yaml:3".into(),
            reason: "public website".into(),
            owner: Some("web-team".into()),
            expires: chrono::NaiveDate::from_ymd_opt(2027, 3, 31),
            ticket: Some("WEB-12".into()),
        }
    }

    pub fn report() -> Report {
        let findings = vec![
            finding(
                "s3-bucket-versioning-enabled",
                Severity::Medium,
                Status::Pass,
                "good",
                "versioning.status is \"Enabled\"",
            ),
            finding(
                "s3-bucket-public-access-block",
                Severity::High,
                Status::Fail,
                "open, \"quoted\"",
                "public_access_block.block_public_acls is false; expected true",
            ),
            finding(
                "s3-bucket-no-public-read",
                Severity::Critical,
                Status::Fail,
                "leaky",
                "policy.public_read is true; expected false",
            ),
            finding(
                "s3-bucket-ssl-requests-only",
                Severity::Medium,
                Status::Error,
                "denied",
                "could not read policy: GetBucketPolicy failed: AccessDenied: no",
            ),
        ];
        let summary = summarize(&findings, 4);
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_string(),
            scan: ScanInfo {
                id: "scan-1".into(),
                tool: "compliance".into(),
                tool_version: "0.1.0".into(),
                account_id: "123456789012".into(),
                regions: vec!["us-east-1".into()],
                source: "live".into(),
                collected_at: at,
                started_at: at,
                finished_at: at,
                rules_evaluated: 4,
                incomplete: false,
                outside_regions: Vec::new(),
            },
            summary,
            findings,
            errors: vec![CollectionError {
                account_id: None,
                region: "us-east-1".into(),
                service: Service::S3,
                resource_type: ResourceKind::S3Bucket,
                resource_id: Some("denied".into()),
                attributes: vec!["policy".into()],
                operation: "GetBucketPolicy".into(),
                code: "AccessDenied".into(),
                message: "no".into(),
            }],
            suppressions: Vec::new(),
            baseline: None,
            stack: None,
            accounts: Vec::new(),
        }
    }
}
