//! `scan --stack`: a small stack created in the local AWS endpoint's CloudFormation,
//! drifted and then judged — its template findings located in `stack/NAME`, its live
//! findings, and each resource's drift — from the CLI and from the scanner Lambda on
//! CloudFormation's "Stack Status Change" event.

mod common;

use std::time::Duration;

use common::lambda::{create_bucket_and_topic, invoke, messages};
use common::*;
use serde_json::{json, Value};

const STACK: &str = "orders-pr-7";

/// A versioned, KMS-encrypted bucket; a bucket left to its defaults, whose missing access
/// logs the template accepts; an unencrypted topic.
const TEMPLATE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Suffix:
    Type: String
    Default: dev
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'orders-reports-${Suffix}'
      VersioningConfiguration:
        Status: Enabled
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
  Scratch:
    Type: AWS::S3::Bucket
    Metadata:
      compliance:
        suppress:
          - rule: s3-bucket-access-logging-enabled
            reason: scratch data, deleted daily
    Properties:
      BucketName: !Sub 'orders-scratch-${Suffix}'
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub 'orders-alerts-${Suffix}'
"#;

/// Creates the stack with `Suffix=pr-7`, then gives its buckets what CloudFormation
/// gives them in AWS and the emulator's CloudFormation does not: the template's
/// versioning, and a new bucket's SSE-S3 encryption (S3's default since January 2023),
/// public access block and bucket-owner-enforced ownership (since April 2023).
fn create_stack(emu: &Emulator) {
    emu.boto(&format!(
        r#"
cf, s3 = client("cloudformation"), client("s3")
cf.create_stack(StackName="{STACK}", TemplateBody={TEMPLATE:?},
                Parameters=[{{"ParameterKey": "Suffix", "ParameterValue": "pr-7"}}])
assert cf.describe_stacks(StackName="{STACK}")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
s3.put_bucket_versioning(Bucket="orders-reports-pr-7", VersioningConfiguration={{"Status": "Enabled"}})
s3.put_bucket_encryption(Bucket="orders-scratch-pr-7", ServerSideEncryptionConfiguration={{
    "Rules": [{{"ApplyServerSideEncryptionByDefault": {{"SSEAlgorithm": "AES256"}}}}]}})
for bucket in ["orders-reports-pr-7", "orders-scratch-pr-7"]:
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={{
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}})
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={{"Rules": [{{"ObjectOwnership": "BucketOwnerEnforced"}}]}})
# A bucket of the account outside the stack: never in a stack's report.
s3.create_bucket(Bucket="unrelated-bucket")
"#
    ));
}

fn scan_stack(url: &str, format: &str) -> std::process::Output {
    run(scan(url, format, &["--stack", STACK]))
}

fn drift_of<'r>(report: &'r Value, logical: &str) -> &'r Value {
    report["stack"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["logical_id"] == logical)
        .unwrap_or_else(|| panic!("no drift entry for {logical}: {}", report["stack"]))
}

