//! The organisation run in AWS (`OrganizationScan`): the function's `list`, `account` and
//! `aggregate` steps through the Lambda Runtime API harness against an emulated
//! organisation (one member role denied by a recorded STS answer, one account whose
//! item left nothing), and the deployed state machine executed by the emulator's Step
//! Functions interpreter, whose payloads are then answered by the real function.

mod common;

use std::time::Duration;

use common::lambda::{
    create_bucket_and_topic, create_findings_table, invoke, messages, table_items,
};
use common::webhook::{receiver, webhook_secret};
use common::*;
use serde_json::{json, Value};

const MANAGEMENT: &str = "123456789012";
const ROLE: &str = "ComplianceScanRole";
const TABLE: &str = "compliance-findings-t";

/// An organisation of the management account and `names` (`prod` holding a bucket in
/// us-east-1 and one in eu-west-1;
/// `prod` and `audit` in the OU `ou`); their ids.
fn organisation(emu: &Emulator, names: &[&str]) -> Value {
    let out = emu.boto(&format!(
        r#"
org = client('organizations')
org.create_organization(FeatureSet='ALL')
ids = {{}}
for name in {names}:
    ids[name] = org.create_account(Email=name + '@example.com', AccountName=name)['CreateAccountStatus']['AccountId']
root = org.list_roots()['Roots'][0]['Id']
ids['ou'] = org.create_organizational_unit(ParentId=root, Name='regulated')['OrganizationalUnit']['Id']
for name in ['prod', 'audit']:
    if name in ids:
        org.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=ids['ou'])
c = client('sts').assume_role(RoleArn=f"arn:aws:iam::{{ids['prod']}}:role/{ROLE}", RoleSessionName='seed')['Credentials']
s3 = boto3.client('s3', endpoint_url='{url}', region_name='us-east-1', aws_access_key_id=c['AccessKeyId'],
    aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'], config=Config(s3={{'addressing_style': 'path'}}))
s3.create_bucket(Bucket='prod-ledger-' + ids['prod'])
s3.create_bucket(Bucket='prod-archive-' + ids['prod'], CreateBucketConfiguration={{'LocationConstraint': 'eu-west-1'}})
print(json.dumps(ids))
"#,
        names = serde_json::to_string(names).unwrap(),
        url = emu.url
    ));
    serde_json::from_str(out.trim()).unwrap()
}

/// A proxy answering the AssumeRole of `account`'s member role as STS answers a role
/// whose trust policy does not name the caller (recorded from AWS).
fn denying(emu: &Emulator, account: &str) -> Proxy {
    let role = format!("arn:aws:iam::{account}:role/{ROLE}");
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>User: arn:aws:sts::{MANAGEMENT}:assumed-role/compliance-scanner-t/compliance-scanner-t is not authorized to perform: sts:AssumeRole on resource: {role}</Message>\n  </Error>\n  <RequestId>0d6c3a52-8f1e-4b7a-a3c9-5e2f1b7d4c80</RequestId>\n</ErrorResponse>\n"
    );
    Proxy::start(
        &emu.url,
        json!([{"action": "AssumeRole", "form": {"RoleArn": role}, "status": 403, "body": body}]),
    )
}

fn step(body: Value) -> Value {
    json!({ "compliance_organization": body })
}

fn object(emu: &Emulator, bucket: &str, key: &str) -> Value {
    let text = emu.boto(&format!(
        "print(client('s3').get_object(Bucket='{bucket}', Key='{key}')['Body'].read().decode())"
    ));
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("s3://{bucket}/{key}: {e}: {text}"))
}

fn keys(emu: &Emulator, bucket: &str) -> Vec<String> {
    let out = emu.boto(&format!(
        "print(json.dumps([o['Key'] for o in client('s3').list_objects_v2(Bucket='{bucket}').get('Contents', [])]))"
    ));
    serde_json::from_str(out.trim()).unwrap()
}

fn answer(answers: &[(String, String, Value)], n: usize) -> &Value {
    let (_, kind, body) = &answers[n];
    assert_eq!(kind, "response", "step {n} failed: {body}");
    body
}

