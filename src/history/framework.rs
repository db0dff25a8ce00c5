//! A scan seen through one framework (`aws-fsbp`, `cis-aws-3.0`, `pci-dss-4.0`, …): its
//! findings grouped by control id, each control with a status as Security Hub gives one;
//! with the framework's catalogue (`catalogue.rs`), every control of the framework, the
//! ones no rule decided included (MANUAL, NOT_COVERED).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalogue::{self, Assessment};
use crate::report::Report;
use crate::rules::{Severity, Status};

/// A control's status: its findings' worst, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlStatus {
    Fail,
    Error,
    Pass,
    NotApplicable,
    /// The framework calls it manual and no rule decides it: a person checks.
    Manual,
    /// The framework calls it automated but no rule decides it yet.
    NotCovered,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Fail => "FAIL",
            ControlStatus::Error => "ERROR",
            ControlStatus::Pass => "PASS",
            ControlStatus::NotApplicable => "NOT_APPLICABLE",
            ControlStatus::Manual => "MANUAL",
            ControlStatus::NotCovered => "NOT_COVERED",
        }
    }
}

impl std::fmt::Display for ControlStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    pub control: String,
    /// The catalogue's title, when the framework has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The framework's own severity for the control (FSBP grades its controls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// FAIL if any finding fails, else ERROR if any errs, else PASS if any passes, else
    /// NOT_APPLICABLE; MANUAL or NOT_COVERED when no finding names it.
    pub status: ControlStatus,
    /// What a person verifies, for a MANUAL control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    pub rules: Vec<String>,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub not_applicable: usize,
    /// The resources failing it.
    pub failing: Vec<String>,
}

