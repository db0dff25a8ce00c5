//! `compliance deploy` and `destroy` against the local AWS endpoint: create, no-op,
//! update, dry run, destroy with data in the buckets, and the refusals.

mod common;

use common::*;

const BINARY: &str = env!("CARGO_BIN_EXE_compliance");

fn deploy(url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "deploy",
        "--suffix",
        "pr-42",
        "--endpoint-url",
        url,
        "--lambda-binary",
        BINARY,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run(compliance(&args))
}

#[test]
fn deploy_update_and_destroy_leave_nothing_of_the_stack_behind() {
    let emu = Emulator::start();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();

    let out = deploy(&emu.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = json_report(&out);
    assert_eq!(first["changed"], true);
    assert_eq!(first["stack"], "compliance-pr-42");
    let outputs = &first["outputs"];
    assert_eq!(
        outputs["ReportBucketName"],
        "compliance-reports-pr-42-123456789012"
    );
    assert_eq!(outputs["FunctionName"], "compliance-scanner-pr-42");
    assert!(
        stderr(&out).contains("CREATE_COMPLETE"),
        "progress follows the stack events: {}",
        stderr(&out)
    );

    // What the emulator applies, checked through each service's own API.
    emu.boto(&format!(
        r#"
s3, lam, sns, ec2, logs, cfn = (client(n) for n in ["s3", "lambda", "sns", "ec2", "logs", "cloudformation"])
enc = s3.get_bucket_encryption(Bucket="compliance-reports-pr-42-123456789012")["ServerSideEncryptionConfiguration"]["Rules"][0]
assert enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", enc
artifacts = s3.list_objects_v2(Bucket="compliance-artifacts-pr-42-123456789012")["Contents"]
assert len(artifacts) == 1 and artifacts[0]["Key"].startswith("lambda/compliance-"), artifacts
f = lam.get_function_configuration(FunctionName="compliance-scanner-pr-42")
assert f["Runtime"] == "provided.al2023" and f["Handler"] == "bootstrap" and f["MemorySize"] == 1024, f
# (TracingConfig is asserted on the template: the emulator's CloudFormation ignores it.)
assert len(f["VpcConfig"]["SubnetIds"]) == 2, f
assert f["Environment"]["Variables"]["COMPLIANCE_REPORT_BUCKET"] == "compliance-reports-pr-42-123456789012"
topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
assert sorted(t.rsplit(":", 1)[1] for t in topics) == ["compliance-critical-pr-42", "compliance-warning-pr-42"], topics
for t in topics:
    assert sns.get_topic_attributes(TopicArn=t)["Attributes"].get("KmsMasterKeyId"), t
vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]
assert len(vpcs) == 1 and {{"Key": "Environment", "Value": "pr-42"}} in vpcs[0]["Tags"], vpcs
flows = ec2.describe_flow_logs()["FlowLogs"]
assert [fl["LogGroupName"] for fl in flows] == ["audit-flowlogs-us-east-1-{today}-pr-42"], flows
assert flows[0]["TrafficType"] == "ALL"
stack = cfn.describe_stacks(StackName="compliance-pr-42")["Stacks"][0]
tags = {{t["Key"]: t["Value"] for t in stack["Tags"]}}
assert tags == {{"Environment": "pr-42", "Owner": "security", "CostCenter": "unassigned", "ComplianceLevel": "high"}}, tags
"#
    ));

    // An unchanged stack still takes a new suppression file, where the scans read it.
    let dir = temp_dir("deploy-suppressions");
    let accepted = dir.join("suppressions.yaml");
    let expires = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d");
    write(
        &accepted,
        &format!("version: 1\nsuppressions:\n  - rules: [s3-bucket-versioning-enabled]\n    resources: [legacy]\n    reason: migrating\n    owner: data\n    expires: {expires}\n"),
    );
    let again = deploy(&emu.url, &["--suppressions", accepted.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(json_report(&again)["changed"], false);
    let stored = emu.boto(
        r#"print(client("s3").get_object(Bucket="compliance-reports-pr-42-123456789012", Key="config/suppressions.yaml")["Body"].read().decode())"#,
    );
    assert_eq!(
        stored.trim_end(),
        std::fs::read_to_string(&accepted).unwrap().trim_end()
    );
    assert!(
        stderr(&again).contains("is up to date; nothing changed"),
        "{}",
        stderr(&again)
    );

    let changed = deploy(
        &emu.url,
        &[
            "--owner",
            "alice",
            "--schedule",
            "rate(1 day)",
            "--security-hub-export",
            "true",
            "--alert-threshold",
            "critical",
            "--report-retention-days",
            "30",
        ],
    );
    assert_eq!(changed.status.code(), Some(0), "{}", stderr(&changed));
    assert_eq!(json_report(&changed)["changed"], true);
    let check = |owner: &str| {
        emu.boto(&format!(
            r#"
stack = client("cloudformation").describe_stacks(StackName="compliance-pr-42")["Stacks"][0]
params = {{p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}}
assert params["Owner"] == "{owner}" and params["ScheduleExpression"] == "rate(1 day)", params
assert params["SecurityHubExport"] == "true" and params["AlertThreshold"] == "critical", params
assert params["ReportRetentionDays"] == "30" and params["AutoRemediate"] == "false", params
assert params["FlowLogDate"] == "{today}", "an update keeps the first deploy's date"
assert {{"Key": "Owner", "Value": "{owner}"}} in stack["Tags"], stack["Tags"]
names = [p["PolicyName"] for p in client("iam").list_policies(Scope="Local")["Policies"]]
assert "compliance-securityhub-export-pr-42" in names, names
"#
        ))
    };
    check("alice");
    // Flags left out keep the stack's values.
    let kept = deploy(&emu.url, &["--owner", "bob"]);
    assert_eq!(kept.status.code(), Some(0), "{}", stderr(&kept));
    check("bob");

    // Data in the report bucket: several versions and a delete marker.
    emu.boto(
        r#"
s3 = client("s3")
bucket = "compliance-reports-pr-42-123456789012"
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
for i in range(3):
    s3.put_object(Bucket=bucket, Key="scans/2026/11/23/scan.json", Body=b"report %d" % i)
s3.delete_object(Bucket=bucket, Key="scans/2026/11/23/scan.json")
v = s3.list_object_versions(Bucket=bucket)
# Three versions of a scan, and the suppression file.
assert len(v["Versions"]) == 4 and len(v["DeleteMarkers"]) == 1, v
"#,
    );
    let destroyed = run(compliance(&[
        "destroy",
        "--suffix",
        "pr-42",
        "--endpoint-url",
        &emu.url,
        "--yes",
    ]));
    assert!(stderr(&destroyed).contains("emptied s3://compliance-reports-pr-42-123456789012 (5 object versions and delete markers)"), "{}", stderr(&destroyed));
    // The emulator deletes the stack's buckets, function, topics, roles and keys; it
    // leaves the VPC (subnets, route table, flow log) and log groups, which real
    // CloudFormation deletes with the stack. destroy names what is still tagged with the
    // stack's name, and exits 1.
    assert_eq!(destroyed.status.code(), Some(1), "{}", stderr(&destroyed));
    let err = stderr(&destroyed);
    assert!(
        err.contains("stack compliance-pr-42 deleted")
            && err.contains("tagged aws:cloudformation:stack-name=compliance-pr-42 remain")
            && err.contains(":123456789012:vpc/vpc-"),
        "{err}"
    );
    emu.boto(
        r#"
cfn, s3, lam, sns, iam, kms = (client(n) for n in ["cloudformation", "s3", "lambda", "sns", "iam", "kms"])
live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
assert live == [], live
assert [b["Name"] for b in s3.list_buckets()["Buckets"] if "pr-42" in b["Name"]] == []
assert lam.list_functions()["Functions"] == []
assert sns.list_topics()["Topics"] == []
assert [r["RoleName"] for r in iam.list_roles()["Roles"] if "pr-42" in r["RoleName"]] == []
assert [k for k in kms.list_keys()["Keys"] if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"] == []
"#,
    );

    let twice = run(compliance(&[
        "destroy",
        "--suffix",
        "pr-42",
        "--endpoint-url",
        &emu.url,
        "--yes",
    ]));
    assert_eq!(twice.status.code(), Some(0));
    assert!(stderr(&twice).contains("does not exist; nothing to destroy"));
}

#[test]
fn a_dry_run_lists_the_changes_and_changes_nothing() {
    let emu = Emulator::start();
    let out = deploy(&emu.url, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = json_report(&out);
    assert_eq!(plan["dry_run"], true);
    let changes = plan["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["action"] == "Add"
            && c["logical_id"] == "ReportBucket"
            && c["resource_type"] == "AWS::S3::Bucket"),
        "{changes:?}"
    );
    emu.boto(
        r#"
cfn, s3 = client("cloudformation"), client("s3")
live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
assert live == [], live
assert s3.list_buckets()["Buckets"] == []
"#,
    );
}

#[test]
fn endpoints_mode_outside_us_east_1_warns_that_the_scanner_cannot_reach_iam() {
    let emu = Emulator::start();
    let unreachable = "no way to IAM";
    // us-east-1 has IAM's endpoint; eu-west-1 does not, unless the mode gives a way out.
    let home = deploy(&emu.url, &["--dry-run"]);
    assert_eq!(home.status.code(), Some(0), "{}", stderr(&home));
    assert!(!stderr(&home).contains(unreachable), "{}", stderr(&home));
    let away = deploy(&emu.url, &["--dry-run", "--region", "eu-west-1"]);
    assert_eq!(away.status.code(), Some(0), "{}", stderr(&away));
    assert!(stderr(&away).contains(unreachable), "{}", stderr(&away));
    assert!(stderr(&away).contains("--network-mode nat or none"));
    let nat = deploy(
        &emu.url,
        &[
            "--dry-run",
            "--region",
            "eu-west-1",
            "--network-mode",
            "nat",
        ],
    );
    assert_eq!(nat.status.code(), Some(0), "{}", stderr(&nat));
    assert!(!stderr(&nat).contains(unreachable), "{}", stderr(&nat));
}

#[test]
fn destroy_asks_for_yes_off_a_terminal_before_touching_aws() {
    let out = run(compliance(&[
        "destroy",
        "--suffix",
        "pr-42",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ])
    .stdin(std::process::Stdio::null()));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pass --yes to confirm"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_suffixes_are_refused_before_any_call() {
    for (suffix, rule) in [
        ("PR-42", "lowercase letters, digits and hyphens"),
        ("pr_42", "lowercase letters, digits and hyphens"),
        ("42", "start with a lowercase letter"),
        ("pr-", "end with a hyphen"),
        ("a-very-long-suffix-indeed", "at most 20"),
    ] {
        let endpoint = "http://127.0.0.1:9";
        for args in [
            vec![
                "deploy",
                "--suffix",
                suffix,
                "--endpoint-url",
                endpoint,
                "--lambda-binary",
                BINARY,
            ],
            vec![
                "destroy",
                "--suffix",
                suffix,
                "--endpoint-url",
                endpoint,
                "--yes",
            ],
        ] {
            let command = args[0];
            let out = run(compliance(&args));
            assert_eq!(out.status.code(), Some(2), "{command} {suffix}");
            let err = stderr(&out);
            assert!(
                err.contains(&format!("invalid suffix `{suffix}`")) && err.contains(rule),
                "{command} {suffix}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
}

#[test]
fn a_missing_or_foreign_lambda_binary_is_refused_before_any_call() {
    let dir = temp_dir("lambda-binary");
    let script = dir.join("bootstrap.sh");
    write(&script, "#!/bin/sh\necho hi\n");
    // Without the flag a build with the Lambda handler deploys itself (and so gets as far
    // as the unreachable endpoint); one without it says how to build one.
    let default = if cfg!(feature = "lambda") {
        "cannot reach"
    } else {
        "--features lambda"
    };
    let cases = [
        (vec![], default),
        (
            vec!["--lambda-binary", "/nonexistent/compliance"],
            "cannot read --lambda-binary",
        ),
        (
            vec!["--lambda-binary", script.to_str().unwrap()],
            "not a Linux (ELF) executable",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec![
            "deploy",
            "--suffix",
            "pr-42",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ];
        args.extend(extra);
        let out = run(compliance(&args));
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
    }
}

/// Recorded CloudFormation answers (query protocol) for states the emulator cannot reach.
fn stack_in(status: &str, suffix: &str) -> String {
    format!(
        r#"<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>
<StackName>compliance-{suffix}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/compliance-{suffix}/1</StackId>
<CreationTime>2026-11-23T00:00:00Z</CreationTime><StackStatus>{status}</StackStatus>
<StackStatusReason>The following resource(s) failed to create: [ReportBucket].</StackStatusReason>
</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>recorded</RequestId></ResponseMetadata></DescribeStacksResponse>"#
    )
}

fn failed_bucket_event(suffix: &str) -> String {
    format!(
        r#"<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents>
<member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/compliance-{suffix}/1</StackId><EventId>e2</EventId>
<StackName>compliance-{suffix}</StackName><LogicalResourceId>compliance-{suffix}</LogicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType>
<Timestamp>2099-01-01T00:00:01Z</Timestamp><ResourceStatus>ROLLBACK_COMPLETE</ResourceStatus></member>
<member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/compliance-{suffix}/1</StackId><EventId>e1</EventId>
<StackName>compliance-{suffix}</StackName><LogicalResourceId>ReportBucket</LogicalResourceId><ResourceType>AWS::S3::Bucket</ResourceType>
<Timestamp>2099-01-01T00:00:00Z</Timestamp><ResourceStatus>CREATE_FAILED</ResourceStatus>
<ResourceStatusReason>compliance-reports-{suffix}-123456789012 already exists</ResourceStatusReason></member>
</StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>recorded</RequestId></ResponseMetadata></DescribeStackEventsResponse>"#
    )
}

#[test]
fn a_failed_create_names_the_failed_resources_and_exits_1() {
    let emu = Emulator::start();
    let proxy = Proxy::start(
        &emu.url,
        serde_json::json!([
            {"action": "DescribeStacks", "after": "CreateStack", "body": stack_in("ROLLBACK_COMPLETE", "pr-9")},
            {"action": "DescribeStackEvents", "after": "CreateStack", "body": failed_bucket_event("pr-9")}
        ]),
    );
    let out = run(compliance(&[
        "deploy",
        "--suffix",
        "pr-9",
        "--endpoint-url",
        &proxy.url,
        "--lambda-binary",
        BINARY,
    ]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(stdout(&out), "");
    assert!(err.contains("ReportBucket (AWS::S3::Bucket) CREATE_FAILED: compliance-reports-pr-9-123456789012 already exists"), "{err}");
    assert!(
        err.contains("deploy failed: stack compliance-pr-9 is ROLLBACK_COMPLETE"),
        "{err}"
    );
    assert!(
        err.contains("the next deploy deletes the stack and creates it again"),
        "{err}"
    );
    let actions: Vec<String> = proxy
        .log()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !actions.contains(&"UpdateStack".to_string()),
        "no second pass after a failed first: {actions:?}"
    );
}

#[test]
fn a_stack_left_in_rollback_complete_is_deleted_and_created_again() {
    let emu = Emulator::start();
    let proxy = Proxy::start(
        &emu.url,
        serde_json::json!([{"action": "DescribeStacks", "times": 1, "body": stack_in("ROLLBACK_COMPLETE", "pr-9")}]),
    );
    let out = run(compliance(&[
        "deploy",
        "--suffix",
        "pr-9",
        "--endpoint-url",
        &proxy.url,
        "--lambda-binary",
        BINARY,
        "--format",
        "json",
    ]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("stack compliance-pr-9 is in ROLLBACK_COMPLETE after a failed create; deleting it and creating it again"), "{err}");
    assert_eq!(json_report(&out)["status"], "UPDATE_COMPLETE");
    let actions: Vec<String> = proxy
        .log()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    let delete = actions
        .iter()
        .position(|a| a == "DeleteStack")
        .expect("DeleteStack");
    let create = actions
        .iter()
        .position(|a| a == "CreateStack")
        .expect("CreateStack");
    assert!(delete < create, "{actions:?}");
}

#[test]
fn a_bad_schedule_or_alert_address_is_refused_before_any_call() {
    // The endpoint is closed: reaching it would be a different error.
    let base = [
        "deploy",
        "--suffix",
        "pr-42",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--lambda-binary",
        BINARY,
    ];
    for (flag, value, expected) in [
        (
            "--schedule",
            "every 6 hours",
            "is not a schedule expression",
        ),
        ("--schedule", "rate(1 hours)", "the singular for 1"),
        (
            "--alert-email",
            "secops at example.com",
            "is not one email address",
        ),
        (
            "--suppressions",
            "/nonexistent/suppressions.yaml",
            "cannot read suppression file",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend([flag, value]);
        let out = run(compliance(&args));
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(expected), "{value}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let bad = temp_dir("deploy-bad-suppressions").join("s.yaml");
    write(&bad, "version: 1\nsuppressions:\n  - rules: [s3-bucket-versioning-enabled]\n    resources: [a]\n    reason: r\n    expires: 2027-01-01\n");
    let mut args = base.to_vec();
    args.extend(["--suppressions", bad.to_str().unwrap()]);
    let out = run(compliance(&args));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("missing field `owner`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn each_network_mode_gives_the_scanner_its_way_out() {
    let emu = Emulator::start();
    let out = deploy(&emu.url, &["--network-mode", "nat"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A second stack beside the first, outside the VPC.
    let mut args = vec!["deploy", "--suffix", "pr-43", "--endpoint-url", &emu.url];
    args.extend(["--lambda-binary", BINARY, "--network-mode", "none"]);
    let none = run(compliance(&args));
    assert_eq!(none.status.code(), Some(0), "{}", stderr(&none));
    emu.boto(
        r#"
ec2, lam, cfn = (client(n) for n in ["ec2", "lambda", "cloudformation"])
def stack_vpc(suffix):
    return [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]
            if {"Key": "Environment", "Value": suffix} in v.get("Tags", [])][0]
# nat: one NAT gateway in a public subnet, the private route table's default route to
# it, and no interface endpoint (the S3 and DynamoDB gateway endpoints stay).
vpc = stack_vpc("pr-42")
nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["VpcId"] == vpc and n["State"] != "deleted"]
assert len(nats) == 1, nats
routes = [r for t in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
          for r in t["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
assert {r.get("NatGatewayId") for r in routes if r.get("NatGatewayId")} == {nats[0]["NatGatewayId"]}, routes
endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
assert sorted((e["VpcEndpointType"], e["ServiceName"].rsplit(".", 1)[1]) for e in endpoints) == \
    [("Gateway", "dynamodb"), ("Gateway", "s3")], endpoints
assert len(lam.get_function_configuration(FunctionName="compliance-scanner-pr-42")["VpcConfig"]["SubnetIds"]) == 2
params = {p["ParameterKey"]: p["ParameterValue"] for p in cfn.describe_stacks(StackName="compliance-pr-42")["Stacks"][0]["Parameters"]}
assert params["NetworkMode"] == "nat", params
# none: the function outside the VPC, no interface endpoint and no NAT for it.
vpc = stack_vpc("pr-43")
assert not lam.get_function_configuration(FunctionName="compliance-scanner-pr-43").get("VpcConfig", {}).get("SubnetIds"), "outside the VPC"
assert [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["VpcId"] == vpc] == []
endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
assert sorted((e["VpcEndpointType"], e["ServiceName"].rsplit(".", 1)[1]) for e in endpoints) == \
    [("Gateway", "dynamodb"), ("Gateway", "s3")], endpoints
"#,
    );
    // The mode is kept on an update that does not name it.
    let again = deploy(&emu.url, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(json_report(&again)["changed"], false, "{}", stderr(&again));
}
