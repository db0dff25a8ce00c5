//! `compliance scan --remote --suffix S`: the same scan, run by the deployed scanner
//! Lambda. Synchronously it prints the report the function returns, in every format and
//! with the same exit codes as a local scan (a report too large for Lambda's response
//! is read from the stack's bucket, where the function stored it); `--async` sends the
//! on-demand event instead and prints the scan id the stored report will carry.

use std::process::ExitCode;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_lambda::primitives::Blob;
use serde_json::Value;

use super::scan::{deliver, select_rules};
use crate::aws::errors::CallError;
use crate::aws::session::{Session, Target};
use crate::cli::ScanArgs;
use crate::error::Fatal;
use crate::history;
use crate::lambda::event::{ScanRequest, ON_DEMAND_DETAIL_TYPE, ON_DEMAND_SOURCE};
use crate::report::Report;
use crate::stack::Suffix;

pub async fn run(args: ScanArgs) -> Result<ExitCode, Fatal> {
    let suffix = Suffix::parse(args.suffix.as_deref().unwrap_or_default()).map_err(Fatal::new)?;
    select_rules(&args)?; // unknown rule ids are refused here, before any call
    let mut request = ScanRequest {
        scan_id: None,
        regions: args.regions.clone(),
        rules: args.only_rules.clone(),
        skip_rules: args.skip_rules.clone(),
        services: args.services.clone(),
        min_severity: Some(args.min_severity),
    };
    let session = Session::connect(&Target {
        profile: args.aws.profile.clone(),
        region: None,
        fallback_region: args.regions.first().cloned(),
        endpoint_url: args.aws.endpoint_url.clone(),
    })
    .await?;
    let function = format!("compliance-scanner-{suffix}");

    if args.asynchronous {
        let scan_id = uuid::Uuid::new_v4().to_string();
        request.scan_id = Some(scan_id.clone());
        let detail = serde_json::to_string(&request).map_err(|e| Fatal::new(e.to_string()))?;
        let entry = PutEventsRequestEntry::builder()
            .source(ON_DEMAND_SOURCE)
            .detail_type(ON_DEMAND_DETAIL_TYPE)
            .detail(detail)
            .build();
        let events = aws_sdk_eventbridge::Client::new(&session.config);
        let out = events
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|e| {
                Fatal::new(format!(
                    "cannot send the scan request to EventBridge: {}",
                    CallError::from(e)
                ))
            })?;
        if out.failed_entry_count() > 0 {
            let reason = out
                .entries()
                .first()
                .and_then(|e| e.error_message())
                .unwrap_or("no reason given");
            return Err(Fatal::new(format!(
                "EventBridge refused the scan request: {reason}"
            )));
        }
        if !args.quiet {
            eprintln!("compliance: requested scan {scan_id} from {function}; its report will be stored as scans/<date>/{scan_id}.json in the stack's bucket");
        }
        println!("{scan_id}");
        return Ok(ExitCode::SUCCESS);
    }

    if !args.quiet {
        eprintln!("compliance: running the scan in {function}");
    }
    let lambda = aws_sdk_lambda::Client::new(&session.config);
    let payload =
        serde_json::to_vec(&request.direct_payload()).map_err(|e| Fatal::new(e.to_string()))?;
    let out = lambda.invoke().function_name(&function).payload(Blob::new(payload)).send().await.map_err(|e| {
        Fatal::new(format!("cannot invoke {function}: {}; is the stack deployed (`compliance deploy --suffix {suffix}`)?", CallError::from(e)))
    })?;
    let body: Value = out
        .payload()
        .map(|b| serde_json::from_slice(b.as_ref()))
        .transpose()
        .ok()
        .flatten()
        .unwrap_or(Value::Null);
    if out.function_error().is_some() {
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
    deliver(&args, &report)
}

/// The report at `s3://bucket/key`, checked as `report` checks a file.
async fn read_stored(session: &Session, location: &str) -> Result<Report, Fatal> {
    let (bucket, key) = location
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .ok_or_else(|| {
            Fatal::new(format!(
                "the function's answer names no stored report (`{location}`)"
            ))
        })?;
    let s3 = session.s3_in(&session.default_region());
    let object = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| Fatal::new(format!("cannot read {location}: {}", CallError::from(e))))?;
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|e| Fatal::new(format!("cannot read {location}: {e}")))?
        .into_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut reports = history::parse_all(vec![(location.to_string(), text)]).map_err(Fatal::new)?;
    reports
        .pop()
        .ok_or_else(|| Fatal::new(format!("{location} holds no report")))
}
