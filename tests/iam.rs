//! IAM against the local AWS endpoint, and real AWS answers where the emulator has
//! none (its account summary always says the root user has no MFA and no key, and its
//! credential report has only dates of today and a root row, added by
//! `scripts/emulator.py`, that was never used): the calls a narrowed
//! scan makes, root facts, credentials judged by their age, and a report that fails.

mod common;

use chrono::{Duration, Utc};
use common::*;
use serde_json::{json, Value};

const NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// An emulator with three users and two customer-managed policies.
fn account() -> Emulator {
    let emu = Emulator::start();
    emu.boto(
        r#"
iam = client("iam")
for name in ["old-keys", "fresh", "newcomer"]:
    iam.create_user(UserName=name)
iam.create_login_profile(UserName="fresh", Password="Correct-Horse-9")
doc = lambda action: json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
iam.create_policy(PolicyName="admins", PolicyDocument=doc("*"))
iam.create_policy(PolicyName="readers", PolicyDocument=doc(["s3:Get*"]))
"#,
    );
    emu
}

/// A query-protocol answer: `<{action}Response><{action}Result>{result}…`.
fn answer(action: &str, result: &str) -> String {
    format!(
        "<{action}Response xmlns=\"{NS}\"><{action}Result>{result}</{action}Result>\
         <ResponseMetadata><RequestId>recorded</RequestId></ResponseMetadata></{action}Response>"
    )
}

