//! `scan --list-rules`: the selected rules in the chosen format.

use std::io::{self, Write};

use serde_json::json;

use super::ListFormat;
use crate::rules::Rule;

pub fn write_rules(
    format: ListFormat,
    rules: &[Rule],
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let frameworks = |r: &Rule| {
        r.frameworks
            .iter()
            .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw}:{id}")))
            .collect::<Vec<_>>()
            .join(";")
    };
    match format {
        ListFormat::Table => {
            let mut table = super::new_table(terminal);
            table.set_header(["Rule", "Severity", "Resource", "Frameworks", "Title"]);
            for r in rules {
                table.add_row([
                    r.id.as_str(),
                    r.severity.as_str(),
                    r.resource.as_str(),
                    &frameworks(r),
                    &r.title,
                ]);
            }
            writeln!(out, "{table}")?;
            writeln!(out, "{} rules", rules.len())
        }
        ListFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id, "title": r.title, "description": r.description,
                        "severity": r.severity, "resource": r.resource, "frameworks": r.frameworks,
                        "remediation": r.remediation, "parameters": r.parameters, "source": r.source,
                        "message": r.message.as_ref().map(|m| json!({
                            "fail": m.fail.as_str(), "pass": m.pass.as_ref().map(|p| p.as_str()),
                        })),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id",
                "severity",
                "resource",
                "frameworks",
                "title",
                "source",
            ])?;
            for r in rules {
                w.write_record([
                    r.id.as_str(),
                    r.severity.as_str(),
                    r.resource.as_str(),
                    &frameworks(r),
                    &r.title,
                    &r.source,
                ])?;
            }
            w.flush()
        }
    }
}
