//! The same binary as the scanner Lambda (built with `--features lambda`) against a
//! Runtime API served on loopback (`common::lambda`), scanning the local AWS endpoint and
//! writing to its S3 and SNS.

mod common;

use std::time::Duration;

use common::lambda::*;
use common::*;
use serde_json::{json, Value};

#[test]
fn the_lambda_stores_reports_alerts_and_emits_metrics() {
    let emu = Emulator::start();
    emu.seed_demo();
    create_bucket_and_topic(&emu);
    let events = vec![
        json!({"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
               "time": "2026-11-23T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}}),
        json!({"source": "compliance.audit", "detail-type": "Compliance Scan Request",
               "detail": {"scan_id": "on-demand-1", "rules": ["s3-bucket-versioning-enabled"]}}),
        json!({"hello": "world"}),
    ];
    let (answers, stdout) = invoke(&emu.url, events, Duration::from_secs(300), &[]);

    // Each invocation got its answer, the bad one an error result.
    assert_eq!(
        (answers[0].0.as_str(), answers[0].1.as_str()),
        ("request-0", "response"),
        "{answers:?}"
    );
    assert_eq!(answers[0].2["stored"], true);
    let scheduled_id = answers[0].2["scan_id"].as_str().unwrap().to_string();
    assert_eq!(
        (answers[1].1.as_str(), answers[1].2["scan_id"].as_str()),
        ("response", Some("on-demand-1"))
    );
    assert_eq!(
        (answers[2].0.as_str(), answers[2].1.as_str()),
        ("request-2", "error")
    );
    assert!(
        answers[2].2["errorMessage"]
            .as_str()
            .unwrap()
            .contains("unsupported event"),
        "{:?}",
        answers[2]
    );

    // The stored objects: JSON report, CSV, inventory, under dated keys.
    let stored: Value = serde_json::from_str(&emu.boto(&format!(
        r#"
s3 = client("s3")
keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="compliance-reports-t")["Contents"])
body = lambda k: s3.get_object(Bucket="compliance-reports-t", Key=k)["Body"].read().decode()
on_demand = [k for k in keys if k.endswith("/on-demand-1.json")][0]
scheduled_csv = [k for k in keys if k.endswith("/{scheduled_id}.csv")][0]
inventory = [k for k in keys if k.endswith("/{scheduled_id}.inventory.json")][0]
print(json.dumps({{"keys": keys, "on_demand": json.loads(body(on_demand)), "csv": body(scheduled_csv), "inventory": json.loads(body(inventory))}}))
"#
    )))
    .unwrap();
    let today = chrono::Utc::now().format("%Y/%m/%d").to_string();
    let keys: Vec<&str> = stored["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.starts_with(&format!("scans/{today}/"))),
        "{keys:?}"
    );
    let on_demand = &stored["on_demand"];
    assert_eq!(on_demand["scan"]["id"], "on-demand-1");
    assert_eq!(on_demand["scan"]["source"], "lambda");
    assert!(on_demand["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule_id"] == "s3-bucket-versioning-enabled"));
    assert!(stored["csv"]
        .as_str()
        .unwrap()
        .starts_with("timestamp,account_id,region,rule_id"));
    assert_eq!(stored["inventory"]["account_id"], "123456789012");

    // One alert (the narrowed scan had nothing at or above high), with its attributes.
    let alerts = messages(&emu, "alerts");
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        messages(&emu, "warnings").is_empty(),
        "complete, stored scans warn nobody"
    );
    let alert = &alerts[0];
    assert!(
        alert["Subject"]
            .as_str()
            .unwrap()
            .starts_with("compliance: "),
        "{alert}"
    );
    assert_eq!(alert["MessageAttributes"]["severity"]["Value"], "critical");
    let message = alert["Message"].as_str().unwrap();
    assert!(
        message.contains("account 123456789012 (us-east-1)"),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "s3://compliance-reports-t/scans/{today}/{scheduled_id}.json"
        )),
        "{message}"
    );

    // Metrics in Embedded Metric Format and structured log lines, on stdout.
    let lines: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let emf: Vec<&Value> = lines.iter().filter(|l| l.get("_aws").is_some()).collect();
    assert_eq!(emf.len(), 12, "six EMF documents per successful scan");
    assert!(emf
        .iter()
        .any(|l| l["ComplianceScore"].is_number() && l["Suffix"] == "t"));
    assert!(emf
        .iter()
        .any(|l| l["Severity"] == "critical" && l["FailedFindings"].as_u64() > Some(0)));
    assert!(lines.iter().any(|l| l["level"] == "info"
        && l["message"] == "scan complete"
        && l["scan_id"] == "on-demand-1"));
    assert!(lines.iter().any(|l| l["level"] == "error"
        && l["message"]
            .as_str()
            .unwrap_or_default()
            .contains("unsupported event")));
}

