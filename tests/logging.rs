//! CloudTrail, AWS Config, GuardDuty and Security Hub against the local AWS endpoint:
//! trails across regions read once each, an account summary that refuses to decide on
//! a trail it could not read, and "not enabled" told apart from "could not ask".

mod common;

use common::*;
use serde_json::json;

/// An emulator with a multi-region trail in us-east-1 (logging, all management events)
/// and a single-region one in eu-west-1 (stopped).
fn trails() -> Emulator {
    let emu = Emulator::start();
    emu.boto(
        r#"
s3 = client("s3")
s3.create_bucket(Bucket="trail-logs")
east = client("cloudtrail")
east.create_trail(Name="org", S3BucketName="trail-logs", IsMultiRegionTrail=True)
# What AWS gives a new trail (the emulator answers no selector at all).
east.put_event_selectors(TrailName="org", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
east.start_logging(Name="org")
west = boto3.client("cloudtrail", endpoint_url=east.meta.endpoint_url, region_name="eu-west-1",
                    aws_access_key_id="test", aws_secret_access_key="test")
west.create_trail(Name="team", S3BucketName="trail-logs")
"#,
    );
    emu
}

fn regions() -> [&'static str; 4] {
    ["--region", "us-east-1", "--region", "eu-west-1"]
}

fn targets(proxy: &Proxy) -> Vec<String> {
    proxy
        .log()
        .iter()
        .filter_map(|e| e["target"].as_str())
        .filter(|t| !t.is_empty())
        .map(|t| t.rsplit('.').next().unwrap().to_string())
        .collect()
}

#[test]
fn each_trail_is_read_once_in_its_home_region_and_the_account_sums_them_up() {
    let emu = trails();
    let proxy = Proxy::start(&emu.url, json!([]));
    let mut args = vec!["--rule", "cloudtrail-multi-region-trail-enabled"];
    args.extend(regions());
    let out = run(scan(&proxy.url, "json", &args));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let account = finding(
        &report,
        "cloudtrail-multi-region-trail-enabled",
        "123456789012",
    );
    assert_eq!(account["status"], "PASS", "{account}");
    assert_eq!(account["region"], "global");
    let mut calls = targets(&proxy);
    calls.sort();
    // (The session's STS and EC2 calls speak the query protocol: no target.)
    // One listing per region; the multi-region trail is not listed again as a shadow
    // in eu-west-1, so each trail costs one status and one selectors call.
    assert_eq!(
        calls,
        [
            "DescribeTrails",
            "DescribeTrails",
            "GetEventSelectors",
            "GetEventSelectors",
            "GetTrailStatus",
            "GetTrailStatus"
        ]
    );

    // Per-trail rules file each trail under its home region.
    let mut args = vec!["--service", "cloudtrail"];
    args.extend(regions());
    let out = run(scan(&emu.url, "json", &args));
    let report = json_report(&out);
    let team = finding(&report, "cloudtrail-trail-log-file-validation", "team");
    assert_eq!(
        (team["region"].as_str(), team["status"].as_str()),
        (Some("eu-west-1"), Some("FAIL"))
    );
    let org = finding(&report, "cloudtrail-trail-log-file-validation", "org");
    assert_eq!(org["region"], "us-east-1");
}

#[test]
fn a_trail_that_cannot_be_read_leaves_the_account_undecided_not_failed() {
    let emu = trails();
    // The logging multi-region trail's status is refused: without it, "is there a
    // logging multi-region trail" has no answer.
    let proxy = Proxy::start(
        &emu.url,
        json!([{"target": "CloudTrail_20131101.GetTrailStatus", "status": 400,
                "code": "AccessDeniedException", "format": "json"}]),
    );
    let mut args = vec!["--service", "cloudtrail"];
    args.extend(regions());
    let out = run(scan(&proxy.url, "json", &args));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    for rule in [
        "cloudtrail-multi-region-trail-enabled",
        "cloudtrail-enabled",
    ] {
        let account = finding(&report, rule, "123456789012");
        assert_eq!(account["status"], "ERROR", "{account}");
        assert!(
            account["message"]
                .as_str()
                .unwrap()
                .contains("AccessDenied"),
            "{account}"
        );
    }
    // What the listing alone decides is still decided.
    assert_eq!(
        finding(&report, "cloudtrail-trail-kms-encrypted", "org")["status"],
        "FAIL"
    );
}

#[test]
fn security_hub_off_is_a_failure_and_a_refused_question_is_an_error() {
    let emu = Emulator::start();
    let judge = |url: &str| {
        let out = run(scan(url, "json", &["--rule", "securityhub-enabled"]));
        let report = json_report(&out);
        finding(&report, "securityhub-enabled", "us-east-1")["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(judge(&emu.url), "FAIL");
    let proxy = Proxy::start(
        &emu.url,
        json!([{"prefix": "/accounts", "status": 403, "code": "AccessDeniedException", "format": "json"}]),
    );
    assert_eq!(judge(&proxy.url), "ERROR");
    emu.boto(r#"client("securityhub").enable_security_hub()"#);
    assert_eq!(judge(&emu.url), "PASS");
}

#[test]
fn config_and_guardduty_are_judged_per_region() {
    let emu = Emulator::start();
    emu.boto(
        r#"
client("s3").create_bucket(Bucket="config-history")
config = client("config")
role = "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": role,
    "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-history"})
config.start_configuration_recorder(ConfigurationRecorderName="default")
west = boto3.client("guardduty", endpoint_url=config.meta.endpoint_url, region_name="eu-west-1",
                    aws_access_key_id="test", aws_secret_access_key="test")
west.create_detector(Enable=False)
client("guardduty").create_detector(Enable=True)
"#,
    );
    let mut args = vec!["--service", "config", "--service", "guardduty"];
    args.extend(regions());
    let out = run(scan(&emu.url, "json", &args));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let status = |rule: &str, region: &str| status_of(&report, rule, region).unwrap().to_string();
    assert_eq!(status("config-recorder-enabled", "us-east-1"), "PASS");
    assert_eq!(
        status("config-recorder-service-linked-role", "us-east-1"),
        "PASS"
    );
    assert_eq!(status("config-recorder-enabled", "eu-west-1"), "FAIL");
    assert_eq!(status("guardduty-enabled", "us-east-1"), "PASS");
    assert_eq!(
        status("guardduty-enabled", "eu-west-1"),
        "FAIL",
        "a suspended detector"
    );
}

#[test]
fn a_class_is_monitored_only_when_the_whole_chain_reaches_someone() {
    let emu = Emulator::start();
    emu.boto(
        r#"
s3, ct, logs, cw, sns = (client(n) for n in ["s3", "cloudtrail", "logs", "cloudwatch", "sns"])
s3.create_bucket(Bucket="trail-logs")
logs.create_log_group(logGroupName="trail")
group = logs.describe_log_groups(logGroupNamePrefix="trail")["logGroups"][0]["arn"]
ct.create_trail(Name="org", S3BucketName="trail-logs", IsMultiRegionTrail=True,
                CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/t")
ct.put_event_selectors(TrailName="org", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
ct.start_logging(Name="org")
heard = sns.create_topic(Name="heard")["TopicArn"]
sns.subscribe(TopicArn=heard, Protocol="lambda", Endpoint="arn:aws:lambda:us-east-1:123456789012:function:pager")
unheard = sns.create_topic(Name="unheard")["TopicArn"]
def watch(name, pattern, topic):
    logs.put_metric_filter(logGroupName="trail", filterName=name, filterPattern=pattern,
        metricTransformations=[{"metricName": name, "metricNamespace": "Security", "metricValue": "1"}])
    cw.put_metric_alarm(AlarmName=name, MetricName=name, Namespace="Security", Statistic="Sum", Period=300,
        Threshold=1, EvaluationPeriods=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])
# Written otherwise than the benchmark, same events: counts.
watch("trail", '{$.eventName="StopLogging"||$.eventName="StartLogging"||$.eventName="DeleteTrail"||$.eventName="UpdateTrail"||$.eventName="CreateTrail"}', heard)
# Narrowed to one user: root and everyone else's key changes go unseen.
watch("kms", '{ ($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) && ($.userIdentity.userName = "bob") }', heard)
# Caught, but the alarm notifies nobody.
watch("root", '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }', unheard)
"#,
    );
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(&proxy.url, "json", &["--service", "cloudwatch"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let status = |class: &str| {
        let rule = format!("cloudwatch-monitoring-{class}");
        status_of(&report, &rule, "123456789012")
            .unwrap()
            .to_string()
    };
    assert_eq!(status("cloudtrail-changes"), "PASS");
    assert_eq!(status("cmk-disabling-or-deletion"), "FAIL");
    assert_eq!(status("root-usage"), "FAIL");
    assert_eq!(status("vpc-changes"), "FAIL");
    // One listing per call kind; the topics' subscriptions asked once each.
    let mut calls = targets(&proxy);
    let actions: Vec<String> = proxy
        .log()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| !a.is_empty() && *a != "GetCallerIdentity" && *a != "DescribeRegions")
        .map(str::to_string)
        .collect();
    calls.extend(actions);
    calls.sort();
    assert_eq!(
        calls,
        [
            "DescribeAlarms",
            "DescribeMetricFilters",
            "DescribeTrails",
            "GetEventSelectors",
            "GetTrailStatus",
            "ListSubscriptionsByTopic",
            "ListSubscriptionsByTopic",
        ]
    );

    // The trail leaves KMS's management events out: it feeds no alarm any more, the
    // CloudTrail-changes one included.
    emu.boto(
        r#"
client("cloudtrail").put_event_selectors(TrailName="org", AdvancedEventSelectors=[{"Name": "no-kms", "FieldSelectors": [
    {"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]}])
"#,
    );
    let out = run(scan(&emu.url, "json", &["--service", "cloudwatch"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let rule = "cloudwatch-monitoring-cloudtrail-changes";
    assert_eq!(status_of(&report, rule, "123456789012"), Some("FAIL"));
}

#[test]
fn a_trail_s_log_bucket_is_asked_of_s3_and_one_unreadable_is_an_error_not_a_verdict() {
    // CIS 3.4 / CloudTrail.7 (access logging) and CloudTrail.6 (not public).
    let emu = Emulator::start();
    emu.boto(
        r#"
s3, ct = client("s3"), client("cloudtrail")
for bucket in ["logged", "unlogged", "access-logs", "elsewhere"]:
    s3.create_bucket(Bucket=bucket)
s3.put_bucket_policy(Bucket="access-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::access-logs/*"}]}))
s3.put_bucket_logging(Bucket="logged", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "l/"}})
# The unlogged bucket is also readable by everyone.
s3.put_bucket_policy(Bucket="unlogged", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::unlogged/*"}]}))
for trail, bucket in [("kept", "logged"), ("bare", "unlogged"), ("central", "elsewhere")]:
    ct.create_trail(Name=trail, S3BucketName=bucket)
# The orphan's bucket was deleted after the trail was made (CloudTrail keeps the name).
s3.create_bucket(Bucket="deleted-since")
ct.create_trail(Name="orphan", S3BucketName="deleted-since")
s3.delete_bucket(Bucket="deleted-since")
"#,
    );
    // Another account's bucket answers AccessDenied.
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/elsewhere", "query": "location", "status": 403, "code": "AccessDenied"}]),
    );
    let out = run(scan(
        &proxy.url,
        "json",
        &[
            "--rule",
            "cloudtrail-bucket-access-logging",
            "--rule",
            "cloudtrail-bucket-not-public",
            "--rule",
            "cloudtrail-enabled",
        ],
    ));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    let status = |trail: &str| {
        status_of(&report, "cloudtrail-bucket-access-logging", trail)
            .unwrap()
            .to_string()
    };
    assert_eq!(status("kept"), "PASS");
    assert_eq!(status("bare"), "FAIL");
    assert_eq!(
        status("orphan"),
        "FAIL",
        "a bucket that is gone logs nothing"
    );
    assert_eq!(status("central"), "ERROR");
    let public = |trail: &str| status_of(&report, "cloudtrail-bucket-not-public", trail);
    assert_eq!(public("kept"), Some("PASS"));
    assert_eq!(public("bare"), Some("FAIL"));
    assert_eq!(
        public("orphan"),
        Some("PASS"),
        "a bucket that is gone grants nothing"
    );
    assert_eq!(public("central"), Some("ERROR"));
    let central = finding(&report, "cloudtrail-bucket-access-logging", "central");
    assert!(
        central["message"]
            .as_str()
            .unwrap()
            .contains("AccessDenied"),
        "{central}"
    );
    // The bucket is not what the account summary judges: it is still decided.
    let account = status_of(&report, "cloudtrail-enabled", "123456789012");
    assert_ne!(account, Some("ERROR"));
}
