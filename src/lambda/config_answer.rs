//! The scanner's answer to AWS Config (the stack's `ConfigRules`): a changed resource is
//! read again by its service's collector — the configuration item is never trusted, it
//! may be stale — and judged by the rules of its kind; a scheduled invocation scans the
//! function's region and judges the account. The verdicts go back with `PutEvaluations`
//! (100 a call, the API's most); what could not be judged is logged and sent to the
//! warning topic instead of being called compliant. `handle` is the invocation's entry.

use std::collections::BTreeSet;

use aws_sdk_config::types::{ComplianceType, Evaluation};
use aws_smithy_types::DateTime as SmithyTime;
use chrono::Utc;
use serde_json::{json, Value};

use lambda_runtime::{Error, LambdaEvent};

use super::config_event::{
    gone, parse, verdict, ChangedResource, ConfigInvocation, Subject, Verdict,
};
use super::handler::collection_deadline;
use super::log::{fail, log};
use crate::aws::collect::{collect_one, Collected, Wanted};
use crate::aws::delivery::publish;
use crate::aws::errors::CallError;
use crate::aws::regions::RegionChoice;
use crate::aws::session::Session;
use crate::aws::session::SessionOptions;
use crate::model::{Inventory, ResourceKind, INVENTORY_SCHEMA_VERSION};
use crate::pipeline::{self, Live, Silent};
use crate::rules::RuleSet;
use crate::suppress::Suppressions;

const BATCH: usize = 100;

/// What an answer did: the evaluations sent, and what could not be judged (why).
struct Answered {
    sent: usize,
    undecided: Vec<String>,
}

/// Judges what `invocation` asks about and sends the verdicts.
async fn answer(
    session: &Session,
    rules: &RuleSet,
    invocation: &ConfigInvocation,
    deadline: tokio::time::Instant,
) -> Result<Answered, String> {
    let mut undecided = Vec::new();
    let verdicts = match &invocation.subject {
        Subject::Change(r) if r.gone => vec![gone(r)],
        Subject::Change(r) => changed(session, rules, r, &mut undecided).await,
        Subject::Scheduled { account_id, at } => {
            let live = Live {
                session,
                regions: RegionChoice::default(),
                concurrency: 16,
                deadline: Some(deadline),
            };
            let inventory = pipeline::collect_live(&live, rules, &Suppressions::default(), &Silent)
                .await
                .map_err(|e| e.0)?;
            let report = pipeline::judge(
                rules,
                &inventory,
                &Suppressions::default(),
                "config",
                None,
                Utc::now(),
            );
            let all: Vec<_> = report.findings.iter().collect();
            match verdict("AWS::::Account", account_id, &all, *at) {
                Some(mut v) => {
                    if v.compliance == "NON_COMPLIANT" {
                        v.annotation = account_annotation(&report.findings);
                    }
                    vec![v]
                }
                None => {
                    undecided.push(format!(
                        "the account: {} call(s) failed and nothing failed",
                        report.errors.len()
                    ));
                    Vec::new()
                }
            }
        }
    };
    let sent = put(session, &invocation.result_token, &verdicts).await?;
    Ok(Answered { sent, undecided })
}

/// A changed resource, read again and judged.
async fn changed(
    session: &Session,
    rules: &RuleSet,
    r: &ChangedResource,
    undecided: &mut Vec<String>,
) -> Vec<Verdict> {
    let kinds: BTreeSet<ResourceKind> = ResourceKind::ALL
        .iter()
        .copied()
        .filter(|k| k.config_type() == Some(r.resource_type.as_str()))
        .collect();
    let mut judged = rules.clone();
    judged.rules.retain(|rule| kinds.contains(&rule.resource));
    let Some(&kind) = judged.rules.first().map(|rule| &rule.resource) else {
        let mut v = gone(r);
        v.annotation = format!("no selected rule judges {}", r.resource_type);
        return vec![v];
    };
    let wanted = Wanted {
        kind,
        id: r.name.clone(),
        arn: r.arn.clone(),
        region: r.region.clone(),
    };
    let Collected {
        resources, errors, ..
    } = collect_one(session, &wanted, &judged.needs()).await;
    if resources.is_empty() && errors.is_empty() {
        return vec![gone(r)];
    }
    let inventory = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        account_id: session.account_id.clone(),
        regions: vec![r.region.clone()],
        collected_at: Utc::now(),
        incomplete: false,
        resources,
        errors,
        elsewhere: Vec::new(),
    };
    let report = pipeline::judge(
        &judged,
        &inventory,
        &Suppressions::default(),
        "config",
        None,
        Utc::now(),
    );
    let findings: Vec<_> = report.findings.iter().collect();
    match verdict(&r.resource_type, &r.resource_id, &findings, r.captured_at) {
        Some(v) => vec![v],
        None => {
            let why: Vec<String> = report
                .errors
                .iter()
                .map(|e| format!("{} failed: {}", e.operation, e.code))
                .collect();
            undecided.push(format!(
                "{} {}: {}",
                r.resource_type,
                r.resource_id,
                why.join(", ")
            ));
            Vec::new()
        }
    }
}

