//! Stored scan reports (files written by `scan --output … --format json`): loading them
//! with one clear sentence per bad file, ordering them in time, and what `report`
//! computes from them: the trend, the differences between two scans, and one scan's
//! findings grouped by a framework's controls; and the findings history table's items
//! (`table.rs`, and `record.rs` for what the Lambda writes). Pure but for reading the
//! files.

pub mod baseline;
pub mod diff;
pub mod framework;
#[cfg(feature = "lambda")]
pub mod record;
pub mod table;
pub mod trend;

use std::path::PathBuf;

use crate::report::{Report, REPORT_SCHEMA_VERSION};

/// Reads every file, oldest scan first; any unusable file is an error naming it.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Report>, String> {
    let texts = paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read report {}: {e}", p.display()))?;
            Ok((p.display().to_string(), text))
        })
        .collect::<Result<Vec<_>, String>>()?;
    parse_all(texts)
}

/// Parses named report texts (files, or objects from the stack's bucket), oldest first.
pub fn parse_all(texts: Vec<(String, String)>) -> Result<Vec<Report>, String> {
    let mut reports = texts
        .iter()
        .map(|(name, text)| parse(name, text))
        .collect::<Result<Vec<_>, _>>()?;
    reports.sort_by(|a, b| (a.scan.started_at, &a.scan.id).cmp(&(b.scan.started_at, &b.scan.id)));
    Ok(reports)
}

fn parse(name: &str, text: &str) -> Result<Report, String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("{name} is not JSON ({e}); was it cut short?"))?;
    let version = value
        .get("schema_version")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let major = |v: &str| v.split('.').next().unwrap_or_default().to_string();
    if version.is_empty() {
        return Err(format!(
            "{name} is not a compliance report (no schema_version)"
        ));
    }
    if major(version) != major(REPORT_SCHEMA_VERSION) {
        return Err(format!(
            "{name} has report schema {version}; this build reads {}.x",
            major(REPORT_SCHEMA_VERSION)
        ));
    }
    serde_json::from_value(value).map_err(|e| format!("{name} is not a compliance report: {e}"))
}

/// Refuses reports of more than one account: a trend or a diff across accounts would
/// compare unrelated scans.
pub fn one_account(stored: &[Report]) -> Result<(), String> {
    let mut accounts: Vec<&str> = stored.iter().map(|r| r.scan.account_id.as_str()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.len() > 1 {
        return Err(format!(
            "the reports are of {} accounts ({}): give the reports of one account at a time",
            accounts.len(),
            accounts.join(", ")
        ));
    }
    Ok(())
}

/// The scan with id `id`, or the latest when `id` is `None`.
pub fn pick<'s>(stored: &'s [Report], id: Option<&str>) -> Result<&'s Report, String> {
    match id {
        None => stored
            .last()
            .ok_or_else(|| "no report to read: name at least one file".to_string()),
        Some(id) => stored.iter().find(|s| s.scan.id == id).ok_or_else(|| {
            let known: Vec<&str> = stored.iter().map(|s| s.scan.id.as_str()).collect();
            format!(
                "no scan with id `{id}` among the reports given (they hold: {})",
                known.join(", ")
            )
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::output::fixtures;

    /// A report with `id`, finished on day `day`, with `score`.
    pub fn stored(id: &str, day: i64, score: f64) -> Report {
        let mut report = fixtures::report();
        report.scan.id = id.to_string();
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + Duration::days(day);
        report.scan.started_at = at;
        report.scan.finished_at = at;
        report.summary.score = Some(score);
        report
    }

    #[test]
    fn reports_of_several_accounts_are_not_compared() {
        let mut other = stored("b", 2, 50.0);
        other.scan.account_id = "210987654321".into();
        assert!(one_account(&[stored("a", 1, 40.0), stored("c", 3, 60.0)]).is_ok());
        let e = one_account(&[stored("a", 1, 40.0), other]).unwrap_err();
        assert_eq!(e, "the reports are of 2 accounts (123456789012, 210987654321): give the reports of one account at a time");
    }

    #[test]
    fn bad_files_are_named_with_what_is_wrong() {
        let dir = std::env::temp_dir().join(format!("compliance-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            (
                "cut.json",
                "{\"schema_version\": \"1.1\", \"scan\": {",
                "is not JSON",
            ),
            (
                "foreign.json",
                "{\"hello\": 1}",
                "is not a compliance report (no schema_version)",
            ),
            (
                "future.json",
                "{\"schema_version\": \"2.0\"}",
                "has report schema 2.0; this build reads 1.x",
            ),
            (
                "partial.json",
                "{\"schema_version\": \"1.1\"}",
                "is not a compliance report: missing field",
            ),
        ];
        for (name, text, needle) in cases {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            let e = load(&[path]).unwrap_err();
            assert!(e.contains(name) && e.contains(needle), "{name}: {e}");
        }
        assert!(load(&[dir.join("missing.json")])
            .unwrap_err()
            .starts_with("cannot read report"));
    }

    #[test]
    fn the_latest_or_a_named_scan_is_picked() {
        let scans = vec![stored("a", 1, 50.0), stored("b", 2, 60.0)];
        assert_eq!(pick(&scans, None).unwrap().scan.id, "b");
        assert_eq!(pick(&scans, Some("a")).unwrap().scan.id, "a");
        assert!(pick(&scans, Some("zz"))
            .unwrap_err()
            .contains("they hold: a, b"));
    }
}
