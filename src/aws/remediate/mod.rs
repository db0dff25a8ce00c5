//! Carries out planned fixes. For each action: read the resource again through its
//! service's collector (`collect::collect_one`, the same code and model a scan uses),
//! judge it with the rule the finding came from, let the fix decide on what it read,
//! and — when applying — make the change, read again, and count the action applied
//! only when the rule passes on what was read back. Every action yields one audit
//! record, whatever happens; one failing action never stops the others.
//!
//! Each fix (its id, permissions, decision and write) is defined in its service's file
//! here and listed once in `FIXES`.

mod dynamodb;
mod ec2;
mod ecr;
mod elbv2;
mod imds;
mod lambda;
mod rds;
mod s3;
mod sns;
mod tags;

use std::sync::atomic::{AtomicBool, Ordering};

use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde_json::Value;

use super::collect::{collect_one, Collected, Wanted};
use super::errors::CallError;
use super::session::Session;
use crate::model::{Properties, Resource, ResourceKind};
use crate::remediate::{Action, AuditRecord, Decision, FixOptions, FixTarget, Outcome, Run};
use crate::rules::evaluate::Setting;
use crate::rules::{Rule, RuleSet, Status};

/// A safe fix: it only ever adds or turns on configuration.
pub struct Fix {
    /// As rules name it in `remediation.automatic`.
    pub id: &'static str,
    /// Every IAM action the fix calls on a resource of a kind, the re-read included.
    pub permissions: fn(ResourceKind) -> &'static [&'static str],
    /// The change for a resource its rule fails on, decided on the re-read properties.
    pub decide: fn(&Properties, &FixTarget, &FixOptions) -> Decision,
    /// Makes the change decided on `before`.
    pub apply: Apply,
}

/// A fix's write: the session, the resource, the operator's values and the re-read
/// properties it decided on; the error names the refused call.
pub type Apply = for<'a> fn(
    &'a Session,
    &'a FixTarget,
    &'a FixOptions,
    &'a Properties,
) -> BoxFuture<'a, Result<(), String>>;

/// Every fix this build applies.
pub static FIXES: &[&Fix] = &[
    &s3::DEFAULT_ENCRYPTION,
    &s3::KMS_ENCRYPTION,
    &s3::BLOCK_PUBLIC_ACCESS,
    &s3::VERSIONING,
    &lambda::TRACING,
    &ec2::FLOW_LOGS,
    &imds::IMDSV2_REQUIRED,
    &sns::KMS_ENCRYPTION,
    &rds::DELETION_PROTECTION,
    &rds::COPY_TAGS_TO_SNAPSHOT,
    &dynamodb::POINT_IN_TIME_RECOVERY,
    &dynamodb::DELETION_PROTECTION,
    &ecr::SCAN_ON_PUSH,
    &ecr::TAG_IMMUTABILITY,
    &elbv2::DELETION_PROTECTION,
    &tags::MANDATORY_TAGS,
];

/// The fix with this id.
pub fn find(id: &str) -> Option<&'static Fix> {
    FIXES.iter().copied().find(|f| f.id == id)
}

/// The ids of every fix, for rule loading.
pub fn ids() -> Vec<&'static str> {
    FIXES.iter().map(|f| f.id).collect()
}

/// The IAM permissions `actions` need, sorted.
pub fn permissions(actions: &[Action]) -> Vec<&'static str> {
    let set: std::collections::BTreeSet<&'static str> = actions
        .iter()
        .filter_map(|a| find(&a.fix).map(|f| (f, a.target.resource_type)))
        .flat_map(|(f, kind)| (f.permissions)(kind).iter().copied())
        .collect();
    set.into_iter().collect()
}

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

/// What every action of one run shares.
pub struct Runner<'a> {
    pub session: &'a Session,
    /// The rules the findings came from: each re-read resource is judged by its own.
    pub rules: &'a RuleSet,
    pub options: &'a FixOptions,
    pub mode: Mode,
    pub run: &'a Run,
    /// Resources worked on at once.
    pub concurrency: usize,
    /// Set when the audit refused a record: the changes not yet made are not made.
    pub stop: &'a AtomicBool,
}

