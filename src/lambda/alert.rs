//! The SNS messages a run publishes: the alert, to the critical topic, when failures at
//! or above the threshold exist — what a person needs to triage, plus message attributes
//! so subscribers can filter; and the warning, to the warning topic, when the run itself
//! fell short (stopped at its deadline, could not read something, could not store its
//! report), so a blind spot is never mistaken for a clean account, or when a stack's
//! resources drifted from its template — and when accepted
//! risks expired or soon will, so they are renewed or fixed, never silently permanent.

use std::collections::BTreeMap;

use crate::report::{DriftStatus, EntryStatus, Finding, Report};
use crate::rules::Severity;

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub subject: String,
    pub message: String,
    /// Name → (SNS data type, value).
    pub attributes: BTreeMap<String, (&'static str, String)>,
}

/// The alert for `report`, or `None` when nothing at or above `threshold` failed.
pub fn alert(report: &Report, threshold: Severity, location: &str) -> Option<Alert> {
    let failing: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.fails() && f.severity.at_least(threshold))
        .collect();
    let worst = failing.iter().map(|f| f.severity).min()?;
    let scan = &report.scan;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            format!(
                "{s} {}",
                report
                    .summary
                    .failed_by_severity
                    .get(s)
                    .copied()
                    .unwrap_or(0)
            )
        })
        .collect();

    let mut by_rule: BTreeMap<(&Severity, &str), usize> = BTreeMap::new();
    for f in &failing {
        *by_rule
            .entry((&f.severity, f.rule_id.as_str()))
            .or_default() += 1;
    }
    let mut rules: Vec<((&Severity, &str), usize)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| {
        a.0 .0
            .cmp(b.0 .0)
            .then(b.1.cmp(&a.1))
            .then(a.0 .1.cmp(b.0 .1))
    });

    let mut message = format!(
        "{} failed finding(s) at or above {threshold} in {} ({}).\n\nScore: {}\nFailed by severity: {}\n",
        failing.len(),
        scope(report),
        scan.regions.join(", "),
        score(report.summary.score),
        counts.join(", "),
    );
    if !report.accounts.is_empty() {
        message.push_str("\nBy account:\n");
        for a in &report.accounts {
            let failed: usize = a.summary.failed_by_severity.values().sum();
            match &a.error {
                Some(e) => message.push_str(&format!("  {} not scanned: {e}\n", a.account_id)),
                None => message.push_str(&format!(
                    "  {}: score {}, {failed} failed\n",
                    a.account_id,
                    score(a.summary.score)
                )),
            }
        }
    }
    message.push_str("\nTop failing rules:\n");
    if let Some(stack) = &report.stack {
        message.push_str(&format!("Stack: {} ({})\n", stack.name, stack.status));
    }
    for ((severity, rule), n) in rules.iter().take(10) {
        message.push_str(&format!("  [{severity}] {rule}: {n} resource(s)\n"));
    }
    message.push_str("\nFirst failing resources:\n");
    for f in failing.iter().take(10) {
        message.push_str(&format!(
            "  [{}] {} {} ({}): {}\n",
            f.severity,
            f.rule_id,
            f.resource_id,
            f.place(),
            f.message
        ));
    }
    if scan.incomplete {
        message.push_str("\nThe scan stopped at the function's deadline: some services or regions are missing.\n");
    }
    message.push_str(&format!(
        "\nFull report: {location}\nScan id: {}\n",
        scan.id
    ));

    let mut attributes = BTreeMap::new();
    attributes.insert(
        "severity".to_string(),
        ("String", worst.as_str().to_string()),
    );
    attributes.insert("account".to_string(), ("String", scan.account_id.clone()));
    attributes.insert("failed".to_string(), ("Number", failing.len().to_string()));
    for s in Severity::ALL {
        let n = report
            .summary
            .failed_by_severity
            .get(&s)
            .copied()
            .unwrap_or(0);
        attributes.insert(format!("failed_{s}"), ("Number", n.to_string()));
    }
    let whose = match &report.stack {
        Some(stack) => format!("stack {}", stack.name),
        None if !report.accounts.is_empty() => format!("{} accounts", report.accounts.len()),
        None => scan.account_id.clone(),
    };
    let subject = format!(
        "compliance: {} {worst}+ failure(s) in {whose}",
        failing.len()
    );
    Some(Alert {
        subject: subject.chars().take(100).collect(),
        message,
        attributes,
    })
}

/// What the run scanned, in words: one account, or the organisation's accounts and the
/// account they were scanned from.
fn scope(report: &Report) -> String {
    match report.accounts.len() {
        0 => format!("account {}", report.scan.account_id),
        n => format!("{n} accounts (scanned from {})", report.scan.account_id),
    }
}

fn score(score: Option<f64>) -> String {
    score.map_or("n/a".to_string(), |s| format!("{s:.1}%"))
}

