//! `--format table`: what a person reads at a glance. A summary first (score, failures by
//! severity and by service, accepted risks, what is new since a baseline), then the
//! failed and unreadable findings grouped by rule — severity, title, count — with each
//! resource on one line (id, region, the finding), cut to the width: ids in the middle,
//! the finding at its end, never wrapped. `--group-by resource` groups by resource
//! instead. Plain text, so a pipe or a file gets the same content; colour only when
//! asked (a terminal, NO_COLOR unset).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::fit::{cut, middle, visible};
use super::score_band;
use super::Reporter;
use crate::report::{BaselineState, EntryStatus, Finding, Report};
use crate::rules::{Severity, Status};

/// How `--format table` lays the findings out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// One group per rule, a line per resource.
    Rule,
    /// One group per resource, a line per rule it fails.
    Resource,
}

pub struct TableReporter {
    /// Columns to fit: the terminal's, else `COLUMNS`, else 120.
    pub width: usize,
    /// Colour severities, statuses and the score (a terminal, NO_COLOR unset).
    pub color: bool,
    /// List the suppressed failures too (they are counted either way).
    pub show_suppressed: bool,
    pub group_by: GroupBy,
    /// Under each finding, the evaluator's full explanation (`--verbose`).
    pub verbose: bool,
}

