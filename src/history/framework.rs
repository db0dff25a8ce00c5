//! A scan seen through one framework (`aws-fsbp`, `cis-aws-3.0`, `pci-dss-4.0`, …): its
//! findings grouped by control id, each control with a status as Security Hub gives one.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::report::Report;
use crate::rules::Status;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    pub control: String,
    /// FAIL if any finding fails, else ERROR if any errs, else PASS if any passes, else
    /// NOT_APPLICABLE.
    pub status: Status,
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
                Status::Fail
            } else if errors > 0 {
                Status::Error
            } else if passed > 0 {
                Status::Pass
            } else {
                Status::NotApplicable
            };
            let rules: BTreeSet<String> = findings.iter().map(|f| f.rule_id.clone()).collect();
            let failing: BTreeSet<String> = findings
                .iter()
                .filter(|f| f.status == Status::Fail)
                .map(|f| f.resource_id.clone())
                .collect();
            Control {
                control: control.to_string(),
                status,
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
        assert_eq!((c.control.as_str(), c.status), ("S3.8", Status::Fail));
        assert_eq!((c.passed, c.failed, c.errors), (1, 2, 1));
        assert_eq!(c.failing, ["leaky", "open, \"quoted\""]);
    }

    #[test]
    fn an_unknown_framework_names_the_known_ones() {
        let e = controls(&fixtures::report(), "nist").unwrap_err();
        assert!(e.contains("(they map to: aws-fsbp, cis-aws-3.0)"), "{e}");
    }

    #[test]
    fn control_ids_sort_naturally() {
        let mut ids = vec!["S3.10", "S3.2", "EC2.13", "EC2.2"];
        ids.sort_by_key(|id| natural_key(id));
        assert_eq!(ids, ["EC2.2", "EC2.13", "S3.2", "S3.10"]);
    }
}