#[test]
fn each_account_is_scanned_as_its_role_and_one_report_holds_them_all() {
    let emu = Emulator::start();
    create_bucket_and_topic(&emu);
    let ids = organisation(&emu, &["prod", "dev", "audit"]);
    let id = |name: &str| ids[name].as_str().unwrap().to_string();
    let proxy = denying(&emu, &id("audit"));
    let env = [("COMPLIANCE_SCAN_REGIONS", "us-east-1")];
    let budget = Duration::from_secs(600);

    let list =
        step(json!({"step": "list", "run_id": "nightly-1", "started_at": "2026-12-03T06:00:00Z"}));
    let (answers, _) = invoke(&proxy.url, vec![list], budget, &env);
    let listed = answer(&answers, 0);
    assert_eq!(listed["key"], "scans/2026/12/03/nightly-1/accounts.json");
    assert_eq!(
        listed["accounts"], 4,
        "the management account and three members: {listed}"
    );
    let items = object(
        &emu,
        "compliance-reports-t",
        "scans/2026/12/03/nightly-1/accounts.json",
    );
    let item_of = |account: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["compliance_organization"]["account"]["id"] == account)
            .unwrap_or_else(|| panic!("no item for {account}: {items}"))
            .clone()
    };
    assert_eq!(
        item_of(MANAGEMENT)["compliance_organization"]["account"]["role_arn"],
        Value::Null,
        "the function's own account is scanned with its own credentials"
    );
    assert_eq!(
        item_of(&id("prod"))["compliance_organization"],
        json!({"step": "account", "run_id": "nightly-1", "started_at": "2026-12-03T06:00:00Z",
               "account": {"id": id("prod"), "name": "prod", "role_arn": format!("arn:aws:iam::{}:role/{ROLE}", id("prod"))}})
    );

    // The stack's OrganizationUnits and ExcludedAccounts narrow the list.
    let narrowed =
        step(json!({"step": "list", "run_id": "narrow-1", "started_at": "2026-12-03T06:00:00Z"}));
    let ou = id("ou");
    let audit = id("audit");
    let narrowing = [
        ("COMPLIANCE_SCAN_REGIONS", "us-east-1"),
        ("COMPLIANCE_ORGANIZATION_UNITS", ou.as_str()),
        ("COMPLIANCE_EXCLUDED_ACCOUNTS", audit.as_str()),
    ];
    let (answers, _) = invoke(&proxy.url, vec![narrowed], budget, &narrowing);
    assert_eq!(answer(&answers, 0)["accounts"], 1);
    let only = object(
        &emu,
        "compliance-reports-t",
        "scans/2026/12/03/narrow-1/accounts.json",
    );
    assert_eq!(
        only[0]["compliance_organization"]["account"]["id"],
        id("prod")
    );
    // A run left with no account fails rather than read as a clean organisation.
    let none = format!("{},{audit}", id("prod"));
    let emptied = [
        ("COMPLIANCE_ORGANIZATION_UNITS", ou.as_str()),
        ("COMPLIANCE_EXCLUDED_ACCOUNTS", none.as_str()),
    ];
    let narrowed =
        step(json!({"step": "list", "run_id": "narrow-2", "started_at": "2026-12-03T06:00:00Z"}));
    let (answers, _) = invoke(&proxy.url, vec![narrowed], budget, &emptied);
    let (_, kind, body) = &answers[0];
    assert_eq!(kind, "error", "{body}");
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("no account is left to scan"),
        "{body}"
    );

    // dev's item never runs: as a Map item that failed after its retries leaves nothing.
    let aggregate = step(
        json!({"step": "aggregate", "run_id": "nightly-1", "started_at": "2026-12-03T06:00:00Z"}),
    );
    let events = vec![
        item_of(&id("prod")),
        item_of(&id("audit")),
        item_of(MANAGEMENT),
        aggregate,
    ];
    // With the stack's findings history and webhook.
    create_findings_table(&emu, TABLE);
    let (hook, posted) = receiver(&[200]);
    let secret = webhook_secret(&emu, &hook);
    let deliveries = [
        ("COMPLIANCE_SCAN_REGIONS", "us-east-1"),
        ("COMPLIANCE_FINDINGS_TABLE", TABLE),
        ("COMPLIANCE_RETENTION_DAYS", "30"),
        ("COMPLIANCE_WEBHOOK_SECRET_ARN", secret.as_str()),
        ("COMPLIANCE_WEBHOOK_FORMAT", "slack"),
        ("COMPLIANCE_WEBHOOK_MIN_SEVERITY", "high"),
    ];
    let (answers, _) = invoke(&proxy.url, events, budget, &deliveries);
    assert_eq!(answer(&answers, 0)["scanned"], true);
    let denied = answer(&answers, 1);
    assert_eq!(denied["scanned"], false);
    assert!(
        denied["error"].as_str().unwrap().contains("AccessDenied"),
        "{denied}"
    );
    let done = answer(&answers, 3);
    assert_eq!(
        done["location"],
        "s3://compliance-reports-t/scans/2026/12/03/nightly-1.json"
    );
    let mut unscanned = vec![id("audit"), id("dev")];
    unscanned.sort();
    assert_eq!(done["unscanned"], json!(unscanned));

    let stored = keys(&emu, "compliance-reports-t");
    for key in [
        "scans/2026/12/03/nightly-1.json".to_string(),
        "scans/2026/12/03/nightly-1.csv".to_string(),
        format!("scans/2026/12/03/nightly-1/{}.json", id("prod")),
        format!("scans/2026/12/03/nightly-1/{}.inventory.json", id("prod")),
        format!("scans/2026/12/03/nightly-1/{}.error.json", id("audit")),
    ] {
        assert!(stored.contains(&key), "{key} not in {stored:?}");
    }
    let report = object(
        &emu,
        "compliance-reports-t",
        "scans/2026/12/03/nightly-1.json",
    );
    assert_eq!(report["scan"]["id"], "nightly-1");
    assert_eq!(report["scan"]["source"], "lambda");
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 4);
    let entry = |account: &str| {
        accounts
            .iter()
            .find(|a| a["account_id"] == account)
            .unwrap()
    };
    let audit_error = entry(&id("audit"))["error"].as_str().unwrap();
    assert!(
        audit_error.contains("AccessDenied") && audit_error.contains(&format!("role/{ROLE}")),
        "{audit_error}"
    );
    assert!(
        entry(&id("dev"))["error"]
            .as_str()
            .unwrap()
            .contains("left no result"),
        "{}",
        entry(&id("dev"))
    );
    assert_eq!(entry(&id("prod"))["error"], Value::Null);
    let ledger = format!("prod-ledger-{}", id("prod"));
    let of_ledger: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource_id"] == ledger.as_str())
        .collect();
    assert!(!of_ledger.is_empty(), "the prod bucket is judged");
    assert!(
        of_ledger.iter().all(|f| f["account_id"] == id("prod")),
        "{of_ledger:?}"
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["account_id"] != id("audit")),
        "a denied account has no findings at all"
    );

    // One alert and one warning for the whole run, naming the accounts not scanned.
    let failing_high = ["critical", "high"]
        .iter()
        .map(|s| {
            report["summary"]["failed_by_severity"][s]
                .as_u64()
                .unwrap_or(0)
        })
        .sum::<u64>();
    assert!(failing_high > 0, "{}", report["summary"]);
    assert_eq!(messages(&emu, "alerts").len(), 1);
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let text = warnings[0]["Message"].as_str().unwrap();
    assert!(
        text.contains("2 of 4 account(s) were not scanned"),
        "{text}"
    );
    assert!(
        text.contains(&id("audit")) && text.contains(&id("dev")),
        "{text}"
    );

    // One webhook message for the whole run, each failure with its account.
    let posted = posted.lock().unwrap().clone();
    assert_eq!(posted.len(), 1, "{posted:?}");
    let slack = &posted[0].1;
    assert!(
        slack["text"]
            .as_str()
            .unwrap()
            .contains("in 4 accounts, 2 not scanned (us-east-1)"),
        "{slack}"
    );
    let lines = slack["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(
        lines.contains(&format!("({} us-east-1)", id("prod"))),
        "{lines}"
    );
    assert!(!lines.contains(&id("audit")), "{lines}");

    // The findings history holds each scanned account's failures, apart by account.
    let items = table_items(&emu, TABLE);
    let ledger_arn = format!("arn:aws:s3:::{ledger}");
    assert!(
        items
            .iter()
            .any(|i| i["resource"] == ledger_arn.as_str() && i["account_id"] == id("prod")),
        "{items:?}"
    );
    assert!(
        items.iter().all(|i| i["account_id"].is_string()),
        "{items:?}"
    );
    assert!(
        items.iter().all(|i| i["account_id"] != id("audit")),
        "nothing from an account not scanned"
    );
    let regional = items
        .iter()
        .find(|i| {
            i["account_id"] == id("prod") && !i["resource"].as_str().unwrap().starts_with("arn:")
        })
        .unwrap_or_else(|| panic!("no failure of prod without an ARN: {items:?}"));
    let key = regional["resource"].as_str().unwrap();
    let resource = key
        .strip_prefix(&format!("{}/", id("prod")))
        .unwrap_or_else(|| panic!("{key} is not keyed by its account"));
    let stored = keys(&emu, "compliance-reports-t");
    assert!(stored.contains(&"state/organization-failing.json".to_string()));
    assert!(
        !stored.contains(&"state/failing.json".to_string()),
        "a direct run of the security account resumes from its own state"
    );
    let prod = id("prod");
    let history = |account: &[&str]| {
        let mut args = vec!["report", "--suffix", "t", "--endpoint-url", &emu.url];
        args.extend(["--resource", resource, "--format", "json"]);
        args.extend(account);
        run(compliance(&args))
    };
    // Without its account the id names no one resource: one sentence saying what to add.
    let out = history(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--account"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let out = history(&["--account", &prod]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["episodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["rule_id"] == regional["rule_id"]),
        "{doc}"
    );
}

