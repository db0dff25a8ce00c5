//! `compliance deploy`: creates or updates the stack `compliance-<suffix>` from the
//! embedded template, with this binary (or `--lambda-binary`) as its scanner Lambda.
//!
//! A new stack is created in two passes: first without the function, so its artifact
//! bucket exists; then, with the package uploaded there, with the function. Everything
//! the deploy writes lives in the stack, so `destroy` leaves nothing behind.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::process::ExitCode;

use chrono::Utc;
use serde_json::json;

use super::common::refused;
use crate::aws::buckets::{put, upload_once};
use crate::aws::errors::CallError;
use crate::aws::session::Session;
use crate::aws::stack::{Param, PlannedChange, Stack, StackState, Update};
use crate::cli::{DeployArgs, DeployFormat};
use crate::error::Fatal;
use crate::pipeline;
use crate::stack::package::{package, Package};
use crate::stack::{
    check_email, check_schedule, template_default, Suffix, SUPPRESSIONS_KEY, TEMPLATE,
};
use crate::suppress::DEFAULT_MAX_DAYS;

pub async fn run(args: DeployArgs) -> Result<ExitCode, Fatal> {
    // clap asks for --suffix unless --member-role, which member_role.rs deploys.
    let suffix = Suffix::parse(args.suffix.as_deref().unwrap_or_default()).map_err(Fatal::new)?;
    if let Some(expr) = &args.schedule {
        check_schedule(expr).map_err(Fatal::new)?;
    }
    if let Some(address) = &args.alert_email {
        check_email(address).map_err(Fatal::new)?;
    }
    // The suppression file is checked as a scan checks it, before anything is changed.
    let suppressions = match &args.suppressions {
        Some(path) => {
            let rules = pipeline::load_rules(&[])?;
            pipeline::load_suppressions(Some(path), false, &rules, DEFAULT_MAX_DAYS)?;
            Some(fs::read(path).map_err(|e| {
                Fatal::new(format!(
                    "cannot read suppression file {}: {e}",
                    path.display()
                ))
            })?)
        }
        None => None,
    };
    let pkg = lambda_package(&args)?;
    let session = Session::connect(&args.aws.session_options(args.region.as_ref(), None)).await?;
    let stack = Stack::new(&session, &suffix.stack_name());
    let fail = refused(&stack.name);

    let mut existing = stack.describe().await.map_err(fail)?;
    if let Some(state) = &existing {
        if state.in_progress() {
            return Err(Fatal::new(format!(
                "stack {} is busy ({}); wait for it to finish and deploy again",
                stack.name, state.status
            )));
        }
        if !args.dry_run
            && stack
                .delete_failed_create(state, &say, &say_event)
                .await
                .map_err(fail)?
        {
            existing = None;
        } else if !state.succeeded()
            && state.status != "UPDATE_ROLLBACK_COMPLETE"
            && state.status != "ROLLBACK_COMPLETE"
        {
            return Err(Fatal::new(format!(
                "stack {} is in {}; repair it in CloudFormation or run `compliance destroy --suffix {suffix}` first",
                stack.name, state.status
            )));
        }
    }

    warn_of_unreachable_iam(&args, &session, existing.as_ref());
    if args.dry_run {
        return dry_run(&args, &suffix, &stack, existing.as_ref(), &pkg).await;
    }
    let outcome = match existing {
        None => create(&args, &suffix, &session, &stack, &pkg).await?,
        Some(state) => update(&args, &suffix, &session, &stack, &state, &pkg).await?,
    };
    match outcome {
        Deployment::Done { changed, state } => {
            if let Some(body) = suppressions {
                upload_suppressions(&session, &state, body).await?;
            }
            print_outputs(args.format, &stack.name, changed, &state)?;
            Ok(ExitCode::SUCCESS)
        }
        Deployment::Failed(message) => {
            eprintln!("compliance: deploy failed: {message}");
            Ok(ExitCode::from(1))
        }
    }
}

