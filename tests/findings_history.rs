//! The findings history table: the scanner Lambda (through the Runtime API harness)
//! writes each run's failures and what it resolved into a table in the emulator, and
//! `report --suffix S --resource ARN` reads one resource's history back.

mod common;

use std::time::Duration;

use common::lambda::{
    create_bucket_and_topic, create_findings_table, invoke, messages, scheduled_event, table_items,
};
use common::*;
use serde_json::Value;

const TABLE: &str = "compliance-findings-t";

const ENV: [(&str, &str); 2] = [
    ("COMPLIANCE_FINDINGS_TABLE", TABLE),
    ("COMPLIANCE_RETENTION_DAYS", "30"),
];

fn run_lambda(url: &str) -> Value {
    let (answers, _) = invoke(url, vec![scheduled_event()], Duration::from_secs(300), &ENV);
    assert_eq!(answers[0].1, "response", "{answers:?}");
    answers[0].2.clone()
}

#[test]
fn each_run_writes_its_failures_and_what_it_resolved_and_report_reads_a_resource_back() {
    let emu = Emulator::start();
    create_bucket_and_topic(&emu);
    create_findings_table(&emu, TABLE);
    emu.boto(r#"[client("s3").create_bucket(Bucket=b) for b in ["app-0", "app-1"]]"#);

    run_lambda(&emu.url);
    let first = table_items(&emu, TABLE);
    assert!(!first.is_empty());
    assert!(
        first.iter().all(|i| i["status"] == "FAIL"),
        "failures only: {first:?}"
    );
    let versioning: Vec<&Value> = first
        .iter()
        .filter(|i| i["rule_id"] == "s3-bucket-versioning-enabled")
        .collect();
    let resources: Vec<&str> = versioning
        .iter()
        .map(|i| i["resource"].as_str().unwrap())
        .collect();
    assert!(
        resources.contains(&"arn:aws:s3:::app-0") && resources.contains(&"arn:aws:s3:::app-1"),
        "{resources:?}"
    );
    let expires = versioning[0]["expires_at"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    let in_30_days = chrono::Utc::now().timestamp() + 30 * 86_400;
    assert!(
        (expires - in_30_days).abs() < 600,
        "the items live as long as the reports"
    );
    assert!(messages(&emu, "warnings").is_empty());

    // app-0 is fixed: the next run resolves it, and writes app-1's failure again.
    emu.boto(r#"client("s3").put_bucket_versioning(Bucket="app-0", VersioningConfiguration={"Status": "Enabled"})"#);
    run_lambda(&emu.url);
    let second = table_items(&emu, TABLE);
    let resolved: Vec<&Value> = second
        .iter()
        .filter(|i| i["status"] == "RESOLVED")
        .collect();
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0]["resource"], "arn:aws:s3:::app-0");
    assert_eq!(resolved[0]["rule_id"], "s3-bucket-versioning-enabled");
    assert_eq!(resolved[0]["detail"], "now PASS");
    // Every other failure is written again by the second run.
    let key = |i: &Value| (i["rule_id"].to_string(), i["resource"].to_string());
    let fixed = (
        "\"s3-bucket-versioning-enabled\"".to_string(),
        "\"arn:aws:s3:::app-0\"".to_string(),
    );
    let again: Vec<(String, String)> = second
        .iter()
        .filter(|i| i["status"] == "FAIL" && i["scan_id"] != first[0]["scan_id"])
        .map(key)
        .collect();
    for i in &first {
        if key(i) != fixed {
            assert!(again.contains(&key(i)), "{i} not written again");
        }
    }
    assert!(!again.contains(&fixed));

    let history = |resource: &str, format: &str| {
        run(compliance(&[
            "report",
            "--suffix",
            "t",
            "--endpoint-url",
            &emu.url,
            "--resource",
            resource,
            "--format",
            format,
        ]))
    };
    let out = history("arn:aws:s3:::app-0", "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let episode = doc["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["rule_id"] == "s3-bucket-versioning-enabled")
        .unwrap()
        .clone();
    assert_eq!(episode["resolution"], "now PASS");
    assert!(episode["resolved"].as_str().unwrap() > episode["first_failed"].as_str().unwrap());
    let still = doc["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("resolved").is_none())
        .count();
    assert_eq!(
        still,
        doc["episodes"].as_array().unwrap().len() - 1,
        "the other rules still fail"
    );

    let table = stdout(&history("arn:aws:s3:::app-1", "table"));
    assert!(table.contains("still failing"), "{table}");
    let out = history("arn:aws:s3:::never-seen", "table");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds no finding for arn:aws:s3:::never-seen"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_table_that_cannot_be_written_warns_and_the_next_run_resolves_from_the_same_point() {
    let emu = Emulator::start();
    create_bucket_and_topic(&emu);
    emu.boto(r#"client("s3").create_bucket(Bucket="app-0")"#);
    // No table yet: the report is stored, the warning says why the history was not written.
    let answer = run_lambda(&emu.url);
    assert_eq!(answer["stored"], true);
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "history"
    );
    let text = warnings[0]["Message"].as_str().unwrap();
    assert!(
        text.contains("BatchWriteItem failed: ResourceNotFoundException"),
        "{text}"
    );
    let state = emu.boto(
        r#"print([o["Key"] for o in client("s3").list_objects_v2(Bucket="compliance-reports-t").get("Contents", []) if o["Key"].startswith("state/")])"#,
    );
    assert_eq!(
        state.trim(),
        "[]",
        "no state is kept for items that were not written"
    );

    create_findings_table(&emu, TABLE);
    run_lambda(&emu.url);
    assert!(table_items(&emu, TABLE)
        .iter()
        .all(|i| i["status"] == "FAIL"));
    assert!(messages(&emu, "warnings").is_empty());
}