/// (rule, resource, region, status) of each finding of `account` (of every finding of
/// a one-account report with `None`), sorted.
fn verdicts(report: &Value, account: Option<&str>) -> Vec<(String, String, String, String)> {
    let mut all: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| account.is_none_or(|a| f["account_id"] == a))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule_id"), s("resource_id"), s("region"), s("status"))
        })
        .collect();
    all.sort();
    all
}

#[test]
fn an_account_split_by_region_is_judged_once_from_its_regions_together() {
    let emu = Emulator::start();
    create_bucket_and_topic(&emu);
    let ids = organisation(&emu, &["prod", "dev"]);
    let id = |name: &str| ids[name].as_str().unwrap().to_string();
    let env = [
        ("COMPLIANCE_SCAN_REGIONS", "us-east-1,eu-west-1"),
        ("COMPLIANCE_ORGANIZATION_ITEMS", "account-region"),
    ];
    let budget = Duration::from_secs(600);
    let at = "2026-12-03T06:00:00Z";
    let list = step(json!({"step": "list", "run_id": "split-1", "started_at": at}));
    let (answers, _) = invoke(&emu.url, vec![list], budget, &env);
    let listed = answer(&answers, 0);
    assert_eq!(
        (listed["accounts"].as_u64(), listed["items"].as_u64()),
        (Some(3), Some(6)),
        "{listed}"
    );
    let items = object(
        &emu,
        "compliance-reports-t",
        "scans/2026/12/03/split-1/accounts.json",
    );
    let items: Vec<Value> = items.as_array().unwrap().clone();
    let of = |account: &str, region: &str| {
        items
            .iter()
            .find(|i| {
                let s = &i["compliance_organization"];
                s["account"]["id"] == account && s["region"] == region
            })
            .unwrap_or_else(|| panic!("no {account} {region} item: {items:?}"))
            .clone()
    };
    // dev's eu-west-1 item never runs; prod is also scanned whole, in another run.
    let whole = step(
        json!({"step": "account", "run_id": "whole-1", "started_at": at,
                            "account": item_account(&of(&id("prod"), "us-east-1"))}),
    );
    let events = vec![
        of(&id("prod"), "us-east-1"),
        of(&id("prod"), "eu-west-1"),
        of(&id("dev"), "us-east-1"),
        of(MANAGEMENT, "us-east-1"),
        of(MANAGEMENT, "eu-west-1"),
        step(json!({"step": "aggregate", "run_id": "split-1", "started_at": at})),
        whole,
    ];
    let (answers, _) = invoke(&emu.url, events, budget, &env);
    assert_eq!(answer(&answers, 0)["region"], "us-east-1");
    assert_eq!(answer(&answers, 5)["unscanned"], json!([]));
    answer(&answers, 6);

    let stored = keys(&emu, "compliance-reports-t");
    let prod = id("prod");
    for key in [
        format!("scans/2026/12/03/split-1/{prod}.us-east-1.inventory.json"),
        format!("scans/2026/12/03/split-1/{prod}.eu-west-1.inventory.json"),
        format!("scans/2026/12/03/split-1/{prod}.json"),
    ] {
        assert!(stored.contains(&key), "{key} not in {stored:?}");
    }
    let report = object(
        &emu,
        "compliance-reports-t",
        "scans/2026/12/03/split-1.json",
    );
    let whole = object(
        &emu,
        "compliance-reports-t",
        &format!("scans/2026/12/03/whole-1/{prod}.json"),
    );
    // The same verdicts as one item's, each once: the global services read once, the
    // buckets of both regions judged.
    let split = verdicts(&report, Some(&prod));
    assert_eq!(split, verdicts(&whole, None));
    let mut unique = split.clone();
    unique.dedup();
    assert_eq!(unique.len(), split.len(), "no finding twice");
    assert!(split
        .iter()
        .any(|(_, r, region, _)| r == &format!("prod-archive-{prod}") && region == "eu-west-1"));
    let entry = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == prod)
        .unwrap()
        .clone();
    assert_eq!(entry["regions"], whole["scan"]["regions"]);

    // dev's lost region is ERROR where it would have been read, and never PASS.
    let dev = id("dev");
    let dev_entry = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == dev)
        .unwrap()
        .clone();
    assert_eq!(dev_entry["incomplete"], true, "{dev_entry}");
    let lost: Vec<&Value> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["account_id"] == dev.as_str() && e["code"] == "RegionNotCollected")
        .collect();
    assert!(
        !lost.is_empty() && lost.iter().all(|e| e["region"] == "eu-west-1"),
        "{lost:?}"
    );
    assert!(
        verdicts(&report, Some(&dev))
            .iter()
            .all(|(_, _, region, status)| region != "eu-west-1" || status != "PASS"),
        "nothing read in dev's lost region passes"
    );
}

