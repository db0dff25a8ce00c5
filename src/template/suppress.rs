//! Accepted risks written in the template itself, on the resource they accept:
//!
//! ```yaml
//! Metadata:
//!   compliance:
//!     suppress:
//!       - rule: S3.9
//!         reason: the access-log bucket cannot log to itself
//!         expires: 2027-06-30   # optional, as are owner and ticket
//! ```
//!
//! A missing or empty reason, an unknown key or a bad date is a load error. A
//! suppressed failure stays in the report, marked, out of the score and the exit code,
//! exactly as a suppression file's (`Finding::suppressed`, the entry as `file:line`).

use chrono::NaiveDate;

use crate::report::{Finding, Report, Suppression};
use crate::rules::Status;

use super::node::Node;

/// One `Metadata.compliance.suppress` item.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub file: String,
    pub line: usize,
    /// The logical id of the resource it sits on.
    pub resource: String,
    pub rule: String,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<NaiveDate>,
    pub ticket: Option<String>,
}

const KEYS: &[&str] = &["rule", "reason", "owner", "expires", "ticket"];

/// The entries in a resource's `Metadata`.
pub fn read(file: &str, resource: &str, metadata: Option<&Node>) -> Result<Vec<Entry>, String> {
    let Some(list) = metadata.and_then(|m| m.path(&["compliance", "suppress"])) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in list.list()? {
        let line = item.line;
        let here = |what: String| format!("line {line}: {resource}'s suppression {what}");
        if let node::Value::Map(entries) = &item.value {
            if let Some(e) = entries.iter().find(|e| !KEYS.contains(&e.key.as_str())) {
                return Err(here(format!(
                    "has an unknown key {:?} (known: {})",
                    e.key,
                    KEYS.join(", ")
                )));
            }
        } else {
            return Err(here("is not a map of rule and reason".into()));
        }
        let text = |key: &str| -> Result<Option<String>, String> {
            match item.get(key).map(Node::text).transpose() {
                Ok(v) => Ok(v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())),
                Err(why) => Err(here(format!("{key}: {why}"))),
            }
        };
        let rule = text("rule")?.ok_or_else(|| here("names no rule".into()))?;
        let reason = text("reason")?.ok_or_else(|| here(format!("for {rule} gives no reason")))?;
        let expires = text("expires")?
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| here(format!("expires {d:?}, which is not a YYYY-MM-DD date")))
            })
            .transpose()?;
        out.push(Entry {
            file: file.to_string(),
            line,
            resource: resource.to_string(),
            rule,
            reason,
            owner: text("owner")?,
            expires,
            ticket: text("ticket")?,
        });
    }
    Ok(out)
}

use super::node;

/// Where a template's finding is declared: its file and its logical id.
pub fn in_template(f: &Finding) -> Option<(String, String)> {
    f.location
        .as_ref()
        .map(|l| (l.file.clone(), f.resource_id.clone()))
}

/// Marks each failure an unexpired entry on its resource accepts; `declared` tells the
/// template file and logical id of a finding's resource (`in_template`, or for a live
/// resource of a deployed stack, the one it was deployed from). Returns the entries
/// that accepted nothing (a rule that passes now, or was not run), for a warning.
pub fn apply<'e>(
    report: &mut Report,
    entries: &'e [Entry],
    declared: impl Fn(&Finding) -> Option<(String, String)>,
) -> Vec<&'e Entry> {
    let today = report.scan.collected_at.date_naive();
    let mut used = vec![false; entries.len()];
    for finding in &mut report.findings {
        if finding.status != Status::Fail || finding.suppressed.is_some() {
            continue;
        }
        let Some((file, logical)) = declared(finding) else {
            continue;
        };
        let found = entries.iter().position(|e| {
            e.rule == finding.rule_id
                && e.resource == logical
                && e.file == file
                && e.expires.is_none_or(|d| d >= today)
        });
        if let Some(i) = found {
            used[i] = true;
            let e = &entries[i];
            finding.suppressed = Some(Suppression {
                entry: format!("{}:{}", e.file, e.line),
                reason: e.reason.clone(),
                owner: e.owner.clone(),
                expires: e.expires,
                ticket: e.ticket.clone(),
            });
        }
    }
    entries
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(e, _)| e)
        .collect()
}

/// Applies `entries` (see `apply`), recounts the summary, and returns a warning for each
/// entry that accepts a rule its resource passes.
pub fn accept(
    report: &mut Report,
    entries: &[Entry],
    declared: impl Fn(&Finding) -> Option<(String, String)>,
) -> Vec<String> {
    let unused = apply(report, entries, declared);
    let warnings = unused
        .into_iter()
        .filter(|e| {
            report
                .findings
                .iter()
                .any(|f| f.rule_id == e.rule && f.resource_id == e.resource)
        })
        .map(|e| {
            format!(
                "{}:{}: the suppression of {} on {} accepts nothing: it does not fail",
                e.file, e.line, e.rule, e.resource
            )
        })
        .collect();
    report.summary = crate::engine::summarize(&report.findings, report.summary.resources_scanned);
    warnings
}
