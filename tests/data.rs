//! RDS and EFS against the local AWS endpoint: instances in two regions, an Aurora
//! member judged by what its cluster decides, a read replica, snapshots manual and
//! automated, the calls a scan makes (one listing per kind and region whatever the
//! number of resources or rules, and a sharing question for manual snapshots only) and a
//! refused listing that errors only its own region.

mod common;

use common::*;
use serde_json::{json, Value};

const REGIONS: [&str; 4] = ["--region", "us-east-1", "--region", "eu-west-1"];

/// us-east-1: a well-kept PostgreSQL instance, a public manual snapshot of it, an
/// unencrypted Aurora cluster with one member, a read replica; eu-west-1: a public MySQL
/// instance and an unencrypted file system. Prints the file system's id.
fn account() -> (Emulator, String) {
    let emu = Emulator::start();
    let fs = emu.boto(
        r#"
def regional(name, region):
    return boto3.client(name, endpoint_url=client("s3").meta.endpoint_url, region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test")
db = dict(DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="u", MasterUserPassword="not-a-password")
east = regional("rds", "us-east-1")
east.create_db_instance(DBInstanceIdentifier="ledger", Engine="postgres", StorageEncrypted=True,
    PubliclyAccessible=False, DeletionProtection=True, MultiAZ=True, BackupRetentionPeriod=7, **db)
east.create_db_cluster(DBClusterIdentifier="books", Engine="aurora-postgresql", MasterUsername="u",
    MasterUserPassword="not-a-password", StorageEncrypted=False)
east.create_db_instance(DBInstanceIdentifier="books-1", DBClusterIdentifier="books",
    Engine="aurora-postgresql", DBInstanceClass="db.r5.large", PubliclyAccessible=False)
east.create_db_instance_read_replica(DBInstanceIdentifier="ledger-replica", SourceDBInstanceIdentifier="ledger")
east.create_db_snapshot(DBSnapshotIdentifier="ledger-export", DBInstanceIdentifier="ledger")
east.modify_db_snapshot_attribute(DBSnapshotIdentifier="ledger-export", AttributeName="restore", ValuesToAdd=["all"])
west = regional("rds", "eu-west-1")
west.create_db_instance(DBInstanceIdentifier="archive", Engine="mysql", PubliclyAccessible=True,
    BackupRetentionPeriod=0, **db)
print(regional("efs", "eu-west-1").create_file_system(CreationToken="scratch")["FileSystemId"], end="")
"#,
    );
    (emu, fs)
}

/// The requests that asked `call`: one of EFS's REST calls, or any other call by name.
fn count(proxy: &Proxy, call: &str) -> usize {
    let efs = |e: &Value| match call {
        "DescribeFileSystems" => e["path"] == "/2015-02-01/file-systems",
        "DescribeAccessPoints" => e["path"] == "/2015-02-01/access-points",
        _ => e["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/backup-policy")),
    };
    match call {
        "DescribeFileSystems" | "DescribeAccessPoints" | "DescribeBackupPolicy" => proxy
            .log()
            .iter()
            .filter(|e| e["method"] == "GET" && efs(e))
            .count(),
        operation => proxy.count(operation),
    }
}

