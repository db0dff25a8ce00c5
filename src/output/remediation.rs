//! `remediate`'s output: the plan or the results, one row per audit record.

use std::io::{self, Write};

use crate::cli::RemediateFormat;
use crate::remediate::AuditRecord;

pub fn write_remediation(
    format: RemediateFormat,
    records: &[AuditRecord],
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        RemediateFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, records)?;
            writeln!(out)
        }
        RemediateFormat::Table => {
            if records.is_empty() {
                return Ok(());
            }
            let mut table = super::new_table(terminal);
            table.set_header(["Result", "Resource", "Region", "Rule", "Change", "Note"]);
            for r in records {
                table.add_row([
                    r.result.as_str().to_uppercase(),
                    format!("{} {}", r.resource_type.as_str(), r.resource_id),
                    r.region.clone(),
                    r.rule_id.clone(),
                    r.change.clone(),
                    r.reason.clone(),
                ]);
            }
            writeln!(out, "{table}")
        }
    }
}