/// IAM's one interface endpoint exists in us-east-1 alone: in endpoints mode anywhere
/// else the scanner Lambda cannot reach IAM, and says so before anything is deployed
/// rather than in every scan's IAM findings (ERROR, after connect timeouts); nor can it
/// reach a webhook on the internet.
fn warn_of_unreachable_iam(args: &DeployArgs, session: &Session, existing: Option<&StackState>) {
    let mode = args
        .network_mode
        .map(|m| m.as_str().to_string())
        .or_else(|| existing.and_then(|s| s.parameters.get("NetworkMode").cloned()))
        .or_else(|| template_default("NetworkMode"))
        .unwrap_or_default();
    let region = session
        .config
        .region()
        .map(|r| r.to_string())
        .unwrap_or_default();
    if mode == "endpoints" && region != "us-east-1" {
        say(&format!(
            "warning: in {region} the network mode `endpoints` gives the scanner no way to IAM (its only VPC endpoint is in us-east-1), so its IAM rules will report ERROR; deploy with --network-mode nat or none to scan IAM from the Lambda"
        ));
    }
    // Another region's endpoints are not in the VPC, and endpoints mode has no way out.
    let regions = args
        .scan_regions
        .clone()
        .or_else(|| existing.and_then(|s| s.parameters.get("ScanRegions").cloned()))
        .unwrap_or_default();
    if mode == "endpoints"
        && (regions == "all" || regions.split(',').any(|r| !r.is_empty() && r != region))
    {
        say(&format!(
            "warning: the network mode `endpoints` reaches only {region}'s services, so the scheduled scan of ScanRegions `{regions}` cannot read the other regions (their rules will report ERROR); deploy with --network-mode nat or none"
        ));
    }
    // A webhook is on the internet, which endpoints mode gives no route to.
    let webhook = args
        .webhook_secret_arn
        .clone()
        .or_else(|| existing.and_then(|s| s.parameters.get("WebhookSecretArn").cloned()))
        .unwrap_or_default();
    if mode == "endpoints" && !webhook.is_empty() {
        say("warning: the network mode `endpoints` gives the scanner no route to the internet, so it cannot post to the webhook; deploy with --network-mode nat or none");
    }
}

enum Deployment {
    Done { changed: bool, state: StackState },
    Failed(String),
}

/// The zip of `--lambda-binary`, or of this very executable when it is a Linux build
/// with the Lambda handler; checked before anything touches AWS.
fn lambda_package(args: &DeployArgs) -> Result<Package, Fatal> {
    let path = match &args.lambda_binary {
        Some(path) => path.clone(),
        None if cfg!(all(feature = "lambda", target_os = "linux", target_arch = "x86_64")) => {
            std::env::current_exe().map_err(|e| Fatal::new(format!("cannot find this executable to deploy it: {e}")))?
        }
        None => {
            return Err(Fatal::new(
                "this build has no Lambda handler: build one with `cargo build --release --features lambda --target x86_64-unknown-linux-musl` and pass it with --lambda-binary PATH",
            ))
        }
    };
    let binary = std::fs::read(&path).map_err(|e| {
        Fatal::new(format!(
            "cannot read --lambda-binary {}: {e}",
            path.display()
        ))
    })?;
    package(&binary).map_err(|reason| {
        Fatal::new(format!(
            "--lambda-binary {} cannot run on Lambda: {reason}",
            path.display()
        ))
    })
}

