//! Webhooks: `compliance notify` and the scanner Lambda posting new failures to a
//! receiver served here on loopback, which answers as told (a 5xx retried, a 4xx final)
//! and keeps each request for the test to read.

mod common;

use std::time::Duration;

use common::lambda::{
    create_bucket_and_topic, create_findings_table, invoke, messages, scheduled_event,
};
use common::webhook::{receiver, webhook_secret};
use common::*;
use serde_json::Value;

/// A scan of one emulated bucket, saved as a report file.
fn saved_report(emu: &Emulator) -> std::path::PathBuf {
    emu.boto(r#"client("s3").create_bucket(Bucket="ledger")"#);
    let file = temp_dir("webhooks").join(format!("report-{}.json", std::process::id()));
    scan_to_file(&emu.url, &file);
    file
}

fn notify(file: &std::path::Path, url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["notify", file.to_str().unwrap(), "--webhook-url", url];
    args.extend_from_slice(extra);
    run(compliance(&args))
}

#[test]
fn notify_posts_a_saved_reports_failures_and_retries_a_failing_receiver() {
    let emu = Emulator::start();
    let file = saved_report(&emu);

    let (url, got) = receiver(&[200]);
    let out = notify(&file, &url, &["--format", "slack", "--min-severity", "low"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("notify: 1 message(s) sent"),
        "{}",
        stderr(&out)
    );
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0["content-type"], "application/json");
    let text = got[0].1["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(text.contains("on ledger (us-east-1)"), "{text}");

    // Two server errors, then taken: one message, three requests.
    let (url, got) = receiver(&[500, 503, 200]);
    let out = notify(
        &file,
        &url,
        &["--format", "generic", "--min-severity", "low"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(got.lock().unwrap().len(), 3);

    // Never taken: exit 1 after four tries, saying why.
    let (url, got) = receiver(&[500]);
    let out = notify(
        &file,
        &url,
        &["--format", "generic", "--min-severity", "low"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("HTTP 500"), "{}", stderr(&out));
    assert!(stderr(&out).contains("(4 tries)"), "{}", stderr(&out));
    assert_eq!(got.lock().unwrap().len(), 4);

    // A refusal is final.
    let (url, got) = receiver(&[403]);
    let out = notify(
        &file,
        &url,
        &["--format", "generic", "--min-severity", "low"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(got.lock().unwrap().len(), 1);

    // Tickets: one Jira issue per critical or high failure, with the header given.
    let (url, got) = receiver(&[201]);
    let out = notify(
        &file,
        &url,
        &[
            "--format",
            "jira",
            "--jira-project",
            "SEC",
            "--header",
            "Authorization: Basic eDp5",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let high = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["status"] == "FAIL" && (f["severity"] == "critical" || f["severity"] == "high")
        })
        .count();
    let got = got.lock().unwrap().clone();
    assert!(high > 0);
    assert_eq!(got.len(), high);
    assert!(
        got.iter()
            .all(|(h, b)| h["authorization"] == "Basic eDp5"
                && b["fields"]["project"]["key"] == "SEC")
    );
}

#[test]
fn notify_refuses_bad_input_in_one_sentence() {
    let emu = Emulator::start();
    let file = saved_report(&emu);
    for (args, expected) in [
        (
            vec!["--webhook-url", "http://127.0.0.1:9/x", "--format", "jira"],
            "--format jira needs --jira-project",
        ),
        (
            vec!["--webhook-url", "ftp://x", "--format", "slack"],
            "is not an http(s) URL",
        ),
        (
            vec![
                "--webhook-url",
                "http://127.0.0.1:9/x",
                "--format",
                "slack",
                "--header",
                "bad header",
            ],
            "is not a header",
        ),
    ] {
        let mut all = vec!["notify", file.to_str().unwrap()];
        all.extend(args);
        let out = run(compliance(&all));
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    }
}

#[test]
fn the_lambda_posts_each_runs_new_failures_and_warns_when_the_webhook_fails() {
    let emu = Emulator::start();
    create_bucket_and_topic(&emu);
    // The history's state says what is new since the last run.
    create_findings_table(&emu, "compliance-findings-t");
    emu.boto(r#"client("s3").create_bucket(Bucket="ledger")"#);
    let (url, got) = receiver(&[200]);
    let secret = webhook_secret(&emu, &url);
    let env = [
        ("COMPLIANCE_FINDINGS_TABLE", "compliance-findings-t"),
        ("COMPLIANCE_WEBHOOK_SECRET_ARN", secret.as_str()),
        ("COMPLIANCE_WEBHOOK_FORMAT", "slack"),
        ("COMPLIANCE_WEBHOOK_MIN_SEVERITY", "high"),
    ];
    let (answers, _) = invoke(
        &emu.url,
        vec![scheduled_event()],
        Duration::from_secs(300),
        &env,
    );
    assert_eq!(answers[0].1, "response", "{answers:?}");
    let first = got.lock().unwrap().clone();
    assert_eq!(first.len(), 1, "one summary a run");
    let text = first[0].1["text"].as_str().unwrap();
    assert!(
        text.contains("new failure(s) in account 123456789012"),
        "{text}"
    );
    assert!(first[0].1["blocks"][2]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("s3://compliance-reports-t/scans/"));

    // The same failures again: nothing new, nothing posted.
    invoke(
        &emu.url,
        vec![scheduled_event()],
        Duration::from_secs(300),
        &env,
    );
    assert_eq!(got.lock().unwrap().len(), 1);

    // A new failure and a receiver that never takes it: the report is stored, the
    // warning says why.
    emu.boto(r#"client("s3").create_bucket(Bucket="ledger-2")"#);
    let (failing, _) = receiver(&[500]);
    emu.boto(&format!(
        r#"client("secretsmanager").put_secret_value(SecretId="compliance-webhook", SecretString="{failing}")"#
    ));
    let (answers, _) = invoke(
        &emu.url,
        vec![scheduled_event()],
        Duration::from_secs(300),
        &env,
    );
    assert_eq!(answers[0].2["stored"], true);
    let warnings = messages(&emu, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0]["MessageAttributes"]["problem"]["Value"],
        "webhook"
    );
    assert!(
        warnings[0]["Message"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{}",
        warnings[0]["Message"]
    );
}
