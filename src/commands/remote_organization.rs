//! `compliance scan --remote --suffix S --organization`: start the stack's organisation
//! run (`OrganizationScan`) now, as the schedule would. It prints the run id the stored
//! report will carry; with `--wait` it follows the execution and prints the
//! organisation's report, in every format and with the same exit codes as a local scan
//! of several accounts. A run the machine marked failed (too many accounts failed)
//! still has its report: it is printed, and the failure said on stderr.

use std::process::ExitCode;
use std::time::Duration;

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::Value;

use super::common::{load_baseline, select_rules};
use super::remote::{finish, read_stored};
use crate::aws::session::Session;
use crate::aws::stack::Stack;
use crate::aws::state_machine::{describe, start};
use crate::cli::ScanArgs;
use crate::error::Fatal;
use crate::stack::{scan_key, Suffix};

/// How often a waiting run is asked how it is going.
const POLL: Duration = Duration::from_secs(5);

pub async fn run(args: ScanArgs, suffix: Suffix) -> Result<ExitCode, Fatal> {
    refuse_selection(&args)?;
    let (rules, suppressions) = select_rules(&args)?;
    let baseline = load_baseline(&args).await?;
    let session = Session::connect(&args.aws.session_options(None, None)).await?;
    let region = session.default_region();
    let machine = format!(
        "arn:{}:states:{region}:{}:stateMachine:{}",
        crate::model::partition(&region),
        session.account_id,
        suffix.state_machine_name()
    );
    let run_id = uuid::Uuid::new_v4().to_string();
    let execution = start(&session, &machine, &run_id).await.map_err(|e| {
        let why = if e.is(&["StateMachineDoesNotExist"]) {
            format!("the stack compliance-{suffix} has no organisation run: deploy it with `compliance deploy --suffix {suffix} --organization-scan true`")
        } else {
            format!("cannot start {machine}: {e}")
        };
        Fatal::new(why)
    })?;
    let say = |line: &str| {
        if !args.quiet {
            eprintln!("compliance: {line}");
        }
    };
    say(&format!(
        "started the organisation run {run_id} ({execution})"
    ));
    if !args.wait {
        say(&format!("its report will be stored as scans/<date>/{run_id}.json in the stack's bucket; follow it with `aws stepfunctions describe-execution --execution-arn {execution}`"));
        println!("{run_id}");
        return Ok(ExitCode::SUCCESS);
    }

    let mut seen = None;
    let progress = loop {
        let progress = describe(&session, &execution)
            .await
            .map_err(|e| Fatal::new(format!("cannot follow {execution}: {e}")))?;
        if seen.as_ref() != Some(&progress.status) {
            say(&format!("the run is {}", progress.status.as_str()));
            seen = Some(progress.status.clone());
        }
        if progress.status != ExecutionStatus::Running
            && progress.status != ExecutionStatus::PendingRedrive
        {
            break progress;
        }
        tokio::time::sleep(POLL).await;
    };
    // The aggregation's answer names the report; a failed run has none, and its report
    // is where the aggregation stores every run's.
    let named = progress
        .output
        .as_deref()
        .and_then(|o| serde_json::from_str::<Value>(o).ok())
        .and_then(|o| {
            o.get("location")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    let location = match named {
        Some(location) => location,
        None => {
            let stack = Stack::new(&session, &suffix.stack_name());
            let bucket = stack.report_bucket().await.map_err(Fatal::new)?;
            format!(
                "s3://{bucket}/{}.json",
                scan_key(progress.started_at, &run_id)
            )
        }
    };
    let failed = progress.status != ExecutionStatus::Succeeded;
    let ended = format!(
        "the organisation run {run_id} ended {}{}",
        progress.status.as_str(),
        progress
            .error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
    let report = match read_stored(&session, &location).await {
        Ok(report) => report,
        Err(e) if failed => return Err(Fatal::new(format!("{ended} and left no report: {e}"))),
        Err(e) => return Err(e),
    };
    if failed {
        eprintln!("warning: {ended}; its report follows");
    }
    say(&format!("the report is stored at {location}"));
    finish(&args, (&rules, &suppressions), baseline.as_ref(), report)
}

/// The organisation run scans with the stack's rules and `ScanRegions`: a narrower scan
/// asked here would be silently ignored, so it is refused.
fn refuse_selection(args: &ScanArgs) -> Result<(), Fatal> {
    let narrowed = [
        ("--rule", !args.only_rules.is_empty()),
        ("--skip-rule", !args.skip_rules.is_empty()),
        ("--service", !args.services.is_empty()),
        ("--region", !args.regions.is_empty()),
        (
            "--min-severity",
            args.min_severity != crate::rules::Severity::Info,
        ),
    ];
    let given: Vec<&str> = narrowed
        .iter()
        .filter(|(_, on)| *on)
        .map(|(flag, _)| *flag)
        .collect();
    if given.is_empty() {
        return Ok(());
    }
    Err(Fatal::new(format!(
        "the organisation run scans with the stack's rules and ScanRegions, so {} cannot narrow `scan --remote --organization`; filter its report with `compliance report` instead",
        given.join(", ")
    )))
}