/// The stack parameters: each flag, else the value the stack already has, else left
/// out so the template's default applies. (Not UsePreviousValue: an emulator may not
/// keep the defaults it applied, and this reads the same on real AWS.)
fn parameters(
    args: &DeployArgs,
    suffix: &Suffix,
    existing: &BTreeMap<String, String>,
    code_key: Option<&str>,
) -> Vec<Param> {
    let today = Utc::now().format("%Y-%m-%d").to_string();
    let chosen: [(&'static str, Option<String>); 27] = [
        ("EnvironmentSuffix", Some(suffix.to_string())),
        ("AlertEmail", args.alert_email.clone()),
        ("ScheduleExpression", args.schedule.clone()),
        (
            "AlertThreshold",
            args.alert_threshold.map(|s| s.as_str().to_string()),
        ),
        (
            "ReportRetentionDays",
            args.report_retention_days.map(|d| d.to_string()),
        ),
        ("AutoRemediate", args.auto_remediate.map(|b| b.to_string())),
        ("ScanRegions", args.scan_regions.clone()),
        (
            "OrganizationScan",
            args.organization_scan.map(|b| b.to_string()),
        ),
        ("MemberRoleName", args.member_role_name.clone()),
        ("OrganizationUnits", args.organization_units.clone()),
        ("ExcludedAccounts", args.excluded_accounts.clone()),
        ("OrganizationItems", args.organization_items.clone()),
        ("MemberRoleExternalId", args.trusted_external_id.clone()),
        (
            "OrganizationMaxConcurrency",
            args.organization_concurrency.map(|n| n.to_string()),
        ),
        (
            "OrganizationToleratedFailurePercentage",
            args.tolerated_failure_percentage.map(|n| n.to_string()),
        ),
        (
            "SecurityHubExport",
            args.security_hub_export.map(|b| b.to_string()),
        ),
        ("ConfigRules", args.config_rules.map(|b| b.to_string())),
        (
            "ConfigRecorder",
            args.config_recorder.map(|b| b.to_string()),
        ),
        ("WebhookSecretArn", args.webhook_secret_arn.clone()),
        (
            "WebhookFormat",
            args.webhook_format
                .and_then(|f| clap::ValueEnum::to_possible_value(&f))
                .map(|v| v.get_name().to_string()),
        ),
        (
            "WebhookMinSeverity",
            args.webhook_min_severity.map(|s| s.as_str().to_string()),
        ),
        ("Owner", args.owner.clone()),
        ("CostCenter", args.cost_center.clone()),
        ("ComplianceLevel", args.compliance_level.clone()),
        (
            "NetworkMode",
            args.network_mode.map(|m| m.as_str().to_string()),
        ),
        // The first deploy's date names the flow-log group; updates keep it.
        (
            "FlowLogDate",
            existing.get("FlowLogDate").cloned().or(Some(today)),
        ),
        ("LambdaCodeKey", code_key.map(str::to_string)),
    ];
    chosen
        .into_iter()
        .filter_map(|(key, value)| {
            value
                .or_else(|| existing.get(key).cloned())
                .map(|value| Param { key, value })
        })
        .collect()
}

/// Stack-level tags (propagated to every resource, the KMS keys included): the
/// parameter's value, else the template's default.
fn tags(params: &[Param], suffix: &Suffix) -> Vec<(String, String)> {
    let value = |key: &str| {
        params
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.clone())
            .or_else(|| template_default(key))
            .unwrap_or_default()
    };
    vec![
        ("Environment".to_string(), suffix.to_string()),
        ("Owner".to_string(), value("Owner")),
        ("CostCenter".to_string(), value("CostCenter")),
        ("ComplianceLevel".to_string(), value("ComplianceLevel")),
    ]
}

