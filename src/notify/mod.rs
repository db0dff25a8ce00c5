//! Chat and ticket webhooks: the messages a run's new failures make, in each format the
//! product posts — one summary per run for Slack, Teams and a generic receiver (what,
//! where, how to fix, the report's location), one issue (Jira's create-issue body) or
//! incident (ServiceNow's Table API body) per new critical or high failure. Pure: the
//! posting, with its retries, is `send.rs`.

pub mod send;

use serde_json::{json, Value};

use crate::report::{Finding, Report};
use crate::rules::Severity;

/// How many failures a summary lists before "and N more".
const LISTED: usize = 10;

/// The receivers `--format`/`WebhookFormat` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WebhookFormat {
    /// A Slack incoming webhook (Block Kit message).
    Slack,
    /// A Microsoft Teams workflow webhook (an Adaptive Card message).
    Teams,
    /// Jira Cloud's REST create-issue endpoint: one issue per new critical/high failure.
    Jira,
    /// ServiceNow's Table API (incident table): one incident per new critical/high failure.
    Servicenow,
    /// A JSON summary for any other receiver.
    Generic,
}

impl std::str::FromStr for WebhookFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        <Self as clap::ValueEnum>::from_str(s, true).map_err(|_| {
            format!("{s} is not a webhook format: slack, teams, jira, servicenow or generic")
        })
    }
}

/// Where and how: the format, and for Jira the project the issues go to.
#[derive(Debug, Clone)]
pub struct Target {
    pub format: WebhookFormat,
    pub min_severity: Severity,
    pub jira_project: Option<String>,
}

/// The bodies to post for `new` (the run's new failures) of `report`, stored at
/// `location`; none when no new failure is at or above the threshold.
pub fn messages(report: &Report, new: &[&Finding], target: &Target, location: &str) -> Vec<Value> {
    let mut shown: Vec<&Finding> = new
        .iter()
        .copied()
        .filter(|f| f.severity <= target.min_severity)
        .collect();
    shown.sort_by(|a, b| {
        (a.severity, &a.rule_id, &a.resource_id).cmp(&(b.severity, &b.rule_id, &b.resource_id))
    });
    if shown.is_empty() {
        return Vec::new();
    }
    let scan = &report.scan;
    let whose = if report.accounts.is_empty() {
        format!("account {} ({})", scan.account_id, scan.regions.join(", "))
    } else {
        let unscanned = report.accounts.iter().filter(|a| a.error.is_some()).count();
        let unscanned = match unscanned {
            0 => String::new(),
            n => format!(", {n} not scanned"),
        };
        format!(
            "{} accounts{unscanned} ({})",
            report.accounts.len(),
            scan.regions.join(", ")
        )
    };
    // Where one finding is: its own account and region.
    let its = |f: &Finding| format!("account {} ({})", report.account_of(f), f.region);
    let line = |f: &Finding| {
        let place = match &f.account_id {
            Some(account) => format!("{account} {}", f.region),
            None => f.region.clone(),
        };
        format!(
            "[{}] {} on {} ({place}): {}",
            f.severity, f.rule_id, f.resource_id, f.message
        )
    };
    let mut lines: Vec<String> = shown.iter().take(LISTED).map(|f| line(f)).collect();
    if shown.len() > LISTED {
        lines.push(format!("and {} more", shown.len() - LISTED));
    }
    let title = format!("compliance: {} new failure(s) in {whose}", shown.len());
    match target.format {
        WebhookFormat::Slack => vec![json!({
            "text": title,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": crate::output::fit::cut(&title, 150)}},
                {"type": "section", "text": {"type": "mrkdwn", "text": lines.iter().map(|l| format!("• {l}")).collect::<Vec<_>>().join("\n")}},
                {"type": "section", "text": {"type": "mrkdwn", "text": format!("How to fix: {}\nReport: {location} (scan {})", fixes(&shown), scan.id)}},
            ]
        })],
        WebhookFormat::Teams => vec![json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "type": "AdaptiveCard", "version": "1.4",
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "body": [
                        {"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": true, "text": title},
                        {"type": "TextBlock", "wrap": true, "text": lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")},
                        {"type": "TextBlock", "wrap": true, "text": format!("How to fix: {}", fixes(&shown))},
                        {"type": "TextBlock", "wrap": true, "isSubtle": true, "text": format!("Report: {location} (scan {})", scan.id)},
                    ]
                }
            }]
        })],
        WebhookFormat::Generic => vec![json!({
            "title": title,
            "account_id": scan.account_id, "regions": scan.regions, "scan_id": scan.id, "report": location,
            "failures": shown.iter().map(|f| json!({
                "rule_id": f.rule_id, "severity": f.severity, "resource_id": f.resource_id,
                "resource_arn": f.resource_arn, "region": f.region, "message": f.message,
                "remediation": f.remediation.text, "remediation_url": f.remediation.url,
            })).collect::<Vec<_>>(),
        })],
        WebhookFormat::Jira => tickets(&shown)
            .map(|f| {
                json!({"fields": {
                    "project": {"key": target.jira_project.clone().unwrap_or_default()},
                    "issuetype": {"name": "Bug"},
                    "summary": crate::output::fit::cut(&format!("[{}] {} on {}", f.severity, f.title, f.resource_id), 255),
                    "description": description(f, &its(f), location, &scan.id),
                    "labels": ["compliance", f.rule_id.as_str()],
                }})
            })
            .collect(),
        WebhookFormat::Servicenow => tickets(&shown)
            .map(|f| {
                // ServiceNow's 1 (high) to 3 (low) impact and urgency.
                let level = if f.severity == Severity::Critical { "1" } else { "2" };
                json!({
                    "short_description": crate::output::fit::cut(&format!("[{}] {} on {}", f.severity, f.title, f.resource_id), 160),
                    "description": description(f, &its(f), location, &scan.id),
                    "impact": level, "urgency": level, "category": "security",
                    "correlation_id": crate::asff::finding_id(report.account_of(f), f),
                })
            })
            .collect(),
    }
}

/// The failures a ticket is opened for: critical and high.
fn tickets<'f>(shown: &'f [&'f Finding]) -> impl Iterator<Item = &'f Finding> {
    shown
        .iter()
        .copied()
        .filter(|f| f.severity <= Severity::High)
}

fn description(f: &Finding, whose: &str, location: &str, scan_id: &str) -> String {
    format!(
        "{}\n\nResource: {} ({}) in {whose}\nObserved: {}\nHow to fix: {} {}\nReport: {location} (scan {scan_id})",
        f.message,
        f.resource_arn.as_deref().unwrap_or(&f.resource_id),
        f.region,
        f.evidence,
        f.remediation.text,
        f.remediation.url
    )
}

/// The distinct remediations of the failures shown, as links.
fn fixes(shown: &[&Finding]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for f in shown {
        if !seen.contains(&f.remediation.url.as_str()) {
            seen.push(&f.remediation.url);
        }
    }
    seen.join(" ")
}

#[cfg(test)]
mod tests;