#[test]
fn a_scan_near_the_deadline_stores_what_it_has_marked_incomplete() {
    let emu = Emulator::start();
    emu.seed_demo();
    create_bucket_and_topic(&emu);
    // Lambda's listing answers only after the function's deadline (less the time kept to store).
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/2015-03-31/functions", "delay": 12}]),
    );
    let scheduled = json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}});
    let (answers, _) = invoke(&proxy.url, vec![scheduled], Duration::from_secs(35), &[]);
    assert_eq!(answers[0].1, "response", "{answers:?}");
    let scan_id = answers[0].2["scan_id"].as_str().unwrap().to_string();
    let report: Value = serde_json::from_str(&emu.boto(&format!(
        r#"
s3 = client("s3")
key = [o["Key"] for o in s3.list_objects_v2(Bucket="compliance-reports-t")["Contents"] if o["Key"].endswith("/{scan_id}.json")][0]
print(s3.get_object(Bucket="compliance-reports-t", Key=key)["Body"].read().decode())
"#
    )))
    .unwrap();
    assert_eq!(report["scan"]["incomplete"], true);
    let findings = report["findings"].as_array().unwrap();
    let lambda: Vec<&Value> = findings
        .iter()
        .filter(|f| f["resource_type"] == "aws.lambda.function")
        .collect();
    assert!(
        !lambda.is_empty() && lambda.iter().all(|f| f["status"] == "ERROR"),
        "{lambda:?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f["rule_id"] == "s3-bucket-versioning-enabled" && f["status"] == "PASS"),
        "what was collected is kept"
    );
    assert!(report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["code"] == "DeadlineExceeded" && e["service"] == "lambda"));

    // The blind spot is announced on the warning topic, not mistaken for a clean account.
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "incomplete,errors"
    );
    assert!(warnings[0]["Message"]
        .as_str()
        .unwrap()
        .contains("stopped at the function's deadline"));
}

#[test]
fn a_report_that_cannot_be_stored_goes_to_the_log_in_full_and_warns() {
    let emu = Emulator::start();
    emu.seed_demo();
    create_bucket_and_topic(&emu);
    // The bucket refuses every write (as a conditional write refused, or a full bucket policy).
    let proxy = Proxy::start(
        &emu.url,
        json!([{"prefix": "/compliance-reports-t/scans/", "method": "PUT",
                "status": 412, "code": "PreconditionFailed"}]),
    );
    let event = json!({"compliance_scan": {"rules": ["s3-bucket-versioning-enabled"]}});
    let (answers, stdout) = invoke(&proxy.url, vec![event], Duration::from_secs(300), &[]);
    assert_eq!(answers[0].1, "response", "{answers:?}");
    let answer = &answers[0].2;
    assert_eq!(answer["stored"], false);
    let scan_id = answer["scan_id"].as_str().unwrap();
    assert_eq!(
        answer["report"]["scan"]["id"], scan_id,
        "the caller still gets the report"
    );

    let logged = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "the report could not be stored; it follows in full")
        .expect("the report in the log");
    assert_eq!(logged["report"]["scan"]["id"], scan_id);
    assert!(!logged["report"]["findings"].as_array().unwrap().is_empty());

    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "not-stored"
    );
}

#[test]
fn auto_remediate_encrypts_unencrypted_buckets_and_audits_every_action() {
    let emu = Emulator::start();
    emu.seed_demo();
    create_bucket_and_topic(&emu);
    let scheduled = json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}});
    let (answers, _) = invoke(
        &emu.url,
        vec![scheduled],
        Duration::from_secs(300),
        &[("COMPLIANCE_AUTO_REMEDIATE", "true")],
    );
    assert_eq!(answers[0].1, "response", "{answers:?}");
    let scan_id = answers[0].2["scan_id"].as_str().unwrap().to_string();
    let state: Value = serde_json::from_str(&emu.boto(&format!(
        r#"
s3 = client("s3")
def algorithm(bucket):
    try:
        return s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
    except s3.exceptions.ClientError:
        return "none"
key = [o["Key"] for o in s3.list_objects_v2(Bucket="compliance-reports-t")["Contents"] if o["Key"].endswith("/{scan_id}.audit.jsonl")][0]
audit = [json.loads(l) for l in s3.get_object(Bucket="compliance-reports-t", Key=key)["Body"].read().decode().splitlines()]
print(json.dumps({{"legacy": algorithm("compliance-demo-legacy"), "logs": algorithm("compliance-demo-logs"), "audit": audit}}))
"#
    )))
    .unwrap();
    assert_eq!(
        state["legacy"], "AES256",
        "the unencrypted bucket is encrypted"
    );
    assert_eq!(
        state["logs"], "AES256",
        "an existing configuration is left as it was"
    );
    let audit = state["audit"].as_array().unwrap();
    let line = |bucket: &str| {
        audit
            .iter()
            .find(|l| l["resource_id"] == bucket)
            .unwrap_or_else(|| panic!("no audit line for {bucket}: {audit:?}"))
    };
    let legacy = line("compliance-demo-legacy");
    assert_eq!(
        (
            legacy["result"].as_str(),
            legacy["before"]["encryption"]["enabled"].as_bool(),
            legacy["after"]["encryption"]["algorithm"].as_str()
        ),
        (Some("applied"), Some(false), Some("AES256"))
    );
    assert_eq!(legacy["scan_id"], scan_id.as_str());
    assert!(
        legacy["caller"].as_str().unwrap().starts_with("arn:aws:"),
        "{legacy}"
    );
    let logs = line("compliance-demo-logs");
    assert_eq!(logs["result"], "skipped", "{logs}");
    assert!(
        logs["reason"].as_str().unwrap().contains("--kms-key"),
        "unattended runs never pick a key: {logs}"
    );
}