fn operations(proxy: &Proxy) -> Vec<String> {
    proxy
        .log()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_scan_narrowed_to_one_iam_rule_makes_only_its_calls() {
    let emu = account();
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(
        &proxy.url,
        "json",
        &["--rule", "iam-user-console-mfa"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        findings_of(&json_report(&out), "iam-user-console-mfa"),
        [
            ("fresh".to_string(), "FAIL".to_string()),
            ("newcomer".to_string(), "PASS".to_string()),
            ("old-keys".to_string(), "PASS".to_string()),
        ]
    );
    let ops = operations(&proxy);
    // Three users cost one listing and one report, whatever their number; the report
    // is asked for until IAM says it is complete.
    let count = |op: &str| ops.iter().filter(|o| *o == op).count();
    assert_eq!(count("ListUsers"), 1, "{ops:?}");
    assert_eq!(count("GetCredentialReport"), 1, "{ops:?}");
    assert!(count("GenerateCredentialReport") >= 1, "{ops:?}");
    let mut distinct: Vec<&str> = ops.iter().map(String::as_str).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct,
        [
            "DescribeRegions",
            "GenerateCredentialReport",
            "GetCallerIdentity",
            "GetCredentialReport",
            "ListUsers"
        ]
    );

    // A policy rule: one authorisation-details listing asking for policies alone.
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(
        &proxy.url,
        "json",
        &["--rule", "iam-policy-no-full-admin"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        findings_of(&json_report(&out), "iam-policy-no-full-admin"),
        [
            ("admins".to_string(), "FAIL".to_string()),
            ("readers".to_string(), "PASS".to_string()),
        ]
    );
    let log = proxy.log();
    let details: Vec<&Value> = log
        .iter()
        .filter(|e| e["action"] == "GetAccountAuthorizationDetails")
        .collect();
    assert_eq!(log.len(), 3, "{:?}", operations(&proxy));
    assert_eq!(details.len(), 1);
    let body = details[0]["body"].as_str().unwrap();
    assert!(
        body.contains("LocalManagedPolicy") && !body.contains("=User"),
        "{body}"
    );
}

/// The account summary's root facts, as real IAM gives them.
fn summary(mfa: u8, keys: u8) -> String {
    answer(
        "GetAccountSummary",
        &format!(
            "<SummaryMap><entry><key>Users</key><value>3</value></entry>\
             <entry><key>AccountMFAEnabled</key><value>{mfa}</value></entry>\
             <entry><key>AccountAccessKeysPresent</key><value>{keys}</value></entry></SummaryMap>"
        ),
    )
}

fn virtual_devices(root: bool) -> String {
    let device = if root {
        "<member><SerialNumber>arn:aws:iam::123456789012:mfa/root-account-mfa-device</SerialNumber>\
         <User><Path>/</Path><UserName>root</UserName><UserId>123456789012</UserId>\
         <Arn>arn:aws:iam::123456789012:root</Arn><CreateDate>2019-05-01T10:00:00Z</CreateDate></User>\
         <EnableDate>2019-05-01T10:05:00Z</EnableDate></member>"
    } else {
        ""
    };
    answer(
        "ListVirtualMFADevices",
        &format!("<VirtualMFADevices>{device}</VirtualMFADevices><IsTruncated>false</IsTruncated>"),
    )
}

#[test]
fn root_facts_come_from_the_account_summary_and_its_mfa_devices() {
    let emu = account();
    let root_rules = [
        "iam-root-mfa-enabled",
        "iam-root-hardware-mfa",
        "iam-root-no-access-keys",
    ];
    let judge = |summary: String, devices: String| {
        let proxy = Proxy::start(
            &emu.url,
            json!([{"action": "GetAccountSummary", "body": summary},
                   {"action": "ListVirtualMFADevices", "body": devices}]),
        );
        let mut args = vec![];
        for rule in root_rules {
            args.extend(["--rule", rule]);
        }
        let out = run(scan(&proxy.url, "json", &args));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report = json_report(&out);
        root_rules.map(|rule| {
            status_of(&report, rule, "123456789012")
                .unwrap()
                .to_string()
        })
    };
    // An authenticator app on root, and a root access key left over.
    assert_eq!(
        judge(summary(1, 1), virtual_devices(true)),
        ["PASS", "FAIL", "FAIL"]
    );
    // A hardware key (MFA on, no virtual device for root), no root key.
    assert_eq!(
        judge(summary(1, 0), virtual_devices(false)),
        ["PASS", "PASS", "PASS"]
    );
    // No MFA: the hardware rule fails too, whatever the devices say.
    assert_eq!(
        judge(summary(0, 0), virtual_devices(false)),
        ["FAIL", "FAIL", "PASS"]
    );
}

/// A credential report as IAM writes it, root row first, with dates `days` ago.
fn credential_report() -> String {
    let ago = |days: i64| {
        (Utc::now() - Duration::days(days))
            .format("%Y-%m-%dT%H:%M:%S+00:00")
            .to_string()
    };
    let header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    let rows = [
        format!("<root_account>,arn:aws:iam::123456789012:root,{},not_supported,{},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", ago(2000), ago(3)),
        // Keys: one 200 days old and last used 100 days ago; one inactive and older.
        format!("old-keys,arn:aws:iam::123456789012:user/old-keys,{},false,N/A,N/A,N/A,false,true,{},{},us-east-1,s3,false,{},N/A,N/A,N/A,false,N/A,false,N/A", ago(400), ago(200), ago(100), ago(390)),
        // A console password used yesterday with MFA, and a key rotated last month.
        format!("fresh,arn:aws:iam::123456789012:user/fresh,{},true,{},{},N/A,true,true,{},{},eu-west-1,ec2,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", ago(400), ago(1), ago(60), ago(30), ago(2)),
    ];
    format!("{header}\n{}\n", rows.join("\n"))
}

fn report_answer() -> String {
    answer(
        "GetCredentialReport",
        &format!(
            "<Content>{}</Content><ReportFormat>text/csv</ReportFormat>\
             <GeneratedTime>{}</GeneratedTime>",
            aws_smithy_types::base64::encode(credential_report()),
            Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        ),
    )
}

#[test]
fn credentials_are_judged_by_their_age_and_a_user_newer_than_the_report_is_an_error() {
    let emu = account();
    let proxy = Proxy::start(
        &emu.url,
        json!([{"action": "GetCredentialReport", "body": report_answer()}]),
    );
    let out = run(scan(&proxy.url, "json", &["--service", "iam"]));
    // The user created after the report was made cannot be judged on credentials.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    let status = |rule: &str, user: &str| status_of(&report, rule, user).unwrap().to_string();
    assert_eq!(status("iam-user-access-keys-rotated", "old-keys"), "FAIL");
    assert_eq!(status("iam-user-unused-credentials", "old-keys"), "FAIL");
    assert_eq!(status("iam-user-one-active-key", "old-keys"), "PASS");
    assert_eq!(status("iam-user-access-keys-rotated", "fresh"), "PASS");
    assert_eq!(status("iam-user-unused-credentials", "fresh"), "PASS");
    assert_eq!(status("iam-user-console-mfa", "fresh"), "PASS");
    // Her key was used two days ago: not a key made at set-up and forgotten.
    assert_eq!(status("iam-user-no-initial-access-key", "fresh"), "PASS");
    assert_eq!(status("iam-user-no-initial-access-key", "old-keys"), "PASS");
    // The report's root row: a sign-in three days ago.
    let root = status_of(&report, "iam-root-not-used", "123456789012");
    assert_eq!(root, Some("FAIL"), "CIS 1.7");
    for rule in [
        "iam-user-access-keys-rotated",
        "iam-user-unused-credentials",
        "iam-user-console-mfa",
        "iam-user-one-active-key",
    ] {
        assert_eq!(status(rule, "newcomer"), "ERROR", "{rule}");
    }
    // What does not read the report still judges the newcomer.
    assert_eq!(status("iam-user-no-direct-policies", "newcomer"), "PASS");
    let newcomer = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "iam-user-console-mfa" && f["resource_id"] == "newcomer")
        .unwrap();
    assert!(
        newcomer["message"]
            .as_str()
            .unwrap()
            .contains("newer than the credential report"),
        "{newcomer}"
    );
    // The root row is not a user.
    assert_eq!(
        status_of(&report, "iam-user-console-mfa", "<root_account>"),
        None
    );
}

#[test]
fn a_refused_credential_report_errors_only_the_rules_that_read_it() {
    let emu = account();
    let proxy = Proxy::start(
        &emu.url,
        json!([{"action": "GetCredentialReport", "status": 403, "code": "AccessDenied", "format": "query"}]),
    );
    let out = run(scan(&proxy.url, "json", &["--service", "iam"]));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    let refused = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "iam-user-console-mfa")
        .unwrap();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("AccessDenied"),
        "{refused}"
    );
    for user in ["old-keys", "fresh", "newcomer"] {
        assert_eq!(
            status_of(&report, "iam-user-console-mfa", user),
            Some("ERROR")
        );
        assert_eq!(
            status_of(&report, "iam-user-no-direct-policies", user),
            Some("PASS")
        );
    }
    assert_eq!(
        status_of(&report, "iam-policy-no-full-admin", "admins"),
        Some("FAIL")
    );
    assert_eq!(
        status_of(&report, "iam-password-policy-strong", "123456789012"),
        Some("FAIL"),
        "no password policy is set in this account"
    );
}

