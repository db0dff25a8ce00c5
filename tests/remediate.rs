//! `compliance remediate` against the local AWS endpoint: the dry run changes nothing,
//! `--apply` fixes what a re-scan then passes, a second run changes nothing, a failing
//! action is audited as failed while the others run, and bad input changes nothing.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// The rules whose fixes the emulator supports end to end (moto 5.2.5 ignores
/// `TracingConfig` in UpdateFunctionConfiguration, so Lambda tracing is planned only).
const FIXABLE: [&str; 35] = [
    "s3-bucket-default-encryption-enabled",
    "s3-bucket-public-access-block",
    "s3-bucket-versioning-enabled",
    "s3-bucket-mandatory-tags",
    "sns-topic-kms-encrypted",
    "sns-topic-mandatory-tags",
    "ec2-vpc-flow-logs-enabled",
    "ec2-vpc-mandatory-tags",
    "ec2-instance-mandatory-tags",
    "ec2-instance-imdsv2-required",
    "ec2-volume-mandatory-tags",
    "ec2-snapshot-mandatory-tags",
    "ec2-image-mandatory-tags",
    "rds-cluster-mandatory-tags",
    "rds-snapshot-mandatory-tags",
    "rds-cluster-snapshot-mandatory-tags",
    "kms-key-mandatory-tags",
    "lambda-function-mandatory-tags",
    "rds-instance-deletion-protection",
    "rds-instance-copy-tags-to-snapshots",
    "rds-instance-mandatory-tags",
    "rds-cluster-deletion-protection",
    "rds-cluster-copy-tags-to-snapshots",
    "efs-file-system-mandatory-tags",
    "efs-access-point-mandatory-tags",
    "sqs-queue-mandatory-tags",
    "secretsmanager-secret-mandatory-tags",
    "dynamodb-table-pitr-enabled",
    "dynamodb-table-deletion-protection",
    "dynamodb-table-mandatory-tags",
    "ecr-repository-image-scanning",
    "ecr-repository-tag-immutability",
    "ecr-repository-mandatory-tags",
    "elbv2-deletion-protection",
    "elbv2-mandatory-tags",
];

const TAGS: [&str; 8] = [
    "--tag",
    "Environment=demo",
    "--tag",
    "Owner=security",
    "--tag",
    "CostCenter=1234",
    "--tag",
    "ComplianceLevel=high",
];

