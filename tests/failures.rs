//! What a scan does when AWS fails for part of the account: the failed calls become
//! ERROR findings and collection errors, everything else is still judged, and the
//! scan completes. One case per failure, then the permanent fault run: a seeded share
//! of every request to every service fails the way a hostile network and a loaded AWS
//! fail (throttling in each protocol's shape, 500, 503, connection resets, slow
//! answers, 200s cut in half, empty 200s), and the findings are compared with a clean
//! scan of the same account. Every (rule, region, resource) of the clean scan must be
//! there with the same verdict or as ERROR — never missing, never another verdict —
//! and nothing the clean scan did not have may appear. The faults hang on the seed and
//! the request, not on timing, so a failure replays with the same seed.

mod common;

use std::collections::BTreeMap;

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
    let rules = json_report(&run(compliance(&[
        "scan",
        "--list-rules",
        "--service",
        "lambda",
        "--format",
        "json",
    ])));
    assert_eq!(
        lambda.len(),
        rules.as_array().unwrap().len(),
        "one ERROR per Lambda rule"
    );
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

#[test]
fn an_empty_answer_is_an_error_never_a_missing_key_or_a_setting_turned_off() {
    // Empty 200s to DescribeKey and GetKeyRotationStatus: the SDK reads them as a key
    // without metadata (it used to vanish from the scan) and rotation off (a false FAIL).
    let (emu, _) = shared_demo();
    let clean = json_report(&run(scan(&emu.url, "json", &["--service", "kms"])));
    let keys: Vec<(String, String)> = clean["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(keys
        .iter()
        .any(|(rule, _)| rule == "kms-key-rotation-enabled"));
    for target in [
        "TrentService.DescribeKey",
        "TrentService.GetKeyRotationStatus",
    ] {
        let proxy = Proxy::start(
            &emu.url,
            json!([{"target": target, "body": "",
                    "headers": {"Content-Type": "application/x-amz-json-1.1"}}]),
        );
        let out = run(scan(&proxy.url, "json", &["--service", "kms"]));
        assert_eq!(out.status.code(), Some(3), "{target}: {}", stderr(&out));
        let r = json_report(&out);
        for (rule, key) in &keys {
            let status = status_of(&r, rule, key);
            let before = status_of(&clean, rule, key);
            // Without DescribeKey nothing of the key is known, not even whether a rule
            // applies; without the rotation status only the rotation rule is unknown.
            let unknown = target.ends_with("DescribeKey")
                || (rule == "kms-key-rotation-enabled" && matches!(before, Some("PASS" | "FAIL")));
            if unknown {
                assert_eq!(status, Some("ERROR"), "{target}: {rule} on {key}");
            } else {
                assert_eq!(status, before, "{target}: {rule} on {key}");
            }
        }
        assert!(
            stderr(&out).contains("not whole: it is empty"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_bucket_key_whose_manager_kms_does_not_give_is_an_error_never_a_customer_key() {
    // DescribeKey answered without KeyManager: the bucket's key might be aws/s3.
    let (emu, _) = shared_demo();
    let rule = ["--rule", "s3-bucket-kms-cmk-encryption"];
    let clean = json_report(&run(scan(&emu.url, "json", &rule)));
    let customer: Vec<String> = clean["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "PASS")
        .map(|f| f["resource_id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !customer.is_empty(),
        "the demo has a bucket with a customer key"
    );
    let unnamed = json!({"KeyMetadata": {"KeyId": "k", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k",
                                          "KeyState": "Enabled"}});
    let proxy = Proxy::start(
        &emu.url,
        json!([{"target": "TrentService.DescribeKey", "body": unnamed.to_string(),
                "headers": {"Content-Type": "application/x-amz-json-1.1"}}]),
    );
    let out = run(scan(&proxy.url, "json", &rule));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let r = json_report(&out);
    for bucket in &customer {
        assert_eq!(
            status_of(&r, "s3-bucket-kms-cmk-encryption", bucket),
            Some("ERROR"),
            "{bucket}"
        );
    }
}

/// (rule, region, resource) → status.
type Verdicts = BTreeMap<(String, String, String), String>;

fn verdicts(report: &serde_json::Value) -> Verdicts {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (
                (text("rule_id"), text("region"), text("resource_id")),
                text("status"),
            )
        })
        .collect()
}

/// What the faulted scan got wrong against the clean one; empty when nothing.
fn differences(clean: &Verdicts, faulted: &Verdicts) -> Vec<String> {
    // A listing that failed is one ERROR for its rule with resource `*`: it stands for
    // every resource of that rule in its region — in every region for S3, whose
    // buckets are listed once for the account.
    let listing_failed = |(rule, region, _): &(String, String, String)| {
        faulted.iter().any(|((r, reg, res), status)| {
            r == rule
                && res == "*"
                && status == "ERROR"
                && (reg == region || rule.starts_with("s3-"))
        })
    };
    let mut wrong = Vec::new();
    for (key, verdict) in clean {
        match faulted.get(key) {
            Some(v) if v == verdict || v == "ERROR" => {}
            Some(v) => wrong.push(format!("{key:?} was {verdict}, now {v}")),
            None if listing_failed(key) => {}
            None => wrong.push(format!("{key:?} ({verdict}) is missing")),
        }
    }
    for (key, verdict) in faulted {
        let listing_error = key.2 == "*" && verdict == "ERROR";
        // A KMS key whose DescribeKey failed may be one AWS manages (which a clean scan
        // leaves out): it is reported, every rule ERROR, never dropped or guessed.
        let unknown_key = key.0.starts_with("kms-key-") && verdict == "ERROR";
        if !clean.contains_key(key) && !listing_error && !unknown_key {
            wrong.push(format!("{key:?} ({verdict}) was not in the clean scan"));
        }
    }
    wrong
}

#[test]
fn the_comparison_catches_a_lost_a_flipped_and_an_invented_finding() {
    let key = |rule: &str, resource: &str| {
        (
            rule.to_string(),
            "us-east-1".to_string(),
            resource.to_string(),
        )
    };
    let clean: Verdicts = [
        (key("kms-key-rotation", "k1"), "FAIL".to_string()),
        (key("kms-key-rotation", "k2"), "PASS".to_string()),
        (key("s3-versioning", "b1"), "FAIL".to_string()),
    ]
    .into();
    let mut same = clean.clone();
    same.insert(key("kms-key-rotation", "k2"), "ERROR".to_string());
    assert!(differences(&clean, &same).is_empty());
    let mut listed_for_s3 = clean.clone();
    listed_for_s3.remove(&key("s3-versioning", "b1"));
    listed_for_s3.insert(
        (
            "s3-versioning".to_string(),
            "eu-west-1".to_string(),
            "*".to_string(),
        ),
        "ERROR".to_string(),
    );
    assert!(differences(&clean, &listed_for_s3).is_empty());

    let mut wrong = clean.clone();
    wrong.remove(&key("kms-key-rotation", "k1"));
    wrong.insert(key("kms-key-rotation", "k2"), "FAIL".to_string());
    wrong.insert(key("kms-key-rotation", "k3"), "PASS".to_string());
    let found = differences(&clean, &wrong);
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn faults_across_every_service_lose_nothing_and_flip_nothing() {
    let (emu, _) = shared_demo();
    let clean_out = run(scan(&emu.url, "json", &[]));
    assert_eq!(clean_out.status.code(), Some(0), "{}", stderr(&clean_out));
    let clean = verdicts(&json_report(&clean_out));
    assert!(
        clean.values().any(|v| v == "FAIL") && !clean.values().any(|v| v == "ERROR"),
        "the clean scan has failures and no error"
    );

    let (mut compared, mut requests, mut faults) = (0, 0.0, 0);
    let runs = [1, 2, 3, 4].map(|seed| (seed, 0.1));
    for (seed, rate) in runs.into_iter().chain([5, 6, 7, 8].map(|seed| (seed, 0.3))) {
        let proxy = Proxy::start(&emu.url, json!([{"random": rate, "seed": seed}]));
        let mut cmd = scan(&proxy.url, "json", &[]);
        // The SDK's own retry policy, as users have it.
        cmd.env_remove("AWS_MAX_ATTEMPTS");
        let out = run(cmd);
        let log = proxy.log();
        requests += log.len() as f64 * rate;
        faults += log.iter().filter(|e| e["fault"].is_string()).count();
        if out.status.code() == Some(2) {
            // Without the account or its regions there is no scan: said, never a report.
            let text = stderr(&out);
            assert!(
                text.contains("GetCallerIdentity") || text.contains("DescribeRegions"),
                "seed {seed}: {text}"
            );
            assert!(out.stdout.is_empty());
            continue;
        }
        let report = json_report(&out);
        let faulted = verdicts(&report);
        let wrong = differences(&clean, &faulted);
        assert!(
            wrong.is_empty(),
            "seed {seed} at {rate}: {} of {} findings wrong:\n{}",
            wrong.len(),
            clean.len(),
            wrong.join("\n")
        );
        let errors = faulted.values().filter(|v| *v == "ERROR").count();
        let expected = if errors > 0 { 3 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "seed {seed}: {errors} errors; {}",
            stderr(&out)
        );
        compared += 1;
    }
    assert!(
        faults as f64 >= requests / 2.0,
        "{faults} faults injected where {requests} were expected"
    );
    assert!(
        compared >= 6,
        "only {compared} faulted scans got as far as a report"
    );
}