#[test]
fn databases_and_file_systems_are_judged_region_by_region_with_one_listing_each() {
    let (emu, fs) = account();
    let proxy = Proxy::start(&emu.url, json!([]));
    let mut args = vec!["--service", "rds", "--service", "efs"];
    args.extend(REGIONS);
    let out = run(scan(&proxy.url, "json", &args));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let verdict = |rule: &str, resource: &str| {
        let f = finding(&report, rule, resource);
        (
            f["region"].as_str().unwrap().to_string(),
            f["status"].as_str().unwrap().to_string(),
        )
    };
    let east = |s: &str| ("us-east-1".to_string(), s.to_string());
    let west = |s: &str| ("eu-west-1".to_string(), s.to_string());
    // CIS 2.3.1-2.3.3 and 2.4.1, in each region.
    assert_eq!(verdict("rds-instance-not-public", "ledger"), east("PASS"));
    assert_eq!(verdict("rds-instance-not-public", "archive"), west("FAIL"));
    assert_eq!(
        verdict("rds-instance-storage-encrypted", "ledger"),
        east("PASS")
    );
    assert_eq!(
        verdict("rds-instance-storage-encrypted", "archive"),
        west("FAIL")
    );
    assert_eq!(verdict("efs-file-system-encrypted", &fs), west("FAIL"));
    // The Aurora member: unencrypted because its cluster is; protected and spread
    // across zones by its cluster, so not judged here.
    assert_eq!(
        verdict("rds-instance-storage-encrypted", "books-1"),
        east("FAIL")
    );
    assert_eq!(
        verdict("rds-instance-deletion-protection", "books-1"),
        east("NOT_APPLICABLE")
    );
    assert_eq!(
        verdict("rds-instance-multi-az", "books-1"),
        east("NOT_APPLICABLE")
    );
    assert_eq!(
        verdict("rds-instance-deletion-protection", "ledger"),
        east("PASS")
    );
    // A replica's backups are its source's; an instance without backups fails.
    assert_eq!(
        verdict("rds-instance-backups-enabled", "ledger-replica"),
        east("NOT_APPLICABLE")
    );
    assert_eq!(
        verdict("rds-instance-backups-enabled", "ledger"),
        east("PASS")
    );
    assert_eq!(
        verdict("rds-instance-backups-enabled", "archive"),
        west("FAIL")
    );
    // The cluster decides for its members; RDS's automated snapshots cannot be shared.
    assert_eq!(
        verdict("rds-cluster-storage-encrypted", "books"),
        east("FAIL")
    );
    assert_eq!(
        verdict("rds-instance-iam-authentication", "books-1"),
        east("NOT_APPLICABLE")
    );
    assert_eq!(
        verdict("rds-snapshot-not-public", "ledger-export"),
        east("FAIL")
    );
    assert_eq!(
        verdict("rds-snapshot-encrypted", "ledger-export"),
        east("PASS")
    );
    let automated: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "rds-snapshot-not-public")
        .filter(|f| f["resource_id"].as_str().unwrap().starts_with("rds:"))
        .collect();
    assert!(
        !automated.is_empty(),
        "the emulator keeps automated snapshots"
    );
    assert!(
        automated.iter().all(|f| f["status"] == "NOT_APPLICABLE"),
        "{automated:?}"
    );
    // Every rule on every instance, cluster, snapshot, file system and access point: one
    // listing of each kind per region, one sharing question for the one manual snapshot
    // and one backup policy for the one file system.
    for listing in [
        "DescribeDBInstances",
        "DescribeDBClusters",
        "DescribeDBSnapshots",
        "DescribeDBClusterSnapshots",
        "DescribeFileSystems",
        "DescribeAccessPoints",
    ] {
        assert_eq!(count(&proxy, listing), 2, "{listing}");
    }
    assert_eq!(count(&proxy, "DescribeDBSnapshotAttributes"), 1);
    assert_eq!(count(&proxy, "DescribeBackupPolicy"), 1);
    assert_eq!(
        proxy.log().len(),
        16,
        "and the session's two: {:?}",
        proxy.log()
    );
}

#[test]
fn a_refused_listing_errors_its_region_only() {
    let (emu, fs) = account();
    // The first DescribeDBInstances is refused: whichever region asked first.
    let proxy = Proxy::start(
        &emu.url,
        json!([{"action": "DescribeDBInstances", "status": 403, "code": "AccessDenied",
                "format": "query", "times": 1}]),
    );
    let mut args = vec![
        "--rule",
        "rds-instance-not-public",
        "--rule",
        "efs-file-system-encrypted",
    ];
    args.extend(REGIONS);
    let out = run(scan(&proxy.url, "json", &args));
    assert_eq!(
        out.status.code(),
        Some(3),
        "errors exit 3: {}",
        stderr(&out)
    );
    let report = json_report(&out);
    let rds: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "rds-instance-not-public")
        .map(|f| {
            (
                f["region"].as_str().unwrap(),
                f["resource_id"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
            )
        })
        .collect();
    let errored: Vec<&str> = rds.iter().filter(|f| f.2 == "ERROR").map(|f| f.0).collect();
    assert_eq!(errored.len(), 1, "one region's listing failed: {rds:?}");
    let other = if errored[0] == "us-east-1" {
        "eu-west-1"
    } else {
        "us-east-1"
    };
    assert!(
        rds.iter().any(|f| f.0 == other && f.2 != "ERROR"),
        "the other region is still judged: {rds:?}"
    );
    assert_eq!(
        finding(&report, "efs-file-system-encrypted", &fs)["status"],
        "FAIL",
        "EFS does not depend on RDS"
    );
}

#[test]
fn queues_cost_one_attributes_call_each_and_tags_only_when_a_rule_reads_them() {
    let emu = Emulator::start();
    emu.boto(
        r#"
sqs = client("sqs")
sqs.create_queue(QueueName="orders")
sqs.create_queue(QueueName="plain", Attributes={"SqsManagedSseEnabled": "false"})
anyone = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
          "Action": "sqs:*", "Resource": "*"}]}
mine = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
        "Resource": "*", "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}}]}