/// Everything a fix could touch, read with boto3: compared before and after a run.
fn state(emu: &Emulator) -> Value {
    serde_json::from_str(&emu.boto(
        r#"
s3, ec2, sns, kms, lam = client("s3"), client("ec2"), client("sns"), client("kms"), client("lambda")
rds, efs = client("rds"), client("efs")
sqs, sm, ddb, ecr, elb = client("sqs"), client("secretsmanager"), client("dynamodb"), client("ecr"), client("elbv2")
def call(f, default=None, **kw):
    try:
        return f(**kw)
    except Exception:
        return default
out = {"buckets": {}, "vpcs": {}, "topics": {}, "keys": {}, "functions": {}, "databases": {}, "clusters": {},
       "file_systems": {}, "queues": {}, "secrets": {}, "tables": {}, "repositories": {}, "balancers": {}}
for url in sqs.list_queues().get("QueueUrls", []):
    out["queues"][url] = sqs.list_queue_tags(QueueUrl=url).get("Tags")
for secret in sm.list_secrets()["SecretList"]:
    out["secrets"][secret["Name"]] = secret.get("Tags")
for name in ddb.list_tables()["TableNames"]:
    t = ddb.describe_table(TableName=name)["Table"]
    out["tables"][name] = {"protected": t.get("DeletionProtectionEnabled"),
                           "recovery": ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"],
                           "tags": ddb.list_tags_of_resource(ResourceArn=t["TableArn"]).get("Tags")}
for r in ecr.describe_repositories()["repositories"]:
    out["repositories"][r["repositoryName"]] = {k: r.get(k) for k in ["imageTagMutability", "imageScanningConfiguration"]}
    out["repositories"][r["repositoryName"]]["tags"] = ecr.list_tags_for_resource(resourceArn=r["repositoryArn"])["tags"]
for b in elb.describe_load_balancers()["LoadBalancers"]:
    arn = b["LoadBalancerArn"]
    out["balancers"][b["LoadBalancerName"]] = {
        "attributes": elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"],
        "tags": elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]}
for i in rds.describe_db_instances()["DBInstances"]:
    out["databases"][i["DBInstanceIdentifier"]] = {k: i.get(k) for k in ["DeletionProtection", "CopyTagsToSnapshot", "TagList"]}
for c in rds.describe_db_clusters()["DBClusters"]:
    out["clusters"][c["DBClusterIdentifier"]] = {k: c.get(k) for k in ["DeletionProtection", "CopyTagsToSnapshot"]}
for f in efs.describe_file_systems()["FileSystems"]:
    out["file_systems"][f["FileSystemId"]] = f["Tags"]
for a in efs.describe_access_points()["AccessPoints"]:
    out["file_systems"][a["AccessPointId"]] = a.get("Tags")
for b in s3.list_buckets()["Buckets"]:
    n = b["Name"]
    out["buckets"][n] = {
        "encryption": call(s3.get_bucket_encryption, {}, Bucket=n).get("ServerSideEncryptionConfiguration"),
        "versioning": s3.get_bucket_versioning(Bucket=n).get("Status"),
        "pab": call(s3.get_public_access_block, {}, Bucket=n).get("PublicAccessBlockConfiguration"),
        "tags": call(s3.get_bucket_tagging, {}, Bucket=n).get("TagSet"),
    }
for v in ec2.describe_vpcs()["Vpcs"]:
    logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [v["VpcId"]]}])["FlowLogs"]
    out["vpcs"][v["VpcId"]] = {"tags": sorted((t["Key"], t["Value"]) for t in v.get("Tags", [])), "flow_logs": len(logs)}
for r in ec2.describe_instances()["Reservations"]:
    for i in r["Instances"]:
        out.setdefault("instances", {})[i["InstanceId"]] = {
            "tags": sorted((t["Key"], t["Value"]) for t in i.get("Tags", [])),
            "tokens": i.get("MetadataOptions", {}).get("HttpTokens")}
for t in sns.list_topics()["Topics"]:
    a = t["TopicArn"]
    out["topics"][a] = {"key": sns.get_topic_attributes(TopicArn=a)["Attributes"].get("KmsMasterKeyId"),
                        "tags": sns.list_tags_for_resource(ResourceArn=a)["Tags"]}
for k in kms.list_keys()["Keys"]:
    out["keys"][k["KeyId"]] = kms.list_resource_tags(KeyId=k["KeyId"])["Tags"]
for f in lam.list_functions()["Functions"]:
    out["functions"][f["FunctionName"]] = {"tags": lam.list_tags(Resource=f["FunctionArn"])["Tags"],
                                           "tracing": f.get("TracingConfig")}
print(json.dumps(out, sort_keys=True, default=str))
"#,
    ))
    .unwrap()
}

/// `compliance remediate` against `url` with its audit in `audit`, answering in JSON.
fn remediate_at(url: &str, audit: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "remediate",
        "--endpoint-url",
        url,
        "--audit-log",
        audit.to_str().unwrap(),
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    run(compliance(&all))
}

/// `remediate` with the fixable rules and the tag values.
fn remediate(url: &str, audit: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = Vec::new();
    for rule in FIXABLE {
        args.extend(["--rule", rule]);
    }
    args.extend(TAGS);
    args.extend_from_slice(extra);
    remediate_at(url, audit, &args)
}

fn records(out: &std::process::Output) -> Vec<Value> {
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
        .as_array()
        .unwrap()
        .clone()
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn results<'r>(records: &'r [Value], result: &str) -> Vec<&'r Value> {
    records.iter().filter(|r| r["result"] == result).collect()
}

