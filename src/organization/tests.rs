use super::*;
use crate::history::diff::{diff, Change};
use crate::output::fixtures;
use crate::rules::Status;

pub(crate) fn account(id: &str) -> Account {
    Account {
        id: id.to_string(),
        name: Some(format!("name-{id}")),
        role_arn: Some(format!("arn:aws:iam::{id}:role/Audit")),
    }
}

/// The fixture report as the scan of `id`.
fn scanned(id: &str) -> Outcome {
    let mut report = fixtures::report();
    report.scan.account_id = id.to_string();
    Outcome {
        account: account(id),
        result: Ok(report),
    }
}

pub(crate) fn run() -> Run {
    let at = fixtures::report().scan.started_at;
    Run {
        scan_id: "org-1".into(),
        caller_account: "999999999999".into(),
        source: "live".into(),
        started_at: at,
        finished_at: at,
        rules_evaluated: 4,
    }
}

fn organisation() -> Report {
    let denied = Outcome {
        account: account("333333333333"),
        result: Err("cannot assume the role …: AccessDenied: no".into()),
    };
    combine(
        run(),
        vec![scanned("222222222222"), denied, scanned("111111111111")],
    )
}

#[test]
fn every_finding_carries_its_account_and_each_account_its_own_summary() {
    let report = organisation();
    let ids: Vec<&str> = report
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
    let one = fixtures::report();
    assert_eq!(report.findings.len(), 2 * one.findings.len());
    assert!(report.findings.iter().all(|f| f.account_id.is_some()));
    assert!(report.errors.iter().all(|e| e.account_id.is_some()));
    assert_eq!(report.accounts[0].summary, one.summary);
    assert_eq!(
        report.summary.count(Status::Fail),
        2 * one.summary.count(Status::Fail)
    );
    assert_eq!(
        report.summary.resources_scanned,
        2 * one.summary.resources_scanned
    );
    // The same score: two accounts alike.
    assert_eq!(report.summary.score, one.summary.score);
    let denied = &report.accounts[2];
    assert!(denied.error.as_deref().unwrap().contains("AccessDenied"));
    assert_eq!(denied.summary.findings, 0);
    assert_eq!(report.accounts_unscanned(), 1);
    assert_eq!(report.scan.account_id, "999999999999");
    assert_eq!(report.scan.regions, ["us-east-1"]);
}

#[test]
fn one_account_reads_as_that_accounts_own_scan() {
    let report = organisation();
    let mine = one_account(&report, "222222222222").unwrap();
    let mut alone = fixtures::report();
    alone.scan.account_id = "222222222222".into();
    alone.scan.id = "org-1".into();
    assert_eq!(mine.findings, alone.findings);
    assert_eq!(mine.summary, alone.summary);
    assert_eq!(mine.errors, alone.errors);
    assert!(mine.accounts.is_empty());
    let e = one_account(&report, "444444444444").unwrap_err();
    assert!(e.contains("holds no account 444444444444"), "{e}");
    let e = one_account(&alone, "111111111111").unwrap_err();
    assert!(e.contains("is of account 222222222222"), "{e}");
}

#[test]
fn a_fix_in_one_account_resolves_only_that_accounts_failure() {
    let before = organisation();
    let mut after = before.clone();
    after
        .findings
        .retain(|f| !(f.resource_id == "leaky" && f.account_id.as_deref() == Some("111111111111")));
    let changes = diff(&before, &after);
    let resolved: Vec<(Option<&str>, &str)> = changes
        .iter()
        .filter(|c| c.change == Change::Resolved)
        .map(|c| (c.account_id.as_deref(), c.resource_id.as_str()))
        .collect();
    assert_eq!(resolved, [(Some("111111111111"), "leaky")]);
    let still = changes
        .iter()
        .filter(|c| c.change == Change::StillFailing && c.resource_id == "leaky")
        .count();
    assert_eq!(still, 1, "the other account's leaky still fails");
}

#[test]
fn an_entry_is_stale_only_where_it_matched_nothing_in_any_account() {
    let entry = |status, findings| SuppressionEntry {
        entry: "s.yaml:3".into(),
        rules: vec!["r".into()],
        resources: vec!["*".into()],
        reason: "accepted".into(),
        owner: "team".into(),
        expires: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        ticket: None,
        status,
        findings,
    };
    let mut merged = vec![entry(EntryStatus::Stale, 0)];
    merge_entries(&mut merged, vec![entry(EntryStatus::Active, 2)]);
    merge_entries(&mut merged, vec![entry(EntryStatus::Stale, 0)]);
    assert_eq!(merged.len(), 1);
    assert_eq!(
        (merged[0].status, merged[0].findings),
        (EntryStatus::Active, 2)
    );
}