#[test]
fn server_certificates_are_judged_by_their_expiry() {
    let emu = account();
    let member = |name: &str, expires: &str| {
        format!(
            "<member><Path>/</Path><ServerCertificateName>{name}</ServerCertificateName>\
             <ServerCertificateId>ASCA{name}</ServerCertificateId>\
             <Arn>arn:aws:iam::123456789012:server-certificate/{name}</Arn>\
             <UploadDate>2024-01-10T09:00:00Z</UploadDate><Expiration>{expires}</Expiration></member>"
        )
    };
    let later = (Utc::now() + Duration::days(200))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let earlier = (Utc::now() - Duration::days(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let listing = answer(
        "ListServerCertificates",
        &format!(
            "<ServerCertificateMetadataList>{}{}</ServerCertificateMetadataList><IsTruncated>false</IsTruncated>",
            member("www", &later),
            member("old-www", &earlier)
        ),
    );
    let proxy = Proxy::start(
        &emu.url,
        json!([{"action": "ListServerCertificates", "body": listing}]),
    );
    let rule = "iam-server-certificate-not-expired";
    let out = run(scan(&proxy.url, "json", &["--rule", rule]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        findings_of(&json_report(&out), rule),
        [
            ("old-www".to_string(), "FAIL".to_string()),
            ("www".to_string(), "PASS".to_string()),
        ]
    );
}

#[test]
fn cis_1_16_counts_attached_policies_aws_managed_ones_included() {
    let emu = account();
    let rule = "iam-no-attached-admin-policy";
    let judge = || {
        let out = run(scan(&emu.url, "json", &["--rule", rule]));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report = json_report(&out);
        let f = &report["findings"][0];
        (
            f["status"].as_str().unwrap().to_string(),
            f["message"].as_str().unwrap().to_string(),
        )
    };
    // The customer policy "admins" allows * on * but is attached to nothing.
    assert_eq!(judge().0, "PASS");
    emu.boto(
        r#"
iam = client("iam")
iam.create_group(GroupName="ops")
iam.attach_group_policy(GroupName="ops", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
iam.attach_group_policy(GroupName="ops", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
"#,
    );
    let (status, message) = judge();
    assert_eq!(status, "FAIL");
    assert!(
        message.contains("AdministratorAccess") && !message.contains("ReadOnlyAccess"),
        "{message}"
    );
    // And the customer one, once attached.
    emu.boto(
        r#"client("iam").attach_group_policy(GroupName="ops", PolicyArn="arn:aws:iam::123456789012:policy/admins")"#,
    );
    assert!(judge().1.contains("admins"));
}

#[test]
fn access_analyzer_counts_only_active_external_access_analyzers_region_by_region() {
    let emu = Emulator::start();
    emu.boto(
        r#"
import boto3
def analyzer(region):
    return boto3.client("accessanalyzer", endpoint_url=client("s3").meta.endpoint_url,
                        region_name=region, aws_access_key_id="test", aws_secret_access_key="test")
analyzer("us-east-1").create_analyzer(analyzerName="account", type="ACCOUNT")
# Unused access is another question: it does not watch what is shared outside.
analyzer("eu-west-1").create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")
"#,
    );
    let proxy = Proxy::start(&emu.url, json!([]));
    let regions = [
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--region",
        "ap-south-1",
    ];
    let mut args = vec!["--rule", "accessanalyzer-enabled"];
    args.extend(regions);
    let out = run(scan(&proxy.url, "json", &args));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        findings_of(&json_report(&out), "accessanalyzer-enabled"),
        [
            ("ap-south-1".to_string(), "FAIL".to_string()),
            ("eu-west-1".to_string(), "FAIL".to_string()),
            ("us-east-1".to_string(), "PASS".to_string()),
        ]
    );
    // One listing per region, nothing else.
    let listings = proxy
        .log()
        .iter()
        .filter(|e| e["path"] == "/analyzer")
        .count();
    assert_eq!(listings, 3);

    // A disabled analyzer (the organisation's, its delegated admin gone) is no analyzer.
    let disabled = json!({"analyzers": [{"arn": "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/org",
        "name": "org", "type": "ORGANIZATION", "createdAt": "2025-01-01T00:00:00Z",
        "status": "DISABLED", "statusReason": {"code": "AWS_SERVICE_ACCESS_DISABLED"}}]});
    let proxy = Proxy::start(
        &emu.url,
        json!([{"path": "/analyzer", "method": "GET", "body": disabled.to_string(),
                "headers": {"Content-Type": "application/json"}}]),
    );
    let out = run(scan(
        &proxy.url,
        "json",
        &["--rule", "accessanalyzer-enabled", "--region", "us-east-1"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        findings_of(&json_report(&out), "accessanalyzer-enabled"),
        [("us-east-1".to_string(), "FAIL".to_string())]
    );
}