async fn create(
    args: &DeployArgs,
    suffix: &Suffix,
    session: &Session,
    stack: &Stack,
    pkg: &Package,
) -> Result<Deployment, Fatal> {
    let fail = refused(&stack.name);
    let first = parameters(args, suffix, &BTreeMap::new(), None);
    let tags = tags(&first, suffix);

    say(&format!(
        "creating stack {} (1/2: network, keys, buckets, topics)",
        stack.name
    ));
    let since = Utc::now();
    stack.create(TEMPLATE, &first, &tags).await.map_err(fail)?;
    let state = stack.wait(since, &say_event).await.map_err(fail)?;
    let Some(state) = state.filter(StackState::succeeded) else {
        return Ok(Deployment::Failed(
            explain(stack, since, "the create failed and was rolled back; the next deploy deletes the stack and creates it again").await,
        ));
    };

    upload(session, &state, pkg).await?;

    say(&format!(
        "updating stack {} (2/2: the scanner Lambda, its schedule and alarm)",
        stack.name
    ));
    let second = parameters(args, suffix, &state.parameters, Some(&pkg.key));
    let since = Utc::now();
    stack.update(TEMPLATE, &second, &tags).await.map_err(fail)?;
    match stack.wait(since, &say_event).await.map_err(fail)?.filter(StackState::succeeded) {
        Some(state) => Ok(Deployment::Done { changed: true, state }),
        None => Ok(Deployment::Failed(
            explain(stack, since, "adding the scanner failed and was rolled back; the stack holds everything but the Lambda").await,
        )),
    }
}

async fn update(
    args: &DeployArgs,
    suffix: &Suffix,
    session: &Session,
    stack: &Stack,
    state: &StackState,
    pkg: &Package,
) -> Result<Deployment, Fatal> {
    let fail = refused(&stack.name);
    let params = parameters(args, suffix, &state.parameters, Some(&pkg.key));
    let tags = tags(&params, suffix);

    upload(session, state, pkg).await?;

    let same_params = params
        .iter()
        .all(|p| state.parameters.get(p.key) == Some(&p.value));
    let same_template = stack.template().await.map_err(fail)? == TEMPLATE;
    let since = Utc::now();
    let update = if same_params && same_template && state.succeeded() {
        Update::NothingToDo
    } else {
        say(&format!("updating stack {}", stack.name));
        stack.update(TEMPLATE, &params, &tags).await.map_err(fail)?
    };
    if update == Update::NothingToDo {
        say(&format!(
            "stack {} is up to date; nothing changed",
            stack.name
        ));
        return Ok(Deployment::Done {
            changed: false,
            state: state.clone(),
        });
    }
    match stack
        .wait(since, &say_event)
        .await
        .map_err(fail)?
        .filter(StackState::succeeded)
    {
        Some(state) => Ok(Deployment::Done {
            changed: true,
            state,
        }),
        None => Ok(Deployment::Failed(
            explain(
                stack,
                since,
                "the update was rolled back; the stack is as it was",
            )
            .await,
        )),
    }
}

async fn dry_run(
    args: &DeployArgs,
    suffix: &Suffix,
    stack: &Stack,
    existing: Option<&StackState>,
    pkg: &Package,
) -> Result<ExitCode, Fatal> {
    let fail = |e: CallError| {
        Fatal::new(format!(
            "CloudFormation refused a change set for {}: {e}",
            stack.name
        ))
    };
    if existing.is_some_and(|s| s.status == "ROLLBACK_COMPLETE") {
        say(&format!(
            "stack {} is in ROLLBACK_COMPLETE: a deploy would delete it and create it again",
            stack.name
        ));
    }
    let changes = match existing.filter(|s| s.status != "ROLLBACK_COMPLETE") {
        Some(state) => {
            let params = parameters(args, suffix, &state.parameters, Some(&pkg.key));
            stack
                .preview(TEMPLATE, &params, &tags(&params, suffix), true)
                .await
                .map_err(fail)?
        }
        None => {
            let params = parameters(args, suffix, &BTreeMap::new(), Some(&pkg.key));
            stack
                .preview(TEMPLATE, &params, &tags(&params, suffix), false)
                .await
                .map_err(fail)?
        }
    };
    say(&format!(
        "dry run: {} change(s) to stack {}; nothing was changed",
        changes.len(),
        stack.name
    ));
    print_changes(args.format, &stack.name, &changes)?;
    Ok(ExitCode::SUCCESS)
}

