//! `--format table`: a summary (score, counts by severity) and the failed and errored
//! findings, most severe first. Colour only when asked (a terminal, NO_COLOR unset).

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color};

use super::Reporter;
use crate::report::{Finding, Report};
use crate::rules::{Severity, Status};

/// Table width when the output is not a terminal.
const FILE_WIDTH: u16 = 160;

pub struct TableReporter {
    /// Output goes to a terminal: wrap to its width.
    pub terminal: bool,
    /// Colour severities and statuses (a terminal, NO_COLOR unset).
    pub color: bool,
}

impl Reporter for TableReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let scan = &report.scan;
        let summary = &report.summary;
        writeln!(
            out,
            "Account {} · regions {} · {} rules · {} resources · scan {}",
            scan.account_id,
            scan.regions.join(", "),
            scan.rules_evaluated,
            summary.resources_scanned,
            scan.id
        )?;
        let score = summary
            .score
            .map_or("n/a".to_string(), |s| format!("{s:.1}%"));
        writeln!(
            out,
            "Score {score}   PASS {}  FAIL {}  ERROR {}  NOT_APPLICABLE {}",
            summary.count(Status::Pass),
            summary.count(Status::Fail),
            summary.count(Status::Error),
            summary.count(Status::NotApplicable)
        )?;
        let by_severity: Vec<String> = Severity::ALL
            .iter()
            .map(|s| {
                format!(
                    "{s} {}",
                    summary.failed_by_severity.get(s).copied().unwrap_or(0)
                )
            })
            .collect();
        writeln!(out, "Failed by severity: {}", by_severity.join(", "))?;

        let mut shown: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
            .collect();
        shown.sort_by(|a, b| {
            (a.severity, a.status, &a.rule_id, &a.region, &a.resource_id).cmp(&(
                b.severity,
                b.status,
                &b.rule_id,
                &b.region,
                &b.resource_id,
            ))
        });
        if shown.is_empty() {
            writeln!(out, "\nNo failed findings.")?;
        } else {
            let mut table = super::new_table();
            if !self.terminal {
                // Wrap to a width that reads well in a file or a CI log.
                table.force_no_tty().set_width(FILE_WIDTH);
            }
            if self.color {
                table.enforce_styling();
            }
            table.set_header([
                "Severity", "Status", "Rule", "Resource", "Region", "Finding",
            ]);
            for f in shown {
                table.add_row(vec![
                    self.severity_cell(f.severity),
                    self.status_cell(f.status),
                    Cell::new(&f.rule_id),
                    Cell::new(&f.resource_id),
                    Cell::new(&f.region),
                    Cell::new(&f.message),
                ]);
            }
            writeln!(out)?;
            writeln!(out, "{table}")?;
        }
        if !report.errors.is_empty() {
            writeln!(
                out,
                "\n{} collection error(s): some attributes could not be read; their rules report ERROR.",
                report.errors.len()
            )?;
        }
        Ok(())
    }
}

impl TableReporter {
    fn severity_cell(&self, severity: Severity) -> Cell {
        let cell = Cell::new(severity.as_str());
        if !self.color {
            return cell;
        }
        match severity {
            Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
            Severity::High => cell.fg(Color::Red),
            Severity::Medium => cell.fg(Color::Yellow),
            Severity::Low => cell.fg(Color::Cyan),
            Severity::Info => cell,
        }
    }

    fn status_cell(&self, status: Status) -> Cell {
        let cell = Cell::new(status.as_str());
        match (self.color, status) {
            (true, Status::Fail) => cell.fg(Color::Red),
            (true, Status::Error) => cell.fg(Color::Magenta),
            _ => cell,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    fn render(color: bool) -> String {
        let mut buf = Vec::new();
        TableReporter {
            terminal: false,
            color,
        }
        .write(&fixtures::report(), &mut buf)
        .unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn table_shows_score_and_failures_most_severe_first() {
        let text = render(false);
        assert!(text.contains("Score 33.3%"), "{text}");
        assert!(
            text.contains("Failed by severity: critical 1, high 1, medium 0, low 0, info 0"),
            "{text}"
        );
        let critical = text.find("s3-bucket-no-public-read").unwrap();
        let high = text.find("s3-bucket-public-access-block").unwrap();
        assert!(critical < high, "critical findings come first:\n{text}");
        assert!(text.contains("ERROR"), "errors are listed:\n{text}");
        assert!(
            !text.contains("s3-bucket-versioning-enabled"),
            "passes are not listed:\n{text}"
        );
        assert!(!text.contains('\u{1b}'), "no escape codes without colour");
    }

    #[test]
    fn colour_adds_escape_codes_only_when_asked() {
        assert!(render(true).contains('\u{1b}'));
    }
}