/// The account an item scans.
fn item_account(item: &Value) -> Value {
    item["compliance_organization"]["account"].clone()
}

#[test]
fn the_deployed_machine_lists_maps_every_account_and_aggregates_through_the_function() {
    let emu = Emulator::start();
    emu.boto(&format!(
        r#"
import urllib.request
urllib.request.urlopen(urllib.request.Request("{}/moto-api/config", data=json.dumps({{"lambda": {{"use_docker": False}}}}).encode(), method="POST"))
"#,
        emu.url
    ));
    let ids = organisation(&emu, &["prod", "dev"]);
    let out = run(compliance(&[
        "deploy",
        "--suffix",
        "org-1",
        "--endpoint-url",
        &emu.url,
        "--lambda-binary",
        env!("CARGO_BIN_EXE_compliance"),
        "--format",
        "json",
        "--organization-scan",
        "true",
        "--organization-concurrency",
        "3",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let outputs = json_report(&out)["outputs"].clone();
    let machine = outputs["StateMachineArn"]
        .as_str()
        .unwrap_or_else(|| panic!("the stack has a state machine: {outputs}"))
        .to_string();
    let bucket = outputs["ReportBucketName"].as_str().unwrap().to_string();
    let described: Value = serde_json::from_str(
        emu.boto(&format!(
            r#"
sfn, events = client('stepfunctions'), client('events')
d = json.loads(sfn.describe_state_machine(stateMachineArn='{machine}')['definition'])
targets = events.list_targets_by_rule(Rule='compliance-scheduled-org-1')['Targets']
print(json.dumps({{"map": d['States']['ScanAccounts'], "targets": targets}}))
"#
        ))
        .trim(),
    )
    .unwrap();
    let map = &described["map"];
    assert_eq!(map["MaxConcurrency"], 3);
    assert_eq!(map["ToleratedFailurePercentage"], 10.0);
    assert_eq!(
        map["ItemProcessor"]["ProcessorConfig"]["Mode"],
        "DISTRIBUTED"
    );
    let retried =
        map["ItemProcessor"]["States"]["ScanAccount"]["Retry"][0]["ErrorEquals"].to_string();
    assert!(
        retried.contains("Lambda.TooManyRequestsException"),
        "{retried}"
    );
    let targets = described["targets"].as_array().unwrap();
    assert_eq!(
        targets.len(),
        1,
        "the schedule starts the machine, not the function: {targets:?}"
    );
    assert_eq!(targets[0]["Arn"], machine.as_str());
    assert!(targets[0]["RoleArn"]
        .as_str()
        .unwrap()
        .ends_with(":role/compliance-schedule-org-1"));

    let env = [
        ("COMPLIANCE_REPORT_BUCKET", bucket.as_str()),
        (
            "COMPLIANCE_CRITICAL_TOPIC_ARN",
            outputs["CriticalTopicArn"].as_str().unwrap(),
        ),
        (
            "COMPLIANCE_WARNING_TOPIC_ARN",
            outputs["WarningTopicArn"].as_str().unwrap(),
        ),
        ("COMPLIANCE_SCAN_REGIONS", "us-east-1"),
    ];
    let budget = Duration::from_secs(600);
    let started_at = chrono::Utc::now().to_rfc3339();
    let list = step(json!({"step": "list", "run_id": "org-run-1", "started_at": started_at}));
    let (answers, _) = invoke(&emu.url, vec![list], budget, &env);
    let listed = answer(&answers, 0).clone();
    assert_eq!(listed["accounts"], 3);

    // The machine's list task answers what the function answered; the other tasks are
    // answered by the emulator with their own payloads, so the execution's output is the
    // aggregation's payload.
    queue(&emu, &[listed.to_string()]);
    let execution: Value = serde_json::from_str(emu.boto(&format!(
        r#"
import time
sfn = client('stepfunctions')
arn = sfn.start_execution(stateMachineArn='{machine}', name='org-run-1')['executionArn']
for _ in range(120):
    d = sfn.describe_execution(executionArn=arn)
    if d['status'] != 'RUNNING':
        break
    time.sleep(0.5)
runs = sfn.list_map_runs(executionArn=arn)['mapRuns']
counts = [sfn.describe_map_run(mapRunArn=r['mapRunArn'])['itemCounts'] for r in runs]
scheduled = [json.loads(e['taskScheduledEventDetails']['parameters'])['Payload']
             for e in sfn.get_execution_history(executionArn=arn)['events'] if e['type'] == 'TaskScheduled']
print(json.dumps({{"status": d['status'], "output": json.loads(d.get('output', 'null')), "cause": d.get('cause'), "counts": counts, "scheduled": scheduled}}))
"#
    )).trim()).unwrap();
    assert_eq!(execution["status"], "SUCCEEDED", "{execution}");
    let counts = &execution["counts"][0];
    assert_eq!(
        (counts["total"].as_u64(), counts["succeeded"].as_u64()),
        (Some(3), Some(3)),
        "one item per listed account: {execution}"
    );
    let list_payload = &execution["scheduled"][0];
    assert_eq!(list_payload["compliance_organization"]["step"], "list");
    assert_eq!(
        list_payload["compliance_organization"]["run_id"],
        "org-run-1"
    );
    let aggregate = execution["output"].clone();
    assert_eq!(
        aggregate,
        step(
            json!({"step": "aggregate", "run_id": "org-run-1", "started_at": listed["started_at"]})
        ),
    );

    // The payloads the machine sent, answered by the function.
    let items = object(&emu, &bucket, listed["key"].as_str().unwrap());
    let mut events = vec![list_payload.clone()];
    events.extend(items.as_array().unwrap().iter().cloned());
    events.push(aggregate);
    let (answers, _) = invoke(&emu.url, events, budget, &env);
    assert_eq!(answer(&answers, 0)["key"], listed["key"]);
    let done = answer(&answers, 4);
    assert_eq!(done["accounts"], 3);
    assert_eq!(done["unscanned"], json!([]));
    let location = done["location"].as_str().unwrap();
    let key = location.strip_prefix(&format!("s3://{bucket}/")).unwrap();
    let report = object(&emu, &bucket, key);
    let scanned: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    let mut expected = vec![
        MANAGEMENT,
        ids["prod"].as_str().unwrap(),
        ids["dev"].as_str().unwrap(),
    ];
    expected.sort();
    assert_eq!(scanned, expected);

    // `scan --remote --organization --wait` starts a run and prints the report its
    // aggregation names: the function's answers, replayed in the order the machine asks.
    let replayed: Vec<String> = answers
        .iter()
        .map(|(_, _, body)| body.to_string())
        .collect();
    queue(&emu, &replayed);
    let remote = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--remote",
            "--organization",
            "--endpoint-url",
            &emu.url,
            "--format",
            "json",
            "--fail-on",
            "none",
            // moto answers ListFunctions for the stack's own function with null subnet
            // ids (its CloudFormation's gap), which the SDK refuses: rightly an ERROR.
            "--accept-errors",
        ];
        args.extend_from_slice(extra);
        run(compliance(&args))
    };
    let out = remote(&["--suffix", "org-1", "--wait"]);
    let printed = json_report(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(printed["scan"]["id"], "org-run-1");
    assert_eq!(printed["accounts"].as_array().unwrap().len(), 3);
    let err = stderr(&out);
    assert!(
        err.contains("started the organisation run") && err.contains("the run is SUCCEEDED"),
        "{err}"
    );

    // A run whose Map failed still aggregates, then ends failed; with no report stored
    // under its id, `--wait` says how it ended. (Here the list names no object.)
    let broken = json!({"bucket": bucket, "key": "scans/none.json", "run_id": "x", "started_at": listed["started_at"]});
    queue(&emu, &[broken.to_string(), "{}".to_string()]);
    let out = remote(&["--suffix", "org-1", "--wait"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ended FAILED (TooManyAccountsFailed") && err.contains("and left no report"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // Without --wait the run id is printed once the run is started.
    queue(&emu, &replayed);
    let out = remote(&["--suffix", "org-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run_id = stdout(&out).trim().to_string();
    assert_eq!(run_id.len(), 36, "{run_id}");

    // A narrower scan would be ignored by the stack's run, and a stack without one has
    // none to start: one sentence each, exit 2, nothing started.
    let executions = || {
        emu.boto(&format!(
            "print(len(client('stepfunctions').list_executions(stateMachineArn='{machine}')['executions']))"
        ))
    };
    let before = executions();
    let out = remote(&[
        "--suffix",
        "org-1",
        "--rule",
        "s3-bucket-versioning-enabled",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--rule cannot narrow `scan --remote --organization`"),
        "{}",
        stderr(&out)
    );
    let out = remote(&["--suffix", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no organisation run: deploy it with"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(executions(), before);
}

/// Queues the Lambda answers the emulator gives the machine's tasks, in order.
fn queue(emu: &Emulator, answers: &[String]) {
    emu.boto(&format!(
        r#"
import urllib.request
body = json.dumps({{"results": {answers}, "region": "us-east-1"}}).encode()
urllib.request.urlopen(urllib.request.Request("{url}/moto-api/static/lambda-simple/response", data=body, method="POST"))
"#,
        answers = serde_json::to_string(answers).unwrap(),
        url = emu.url,
    ));
}
