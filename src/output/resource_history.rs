//! `report --suffix S --resource ARN`: one resource's findings history, as episodes —
//! when each rule started and stopped failing on it — in each list format (JSON adds the
//! items themselves; the table leaves the region to JSON and CSV, to stay on one line).

use std::io::{self, Write};

use serde_json::json;

use super::ListFormat;
use crate::history::table::{Episode, Item};

pub fn write_resource_history(
    format: ListFormat,
    resource: &str,
    items: &[Item],
    episodes: &[Episode],
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let resolved = |e: &Episode| e.resolved.clone().unwrap_or_default();
    let resolution = |e: &Episode| e.resolution.clone().unwrap_or_default();
    match format {
        ListFormat::Json => {
            let doc = json!({"resource": resource, "episodes": episodes, "items": items});
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "resource",
                "rule_id",
                "severity",
                "region",
                "first_failed",
                "last_failed",
                "resolved",
                "resolution",
                "detail",
            ])?;
            for e in episodes {
                w.write_record([
                    resource,
                    &e.rule_id,
                    &e.severity,
                    &e.region,
                    &e.first_failed,
                    &e.last_failed,
                    &resolved(e),
                    &resolution(e),
                    &e.detail,
                ])?;
            }
            w.flush()
        }
        ListFormat::Table => {
            let open = episodes.iter().filter(|e| e.resolved.is_none()).count();
            writeln!(
                out,
                "{resource}: {} episode(s) of failing, {open} still failing ({} item(s))",
                episodes.len(),
                items.len()
            )?;
            let mut table = super::new_table(terminal);
            table.set_header([
                "Rule",
                "Severity",
                "First failed (UTC)",
                "Last failed",
                "Resolved",
                "Detail",
            ]);
            // `2026-12-01T06:00:00Z` as `2026-12-01 06:00` (UTC), to keep rows on one line.
            let short = |t: &str| t.replacen('T', " ", 1).chars().take(16).collect::<String>();
            for e in episodes {
                // How it ended, else the last failure's message.
                let (ended, detail) = match &e.resolved {
                    Some(at) => (short(at), resolution(e)),
                    None => ("still failing".to_string(), e.detail.clone()),
                };
                table.add_row([
                    e.rule_id.clone(),
                    e.severity.clone(),
                    short(&e.first_failed),
                    short(&e.last_failed),
                    ended,
                    detail,
                ]);
            }
            writeln!(out, "{table}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(resolved: Option<&str>) -> Episode {
        Episode {
            rule_id: "s3-bucket-versioning-enabled".into(),
            severity: "medium".into(),
            region: "us-east-1".into(),
            first_failed: "2026-12-01T00:00:00Z".into(),
            last_failed: "2026-12-01T06:00:00Z".into(),
            resolved: resolved.map(str::to_string),
            resolution: resolved.map(|_| "now PASS".to_string()),
            detail: "versioning is Disabled".into(),
        }
    }

    fn text(format: ListFormat, episodes: &[Episode]) -> String {
        let mut out = Vec::new();
        write_resource_history(format, "arn:aws:s3:::b", &[], episodes, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_format_says_when_a_rule_started_and_stopped_failing() {
        let episodes = [episode(Some("2026-12-01T12:00:00Z")), episode(None)];
        let table = text(ListFormat::Table, &episodes);
        assert!(
            table.starts_with("arn:aws:s3:::b: 2 episode(s) of failing, 1 still failing"),
            "{table}"
        );
        let resolved_row = table.lines().find(|l| l.contains("now PASS")).unwrap();
        assert!(resolved_row.contains("2026-12-01 12:00"), "{table}");
        assert_eq!(table.lines().count(), 4, "one line a row: {table}");
        assert!(table.contains("still failing"), "{table}");
        let csv = text(ListFormat::Csv, &episodes);
        assert!(csv.starts_with("resource,rule_id,severity,region,first_failed,last_failed,resolved,resolution,detail\n"));
        assert!(csv.contains(",2026-12-01T12:00:00Z,now PASS,"), "{csv}");
        let json: serde_json::Value =
            serde_json::from_str(&text(ListFormat::Json, &episodes)).unwrap();
        assert_eq!(json["episodes"][0]["resolved"], "2026-12-01T12:00:00Z");
        assert!(json["episodes"][1].get("resolved").is_none());
    }
}