#[test]
fn a_deployed_stack_is_judged_by_template_and_live_with_its_drift() {
    let emu = Emulator::start();
    create_stack(&emu);

    let out = scan_stack(&emu.url, "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(report["scan"]["source"], "stack");
    assert_eq!(report["stack"]["name"], STACK);
    assert_eq!(report["stack"]["status"], "CREATE_COMPLETE");

    // Template findings: located in the deployed template, by logical id, with the
    // parameter values the stack was deployed with.
    let template = finding(&report, "s3-bucket-versioning-enabled", "Scratch");
    assert_eq!(template["status"], "FAIL");
    assert_eq!(template["location"]["file"], format!("stack/{STACK}"));
    assert_eq!(template["location"]["template_type"], "AWS::S3::Bucket");
    assert!(
        template["location"]["line"].as_u64() > Some(1),
        "{template}"
    );
    assert_eq!(
        status_of(&report, "s3-bucket-versioning-enabled", "Reports"),
        Some("PASS")
    );
    assert_eq!(
        status_of(&report, "sns-topic-kms-encrypted", "Alerts"),
        Some("FAIL")
    );
    // Live findings: by the resources' physical ids, only the stack's.
    let live = finding(
        &report,
        "s3-bucket-versioning-enabled",
        "orders-reports-pr-7",
    );
    assert_eq!(live["status"], "PASS");
    assert!(live["location"].is_null(), "{live}");
    assert_eq!(
        status_of(
            &report,
            "s3-bucket-versioning-enabled",
            "orders-scratch-pr-7"
        ),
        Some("FAIL")
    );
    let topic = "arn:aws:sns:us-east-1:123456789012:orders-alerts-pr-7";
    assert_eq!(
        status_of(&report, "sns-topic-kms-encrypted", "orders-alerts-pr-7"),
        Some("FAIL")
    );
    assert!(
        !stdout(&out).contains("unrelated-bucket"),
        "a bucket outside the stack is not in its report"
    );
    // The template's suppression accepts the failure on both sides.
    for id in ["Scratch", "orders-scratch-pr-7"] {
        let f = finding(&report, "s3-bucket-access-logging-enabled", id);
        assert_eq!(f["status"], "FAIL");
        assert_eq!(
            f["suppressed"]["reason"], "scratch data, deleted daily",
            "{f}"
        );
    }

    // As deployed, nothing drifted.
    for logical in ["Reports", "Scratch", "Alerts"] {
        let d = drift_of(&report, logical);
        assert_eq!(d["drift"], "IN_SYNC", "{d}");
    }
    assert_eq!(
        drift_of(&report, "Reports")["live_id"],
        "orders-reports-pr-7"
    );

    // Someone suspends versioning by hand and deletes the topic.
    emu.boto(&format!(
        r#"
client("s3").put_bucket_versioning(Bucket="orders-reports-pr-7", VersioningConfiguration={{"Status": "Suspended"}})
client("sns").delete_topic(TopicArn="{topic}")
"#
    ));
    let out = scan_stack(&emu.url, "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let reports = drift_of(&report, "Reports");
    assert_eq!(reports["drift"], "MODIFIED", "{reports}");
    assert_eq!(
        reports["differences"],
        json!([{"attribute": "versioning.status", "template": "Enabled", "live": "Suspended"}])
    );
    // The template still passes; the live bucket fails.
    assert_eq!(
        status_of(&report, "s3-bucket-versioning-enabled", "Reports"),
        Some("PASS")
    );
    assert_eq!(
        status_of(
            &report,
            "s3-bucket-versioning-enabled",
            "orders-reports-pr-7"
        ),
        Some("FAIL")
    );
    let alerts = drift_of(&report, "Alerts");
    assert_eq!(alerts["drift"], "DELETED", "{alerts}");
    assert!(alerts["note"].as_str().unwrap().contains(topic), "{alerts}");
    assert_eq!(drift_of(&report, "Scratch")["drift"], "IN_SYNC");

    // The table says the same to a person.
    let out = scan_stack(&emu.url, "table");
    let table = stdout(&out);
    assert!(table.contains(&format!("Stack {STACK}")), "{table}");
    assert!(
        table.contains("MODIFIED Reports  AWS::S3::Bucket  orders-reports-pr-7\n")
            && table.contains("versioning.status: template \"Enabled\", live \"Suspended\""),
        "{table}"
    );
    assert!(table.contains("DELETED  Alerts"), "{table}");
}

#[test]
fn a_stack_that_cannot_be_scanned_is_one_sentence_and_exit_2() {
    let emu = Emulator::start();
    let out = run(scan(&emu.url, "json", &["--stack", "no-such-stack"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("stack no-such-stack does not exist in us-east-1"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let out = run(scan(
        &emu.url,
        "json",
        &[
            "--stack",
            STACK,
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
        ],
    ));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a stack lives in one region"),
        "{}",
        stderr(&out)
    );

    let out = run(scan(
        &emu.url,
        "json",
        &["--stack", STACK, "--template", "infra/template.yaml"],
    ));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// CloudFormation's event for a stack in `status`, as EventBridge delivers it.
fn stack_event(stack_id: &str, status: &str) -> Value {
    json!({
        "version": "0", "id": format!("e-{status}"), "detail-type": "CloudFormation Stack Status Change",
        "source": "aws.cloudformation", "account": "123456789012", "time": "2026-12-03T00:00:00Z",
        "region": "us-east-1", "resources": [stack_id],
        "detail": {"stack-id": stack_id, "status-details": {"status": status, "status-reason": ""}}
    })
}

#[test]
fn the_lambda_judges_a_stack_when_it_is_created_or_updated() {
    let emu = Emulator::start();
    create_stack(&emu);
    create_bucket_and_topic(&emu);
    emu.boto(
        r#"client("s3").put_bucket_versioning(Bucket="orders-reports-pr-7", VersioningConfiguration={"Status": "Suspended"})"#,
    );
    let stack_id = emu
        .boto(&format!(
            r#"print(client("cloudformation").describe_stacks(StackName="{STACK}")["Stacks"][0]["StackId"])"#
        ))
        .trim()
        .to_string();
    let events = vec![
        stack_event(&stack_id, "UPDATE_COMPLETE"),
        stack_event(&stack_id, "UPDATE_IN_PROGRESS"),
    ];
    let (answers, _) = invoke(&emu.url, events, Duration::from_secs(300), &[]);
    assert_eq!(answers[0].1, "response", "{answers:?}");
    assert_eq!(answers[0].2["stored"], true, "{answers:?}");
    assert_eq!(answers[1].1, "error", "{answers:?}");
    assert!(
        answers[1].2["errorMessage"]
            .as_str()
            .unwrap()
            .contains("has status UPDATE_IN_PROGRESS"),
        "{answers:?}"
    );

    // The stored report is the stack's, with its drift.
    let scan_id = answers[0].2["scan_id"].as_str().unwrap();
    let stored: Value = serde_json::from_str(&emu.boto(&format!(
        r#"
s3 = client("s3")
key = [o["Key"] for o in s3.list_objects_v2(Bucket="compliance-reports-t")["Contents"] if o["Key"].endswith("/{scan_id}.json")][0]
print(s3.get_object(Bucket="compliance-reports-t", Key=key)["Body"].read().decode())
"#
    )))
    .unwrap();
    assert_eq!(stored["stack"]["name"], STACK);
    assert_eq!(drift_of(&stored, "Reports")["drift"], "MODIFIED");
    assert_eq!(
        status_of(
            &stored,
            "s3-bucket-versioning-enabled",
            "orders-reports-pr-7"
        ),
        Some("FAIL")
    );
    assert_eq!(
        status_of(&stored, "s3-bucket-versioning-enabled", "Reports"),
        Some("PASS")
    );

    // The drift warns; the stack is named in what is sent.
    let warnings = messages(&emu, "warnings");
    let drift = warnings
        .iter()
        .find(|m| {
            let problem = m["MessageAttributes"]["problem"]["Value"].as_str();
            problem.is_some_and(|p| p.split(',').any(|k| k == "drift"))
        })
        .unwrap_or_else(|| panic!("no drift warning: {warnings:?}"));
    let text = drift["Message"].as_str().unwrap();
    assert!(
        text.contains(&format!("of stack {STACK} differ from its template")),
        "{text}"
    );
    assert!(text.contains("versioning.status"), "{text}");
}
