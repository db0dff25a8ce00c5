//! The HTML page's accepted-risk sections: the suppressed failures with their owner,
//! expiry and reason, the entries to act on, and what a baseline's scan failed that now
//! passes.

use std::io::{self, Write};

use super::markup::escape;
use crate::report::{EntryStatus, Finding, Report};

/// The accepted risks: each suppressed failure with its owner, expiry and reason, and
/// the entries that expired, expire soon or matched nothing.
pub fn accepted(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    let lapsing: Vec<_> = report
        .suppressions
        .iter()
        .filter(|e| !matches!(e.status, EntryStatus::Active | EntryStatus::OutOfScope))
        .collect();
    if suppressed.is_empty() && lapsing.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        r#"<section id="suppressed"><h2>Accepted risks ({})</h2><table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Region</th><th>Owner</th><th>Expires</th><th>Reason</th></tr></thead><tbody>"#,
        suppressed.len()
    )?;
    for f in &suppressed {
        let Some(s) = &f.suppressed else { continue };
        let ticket = s
            .ticket
            .as_deref()
            .map(|t| format!(" ({})", escape(t)))
            .unwrap_or_default();
        writeln!(
            out,
            r#"<tr><td><span class="sev {}">{}</span></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}{ticket}</td></tr>"#,
            f.severity,
            f.severity,
            escape(&f.rule_id),
            escape(&f.resource_id),
            escape(&f.region),
            escape(s.owner_text()),
            s.expires_text(),
            escape(&s.reason)
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if !lapsing.is_empty() {
        writeln!(out, "<h3>Entries to act on</h3><ul>")?;
        for e in lapsing {
            writeln!(
                out,
                r#"<li class="{}"><code>{}</code> {} ({} on {}, owner {}, expires {})</li>"#,
                e.status.as_str(),
                escape(&e.entry),
                e.status.as_str(),
                escape(&e.rules.join(", ")),
                escape(&e.resources.join(", ")),
                escape(&e.owner),
                e.expires
            )?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")
}

/// Failures of the baseline scan that this scan no longer has.
pub fn resolved(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(b) = report.baseline.as_ref().filter(|b| !b.resolved.is_empty()) else {
        return Ok(());
    };
    writeln!(
        out,
        r#"<section id="resolved"><h2>Resolved since scan <code>{}</code> ({})</h2><table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Region</th></tr></thead><tbody>"#,
        escape(&b.scan_id),
        b.resolved.len()
    )?;
    for r in &b.resolved {
        writeln!(
            out,
            r#"<tr><td><span class="sev {}">{}</span></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>"#,
            r.severity,
            r.severity,
            escape(&r.rule_id),
            escape(&r.resource_id),
            escape(&r.region)
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}
