//! One invocation: recognise the event, scan with the function's own credentials, store
//! the JSON report, the CSV and the inventory under dated keys, alert, emit metrics and a
//! structured log line. Storage failing never loses the report: it goes to the log.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant as StdInstant, SystemTime};

use chrono::Utc;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

use super::alert::{alert, warning};
use super::config_answer;
use super::config_event::INVOKING_EVENT;
use super::deliveries::{export_findings, record_and_notify};
use super::fan_out;
use super::invocation::{parse, Trigger};
use super::log::{fail, log};
use super::metrics::emf_lines;
use super::settings::Settings;
use crate::aws::buckets::{read, store_new};
use crate::aws::delivery::publish;
use crate::aws::deployed::read as read_stack;
use crate::aws::regions::RegionChoice;
use crate::aws::remediate::{execute, Mode, Runner};
use crate::aws::session::{Session, SessionOptions};
use crate::deployed;
use crate::error::Fatal;
use crate::output::{Format, GroupBy, TableReporter};
use crate::pipeline::{self, Live, Silent};
use crate::remediate::{plan, Filter, FixOptions, Run};
use crate::report::Report;
use crate::rules::RuleSet;
use crate::stack::{scan_key, FAILING_KEY, SUPPRESSIONS_KEY};
use crate::suppress::{Suppressions, DEFAULT_MAX_DAYS};

/// The largest report a direct invocation returns inline: Lambda's synchronous
/// response limit is 6 MB, and the answer carries more than the report. A larger
/// stored report is answered with its location only, and `scan --remote` reads it there.
const INLINE_REPORT_LIMIT: usize = 5 * 1024 * 1024;

/// Time kept back from the function's deadline to store what was collected.
const STORE_MARGIN: Duration = Duration::from_secs(30);

/// When collection must stop: the invocation's deadline less `STORE_MARGIN`, kept to
/// store and deliver what was collected.
pub(super) fn collection_deadline(context: &lambda_runtime::Context) -> tokio::time::Instant {
    let remaining = context
        .deadline()
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    tokio::time::Instant::now() + remaining.saturating_sub(STORE_MARGIN)
}

/// Serves invocations until the runtime stops. The rules are loaded and tested once per
/// container, not once per invocation.
pub async fn serve() -> Result<(), Fatal> {
    let settings = Settings::from_env()?;
    let rules = pipeline::load_rules(&[])?;
    let (settings, rules) = (&settings, &rules);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(settings, rules, event).await
    }))
    .await
    .map_err(|e| Fatal::new(format!("the Lambda runtime stopped: {e}")))
}