/// The controls of `framework` the scan's findings evidence, in control order.
pub fn controls(report: &Report, framework: &str) -> Result<Vec<Control>, String> {
    let mut by_control: BTreeMap<&str, Vec<&crate::report::Finding>> = BTreeMap::new();
    for f in &report.findings {
        for id in f.frameworks.get(framework).into_iter().flatten() {
            by_control.entry(id.as_str()).or_default().push(f);
        }
    }
    if by_control.is_empty() {
        let known: BTreeSet<&str> = report
            .findings
            .iter()
            .flat_map(|f| f.frameworks.keys().map(String::as_str))
            .collect();
        return Err(format!(
            "no finding of this scan maps to framework `{framework}` (they map to: {})",
            known.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let mut out: Vec<Control> = by_control
        .into_iter()
        .map(|(control, findings)| {
            let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
            let (passed, failed, errors, not_applicable) = (
                count(Status::Pass),
                count(Status::Fail),
                count(Status::Error),
                count(Status::NotApplicable),
            );
            let status = if failed > 0 {
                ControlStatus::Fail
            } else if errors > 0 {
                ControlStatus::Error
            } else if passed > 0 {
                ControlStatus::Pass
            } else {
                ControlStatus::NotApplicable
            };
            let rules: BTreeSet<String> = findings.iter().map(|f| f.rule_id.clone()).collect();
            let failing: BTreeSet<String> = findings
                .iter()
                .filter(|f| f.status == Status::Fail)
                .map(|f| f.resource_id.clone())
                .collect();
            Control {
                control: control.to_string(),
                title: None,
                severity: None,
                status,
                check: None,
                rules: rules.into_iter().collect(),
                passed,
                failed,
                errors,
                not_applicable,
                failing: failing.into_iter().collect(),
            }
        })
        .collect();
    // Natural order: S3.2 before S3.10, 2.1.4 before 5.2.
    out.sort_by_key(|c| natural_key(&c.control));
    Ok(out)
}

/// Every control of `framework`: those its catalogue lists (with their titles; MANUAL or
/// NOT_COVERED when no finding names them) and those the findings name. Without a
/// catalogue, the controls the findings evidence (`controls`).
pub fn catalogued(report: &Report, framework: &str) -> Result<Vec<Control>, String> {
    let Some(catalogue) = catalogue::of(framework) else {
        return controls(report, framework);
    };
    let mut evidenced = controls(report, framework).unwrap_or_default();
    let mut out: Vec<Control> = catalogue
        .controls
        .iter()
        .map(|entry| {
            let found = evidenced.iter().position(|c| c.control == entry.id);
            let mut control = match found {
                Some(i) => evidenced.remove(i),
                None => Control {
                    control: entry.id.clone(),
                    title: None,
                    severity: None,
                    status: match entry.assessment {
                        Assessment::Manual => ControlStatus::Manual,
                        Assessment::Automated => ControlStatus::NotCovered,
                    },
                    check: entry.check.clone(),
                    rules: Vec::new(),
                    passed: 0,
                    failed: 0,
                    errors: 0,
                    not_applicable: 0,
                    failing: Vec::new(),
                },
            };
            control.title = Some(entry.title.clone());
            control.severity = entry.severity;
            control
        })
        .collect();
    // A rule file of the user's own may name a control the catalogue lacks.
    out.extend(evidenced);
    out.sort_by_key(|c| natural_key(&c.control));
    Ok(out)
}

fn natural_key(id: &str) -> Vec<(String, u64)> {
    id.split(['.', '-'])
        .map(|part| {
            let digits: String = part.chars().filter(char::is_ascii_digit).collect();
            let letters: String = part.chars().filter(|c| !c.is_ascii_digit()).collect();
            (letters, digits.parse().unwrap_or(0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn controls_take_the_worst_status_of_their_findings() {
        let controls = controls(&fixtures::report(), "aws-fsbp").unwrap();
        assert_eq!(controls.len(), 1, "every fixture finding maps to S3.8");
        let c = &controls[0];
        assert_eq!(
            (c.control.as_str(), c.status),
            ("S3.8", ControlStatus::Fail)
        );
        assert_eq!((c.passed, c.failed, c.errors), (1, 2, 1));
        assert_eq!(c.failing, ["leaky", "open, \"quoted\""]);
    }

    #[test]
    fn an_unknown_framework_names_the_known_ones() {
        let e = controls(&fixtures::report(), "nist").unwrap_err();
        assert!(e.contains("(they map to: aws-fsbp, cis-aws-3.0)"), "{e}");
    }

    #[test]
    fn a_catalogued_framework_lists_every_control_and_says_why_one_is_undecided() {
        let all = catalogued(&fixtures::report(), "cis-aws-3.0").unwrap();
        assert_eq!(all.len(), 62);
        let get = |id: &str| all.iter().find(|c| c.control == id).unwrap();
        // The fixture's findings evidence 2.1.4; the rest come from the catalogue.
        assert_eq!(get("2.1.4").status, ControlStatus::Fail);
        assert!(get("2.1.4")
            .title
            .as_deref()
            .unwrap()
            .contains("Block public access"));
        assert_eq!(get("1.1").status, ControlStatus::Manual);
        assert!(get("1.1").check.is_some());
        assert_eq!(get("2.3.1").status, ControlStatus::NotCovered);
        assert_eq!(get("2.3.1").check, None);
        // In the benchmark's order.
        let ids: Vec<&str> = all.iter().map(|c| c.control.as_str()).collect();
        assert_eq!(&ids[..3], ["1.1", "1.2", "1.3"]);
        assert_eq!(ids[9], "1.10");
        // FSBP's catalogue gives every control AWS's severity.
        let fsbp = catalogued(&fixtures::report(), "aws-fsbp").unwrap();
        assert_eq!(fsbp.len(), 205);
        let s3_8 = fsbp.iter().find(|c| c.control == "S3.8").unwrap();
        assert_eq!(
            (s3_8.status, s3_8.severity),
            (ControlStatus::Fail, Some(Severity::High))
        );
        assert_eq!(get("2.1.4").severity, None, "CIS grades no control");
        // A framework without a catalogue is what the findings evidence.
        let mut report = fixtures::report();
        for f in &mut report.findings {
            let ids = f.frameworks.remove("aws-fsbp").unwrap();
            f.frameworks.insert("aws-securityhub".into(), ids);
        }
        let evidenced = catalogued(&report, "aws-securityhub").unwrap();
        assert_eq!(evidenced.len(), 1);
        assert_eq!(evidenced[0].title, None);
    }

    #[test]
    fn control_ids_sort_naturally() {
        let mut ids = vec!["S3.10", "S3.2", "EC2.13", "EC2.2"];
        ids.sort_by_key(|id| natural_key(id));
        assert_eq!(ids, ["EC2.2", "EC2.13", "S3.2", "S3.10"]);
    }
}
