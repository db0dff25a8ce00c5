//! `compliance scan --remote`: the request it sends to the deployed function, the report
//! it prints from the answer (same formats, same exit codes), the function's errors, and
//! `--async`, which sends the on-demand event instead.

mod common;

use common::*;
use serde_json::{json, Value};

/// An emulator whose Lambda answers from a queue instead of running code, with the
/// demo account seeded and the scanner function `compliance-scanner-r1` in place.
fn emulator_with_function() -> Emulator {
    let emu = Emulator::start();
    emu.boto(&format!(
        r#"
import urllib.request
req = urllib.request.Request("{}/moto-api/config", data=json.dumps({{"lambda": {{"use_docker": False}}}}).encode(), method="POST")
urllib.request.urlopen(req)
"#,
        emu.url
    ));
    emu.seed_demo();
    emu.boto(
        r#"
import io, zipfile
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("bootstrap", "")
role = client("iam").create_role(RoleName="remote-test", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
client("lambda").create_function(FunctionName="compliance-scanner-r1", Runtime="provided.al2023", Role=role,
                                 Handler="bootstrap", Code={"ZipFile": code.getvalue()})
"#,
    );
    emu
}

/// Queues the function's next answer.
fn queue_answer(emu: &Emulator, answer: &Value) {
    emu.boto(&format!(
        r#"
import urllib.request
body = json.dumps({{"results": [{answer}], "region": "us-east-1"}}).encode()
urllib.request.urlopen(urllib.request.Request("{url}/moto-api/static/lambda-simple/response", data=body, method="POST"))
"#,
        answer = serde_json::to_string(&answer.to_string()).unwrap(),
        url = emu.url
    ));
}

#[test]
fn a_remote_scan_sends_the_request_and_prints_the_function_s_report() {
    let emu = emulator_with_function();
    // The function's answer: a real report of the seeded account.
    let local = run(scan(&emu.url, "json", &[]));
    let report = json_report(&local);
    let location = "s3://compliance-reports-r1-123456789012/scans/2026/11/23/x.json";
    queue_answer(
        &emu,
        &json!({"scan_id": report["scan"]["id"], "stored": true, "location": location, "report": report}),
    );

    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(compliance(&[
        "scan",
        "--remote",
        "--suffix",
        "r1",
        "--endpoint-url",
        &proxy.url,
        "--format",
        "csv",
        "--rule",
        "s3-bucket-versioning-enabled",
        "--region",
        "us-east-1",
    ]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "failures at or above the default threshold: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(&format!("stored the report at {location}")),
        "{}",
        stderr(&out)
    );

    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let mut printed: Vec<String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            format!("{}|{}|{}", &r[3], &r[8], &r[6])
        })
        .collect();
    let mut expected: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}|{}|{}",
                f["rule_id"].as_str().unwrap(),
                f["resource_id"].as_str().unwrap(),
                f["status"].as_str().unwrap()
            )
        })
        .collect();
    printed.sort();
    expected.sort();
    assert_eq!(printed, expected, "the printed report is the function's");

    let invoke = proxy
        .log()
        .into_iter()
        .find(|e| e["path"] == "/2015-03-31/functions/compliance-scanner-r1/invocations")
        .expect("an Invoke");
    let sent: Value = serde_json::from_str(invoke["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        sent["compliance_scan"]["rules"],
        json!(["s3-bucket-versioning-enabled"])
    );
    assert_eq!(sent["compliance_scan"]["regions"], json!(["us-east-1"]));

    queue_answer(
        &emu,
        &json!({"scan_id": report["scan"]["id"], "stored": true, "location": location, "report": report}),
    );
    let quiet_exit = run(compliance(&[
        "scan",
        "--remote",
        "--suffix",
        "r1",
        "--endpoint-url",
        &emu.url,
        "--fail-on",
        "none",
        "--format",
        "json",
    ]));
    assert_eq!(
        quiet_exit.status.code(),
        Some(0),
        "--fail-on applies to remote scans too"
    );
}

