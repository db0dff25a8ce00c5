//! What a run delivers beyond its report and alerts: its failures into Security Hub
//! (`SecurityHubExport`), its failures and what it resolved into the findings history,
//! and its new failures to the stack's webhook (`WebhookSecretArn`). Each returns why it
//! fell short, which the run logs and sends to the warning topic.

use serde_json::{json, Value};

use super::history;
use super::log::log;
use super::settings::Settings;
use crate::aws::errors::CallError;
use crate::aws::security_hub;
use crate::aws::session::Session;
use crate::notify::send::{post_all, Webhook};
use crate::notify::{messages, Target, WebhookFormat};
use crate::report::{Finding, Report};
use crate::rules::{RuleSet, Severity};

/// The stack's `WebhookSecretArn`, `WebhookFormat` and `WebhookMinSeverity`.
pub struct WebhookSettings {
    pub secret_arn: String,
    pub format: WebhookFormat,
    pub min_severity: Severity,
}

/// The findings history (when the stack has its table), then the webhook (when set)
/// with the failures the previous run (its state kept at `state`) did not have; what
/// fell short, for the warning topic. A history that cannot be read makes every failure
/// new, rather than none.
pub async fn record_and_notify(
    settings: &Settings,
    session: &Session,
    s3: &aws_sdk_s3::Client,
    report: &Report,
    rules: &RuleSet,
    location: &str,
    state: &str,
) -> Vec<(&'static str, String)> {
    let mut undelivered = Vec::new();
    let scan_id = json!({"scan_id": report.scan.id});
    let previous = history::previous(s3, &settings.bucket, state).await;
    if let Some(name) = &settings.findings_table {
        let table = history::Table {
            name,
            bucket: &settings.bucket,
            state,
            retention_days: settings.retention_days,
        };
        let recorded = match &previous {
            Ok(previous) => history::record(session, s3, &table, report, rules, previous).await,
            Err(problem) => Err(problem.clone()),
        };
        match recorded {
            Ok(n) => log(
                "info",
                "findings history written",
                json!({"scan_id": report.scan.id, "items": n}),
            ),
            Err(problem) => {
                log("error", &problem, scan_id.clone());
                let text = format!("The findings history was not written: {problem}");
                undelivered.push(("history", text));
            }
        }
    }
    if let Some(webhook) = &settings.webhook {
        let new: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.fails() && f.location.is_none())
            .filter(|f| previous.as_ref().map_or(true, |p| !p.had(f)))
            .collect();
        match notify(session, webhook, report, &new, location).await {
            Ok(0) => {}
            Ok(n) => log(
                "info",
                "webhook notified",
                json!({"scan_id": report.scan.id, "messages": n}),
            ),
            Err(problem) => {
                log("error", &problem, scan_id);
                let text = format!("The webhook was not notified: {problem}");
                undelivered.push(("webhook", text));
            }
        }
    }
    undelivered
}

/// The webhook's messages for the run's new failures: its URL (and headers, and Jira
/// project) read from the secret each run, so a rotated secret takes effect at once.
async fn notify(
    session: &Session,
    webhook: &WebhookSettings,
    report: &Report,
    new: &[&Finding],
    location: &str,
) -> Result<usize, String> {
    let target = |jira_project| Target {
        format: webhook.format,
        min_severity: webhook.min_severity,
        jira_project,
    };
    if messages(report, new, &target(None), location).is_empty() {
        return Ok(0);
    }
    let client = aws_sdk_secretsmanager::Client::new(&session.config);
    let secret = client
        .get_secret_value()
        .secret_id(&webhook.secret_arn)
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot read the webhook secret {}: GetSecretValue failed: {}",
                webhook.secret_arn,
                CallError::from(e)
            )
        })?;
    let value = secret
        .secret_string()
        .ok_or("the webhook secret holds no text")?;
    let (hook, jira_project) = Webhook::parse(value)?;
    if webhook.format == WebhookFormat::Jira && jira_project.is_none() {
        return Err("the webhook secret names no \"jira_project\" for the Jira issues".to_string());
    }
    post_all(
        &hook,
        &messages(report, new, &target(jira_project), location),
    )
    .await
}

/// `SecurityHubExport`: the run's failures into Security Hub; the counts, or why not all
/// of them went (logged, and sent to the warning topic).
pub async fn export_findings(
    session: &Session,
    report: &Report,
    rules: &RuleSet,
) -> Result<Value, String> {
    let evaluated = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let scan_id = json!({"scan_id": report.scan.id});
    match security_hub::export(session, report, &evaluated, false).await {
        Ok(e) if e.failed.is_empty() => {
            let counts = json!({"imported": e.imported, "archived": e.archived});
            log(
                "info",
                "findings imported into Security Hub",
                json!({"scan_id": report.scan.id, "security_hub": counts}),
            );
            Ok(counts)
        }
        Ok(e) => {
            let (id, reason) = &e.failed[0];
            let problem = format!(
                "{} finding(s) refused even when sent again (first: {id}: {reason})",
                e.failed.len()
            );
            log("error", &problem, scan_id);
            Err(problem)
        }
        Err(problem) => {
            log("error", &problem, scan_id);
            Err(problem)
        }
    }
}