async fn handle(
    settings: &Settings,
    all_rules: &RuleSet,
    event: LambdaEvent<Value>,
) -> Result<Value, Error> {
    let clock = StdInstant::now();
    if event.payload.get(INVOKING_EVENT).is_some() {
        let topic = settings.warning_topic.as_deref();
        return config_answer::handle(topic, all_rules, event).await;
    }
    if let Some(step) = fan_out::parse(&event.payload) {
        let step = step.map_err(|e| fail(&e))?;
        return fan_out::handle(settings, all_rules, step, &event).await;
    }
    let (trigger, request) = parse(&event.payload).map_err(|e| fail(&e))?;
    let rules =
        pipeline::select(all_rules.clone(), &request.selection()).map_err(|e| fail(&e.0))?;
    let session = Session::connect(&SessionOptions::default())
        .await
        .map_err(|e| fail(&e.0))?;

    let live = Live {
        session: &session,
        // The event's regions, else the stack's `ScanRegions`.
        regions: if request.regions.is_empty() {
            settings.regions.clone()
        } else {
            RegionChoice {
                named: request.regions.clone(),
                all: false,
            }
        },
        concurrency: 16,
        deadline: Some(collection_deadline(&event.context)),
    };
    let s3 = session.s3_in(&session.default_region());
    let (suppressions, unapplied) = stored_suppressions(&s3, &settings.bucket, all_rules).await;
    let started_at = Utc::now();
    let (report, inventory) = match &request.stack {
        Some(stack) => {
            // In its own region (the event's); the report still goes to the function's.
            let region = request
                .regions
                .first()
                .cloned()
                .unwrap_or_else(|| session.default_region());
            let deployed = read_stack(&session, stack, &region)
                .await
                .map_err(|e| fail(&e))?;
            let run = deployed::Run {
                live,
                scan_id: request.scan_id.clone(),
                started_at,
            };
            let judged = deployed::judge(&deployed, &run, &rules, &suppressions, &Silent)
                .await
                .map_err(|e| fail(&e.0))?;
            for w in &judged.warnings {
                log("warning", w, json!({"stack": deployed.stack_id}));
            }
            (judged.report, judged.live)
        }
        None => {
            let inventory = pipeline::collect_live(&live, &rules, &suppressions, &Silent)
                .await
                .map_err(|e| fail(&e.0))?;
            let report = pipeline::judge(
                &rules,
                &inventory,
                &suppressions,
                "lambda",
                request.scan_id.clone(),
                started_at,
            );
            (report, inventory)
        }
    };
    let scan_id = report.scan.id.clone();

    let prefix = scan_key(report.scan.started_at, &scan_id);
    let inventory = serde_json::to_vec_pretty(&inventory).map_err(|e| fail(&e.to_string()))?;
    let (stored, location) =
        store_report(&s3, &settings.bucket, &prefix, &report, Some(inventory)).await?;

    if settings.auto_remediate {
        remediate(settings, &session, &s3, &rules, &report, &prefix).await;
    }

    let mut undelivered: Vec<(&'static str, String)> = Vec::new();
    let exported = if settings.security_hub_export {
        Some(export_findings(&session, &report, &rules).await)
    } else {
        None
    };
    if let Some(Err(problem)) = &exported {
        let text = format!("The findings were not all imported into Security Hub: {problem}");
        undelivered.push(("security-hub", text));
    }
    undelivered.extend(
        record_and_notify(
            settings,
            &session,
            &s3,
            &report,
            &rules,
            &location,
            FAILING_KEY,
        )
        .await,
    );

    let problems = Problems {
        stored,
        suppressions: unapplied.as_deref(),
        undelivered: &undelivered,
    };
    publish_alerts(settings, &session, &report, &location, &problems).await;
    for line in emf_lines(&report, &settings.suffix, clock.elapsed().as_secs_f64()) {
        println!("{line}");
    }
    log(
        "info",
        "scan complete",
        json!({
            "scan_id": scan_id, "trigger": trigger, "stack": request.stack, "score": report.summary.score,
            "failed": report.summary.failed_by_severity, "errors": report.errors.len(),
            "incomplete": report.scan.incomplete, "stored": stored, "location": location,
        }),
    );
    let mut response = json!({"scan_id": scan_id, "stored": stored, "location": location});
    if let Some(Ok(counts)) = exported {
        response["security_hub"] = counts;
    }
    if trigger == Trigger::Direct {
        let inline = serde_json::to_value(&report).map_err(|e| fail(&e.to_string()))?;
        if let Some(inline) = inline_report(inline, stored, INLINE_REPORT_LIMIT) {
            response["report"] = inline;
        }
    }
    Ok(response)
}

/// Stores the report as JSON and CSV at `<prefix>.json` and `.csv`, and `inventory` at
/// `<prefix>.inventory.json`; whether all were stored, and the report's location. A
/// report that cannot be stored goes to the function's log in full: it is never lost.
pub(super) async fn store_report(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    report: &Report,
    inventory: Option<Vec<u8>>,
) -> Result<(bool, String), Error> {
    let mut objects = vec![
        (
            format!("{prefix}.json"),
            render(report, Format::Json)?,
            "application/json",
        ),
        (
            format!("{prefix}.csv"),
            render(report, Format::Csv)?,
            "text/csv",
        ),
    ];
    if let Some(body) = inventory {
        objects.push((format!("{prefix}.inventory.json"), body, "application/json"));
    }
    let location = format!("s3://{bucket}/{prefix}.json");
    let mut stored = true;
    for (key, body, content_type) in objects {
        if let Err(e) = store_new(s3, bucket, &key, body, content_type).await {
            stored = false;
            log(
                "error",
                &format!("could not store s3://{bucket}/{key}: {e}"),
                json!({"scan_id": report.scan.id}),
            );
        }
    }
    if !stored {
        log(
            "error",
            "the report could not be stored; it follows in full",
            json!({"report": report}),
        );
    }
    Ok((stored, location))
}

/// What the warning topic hears besides the report's own gaps.
pub(super) struct Problems<'a> {
    pub stored: bool,
    /// Why the stack's suppression file was not applied.
    pub suppressions: Option<&'a str>,
    pub undelivered: &'a [(&'static str, String)],
}