/// The warning for a run that fell short — or whose accepted risks expired, expire
/// soon, or could not be read (`suppressions`: why the stack's file was not applied), or
/// whose findings did not all go where the stack sends them (`undelivered`: the problem's
/// name, `security-hub` or `history`, and its sentence) — or `None` when it saw, stored
/// and delivered everything.
pub fn warning(
    report: &Report,
    stored: bool,
    location: &str,
    suppressions: Option<&str>,
    undelivered: &[(&'static str, String)],
) -> Option<Alert> {
    let scan = &report.scan;
    let mut problems: Vec<(&str, String)> = Vec::new();
    if scan.incomplete {
        problems.push((
            "incomplete",
            "The scan stopped at the function's deadline: some services or regions were not collected.".to_string(),
        ));
    }
    if let Some(stack) = &report.stack {
        let drifted: Vec<String> = stack
            .resources
            .iter()
            .filter(|r| matches!(r.drift, DriftStatus::Modified | DriftStatus::Deleted))
            .map(|r| {
                let what: Vec<&str> = r.differences.iter().map(|d| d.attribute.as_str()).collect();
                format!(
                    "\n  {} {} {}",
                    r.drift.as_str(),
                    r.logical_id,
                    what.join(", ")
                )
            })
            .collect();
        if !drifted.is_empty() {
            problems.push((
                "drift",
                format!(
                    "{} resource(s) of stack {} differ from its template:{}",
                    drifted.len(),
                    stack.name,
                    drifted.concat()
                ),
            ));
        }
    }
    let unscanned: Vec<String> = report
        .accounts
        .iter()
        .filter_map(|a| Some(format!("\n  {}: {}", a.account_id, a.error.as_deref()?)))
        .collect();
    if !unscanned.is_empty() {
        problems.push((
            "accounts-not-scanned",
            format!(
                "{} of {} account(s) were not scanned, so they have no findings at all:{}",
                unscanned.len(),
                report.accounts.len(),
                unscanned.concat()
            ),
        ));
    }
    // What a stack's template cannot tell is in its findings, not a failed call.
    let failed: Vec<_> = report
        .errors
        .iter()
        .filter(|e| e.operation != crate::model::UNRESOLVED)
        .collect();
    if !failed.is_empty() {
        let mut text = format!(
            "{} call(s) failed, so the rules that needed them are ERROR, not PASS:",
            failed.len()
        );
        for e in failed.iter().take(10) {
            text.push_str(&format!(
                "\n  {} {} in {}: {} failed: {}: {}",
                e.resource_type.as_str(),
                e.resource_id.as_deref().unwrap_or("(listing)"),
                e.region,
                e.operation,
                e.code,
                e.message
            ));
        }
        problems.push(("errors", text));
    }
    if !stored {
        problems.push((
            "not-stored",
            "The report could not be stored in the bucket; it is in the function's log in full."
                .to_string(),
        ));
    }
    if let Some(problem) = suppressions {
        problems.push((
            "suppressions",
            format!("The suppression file was not applied, so every failure counts: {problem}"),
        ));
    }
    problems.extend(undelivered.iter().cloned());
    let lapsing: Vec<String> = report
        .suppressions
        .iter()
        .filter(|e| matches!(e.status, EntryStatus::Expired | EntryStatus::Expiring))
        .map(|e| {
            format!(
                "\n  {} {} on {} ({}, owner {}, {} failure(s)): {}",
                e.entry,
                if e.status == EntryStatus::Expired {
                    "expired"
                } else {
                    "expires"
                },
                e.expires,
                e.rules.join(", "),
                e.owner,
                e.findings,
                e.reason
            )
        })
        .collect();
    if !lapsing.is_empty() {
        problems.push((
            "expired-suppressions",
            format!(
                "Accepted risks expired or expire within 14 days; expired ones fail again:{}",
                lapsing.concat()
            ),
        ));
    }
    if problems.is_empty() {
        return None;
    }
    let kinds: Vec<&str> = problems.iter().map(|(kind, _)| *kind).collect();
    let mut message = format!(
        "The compliance scan of {} ({}) fell short:\n",
        scope(report),
        scan.regions.join(", ")
    );
    for (_, text) in &problems {
        message.push_str(&format!("\n{text}\n"));
    }
    message.push_str(&format!("\nReport: {location}\nScan id: {}\n", scan.id));
    let attributes = BTreeMap::from([
        ("problem".to_string(), ("String", kinds.join(","))),
        ("account".to_string(), ("String", scan.account_id.clone())),
        (
            "errors".to_string(),
            ("Number", report.errors.len().to_string()),
        ),
    ]);
    let subject = format!(
        "compliance: scan of {} fell short ({})",
        scan.account_id,
        kinds.join(", ")
    );
    Some(Alert {
        subject: subject.chars().take(100).collect(),
        message,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organization::{combine, Account, Outcome, Run};
    use crate::output::fixtures;

    #[test]
    fn an_organisation_run_alerts_once_by_account_and_names_the_accounts_not_scanned() {
        let at = fixtures::report().scan.started_at;
        let account = |id: &str| Account {
            id: id.to_string(),
            name: None,
            role_arn: Some(format!("arn:aws:iam::{id}:role/ComplianceScanRole")),
        };
        let run = Run {
            scan_id: "nightly-1".into(),
            caller_account: "999999999999".into(),
            source: "lambda".into(),
            started_at: at,
            finished_at: at,
            rules_evaluated: 4,
        };
        let report = combine(
            run,
            vec![
                Outcome {
                    account: account("111111111111"),
                    result: Ok(fixtures::report()),
                },
                Outcome {
                    account: account("222222222222"),
                    result: Err("cannot assume the role: AccessDenied".into()),
                },
            ],
        );
        let a = alert(&report, Severity::Low, "s3://b/scans/nightly-1.json").unwrap();
        assert!(a.subject.ends_with("in 2 accounts"), "{}", a.subject);
        assert!(
            a.message
                .contains("in 2 accounts (scanned from 999999999999)"),
            "{}",
            a.message
        );
        assert!(
            a.message
                .contains("  222222222222 not scanned: cannot assume the role: AccessDenied"),
            "{}",
            a.message
        );
        assert!(
            a.message.contains("(111111111111 "),
            "each failing resource names its account: {}",
            a.message
        );
        let w = warning(&report, true, "s3://b/x", None, &[]).unwrap();
        assert!(
            w.attributes["problem"].1.contains("accounts-not-scanned"),
            "{:?}",
            w.attributes
        );
        assert!(
            w.message.contains("1 of 2 account(s) were not scanned"),
            "{}",
            w.message
        );
    }

    #[test]
    fn a_run_that_fell_short_raises_one_warning_naming_each_problem() {
        let mut report = fixtures::report();
        report.scan.incomplete = true;
        let w = warning(&report, false, "s3://b/scans/x.json", None, &[]).unwrap();
        assert_eq!(w.attributes["problem"].1, "incomplete,errors,not-stored");
        assert!(
            w.message
                .contains("GetBucketPolicy failed: AccessDenied: no"),
            "{}",
            w.message
        );
        assert!(w.message.contains("function's log in full"));
        report.scan.incomplete = false;
        report.errors.clear();
        assert_eq!(
            warning(&report, true, "s3://b/x", None, &[]),
            None,
            "a clean run warns nobody"
        );
        let unread = warning(
            &report,
            true,
            "s3://b/x",
            Some("config/suppressions.yaml: bad"),
            &[],
        )
        .unwrap();
        assert_eq!(unread.attributes["problem"].1, "suppressions");
        assert!(unread
            .message
            .contains("every failure counts: config/suppressions.yaml: bad"));
    }

    #[test]
    fn expired_and_expiring_entries_are_warned_of_with_their_owner() {
        let mut report = fixtures::report();
        report.errors.clear();
        let entry = |status, owner: &str| crate::report::SuppressionEntry {
            entry: "config/suppressions.yaml:3".into(),
            rules: vec!["s3-bucket-no-public-read".into()],
            resources: vec!["leaky".into()],
            reason: "public website".into(),
            owner: owner.into(),
            expires: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            ticket: None,
            status,
            findings: 1,
        };
        report.suppressions = vec![
            entry(EntryStatus::Active, "a"),
            entry(EntryStatus::Stale, "b"),
        ];
        assert_eq!(
            warning(&report, true, "s3://b/x", None, &[]),
            None,
            "active and stale are not urgent"
        );
        report
            .suppressions
            .push(entry(EntryStatus::Expired, "web-team"));
        let w = warning(&report, true, "s3://b/x", None, &[]).unwrap();
        assert_eq!(w.attributes["problem"].1, "expired-suppressions");
        assert!(
            w.message
                .contains("expired on 2026-11-01 (s3-bucket-no-public-read, owner web-team"),
            "{}",
            w.message
        );
        assert!(!w.message.contains("owner a,"), "{}", w.message);
    }

    #[test]
    fn failures_at_the_threshold_raise_one_alert_with_what_triage_needs() {
        let a = alert(
            &fixtures::report(),
            Severity::High,
            "s3://bucket/scans/x.json",
        )
        .unwrap();
        assert_eq!(
            a.subject,
            "compliance: 2 critical+ failure(s) in 123456789012"
        );
        assert!(
            a.message.contains("account 123456789012 (us-east-1)"),
            "{}",
            a.message
        );
        assert!(
            a.message
                .contains("[critical] s3-bucket-no-public-read: 1 resource(s)"),
            "{}",
            a.message
        );
        assert!(a.message.contains("s3://bucket/scans/x.json"));
        let critical_first = a
            .message
            .find("[critical] s3-bucket-no-public-read")
            .unwrap();
        assert!(
            critical_first
                < a.message
                    .find("[high] s3-bucket-public-access-block")
                    .unwrap()
        );
        assert_eq!(a.attributes["severity"], ("String", "critical".to_string()));
        assert_eq!(a.attributes["failed_high"], ("Number", "1".to_string()));
    }

    #[test]
    fn nothing_at_the_threshold_raises_nothing() {
        let mut report = fixtures::report();
        report.findings.retain(|f| f.severity != Severity::Critical);
        assert!(alert(&report, Severity::Critical, "s3://b/k").is_none());
    }
}
