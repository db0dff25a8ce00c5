//! Carries out planned fixes: for each action, re-read the resource, decide
//! (`remediate::Fix::decide`), and — when applying — make the change, read the resource
//! again and count the action applied only if that state passes. Every action yields
//! one audit record, whatever happens; one failing action never stops the others.

mod ec2;
mod lambda;
mod s3;
mod sns;
mod tags;

use futures::stream::{self, StreamExt};
use serde_json::Value;

use super::errors::CallError;
use super::session::Session;
use crate::remediate::{Action, AuditRecord, Context, Decision, Fix, Outcome, Run};

/// Plan only (read calls), or change resources too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    DryRun,
    Apply,
}

/// Answers meaning the resource is gone: nothing to fix any more.
const GONE: &[&str] = &[
    "NoSuchBucket",
    "ResourceNotFoundException",
    "NotFoundException",
    "NotFound",
    "InvalidVpcID.NotFound",
];

/// Runs `actions`, `concurrency` resources at a time. The actions on one resource run
/// one after the other, in plan order (a later fix decides on what an earlier one
/// changed); records come back grouped by resource, and `each` sees every record as
/// soon as its resource is done.
pub async fn execute(
    session: &Session,
    actions: &[Action],
    ctx: &Context,
    mode: Mode,
    run: &Run,
    concurrency: usize,
    each: &mut dyn FnMut(&AuditRecord),
) -> Vec<AuditRecord> {
    let mut groups: Vec<Vec<&Action>> = Vec::new();
    for action in actions {
        let same = |g: &Vec<&Action>| {
            g[0].target.resource_id == action.target.resource_id
                && g[0].target.region == action.target.region
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(group) => group.push(action),
            None => groups.push(vec![action]),
        }
    }
    let mut done = stream::iter(groups.into_iter().map(|group| async move {
        let mut records = Vec::with_capacity(group.len());
        for action in group {
            records.push(one(session, action, ctx, mode, run).await);
        }
        records
    }))
    .buffered(concurrency.max(1));
    let mut records = Vec::with_capacity(actions.len());
    while let Some(batch) = done.next().await {
        for record in batch {
            each(&record);
            records.push(record);
        }
    }
    records
}

async fn one(
    session: &Session,
    action: &Action,
    ctx: &Context,
    mode: Mode,
    run: &Run,
) -> AuditRecord {
    let record = |change: String, before: Value, after: Value, result: Outcome, reason: String| {
        AuditRecord {
            change,
            before,
            after,
            ..run.record(&action.target, Some(action.fix), result, reason)
        }
    };
    let before = match read(session, action).await {
        Ok(state) => state,
        Err(e) if e.is(GONE) => {
            return record(
                String::new(),
                Value::Null,
                Value::Null,
                Outcome::Skipped,
                format!("the resource no longer exists ({})", e.code),
            )
        }
        Err(e) => {
            return record(
                String::new(),
                Value::Null,
                Value::Null,
                Outcome::Failed,
                format!("could not re-read the resource: {e}"),
            )
        }
    };
    let change = match action.fix.decide(&before, &action.target, ctx) {
        Decision::Compliant(reason) | Decision::NeedsInput(reason) => {
            return record(String::new(), before, Value::Null, Outcome::Skipped, reason)
        }
        Decision::Change(change) => change,
    };
    if mode == Mode::DryRun {
        return record(
            change,
            before,
            Value::Null,
            Outcome::Planned,
            "dry run: pass --apply to make the change".to_string(),
        );
    }
    if let Err(reason) = write(session, action, ctx, &before).await {
        return record(change, before, Value::Null, Outcome::Failed, reason);
    }
    match read(session, action).await {
        Ok(after) if action.fix.satisfied(&after, &action.target) => record(
            change,
            before,
            after,
            Outcome::Applied,
            "changed, and the state read back passes".to_string(),
        ),
        Ok(after) => record(
            change,
            before,
            after,
            Outcome::Failed,
            "the change was accepted but the state read back still fails".to_string(),
        ),
        Err(e) => record(
            change,
            before,
            Value::Null,
            Outcome::Failed,
            format!("the change was made but could not be verified: {e}"),
        ),
    }
}

/// The state `action.fix` decides on, read now.
async fn read(session: &Session, action: &Action) -> Result<Value, CallError> {
    let t = &action.target;
    match action.fix {
        Fix::S3DefaultEncryption | Fix::S3KmsEncryption => s3::encryption(session, t).await,
        Fix::S3BlockPublicAccess => s3::public_access_block(session, t).await,
        Fix::S3Versioning => s3::versioning(session, t).await,
        Fix::LambdaTracing => lambda::tracing(session, t).await,
        Fix::VpcFlowLogs => ec2::flow_logs(session, t).await,
        Fix::SnsKmsEncryption => sns::encryption(session, t).await,
        Fix::MandatoryTags => tags::read(session, t).await,
    }
}

/// Makes the change `action.fix` decided on, from the state `before` just read.
async fn write(
    session: &Session,
    action: &Action,
    ctx: &Context,
    before: &Value,
) -> Result<(), String> {
    let t = &action.target;
    match action.fix {
        Fix::S3DefaultEncryption | Fix::S3KmsEncryption => {
            s3::encrypt(session, t, ctx.kms_key.as_deref()).await
        }
        Fix::S3BlockPublicAccess => s3::block_public_access(session, t).await,
        Fix::S3Versioning => s3::enable_versioning(session, t).await,
        Fix::LambdaTracing => lambda::activate_tracing(session, t).await,
        Fix::VpcFlowLogs => ec2::create_flow_log(session, t, ctx).await,
        Fix::SnsKmsEncryption => sns::encrypt(session, t, ctx.kms_key.as_deref()).await,
        Fix::MandatoryTags => tags::add_missing(session, t, ctx, before).await,
    }
}

/// A failed write, named after its call: `PutBucketEncryption failed: AccessDenied: …`.
fn failed<E: Into<CallError>>(call: &str) -> impl Fn(E) -> String + '_ {
    move |e| format!("{call} failed: {}", e.into())
}
