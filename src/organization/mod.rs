//! A scan of several accounts as one report. Each account is judged on its own (its
//! inventory, its dates, the suppression file's account filters), then the reports are
//! put together here: the account on every finding and collection error, a summary per
//! account, one whole summary. An account that could not be scanned is one entry with
//! its reason, never a gap. Pure: the scanning itself is `scan.rs`'s.

pub mod scan;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::engine::summarize;
use crate::report::{AccountScan, EntryStatus, Report, ScanInfo, SuppressionEntry};

/// An account to scan, and how it is reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: String,
    /// Its name in the organisation, when listed from it.
    pub name: Option<String>,
    /// The role assumed into it; `None` for the caller's own account.
    pub role_arn: Option<String>,
}

/// What one account's scan came to: its report, or why it has none.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub account: Account,
    pub result: Result<Report, String>,
}

/// What the whole run knows that no account's report does.
#[derive(Debug, Clone)]
pub struct Run {
    pub scan_id: String,
    /// The account the scan ran from.
    pub caller_account: String,
    pub source: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub rules_evaluated: usize,
}

/// The one report of every account's outcome, accounts in id order.
pub fn combine(run: Run, mut outcomes: Vec<Outcome>) -> Report {
    outcomes.sort_by(|a, b| a.account.id.cmp(&b.account.id));
    let mut accounts = Vec::new();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut suppressions: Vec<SuppressionEntry> = Vec::new();
    let mut regions: Vec<String> = Vec::new();
    let mut collected_at: Option<DateTime<Utc>> = None;
    let mut resources = 0;
    let mut outside_regions = Vec::new();
    for Outcome { account, result } in outcomes {
        let mut scanned = AccountScan {
            account_id: account.id.clone(),
            name: account.name,
            role_arn: account.role_arn,
            error: None,
            regions: Vec::new(),
            incomplete: false,
            summary: summarize(&[], 0),
        };
        match result {
            Err(reason) => scanned.error = Some(reason),
            Ok(report) => {
                scanned.regions = report.scan.regions.clone();
                scanned.incomplete = report.scan.incomplete;
                resources += report.summary.resources_scanned;
                scanned.summary = report.summary;
                collected_at = Some(collected_at.map_or(report.scan.collected_at, |at| {
                    at.min(report.scan.collected_at)
                }));
                outside_regions.extend(report.scan.outside_regions.into_iter().map(|mut e| {
                    e.account_id = Some(account.id.clone());
                    e
                }));
                for region in &report.scan.regions {
                    if !regions.contains(region) {
                        regions.push(region.clone());
                    }
                }
                findings.extend(report.findings.into_iter().map(|mut f| {
                    f.account_id = Some(account.id.clone());
                    f
                }));
                errors.extend(report.errors.into_iter().map(|mut e| {
                    e.account_id = Some(account.id.clone());
                    e
                }));
                merge_entries(&mut suppressions, report.suppressions);
            }
        }
        accounts.push(scanned);
    }
    regions.sort();
    let summary = summarize(&findings, resources);
    Report {
        schema_version: crate::report::REPORT_SCHEMA_VERSION.to_string(),
        scan: ScanInfo {
            id: run.scan_id,
            tool: env!("CARGO_PKG_NAME").to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            account_id: run.caller_account,
            regions,
            source: run.source,
            collected_at: collected_at.unwrap_or(run.started_at),
            started_at: run.started_at,
            finished_at: run.finished_at,
            rules_evaluated: run.rules_evaluated,
            incomplete: accounts.iter().any(|a| a.incomplete),
            outside_regions,
        },
        summary,
        findings,
        errors,
        suppressions,
        baseline: None,
        stack: None,
        accounts,
    }
}

/// The suppression file's entries as every account's scan left them: the failures each
/// accepted, added up; stale only where it matched nothing in any account.
fn merge_entries(into: &mut Vec<SuppressionEntry>, entries: Vec<SuppressionEntry>) {
    for entry in entries {
        let Some(known) = into.iter_mut().find(|e| e.entry == entry.entry) else {
            into.push(entry);
            continue;
        };
        known.findings += entry.findings;
        let unmatched = |s: EntryStatus| matches!(s, EntryStatus::Stale | EntryStatus::OutOfScope);
        known.status = match (unmatched(known.status), unmatched(entry.status)) {
            (true, false) => entry.status,
            (true, true) if entry.status == EntryStatus::OutOfScope => EntryStatus::OutOfScope,
            _ => known.status,
        };
    }
}

/// `report` narrowed to the account `id`: its findings, errors and summary, as a scan
/// of that one account would have read (for `report --account`). A report of one
/// account is given back whole when it is of `id`.
pub fn one_account(report: &Report, id: &str) -> Result<Report, String> {
    if report.accounts.is_empty() {
        return if report.scan.account_id == id {
            Ok(report.clone())
        } else {
            Err(format!(
                "scan {} is of account {}, not {id}",
                report.scan.id, report.scan.account_id
            ))
        };
    }
    let Some(account) = report.accounts.iter().find(|a| a.account_id == id) else {
        let known: Vec<&str> = report
            .accounts
            .iter()
            .map(|a| a.account_id.as_str())
            .collect();
        return Err(format!(
            "scan {} holds no account {id} (it holds {})",
            report.scan.id,
            known.join(", ")
        ));
    };
    let mine = |of: &Option<String>| of.as_deref() == Some(id);
    let mut narrowed = report.clone();
    narrowed.accounts.clear();
    narrowed.scan.account_id = id.to_string();
    narrowed.scan.regions = account.regions.clone();
    narrowed.scan.incomplete = account.incomplete;
    narrowed.summary = account.summary.clone();
    narrowed.findings.retain(|f| mine(&f.account_id));
    narrowed.errors.retain(|e| mine(&e.account_id));
    for f in &mut narrowed.findings {
        f.account_id = None;
    }
    for e in &mut narrowed.errors {
        e.account_id = None;
    }
    if let Some(b) = &mut narrowed.baseline {
        b.resolved.retain(|r| mine(&r.account_id));
        for r in &mut b.resolved {
            r.account_id = None;
        }
        let states: BTreeMap<_, usize> = narrowed.findings.iter().filter_map(|f| f.baseline).fold(
            BTreeMap::new(),
            |mut m, s| {
                *m.entry(s).or_default() += 1;
                m
            },
        );
        b.new = states
            .get(&crate::report::BaselineState::New)
            .copied()
            .unwrap_or(0);
        b.existing = states
            .get(&crate::report::BaselineState::Existing)
            .copied()
            .unwrap_or(0);
    }
    Ok(narrowed)
}
