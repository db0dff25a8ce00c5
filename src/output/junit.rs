//! `--format junit`: the scan as JUnit XML, the test-report format every CI system
//! reads. One suite per service (per account in a scan of several, an account that could
//! not be scanned one error), one test case per rule × resource: a failed finding is
//! a `<failure>`, a finding the scan could not evaluate an `<error>`, a rule that does
//! not apply `<skipped>`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::markup::escape;
use super::Reporter;
use crate::model::Service;
use crate::report::{Finding, Report};
use crate::rules::Status;

pub struct JunitReporter;

/// One `<testsuite>`: a service's findings, or in a scan of several accounts an
/// account's, with its properties; `error` for an account that could not be scanned.
struct Suite<'r> {
    name: String,
    properties: Vec<(&'static str, String)>,
    findings: Vec<&'r Finding>,
    error: Option<&'r str>,
}

/// One suite per service, or per account when the report has several.
fn suites(report: &Report) -> Vec<Suite<'_>> {
    let scan = &report.scan;
    let properties = |account: &str, regions: &[String], incomplete: bool| {
        vec![
            ("account_id", account.to_string()),
            ("regions", regions.join(",")),
            ("scan_id", scan.id.clone()),
            ("incomplete", incomplete.to_string()),
        ]
    };
    if report.accounts.is_empty() {
        let mut by_service: BTreeMap<Service, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_service
                .entry(f.resource_type.service())
                .or_default()
                .push(f);
        }
        return by_service
            .into_iter()
            .map(|(service, findings)| Suite {
                name: format!("aws.{}", service.as_str()),
                properties: properties(&scan.account_id, &scan.regions, scan.incomplete),
                findings,
                error: None,
            })
            .collect();
    }
    report
        .accounts
        .iter()
        .map(|a| {
            let mut properties = properties(&a.account_id, &a.regions, a.incomplete);
            if let Some(name) = &a.name {
                properties.push(("account_name", name.clone()));
            }
            Suite {
                name: format!("account {}", a.account_id),
                properties,
                findings: report
                    .findings
                    .iter()
                    .filter(|f| f.account_id.as_deref() == Some(a.account_id.as_str()))
                    .collect(),
                error: a.error.as_deref(),
            }
        })
        .collect()
}

impl Reporter for JunitReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let scan = &report.scan;
        let seconds = (scan.finished_at - scan.started_at)
            .num_milliseconds()
            .max(0) as f64
            / 1000.0;
        // A suppressed failure is a skipped case, with the accepted risk as its reason.
        let count = |findings: &[&Finding], status: Status| {
            findings
                .iter()
                .filter(|f| f.status == status && f.suppressed.is_none())
                .count()
        };
        let skipped = |findings: &[&Finding]| {
            findings
                .iter()
                .filter(|f| f.status == Status::NotApplicable || f.suppressed.is_some())
                .count()
        };
        let all: Vec<&Finding> = report.findings.iter().collect();
        let unscanned = report.accounts_unscanned();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="compliance" tests="{}" failures="{}" errors="{}" time="{seconds:.3}">"#,
            all.len() + unscanned,
            count(&all, Status::Fail),
            count(&all, Status::Error) + unscanned,
        )?;
        for suite in suites(report) {
            let findings = &suite.findings;
            let not_scanned = usize::from(suite.error.is_some());
            writeln!(
                out,
                r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}" timestamp="{}" time="{seconds:.3}" id="{}">"#,
                escape(&suite.name),
                findings.len() + not_scanned,
                count(findings, Status::Fail),
                count(findings, Status::Error) + not_scanned,
                skipped(findings),
                scan.started_at.format("%Y-%m-%dT%H:%M:%S"),
                escape(&scan.id),
            )?;
            writeln!(out, "    <properties>")?;
            for (name, value) in &suite.properties {
                writeln!(
                    out,
                    r#"      <property name="{name}" value="{}"/>"#,
                    escape(value)
                )?;
            }
            writeln!(out, "    </properties>")?;
            if let Some(reason) = suite.error {
                writeln!(
                    out,
                    r#"    <testcase classname="account" name="scan of {}" time="0">"#,
                    escape(&suite.name)
                )?;
                writeln!(
                    out,
                    r#"      <error type="ERROR" message="{}">the account was not scanned</error>"#,
                    escape(reason)
                )?;
                writeln!(out, "    </testcase>")?;
            }
            for f in findings {
                test_case(f, out)?;
            }
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}

