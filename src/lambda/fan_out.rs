//! The organisation run's three steps, each one invocation the stack's state machine
//! makes (`OrganizationScan`): `list` writes the organisation's active accounts, one
//! `account` event each, to the report bucket for the Distributed Map's item reader;
//! `account` scans one account through its member role and stores its report under the
//! run's prefix (or why it has none); `aggregate` puts every account's outcome into one
//! report, stores it where single-account runs store theirs, records it in the findings
//! history, and alerts once (to the topics, and its new failures to the webhook). An account
//! whose item left nothing (failed after the machine's retries) is an account not
//! scanned in that report, never a gap.

use chrono::{DateTime, Utc};
use lambda_runtime::{Error, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::deliveries::record_and_notify;
use super::handler::{
    collection_deadline, publish_alerts, store_report, stored_suppressions, Problems,
};
use super::log::{fail, log};
use super::metrics::emf_lines;
use super::settings::Settings;
use super::shares;
use crate::aws::buckets::{put, read};
use crate::aws::organizations::active_accounts;
use crate::aws::session::{Role, Session, SessionOptions};
use crate::organization::scan::{reached, scan_account, Plan};
use crate::organization::{combine, Account, Outcome, Run};
use crate::pipeline::Silent;
use crate::rules::RuleSet;
use crate::stack::{scan_key, ORGANIZATION_FAILING_KEY};

/// The key of the state machine's payloads.
pub const ORGANIZATION_KEY: &str = "compliance_organization";

/// The session name the member roles see in their CloudTrail.
const SESSION_NAME: &str = "compliance-organization-scan";

/// One step of an organisation run. `run_id` is the execution's name and `started_at`
/// its start: together they place every object of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    List {
        run_id: String,
        started_at: DateTime<Utc>,
    },
    Account {
        run_id: String,
        started_at: DateTime<Utc>,
        account: Account,
        /// With `OrganizationItems` `account-region`: the one region of the stack's
        /// `ScanRegions` this item collects (`shares.rs`); the whole account otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    },
    Aggregate {
        run_id: String,
        started_at: DateTime<Utc>,
    },
}

/// Why an account (or its region's share) has no report: stored by its step at
/// `<prefix>/<id>.error.json` (`<id>.<region>.error.json`).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Unscanned {
    pub account: Account,
    pub error: String,
}

/// Recognises an organisation step, if `payload` is one.
pub fn parse(payload: &Value) -> Option<Result<Step, String>> {
    let step = payload.get(ORGANIZATION_KEY)?;
    Some(
        serde_json::from_value::<Step>(step.clone())
            .map_err(|e| format!("the organisation step is not valid: {e}"))
            .and_then(|step| {
                let (Step::List { run_id, .. }
                | Step::Account { run_id, .. }
                | Step::Aggregate { run_id, .. }) = &step;
                check_run_id(run_id).map(|()| step)
            }),
    )
}

/// The run id names the run's keys: letters, digits, hyphens and underscores only (an
/// execution's name may hold more).
fn check_run_id(id: &str) -> Result<(), String> {
    let fits = !id.is_empty()
        && id.len() <= 80
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        Ok(())
    } else {
        Err(format!("the organisation step is not valid: run_id `{id}` must be 1 to 80 letters, digits, hyphens or underscores (name the execution so)"))
    }
}

/// Where the run's account list and per-account outputs live:
/// `scans/YYYY/MM/DD/<run-id>/`.
fn run_prefix(started_at: DateTime<Utc>, run_id: &str) -> String {
    format!("{}/", scan_key(started_at, run_id))
}

/// Answers one step.
pub async fn handle(
    settings: &Settings,
    rules: &RuleSet,
    step: Step,
    event: &LambdaEvent<Value>,
) -> Result<Value, Error> {
    let session = Session::connect(&SessionOptions::default())
        .await
        .map_err(|e| fail(&e.0))?;
    let s3 = session.s3_in(&session.default_region());
    match step {
        Step::List { run_id, started_at } => {
            list(settings, &session, &s3, run_id, started_at).await
        }
        Step::Account {
            run_id,
            started_at,
            account,
            region,
        } => {
            let deadline = collection_deadline(&event.context);
            let run = (run_id.as_str(), started_at, deadline);
            scan_one(settings, &session, &s3, rules, run, account, region).await
        }
        Step::Aggregate { run_id, started_at } => {
            let run = Run {
                scan_id: run_id,
                caller_account: session.account_id.clone(),
                source: "lambda".to_string(),
                started_at,
                finished_at: started_at,
                rules_evaluated: rules.rules.len(),
            };
            aggregate(settings, &session, &s3, rules, run).await
        }
    }
}