#[test]
fn the_plan_changes_nothing_and_is_audited() {
    let emu = Emulator::start();
    emu.seed_demo();
    let dir = temp_dir("remediate-plan");
    let audit = dir.join("audit.jsonl");
    let before = state(&emu);

    let out = remediate(&emu.url, &audit, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(state(&emu), before, "a dry run changes nothing");

    let planned = records(&out);
    let legacy = planned
        .iter()
        .find(|r| {
            r["resource_id"] == "compliance-demo-legacy" && r["remediation"] == "s3-versioning"
        })
        .unwrap();
    assert_eq!(legacy["result"], "planned");
    assert!(
        legacy["change"]
            .as_str()
            .unwrap()
            .starts_with("PutBucketVersioning:"),
        "{legacy}"
    );
    assert_eq!(legacy["before"]["versioning"]["status"], "Disabled");
    assert!(legacy["caller"].as_str().unwrap().starts_with("arn:aws:"));
    assert!(
        results(&planned, "planned")
            .iter()
            .any(|r| r["remediation"] == "vpc-flow-logs"),
        "{planned:?}"
    );
    assert_eq!(
        audit_lines(&audit).len(),
        planned.len(),
        "every planned action is an audit line"
    );
    assert!(
        stderr(&out).contains("dry run: nothing was changed. --apply needs: "),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("s3:PutBucketVersioning"));

    // Lambda tracing is planned with the exact change, and rules without a fix get the
    // rule's instructions.
    let other = remediate_at(
        &emu.url,
        &audit,
        &[
            "--rule",
            "lambda-function-tracing-active",
            "--rule",
            "ec2-security-group-no-public-ssh",
        ],
    );
    let other = records(&other);
    let tracing = other
        .iter()
        .find(|r| r["remediation"] == "lambda-tracing")
        .unwrap();
    assert_eq!(tracing["result"], "planned");
    assert_eq!(tracing["before"]["tracing_mode"], "PassThrough");
    let ssh = results(&other, "manual");
    assert!(!ssh.is_empty());
    assert!(ssh
        .iter()
        .all(|r| r["rule_id"] == "ec2-security-group-no-public-ssh"
            && r["reason"].as_str().unwrap().contains("https://")));
    assert_eq!(state(&emu), before);

    // Without --audit-log the audit goes to the XDG state directory, made when missing.
    let state_home = dir.join("state");
    let default = run(compliance(&[
        "remediate",
        "--endpoint-url",
        &emu.url,
        "--rule",
        "s3-bucket-versioning-enabled",
    ])
    .env("XDG_STATE_HOME", &state_home));
    assert_eq!(default.status.code(), Some(0), "{}", stderr(&default));
    let kept = audit_lines(&state_home.join("compliance/remediation-audit.jsonl"));
    assert_eq!(kept.len(), 3, "one planned line per bucket: {kept:?}");
}

#[test]
fn apply_fixes_what_a_rescan_then_passes_and_a_second_apply_changes_nothing() {
    let emu = Emulator::start();
    emu.seed_demo();
    let dir = temp_dir("remediate-apply");
    let audit = dir.join("audit.jsonl");
    let scanned = dir.join("before.json");
    scan_to_file(&emu.url, &scanned);
    let before: Value = serde_json::from_slice(&std::fs::read(&scanned).unwrap()).unwrap();

    let first = remediate(&emu.url, &audit, &["--apply", "--yes"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let applied = records(&first);
    assert!(results(&applied, "failed").is_empty(), "{applied:?}");
    assert!(results(&applied, "applied").len() >= 10, "{applied:?}");
    for r in results(&applied, "applied") {
        assert_ne!(r["after"], Value::Null, "verified after: {r}");
        assert_ne!(r["after"], r["before"]);
    }

    let rescanned = dir.join("after.json");
    scan_to_file(&emu.url, &rescanned);
    let after: Value = serde_json::from_slice(&std::fs::read(&rescanned).unwrap()).unwrap();
    for r in results(&applied, "applied") {
        assert_eq!(
            status_of(
                &after,
                r["rule_id"].as_str().unwrap(),
                r["resource_id"].as_str().unwrap()
            ),
            Some("PASS"),
            "{} on {} passes after the fix",
            r["rule_id"],
            r["resource_id"]
        );
    }
    assert!(
        after["summary"]["score"].as_f64() > before["summary"]["score"].as_f64(),
        "the score rose"
    );

    let fixed_state = state(&emu);
    let second = remediate(&emu.url, &audit, &["--apply", "--yes"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let again = records(&second);
    assert!(
        again
            .iter()
            .all(|r| r["result"] == "skipped" || r["result"] == "manual"),
        "nothing left to change: {again:?}"
    );
    assert_eq!(state(&emu), fixed_state, "a second apply is a no-op");
    assert_eq!(
        audit_lines(&audit).len(),
        applied.len() + again.len(),
        "both runs are in the audit, appended"
    );
}

#[test]
fn a_failing_action_is_audited_as_failed_and_the_others_still_run() {
    let emu = Emulator::start();
    emu.seed_demo();
    let proxy = Proxy::start(
        &emu.url,
        serde_json::json!([{"path": "/compliance-demo-legacy", "query": "versioning",
                            "method": "PUT", "status": 403, "code": "AccessDenied"}]),
    );
    let dir = temp_dir("remediate-fail");
    let audit = dir.join("audit.jsonl");
    let out = remediate_at(
        &proxy.url,
        &audit,
        &["--rule", "s3-bucket-versioning-enabled", "--apply", "--yes"],
    );
    assert_eq!(out.status.code(), Some(1), "a failed action exits 1");
    let lines = audit_lines(&audit);
    let line = |bucket: &str| {
        lines
            .iter()
            .find(|l| l["resource_id"] == bucket)
            .unwrap_or_else(|| panic!("no audit line for {bucket}: {lines:?}"))
    };
    let legacy = line("compliance-demo-legacy");
    assert_eq!(legacy["result"], "failed");
    assert!(
        legacy["reason"]
            .as_str()
            .unwrap()
            .starts_with("PutBucketVersioning failed: AccessDenied"),
        "{legacy}"
    );
    assert_eq!(line("compliance-demo-logs")["result"], "applied");
    assert_eq!(line("compliance-demo-public")["result"], "applied");
    let versioning = emu.boto(
        r#"print(client("s3").get_bucket_versioning(Bucket="compliance-demo-legacy").get("Status", "none"))"#,
    );
    assert_eq!(versioning.trim(), "none", "the refused change was not made");
}

#[test]
fn no_change_is_made_after_the_audit_refused_a_record() {
    // The audit's file may grow by no more than it holds already (RLIMIT_FSIZE, with
    // SIGXFSZ ignored so the write fails with EFBIG): the first change is made and its
    // record refused, and the run stops changing.
    let emu = Emulator::start();
    emu.seed_demo();
    let dir = temp_dir("remediate-audit-full");
    let audit = dir.join("audit.jsonl");
    let padding = format!("{{\"note\": \"{}\"}}\n", "x".repeat(1024 - 13));
    assert_eq!(padding.len(), 1024);
    write(&audit, &padding);
    let inner = compliance(&[
        "remediate",
        "--endpoint-url",
        &emu.url,
        "--audit-log",
        audit.to_str().unwrap(),
        "--format",
        "json",
        "--rule",
        "s3-bucket-versioning-enabled",
        "--concurrency",
        "1",
        "--apply",
        "--yes",
    ]);
    let mut limited = std::process::Command::new("bash");
    limited
        .arg("-c")
        .arg(r#"ulimit -f 1 && trap "" XFSZ && exec "$0" "$@""#)
        .arg(inner.get_program())
        .args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => limited.env(key, value),
            None => limited.env_remove(key),
        };
    }
    let out = run(limited);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not append to the audit"),
        "{}",
        stderr(&out)
    );
    let records = records(&out);
    assert_eq!(records.len(), 3, "{records:?}");
    assert_eq!(results(&records, "applied").len(), 1, "{records:?}");
    for skipped in results(&records, "skipped") {
        assert!(
            skipped["reason"]
                .as_str()
                .unwrap()
                .contains("the audit refused an earlier record"),
            "{skipped}"
        );
    }
    assert_eq!(results(&records, "skipped").len(), 2, "{records:?}");
    let enabled = emu.boto(
        r#"s3 = client("s3")
print(sum(s3.get_bucket_versioning(Bucket=b).get("Status") == "Enabled"
          for b in ["compliance-demo-legacy", "compliance-demo-logs", "compliance-demo-public"]))"#,
    );
    assert_eq!(
        enabled.trim(),
        "1",
        "one change, and none after its record was refused"
    );
    assert_eq!(
        std::fs::read_to_string(&audit).unwrap(),
        padding,
        "no torn record"
    );
}

#[test]
fn apply_asks_on_a_terminal_and_only_yes_goes_on() {
    let emu = Emulator::start();
    emu.seed_demo();
    let dir = temp_dir("remediate-ask");
    let audit = dir.join("audit.jsonl");
    let args = [
        "remediate",
        "--endpoint-url",
        &emu.url,
        "--audit-log",
        audit.to_str().unwrap(),
        "--rule",
        "s3-bucket-versioning-enabled",
        "--apply",
    ];
    let before = state(&emu);
    let declined = run_on_terminal(&compliance(&args), "n");
    assert_eq!(declined.status.code(), Some(2));
    let err = stderr(&declined);
    assert!(
        err.contains("PutBucketVersioning: Disabled → Enabled")
            && err.contains("Apply 3 changes in account 123456789012? [y/N]"),
        "the changes are shown before the question: {err}"
    );
    assert!(err.contains("not confirmed; nothing was changed"), "{err}");
    assert_eq!(state(&emu), before);

    let accepted = run_on_terminal(&compliance(&args), "y");
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    let applied = audit_lines(&audit);
    assert_eq!(applied.len(), 3, "{applied:?}");
    assert!(applied.iter().all(|r| r["result"] == "applied"));
}

#[test]
fn bad_input_is_refused_before_anything_is_read_or_changed() {
    let emu = Emulator::start();
    emu.seed_demo();
    let dir = temp_dir("remediate-bad");
    let audit = dir.join("audit.jsonl");
    let not_a_report = dir.join("notes.json");
    write(&not_a_report, "{\"hello\": 1}");
    let a = audit.to_str().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (
            &["--rule", "no-such-rule"],
            "unknown rule id `no-such-rule`",
        ),
        (&["--tag", "Owner"], "`Owner` is not KEY=VALUE"),
        (
            &["--tag", "Ownr=me"],
            "--tag Ownr: no mandatory-tags rule requires this key",
        ),
        (&["--suffix", "Bad_Suffix"], "Bad_Suffix"),
        (
            &["--suffix", "nope", "--apply", "--yes"],
            "stack compliance-nope does not exist: deploy it first",
        ),
        (&["--from", not_a_report.to_str().unwrap()], "notes.json"),
        (&["--apply"], "pass --yes to confirm"),
        (
            &["--resource", "no-such-bucket", "--apply", "--yes"],
            "is on resource `no-such-bucket`",
        ),
    ];
    let before = state(&emu);
    for (extra, expected) in cases {
        let mut args = vec!["remediate", "--endpoint-url", &emu.url, "--audit-log", a];
        args.extend_from_slice(extra);
        let out = run(compliance(&args).stdin(std::process::Stdio::null()));
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.lines().next().unwrap().contains(expected),
            "{extra:?}: {err}"
        );
        if err.starts_with("compliance: error: ") {
            assert_eq!(err.lines().count(), 1, "one sentence: {err}");
        }
        assert!(out.stdout.is_empty());
    }
    // An audit that cannot keep records: refused before any change.
    let full = run(compliance(&[
        "remediate",
        "--endpoint-url",
        &emu.url,
        "--audit-log",
        "/dev/full",
        "--apply",
        "--yes",
    ]));
    assert_eq!(full.status.code(), Some(2), "{}", stderr(&full));
    assert!(
        stderr(&full).contains("/dev/full is not a regular file"),
        "{}",
        stderr(&full)
    );
    let no_credentials =
        run(
            compliance(&["remediate", "--endpoint-url", &emu.url, "--audit-log", a])
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY"),
        );
    assert_eq!(no_credentials.status.code(), Some(2));
    assert!(stderr(&no_credentials).contains("no AWS credentials"));
    assert!(!audit.exists(), "refused runs leave no audit");
    assert_eq!(state(&emu), before);
}

#[test]
fn a_saved_report_narrowed_to_one_resource_and_the_audit_stored_in_the_stack_bucket() {
    let emu = Emulator::start();
    emu.seed_demo();
    // A stack with the report bucket output, as `deploy` leaves it.
    emu.boto(
        r#"
template = {"Resources": {"Reports": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "compliance-reports-t"}}},
            "Outputs": {"ReportBucketName": {"Value": {"Ref": "Reports"}}}}
client("cloudformation").create_stack(StackName="compliance-t", TemplateBody=json.dumps(template))
"#,
    );
    let dir = temp_dir("remediate-from");
    let report = dir.join("scan.json");
    scan_to_file(&emu.url, &report);
    let audit = dir.join("audit.jsonl");
    let out = remediate_at(
        &emu.url,
        &audit,
        &[
            "--from",
            report.to_str().unwrap(),
            "--resource",
            "arn:aws:s3:::compliance-demo-public",
            "--rule",
            "s3-bucket-public-access-block",
            "--suffix",
            "t",
            "--apply",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let done = records(&out);
    assert_eq!(done.len(), 1, "one rule on one resource: {done:?}");
    assert_eq!(done[0]["result"], "applied");
    let scan_id = serde_json::from_slice::<Value>(&std::fs::read(&report).unwrap()).unwrap()
        ["scan"]["id"]
        .clone();
    assert_eq!(
        done[0]["scan_id"], scan_id,
        "the audit names the scan it acted on"
    );
    let stored: Value = serde_json::from_str(&emu.boto(
        r#"
s3 = client("s3")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="compliance-reports-t").get("Contents", [])]
lines = [json.loads(l) for k in keys for l in s3.get_object(Bucket="compliance-reports-t", Key=k)["Body"].read().decode().splitlines()]
print(json.dumps({"keys": keys, "lines": lines}))
"#,
    ))
    .unwrap();
    assert!(
        stored["keys"][0]
            .as_str()
            .unwrap()
            .starts_with("remediation/"),
        "{stored}"
    );
    assert_eq!(stored["lines"], serde_json::json!(done));
}

