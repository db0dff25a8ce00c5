//! `scan --template`: CloudFormation templates (YAML and JSON), a CDK cloud assembly
//! synthesised by the real CDK (tests/fixtures/templates/cdk.out, from cdk-app.js), and
//! the product's own stack, judged by the same rules as live resources. No AWS call.

mod common;

use std::path::{Path, PathBuf};

use common::{check_report, compliance, finding, json_report, run, stderr, temp_dir, write};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/templates").join(name)
}

/// `scan --template PATH --format FORMAT --fail-on none` with `extra` flags.
fn scan(path: &Path, format: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "scan",
        "--template",
        path.to_str().unwrap(),
        "--format",
        format,
        "--fail-on",
        "none",
    ];
    args.extend_from_slice(extra);
    run(compliance(&args))
}

fn status<'r>(report: &'r Value, rule: &str, resource: &str) -> &'r str {
    finding(report, rule, resource)["status"].as_str().unwrap()
}

/// The 1-based line of the first line of `file` containing `text` after `after`.
fn line_of(file: &Path, after: &str, text: &str) -> u64 {
    let content = std::fs::read_to_string(file).unwrap();
    let start = content.find(after).unwrap();
    let at = start + content[start..].find(text).unwrap();
    content[..at].matches('\n').count() as u64 + 1
}

#[test]
fn a_template_is_judged_as_it_would_deploy() {
    let out = scan(&fixture("app.yaml"), "json", &[]);
    // The unresolvable AdminCidr leaves errors: exit 3, as for a live scan.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(report["scan"]["source"], "template");
    // Defaults: a bucket the template leaves alone gets SSE-S3 and blocks public access.
    assert_eq!(
        status(&report, "s3-bucket-default-encryption-enabled", "Logs"),
        "PASS"
    );
    assert_eq!(
        status(&report, "s3-bucket-public-access-block", "Logs"),
        "PASS"
    );
    assert_eq!(status(&report, "s3-bucket-acls-disabled", "Logs"), "PASS");
    // Conditions: dev suspends versioning.
    assert_eq!(
        status(&report, "s3-bucket-versioning-enabled", "Logs"),
        "FAIL"
    );
    // Attachments: the Data bucket's policy denies plain HTTP, the Web bucket's is public.
    assert_eq!(
        status(&report, "s3-bucket-ssl-requests-only", "Data"),
        "PASS"
    );
    assert_eq!(status(&report, "s3-bucket-no-public-read", "Web"), "FAIL");
    assert_eq!(
        status(&report, "s3-bucket-access-logging-enabled", "Data"),
        "PASS"
    );
    // A standalone ingress rule with a port range that holds 22.
    assert_eq!(
        status(&report, "ec2-security-group-no-public-ssh", "WebGroup"),
        "FAIL"
    );
    assert_eq!(
        status(&report, "lambda-function-not-public", "Handler"),
        "FAIL"
    );
    // Fn::FindInMap with the Env parameter: 30 days in dev.
    assert_eq!(
        status(&report, "logs-log-group-retention", "AppLogs"),
        "FAIL"
    );
    // What the template cannot tell is never a PASS.
    let admin = finding(&report, "ec2-security-group-no-public-ssh", "AdminGroup");
    assert_eq!(admin["status"], "ERROR");
    assert!(admin["message"]
        .as_str()
        .unwrap()
        .contains("parameter AdminCidr has no value"));
    // The conditional queue does not exist in dev.
    assert!(!report["findings"].to_string().contains("ProdQueue"));
    // Located: the file, the property's line, the type.
    let versioning = finding(&report, "s3-bucket-versioning-enabled", "Logs");
    assert_eq!(versioning["location"]["template_type"], "AWS::S3::Bucket");
    assert_eq!(
        versioning["location"]["line"],
        line_of(&fixture("app.yaml"), "  Logs:", "VersioningConfiguration")
    );
}