/// Puts the package in the stack's artifact bucket, unless a package with the same
/// content (same key) is there already.
async fn upload(session: &Session, state: &StackState, pkg: &Package) -> Result<(), Fatal> {
    let bucket = state
        .outputs
        .get("ArtifactBucketName")
        .cloned()
        .unwrap_or_default();
    let s3 = session.s3_in(&session.default_region());
    let uploaded = upload_once(&s3, &bucket, &pkg.key, pkg.zip.clone())
        .await
        .map_err(|e| Fatal::new(format!("cannot upload the scanner to {bucket}: {e}")))?;
    if uploaded {
        say(&format!(
            "uploaded the scanner to s3://{bucket}/{}",
            pkg.key
        ));
    }
    Ok(())
}

/// Stores the suppression file where the scheduled scans read it (the bucket keeps
/// the versions it replaces).
async fn upload_suppressions(
    session: &Session,
    state: &StackState,
    body: Vec<u8>,
) -> Result<(), Fatal> {
    let bucket = state
        .outputs
        .get("ReportBucketName")
        .cloned()
        .unwrap_or_default();
    let s3 = session.s3_in(&session.default_region());
    put(&s3, &bucket, SUPPRESSIONS_KEY, body, "application/yaml")
        .await
        .map_err(|e| {
            Fatal::new(format!(
                "the stack is deployed, but the suppression file could not be stored at s3://{bucket}/{SUPPRESSIONS_KEY}: {e}; deploy again with --suppressions"
            ))
        })?;
    say(&format!(
        "stored the suppression file at s3://{bucket}/{SUPPRESSIONS_KEY}"
    ));
    Ok(())
}

/// The failed resources and their reasons, as one message.
async fn explain(stack: &Stack, since: chrono::DateTime<Utc>, what_now: &str) -> String {
    let failures = stack.failures(since).await.unwrap_or_default();
    for f in &failures {
        eprintln!(
            "  {} ({}) {}: {}",
            f.logical_id, f.resource_type, f.status, f.reason
        );
    }
    let status = stack
        .describe()
        .await
        .ok()
        .flatten()
        .map(|s| s.status)
        .unwrap_or_else(|| "gone".to_string());
    format!("stack {} is {status}; {what_now}", stack.name)
}

fn say(line: &str) {
    eprintln!("compliance: {line}");
}

fn say_event(line: &str) {
    eprintln!("  {line}");
}

fn print_outputs(
    format: DeployFormat,
    stack: &str,
    changed: bool,
    state: &StackState,
) -> Result<(), Fatal> {
    let mut out = io::stdout().lock();
    let written = match format {
        DeployFormat::Json => writeln!(
            out,
            "{}",
            json!({"stack": stack, "status": state.status, "changed": changed, "outputs": state.outputs})
        ),
        DeployFormat::Table => {
            let width = state.outputs.keys().map(String::len).max().unwrap_or(0);
            state
                .outputs
                .iter()
                .try_for_each(|(k, v)| writeln!(out, "{k:<width$}  {v}"))
        }
    };
    written.or_else(ignore_closed_pipe)
}

fn print_changes(
    format: DeployFormat,
    stack: &str,
    changes: &[PlannedChange],
) -> Result<(), Fatal> {
    let mut out = io::stdout().lock();
    let written = match format {
        DeployFormat::Json => writeln!(
            out,
            "{}",
            json!({"stack": stack, "dry_run": true, "changes": changes})
        ),
        DeployFormat::Table => changes.iter().try_for_each(|c| {
            let replacement = c
                .replacement
                .as_deref()
                .map(|r| format!(" (replacement: {r})"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:<8} {:<34} {}{replacement}",
                c.action, c.resource_type, c.logical_id
            )
        }),
    };
    written.or_else(ignore_closed_pipe)
}

fn ignore_closed_pipe(e: io::Error) -> Result<(), Fatal> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(Fatal::new(format!("cannot write to stdout: {e}")))
    }
}
