use super::*;
use crate::output::fixtures;

fn target(format: WebhookFormat, min: Severity) -> Target {
    Target {
        format,
        min_severity: min,
        jira_project: Some("SEC".into()),
    }
}

fn new_failures(report: &Report) -> Vec<&Finding> {
    report.findings.iter().filter(|f| f.fails()).collect()
}

#[test]
fn a_summary_lists_the_new_failures_at_or_above_the_threshold_worst_first() {
    let report = fixtures::report();
    let new = new_failures(&report);
    let slack = messages(
        &report,
        &new,
        &target(WebhookFormat::Slack, Severity::High),
        "s3://b/scans/x.json",
    );
    assert_eq!(slack.len(), 1);
    let text = slack[0]["blocks"][1]["text"]["text"].as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("• [critical] s3-bucket-no-public-read on leaky"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("• [high] s3-bucket-public-access-block"),
        "{text}"
    );
    assert_eq!(
        slack[0]["text"],
        "compliance: 2 new failure(s) in account 123456789012 (us-east-1)"
    );
    assert!(slack[0]["blocks"][2]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("Report: s3://b/scans/x.json"));

    let critical_only = messages(
        &report,
        &new,
        &target(WebhookFormat::Teams, Severity::Critical),
        "r",
    );
    let card = &critical_only[0]["attachments"][0]["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert!(card["body"][0]["text"]
        .as_str()
        .unwrap()
        .contains("1 new failure(s)"));

    let generic = messages(
        &report,
        &new,
        &target(WebhookFormat::Generic, Severity::Low),
        "r",
    );
    assert_eq!(generic[0]["failures"].as_array().unwrap().len(), 2);
    assert_eq!(
        generic[0]["failures"][0]["remediation_url"],
        "https://docs.aws.amazon.com/x"
    );
}

#[test]
fn nothing_new_at_the_threshold_sends_nothing() {
    let report = fixtures::report();
    assert!(messages(
        &report,
        &[],
        &target(WebhookFormat::Slack, Severity::Info),
        "r"
    )
    .is_empty());
    let medium_only: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Medium)
        .collect();
    assert!(messages(
        &report,
        &medium_only,
        &target(WebhookFormat::Slack, Severity::High),
        "r"
    )
    .is_empty());
}

#[test]
fn tickets_are_one_per_new_critical_or_high_failure() {
    let mut report = fixtures::report();
    report.findings[0].status = crate::rules::Status::Fail; // a medium failure: no ticket
    let new = new_failures(&report);
    let jira = messages(
        &report,
        &new,
        &target(WebhookFormat::Jira, Severity::Low),
        "s3://b/r.json",
    );
    assert_eq!(jira.len(), 2);
    let fields = &jira[0]["fields"];
    assert_eq!(fields["project"]["key"], "SEC");
    assert_eq!(fields["issuetype"]["name"], "Bug");
    assert_eq!(
        fields["summary"],
        "[critical] title of s3-bucket-no-public-read on leaky"
    );
    let description = fields["description"].as_str().unwrap();
    assert!(
        description.contains("Resource: arn:aws:s3:::leaky (us-east-1)"),
        "{description}"
    );
    assert!(
        description.contains("How to fix: fix it https://docs.aws.amazon.com/x"),
        "{description}"
    );
    assert_eq!(
        fields["labels"],
        json!(["compliance", "s3-bucket-no-public-read"])
    );

    let now = messages(
        &report,
        &new,
        &target(WebhookFormat::Servicenow, Severity::Low),
        "r",
    );
    assert_eq!(now.len(), 2);
    assert_eq!(
        (now[0]["impact"].as_str(), now[0]["urgency"].as_str()),
        (Some("1"), Some("1"))
    );
    assert_eq!(now[1]["impact"], "2");
    assert!(now[0]["correlation_id"]
        .as_str()
        .unwrap()
        .starts_with("compliance/123456789012/"));
}