#[test]
fn parameters_change_the_verdicts() {
    let params = temp_dir("params").join("prod.json");
    write(
        &params,
        r#"[{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "AdminCidr", "ParameterValue": "10.0.0.0/8"}]"#,
    );
    let out = scan(
        &fixture("app.yaml"),
        "json",
        &["--parameters-file", params.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(
        status(&report, "s3-bucket-versioning-enabled", "Logs"),
        "PASS"
    );
    assert_eq!(
        status(&report, "logs-log-group-retention", "AppLogs"),
        "PASS"
    );
    assert_eq!(
        status(&report, "ec2-security-group-no-public-ssh", "AdminGroup"),
        "PASS"
    );
    assert_eq!(status(&report, "sqs-queue-encrypted", "ProdQueue"), "PASS");
    // --parameter wins over the file.
    let out = scan(
        &fixture("app.yaml"),
        "json",
        &[
            "--parameters-file",
            params.to_str().unwrap(),
            "--parameter",
            "AdminCidr=0.0.0.0/0",
        ],
    );
    let report = json_report(&out);
    assert_eq!(
        status(&report, "ec2-security-group-no-public-ssh", "AdminGroup"),
        "FAIL"
    );
}

#[test]
fn json_and_yaml_give_the_same_findings() {
    let verdicts = |name: &str| -> Vec<(String, String, String)> {
        let report = json_report(&scan(
            &fixture(name),
            "json",
            &["--parameter", "AdminCidr=10.0.0.0/8"],
        ));
        let mut out: Vec<_> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["resource_id"].as_str().unwrap().to_string(),
                    f["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let yaml = verdicts("app.yaml");
    assert!(yaml.len() > 40, "{yaml:?}");
    assert_eq!(yaml, verdicts("app.json"));
}

#[test]
fn metadata_suppressions_accept_a_failure_with_its_reason() {
    let out = scan(
        &fixture("app.yaml"),
        "json",
        &["--parameter", "AdminCidr=10.0.0.0/8"],
    );
    let report = json_report(&out);
    let accepted = finding(&report, "s3-bucket-access-logging-enabled", "Logs");
    assert_eq!(accepted["status"], "FAIL");
    assert_eq!(
        accepted["suppressed"]["reason"],
        "the bucket that receives access logs cannot log to itself"
    );
    let entry = accepted["suppressed"]["entry"].as_str().unwrap();
    assert!(
        entry.ends_with(&format!(
            "app.yaml:{}",
            line_of(&fixture("app.yaml"), "  Logs:", "- rule:")
        )),
        "{entry}"
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    // Out of the exit code: the only critical failures left are the Web bucket's and
    // the function's, so --fail-on critical still fails, but not on the accepted one.
    let dir = temp_dir("suppress");
    let only = dir.join("only.yaml");
    write(
        &only,
        "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Metadata:\n      compliance:\n        suppress:\n          - {rule: s3-bucket-access-logging-enabled, reason: it is the log bucket}\n",
    );
    let out = run(compliance(&[
        "scan",
        "--template",
        only.to_str().unwrap(),
        "--rule",
        "s3-bucket-access-logging-enabled",
        "--fail-on",
        "low",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let without = only.with_file_name("plain.yaml");
    write(&without, "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n");
    let out = run(compliance(&[
        "scan",
        "--template",
        without.to_str().unwrap(),
        "--rule",
        "s3-bucket-access-logging-enabled",
        "--fail-on",
        "low",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn sarif_points_at_the_template_line() {
    let dir = temp_dir("sarif");
    let file = dir.join("app.sarif");
    let out = scan(
        &fixture("app.yaml"),
        "sarif",
        &[
            "--parameter",
            "AdminCidr=10.0.0.0/8",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    check_report("sarif", &file);
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let versioning = results
        .iter()
        .find(|r| {
            r["ruleId"] == "s3-bucket-versioning-enabled"
                && r["locations"][0]["logicalLocations"][0]["name"] == "Logs"
        })
        .unwrap();
    let physical = &versioning["locations"][0]["physicalLocation"];
    assert!(physical["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("tests/fixtures/templates/app.yaml"));
    assert_eq!(
        physical["region"]["startLine"],
        line_of(&fixture("app.yaml"), "  Logs:", "VersioningConfiguration")
    );
    let accepted = results
        .iter()
        .find(|r| r["ruleId"] == "s3-bucket-access-logging-enabled" && r["suppressions"].is_array())
        .unwrap();
    assert_eq!(accepted["suppressions"][0]["status"], "accepted");
}

#[test]
fn csv_junit_and_table_name_the_file_and_line() {
    let line = line_of(&fixture("app.yaml"), "  Logs:", "VersioningConfiguration");
    let place = format!("app.yaml:{line}");
    for format in ["csv", "junit", "table"] {
        let out = scan(
            &fixture("app.yaml"),
            format,
            &["--parameter", "AdminCidr=10.0.0.0/8"],
        );
        let text = common::stdout(&out);
        let row = text
            .lines()
            .find(|l| l.contains(&place))
            .unwrap_or_else(|| panic!("{format} names no {place}:\n{text}"));
        assert!(
            row.contains("Logs") || format == "junit" && text.contains("Logs"),
            "{row}"
        );
    }
}

#[test]
fn a_cdk_assembly_is_every_stack_and_nested_stack_with_construct_paths() {
    let out = scan(&fixture("cdk.out"), "json", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("read 3 template(s)"),
        "{}",
        stderr(&out)
    );
    let report = json_report(&out);
    let website = finding(&report, "s3-bucket-no-public-read", "Website32962D0B");
    assert_eq!(website["status"], "FAIL");
    assert_eq!(
        website["location"]["cdk_path"],
        "StorageStack/Website/Resource"
    );
    // The stack's environment names its region.
    assert_eq!(website["region"], "eu-west-1");
    assert_eq!(
        status(&report, "s3-bucket-ssl-requests-only", "Data666C94C7"),
        "PASS"
    );
    assert_eq!(
        status(&report, "s3-bucket-kms-cmk-encryption", "Data666C94C7"),
        "PASS"
    );
    assert_eq!(
        status(&report, "kms-key-rotation-enabled", "DataKey17AFBB84"),
        "PASS"
    );
    // addIngressRule(tcpRange(20, 25)) opens SSH to the internet.
    assert_eq!(
        status(
            &report,
            "ec2-security-group-no-public-ssh",
            "Bastion2B4CEC30"
        ),
        "FAIL"
    );
    // The function lives in a nested stack's template.
    let handler = finding(&report, "lambda-function-tracing-active", "Handler886CB40B");
    assert_eq!(handler["status"], "PASS");
    assert!(handler["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with(".nested.template.json"));
}

#[test]
fn the_stack_passes_its_own_rules() {
    for mode in ["endpoints", "nat"] {
        let out = run(compliance(&[
            "scan",
            "--template",
            common::repo().join("infra/template.yaml").to_str().unwrap(),
            "--parameter",
            "EnvironmentSuffix=ci",
            "--parameter",
            "LambdaCodeKey=scanner.zip",
            "--parameter",
            "FlowLogDate=2026-12-01",
            "--parameter",
            &format!("NetworkMode={mode}"),
            "--parameter",
            "AlertEmail=security@example.com",
            "--fail-on",
            "low",
            "--format",
            "json",
        ]));
        assert_eq!(out.status.code(), Some(0), "{mode}: {}", stderr(&out));
        let report = json_report(&out);
        let judged = report["findings"].as_array().unwrap();
        assert!(judged.iter().any(|f| f["resource_id"] == "ScannerFunction"));
        // Every suppression carries a reason a reviewer reads.
        for f in judged.iter().filter(|f| f["suppressed"].is_object()) {
            assert!(
                f["suppressed"]["reason"].as_str().unwrap().len() > 40,
                "{f}"
            );
        }
    }
}

#[test]
fn bad_templates_are_one_sentence_and_exit_2() {
    let dir = temp_dir("bad-templates");
    let cases: &[(&str, &str, &str)] = &[
        ("syntax.yaml", "Resources:\n  B:\n    Type: [AWS::S3::Bucket\n", "not valid YAML"),
        ("syntax.json", "{\"Resources\": {\"B\": }}", "line 1 column 21: not valid JSON"),
        ("plain.yaml", "name: not a template\n", "is not a CloudFormation template"),
        (
            "intrinsic.yaml",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {\"Fn::Frobnicate\": x}\n",
            "line 5: unknown intrinsic function Fn::Frobnicate",
        ),
        (
            "tag.yaml",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Reff x\n",
            "unknown tag !Reff",
        ),
        (
            "dangling.yaml",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Nowhere\n",
            "refers to Nowhere, which is neither a parameter nor a resource",
        ),
        (
            "reasonless.yaml",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n      compliance:\n        suppress:\n          - rule: s3-bucket-versioning-enabled\n",
            "gives no reason",
        ),
        (
            "unknown-rule.yaml",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n      compliance:\n        suppress:\n          - {rule: s3-no-such-rule, reason: because}\n",
            "names the rule s3-no-such-rule, which does not exist",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.join(name);
        write(&path, text);
        let out = scan(&path, "json", &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(err.contains(name), "{name} is not named: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}");
    }
    // A CDK assembly without its manifest.
    let assembly = dir.join("cdk.out");
    write(&assembly.join("cdk.out"), "{\"version\": \"55.0.0\"}");
    let out = scan(&assembly, "json", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("CDK cloud assembly without a manifest.json"),
        "{}",
        stderr(&out)
    );
    // A missing path and a bad parameter flag.
    let out = scan(&dir.join("missing.yaml"), "json", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no such file or directory"),
        "{}",
        stderr(&out)
    );
    let out = scan(&fixture("app.yaml"), "json", &["--parameter", "novalue"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn other_transforms_are_warned_about_and_the_rest_is_judged() {
    let dir = temp_dir("transform");
    let path = dir.join("macro.yaml");
    write(
        &path,
        "Transform: [MyCompanyMacro]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Enabled}\n  Made:\n    Type: Custom::Thing\n    Properties:\n      Source: !Ref MacroAdded\n",
    );
    let out = scan(&path, "json", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the transform MyCompanyMacro is not run"),
        "{}",
        stderr(&out)
    );
    let report = json_report(&out);
    assert_eq!(status(&report, "s3-bucket-versioning-enabled", "B"), "PASS");
}

#[test]
fn sam_resources_are_judged_as_what_sam_makes_of_them() {
    let out = scan(&fixture("sam.yaml"), "json", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    // Globals: tracing Active unless the function says otherwise.
    assert_eq!(
        status(&report, "lambda-function-tracing-active", "Api"),
        "PASS"
    );
    assert_eq!(
        status(&report, "lambda-function-tracing-active", "Webhook"),
        "FAIL"
    );
    // An API event's permission names its source; an unauthenticated URL is public.
    assert_eq!(status(&report, "lambda-function-not-public", "Api"), "PASS");
    assert_eq!(
        status(&report, "lambda-function-not-public", "Webhook"),
        "FAIL"
    );
    assert_eq!(
        status(&report, "lambda-function-url-iam-auth", "Webhook"),
        "FAIL"
    );
    // A SimpleTable without throughput is on demand; SAM cannot turn PITR on.
    assert_eq!(
        status(&report, "dynamodb-table-capacity-scales", "Orders"),
        "PASS"
    );
    assert_eq!(
        status(&report, "dynamodb-table-pitr-enabled", "Orders"),
        "FAIL"
    );
    let tags = &finding(&report, "lambda-function-mandatory-tags", "Api")["message"];
    assert!(!tags.as_str().unwrap().contains("Owner"), "{tags}");
}

#[test]
fn template_only_rules_judge_what_only_a_template_says() {
    let dir = temp_dir("template-only");
    let path = dir.join("stack.yaml");
    write(
        &path,
        r#"Parameters:
  EnvironmentSuffix: {Type: String, Default: pr-42}
Resources:
  Kept:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub "reports-${EnvironmentSuffix}"
  Fixed:
    Type: AWS::SQS::Queue
    UpdateReplacePolicy: Retain
    Properties:
      QueueName: jobs
  Worker:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Join ["-", [worker, !Ref EnvironmentSuffix]]
      AssumeRolePolicyDocument: {Statement: []}
  WorkerPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: worker-s3
      Roles: [!Ref Worker]
      PolicyDocument: {Statement: []}
  Database:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, DBInstanceClass: db.t4g.micro}
"#,
    );
    let out = scan(&path, "json", &["--service", "cloudformation"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(
        status(&report, "cloudformation-resource-deletable", "Kept"),
        "FAIL"
    );
    assert_eq!(
        status(&report, "cloudformation-resource-deletable", "Fixed"),
        "FAIL"
    );
    // A DB instance's default is Snapshot: removed, with a snapshot kept.
    assert_eq!(
        status(&report, "cloudformation-resource-deletable", "Database"),
        "PASS"
    );
    let role = finding(
        &report,
        "cloudformation-iam-role-managed-policies-only",
        "Worker",
    );
    assert_eq!(role["status"], "FAIL");
    assert!(
        role["message"].as_str().unwrap().contains("worker-s3"),
        "{role}"
    );
    assert_eq!(
        status(&report, "cloudformation-resource-name-has-suffix", "Kept"),
        "PASS"
    );
    assert_eq!(
        status(&report, "cloudformation-resource-name-has-suffix", "Worker"),
        "PASS"
    );
    assert_eq!(
        status(&report, "cloudformation-resource-name-has-suffix", "Fixed"),
        "FAIL"
    );
    assert_eq!(
        status(
            &report,
            "cloudformation-resource-name-has-suffix",
            "Database"
        ),
        "NOT_APPLICABLE"
    );
}

/// Valid-looking templates of the corpus that CloudFormation itself refuses: cfn-lint
/// keeps them to test one rule each, and the scan says what is wrong with them (exit 2).
const REFUSED: &[(&str, &str)] = &[
    // `Parameter:` (sic) declares nothing, so NodeEnv is not a parameter.
    ("good/custom/is-defined.yaml", "Ref refers to NodeEnv"),
    (
        "good/functions/sub_needed.yaml",
        "Fn::GetAtt refers to GreetingLambda",
    ),
];

#[test]
fn templates_nobody_here_wrote_are_scanned_without_a_crash() {
    // cfn-lint's own good and bad templates (scripts/setup.sh fetches them).
    let corpus = common::repo().join(".venv/share/template-corpus");
    let mut files = Vec::new();
    let mut dirs = vec![corpus.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the corpus is fetched by scripts/setup.sh") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e != "installed") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        files.len() >= 150,
        "{} templates in the corpus",
        files.len()
    );
    // Two at a time: the machine's cores.
    let (first, second) = files.split_at(files.len() / 2);
    let wrong: Vec<String> = std::thread::scope(|s| {
        let halves = [first, second].map(|half| s.spawn(|| judged_wrongly(&corpus, half)));
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The corpus files of `files` whose scan went wrong, one line each.
fn judged_wrongly(corpus: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut wrong = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(corpus)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let out = run(compliance(&[
            "scan",
            "--template",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "none",
        ]));
        let err = stderr(&out);
        let code = out.status.code();
        let refused = REFUSED.iter().find(|(file, _)| *file == name);
        let fine = match (code, refused) {
            // A crash or a signal is never right.
            (None | Some(101), _) => false,
            _ if err.contains("panicked") => false,
            (Some(2), Some((_, why))) => err.contains(why) && err.trim().lines().count() == 1,
            (Some(_), Some(_)) => false,
            // A bad template may be refused, with one sentence naming it.
            (Some(2), None) if name.starts_with("bad/") => {
                err.trim().lines().count() == 1 && err.contains(&*path.to_string_lossy())
            }
            (Some(0 | 1 | 3), None) => serde_json::from_slice::<Value>(&out.stdout).is_ok(),
            _ => false,
        };
        if !fine {
            wrong.push(format!("{name}: exit {code:?}: {}", err.trim()));
        }
    }
    wrong
}
