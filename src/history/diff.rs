//! What changed between two scans: failures that are new, resolved, or still failing,
//! matched by rule and resource.

use serde::Serialize;

use crate::report::{Finding, Report};
use crate::rules::Status;

/// How a failure moved between the two scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    New,
    Resolved,
    StillFailing,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub change: Change,
    /// The failure's account, when either scan is of several accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub rule_id: String,
    pub severity: crate::rules::Severity,
    pub resource_type: crate::model::ResourceKind,
    pub resource_id: String,
    pub region: String,
    /// The finding's message in the later scan (the earlier one for resolved failures).
    pub message: String,
}

/// What a failure is matched on: account, rule, region, resource.
type Key<'r> = (&'r str, &'r str, &'r str, &'r str);

/// A report's failures with their keys.
fn failed(r: &Report) -> Vec<(Key<'_>, &Finding)> {
    r.findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| {
            (
                (r.account_of(f), &*f.rule_id, &*f.region, &*f.resource_id),
                f,
            )
        })
        .collect()
}

/// Failures of `before` and `after`, compared; sorted by change, severity, rule, account,
/// resource.
pub fn diff(before: &Report, after: &Report) -> Vec<Difference> {
    let several = !before.accounts.is_empty() || !after.accounts.is_empty();
    let (old, new) = (failed(before), failed(after));
    let account = |k: &Key<'_>| several.then(|| k.0.to_string());
    let mut out = Vec::new();
    for (k, f) in &new {
        let change = if old.iter().any(|(o, _)| o == k) {
            Change::StillFailing
        } else {
            Change::New
        };
        out.push(difference(change, account(k), f));
    }
    for (k, f) in old.iter().filter(|(o, _)| !new.iter().any(|(n, _)| n == o)) {
        out.push(difference(Change::Resolved, account(k), f));
    }
    out.sort_by(|a, b| {
        (
            a.change,
            a.severity,
            &a.rule_id,
            &a.account_id,
            &a.resource_id,
        )
            .cmp(&(
                b.change,
                b.severity,
                &b.rule_id,
                &b.account_id,
                &b.resource_id,
            ))
    });
    out
}

fn difference(change: Change, account_id: Option<String>, f: &Finding) -> Difference {
    Difference {
        change,
        account_id,
        rule_id: f.rule_id.clone(),
        severity: f.severity,
        resource_type: f.resource_type,
        resource_id: f.resource_id.clone(),
        region: f.region.clone(),
        message: f.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn new_resolved_and_still_failing_are_told_apart() {
        let before = fixtures::report();
        let mut after = fixtures::report();
        // "leaky" fixed; "denied" (an ERROR before) now fails; "open" still fails.
        after.findings.retain(|f| f.resource_id != "leaky");
        for f in &mut after.findings {
            if f.resource_id == "denied" {
                f.status = Status::Fail;
            }
        }
        let differences = diff(&before, &after);
        let changes: Vec<(Change, &str)> = differences
            .iter()
            .map(|d| (d.change, d.resource_id.as_str()))
            .collect();
        assert_eq!(
            changes,
            [
                (Change::New, "denied"),
                (Change::Resolved, "leaky"),
                (Change::StillFailing, "open, \"quoted\"")
            ]
        );
    }
}