/// Writes the organisation's active accounts (under `OrganizationUnits`, less
/// `ExcludedAccounts`) as the Map's items: each the `account` event that scans it, the
/// function's own account with its own credentials.
async fn list(
    settings: &Settings,
    session: &Session,
    s3: &aws_sdk_s3::Client,
    run_id: String,
    started_at: DateTime<Utc>,
) -> Result<Value, Error> {
    let listed = active_accounts(session, &settings.organization_units)
        .await
        .map_err(|e| fail(&e.0))?;
    // One item per account, or per account and region when the stack splits them.
    let regions: Vec<Option<String>> = match shares::split_regions(settings) {
        Some(regions) => regions.iter().cloned().map(Some).collect(),
        None => vec![None],
    };
    let items: Vec<Value> = listed
        .into_iter()
        .filter(|(id, _)| !settings.excluded_accounts.contains(id))
        .flat_map(|(id, name)| {
            let account = reached(session, id, Some(name), &settings.member_role);
            let run_id = run_id.clone();
            regions.clone().into_iter().map(move |region| {
                let step = Step::Account {
                    run_id: run_id.clone(),
                    started_at,
                    account: account.clone(),
                    region,
                };
                json!({ ORGANIZATION_KEY: step })
            })
        })
        .collect();
    if items.is_empty() {
        // An empty run would read as a clean organisation.
        return Err(fail("no account is left to scan: the organisation's active accounts are all excluded (ExcludedAccounts) or outside OrganizationUnits"));
    }
    let key = format!("{}accounts.json", run_prefix(started_at, &run_id));
    let body = serde_json::to_vec(&items).map_err(|e| fail(&e.to_string()))?;
    store(s3, &settings.bucket, &key, body).await?;
    let accounts = items.len() / regions.len();
    log(
        "info",
        "organisation accounts listed",
        json!({"run_id": run_id, "accounts": accounts, "items": items.len(), "key": key}),
    );
    Ok(json!({
        "bucket": settings.bucket, "key": key, "accounts": accounts, "items": items.len(),
        "run_id": run_id, "started_at": started_at,
    }))
}

/// Scans one account and stores its report and inventory under the run's prefix, or
/// why it could not be scanned; fails only when nothing could be stored, so the
/// machine retries.
async fn scan_one(
    settings: &Settings,
    session: &Session,
    s3: &aws_sdk_s3::Client,
    rules: &RuleSet,
    (run_id, started_at, deadline): (&str, DateTime<Utc>, tokio::time::Instant),
    account: Account,
    region: Option<String>,
) -> Result<Value, Error> {
    // The stack's file, unapplied when unreadable: the aggregation warns of that once.
    let (suppressions, _) = stored_suppressions(s3, &settings.bucket, rules).await;
    let role = |arn: String| Role {
        arn,
        external_id: settings.member_external_id.clone(),
        session_name: SESSION_NAME.to_string(),
    };
    let base = format!("{}{}", run_prefix(started_at, run_id), account.id);
    let plan = Plan {
        caller: session,
        role: &role,
        regions: settings.regions.clone(),
        concurrency: 16,
        account_concurrency: 1,
        rules,
        suppressions: &suppressions,
        scan_id: run_id,
        source: "lambda",
        started_at,
        deadline: Some(deadline),
    };
    if let Some(region) = region {
        let (key, body, answer) = shares::collect(&plan, account, &region, &base).await?;
        store(s3, &settings.bucket, &key, body).await?;
        return Ok(answer);
    }
    let (key, body, answer) = match scan_account(&plan, &account, &Silent).await {
        Ok((report, inventory)) => {
            let inventory = serde_json::to_vec(&inventory).map_err(|e| fail(&e.to_string()))?;
            let key = format!("{base}.inventory.json");
            if let Err(e) = put(s3, &settings.bucket, &key, inventory, "application/json").await {
                // The report matters more than the snapshot: it is still stored.
                log(
                    "error",
                    &format!("could not store s3://{}/{key}: {e}", settings.bucket),
                    json!({"run_id": run_id}),
                );
            }
            let answer = json!({
                "account_id": account.id, "scanned": true, "score": report.summary.score,
                "failed": report.summary.failed_by_severity, "errors": report.errors.len(),
                "incomplete": report.scan.incomplete,
            });
            let body = serde_json::to_vec(&report).map_err(|e| fail(&e.to_string()))?;
            (format!("{base}.json"), body, answer)
        }
        Err(error) => {
            log(
                "error",
                &format!("account {} was not scanned: {error}", account.id),
                json!({"run_id": run_id}),
            );
            let answer = json!({"account_id": account.id, "scanned": false, "error": error});
            let body = serde_json::to_vec(&Unscanned { account, error })
                .map_err(|e| fail(&e.to_string()))?;
            (format!("{base}.error.json"), body, answer)
        }
    };
    store(s3, &settings.bucket, &key, body).await?;
    Ok(answer)
}

