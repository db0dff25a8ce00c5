//! `report --suppressions`: every entry of a suppression file with its status against a
//! scan and the failures it covers, in each list format.

use std::io::{self, Write};

use super::ListFormat;
use crate::report::SuppressionEntry;

pub fn write_suppressions(
    format: ListFormat,
    scan_id: &str,
    entries: &[SuppressionEntry],
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, entries)?;
            writeln!(out)
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "entry",
                "status",
                "findings",
                "rules",
                "resources",
                "owner",
                "expires",
                "ticket",
                "reason",
            ])?;
            for e in entries {
                w.write_record([
                    e.entry.as_str(),
                    e.status.as_str(),
                    &e.findings.to_string(),
                    &e.rules.join(";"),
                    &e.resources.join(";"),
                    &e.owner,
                    &e.expires.to_string(),
                    e.ticket.as_deref().unwrap_or(""),
                    &e.reason,
                ])?;
            }
            w.flush()
        }
        ListFormat::Table => {
            if entries.is_empty() {
                return writeln!(out, "Scan {scan_id} applied no suppression entry.");
            }
            let mut table = super::new_table(terminal);
            table.set_header([
                "Status",
                "Failures",
                "Entry",
                "Rules",
                "Resources",
                "Owner",
                "Expires",
                "Reason",
            ]);
            for e in entries {
                let reason = match &e.ticket {
                    Some(ticket) => format!("{} ({ticket})", e.reason),
                    None => e.reason.clone(),
                };
                table.add_row(vec![
                    e.status.as_str().to_string(),
                    e.findings.to_string(),
                    e.entry.clone(),
                    e.rules.join(", "),
                    e.resources.join(", "),
                    e.owner.clone(),
                    e.expires.to_string(),
                    reason,
                ]);
            }
            writeln!(out, "Suppression entries against scan {scan_id}:")?;
            writeln!(out, "{table}")
        }
    }
}