/// Runs `actions`, `runner.concurrency` resources at a time. The actions on one resource
/// run one after the other, in plan order (a later fix decides on what an earlier one
/// changed); records come back grouped by resource, and `each` sees every record as
/// soon as its resource is done.
pub async fn execute(
    runner: &Runner<'_>,
    actions: &[Action],
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
    // Unordered, so one slow resource never holds the others' turns; the groups are put
    // back in plan order at the end.
    let mut done = stream::iter(
        groups
            .into_iter()
            .enumerate()
            .map(|(at, group)| async move {
                let mut records = Vec::with_capacity(group.len());
                for action in group {
                    records.push(one(runner, action).await);
                }
                (at, records)
            }),
    )
    .buffer_unordered(runner.concurrency.max(1));
    let mut batches = Vec::new();
    while let Some((at, batch)) = done.next().await {
        batch.iter().for_each(&mut *each);
        batches.push((at, batch));
    }
    batches.sort_by_key(|(at, _)| *at);
    batches.into_iter().flat_map(|(_, batch)| batch).collect()
}

/// A resource read again for its rule.
enum ReRead {
    Found(Box<Resource>),
    Gone(String),
    Unreadable(CallError),
}

async fn reread(session: &Session, rule: &Rule, target: &FixTarget) -> ReRead {
    let wanted = Wanted {
        kind: target.resource_type,
        id: target.resource_id.clone(),
        arn: target.resource_arn.clone(),
        region: target.region.clone(),
    };
    let Collected {
        resources, errors, ..
    } = collect_one(session, &wanted, &rule.needs()).await;
    let error = |e: &crate::model::CollectionError| CallError {
        code: e.code.clone(),
        message: format!("{} failed: {}", e.operation, e.message),
    };
    if let Some(gone) = errors.iter().find(|e| GONE.contains(&e.code.as_str())) {
        return ReRead::Gone(gone.code.clone());
    }
    if let Some(e) = errors.first() {
        return ReRead::Unreadable(error(e));
    }
    match resources.into_iter().next() {
        Some(resource) => ReRead::Found(Box::new(resource)),
        None => ReRead::Gone("not listed".to_string()),
    }
}

/// The rule's verdict on a re-read resource, by the engine's own judgement.
fn judge(rule: &Rule, resource: &Resource, account_id: &str) -> (Status, String) {
    // A fix decides on the account as it is now.
    let setting = Setting {
        region: &resource.region,
        account_id,
        at: chrono::Utc::now(),
    };
    let j = rule.judge(&resource.properties.attributes(), &|_| None, setting);
    (j.status, j.message)
}

/// The attributes the rule reads, as the audit records them.
fn state(rule: &Rule, resource: &Resource) -> Value {
    let read = rule.attributes();
    match resource.properties.attributes() {
        Value::Object(map) => map.into_iter().filter(|(k, _)| read.contains(k)).collect(),
        other => other,
    }
}

