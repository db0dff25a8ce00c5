//! Scans of several accounts: `--accounts` and `--organization` against an emulated
//! organisation whose accounts are kept apart by the emulator (a session assumed into
//! one sees only that account's buckets and users). The accounts are seeded once per
//! test binary and only read: `prod` (a bucket, a user `deploy` with an inline policy,
//! a strong password policy, in an OU), `dev` (a user `deploy` too, with no policy of
//! its own), `audit` (whose role the recorded STS answer denies), and `gone` (closed,
//! so suspended). The management account holds nothing of its own.

mod common;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use common::*;
use serde_json::{json, Value};

/// The emulated organisation's account ids.
struct Org {
    emu: Emulator,
    prod: String,
    dev: String,
    audit: String,
    gone: String,
    prod_ou: String,
}

const MANAGEMENT: &str = "123456789012";
const ROLE: &str = "OrganizationAuditRole";

fn org() -> &'static Org {
    static ORG: OnceLock<Org> = OnceLock::new();
    ORG.get_or_init(|| {
        let emu = Emulator::start();
        let seeded = emu.boto(&format!(
            r#"
org = client('organizations')
org.create_organization(FeatureSet='ALL')
root = org.list_roots()['Roots'][0]['Id']
ids = {{}}
for name in ['prod', 'dev', 'audit', 'gone']:
    ids[name] = org.create_account(Email=name + '@example.com', AccountName=name)['CreateAccountStatus']['AccountId']
ou = org.create_organizational_unit(ParentId=root, Name='production')['OrganizationalUnit']['Id']
org.move_account(AccountId=ids['prod'], SourceParentId=root, DestinationParentId=ou)
org.close_account(AccountId=ids['gone'])

def session(account):
    c = client('sts').assume_role(RoleArn=f'arn:aws:iam::{{account}}:role/{ROLE}', RoleSessionName='seed')['Credentials']
    return lambda name: boto3.client(name, endpoint_url='{url}', region_name='us-east-1',
        aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'],
        aws_session_token=c['SessionToken'], config=Config(s3={{'addressing_style': 'path'}}))

prod = session(ids['prod'])
prod('s3').create_bucket(Bucket='prod-ledger-' + ids['prod'])
prod('iam').create_user(UserName='deploy')
prod('iam').put_user_policy(UserName='deploy', PolicyName='deploy', PolicyDocument=json.dumps(
    {{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'}}]}}))
prod('iam').update_account_password_policy(MinimumPasswordLength=14)
dev = session(ids['dev'])
dev('iam').create_user(UserName='deploy')
ids['ou'] = ou
print(json.dumps(ids))
"#,
            url = emu.url
        ));
        let ids: Value = serde_json::from_str(seeded.trim()).unwrap();
        let id = |k: &str| ids[k].as_str().unwrap().to_string();
        Org {
            prod: id("prod"),
            dev: id("dev"),
            audit: id("audit"),
            gone: id("gone"),
            prod_ou: id("ou"),
            emu,
        }
    })
}

/// A proxy in front of the organisation that answers `audit`'s AssumeRole as STS
/// answers a role whose trust policy does not name the caller (recorded from AWS).
fn denying_proxy(org: &Org) -> Proxy {
    let role = format!("arn:aws:iam::{}:role/{ROLE}", org.audit);
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>User: arn:aws:iam::{MANAGEMENT}:user/auditor is not authorized to perform: sts:AssumeRole on resource: {role}</Message>\n  </Error>\n  <RequestId>6b1c4f3e-2d7a-4e1b-9c58-0f3a7d2e91b4</RequestId>\n</ErrorResponse>\n"
    );
    Proxy::start(
        &org.emu.url,
        json!([{"action": "AssumeRole", "form": {"RoleArn": role}, "status": 403, "body": body}]),
    )
}

/// `scan` of the accounts through `url` with `extra` flags, IAM and S3 rules only.
fn scan_accounts(url: &str, format: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--service", "iam", "--service", "s3", "--role-name", ROLE];
    args.extend_from_slice(extra);
    run(scan(url, format, &args))
}

/// The (account, rule, resource) → status of every finding.
fn verdicts(report: &Value) -> BTreeSet<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("account_id"), s("rule_id"), s("resource_id"), s("status"))
        })
        .collect()
}

fn status(report: &Value, account: &str, rule: &str, resource: &str) -> Option<String> {
    verdicts(report)
        .into_iter()
        .find(|(a, r, id, _)| a == account && r == rule && id == resource)
        .map(|(_, _, _, s)| s)
}

