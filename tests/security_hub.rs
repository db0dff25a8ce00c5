//! `scan --security-hub`: the findings imported into the emulator's Security Hub (read
//! back with `GetFindings`), resolved ones archived on the next scan, the calls within
//! Security Hub's limits, a refused finding sent again, and a hub that cannot be written
//! reported without losing the report.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{json, Value};

const PRODUCT: &str = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";

/// Buckets `app-0`…`app-{n-1}` with S3's defaults as the emulator makes them (no
/// versioning, no access logging), and an enabled hub.
fn seed(emu: &Emulator, n: usize) {
    emu.boto(&format!(
        r#"
s3 = client("s3")
for i in range({n}):
    s3.create_bucket(Bucket=f"app-{{i}}")
client("securityhub").enable_security_hub()
"#
    ));
}

/// The hub's findings, by id.
fn hub(emu: &Emulator) -> BTreeMap<String, Value> {
    let all: Vec<Value> = serde_json::from_str(&emu.boto(
        r#"
hub = client("securityhub")
found, token = [], None
while True:
    page = hub.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
    found += page["Findings"]
    token = page.get("NextToken")
    if not token:
        break
print(json.dumps(found, default=str))
"#,
    ))
    .unwrap();
    all.into_iter()
        .map(|f| (f["Id"].as_str().unwrap().to_string(), f))
        .collect()
}

fn export(url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--security-hub", "--service", "s3"];
    args.extend_from_slice(extra);
    run(scan(url, "json", &args))
}

#[test]
fn failures_are_imported_and_what_is_fixed_is_archived() {
    let emu = Emulator::start();
    seed(&emu, 2);
    let out = export(&emu.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let failed: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL")
        .collect();
    assert!(failed.len() >= 4, "{failed:?}");
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "security hub: {} finding(s) imported, 0 archived",
            failed.len()
        )),
        "{err}"
    );

    let found = hub(&emu);
    assert_eq!(found.len(), failed.len(), "failures only, by default");
    let id = "compliance/123456789012/us-east-1/s3-bucket-versioning-enabled/arn:aws:s3:::app-0";
    let versioning = &found[id];
    assert_eq!(versioning["ProductArn"], PRODUCT);
    assert_eq!(versioning["SchemaVersion"], "2018-10-08");
    assert_eq!(
        versioning["GeneratorId"],
        "compliance/s3-bucket-versioning-enabled"
    );
    assert_eq!(versioning["Compliance"]["Status"], "FAILED");
    assert_eq!(versioning["RecordState"], "ACTIVE");
    assert_eq!(versioning["Resources"][0]["Type"], "AwsS3Bucket");
    assert_eq!(versioning["Resources"][0]["Id"], "arn:aws:s3:::app-0");
    assert_eq!(versioning["Severity"]["Label"], "MEDIUM");
    // The controls the rule evidences, as `framework/control`.
    let evidenced: Vec<String> = finding(&report, "s3-bucket-versioning-enabled", "app-0")
        ["frameworks"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(k, ids)| {
            ids.as_array()
                .unwrap()
                .iter()
                .map(move |id| format!("{k}/{}", id.as_str().unwrap()))
        })
        .collect();
    assert!(!evidenced.is_empty());
    assert_eq!(
        versioning["Compliance"]["RelatedRequirements"],
        json!(evidenced)
    );

    // app-0 gets versioning; a scan of that one rule archives its finding there, and
    // leaves the other rules' findings (not evaluated) and app-1's (still failing) alone.
    emu.boto(r#"client("s3").put_bucket_versioning(Bucket="app-0", VersioningConfiguration={"Status": "Enabled"})"#);
    let out = export(&emu.url, &["--rule", "s3-bucket-versioning-enabled"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("security hub: 1 finding(s) imported, 1 archived"),
        "{}",
        stderr(&out)
    );
    let found = hub(&emu);
    assert_eq!(found[id]["RecordState"], "ARCHIVED");
    let still = id.replace("app-0", "app-1");
    assert_eq!(found[&still]["RecordState"], "ACTIVE");
    let active = found
        .values()
        .filter(|f| f["RecordState"] == "ACTIVE")
        .count();
    assert_eq!(active, failed.len() - 1);

    // Every verdict on request: app-0's versioning comes back, PASSED.
    let out = export(
        &emu.url,
        &[
            "--rule",
            "s3-bucket-versioning-enabled",
            "--security-hub-all",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = hub(&emu);
    assert_eq!(found[id]["Compliance"]["Status"], "PASSED");
    assert_eq!(found[id]["RecordState"], "ACTIVE");
}

#[test]
fn imports_respect_the_batch_limit_and_a_refused_finding_is_sent_again() {
    let emu = Emulator::start();
    seed(&emu, 60);
    let rule = [
        "--rule",
        "s3-bucket-versioning-enabled",
        "--rule",
        "s3-bucket-access-logging-enabled",
    ];
    // The first import call is answered as Security Hub answers a finding it refuses.
    let refused =
        "compliance/123456789012/us-east-1/s3-bucket-access-logging-enabled/arn:aws:s3:::app-0";
    let answer = json!({
        "FailedCount": 1, "SuccessCount": 99,
        "FailedFindings": [{"Id": refused, "ErrorCode": "InvalidInput", "ErrorMessage": "Finding is invalid"}]});
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/findings/import", "method": "POST", "times": 1,
                "headers": {"Content-Type": "application/json"}, "body": answer.to_string()}]),
    );
    let out = export(&proxy.url, &rule);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let imports: Vec<Value> = proxy
        .log()
        .into_iter()
        .filter(|e| e["path"] == "/findings/import")
        .collect();
    // 120 failures: 100, then 20, then the refused one again, alone (the log keeps a
    // body's first 4 KiB: the whole of a one-finding call).
    assert_eq!(imports.len(), 3, "{imports:?}");
    let last = imports[2]["body"].as_str().unwrap();
    assert_eq!(last.matches("\"SchemaVersion\"").count(), 1, "{last}");
    assert!(last.contains(refused), "{last}");
    assert!(
        stderr(&out).contains("security hub: 120 finding(s) imported, 0 archived"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_hub_that_cannot_be_written_is_exit_2_after_the_report() {
    let emu = Emulator::start();
    seed(&emu, 1);
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/findings", "method": "POST", "status": 401, "code": "InvalidAccessException",
                "format": "json"}]),
    );
    let out = export(&proxy.url, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report = json_report(&out);
    assert!(
        !report["findings"].as_array().unwrap().is_empty(),
        "the report is kept"
    );
    let err = stderr(&out);
    assert!(
        err.contains("cannot export to Security Hub in us-east-1: GetFindings failed: InvalidAccessException"),
        "{err}"
    );
}

