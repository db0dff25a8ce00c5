//! Safe, automatic fixes for failed findings: which ones a report calls for (pure), and
//! the audit record every action leaves, applied or not. The calls live in
//! `aws::remediate`. Safe means: never deletes, never replaces a configuration that
//! exists, re-reads the resource before acting and verifies after.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::report::Report;
use crate::rules::Status;

/// The automatic remediation ids rules may name (`remediation.automatic`) that this build
/// can apply.
pub const S3_DEFAULT_ENCRYPTION: &str = "s3-default-encryption";

/// One fix to attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub remediation: &'static str,
    pub rule_id: String,
    pub resource_id: String,
    pub region: String,
}

/// The fixes `report` calls for: one per resource and remediation, from failed findings
/// whose rule names a remediation this build applies.
pub fn plan(report: &Report) -> Vec<Action> {
    let mut actions: Vec<Action> = Vec::new();
    for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
        if f.remediation.automatic.as_deref() != Some(S3_DEFAULT_ENCRYPTION) {
            continue;
        }
        if actions
            .iter()
            .any(|a| a.resource_id == f.resource_id && a.remediation == S3_DEFAULT_ENCRYPTION)
        {
            continue;
        }
        actions.push(Action {
            remediation: S3_DEFAULT_ENCRYPTION,
            rule_id: f.rule_id.clone(),
            resource_id: f.resource_id.clone(),
            region: f.region.clone(),
        });
    }
    actions
}

/// What happened to an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Applied,
    Skipped,
    Failed,
}

/// One audit line (JSON Lines): every action leaves one, whatever its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: DateTime<Utc>,
    pub caller: String,
    pub scan_id: String,
    pub remediation: String,
    pub rule_id: String,
    pub resource_id: String,
    pub region: String,
    pub before: String,
    pub after: String,
    pub outcome: Outcome,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn one_action_per_bucket_for_failed_findings_that_name_the_remediation() {
        let mut report = fixtures::report();
        for f in &mut report.findings {
            f.remediation.automatic = Some(S3_DEFAULT_ENCRYPTION.to_string());
        }
        let mut twice = report.findings[1].clone();
        twice.rule_id = "another-rule".to_string();
        report.findings.push(twice);
        let actions = plan(&report);
        let buckets: Vec<&str> = actions.iter().map(|a| a.resource_id.as_str()).collect();
        assert_eq!(
            buckets,
            ["open, \"quoted\"", "leaky"],
            "failed findings only, each bucket once"
        );
    }

    #[test]
    fn findings_without_an_automatic_remediation_plan_nothing() {
        assert!(plan(&fixtures::report()).is_empty());
    }
}