fn account<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == id)
        .unwrap_or_else(|| panic!("no account {id} in {}", report["accounts"]))
}

#[test]
fn accounts_are_scanned_apart_and_a_denied_role_costs_only_its_own_account() {
    let org = org();
    let proxy = denying_proxy(org);
    let list = format!("{},{},{}", org.prod, org.dev, org.audit);
    let out = scan_accounts(&proxy.url, "json", &["--accounts", &list]);
    let report = json_report(&out);
    let err = stderr(&out);
    // Nothing failing is at or above `--fail-on none`, but an account went unread.
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(report["schema_version"], "1.6");

    let ids: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    let mut expected = vec![org.prod.as_str(), org.dev.as_str(), org.audit.as_str()];
    expected.sort();
    assert_eq!(ids, expected, "every account named, in id order");

    let denied = account(&report, &org.audit);
    let reason = denied["error"]
        .as_str()
        .expect("the denied account's reason");
    assert!(
        reason.contains(&format!("arn:aws:iam::{}:role/{ROLE}", org.audit))
            && reason.contains("AccessDenied")
            && reason.contains("is not authorized to perform: sts:AssumeRole"),
        "{reason}"
    );
    assert_eq!(denied["summary"]["findings"], 0);
    assert!(
        err.contains(&format!("account {} was not scanned", org.audit)),
        "{err}"
    );

    // Each account sees only its own resources, and the same user name in two accounts
    // is two resources with their own verdicts.
    let bucket = format!("prod-ledger-{}", org.prod);
    assert!(verdicts(&report)
        .iter()
        .filter(|(_, _, id, _)| *id == bucket)
        .all(|(a, _, _, _)| *a == org.prod));
    assert_eq!(
        status(&report, &org.prod, "s3-bucket-versioning-enabled", &bucket).as_deref(),
        Some("FAIL")
    );
    assert_eq!(
        status(&report, &org.prod, "iam-user-no-direct-policies", "deploy").as_deref(),
        Some("FAIL")
    );
    assert_eq!(
        status(&report, &org.dev, "iam-user-no-direct-policies", "deploy").as_deref(),
        Some("PASS")
    );
    let policy = |a: &str| {
        verdicts(&report)
            .into_iter()
            .find(|(acc, r, _, _)| acc == a && r == "iam-password-policy-min-length")
            .map(|(_, _, _, s)| s)
    };
    assert_eq!(policy(&org.prod).as_deref(), Some("PASS"));
    assert_eq!(policy(&org.dev).as_deref(), Some("FAIL"));
    assert!(verdicts(&report).iter().all(|(a, ..)| !a.is_empty()));
    assert_eq!(
        account(&report, &org.prod)["role_arn"],
        format!("arn:aws:iam::{}:role/{ROLE}", org.prod)
    );
    let per_account: u64 = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["summary"]["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(per_account, report["summary"]["findings"].as_u64().unwrap());
}

#[test]
fn the_organisation_leaves_out_suspended_and_excluded_accounts_and_scans_its_own_as_itself() {
    let org = org();
    let out = scan_accounts(
        &org.emu.url,
        "json",
        &["--organization", "--exclude-account", &org.audit],
    );
    let report = json_report(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut ids: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![MANAGEMENT, org.prod.as_str(), org.dev.as_str()];
    expected.sort();
    assert_eq!(ids, expected, "{} is suspended", org.gone);
    assert_eq!(account(&report, &org.prod)["name"], "prod");
    let own = account(&report, MANAGEMENT);
    assert!(own.get("role_arn").is_none(), "{own}");
    assert!(own["error"].is_null(), "{own}");

    // Under the OU: only prod.
    let out = scan_accounts(
        &org.emu.url,
        "json",
        &["--organization", "--ou", &org.prod_ou],
    );
    let report = json_report(&out);
    let ids: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [org.prod.as_str()], "{}", stderr(&out));
}

#[test]
fn every_format_shows_the_accounts_and_the_one_not_scanned() {
    let org = org();
    let proxy = denying_proxy(org);
    let dir = temp_dir("accounts-formats");
    let json_file = dir.join("org.json");
    let list = format!("{},{},{}", org.prod, org.dev, org.audit);
    let out = scan_accounts(
        &proxy.url,
        "json",
        &["--accounts", &list, "--output", json_file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let render = |format: &str| {
        let file = dir.join(format!("org.{format}"));
        let out = run(compliance(&[
            "report",
            json_file.to_str().unwrap(),
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ]));
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        file
    };

    // CSV: each row's account is the finding's own.
    let csv = std::fs::read_to_string(render("csv")).unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (account_col, resource_col) = (col("account_id"), col("resource_id"));
    let bucket = format!("prod-ledger-{}", org.prod);
    let mut accounts = BTreeSet::new();
    for row in rows.records() {
        let row = row.unwrap();
        accounts.insert(row[account_col].to_string());
        if row[resource_col] == bucket {
            assert_eq!(row[account_col], org.prod);
        }
    }
    assert_eq!(
        accounts,
        BTreeSet::from([org.prod.clone(), org.dev.clone()])
    );

    // JUnit: a suite per account, the denied one an error.
    let junit = check_report("junit", &render("junit"));
    let mut suites: Vec<String> = junit["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    suites.sort();
    let mut expected: Vec<String> = [&org.prod, &org.dev, &org.audit]
        .iter()
        .map(|a| format!("account {a}"))
        .collect();
    expected.sort();
    assert_eq!(suites, expected);
    assert!(junit["cases"].as_array().unwrap().iter().any(|c| {
        c["outcome"] == "error" && c["name"] == format!("scan of account {}", org.audit)
    }));

    // SARIF: each result names its account; the denied account is a notification.
    let sarif_file = render("sarif");
    let checked = check_report("sarif", &sarif_file);
    assert!(checked["notifications"].as_u64().unwrap() >= 1);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_file).unwrap()).unwrap();
    let sarif_run = &sarif["runs"][0];
    assert!(sarif_run["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["properties"]["accountId"] == org.prod.as_str()
            || r["properties"]["accountId"] == org.dev.as_str()));
    let notes = sarif_run["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains(&format!("account {} was not scanned", org.audit)),
        "{notes}"
    );
    assert_eq!(sarif_run["invocations"][0]["executionSuccessful"], false);

    // HTML: a score and a section per account; the denied one says why.
    let html = check_report("html", &render("html"));
    let ids = &html["ids"];
    let prod_score = ids[format!("account-{}-score", org.prod)].as_str().unwrap();
    assert!(prod_score.ends_with('%'), "{prod_score}");
    assert!(ids[format!("account-{}", org.dev)].is_string());
    let why = ids[format!("account-{}-error", org.audit)]
        .as_str()
        .unwrap();
    assert!(why.contains("AccessDenied"), "{why}");
    assert_eq!(html["external"], json!([]));

    // The table: a line per account.
    let table = std::fs::read_to_string(render("table")).unwrap();
    assert!(
        table.contains("Accounts: 2 scanned, 1 NOT SCANNED"),
        "{table}"
    );
    assert!(
        table.contains(&format!("{}  NOT SCANNED", org.audit)),
        "{table}"
    );

    // One account of the report, as its own scan would read.
    let out = run(compliance(&[
        "report",
        json_file.to_str().unwrap(),
        "--account",
        &org.dev,
        "--format",
        "json",
    ]));
    let dev = json_report(&out);
    assert_eq!(dev["scan"]["account_id"], org.dev.as_str());
    assert!(dev.get("accounts").is_none());
    assert!(dev["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("account_id").is_none() && f["resource_id"] != bucket.as_str()));
    assert_eq!(
        dev["summary"],
        account(&json_report_file(&json_file), &org.dev)["summary"]
    );
    let out = run(compliance(&[
        "report",
        json_file.to_str().unwrap(),
        "--account",
        "999999999999",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds no account 999999999999"),
        "{}",
        stderr(&out)
    );

    // remediate plans one account's fixes, the one its role names.
    let audit = dir.join("audit.jsonl");
    let remediate = |extra: &[&str]| {
        let mut args = vec![
            "remediate",
            "--endpoint-url",
            &org.emu.url,
            "--from",
            json_file.to_str().unwrap(),
            "--rule",
            "s3-bucket-versioning-enabled",
            "--audit-log",
            audit.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run(compliance(&args))
    };
    let role = format!("arn:aws:iam::{}:role/{ROLE}", org.prod);
    let out = remediate(&["--role-arn", &role]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = json_report(&out);
    let planned: Vec<(&str, &str)> = plan
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account_id"].as_str().unwrap(),
                a["resource_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(planned, [(org.prod.as_str(), bucket.as_str())]);
    let out = remediate(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("remediate one account at a time"),
        "{}",
        stderr(&out)
    );
}

fn json_report_file(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn an_organisation_replays_offline_from_one_inventory_per_account() {
    let org = org();
    let dir = temp_dir("accounts-inventory");
    let saved = dir.join("inventories");
    let list = format!("{},{}", org.prod, org.dev);
    let out = scan_accounts(
        &org.emu.url,
        "json",
        &[
            "--accounts",
            &list,
            "--save-inventory",
            saved.to_str().unwrap(),
        ],
    );
    let live = json_report(&out);
    let mut files: Vec<String> = std::fs::read_dir(&saved)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut expected = vec![format!("{}.json", org.prod), format!("{}.json", org.dev)];
    expected.sort();
    assert_eq!(files, expected);

    let out = run(compliance(&[
        "scan",
        "--inventory",
        saved.to_str().unwrap(),
        "--service",
        "iam",
        "--service",
        "s3",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    let replayed = json_report(&out);
    assert_eq!(replayed["scan"]["source"], "inventory");
    assert_eq!(verdicts(&replayed), verdicts(&live));
    assert_eq!(replayed["accounts"].as_array().unwrap().len(), 2);
}

#[test]
fn one_other_account_through_role_arn_is_that_accounts_own_report() {
    let org = org();
    let role = format!("arn:aws:iam::{}:role/{ROLE}", org.dev);
    let out = run(scan(
        &org.emu.url,
        "json",
        &["--service", "iam", "--role-arn", &role],
    ));
    let report = json_report(&out);
    assert_eq!(
        report["scan"]["account_id"],
        org.dev.as_str(),
        "{}",
        stderr(&out)
    );
    assert!(report.get("accounts").is_none());
    assert_eq!(
        status(&report, "", "iam-user-no-direct-policies", "deploy").as_deref(),
        Some("PASS")
    );
}

#[test]
fn bad_account_flags_are_one_sentence_and_exit_2() {
    let org = org();
    let dir = temp_dir("accounts-bad");
    let file = dir.join("inventory.json");
    write(&file, "keep me");
    let url = org.emu.url.as_str();
    let cases: [(&[&str], &str); 6] = [
        (&["--organization"], "--organization needs --role-name"),
        (
            &["--accounts", "12345", "--role-name", ROLE],
            "is not an AWS account id",
        ),
        (&["--accounts", &org.dev], "--role-name"),
        (
            &["--role-arn", "arn:aws:iam::123:user/x"],
            "is not an IAM role ARN",
        ),
        (
            &["--organization", "--role-name", "bad name"],
            "is not an IAM role name",
        ),
        (
            &[
                "--organization",
                "--role-name",
                ROLE,
                "--save-inventory",
                file.to_str().unwrap(),
            ],
            "saves one inventory per account in a directory",
        ),
    ];
    for (flags, expected) in cases {
        let out = run(scan(url, "json", flags));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(expected), "{flags:?}: {err}");
        assert!(out.stdout.is_empty(), "{flags:?}");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn the_member_role_is_deployed_once_trusting_the_security_account_and_its_scanner_alone() {
    let emu = Emulator::start();
    let deploy = |extra: &[&str]| {
        let mut args = vec![
            "deploy",
            "--member-role",
            "--trusted-account",
            "111122223333",
            "--endpoint-url",
            &emu.url,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run(compliance(&args))
    };
    let out = deploy(&["--trusted-external-id", "audit-7f3k"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = json_report(&out);
    assert_eq!(first["changed"], true);
    assert_eq!(
        first["role_arn"],
        format!("arn:aws:iam::{MANAGEMENT}:role/ComplianceScanRole")
    );
    let trust = emu.boto(
        "import json\nprint(json.dumps(client('iam').get_role(RoleName='ComplianceScanRole')['Role']['AssumeRolePolicyDocument']))",
    );
    let trust: Value = serde_json::from_str(trust.trim()).unwrap();
    let statement = &trust["Statement"][0];
    assert_eq!(
        statement["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(
        statement["Condition"]["ArnLike"]["aws:PrincipalArn"],
        "arn:aws:iam::111122223333:role/compliance-scanner-*"
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["sts:ExternalId"],
        "audit-7f3k"
    );

    // The same deploy again changes nothing; a new external id updates the role.
    let again = json_report(&deploy(&["--trusted-external-id", "audit-7f3k"]));
    assert_eq!(again["changed"], false);
    let changed = json_report(&deploy(&["--trusted-external-id", "audit-9q2m"]));
    assert_eq!(changed["changed"], true);

    // Its flags are checked before any call.
    let out = run(compliance(&[
        "deploy",
        "--member-role",
        "--endpoint-url",
        &emu.url,
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--trusted-account"),
        "{}",
        stderr(&out)
    );
}