sqs.create_queue(QueueName="open", Attributes={"Policy": json.dumps(anyone)})
sqs.create_queue(QueueName="fed-by-sns", Attributes={"Policy": json.dumps(mine)})
"#,
    );
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(
        &proxy.url,
        "json",
        &[
            "--rule",
            "sqs-queue-encrypted",
            "--rule",
            "sqs-queue-not-public",
            "--region",
            "us-east-1",
        ],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let status = |rule: &str, queue: &str| finding(&report, rule, queue)["status"].clone();
    assert_eq!(
        status("sqs-queue-encrypted", "orders"),
        "PASS",
        "SSE-SQS by default"
    );
    assert_eq!(status("sqs-queue-encrypted", "plain"), "FAIL");
    assert_eq!(status("sqs-queue-not-public", "open"), "FAIL");
    assert_eq!(
        status("sqs-queue-not-public", "fed-by-sns"),
        "PASS",
        "narrowed to one topic"
    );
    assert_eq!(status("sqs-queue-not-public", "orders"), "PASS");
    // One listing, one attributes call per queue for both rules, no tags asked.
    assert_eq!(proxy.count("ListQueues"), 1);
    assert_eq!(proxy.count("GetQueueAttributes"), 4);
    assert_eq!(proxy.count("ListQueueTags"), 0);
}

