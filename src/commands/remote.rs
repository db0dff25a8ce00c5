//! `compliance scan --remote --suffix S`: the same scan, run by the deployed scanner
//! Lambda. Synchronously it prints the report the function returns, in every format and
//! with the same exit codes as a local scan (a report too large for Lambda's response
//! is read from the stack's bucket, where the function stored it); `--async` sends the
//! on-demand event instead and prints the scan id the stored report will carry.

use std::process::ExitCode;

use serde_json::Value;

use super::common::{compare, deliver, load_baseline, select_rules, warn_suppressions};
use crate::aws::buckets;
use crate::aws::scanner;
use crate::aws::session::Session;
use crate::cli::ScanArgs;
use crate::engine::suppress;
use crate::error::Fatal;
use crate::history;
use crate::lambda::event::ScanRequest;
use crate::report::Report;
use crate::rules::RuleSet;
use crate::stack::{Suffix, SCANS_PREFIX};
use crate::suppress::Suppressions;

pub async fn run(args: ScanArgs) -> Result<ExitCode, Fatal> {
    let suffix = Suffix::parse(args.suffix.as_deref().unwrap_or_default()).map_err(Fatal::new)?;
    if args.several.organization {
        return super::remote_organization::run(args, suffix).await;
    }
    // Unknown rule ids and bad suppression files are refused here, before any call.
    let (rules, suppressions) = select_rules(&args)?;
    let baseline = load_baseline(&args).await?;
    let mut request = ScanRequest {
        scan_id: None,
        regions: args.regions.clone(),
        rules: args.only_rules.clone(),
        skip_rules: args.skip_rules.clone(),
        services: args.services.clone(),
        min_severity: Some(args.min_severity),
        stack: None,
    };
    let options = args.aws.session_options(None, args.regions.first());
    let session = Session::connect(&options).await?;
    let function = suffix.function_name();

    if args.asynchronous {
        let scan_id = uuid::Uuid::new_v4().to_string();
        request.scan_id = Some(scan_id.clone());
        let detail = serde_json::to_string(&request).map_err(|e| Fatal::new(e.to_string()))?;
        scanner::request(&session, detail)
            .await
            .map_err(Fatal::new)?;
        if !args.quiet {
            eprintln!("compliance: requested scan {scan_id} from {function}; its report will be stored as {SCANS_PREFIX}<date>/{scan_id}.json in the stack's bucket");
        }
        println!("{scan_id}");
        return Ok(ExitCode::SUCCESS);
    }

    if !args.quiet {
        eprintln!("compliance: running the scan in {function}");
    }
    let payload =
        serde_json::to_vec(&request.direct_payload()).map_err(|e| Fatal::new(e.to_string()))?;
    let answer = scanner::invoke(&session, &function, payload).await.map_err(|e| {
        Fatal::new(format!("cannot invoke {function}: {e}; is the stack deployed (`compliance deploy --suffix {suffix}`)?"))
    })?;
    let body = answer.body;
    if answer.function_error {
        let message = body
            .get("errorMessage")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        return Err(Fatal::new(format!(
            "the scanner Lambda {function} failed: {message}; read its log group /aws/lambda/{function}"
        )));
    }
    let location = body
        .get("location")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let report = match body.get("report") {
        Some(inline) => serde_json::from_value::<Report>(inline.clone()).map_err(|e| {
            Fatal::new(format!(
                "{function} answered without a report ({e}); is it this version of compliance?"
            ))
        })?,
        None if body.get("stored") == Some(&Value::Bool(true)) => {
            // Too large to return inline: the function stored it.
            read_stored(&session, location).await?
        }
        None => {
            return Err(Fatal::new(format!(
                "{function} answered without a report; is it this version of compliance?"
            )))
        }
    };
    if !args.quiet && !location.is_empty() {
        eprintln!("compliance: the function stored the report at {location}");
    }
    finish(&args, (&rules, &suppressions), baseline.as_ref(), report)
}

/// Prints a report the deployed scanner made as a local scan's: a suppression file given
/// here (or the default one) wins over the one the stack applied, then the baseline,
/// the formats and the exit code.
pub(super) fn finish(
    args: &ScanArgs,
    (rules, suppressions): (&RuleSet, &Suppressions),
    baseline: Option<&Report>,
    mut report: Report,
) -> Result<ExitCode, Fatal> {
    if !suppressions.entries.is_empty() {
        let evaluated = rules.rules.iter().map(|r| r.id.as_str()).collect();
        suppress(&mut report, suppressions, &evaluated);
    }
    compare(&mut report, baseline, rules)?;
    warn_suppressions(&report);
    deliver(args, &report)
}

/// The report at `s3://bucket/key`, checked as `report` checks a file.
pub(super) async fn read_stored(session: &Session, location: &str) -> Result<Report, Fatal> {
    let (bucket, key) = location
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .ok_or_else(|| {
            Fatal::new(format!(
                "the function's answer names no stored report (`{location}`)"
            ))
        })?;
    let s3 = session.s3_in(&session.default_region());
    let text = buckets::read(&s3, bucket, key)
        .await
        .map_err(|e| Fatal::new(format!("cannot read {location}: {e}")))?;
    let mut reports = history::parse_all(vec![(location.to_string(), text)]).map_err(Fatal::new)?;
    reports
        .pop()
        .ok_or_else(|| Fatal::new(format!("{location} holds no report")))
}