/// The account's failures in 256 characters: how many, and the rules most failed.
fn account_annotation(findings: &[crate::report::Finding]) -> String {
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in findings
        .iter()
        .filter(|f| f.status == crate::rules::Status::Fail)
    {
        *by_rule.entry(&f.rule_id).or_default() += 1;
    }
    let total: usize = by_rule.values().sum();
    let mut rules: Vec<(&str, usize)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let named: Vec<String> = rules.iter().map(|(r, n)| format!("{r} ({n})")).collect();
    crate::output::fit::cut(
        &format!("{total} failed finding(s): {}", named.join(", ")),
        256,
    )
}

/// `PutEvaluations` in calls of 100; how many Config took.
async fn put(session: &Session, token: &str, verdicts: &[Verdict]) -> Result<usize, String> {
    let client = aws_sdk_config::Client::new(&session.config);
    let mut sent = 0;
    for chunk in verdicts.chunks(BATCH) {
        let evaluations = chunk
            .iter()
            .map(|v| {
                Evaluation::builder()
                    .compliance_resource_type(&v.resource_type)
                    .compliance_resource_id(&v.resource_id)
                    .compliance_type(ComplianceType::from(v.compliance))
                    .annotation(&v.annotation)
                    .ordering_timestamp(SmithyTime::from_millis(v.at.timestamp_millis()))
                    .build()
                    .map_err(|e| format!("an evaluation is incomplete: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let out = client
            .put_evaluations()
            .result_token(token)
            .set_evaluations(Some(evaluations))
            .send()
            .await
            .map_err(|e| format!("PutEvaluations failed: {}", CallError::from(e)))?;
        let refused = out.failed_evaluations();
        if let Some(first) = refused.first() {
            return Err(format!(
                "Config refused {} evaluation(s) (first: {} {})",
                refused.len(),
                first.compliance_resource_type(),
                first.compliance_resource_id()
            ));
        }
        sent += chunk.len();
    }
    Ok(sent)
}

/// The answer's body: what was sent and what was not judged.
fn response(invocation: &ConfigInvocation, answered: &Answered) -> Value {
    json!({"config_rule": invocation.rule_name, "evaluations": answered.sent, "undecided": answered.undecided})
}

/// AWS Config's invocation of the stack's rules (`ConfigRules`): the verdicts sent back;
/// what could not be judged is logged and goes to the warning topic.
pub async fn handle(
    warning_topic: Option<&str>,
    all_rules: &RuleSet,
    event: LambdaEvent<Value>,
) -> Result<Value, Error> {
    let invocation = parse(&event.payload).map_err(|e| fail(&e))?;
    let rules =
        pipeline::select(all_rules.clone(), &invocation.selection).map_err(|e| fail(&e.0))?;
    let session = Session::connect(&SessionOptions::default())
        .await
        .map_err(|e| fail(&e.0))?;
    let deadline = collection_deadline(&event.context);
    let answered = answer(&session, &rules, &invocation, deadline)
        .await
        .map_err(|e| fail(&e))?;
    let fields = json!({"config_rule": invocation.rule_name, "evaluations": answered.sent});
    if !answered.undecided.is_empty() {
        let text = format!(
            "The Config rule {} could not judge {} resource(s), so they got no evaluation (never COMPLIANT):\n  {}",
            invocation.rule_name,
            answered.undecided.len(),
            answered.undecided.join("\n  ")
        );
        log("warning", &text, fields.clone());
        if let Some(topic) = warning_topic {
            let sns = aws_sdk_sns::Client::new(&session.config);
            let subject = format!(
                "compliance: {} could not judge every resource",
                invocation.rule_name
            );
            let attributes = std::collections::BTreeMap::from([(
                "problem".to_string(),
                ("String", "config-undecided".to_string()),
            )]);
            if let Err(e) = publish(&sns, topic, &subject, &text, &attributes).await {
                log(
                    "error",
                    &format!("could not publish the warning: {e}"),
                    json!({}),
                );
            }
        }
    }
    log("info", "config rule answered", fields);
    Ok(response(&invocation, &answered))
}
