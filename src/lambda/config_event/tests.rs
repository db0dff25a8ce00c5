use serde_json::json;

use super::*;
use crate::output::fixtures;

/// Config's invocation, as its developer guide shows it.
fn change(item: Value, oversized: bool) -> Value {
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
        "ruleParameters": "{\"services\": \"s3\", \"min_severity\": \"medium\"}",
        "resultToken": "token-1",
        "eventLeftScope": false,
        "executionRoleArn": "arn:aws:iam::123456789012:role/config-role",
        "configRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-0123456",
        "configRuleName": "compliance-changes-t",
        "configRuleId": "config-rule-0123456",
        "accountId": "123456789012",
        "evaluationMode": "DETECTIVE"
    })
}

fn bucket(status: &str) -> Value {
    json!({"configurationItemCaptureTime": "2026-12-03T09:00:00.000Z", "awsAccountId": "123456789012",
           "configurationItemStatus": status, "resourceType": "AWS::S3::Bucket", "resourceId": "ledger",
           "resourceName": "ledger", "ARN": "arn:aws:s3:::ledger", "awsRegion": "us-east-1",
           "configuration": {"name": "ledger"}})
}

#[test]
fn a_change_names_the_resource_its_time_and_the_rules_selected() {
    for oversized in [false, true] {
        let got = parse(&change(bucket("OK"), oversized)).unwrap();
        assert_eq!(got.result_token, "token-1");
        assert_eq!(got.rule_name, "compliance-changes-t");
        assert_eq!(got.selection.services, [crate::model::Service::S3]);
        assert_eq!(got.selection.min_severity, Severity::Medium);
        let Subject::Change(r) = got.subject else {
            panic!("a change")
        };
        assert_eq!(
            (r.resource_type.as_str(), r.resource_id.as_str()),
            ("AWS::S3::Bucket", "ledger")
        );
        assert_eq!(r.arn.as_deref(), Some("arn:aws:s3:::ledger"));
        assert_eq!(r.captured_at.to_rfc3339(), "2026-12-03T09:00:00+00:00");
        assert!(!r.gone);
    }
    let deleted = parse(&change(bucket("ResourceDeleted"), false)).unwrap();
    assert!(matches!(deleted.subject, Subject::Change(ref r) if r.gone));
    let mut left = change(bucket("OK"), false);
    left["eventLeftScope"] = json!(true);
    assert!(matches!(parse(&left).unwrap().subject, Subject::Change(ref r) if r.gone));
}

#[test]
fn a_schedule_is_the_account_and_bad_events_are_one_sentence() {
    let scheduled = json!({
        "invokingEvent": json!({"awsAccountId": "123456789012", "notificationCreationTime": "2026-12-03T06:00:00.000Z",
                                "messageType": "ScheduledNotification", "recordVersion": "1.0"}).to_string(),
        "ruleParameters": "{}", "resultToken": "t", "eventLeftScope": false, "configRuleName": "compliance-periodic-t",
        "accountId": "123456789012"
    });
    let got = parse(&scheduled).unwrap();
    assert!(
        matches!(got.subject, Subject::Scheduled { ref account_id, .. } if account_id == "123456789012")
    );
    assert!(got.selection.rules.is_empty() && got.selection.services.is_empty());

    let mut bad = scheduled.clone();
    bad["invokingEvent"] = json!("{not json");
    assert!(parse(&bad)
        .unwrap_err()
        .contains("invokingEvent is not JSON"));
    let mut bad = scheduled.clone();
    bad["ruleParameters"] = json!("{\"services\": \"nope\"}");
    assert!(parse(&bad).unwrap_err().contains("parameter services"));
    let mut bad = scheduled;
    bad.as_object_mut().unwrap().remove("resultToken");
    assert_eq!(
        parse(&bad).unwrap_err(),
        "the Config event has no resultToken"
    );
}

#[test]
fn a_failure_is_non_compliant_an_error_is_no_verdict_and_passes_are_compliant() {
    let report = fixtures::report();
    let at = report.scan.finished_at;
    let all: Vec<&Finding> = report.findings.iter().collect();
    let v = verdict("AWS::S3::Bucket", "b", &all, at).unwrap();
    assert_eq!(v.compliance, "NON_COMPLIANT");
    assert!(
        v.annotation.starts_with("s3-bucket-public-access-block: "),
        "{}",
        v.annotation
    );
    assert!(v.annotation.chars().count() <= 256);

    let error = [&report.findings[3]];
    assert_eq!(
        verdict("AWS::S3::Bucket", "b", &error, at),
        None,
        "never COMPLIANT unseen"
    );
    let pass = [&report.findings[0]];
    assert_eq!(
        verdict("AWS::S3::Bucket", "b", &pass, at)
            .unwrap()
            .compliance,
        "COMPLIANT"
    );
    assert_eq!(
        verdict("AWS::S3::Bucket", "b", &[], at).unwrap().compliance,
        "NOT_APPLICABLE"
    );

    let mut long = report.findings[1].clone();
    long.message = "x".repeat(400);
    let v = verdict("AWS::S3::Bucket", "b", &[&long], at).unwrap();
    assert_eq!(v.annotation.chars().count(), 256);
}