/// Publishes the run's alert (failures at or above the threshold) and its warning
/// (gaps, deliveries that failed) to the stack's topics, each at most once.
pub(super) async fn publish_alerts(
    settings: &Settings,
    session: &Session,
    report: &Report,
    location: &str,
    problems: &Problems<'_>,
) {
    let scan_id = &report.scan.id;
    let sns = aws_sdk_sns::Client::new(&session.config);
    let messages = [
        (
            &settings.critical_topic,
            alert(report, settings.threshold, location),
            "alert",
        ),
        (
            &settings.warning_topic,
            warning(
                report,
                problems.stored,
                location,
                problems.suppressions,
                problems.undelivered,
            ),
            "warning",
        ),
    ];
    for (topic, message, kind) in messages {
        let (Some(topic), Some(m)) = (topic, message) else {
            continue;
        };
        match publish(&sns, topic, &m.subject, &m.message, &m.attributes).await {
            Ok(()) => log(
                "info",
                &format!("{kind} published"),
                json!({"scan_id": scan_id, "topic": topic}),
            ),
            Err(e) => log(
                "error",
                &format!("could not publish the {kind}: {e}"),
                json!({"scan_id": scan_id}),
            ),
        }
    }
}

/// The fixes `AutoRemediate` applies unattended: default encryption only, which needs
/// no value from an operator and changes no access.
const UNATTENDED: [&str; 2] = ["s3-default-encryption", "s3-kms-encryption"];

/// Applies the unattended fixes the report calls for and stores one audit line per
/// action beside the report (`<prefix>.audit.jsonl`); the lines also go to the log.
async fn remediate(
    settings: &Settings,
    session: &Session,
    s3: &aws_sdk_s3::Client,
    rules: &RuleSet,
    report: &Report,
    prefix: &str,
) {
    let planned = plan(report, rules, &Filter::default(), &UNATTENDED);
    let options = FixOptions::new(None, Default::default(), &session.account_id);
    let run = Run {
        run_id: uuid::Uuid::new_v4().to_string(),
        scan_id: report.scan.id.clone(),
        caller: session.caller_arn.clone(),
        account_id: session.account_id.clone(),
    };
    let mut lines = Vec::new();
    let mut each = |record: &crate::remediate::AuditRecord| {
        log("info", "remediation", json!({"audit": record}));
        if let Ok(line) = serde_json::to_string(record) {
            lines.push(line);
        }
    };
    let runner = Runner {
        session,
        rules,
        options: &options,
        mode: Mode::Apply,
        run: &run,
        concurrency: 8,
        // The Lambda's audit goes to its log line by line: nothing stops it.
        stop: &AtomicBool::new(false),
    };
    execute(&runner, &planned.actions, &mut each).await;
    if lines.is_empty() {
        return;
    }
    let key = format!("{prefix}.audit.jsonl");
    let body = (lines.join("\n") + "\n").into_bytes();
    if let Err(e) = store_new(s3, &settings.bucket, &key, body, "application/x-ndjson").await {
        log(
            "error",
            &format!(
                "could not store the audit s3://{}/{key}: {e}",
                settings.bucket
            ),
            json!({}),
        );
    }
}

/// The suppression file `deploy --suppressions` stored, or none; a file that cannot be
/// read or is invalid is not applied (every failure counts) and the reason is returned
/// for the log and the warning topic.
pub(super) async fn stored_suppressions(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    rules: &RuleSet,
) -> (Suppressions, Option<String>) {
    let problem = match read(s3, bucket, SUPPRESSIONS_KEY).await {
        Err(e) if e.is(&["NoSuchKey"]) => return (Suppressions::default(), None),
        Err(e) => format!("cannot read s3://{bucket}/{SUPPRESSIONS_KEY}: {e}"),
        Ok(text) => {
            let name = format!("s3://{bucket}/{SUPPRESSIONS_KEY}");
            match pipeline::parse_suppressions(&name, &text, rules, DEFAULT_MAX_DAYS) {
                Ok(set) => return (set, None),
                Err(e) => e.0,
            }
        }
    };
    log("error", &problem, json!({}));
    (Suppressions::default(), Some(problem))
}

/// The report to return inline, unless it is stored and larger than `limit` bytes: the
/// caller then reads it at the answer's location.
fn inline_report(report: Value, stored: bool, limit: usize) -> Option<Value> {
    let size = serde_json::to_vec(&report).map_or(usize::MAX, |b| b.len());
    (!stored || size <= limit).then_some(report)
}

fn render(report: &Report, format: Format) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    format
        .reporter(TableReporter {
            width: 120,
            color: false,
            show_suppressed: true,
            group_by: GroupBy::Rule,
            verbose: false,
        })
        .write(report, &mut buf)
        .map_err(|e| fail(&e.to_string()))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::inline_report;
    use serde_json::json;

    #[test]
    fn a_stored_report_too_large_to_return_is_answered_by_its_location_only() {
        let report = json!({"findings": ["x".repeat(100)]});
        assert!(inline_report(report.clone(), true, 1_000).is_some());
        assert!(inline_report(report.clone(), true, 50).is_none());
        assert!(
            inline_report(report, false, 50).is_some(),
            "an unstored report is returned whatever its size"
        );
    }
}
