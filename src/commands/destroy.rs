//! `compliance destroy`: empties every bucket the stack owns (all versions and delete
//! markers), deletes the stack, waits until it is gone, and names anything still
//! tagged with the stack's name. Touches nothing the stack does not own; a stack that
//! does not exist is already destroyed.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use chrono::Utc;

use super::common::refused;
use super::files::ask;
use crate::aws::buckets::empty;
use crate::aws::leftovers::tagged_with_stack;
use crate::aws::session::Session;
use crate::aws::stack::Stack;
use crate::cli::DestroyArgs;
use crate::error::Fatal;
use crate::stack::Suffix;

pub async fn run(args: DestroyArgs) -> Result<ExitCode, Fatal> {
    let suffix = Suffix::parse(&args.suffix).map_err(Fatal::new)?;
    let name = suffix.stack_name();
    if !args.yes {
        confirm(&name, &suffix)?;
    }
    let session = Session::connect(&args.aws.session_options(args.region.as_ref(), None)).await?;
    let stack = Stack::new(&session, &name);
    let fail = refused(&name);

    let Some(state) = stack.describe().await.map_err(fail)? else {
        eprintln!("compliance: stack {name} does not exist; nothing to destroy");
        return Ok(ExitCode::SUCCESS);
    };
    if state.in_progress() && state.status != "DELETE_IN_PROGRESS" {
        return Err(Fatal::new(format!(
            "stack {name} is busy ({}); wait for it to finish and destroy again",
            state.status
        )));
    }

    let s3 = session.s3_in(&session.default_region());
    for bucket in stack.resources_of("AWS::S3::Bucket").await.map_err(fail)? {
        match empty(&s3, &bucket).await {
            Ok(n) => eprintln!(
                "compliance: emptied s3://{bucket} ({n} object versions and delete markers)"
            ),
            Err(e) if e.code == "NoSuchBucket" => {}
            Err(e) => {
                return Err(Fatal::new(format!(
                    "cannot empty s3://{bucket}: {e}; the stack was not deleted"
                )))
            }
        }
    }

    eprintln!("compliance: deleting stack {name}");
    let since = Utc::now();
    stack.delete().await.map_err(fail)?;
    match stack
        .wait(since, &|line| eprintln!("  {line}"))
        .await
        .map_err(fail)?
    {
        None => Ok(deleted(&session, &name).await),
        Some(state) if state.status == "DELETE_COMPLETE" => Ok(deleted(&session, &name).await),
        Some(state) => {
            for f in stack.failures(since).await.unwrap_or_default() {
                eprintln!(
                    "  {} ({}) {}: {}",
                    f.logical_id, f.resource_type, f.status, f.reason
                );
            }
            eprintln!(
                "compliance: destroy failed: stack {name} is {}; the resources above remain",
                state.status
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// Says the stack is gone, and names what it left behind: exit 1 when something tagged
/// with its name remains.
async fn deleted(session: &Session, name: &str) -> ExitCode {
    eprintln!("compliance: stack {name} deleted");
    match tagged_with_stack(session, name).await {
        Ok(left) if left.is_empty() => ExitCode::SUCCESS,
        Ok(left) => {
            eprintln!(
                "compliance: {} resource(s) tagged aws:cloudformation:stack-name={name} remain \
                 (kept by a DeletionPolicy, or not deleted by CloudFormation); delete them by hand:",
                left.len()
            );
            for arn in &left {
                eprintln!("  {arn}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!(
                "compliance: warning: could not look for resources the stack left behind \
                 (Resource Groups Tagging API: {e})"
            );
            ExitCode::SUCCESS
        }
    }
}

/// Asks on a terminal; refuses elsewhere (CI must say `--yes`).
fn confirm(name: &str, suffix: &Suffix) -> Result<(), Fatal> {
    if !io::stdin().is_terminal() {
        return Err(Fatal::new(format!(
            "destroy deletes stack {name} and every object in its buckets; pass --yes to confirm"
        )));
    }
    let answer = ask(&format!(
        "Delete stack {name} and every object in its buckets? Type the suffix ({suffix}) to confirm: "
    ))?;
    if answer != suffix.as_str() {
        return Err(Fatal::new("not confirmed; nothing was deleted"));
    }
    Ok(())
}