#[test]
fn security_hub_is_refused_where_there_is_no_account_to_write() {
    let out = run(compliance(&[
        "scan",
        "--template",
        "infra/template.yaml",
        "--security-hub",
    ]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = run(compliance(&["scan", "--security-hub-all"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn the_lambda_with_security_hub_export_imports_its_failures_and_warns_when_it_cannot() {
    use common::lambda::{create_bucket_and_topic, invoke, messages, scheduled_event};
    use std::time::Duration;

    let emu = Emulator::start();
    seed(&emu, 1);
    create_bucket_and_topic(&emu);
    let on = [("COMPLIANCE_SECURITY_HUB_EXPORT", "true")];
    let (answers, _) = invoke(
        &emu.url,
        vec![scheduled_event()],
        Duration::from_secs(300),
        &on,
    );
    assert_eq!(answers[0].1, "response", "{answers:?}");
    let imported = answers[0].2["security_hub"]["imported"].as_u64().unwrap();
    let found = hub(&emu);
    assert!(imported > 0);
    assert_eq!(found.len() as u64, imported);
    assert!(found
        .values()
        .all(|f| f["Compliance"]["Status"] == "FAILED"));
    assert!(messages(&emu, "warnings").is_empty(), "nothing fell short");

    // A hub that refuses the calls: the report is still stored, and the warning says why.
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/findings", "method": "POST", "status": 401, "code": "InvalidAccessException", "format": "json"}]),
    );
    let (answers, _) = invoke(
        &proxy.url,
        vec![scheduled_event()],
        Duration::from_secs(300),
        &on,
    );
    assert_eq!(answers[0].1, "response", "{answers:?}");
    assert_eq!(answers[0].2["stored"], true);
    assert!(answers[0].2.get("security_hub").is_none(), "{answers:?}");
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "security-hub"
    );
    let text = warnings[0]["Message"].as_str().unwrap();
    assert!(
        text.contains("GetFindings failed: InvalidAccessException"),
        "{text}"
    );
}

#[test]
fn asff_and_ocsf_carry_every_finding_of_the_scan() {
    let emu = Emulator::start();
    seed(&emu, 2);
    let findings = |format: &str| run(scan(&emu.url, format, &["--service", "s3"]));
    let report = json_report(&findings("json"));
    let verdicts: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    let asff: Vec<Value> = serde_json::from_slice(&findings("asff").stdout).unwrap();
    let from_asff: Vec<(String, String)> = asff
        .iter()
        .map(|f| {
            let rule = f["GeneratorId"]
                .as_str()
                .unwrap()
                .trim_start_matches("compliance/");
            let status = match f["Compliance"]["Status"].as_str().unwrap() {
                "PASSED" => "PASS",
                "FAILED" => "FAIL",
                _ => "NOT_APPLICABLE|ERROR",
            };
            (rule.to_string(), status.to_string())
        })
        .collect();
    assert_eq!(from_asff.len(), verdicts.len());
    for ((rule, status), (asff_rule, asff_status)) in verdicts.iter().zip(&from_asff) {
        assert_eq!(rule, asff_rule);
        assert!(
            asff_status.split('|').any(|s| s == status),
            "{rule}: {status} as {asff_status}"
        );
    }

    let out = findings("ocsf");
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), verdicts.len());
    assert!(lines.iter().all(|l| l["class_uid"] == 2003));
    let fails = lines
        .iter()
        .filter(|l| l["compliance"]["status_id"] == 3)
        .count();
    assert_eq!(fails, verdicts.iter().filter(|(_, s)| s == "FAIL").count());
}

#[test]
fn a_global_resources_failures_go_to_the_first_regions_hub() {
    let emu = Emulator::start();
    emu.boto(
        r#"
client("iam").create_user(UserName="alice")
client("securityhub").enable_security_hub()
"#,
    );
    let out = run(scan(
        &emu.url,
        "json",
        &["--security-hub", "--service", "iam"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let global = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL" && f["region"] == "global")
        .count();
    assert!(global > 0, "IAM's failures are global");
    let found = hub(&emu);
    let imported: Vec<&Value> = found
        .values()
        .filter(|f| f["ProductFields"]["compliance/Region"] == "global")
        .collect();
    assert_eq!(imported.len(), global, "every global failure reaches a hub");
    assert!(imported
        .iter()
        .all(|f| f["Region"] == "us-east-1" && f["ProductArn"] == PRODUCT));
}
