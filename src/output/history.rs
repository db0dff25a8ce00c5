//! `report --trend`, `--diff` and `--framework` in each format.

use std::io::{self, Write};

use super::ListFormat;
use crate::history::diff::{Change, Difference};
use crate::history::framework::{Control, ControlStatus};
use crate::history::trend::{sparkline, Point};
use crate::rules::Severity;

/// The trend; on a terminal the table ends with a sparkline of the score.
pub fn write_trend(
    format: ListFormat,
    points: &[Point],
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let score = |p: &Point| p.score.map_or(String::new(), |s| format!("{s:.1}"));
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, points)?;
            writeln!(out)
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut header = vec![
                "finished_at".to_string(),
                "scan_id".to_string(),
                "score".to_string(),
                "failed".to_string(),
            ];
            header.extend(Severity::ALL.iter().map(|s| format!("failed_{s}")));
            w.write_record(&header)?;
            for p in points {
                let mut row = vec![
                    p.finished_at.to_rfc3339(),
                    p.scan_id.clone(),
                    score(p),
                    p.failed.to_string(),
                ];
                row.extend(failed_per_severity(p));
                w.write_record(&row)?;
            }
            w.flush()
        }
        ListFormat::Table => {
            let mut table = super::new_table(terminal);
            let mut header = vec![
                "Finished (UTC)".to_string(),
                "Scan".to_string(),
                "Score %".to_string(),
                "Failed".to_string(),
            ];
            header.extend(Severity::ALL.iter().map(|s| s.to_string()));
            table.set_header(header);
            for p in points {
                let mut row = vec![
                    p.finished_at.format("%Y-%m-%d %H:%M").to_string(),
                    p.scan_id.clone(),
                    score(p),
                    p.failed.to_string(),
                ];
                row.extend(failed_per_severity(p));
                table.add_row(row);
            }
            writeln!(out, "{table}")?;
            if terminal {
                writeln!(out, "Score: {}", sparkline(points))?;
            }
            Ok(())
        }
    }
}

/// A point's failed findings per severity, most severe first.
fn failed_per_severity(p: &Point) -> impl Iterator<Item = String> + '_ {
    Severity::ALL.iter().map(|s| {
        p.failed_by_severity
            .get(s)
            .copied()
            .unwrap_or(0)
            .to_string()
    })
}

/// The differences between two scans, with a count per kind of change.
pub fn write_diff(
    format: ListFormat,
    before: &str,
    after: &str,
    diffs: &[Difference],
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ListFormat::Json => {
            let body = serde_json::json!({"before": before, "after": after, "changes": diffs});
            serde_json::to_writer_pretty(&mut *out, &body)?;
            writeln!(out)
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "change",
                "severity",
                "rule_id",
                "resource_type",
                "resource_id",
                "region",
                "message",
            ])?;
            for d in diffs {
                let change = serde_json::to_value(d.change)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                w.write_record([
                    &change,
                    d.severity.as_str(),
                    &d.rule_id,
                    d.resource_type.as_str(),
                    &d.resource_id,
                    &d.region,
                    &d.message,
                ])?;
            }
            w.flush()
        }
        ListFormat::Table => {
            let count = |c: Change| diffs.iter().filter(|d| d.change == c).count();
            writeln!(
                out,
                "From scan {before} to {after}: {} new, {} resolved, {} still failing",
                count(Change::New),
                count(Change::Resolved),
                count(Change::StillFailing)
            )?;
            if diffs.is_empty() {
                return Ok(());
            }
            let mut table = super::new_table(terminal);
            table.set_header(["Change", "Severity", "Rule", "Resource", "Region"]);
            for d in diffs {
                let change = match d.change {
                    Change::New => "new",
                    Change::Resolved => "resolved",
                    Change::StillFailing => "still failing",
                };
                table.add_row([
                    change,
                    d.severity.as_str(),
                    &d.rule_id,
                    &d.resource_id,
                    &d.region,
                ]);
            }
            writeln!(out, "{table}")
        }
    }
}

/// A scan's controls in one framework, worst first in the table.
pub fn write_controls(
    format: ListFormat,
    framework: &str,
    controls: &[Control],
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({
                    "framework": framework,
                    "title": crate::catalogue::of(framework).map(|c| c.title.as_str()),
                    "controls": controls
                }),
            )?;
            writeln!(out)
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "framework",
                "control",
                "title",
                "severity",
                "status",
                "check",
                "rules",
                "passed",
                "failed",
                "errors",
                "not_applicable",
                "failing_resources",
            ])?;
            for c in controls {
                w.write_record([
                    framework,
                    &c.control,
                    c.title.as_deref().unwrap_or_default(),
                    c.severity.map(|s| s.as_str()).unwrap_or_default(),
                    c.status.as_str(),
                    c.check.as_deref().unwrap_or_default(),
                    &c.rules.join(";"),
                    &c.passed.to_string(),
                    &c.failed.to_string(),
                    &c.errors.to_string(),
                    &c.not_applicable.to_string(),
                    &c.failing.join(";"),
                ])?;
            }
            w.flush()
        }
        ListFormat::Table => {
            let count = |s: ControlStatus| controls.iter().filter(|c| c.status == s).count();
            let counts: Vec<String> = [
                ControlStatus::Pass,
                ControlStatus::Fail,
                ControlStatus::Error,
                ControlStatus::NotApplicable,
                ControlStatus::Manual,
                ControlStatus::NotCovered,
            ]
            .into_iter()
            .filter(|s| count(*s) > 0)
            .map(|s| format!("{} {s}", count(s)))
            .collect();
            let title = crate::catalogue::of(framework)
                .map(|c| format!(" ({})", c.title))
                .unwrap_or_default();
            writeln!(
                out,
                "{framework}{title}: {} control(s): {}",
                controls.len(),
                counts.join(", ")
            )?;
            // A Severity column only for a framework that grades its controls (FSBP).
            let graded = controls.iter().any(|c| c.severity.is_some());
            let mut table = super::new_table(terminal);
            let mut header = vec!["Control", "Status", "Title"];
            if graded {
                header.push("Severity");
            }
            header.extend(["Passed", "Failed", "Errors", "Rules"]);
            table.set_header(header);
            for c in controls {
                let mut row = vec![
                    c.control.clone(),
                    c.status.to_string(),
                    c.title.clone().unwrap_or_default(),
                ];
                if graded {
                    row.push(c.severity.map(|s| s.as_str()).unwrap_or_default().into());
                }
                row.extend([
                    c.passed.to_string(),
                    c.failed.to_string(),
                    c.errors.to_string(),
                    c.rules.join(", "),
                ]);
                table.add_row(row);
            }
            writeln!(out, "{table}")
        }
    }
}
