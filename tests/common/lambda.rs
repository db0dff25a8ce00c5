//! The scanner Lambda's harness: the same binary, built with `--features lambda`, started
//! with `AWS_LAMBDA_RUNTIME_API` pointing at a Runtime API served here on loopback (the
//! protocol Lambda speaks), with the stack's environment, its report bucket and its alert
//! topics (each delivering to an SQS queue a test reads).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{compliance, Emulator};

/// What the function answered: (request id, "response" or "error", body).
pub type Answers = Arc<Mutex<Vec<(String, String, Value)>>>;

/// A Lambda Runtime API serving `events` in order, each with `budget` until its
/// deadline, then holding `next` open.
pub fn runtime_api(events: Vec<Value>, budget: Duration) -> (String, Answers) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let queue = Arc::new(Mutex::new(
        events.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let answers: Answers = Arc::default();
    let seen = answers.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (queue, answers) = (queue.clone(), seen.clone());
            std::thread::spawn(move || serve(stream, queue, answers, budget));
        }
    });
    (addr, answers)
}

fn serve(
    stream: TcpStream,
    queue: Arc<Mutex<Vec<(usize, Value)>>>,
    answers: Answers,
    budget: Duration,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            if header == "\r\n" {
                break;
            }
            if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        if path.ends_with("/invocation/next") {
            let next = {
                let mut q = queue.lock().unwrap();
                if q.is_empty() {
                    None
                } else {
                    Some(q.remove(0))
                }
            };
            let Some((n, event)) = next else {
                std::thread::sleep(Duration::from_secs(3600));
                return;
            };
            let payload = event.to_string();
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
                + budget.as_millis();
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: request-{n}\r\n\
                 Lambda-Runtime-Deadline-Ms: {deadline}\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:compliance-scanner-t\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1\r\nContent-Length: {}\r\n\r\n{payload}",
                payload.len()
            )
            .unwrap();
        } else {
            let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
            // 2018-06-01/runtime/invocation/{id}/{response|error}
            let (id, kind) = (
                parts.get(3).copied().unwrap_or("init"),
                parts.last().copied().unwrap_or_default(),
            );
            let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            answers
                .lock()
                .unwrap()
                .push((id.to_string(), kind.to_string(), value));
            write!(out, "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{{\"status\":\"OK\"}}").unwrap();
        }
        out.flush().unwrap();
    }
}

/// Runs the binary in Lambda mode against `endpoint`, with the stack's environment plus
/// `env`, until it has answered every event; returns the answers and what it printed.
pub fn invoke(
    endpoint: &str,
    events: Vec<Value>,
    budget: Duration,
    env: &[(&str, &str)],
) -> (Vec<(String, String, Value)>, String) {
    let expected = events.len();
    let (api, answers) = runtime_api(events, budget);
    // The binary with the emulator-only credentials, and no arguments: Lambda passes none.
    let mut process = compliance(&[])
        .env("AWS_LAMBDA_RUNTIME_API", &api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "compliance-scanner-t")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("COMPLIANCE_REPORT_BUCKET", "compliance-reports-t")
        .env(
            "COMPLIANCE_CRITICAL_TOPIC_ARN",
            "arn:aws:sns:us-east-1:123456789012:compliance-critical-t",
        )
        .env(
            "COMPLIANCE_WARNING_TOPIC_ARN",
            "arn:aws:sns:us-east-1:123456789012:compliance-warning-t",
        )
        .env("COMPLIANCE_ALERT_THRESHOLD", "high")
        .env("COMPLIANCE_SUFFIX", "t")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary in Lambda mode");
    let started = Instant::now();
    while answers.lock().unwrap().len() < expected {
        if started.elapsed() > Duration::from_secs(120) || process.try_wait().unwrap().is_some() {
            let _ = process.kill();
            let out = process.wait_with_output().unwrap();
            panic!(
                "the function answered {:?}\nstdout: {}\nstderr: {}",
                answers.lock().unwrap(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    process.kill().unwrap();
    let output = process.wait_with_output().unwrap();
    let answers = answers.lock().unwrap().clone();
    (answers, String::from_utf8_lossy(&output.stdout).to_string())
}

pub fn create_bucket_and_topic(emu: &Emulator) {
    emu.boto(
        r#"
s3, sns, sqs = client("s3"), client("sns"), client("sqs")
s3.create_bucket(Bucket="compliance-reports-t")
for topic_name, queue_name in [("compliance-critical-t", "alerts"), ("compliance-warning-t", "warnings")]:
    topic = sns.create_topic(Name=topic_name)["TopicArn"]
    queue = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
"#,
    );
}

/// The SNS messages delivered to the SQS queue `queue` so far.
pub fn messages(emu: &Emulator, queue: &str) -> Vec<Value> {
    let got: Value = serde_json::from_str(&emu.boto(&format!(
        r#"
sqs = client("sqs")
url = sqs.get_queue_url(QueueName="{queue}")["QueueUrl"]
got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
print(json.dumps([json.loads(m["Body"]) for m in got]))
"#
    )))
    .unwrap();
    got.as_array().unwrap().clone()
}

/// The stack's findings history table `name`, as the template declares it.
pub fn create_findings_table(emu: &Emulator, name: &str) {
    emu.boto(&format!(
        r#"
client("dynamodb").create_table(TableName="{name}", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{{"AttributeName": "resource", "AttributeType": "S"}}, {{"AttributeName": "evaluated", "AttributeType": "S"}}],
    KeySchema=[{{"AttributeName": "resource", "KeyType": "HASH"}}, {{"AttributeName": "evaluated", "KeyType": "RANGE"}}])
"#
    ));
}

/// The findings table's items, each attribute as its plain value.
pub fn table_items(emu: &Emulator, table: &str) -> Vec<Value> {
    serde_json::from_str(&emu.boto(&format!(
        r#"
items = client("dynamodb").scan(TableName="{table}")["Items"]
print(json.dumps([{{k: list(v.values())[0] for k, v in i.items()}} for i in items]))
"#
    )))
    .unwrap()
}

/// EventBridge's scheduled event, as the stack's schedule sends it.
pub fn scheduled_event() -> Value {
    serde_json::json!({"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events",
           "account": "123456789012", "time": "2026-12-03T00:00:00Z", "region": "us-east-1",
           "resources": [], "detail": {}})
}
