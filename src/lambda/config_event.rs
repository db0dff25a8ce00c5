//! AWS Config's invocation of a custom Lambda rule (the stack's `ConfigRules`), read, and
//! the verdict a rule gives back, made — both pure.
//!
//! Config sends `invokingEvent` (a JSON string: a configuration item that changed, its
//! summary when the item is too large, or a scheduled notification), `ruleParameters`
//! (a JSON string; `rules`, `skip_rules`, `services` as comma-separated lists and
//! `min_severity` narrow the rules judged), `resultToken` and `eventLeftScope`. The
//! answer is one evaluation per resource: NON_COMPLIANT when any selected rule fails
//! it, COMPLIANT when they pass, NOT_APPLICABLE when none applies or the resource is
//! gone; a resource any rule could not judge gets no evaluation at all (never
//! COMPLIANT), and the caller logs and warns. Suppressions are not applied: Config has
//! no accepted state, and an accepted risk is still a failure there.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::report::Finding;
use crate::rules::{Selection, Severity, Status};

/// The key of a Config invocation.
pub const INVOKING_EVENT: &str = "invokingEvent";
/// The documented limit of an evaluation's annotation.
const ANNOTATION_LIMIT: usize = 256;

/// What Config asked.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigInvocation {
    pub result_token: String,
    pub rule_name: String,
    pub selection: Selection,
    pub subject: Subject,
}

/// A changed resource, or the whole account on a schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Change(ChangedResource),
    Scheduled {
        account_id: String,
        at: DateTime<Utc>,
    },
}

/// The resource a configuration item names.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedResource {
    pub resource_type: String,
    /// Config's id, which the evaluation must carry.
    pub resource_id: String,
    /// The name the collectors know it by (a bucket's, a function's), else Config's id.
    pub name: String,
    pub arn: Option<String>,
    pub region: String,
    pub captured_at: DateTime<Utc>,
    /// Deleted, or out of the rule's scope: NOT_APPLICABLE without reading it.
    pub gone: bool,
}

/// One evaluation for `PutEvaluations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub resource_type: String,
    pub resource_id: String,
    pub compliance: &'static str,
    pub annotation: String,
    pub at: DateTime<Utc>,
}

/// Reads a Config invocation, or says what is wrong with it.
pub fn parse(event: &Value) -> Result<ConfigInvocation, String> {
    let text = |k: &str| event.get(k).and_then(Value::as_str);
    let invoking: Value = serde_json::from_str(text(INVOKING_EVENT).unwrap_or_default())
        .map_err(|e| format!("the Config event's invokingEvent is not JSON: {e}"))?;
    let parameters: Value = match text("ruleParameters") {
        Some(p) if !p.trim().is_empty() => serde_json::from_str(p)
            .map_err(|e| format!("the Config rule's parameters are not JSON: {e}"))?,
        _ => Value::Null,
    };
    let result_token = text("resultToken")
        .ok_or("the Config event has no resultToken")?
        .to_string();
    let left_scope = event.get("eventLeftScope").and_then(Value::as_bool) == Some(true);
    let time = |v: &Value, k: &str| -> Result<DateTime<Utc>, String> {
        let t = v.get(k).and_then(Value::as_str).unwrap_or_default();
        DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| format!("the Config event's {k} is {t:?}, not a time"))
    };
    let subject = match invoking.get("messageType").and_then(Value::as_str) {
        Some("ScheduledNotification") => Subject::Scheduled {
            account_id: invoking
                .get("awsAccountId")
                .and_then(Value::as_str)
                .or(text("accountId"))
                .unwrap_or_default()
                .to_string(),
            at: time(&invoking, "notificationCreationTime")?,
        },
        Some(kind @ ("ConfigurationItemChangeNotification" | "OversizedConfigurationItemChangeNotification")) => {
            let item_key = if kind.starts_with("Oversized") {
                "configurationItemSummary"
            } else {
                "configurationItem"
            };
            let item = invoking
                .get(item_key)
                .ok_or(format!("the {kind} has no {item_key}"))?;
            let field = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
            let resource_id = field("resourceId").ok_or("the configuration item has no resourceId")?;
            let status = field("configurationItemStatus").unwrap_or_default();
            Subject::Change(ChangedResource {
                resource_type: field("resourceType").ok_or("the configuration item has no resourceType")?,
                name: field("resourceName").unwrap_or_else(|| resource_id.clone()),
                resource_id,
                arn: field("ARN").or(field("arn")),
                region: field("awsRegion").ok_or("the configuration item has no awsRegion")?,
                captured_at: time(item, "configurationItemCaptureTime")?,
                gone: left_scope || status.starts_with("ResourceDeleted"),
            })
        }
        other => {
            return Err(format!(
                "the Config event's messageType is {}: expected a configuration item change or a scheduled notification",
                other.unwrap_or("missing")
            ))
        }
    };
    Ok(ConfigInvocation {
        result_token,
        rule_name: text("configRuleName").unwrap_or_default().to_string(),
        selection: selection(&parameters)?,
        subject,
    })
}

/// The rules the parameters select (all of them when none is given).
fn selection(parameters: &Value) -> Result<Selection, String> {
    let list = |k: &str| -> Vec<String> {
        parameters
            .get(k)
            .and_then(Value::as_str)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let services = list("services")
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|e: String| format!("the Config rule's parameter services: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let min_severity = match parameters.get("min_severity").and_then(Value::as_str) {
        Some(s) => s
            .parse()
            .map_err(|e: String| format!("the Config rule's parameter min_severity: {e}"))?,
        None => Severity::Info,
    };
    Ok(Selection {
        rules: list("rules"),
        skip_rules: list("skip_rules"),
        services,
        min_severity,
    })
}

/// The verdict on one resource from its findings, or `None` when a rule could not
/// judge it (the caller logs and warns: never COMPLIANT for what was not seen).
pub fn verdict(
    resource_type: &str,
    resource_id: &str,
    findings: &[&Finding],
    at: DateTime<Utc>,
) -> Option<Verdict> {
    let failed: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let (compliance, annotation) = if !failed.is_empty() {
        let text: Vec<String> = failed
            .iter()
            .map(|f| format!("{}: {}", f.rule_id, f.message))
            .collect();
        ("NON_COMPLIANT", text.join("; "))
    } else if findings.iter().any(|f| f.status == Status::Error) {
        return None;
    } else if findings.iter().any(|f| f.status == Status::Pass) {
        let n = findings.iter().filter(|f| f.status == Status::Pass).count();
        ("COMPLIANT", format!("{n} rule(s) pass"))
    } else {
        ("NOT_APPLICABLE", "no rule applies to it".to_string())
    };
    Some(Verdict {
        resource_type: resource_type.to_string(),
        resource_id: resource_id.to_string(),
        compliance,
        annotation: crate::output::fit::cut(&annotation, ANNOTATION_LIMIT),
        at,
    })
}

/// NOT_APPLICABLE for a resource deleted, or out of the rule's scope.
pub fn gone(r: &ChangedResource) -> Verdict {
    Verdict {
        resource_type: r.resource_type.clone(),
        resource_id: r.resource_id.clone(),
        compliance: "NOT_APPLICABLE",
        annotation: "the resource was deleted or left the rule's scope".to_string(),
        at: r.captured_at,
    }
}

#[cfg(test)]
mod tests;