#[test]
fn secrets_are_judged_by_their_rotation_and_their_use_as_secrets_manager_gives_them() {
    // The emulator neither rotates without a rotation function nor keeps a last access
    // date: Secrets Manager's own answer, as ListSecrets gives it, is served instead.
    let now = chrono::Utc::now().timestamp();
    let days = |n: i64| (now - n * 86_400) as f64;
    let secret = |name: &str, extra: Value| {
        let mut s = json!({"ARN": format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"),
                           "Name": name, "CreatedDate": days(800)});
        s.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        s
    };
    let answer = json!({"SecretList": [
        secret("db/ledger", json!({"RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": 30},
                                    "LastRotatedDate": days(10), "NextRotationDate": days(-20),
                                    "LastAccessedDate": days(0)})),
        // Rotation configured, and failing since the spring.
        secret("db/stale", json!({"RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": 30},
                                   "LastRotatedDate": days(200), "NextRotationDate": days(170),
                                   "LastAccessedDate": days(1)})),
        secret("api/forgotten", json!({"LastAccessedDate": days(400)})),
        secret("api/new", json!({"CreatedDate": days(2)})),
    ]});
    let emu = Emulator::start();
    let proxy = Proxy::start(
        &emu.url,
        json!([{"target": "secretsmanager.ListSecrets", "body": answer.to_string(),
                "headers": {"Content-Type": "application/x-amz-json-1.1"}}]),
    );
    let out = run(scan(
        &proxy.url,
        "json",
        &["--service", "secretsmanager", "--region", "us-east-1"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let verdicts = |rule: &str| -> Vec<String> {
        ["db/ledger", "db/stale", "api/forgotten", "api/new"]
            .iter()
            .map(|s| {
                finding(&report, rule, s)["status"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        verdicts("secretsmanager-secret-rotation-enabled"),
        ["PASS", "PASS", "FAIL", "FAIL"]
    );
    assert_eq!(
        verdicts("secretsmanager-secret-rotated-recently"),
        ["PASS", "FAIL", "FAIL", "PASS"],
        "a failing rotation grows old; a new secret counts from its creation"
    );
    assert_eq!(
        verdicts("secretsmanager-secret-used-recently"),
        ["PASS", "PASS", "FAIL", "PASS"]
    );
    assert_eq!(
        verdicts("secretsmanager-secret-rotation-on-schedule"),
        ["PASS", "FAIL", "NOT_APPLICABLE", "NOT_APPLICABLE"],
        "a next rotation in the past did not happen"
    );
    assert_eq!(
        proxy.count("ListSecrets"),
        1,
        "every attribute comes with the listing"
    );
}

#[test]
fn a_table_costs_its_description_and_only_the_calls_its_rules_read() {
    let emu = Emulator::start();
    emu.boto(
        r#"
ddb = client("dynamodb")
key = [{"AttributeName": "id", "KeyType": "HASH"}]
attrs = [{"AttributeName": "id", "AttributeType": "S"}]
for name in ["ledger", "cache", "audit"]:
    ddb.create_table(TableName=name, KeySchema=key, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST",
                     DeletionProtectionEnabled=name != "cache")
ddb.update_continuous_backups(TableName="ledger",
                              PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
"#,
    );
    // Deletion protection is in the description: no backups or tags asked.
    let proxy = Proxy::start(&emu.url, json!([]));
    let rule = [
        "--rule",
        "dynamodb-table-deletion-protection",
        "--region",
        "us-east-1",
    ];
    let out = run(scan(&proxy.url, "json", &rule));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let status = |r: &Value, rule: &str, t: &str| finding(r, rule, t)["status"].clone();
    assert_eq!(
        status(&report, "dynamodb-table-deletion-protection", "ledger"),
        "PASS"
    );
    assert_eq!(
        status(&report, "dynamodb-table-deletion-protection", "cache"),
        "FAIL"
    );
    assert_eq!(proxy.count("ListTables"), 1);
    assert_eq!(proxy.count("DescribeTable"), 3);
    assert_eq!(proxy.count("DescribeContinuousBackups"), 0);
    assert_eq!(proxy.count("ListTagsOfResource"), 0);

    // Point-in-time recovery costs one call per table; a refused one errors its table.
    let proxy = Proxy::start(
        &emu.url,
        json!([{"target": "DynamoDB_20120810.DescribeContinuousBackups", "status": 400,
                "code": "AccessDeniedException", "format": "json", "times": 1}]),
    );
    let rule = [
        "--rule",
        "dynamodb-table-pitr-enabled",
        "--region",
        "us-east-1",
    ];
    let out = run(scan(&proxy.url, "json", &rule));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    let verdicts: Vec<String> = ["ledger", "cache", "audit"]
        .iter()
        .map(|t| {
            status(&report, "dynamodb-table-pitr-enabled", t)
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        verdicts.iter().filter(|v| *v == "ERROR").count(),
        1,
        "{verdicts:?}"
    );
    assert!(
        verdicts[0] == "PASS" || verdicts[0] == "ERROR",
        "ledger has recovery on: {verdicts:?}"
    );
    assert!(
        verdicts[1..].iter().all(|v| v == "FAIL" || v == "ERROR"),
        "{verdicts:?}"
    );
    assert_eq!(proxy.count("DescribeContinuousBackups"), 3);
}

#[test]
fn provisioned_capacity_is_judged_by_application_auto_scaling_asked_once_a_region() {
    let emu = Emulator::start();
    emu.boto(
        r#"
ddb, scaling = client("dynamodb"), client("application-autoscaling")
key = [{"AttributeName": "id", "KeyType": "HASH"}]
attrs = [{"AttributeName": "id", "AttributeType": "S"}]
throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
for name in ["scaled", "suspended", "no-policy"]:
    ddb.create_table(TableName=name, KeySchema=key, AttributeDefinitions=attrs, ProvisionedThroughput=throughput)
    for unit in ["Read", "Write"]:
        dimension = f"dynamodb:table:{unit}CapacityUnits"
        scaling.register_scalable_target(
            ServiceNamespace="dynamodb", ResourceId=f"table/{name}", ScalableDimension=dimension,
            MinCapacity=5, MaxCapacity=50, SuspendedState={"DynamicScalingOutSuspended": name == "suspended"})
        if name != "no-policy":
            scaling.put_scaling_policy(
                PolicyName=f"{name}-{unit}", ServiceNamespace="dynamodb", ResourceId=f"table/{name}",
                ScalableDimension=dimension, PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0, "PredefinedMetricSpecification": {
                    "PredefinedMetricType": f"DynamoDB{unit}CapacityUtilization"}})
ddb.create_table(TableName="on-demand", KeySchema=key, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST")
"#,
    );
    let rule = [
        "--rule",
        "dynamodb-table-capacity-scales",
        "--region",
        "us-east-1",
    ];
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(&proxy.url, "json", &rule));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let verdicts = findings_of(&report, "dynamodb-table-capacity-scales");
    let want = [
        ("no-policy", "FAIL"),
        ("on-demand", "PASS"),
        ("scaled", "PASS"),
        ("suspended", "FAIL"),
    ];
    let mut got: Vec<(&str, &str)> = verdicts
        .iter()
        .map(|(t, s)| (t.as_str(), s.as_str()))
        .collect();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(proxy.count("DescribeScalableTargets"), 1, "one a region");
    assert_eq!(proxy.count("DescribeScalingPolicies"), 1);

    // Refused: the provisioned tables cannot be judged; the on-demand one still is.
    let proxy = Proxy::start(
        &emu.url,
        json!([{"target": "AnyScaleFrontendService.DescribeScalableTargets", "status": 400,
                "code": "AccessDeniedException", "format": "json", "times": 1}]),
    );
    let out = run(scan(&proxy.url, "json", &rule));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let mut got: Vec<(String, String)> =
        findings_of(&json_report(&out), "dynamodb-table-capacity-scales");
    got.sort();
    let statuses: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(statuses, ["ERROR", "PASS", "ERROR", "ERROR"], "{got:?}");
    assert_eq!(
        proxy.count("DescribeScalableTargets"),
        1,
        "the refusal is shared"
    );
}