impl Reporter for TableReporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.summary(report, out)?;
        let shown: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.fails() || f.status == Status::Error)
            .collect();
        if shown.is_empty() {
            writeln!(out, "\nNo failed findings.")?;
        } else {
            match self.group_by {
                GroupBy::Rule => self.by_rule(&shown, out)?,
                GroupBy::Resource => self.by_resource(&shown, out)?,
            }
        }
        self.accepted(report, out)?;
        self.resolved(report, out)?;
        if let Some(stack) = &report.stack {
            super::drift::write(stack, self.width, out)?;
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
    fn summary(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let scan = &report.scan;
        let summary = &report.summary;
        let whose = if scan.source == "template" {
            "Templates".to_string()
        } else if let Some(stack) = &report.stack {
            format!("Stack {} · account {}", stack.name, scan.account_id)
        } else if !report.accounts.is_empty() {
            format!("{} accounts", report.accounts.len())
        } else {
            format!("Account {}", scan.account_id)
        };
        writeln!(
            out,
            "{whose} · regions {} · {} rules · {} resources · scan {}",
            scan.regions.join(", "),
            scan.rules_evaluated,
            summary.resources_scanned,
            scan.id
        )?;
        let band = score_band(summary.score);
        let score = summary
            .score
            .map_or("n/a".to_string(), |s| format!("{s:.1}% ({band})"));
        let score = match band {
            "good" => self.paint(&score, "32;1"),
            "fair" => self.paint(&score, "33;1"),
            "poor" => self.paint(&score, "31;1"),
            _ => score,
        };
        writeln!(
            out,
            "Score {score} · {} passed, {} failed, {} not judged (ERROR), {} not applicable",
            summary.count(Status::Pass),
            summary.count(Status::Fail),
            summary.count(Status::Error),
            summary.count(Status::NotApplicable)
        )?;
        let by_severity: Vec<String> = Severity::ALL
            .iter()
            .map(|s| {
                let n = summary.failed_by_severity.get(s).copied().unwrap_or(0);
                let text = format!("{s} {n}");
                if n > 0 {
                    self.severity_paint(*s, &text)
                } else {
                    text
                }
            })
            .collect();
        writeln!(out, "Failed by severity: {}", by_severity.join(", "))?;
        super::accounts::table(report, self.width, out)?;
        let mut by_service: BTreeMap<&str, usize> = BTreeMap::new();
        for f in report.findings.iter().filter(|f| f.fails()) {
            *by_service
                .entry(f.resource_type.service().as_str())
                .or_default() += 1;
        }
        if !by_service.is_empty() {
            let mut services: Vec<(&str, usize)> = by_service.into_iter().collect();
            services.sort_by_key(|(name, n)| (std::cmp::Reverse(*n), *name));
            let listed: Vec<String> = services
                .iter()
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            writeln!(
                out,
                "{}",
                cut(
                    &format!("Failed by service: {}", listed.join(", ")),
                    self.width
                )
            )?;
        }
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
            writeln!(
                out,
                "Since scan {} ({}): {} new failure(s), {} resolved",
                b.scan_id,
                b.started_at.format("%Y-%m-%d %H:%M UTC"),
                report.new_failures(),
                b.resolved.len()
            )?;
        }
        Ok(())
    }

    /// One group per rule (what is new first, then the most severe), a line per resource.
    fn by_rule(&self, shown: &[&Finding], out: &mut dyn Write) -> io::Result<()> {
        let mut by_rule: BTreeMap<(Severity, Status, &str), Vec<&Finding>> = BTreeMap::new();
        for f in shown {
            by_rule
                .entry((f.severity, f.status, f.rule_id.as_str()))
                .or_default()
                .push(f);
        }
        // A group with a new failure leads (`false` sorts first).
        let mut groups: Vec<_> = by_rule
            .into_iter()
            .map(|((severity, status, rule), items)| {
                let old = !items.iter().any(|f| is_new(f));
                ((old, severity, status, rule), items)
            })
            .collect();
        groups.sort_by_key(|(key, _)| *key);
        for ((_, severity, status, rule), mut items) in groups {
            items.sort_by_key(|f| (!is_new(f), f.region.as_str(), f.resource_id.as_str()));
            let label = if status == Status::Error {
                self.paint("ERROR", "35")
            } else {
                self.severity_paint(severity, &severity.as_str().to_uppercase())
            };
            let count = match items.len() {
                1 => "1 resource".to_string(),
                n => format!("{n} resources"),
            };
            let head = format!("{rule} · {} · {count}", items[0].title);
            writeln!(
                out,
                "\n{label:<w$} {}",
                cut(&head, self.width.saturating_sub(10)),
                w = self.pad(&label, 9)
            )?;
            let ids: Vec<&str> = items.iter().map(|f| f.resource_id.as_str()).collect();
            let places: Vec<String> = items.iter().map(|f| f.place()).collect();
            let regions: Vec<&str> = places.iter().map(String::as_str).collect();
            let (id_w, region_w) = self.columns(&ids, &regions);
            for (f, place) in items.into_iter().zip(&places) {
                let mark = if is_new(f) { "new " } else { "" };
                let line = format!(
                    "  {mark}{:<id_w$}  {:<region_w$}  ",
                    middle(&f.resource_id, id_w),
                    place
                );
                let rest = self.width.saturating_sub(line.chars().count());
                writeln!(out, "{line}{}", cut(&f.message, rest))?;
                self.evidence(f, out)?;
            }
        }
        Ok(())
    }

    /// With `--verbose`, the evaluator's explanation under the finding, wrapped.
    fn evidence(&self, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
        if !self.verbose || f.evidence.is_empty() || f.evidence == f.message {
            return Ok(());
        }
        let width = self.width.saturating_sub(8).max(20);
        let text = f.evidence.replace(['\n', '\r', '\t'], " ");
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(width) {
            writeln!(out, "      {}", chunk.iter().collect::<String>())?;
        }
        Ok(())
    }

    /// One group per resource, a line per rule it fails or could not be judged on.
    fn by_resource(&self, shown: &[&Finding], out: &mut dyn Write) -> io::Result<()> {
        let mut groups: BTreeMap<(&str, &str, &str), Vec<&Finding>> = BTreeMap::new();
        for f in shown {
            groups
                .entry((
                    f.resource_type.as_str(),
                    f.region.as_str(),
                    f.resource_id.as_str(),
                ))
                .or_default()
                .push(f);
        }
        let mut groups: Vec<_> = groups.into_iter().collect();
        // The resource with the worst failure first.
        groups.sort_by_key(|(key, items)| {
            let worst = items.iter().map(|f| f.severity).min();
            (worst, *key)
        });
        for ((kind, region, id), mut items) in groups {
            items.sort_by_key(|f| (!is_new(f), f.severity, f.status, f.rule_id.as_str()));
            let head = format!(
                "{kind} {} in {region} · {} finding(s)",
                middle(id, self.width / 2),
                items.len()
            );
            writeln!(out, "\n{}", cut(&head, self.width))?;
            let rule_w = items
                .iter()
                .map(|f| f.rule_id.chars().count())
                .max()
                .unwrap_or(0)
                .min(self.width / 3);
            for f in items {
                let label = if f.status == Status::Error {
                    "ERROR".to_string()
                } else {
                    f.severity.as_str().to_uppercase()
                };
                let mark = if is_new(f) { "new " } else { "" };
                let line = format!(
                    "  {label:<8} {mark}{:<rule_w$}  ",
                    middle(&f.rule_id, rule_w)
                );
                let rest = self.width.saturating_sub(line.chars().count());
                let painted = if f.status == Status::Error {
                    self.paint(&line, "35")
                } else {
                    self.severity_paint(f.severity, &line)
                };
                writeln!(out, "{painted}{}", cut(&f.message, rest))?;
                self.evidence(f, out)?;
            }
        }
        Ok(())
    }

    fn accepted(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let accepted: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .collect();
        if !self.show_suppressed || accepted.is_empty() {
            return Ok(());
        }
        writeln!(out, "\nAccepted risks (suppressed):")?;
        let ids: Vec<&str> = accepted.iter().map(|f| f.resource_id.as_str()).collect();
        let places: Vec<String> = accepted.iter().map(|f| f.place()).collect();
        let regions: Vec<&str> = places.iter().map(String::as_str).collect();
        let (id_w, region_w) = self.columns(&ids, &regions);
        for f in accepted {
            let Some(s) = &f.suppressed else { continue };
            let ticket = s
                .ticket
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            let line = format!(
                "  {:<8} {:<id_w$}  {:<region_w$}  {} · {} until {}: {}{ticket}",
                f.severity.as_str().to_uppercase(),
                middle(&f.resource_id, id_w),
                f.place(),
                f.rule_id,
                s.owner_text(),
                s.expires_text(),
                s.reason
            );
            writeln!(out, "{}", cut(&line, self.width))?;
        }
        Ok(())
    }

    fn resolved(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let Some(b) = report.baseline.as_ref().filter(|b| !b.resolved.is_empty()) else {
            return Ok(());
        };
        writeln!(out, "\nResolved since scan {}:", b.scan_id)?;
        for r in &b.resolved {
            let line = format!(
                "  {:<8} {}  {}  {}",
                r.severity.as_str().to_uppercase(),
                r.rule_id,
                r.resource_id,
                r.region
            );
            writeln!(out, "{}", cut(&line, self.width))?;
        }
        Ok(())
    }

    /// Widths of the id and region columns: as wide as the longest, the id at most a
    /// third of the line.
    fn columns(&self, ids: &[&str], regions: &[&str]) -> (usize, usize) {
        let widest = |v: &[&str]| v.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        (widest(ids).min((self.width / 3).max(12)), widest(regions))
    }

    /// The padding a painted label needs to line up with `width` visible characters.
    fn pad(&self, painted: &str, width: usize) -> usize {
        width + painted.len() - visible(painted).chars().count()
    }

    fn severity_paint(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Critical => self.paint(text, "31;1"),
            Severity::High => self.paint(text, "31"),
            Severity::Medium => self.paint(text, "33"),
            Severity::Low => self.paint(text, "36"),
            Severity::Info => text.to_string(),
        }
    }

    fn paint(&self, text: &str, sgr: &str) -> String {
        if self.color {
            format!("\u{1b}[{sgr}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
}

fn is_new(f: &Finding) -> bool {
    f.baseline == Some(BaselineState::New)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fit::{cut, middle};
    use crate::output::fixtures;

    fn shown(report: &Report, color: bool, show_suppressed: bool, group_by: GroupBy) -> String {
        let mut buf = Vec::new();
        TableReporter {
            width: 100,
            color,
            show_suppressed,
            group_by,
            verbose: false,
        }
        .write(report, &mut buf)
        .unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn render(color: bool) -> String {
        shown(&fixtures::report(), color, false, GroupBy::Rule)
    }

    #[test]
    fn table_shows_the_summary_then_failures_grouped_by_rule_most_severe_first() {
        let text = render(false);
        assert!(text.contains("Score 33.3% (poor)"), "{text}");
        assert!(
            text.contains("Failed by severity: critical 1, high 1, medium 0, low 0, info 0"),
            "{text}"
        );
        assert!(text.contains("Failed by service: s3 2"), "{text}");
        let critical = text.find("CRITICAL  s3-bucket-no-public-read · title of s3-bucket-no-public-read · 1 resource").unwrap();
        let high = text
            .find("HIGH      s3-bucket-public-access-block")
            .unwrap();
        assert!(critical < high, "critical findings come first:\n{text}");
        assert!(
            text.contains("\n  leaky  us-east-1  policy.public_read is true; expected false\n"),
            "one line per resource:\n{text}"
        );
        assert!(
            text.contains("ERROR     s3-bucket-ssl-requests-only"),
            "errors are listed:\n{text}"
        );
        assert!(
            !text.contains("s3-bucket-versioning-enabled"),
            "passes are not listed:\n{text}"
        );
        assert!(!text.contains('\u{1b}'), "no escape codes without colour");
        assert!(
            !text.contains('│') && !text.contains('─'),
            "no box drawing:\n{text}"
        );
        assert!(
            text.lines().all(|l| l.chars().count() <= 100),
            "fits the width:\n{text}"
        );
    }

    #[test]
    fn long_ids_are_cut_in_the_middle_and_long_findings_at_the_end() {
        let mut report = fixtures::report();
        report.findings[2].resource_id = format!(
            "arn:aws:lambda:us-east-1:123456789012:function:{}-end",
            "x".repeat(80)
        );
        report.findings[2].message = format!("a very long explanation {}", "y".repeat(200));
        let text = render_report(&report);
        let line = text.lines().find(|l| l.contains("-end")).unwrap();
        assert!(
            line.starts_with("  arn:aws:lambda:"),
            "the start kept: {line}"
        );
        assert!(
            line.contains('…') && line.contains("xxxx-end  us-east-1"),
            "the end kept: {line}"
        );
        assert!(line.ends_with('…'), "{line}");
        assert!(line.chars().count() <= 100, "{line}");
        assert_eq!(middle("abcdefghij", 5), "ab…ij");
        assert_eq!(middle("short", 10), "short");
        assert_eq!(cut("a\nb", 10), "a b", "one line");
    }

    fn render_report(report: &Report) -> String {
        shown(report, false, false, GroupBy::Rule)
    }

    #[test]
    fn verbose_adds_the_evidence_under_each_finding() {
        let mut buf = Vec::new();
        TableReporter {
            width: 100,
            color: false,
            show_suppressed: false,
            group_by: GroupBy::Rule,
            verbose: true,
        }
        .write(&fixtures::report(), &mut buf)
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.contains("\n  leaky  us-east-1  policy.public_read is true; expected false\n      evidence: policy.public_read"),
            "{text}"
        );
        assert!(!render(false).contains("evidence:"), "only when asked");
    }

    #[test]
    fn grouped_by_resource_each_resource_lists_its_failures() {
        let text = shown(&fixtures::report(), false, false, GroupBy::Resource);
        let leaky = text
            .find("aws.s3.bucket leaky in us-east-1 · 1 finding(s)")
            .unwrap();
        let open = text
            .find("aws.s3.bucket open, \"quoted\" in us-east-1")
            .unwrap();
        assert!(leaky < open, "the worst first:\n{text}");
        assert!(
            text.contains("  CRITICAL s3-bucket-no-public-read  policy.public_read is true"),
            "{text}"
        );
    }

    #[test]
    fn colour_adds_escape_codes_only_when_asked_and_the_score_is_coloured_by_band() {
        let text = render(true);
        assert!(text.contains("\u{1b}[31;1m33.3% (poor)\u{1b}[0m"), "{text}");
        let mut good = fixtures::report();
        good.summary.score = Some(95.0);
        assert!(shown(&good, true, false, GroupBy::Rule).contains("\u{1b}[32;1m95.0% (good)"));
    }

    #[test]
    fn suppressed_failures_are_counted_and_listed_only_when_asked() {
        let mut report = fixtures::report();
        report.findings[2].suppressed = Some(fixtures::suppression());
        report.summary = crate::engine::summarize(&report.findings, 4);
        let text = shown(&report, false, false, GroupBy::Rule);
        assert!(text.contains("Suppressed: 1 accepted failure(s)"), "{text}");
        assert!(text.contains("--show-suppressed lists them"), "{text}");
        assert!(
            !text.contains("leaky"),
            "not listed among the failures:\n{text}"
        );
        let text = shown(&report, false, true, GroupBy::Rule);
        assert!(text.contains("Accepted risks (suppressed):"), "{text}");
        assert!(
            text.contains("s3-bucket-no-public-read · web-team until 2027-03-31: public website"),
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
        let text = render_report(&report);
        assert!(text.contains("Since scan before"), "{text}");
        assert!(text.contains("1 new failure(s), 1 resolved"), "{text}");
        let new = text.find("s3-bucket-public-access-block").unwrap();
        let existing = text.find("s3-bucket-no-public-read").unwrap();
        assert!(
            new < existing,
            "the new high failure leads the existing critical one:\n{text}"
        );
        assert!(
            text.contains("  new open, \"quoted\""),
            "marked new:\n{text}"
        );
        assert!(
            text.contains("Resolved since scan before:") && text.contains("gone-bucket"),
            "{text}"
        );
    }
}
