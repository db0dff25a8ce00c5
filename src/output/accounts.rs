//! A scan of several accounts, account by account: the lines the table adds under its
//! summary and the HTML page's score chart and section per account. Each account's
//! numbers are its own summary, as a scan of that account alone would give.

use std::io::{self, Write};

use super::fit::cut;
use super::markup::escape;
use crate::report::{AccountScan, Report};
use crate::rules::{Severity, Status};

fn score(a: &AccountScan) -> String {
    a.summary
        .score
        .map_or("n/a".to_string(), |s| format!("{s:.1}%"))
}

fn failed(a: &AccountScan) -> String {
    Severity::ALL
        .iter()
        .filter(|s| **s != Severity::Info)
        .map(|s| {
            let n = a.summary.failed_by_severity.get(s).copied().unwrap_or(0);
            format!("{s} {n}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The account's id with its name, when the organisation gave one.
fn label(a: &AccountScan) -> String {
    match &a.name {
        Some(name) => format!("{} ({name})", a.account_id),
        None => a.account_id.clone(),
    }
}

/// The table's lines: one per account, its score and failures, or why it was not
/// scanned.
pub fn table(report: &Report, width: usize, out: &mut dyn Write) -> io::Result<()> {
    if report.accounts.is_empty() {
        return Ok(());
    }
    let unscanned = report.accounts_unscanned();
    writeln!(
        out,
        "Accounts: {} scanned{}",
        report.accounts.len() - unscanned,
        if unscanned > 0 {
            format!(", {unscanned} NOT SCANNED")
        } else {
            String::new()
        }
    )?;
    let labels: Vec<String> = report.accounts.iter().map(label).collect();
    let w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (a, label) in report.accounts.iter().zip(&labels) {
        let line = match &a.error {
            Some(reason) => format!("  {label:<w$}  NOT SCANNED: {reason}"),
            None => format!(
                "  {label:<w$}  score {:>6}  {} resources  failed {}",
                score(a),
                a.summary.resources_scanned,
                failed(a)
            ),
        };
        writeln!(out, "{}", cut(&line, width))?;
    }
    Ok(())
}

/// The page's accounts: a chart of every account's score, then a section per account.
pub fn html(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.accounts.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        r#"<section id="accounts"><h2>Score by account</h2><table><thead><tr><th>Account</th><th>Score</th><th></th></tr></thead><tbody>"#
    )?;
    for a in &report.accounts {
        let id = escape(&a.account_id);
        let (value, bar) = match (&a.error, a.summary.score) {
            (Some(_), _) => ("not scanned".to_string(), 0.0),
            (None, s) => (score(a), s.unwrap_or(0.0)),
        };
        writeln!(
            out,
            r##"<tr><td><a href="#account-{id}">{}</a></td><td class="num" id="account-{id}-score">{value}</td><td class="bar"><span class="sev-bar score {}" style="width:{bar:.1}%"></span></td></tr>"##,
            escape(&label(a)),
            super::score_band(a.summary.score)
        )?;
    }
    writeln!(out, "</tbody></table></section>")?;
    for a in &report.accounts {
        let id = escape(&a.account_id);
        writeln!(
            out,
            r#"<section class="account" id="account-{id}"><h2>Account {}</h2>"#,
            escape(&label(a))
        )?;
        if let Some(reason) = &a.error {
            writeln!(
                out,
                r#"<p class="warning" id="account-{id}-error">Not scanned: {}</p></section>"#,
                escape(reason)
            )?;
            continue;
        }
        writeln!(
            out,
            "<p>Score <strong>{}</strong> · {} resources in {} · {} passed, {} failed, {} not evaluated · failed by severity: {}{}</p>",
            score(a),
            a.summary.resources_scanned,
            escape(&a.regions.join(", ")),
            a.summary.count(Status::Pass),
            a.summary.count(Status::Fail),
            a.summary.count(Status::Error),
            failed(a),
            a.role_arn
                .as_deref()
                .map_or(String::new(), |r| format!(" · scanned as <code>{}</code>", escape(r)))
        )?;
        let mine: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.fails() && f.account_id.as_deref() == Some(a.account_id.as_str()))
            .collect();
        if !mine.is_empty() {
            writeln!(out, "<ul>")?;
            for f in mine {
                writeln!(
                    out,
                    r#"<li><span class="sev {}">{}</span> <code>{}</code> on <code>{}</code> in {}</li>"#,
                    f.severity,
                    f.severity,
                    escape(&f.rule_id),
                    escape(&f.resource_id),
                    escape(&f.region)
                )?;
            }
            writeln!(out, "</ul>")?;
        }
        writeln!(out, "</section>")?;
    }
    Ok(())
}
