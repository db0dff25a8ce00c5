//! `--format table`: a summary (score, counts by severity) and the failed and errored
//! findings, most severe first. Colour only when asked (a terminal, NO_COLOR unset).

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color};

use super::Reporter;
use crate::report::{BaselineState, EntryStatus, Finding, Report};
use crate::rules::{Severity, Status};

/// Table width when the output is not a terminal.
const FILE_WIDTH: u16 = 160;

pub struct TableReporter {
    /// Output goes to a terminal: wrap to its width.
    pub terminal: bool,
    /// Colour severities and statuses (a terminal, NO_COLOR unset).
    pub color: bool,
    /// List the suppressed failures too (they are counted either way).
    pub show_suppressed: bool,
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
        if summary.suppressed > 0 {
            let hint = if self.show_suppressed {
                ""
            } else {
                " (--show-suppressed lists them)"
            };
            writeln!(
                out,
                "Suppressed: {} accepted failure(s), out of the score and the exit code{hint}",
                summary.suppressed
            )?;
        }
        let lapsing: Vec<String> = [
            EntryStatus::Expired,
            EntryStatus::Expiring,
            EntryStatus::Stale,
        ]
        .iter()
        .filter_map(|status| {
            let n = report
                .suppressions
                .iter()
                .filter(|e| e.status == *status)
                .count();
            (n > 0).then(|| format!("{n} {}", status.as_str()))
        })
        .collect();
        if !lapsing.is_empty() {
            writeln!(out, "Suppression entries: {}", lapsing.join(", "))?;
        }
        if let Some(b) = &report.baseline {
            let new = report.new_failures();
            writeln!(
                out,
                "Since scan {} ({}): {new} new failure(s), {} resolved",
                b.scan_id,
                b.started_at.format("%Y-%m-%d %H:%M UTC"),
                b.resolved.len()
            )?;
        }

        let mut shown: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.fails() || f.status == Status::Error)
            .collect();
        // What is new since the baseline leads; then the most severe.
        shown.sort_by_key(|f| {
            (
                f.baseline != Some(BaselineState::New),
                f.severity,
                f.status,
                (&f.rule_id, &f.region, &f.resource_id),
            )
        });
        if shown.is_empty() {
            writeln!(out, "\nNo failed findings.")?;
        } else {
            let compared = report.baseline.is_some();
            let mut table = self.table();
            let mut header = vec![
                "Severity", "Status", "Rule", "Resource", "Region", "Finding",
            ];
            if compared {
                header.insert(0, "Since");
            }
            table.set_header(header);
            for f in shown {
                let mut row = vec![
                    self.severity_cell(f.severity),
                    self.status_cell(f.status),
                    Cell::new(&f.rule_id),
                    Cell::new(&f.resource_id),
                    Cell::new(&f.region),
                    Cell::new(&f.message),
                ];
                if compared {
                    let since = match f.baseline {
                        Some(BaselineState::New) => "new",
                        Some(BaselineState::Existing) => "existing",
                        None => "",
                    };
                    row.insert(0, Cell::new(since));
                }
                table.add_row(row);
            }
            writeln!(out)?;
            writeln!(out, "{table}")?;
        }
        let accepted: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .collect();
        if self.show_suppressed && !accepted.is_empty() {
            let mut table = self.table();
            table.set_header([
                "Severity", "Rule", "Resource", "Region", "Owner", "Expires", "Reason",
            ]);
            for f in accepted {
                let Some(s) = &f.suppressed else { continue };
                let reason = match &s.ticket {
                    Some(ticket) => format!("{} ({ticket})", s.reason),
                    None => s.reason.clone(),
                };
                table.add_row(vec![
                    self.severity_cell(f.severity),
                    Cell::new(&f.rule_id),
                    Cell::new(&f.resource_id),
                    Cell::new(&f.region),
                    Cell::new(&s.owner),
                    Cell::new(s.expires),
                    Cell::new(reason),
                ]);
            }
            writeln!(out, "\nAccepted risks (suppressed):")?;
            writeln!(out, "{table}")?;
        }
        if let Some(b) = report.baseline.as_ref().filter(|b| !b.resolved.is_empty()) {
            let mut table = self.table();
            table.set_header(["Severity", "Rule", "Resource", "Region"]);
            for r in &b.resolved {
                table.add_row(vec![
                    self.severity_cell(r.severity),
                    Cell::new(&r.rule_id),
                    Cell::new(&r.resource_id),
                    Cell::new(&r.region),
                ]);
            }
            writeln!(out, "\nResolved since scan {}:", b.scan_id)?;
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
    fn table(&self) -> comfy_table::Table {
        let mut table = super::new_table();
        if !self.terminal {
            // Wrap to a width that reads well in a file or a CI log.
            table.force_no_tty().set_width(FILE_WIDTH);
        }
        if self.color {
            table.enforce_styling();
        }
        table
    }

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
        shown(&fixtures::report(), color, false)
    }

    fn shown(report: &Report, color: bool, show_suppressed: bool) -> String {
        let mut buf = Vec::new();
        TableReporter {
            terminal: false,
            color,
            show_suppressed,
        }
        .write(report, &mut buf)
        .unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn suppressed_failures_are_counted_and_listed_only_when_asked() {
        let mut report = fixtures::report();
        report.findings[2].suppressed = Some(fixtures::suppression());
        report.summary = crate::engine::summarize(&report.findings, 4);
        let text = shown(&report, false, false);
        assert!(text.contains("Suppressed: 1 accepted failure(s)"), "{text}");
        assert!(text.contains("--show-suppressed lists them"), "{text}");
        assert!(
            !text.contains("leaky"),
            "not listed among the failures:\n{text}"
        );
        let text = shown(&report, false, true);
        assert!(text.contains("Accepted risks (suppressed):"), "{text}");
        assert!(
            text.contains("public website (WEB-12)") && text.contains("2027-03-31"),
            "{text}"
        );
    }

    #[test]
    fn with_a_baseline_new_failures_lead_and_resolved_ones_are_listed() {
        let mut earlier = fixtures::report();
        earlier.scan.id = "before".into();
        earlier
            .findings
            .retain(|f| f.resource_id != "open, \"quoted\"");
        let mut gone = earlier.findings[1].clone();
        gone.resource_id = "gone-bucket".into();
        earlier.findings.push(gone);
        let mut report = fixtures::report();
        let ids: Vec<String> = earlier.findings.iter().map(|f| f.rule_id.clone()).collect();
        let evaluated = ids.iter().map(String::as_str).collect();
        crate::history::baseline::mark(&mut report, &earlier, &evaluated).unwrap();
        let text = shown(&report, false, false);
        assert!(text.contains("Since scan before"), "{text}");
        assert!(text.contains("1 new failure(s), 1 resolved"), "{text}");
        let new = text.find("s3-bucket-public-access-block").unwrap();
        let existing = text.find("s3-bucket-no-public-read").unwrap();
        assert!(
            new < existing,
            "the new high failure leads the existing critical one:\n{text}"
        );
        assert!(
            text.contains("Resolved since scan before:") && text.contains("gone-bucket"),
            "{text}"
        );
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