async fn one(runner: &Runner<'_>, action: &Action) -> AuditRecord {
    let Runner {
        session,
        rules,
        options,
        mode,
        run,
        ..
    } = *runner;
    let record = |change: String, before: Value, after: Value, result: Outcome, reason: String| {
        AuditRecord {
            change,
            before,
            after,
            ..run.record(&action.target, Some(&action.fix), result, reason)
        }
    };
    let failed = |reason: String| {
        record(
            String::new(),
            Value::Null,
            Value::Null,
            Outcome::Failed,
            reason,
        )
    };
    let (Some(fix), Some(rule)) = (find(&action.fix), rules.get(&action.target.rule_id)) else {
        return failed(format!(
            "fix {} or rule {} is not loaded (pass the --rules the scan used)",
            action.fix, action.target.rule_id
        ));
    };
    let before = match reread(session, rule, &action.target).await {
        ReRead::Found(resource) => resource,
        ReRead::Gone(code) => {
            return record(
                String::new(),
                Value::Null,
                Value::Null,
                Outcome::Skipped,
                format!("the resource no longer exists ({code})"),
            )
        }
        ReRead::Unreadable(e) => return failed(format!("could not re-read the resource: {e}")),
    };
    let before_state = state(rule, &before);
    match judge(rule, &before, &run.account_id) {
        (Status::Pass | Status::NotApplicable, _) => {
            return record(
                String::new(),
                before_state,
                Value::Null,
                Outcome::Skipped,
                format!(
                    "the resource passes {} now (it changed since the scan)",
                    rule.id
                ),
            )
        }
        (Status::Error, message) => return failed(format!("could not judge it: {message}")),
        (Status::Fail, _) => {}
    }
    let change = match (fix.decide)(&before.properties, &action.target, options) {
        Decision::NeedsInput(reason) => {
            return record(
                String::new(),
                before_state,
                Value::Null,
                Outcome::Skipped,
                reason,
            )
        }
        Decision::Change(change) => change,
    };
    if mode == Mode::DryRun {
        return record(
            change,
            before_state,
            Value::Null,
            Outcome::Planned,
            "dry run: pass --apply to make the change".to_string(),
        );
    }
    if runner.stop.load(Ordering::SeqCst) {
        return record(
            change,
            before_state,
            Value::Null,
            Outcome::Skipped,
            "not made: the audit refused an earlier record, so the run stopped changing"
                .to_string(),
        );
    }
    if let Err(reason) = (fix.apply)(session, &action.target, options, &before.properties).await {
        return record(change, before_state, Value::Null, Outcome::Failed, reason);
    }
    let after = match reread(session, rule, &action.target).await {
        ReRead::Found(resource) => resource,
        ReRead::Gone(code) => {
            return record(
                change,
                before_state,
                Value::Null,
                Outcome::Failed,
                format!("the change was made but the resource could not be found again ({code})"),
            )
        }
        ReRead::Unreadable(e) => {
            return record(
                change,
                before_state,
                Value::Null,
                Outcome::Failed,
                format!("the change was made but could not be verified: {e}"),
            )
        }
    };
    let after_state = state(rule, &after);
    match judge(rule, &after, &run.account_id) {
        (Status::Pass, _) => record(
            change,
            before_state,
            after_state,
            Outcome::Applied,
            format!("changed, and {} passes on the state read back", rule.id),
        ),
        (_, message) => record(
            change,
            before_state,
            after_state,
            Outcome::Failed,
            format!(
                "the change was accepted but {} still fails on the state read back: {message}",
                rule.id
            ),
        ),
    }
}

/// A failed write, named after its call: `PutBucketEncryption failed: AccessDenied: …`.
fn failed<E: Into<CallError>>(call: &str) -> impl Fn(E) -> String + '_ {
    move |e| format!("{call} failed: {}", e.into())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;

    use super::*;
    use crate::model::schema::lookup;

    /// Options as the command line would give them, on a fixed day.
    pub(super) fn options(kms_key: Option<&str>, tags: &[(&str, &str)]) -> FixOptions {
        FixOptions {
            kms_key: kms_key.map(str::to_string),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            account_id: "123456789012".into(),
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        }
    }

    pub(super) fn target(required: &[&str]) -> FixTarget {
        FixTarget {
            rule_id: "r".into(),
            resource_type: ResourceKind::S3Bucket,
            resource_id: "b".into(),
            resource_arn: None,
            region: "eu-west-1".into(),
            required_tags: required.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn every_fix_has_a_unique_id_and_every_rule_naming_one_has_its_permissions() {
        let ids = ids();
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        for rule in crate::rules::load::load(&[], &ids).unwrap().rules {
            let Some(fix) = rule.remediation.automatic.as_deref().and_then(find) else {
                continue;
            };
            let granted = (fix.permissions)(rule.resource);
            // The re-read makes the calls of the attributes the rule reads.
            let spec = rule.resource.service().spec();
            for attr in rule.attributes() {
                if let Some(call) = lookup(rule.resource.schema(), &attr).and_then(|f| f.call) {
                    let action = spec.action(call);
                    assert!(
                        granted.contains(&action.as_str()),
                        "{}: {action} (the re-read of {attr}) is not declared",
                        fix.id
                    );
                }
            }
        }
    }
}
