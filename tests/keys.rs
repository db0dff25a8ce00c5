//! Customer-managed KMS keys across SQS, Secrets Manager and DynamoDB against the local
//! AWS endpoint: who manages a key is asked once per key however many resources share
//! it, AWS-managed keys (aws/sqs, aws/dynamodb) and services' own keys never pass, and a
//! refused DescribeKey errors the resources of that key only, for the rules that read it.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::json;

const CMK_RULES: [&str; 3] = [
    "sqs-queue-kms-cmk-encryption",
    "secretsmanager-secret-kms-cmk-encryption",
    "dynamodb-table-kms-cmk-encryption",
];

/// One customer key shared by two queues, a secret and a table; the AWS-managed and
/// service-owned alternatives beside them.
fn account() -> Emulator {
    let emu = Emulator::start();
    emu.boto(
        r#"
key = client("kms").create_key(Description="ledger")["KeyMetadata"]["Arn"]
sqs, sm, ddb = client("sqs"), client("secretsmanager"), client("dynamodb")
sqs.create_queue(QueueName="orders", Attributes={"KmsMasterKeyId": key})
sqs.create_queue(QueueName="refunds", Attributes={"KmsMasterKeyId": key})
sqs.create_queue(QueueName="aws-key", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
sqs.create_queue(QueueName="sse-sqs")
sm.create_secret(Name="ledger-db", SecretString="x", KmsKeyId=key)
sm.create_secret(Name="default-key", SecretString="x")
table = dict(KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
ddb.create_table(TableName="ledger", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}, **table)
ddb.create_table(TableName="owned", **table)
ddb.create_table(TableName="aws-managed", SSESpecification={"Enabled": True, "SSEType": "KMS"}, **table)
"#,
    );
    emu
}

/// (rule, resource) → status, for the rules asked.
fn scan_verdicts(url: &str, rules: &[&str]) -> (Option<i32>, BTreeMap<(String, String), String>) {
    let mut args = vec!["--region", "us-east-1"];
    for rule in rules {
        args.extend(["--rule", rule]);
    }
    let out = run(scan(url, "json", &args));
    let report = json_report(&out);
    let mut verdicts = BTreeMap::new();
    for rule in rules {
        for (resource, status) in findings_of(&report, rule) {
            verdicts.insert((rule.to_string(), resource), status);
        }
    }
    (out.status.code(), verdicts)
}

#[test]
fn a_key_is_asked_about_once_and_only_a_customer_s_key_passes() {
    let emu = account();
    let proxy = Proxy::start(&emu.url, json!([]));
    let (code, verdicts) = scan_verdicts(&proxy.url, &CMK_RULES);
    assert_eq!(code, Some(0));
    let passing: Vec<&str> = verdicts
        .iter()
        .filter(|(_, s)| *s == "PASS")
        .map(|((_, r), _)| r.as_str())
        .collect();
    assert_eq!(
        passing,
        ["ledger", "ledger-db", "orders", "refunds"],
        "{verdicts:?}"
    );
    assert_eq!(verdicts.len(), 9);
    // The customer key once for its four resources, aws/dynamodb's once; an alias/aws/
    // name needs no question.
    assert_eq!(proxy.count("DescribeKey"), 2);
}

#[test]
fn a_refused_describe_key_errors_that_key_s_resources_and_nothing_else() {
    let emu = account();
    let (_, clean) = scan_verdicts(&emu.url, &CMK_RULES);
    let proxy = Proxy::start(
        &emu.url,
        json!([{"target": "TrentService.DescribeKey", "status": 400, "code": "AccessDeniedException",
                "format": "json", "times": 1}]),
    );
    let mut rules = CMK_RULES.to_vec();
    rules.push("sqs-queue-encrypted");
    let (code, verdicts) = scan_verdicts(&proxy.url, &rules);
    assert_eq!(code, Some(3));
    let errored: Vec<&str> = verdicts
        .iter()
        .filter(|(_, s)| *s == "ERROR")
        .map(|((_, r), _)| r.as_str())
        .collect();
    // Whichever key was asked first: the customer's (four resources) or aws/dynamodb's.
    assert!(
        errored == ["ledger", "ledger-db", "orders", "refunds"] || errored == ["aws-managed"],
        "{verdicts:?}"
    );
    for ((rule, resource), status) in &verdicts {
        if status != "ERROR" && rule != "sqs-queue-encrypted" {
            assert_eq!(
                status,
                &clean[&(rule.clone(), resource.clone())],
                "{rule} {resource}"
            );
        }
    }
    // Encryption itself is still judged: the key's manager is another question.
    for queue in ["orders", "refunds", "aws-key", "sse-sqs"] {
        assert_eq!(
            verdicts[&("sqs-queue-encrypted".to_string(), queue.to_string())],
            "PASS"
        );
    }
}