#[test]
fn a_report_too_large_to_return_is_read_where_the_function_stored_it() {
    let emu = emulator_with_function();
    let dir = temp_dir("remote-large");
    let file = dir.join("report.json");
    let scan_id = scan_to_file(&emu.url, &file);
    emu.boto(&format!(
        r#"
s3 = client("s3")
s3.create_bucket(Bucket="compliance-reports-r1")
s3.put_object(Bucket="compliance-reports-r1", Key="scans/2026/11/23/{scan_id}.json", Body=open({file:?}, "rb").read())
"#,
        file = file.to_str().unwrap()
    ));
    let location = format!("s3://compliance-reports-r1/scans/2026/11/23/{scan_id}.json");
    queue_answer(
        &emu,
        &json!({"scan_id": scan_id, "stored": true, "location": location}),
    );
    let out = run(compliance(&[
        "scan",
        "--remote",
        "--suffix",
        "r1",
        "--endpoint-url",
        &emu.url,
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_report(&out)["scan"]["id"], scan_id.as_str());

    // A location that holds no report is one sentence, exit 2.
    queue_answer(
        &emu,
        &json!({"scan_id": "gone", "stored": true, "location": "s3://compliance-reports-r1/scans/missing.json"}),
    );
    let missing = run(compliance(&[
        "scan",
        "--remote",
        "--suffix",
        "r1",
        "--endpoint-url",
        &emu.url,
    ]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing)
            .contains("cannot read s3://compliance-reports-r1/scans/missing.json: NoSuchKey"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_function_error_is_one_sentence_with_its_message_and_log_group() {
    let emu = emulator_with_function();
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/2015-03-31/functions/compliance-scanner-r1/invocations",
                "headers": {"X-Amz-Function-Error": "Unhandled", "Content-Type": "application/json"},
                "body": "{\"errorType\": \"&alloc::boxed::Box<dyn core::error::Error>\", \"errorMessage\": \"COMPLIANCE_REPORT_BUCKET is not set\"}"}]),
    );
    let out = run(compliance(&[
        "scan",
        "--remote",
        "--suffix",
        "r1",
        "--endpoint-url",
        &proxy.url,
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("the scanner Lambda compliance-scanner-r1 failed: COMPLIANCE_REPORT_BUCKET is not set; read its log group /aws/lambda/compliance-scanner-r1"), "{err}");

    // The emulator's Docker-less Lambda answers for any name: a recorded 404 instead.
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/2015-03-31/functions/compliance-scanner-nope/invocations", "status": 404,
                "code": "ResourceNotFoundException", "format": "json"}]),
    );
    let missing = run(compliance(&[
        "scan",
        "--remote",
        "--suffix",
        "nope",
        "--endpoint-url",
        &proxy.url,
    ]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("is the stack deployed (`compliance deploy --suffix nope`)?"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn async_sends_the_on_demand_event_and_prints_the_scan_id() {
    let emu = emulator_with_function();
    emu.boto(
        r#"
sqs, events = client("sqs"), client("events")
url = sqs.create_queue(QueueName="requests")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
events.put_rule(Name="on-demand", EventPattern=json.dumps({"source": ["compliance.audit"], "detail-type": ["Compliance Scan Request"]}))
events.put_targets(Rule="on-demand", Targets=[{"Id": "q", "Arn": arn}])
"#,
    );
    let out = run(compliance(&[
        "scan",
        "--remote",
        "--async",
        "--suffix",
        "r1",
        "--endpoint-url",
        &emu.url,
        "--service",
        "s3",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let scan_id = stdout(&out).trim().to_string();
    assert_eq!(scan_id.len(), 36, "a scan id: {scan_id:?}");
    let events: Value = serde_json::from_str(&emu.boto(
        r#"
sqs = client("sqs")
url = sqs.get_queue_url(QueueName="requests")["QueueUrl"]
print(json.dumps([json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])]))
"#,
    ))
    .unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["detail-type"], "Compliance Scan Request");
    assert_eq!(events[0]["detail"]["scan_id"], scan_id.as_str());
    assert_eq!(events[0]["detail"]["services"], json!(["s3"]));
}
