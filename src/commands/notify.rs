//! `compliance notify`: a saved report's new failures posted to a webhook, as the
//! scanner Lambda posts each run's (CI use: after `scan --baseline`). Exit 0 when
//! delivered or when nothing is new at the threshold, 1 when the receiver did not take
//! it, 2 for bad input.

use std::process::ExitCode;

use crate::cli::NotifyArgs;
use crate::error::Fatal;
use crate::history;
use crate::notify::send::{post_all, Webhook};
use crate::notify::{messages, Target, WebhookFormat};
use crate::report::BaselineState;

pub async fn run(args: NotifyArgs) -> Result<ExitCode, Fatal> {
    if args.format == WebhookFormat::Jira && args.jira_project.is_none() {
        return Err(Fatal::new(
            "--format jira needs --jira-project: the project the issues go to",
        ));
    }
    let (mut hook, _) =
        Webhook::parse(&args.webhook_url).map_err(|e| Fatal::new(format!("--webhook-url: {e}")))?;
    hook.headers.extend(args.headers.iter().cloned());
    let report = history::load(std::slice::from_ref(&args.report))
        .map_err(Fatal::new)?
        .pop()
        .ok_or_else(|| Fatal::new("the report file holds no scan"))?;
    // With a baseline, what is new; without one, every failure is.
    let new: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.fails())
        .filter(|f| report.baseline.is_none() || f.baseline == Some(BaselineState::New))
        .collect();
    let target = Target {
        format: args.format,
        min_severity: args.min_severity,
        jira_project: args.jira_project.clone(),
    };
    let bodies = messages(&report, &new, &target, &args.report.display().to_string());
    if bodies.is_empty() {
        eprintln!(
            "notify: no new failure at or above {}: nothing sent",
            args.min_severity
        );
        return Ok(ExitCode::SUCCESS);
    }
    match post_all(&hook, &bodies).await {
        Ok(n) => {
            eprintln!("notify: {n} message(s) sent");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("compliance: error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