#[test]
fn fixes_on_one_resource_run_in_turn_and_a_given_key_gives_sse_kms() {
    let emu = Emulator::start();
    emu.seed_demo();
    let key = emu
        .boto(r#"print(client("kms").create_key(Description="bucket key")["KeyMetadata"]["Arn"])"#)
        .trim()
        .to_string();
    let dir = temp_dir("remediate-kms");
    let audit = dir.join("audit.jsonl");
    let out = remediate_at(
        &emu.url,
        &audit,
        &[
            "--rule",
            "s3-bucket-default-encryption-enabled",
            "--rule",
            "s3-bucket-kms-cmk-encryption",
            "--resource",
            "compliance-demo-legacy",
            "--kms-key",
            &key,
            "--apply",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let done = records(&out);
    let fix = |id: &str| done.iter().find(|r| r["remediation"] == id).unwrap();
    let default = fix("s3-default-encryption");
    assert_eq!(default["result"], "applied", "{default}");
    assert_eq!(default["after"]["encryption"]["algorithm"], "aws:kms");
    assert_eq!(default["after"]["encryption"]["kms_key_id"], key.as_str());
    let cmk = fix("s3-kms-encryption");
    assert_eq!(
        cmk["result"], "skipped",
        "the second fix reads what the first did: {cmk}"
    );
    assert_eq!(cmk["before"]["encryption"]["algorithm"], "aws:kms");
    assert_eq!(cmk["before"]["encryption"]["kms_key_manager"], "CUSTOMER");

    let rescanned = dir.join("after.json");
    scan_to_file(&emu.url, &rescanned);
    let after: Value = serde_json::from_slice(&std::fs::read(&rescanned).unwrap()).unwrap();
    assert_eq!(
        status_of(
            &after,
            "s3-bucket-kms-cmk-encryption",
            "compliance-demo-legacy"
        ),
        Some("PASS")
    );
}

#[test]
fn a_key_that_kms_says_aws_manages_is_never_counted_as_the_customer_key_the_rule_wants() {
    // The operator passes the ARN of the account's aws/s3 key. The write succeeds, but
    // the rule wants a customer-managed key: the fix must be audited as failed, decided
    // by the rule on the bucket read back, not by the key's spelling. moto has no
    // AWS-managed keys, so KMS's real answer for one is served by the proxy.
    let emu = Emulator::start();
    emu.seed_demo();
    let managed = "arn:aws:kms:us-east-1:123456789012:key/0b5a7c1e-53f0-4f0e-9b6e-4a3c2f1d0e9a";
    let answer = serde_json::json!({"KeyMetadata": {
        "AWSAccountId": "123456789012", "Arn": managed, "CreationDate": 1.67e9,
        "Description": "Default key that protects my S3 objects when no other key is defined",
        "Enabled": true, "KeyId": "0b5a7c1e-53f0-4f0e-9b6e-4a3c2f1d0e9a", "KeyManager": "AWS",
        "KeySpec": "SYMMETRIC_DEFAULT", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeyState": "Enabled", "KeyUsage": "ENCRYPT_DECRYPT", "MultiRegion": false,
        "Origin": "AWS_KMS", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}});
    let proxy = Proxy::start(
        &emu.url,
        serde_json::json!([{"target": "TrentService.DescribeKey", "body": answer.to_string(),
            "headers": {"Content-Type": "application/x-amz-json-1.1"}}]),
    );
    let dir = temp_dir("remediate-managed-key");
    let audit = dir.join("audit.jsonl");
    let out = remediate_at(
        &proxy.url,
        &audit,
        &[
            "--rule",
            "s3-bucket-kms-cmk-encryption",
            "--resource",
            "compliance-demo-legacy",
            "--kms-key",
            managed,
            "--apply",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let done = records(&out);
    assert_eq!(done.len(), 1, "{done:?}");
    let fix = &done[0];
    assert_eq!(fix["remediation"], "s3-kms-encryption");
    assert_eq!(fix["result"], "failed", "{fix}");
    assert!(
        fix["reason"]
            .as_str()
            .unwrap()
            .contains("s3-bucket-kms-cmk-encryption still fails"),
        "{fix}"
    );
    assert_eq!(fix["after"]["encryption"]["kms_key_id"], managed);
    assert_eq!(fix["after"]["encryption"]["kms_key_manager"], "AWS");
    assert!(
        proxy
            .log()
            .iter()
            .any(|r| r["target"] == "TrentService.DescribeKey"),
        "the re-read asked KMS who manages the key"
    );
}

#[test]
fn a_flow_log_refused_while_the_new_role_propagates_is_asked_again() {
    let emu = Emulator::start();
    emu.seed_demo();
    // EC2 refuses the first CreateFlowLogs the way it does while a new IAM role is not
    // yet assumable: a 200 answer with the VPC in `unsuccessful`.
    let refusal = r#"<?xml version="1.0" encoding="UTF-8"?>
<CreateFlowLogsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>proxy</requestId><flowLogIdSet/><unsuccessful><item><error><code>InvalidParameter</code><message>Unable to assume given IAM role.</message></error><resourceId>vpc-any</resourceId></item></unsuccessful></CreateFlowLogsResponse>"#;
    let proxy = Proxy::start(
        &emu.url,
        serde_json::json!([{"action": "CreateFlowLogs", "times": 1, "body": refusal}]),
    );
    let dir = temp_dir("remediate-flowlogs");
    let audit = dir.join("audit.jsonl");
    let out = remediate_at(
        &proxy.url,
        &audit,
        &["--rule", "ec2-vpc-flow-logs-enabled", "--apply", "--yes"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let done = records(&out);
    assert!(!done.is_empty());
    assert!(done.iter().all(|r| r["result"] == "applied"), "{done:?}");
    let creates = proxy
        .log()
        .iter()
        .filter(|e| e["action"] == "CreateFlowLogs")
        .count();
    assert_eq!(creates, done.len() + 1, "the refused one was asked again");
    let group = emu.boto(
        r#"print(json.dumps([g["logGroupName"] for g in client("logs").describe_log_groups(logGroupNamePrefix="audit-flowlogs-")["logGroups"]]))"#,
    );
    assert!(group.contains("audit-flowlogs-us-east-1-"), "{group}");
}