fn test_case(f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let open = format!(
        r#"    <testcase classname="{}" name="{} {} ({})" time="0""#,
        escape(&f.rule_id),
        f.resource_type.as_str(),
        escape(&f.resource_id),
        escape(&f.place()),
    );
    let body = |tag: &str, kind: &str, out: &mut dyn Write| {
        writeln!(out, "{open}>")?;
        writeln!(
            out,
            r#"      <{tag} type="{kind}" message="{}">{}"#,
            escape(&f.message),
            escape(&f.title)
        )?;
        if let Some(l) = &f.location {
            let cdk = l
                .cdk_path
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default();
            let place = format!("Location: {} ({}{cdk})", f.place(), l.template_type);
            writeln!(out, "{}", escape(&place))?;
        }
        writeln!(out, "Remediation: {}", escape(&f.remediation.text))?;
        writeln!(out, "{}", escape(&f.remediation.url))?;
        if !f.frameworks.is_empty() {
            writeln!(out, "Controls: {}", escape(&f.frameworks_joined()))?;
        }
        writeln!(out, "      </{tag}>")?;
        writeln!(out, "    </testcase>")
    };
    if let Some(s) = &f.suppressed {
        writeln!(out, "{open}>")?;
        let ticket = s
            .ticket
            .as_deref()
            .map(|t| format!(", {t}"))
            .unwrap_or_default();
        let message = format!(
            "suppressed: {} (owner {}, until {}{ticket}); {}",
            s.reason,
            s.owner_text(),
            s.expires_text(),
            f.message
        );
        writeln!(out, r#"      <skipped message="{}"/>"#, escape(&message))?;
        return writeln!(out, "    </testcase>");
    }
    match f.status {
        Status::Pass => writeln!(out, "{open}/>"),
        Status::Fail => body("failure", f.severity.as_str(), out),
        Status::Error => body("error", "ERROR", out),
        Status::NotApplicable => {
            writeln!(out, "{open}>")?;
            writeln!(out, r#"      <skipped message="{}"/>"#, escape(&f.message))?;
            writeln!(out, "    </testcase>")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn one_case_per_finding_with_failures_and_errors_counted() {
        let mut buf = Vec::new();
        JunitReporter.write(&fixtures::report(), &mut buf).unwrap();
        let xml = String::from_utf8(buf).unwrap();
        assert!(xml.contains(r#"<testsuites name="compliance" tests="4" failures="2" errors="1""#));
        assert_eq!(xml.matches("<testcase ").count(), 4);
        assert_eq!(xml.matches("<failure ").count(), 2);
        assert!(xml.contains(
            r#"<failure type="critical" message="policy.public_read is true; expected false">"#
        ));
        assert!(
            xml.contains(r#"name="aws.s3.bucket open, &quot;quoted&quot; (us-east-1)""#),
            "names are escaped: {xml}"
        );
    }

    #[test]
    fn a_suppressed_failure_is_skipped_with_its_reason() {
        let mut report = fixtures::report();
        report.findings[2].suppressed = Some(fixtures::suppression());
        let mut buf = Vec::new();
        JunitReporter.write(&report, &mut buf).unwrap();
        let xml = String::from_utf8(buf).unwrap();
        assert!(
            xml.contains(r#"tests="4" failures="1" errors="1""#),
            "{xml}"
        );
        assert!(xml.contains(r#"skipped="1""#), "{xml}");
        assert!(xml.contains(
            r#"<skipped message="suppressed: public website (owner web-team, until 2027-03-31, WEB-12); policy.public_read is true; expected false"/>"#
        ), "{xml}");
        assert_eq!(xml.matches("<failure ").count(), 1);
    }
}