/// Stores a step's JSON at `key`, replacing what is there: a retried step writes the
/// same again. A step whose object cannot be stored fails, so the machine retries it.
async fn store(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> Result<(), Error> {
    put(s3, bucket, key, body, "application/json")
        .await
        .map_err(|e| fail(&format!("could not store s3://{bucket}/{key}: {e}")))
}

/// One report of every listed account's outcome, stored at the run's
/// `scans/YYYY/MM/DD/<run-id>.json` (and `.csv`), alerted once.
async fn aggregate(
    settings: &Settings,
    session: &Session,
    s3: &aws_sdk_s3::Client,
    rules: &RuleSet,
    mut run: Run,
) -> Result<Value, Error> {
    let clock = std::time::Instant::now();
    let (suppressions, unapplied) = stored_suppressions(s3, &settings.bucket, rules).await;
    let prefix = run_prefix(run.started_at, &run.scan_id);
    let list_key = format!("{prefix}accounts.json");
    let text = read(s3, &settings.bucket, &list_key).await.map_err(|e| {
        fail(&format!(
            "cannot read the run's account list s3://{}/{list_key}: {e}",
            settings.bucket
        ))
    })?;
    let items: Vec<Value> = serde_json::from_str(&text).map_err(|e| {
        fail(&format!(
            "s3://{}/{list_key} is not an account list: {e}",
            settings.bucket
        ))
    })?;
    // Each account once, with the regions its items collect apart (none: one item).
    let mut accounts: Vec<(Account, Vec<String>)> = Vec::new();
    for item in &items {
        let Some(Ok(Step::Account {
            account, region, ..
        })) = parse(item)
        else {
            return Err(fail(&format!(
                "s3://{}/{list_key} holds an item that is not an account step: {item}",
                settings.bucket
            )));
        };
        match accounts.iter_mut().find(|(a, _)| a.id == account.id) {
            Some((_, regions)) => regions.extend(region),
            None => accounts.push((account, region.into_iter().collect())),
        }
    }
    let mut outcomes = Vec::new();
    for (account, regions) in accounts {
        let result = if regions.is_empty() {
            let base = format!("{prefix}{}", account.id);
            stored(s3, &settings.bucket, &base, ".json").await
        } else {
            let judge = shares::Judge {
                rules,
                suppressions: &suppressions,
                run_id: &run.scan_id,
                started_at: run.started_at,
            };
            let base = format!("{prefix}{}", account.id);
            shares::judged(s3, &settings.bucket, &base, &account, &regions, &judge).await
        };
        outcomes.push(Outcome { account, result });
    }
    run.finished_at = Utc::now();
    let report = combine(run, outcomes);
    let key = scan_key(report.scan.started_at, &report.scan.id);
    let (stored, location) = store_report(s3, &settings.bucket, &key, &report, None).await?;
    let mut undelivered = not_delivered(settings);
    let state = ORGANIZATION_FAILING_KEY;
    undelivered
        .extend(record_and_notify(settings, session, s3, &report, rules, &location, state).await);
    let problems = Problems {
        stored,
        suppressions: unapplied.as_deref(),
        undelivered: &undelivered,
    };
    publish_alerts(settings, session, &report, &location, &problems).await;
    for line in emf_lines(&report, &settings.suffix, clock.elapsed().as_secs_f64()) {
        println!("{line}");
    }
    let unscanned: Vec<&str> = report
        .accounts
        .iter()
        .filter(|a| a.error.is_some())
        .map(|a| a.account_id.as_str())
        .collect();
    log(
        "info",
        "organisation scan complete",
        json!({
            "scan_id": report.scan.id, "accounts": report.accounts.len(), "unscanned": unscanned,
            "score": report.summary.score, "failed": report.summary.failed_by_severity,
            "stored": stored, "location": location,
        }),
    );
    Ok(json!({
        "scan_id": report.scan.id, "stored": stored, "location": location,
        "accounts": report.accounts.len(), "unscanned": unscanned,
    }))
}

/// What an item stored at `<base><suffix>` (an account's report, a region's share), or
/// the reason it stored at `<base>.error.json`, or that it left nothing.
pub(super) async fn stored<T: serde::de::DeserializeOwned>(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    base: &str,
    suffix: &str,
) -> Result<T, String> {
    let key = format!("{base}{suffix}");
    match read(s3, bucket, &key).await {
        Ok(text) => {
            return serde_json::from_str(&text)
                .map_err(|e| format!("its result s3://{bucket}/{key} cannot be read: {e}"))
        }
        Err(e) if !e.is(&["NoSuchKey"]) => {
            return Err(format!(
                "its result s3://{bucket}/{key} cannot be read: {e}"
            ))
        }
        Err(_) => {}
    }
    let key = format!("{base}.error.json");
    match read(s3, bucket, &key).await {
        Ok(text) => Err(serde_json::from_str::<Unscanned>(&text).map_or_else(
            |e| format!("its outcome s3://{bucket}/{key} cannot be read: {e}"),
            |u| u.error,
        )),
        Err(e) if e.is(&["NoSuchKey"]) => Err("its scan left no result: the state machine's item for it failed after its retries (the execution's Map run names the error)".to_string()),
        Err(e) => Err(format!("its outcome s3://{bucket}/{key} cannot be read: {e}")),
    }
}

/// The stack's opt-in deliveries an organisation run does not make yet, for the warning
/// topic: each was asked for, and silence would read as done.
fn not_delivered(settings: &Settings) -> Vec<(&'static str, String)> {
    let enabled = [
        (settings.auto_remediate, "auto-remediate", "AutoRemediate"),
        (
            settings.security_hub_export,
            "security-hub",
            "SecurityHubExport",
        ),
    ];
    enabled
        .into_iter()
        .filter(|(on, _, _)| *on)
        .map(|(_, kind, what)| {
            (kind, format!("{what} is not applied to organisation runs yet: their reports are stored and alerted only."))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_s_payloads_are_recognised_and_round_trip() {
        let started_at = "2026-12-03T06:00:00Z".parse().unwrap();
        let account = Account {
            id: "111122223333".into(),
            name: Some("prod".into()),
            role_arn: Some("arn:aws:iam::111122223333:role/ComplianceScanRole".into()),
        };
        for step in [
            Step::List {
                run_id: "r-1".into(),
                started_at,
            },
            Step::Account {
                run_id: "r-1".into(),
                started_at,
                account: account.clone(),
                region: None,
            },
            Step::Account {
                run_id: "r-1".into(),
                started_at,
                account,
                region: Some("eu-west-1".into()),
            },
            Step::Aggregate {
                run_id: "r-1".into(),
                started_at,
            },
        ] {
            let payload = json!({ ORGANIZATION_KEY: step });
            assert_eq!(parse(&payload), Some(Ok(step)));
        }
        // `$$.Execution.StartTime` as Step Functions writes it.
        let payload = json!({ORGANIZATION_KEY: {"step": "list", "run_id": "8f1d-aa", "started_at": "2026-12-03T17:16:25.388Z"}});
        assert!(matches!(parse(&payload), Some(Ok(Step::List { .. }))));
        assert_eq!(
            parse(&json!({"source": "aws.events"})),
            None,
            "other events are not steps"
        );
    }

    #[test]
    fn a_step_that_cannot_place_its_objects_is_refused_with_the_reason() {
        let step = |run_id: &str| json!({ORGANIZATION_KEY: {"step": "aggregate", "run_id": run_id, "started_at": "2026-12-03T06:00:00Z"}});
        for bad in ["../x", "a/b", "", &"x".repeat(81)] {
            let e = parse(&step(bad)).unwrap().unwrap_err();
            assert!(e.contains("must be 1 to 80 letters"), "{bad}: {e}");
        }
        let e = parse(&json!({ORGANIZATION_KEY: {"step": "merge", "run_id": "r"}}))
            .unwrap()
            .unwrap_err();
        assert!(e.contains("unknown variant `merge`"), "{e}");
    }

    #[test]
    fn an_opted_in_delivery_an_organisation_run_skips_is_named() {
        let bucket = |name: &str| (name == "COMPLIANCE_REPORT_BUCKET").then(|| "b".to_string());
        let mut settings = Settings::from_vars(bucket).unwrap();
        assert!(not_delivered(&settings).is_empty());
        settings.auto_remediate = true;
        let skipped = not_delivered(&settings);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0]
            .1
            .starts_with("AutoRemediate is not applied to organisation runs"));
    }
}