#[test]
fn the_lambda_applies_the_stacks_suppression_file_and_warns_of_expiry() {
    let emu = Emulator::start();
    emu.seed_demo();
    create_bucket_and_topic(&emu);
    let today = chrono::Utc::now().date_naive();
    let file = format!(
        "version: 1\nsuppressions:\n  - rules: [s3-bucket-versioning-enabled]\n    resources: [compliance-demo-legacy]\n    reason: legacy bucket\n    owner: data-team\n    expires: {}\n  - rules: [s3-bucket-versioning-enabled]\n    resources: [compliance-demo-logs]\n    reason: logs\n    owner: platform\n    expires: {}\n",
        today + chrono::Days::new(60),
        today - chrono::Days::new(3)
    );
    let put = |body: &str| {
        emu.boto(&format!(
            "client(\"s3\").put_object(Bucket=\"compliance-reports-t\", Key=\"config/suppressions.yaml\", Body={body:?})"
        ));
    };
    put(&file);
    let event = || json!({"compliance_scan": {"rules": ["s3-bucket-versioning-enabled"]}});
    let (answers, _) = invoke(&emu.url, vec![event()], Duration::from_secs(300), &[]);
    let report = &answers[0].2["report"];
    let of = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        of("compliance-demo-legacy")["suppressed"]["owner"],
        "data-team"
    );
    assert!(
        of("compliance-demo-logs").get("suppressed").is_none(),
        "expired"
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "expired-suppressions"
    );
    let text = warnings[0]["Message"].as_str().unwrap();
    assert!(
        text.contains("config/suppressions.yaml:8 expired on") && text.contains("owner platform"),
        "{text}"
    );

    // A file that no longer validates is not applied: every failure counts, and it is said.
    put(&file.replace("owner: data-team", "owner: \"\""));
    let (answers, stdout) = invoke(&emu.url, vec![event()], Duration::from_secs(300), &[]);
    assert_eq!(answers[0].2["report"]["summary"]["suppressed"], 0);
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "suppressions"
    );
    assert!(warnings[0]["Message"]
        .as_str()
        .unwrap()
        .contains("`owner` is empty"));
    assert!(stdout.contains("`owner` is empty"), "logged: {stdout}");
}

#[test]
fn the_scheduled_run_scans_the_stacks_scan_regions_and_an_event_may_name_its_own() {
    let emu = Emulator::start();
    create_bucket_and_topic(&emu);
    let event = || json!({"compliance_scan": {"services": ["ec2"]}});
    let env = [("COMPLIANCE_SCAN_REGIONS", "us-east-1,eu-west-1")];
    let (answers, _) = invoke(&emu.url, vec![event()], Duration::from_secs(300), &env);
    assert_eq!(
        answers[0].2["report"]["scan"]["regions"],
        json!(["us-east-1", "eu-west-1"])
    );
    let own = json!({"compliance_scan": {"services": ["ec2"], "regions": ["eu-west-2"]}});
    let (answers, _) = invoke(&emu.url, vec![own], Duration::from_secs(300), &env);
    assert_eq!(
        answers[0].2["report"]["scan"]["regions"],
        json!(["eu-west-2"])
    );
    let (answers, _) = invoke(
        &emu.url,
        vec![event()],
        Duration::from_secs(300),
        &[("COMPLIANCE_SCAN_REGIONS", "all")],
    );
    let all = answers[0].2["report"]["scan"]["regions"]
        .as_array()
        .unwrap()
        .len();
    assert!(all > 10, "every enabled region: {all}");
}
