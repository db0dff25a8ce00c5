//! What a run delivers beyond its report and alerts: its failures into Security Hub
//! (`SecurityHubExport`) and its new failures to the stack's webhook (`WebhookSecretArn`).
//! Each returns why it fell short, which the handler logs and sends to the warning topic.

use serde_json::{json, Value};

use super::log::log;
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

/// The webhook's messages for the run's new failures: its URL (and headers, and Jira
/// project) read from the secret each run, so a rotated secret takes effect at once.
pub async fn notify(
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
