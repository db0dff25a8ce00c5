//! What a scan does when AWS fails for part of the account: the failed calls become
//! ERROR findings and collection errors, everything else is still judged, and the
//! scan completes.

mod common;

use common::*;
use serde_json::json;

#[test]
fn a_denied_call_on_one_bucket_errors_only_the_rules_that_needed_it() {
    let (emu, _) = shared_demo();
    let proxy = Proxy::start(
        &emu.url,
        json!([
            {"path": "/compliance-demo-public", "query": "policy", "status": 403, "code": "AccessDenied"},
            {"path": "/compliance-demo-legacy", "query": "encryption", "status": 503, "code": "ServiceUnavailable"}
        ]),
    );
    let out = run(compliance(&[
        "scan",
        "--endpoint-url",
        &proxy.url,
        "--format",
        "json",
    ]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "the scan completes and still reports failures: {}",
        stderr(&out)
    );
    let r = json_report(&out);

    for rule in [
        "s3-bucket-no-public-read",
        "s3-bucket-no-public-write",
        "s3-bucket-ssl-requests-only",
    ] {
        assert_eq!(
            status_of(&r, rule, "compliance-demo-public"),
            Some("ERROR"),
            "{rule}"
        );
        assert_eq!(
            status_of(&r, rule, "compliance-demo-secure"),
            Some("PASS"),
            "{rule} on another bucket"
        );
    }
    // Rules that did not need the policy still judge the bucket.
    assert_eq!(
        status_of(
            &r,
            "s3-bucket-public-access-block",
            "compliance-demo-public"
        ),
        Some("FAIL")
    );
    for rule in [
        "s3-bucket-default-encryption-enabled",
        "s3-bucket-kms-cmk-encryption",
    ] {
        assert_eq!(
            status_of(&r, rule, "compliance-demo-legacy"),
            Some("ERROR"),
            "{rule} after retries"
        );
    }
    let message = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "s3-bucket-no-public-read"
                && f["resource_id"] == "compliance-demo-public"
        })
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("GetBucketPolicy") && message.contains("AccessDenied"),
        "{message}"
    );

    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let denied = errors.iter().find(|e| e["code"] == "AccessDenied").unwrap();
    assert_eq!(denied["resource_id"], "compliance-demo-public");
    assert_eq!(denied["operation"], "GetBucketPolicy");
    assert_eq!(denied["attributes"], json!(["policy"]));
    let text = stderr(&out);
    assert!(
        text.contains("could not read policy of aws.s3.bucket compliance-demo-public"),
        "{text}"
    );
    assert!(text.contains("ServiceUnavailable"), "{text}");
}

#[test]
fn a_denied_listing_errors_that_kind_and_leaves_the_rest() {
    let (emu, _) = shared_demo();
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/2015-03-31/functions/", "status": 403, "code": "AccessDeniedException", "format": "json"}]),
    );
    let out = run(scan(&proxy.url, "json", &[]));
    assert_eq!(
        out.status.code(),
        Some(3),
        "nothing failed, but what could not be read is not a pass: {}",
        stderr(&out)
    );
    let accepted = run(scan(&proxy.url, "json", &["--accept-errors"]));
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    let r = json_report(&out);
    let lambda: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource_type"] == "aws.lambda.function")
        .collect();
    assert_eq!(lambda.len(), 7, "one ERROR per Lambda rule");
    assert!(lambda
        .iter()
        .all(|f| f["status"] == "ERROR" && f["resource_id"] == "*"));
    assert!(
        lambda[0]["message"]
            .as_str()
            .unwrap()
            .contains("ListFunctions"),
        "{}",
        lambda[0]["message"]
    );
    assert_eq!(
        status_of(&r, "sns-topic-kms-encrypted", "demo-alerts"),
        Some("PASS")
    );
    assert!(
        stderr(&out).contains("could not read the aws.lambda.function list"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bucket_whose_region_cannot_be_read_is_an_error_for_each_of_its_rules_never_a_gap() {
    let (emu, _) = shared_demo();
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/compliance-demo-legacy", "query": "location", "status": 403,
                "code": "AccessDenied", "format": "xml"}]),
    );
    let out = run(scan(&proxy.url, "json", &["--service", "s3"]));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let r = json_report(&out);
    let rules = json_report(&run(compliance(&[
        "scan",
        "--list-rules",
        "--service",
        "s3",
        "--format",
        "json",
    ])));
    let legacy: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource_id"] == "compliance-demo-legacy")
        .collect();
    assert_eq!(
        legacy.len(),
        rules.as_array().unwrap().len(),
        "one finding per S3 rule"
    );
    for f in legacy {
        assert_eq!(f["status"], "ERROR", "{f}");
        assert!(
            f["message"].as_str().unwrap().contains("GetBucketLocation"),
            "{f}"
        );
    }
    assert!(
        !r["errors"].as_array().unwrap().is_empty(),
        "the failed call is listed"
    );
}

#[test]
fn an_answer_cut_short_is_an_error_never_a_shorter_list() {
    // A 200 whose XML stops half way (a reset, a proxy): the SDK's reader would take
    // the one group it holds for the whole list and drop the rest.
    let (emu, _) = shared_demo();
    let half = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">"#,
        "<requestId>r-1</requestId><securityGroupInfo><item><ownerId>123456789012</ownerId>",
        "<groupId>sg-0000000000000000a</groupId><groupName>half</groupName>",
    );
    let proxy = Proxy::start(
        &emu.url,
        json!([{"action": "DescribeSecurityGroups", "body": half,
                "headers": {"Content-Type": "text/xml;charset=UTF-8"}}]),
    );
    let out = run(scan(&proxy.url, "json", &["--service", "ec2"]));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let r = json_report(&out);
    let groups: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource_type"] == "aws.ec2.security-group")
        .collect();
    assert!(!groups.is_empty());
    for f in &groups {
        assert_eq!(f["status"], "ERROR", "{f}");
        assert_eq!(
            f["resource_id"], "*",
            "no group invented from half a list: {f}"
        );
        assert!(f["message"].as_str().unwrap().contains("not whole"), "{f}");
    }
    // The other EC2 kinds were listed as usual.
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["resource_type"] == "aws.ec2.vpc" && f["status"] != "ERROR"));
}
