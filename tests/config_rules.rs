//! AWS Config's invocations of the stack's custom rules (`ConfigRules`), answered by the
//! scanner Lambda through the Runtime API harness. The emulator runs no Config
//! evaluation and takes `PutEvaluations` only in test mode, so the proxy answers it as
//! AWS does and keeps the request bodies, which the tests read.

mod common;

use std::time::Duration;

use common::lambda::{create_bucket_and_topic, invoke, messages};
use common::*;
use serde_json::{json, Value};

/// A change to `bucket` as Config delivers it; its configuration item claims versioning
/// is on, which the scanner must not believe.
fn change(bucket: &str, status: &str, oversized: bool, token: &str) -> Value {
    let item = json!({
        "configurationItemCaptureTime": "2026-12-03T09:00:00.000Z", "awsAccountId": "123456789012",
        "configurationItemStatus": status, "resourceType": "AWS::S3::Bucket", "resourceId": bucket,
        "resourceName": bucket, "ARN": format!("arn:aws:s3:::{bucket}"), "awsRegion": "us-east-1",
        "configuration": {"name": bucket}, "supplementaryConfiguration": {"BucketVersioningConfiguration": {"status": "Enabled"}}
    });
    let (kind, key) = if oversized {
        (
            "OversizedConfigurationItemChangeNotification",
            "configurationItemSummary",
        )
    } else {
        ("ConfigurationItemChangeNotification", "configurationItem")
    };
    json!({
        "version": "1.0",
        "invokingEvent": json!({key: item, "notificationCreationTime": "2026-12-03T09:00:05.000Z",
                                "messageType": kind, "recordVersion": "1.3"}).to_string(),
        "ruleParameters": "{\"rules\": \"s3-bucket-versioning-enabled\"}",
        "resultToken": token, "eventLeftScope": false,
        "executionRoleArn": "arn:aws:iam::123456789012:role/config-role",
        "configRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-1",
        "configRuleName": "compliance-changes-t", "configRuleId": "config-rule-1",
        "accountId": "123456789012", "evaluationMode": "DETECTIVE"
    })
}

fn scheduled(token: &str) -> Value {
    json!({
        "version": "1.0",
        "invokingEvent": json!({"awsAccountId": "123456789012", "notificationCreationTime": "2026-12-03T06:00:00.000Z",
                                "messageType": "ScheduledNotification", "recordVersion": "1.0"}).to_string(),
        "ruleParameters": "{\"services\": \"s3\"}", "resultToken": token, "eventLeftScope": false,
        "configRuleName": "compliance-periodic-t", "accountId": "123456789012"
    })
}

#[test]
fn config_invocations_are_answered_with_the_verdicts_a_scan_gives() {
    let emu = Emulator::start();
    create_bucket_and_topic(&emu);
    emu.boto(
        r#"
s3 = client("s3")
for b in ["open-bucket", "kept-bucket", "denied-bucket"]:
    s3.create_bucket(Bucket=b)
s3.put_bucket_versioning(Bucket="kept-bucket", VersioningConfiguration={"Status": "Enabled"})
"#,
    );
    let proxy = Proxy::start(
        &emu.url,
        json!([
            {"target": "StarlingDoveService.PutEvaluations", "headers": {"Content-Type": "application/x-amz-json-1.1"},
             "body": "{\"FailedEvaluations\": []}"},
            {"path": "/denied-bucket", "query": "versioning", "status": 403, "code": "AccessDenied"}
        ]),
    );
    let events = vec![
        change("open-bucket", "OK", false, "t-open"),
        change("kept-bucket", "OK", true, "t-kept"),
        change("gone-bucket", "ResourceDeleted", false, "t-gone"),
        change("denied-bucket", "OK", false, "t-denied"),
        scheduled("t-account"),
    ];
    let (answers, _) = invoke(&proxy.url, events, Duration::from_secs(300), &[]);
    assert!(answers.iter().all(|a| a.1 == "response"), "{answers:?}");
    assert_eq!(answers[3].2["evaluations"], 0);
    assert_eq!(
        answers[3].2["undecided"].as_array().unwrap().len(),
        1,
        "{:?}",
        answers[3]
    );

    let sent: Vec<Value> = proxy
        .log()
        .iter()
        .filter(|e| e["target"] == "StarlingDoveService.PutEvaluations")
        .map(|e| serde_json::from_str(e["body"].as_str().unwrap()).unwrap())
        .collect();
    let by_token = |t: &str| -> Vec<Value> {
        sent.iter()
            .filter(|b| b["ResultToken"] == t)
            .flat_map(|b| b["Evaluations"].as_array().unwrap().clone())
            .collect()
    };
    // Read again, not taken from the item: the bucket's versioning is off.
    let open = by_token("t-open");
    assert_eq!(open.len(), 1, "{sent:?}");
    assert_eq!(open[0]["ComplianceResourceType"], "AWS::S3::Bucket");
    assert_eq!(open[0]["ComplianceResourceId"], "open-bucket");
    assert_eq!(open[0]["ComplianceType"], "NON_COMPLIANT");
    let note = open[0]["Annotation"].as_str().unwrap();
    assert!(note.starts_with("s3-bucket-versioning-enabled: "), "{note}");
    assert!(note.chars().count() <= 256);
    assert!(open[0]["OrderingTimestamp"].is_number(), "{}", open[0]);
    // An oversized item is read the same way.
    assert_eq!(by_token("t-kept")[0]["ComplianceType"], "COMPLIANT");
    // Deleted: not applicable, without reading it.
    assert_eq!(by_token("t-gone")[0]["ComplianceType"], "NOT_APPLICABLE");
    let touched_gone = proxy.log().iter().any(|e| {
        e["path"]
            .as_str()
            .unwrap_or_default()
            .starts_with("/gone-bucket")
    });
    assert!(!touched_gone, "a deleted resource is not read");
    // Unreadable: no evaluation at all, never COMPLIANT; the warning says so.
    assert!(by_token("t-denied").is_empty(), "{sent:?}");
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "config-undecided"
    );
    assert!(
        warnings[0]["Message"]
            .as_str()
            .unwrap()
            .contains("AWS::S3::Bucket denied-bucket: GetBucketVersioning failed: AccessDenied"),
        "{}",
        warnings[0]["Message"]
    );
    // The schedule judges the account: its buckets fail.
    let account = by_token("t-account");
    assert_eq!(account.len(), 1, "{sent:?}");
    assert_eq!(account[0]["ComplianceResourceType"], "AWS::::Account");
    assert_eq!(account[0]["ComplianceResourceId"], "123456789012");
    assert_eq!(account[0]["ComplianceType"], "NON_COMPLIANT");
    assert!(
        account[0]["Annotation"]
            .as_str()
            .unwrap()
            .contains("failed finding(s): "),
        "{}",
        account[0]
    );
}
