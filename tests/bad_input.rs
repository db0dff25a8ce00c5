//! Bad input gets one clear sentence on stderr, exit code 2, nothing on stdout and no
//! file written.

mod common;

use std::process::Output;

use common::*;

fn assert_refused(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(stdout(out), "", "nothing on stdout");
    assert!(
        err.contains(needle),
        "stderr should mention {needle:?}: {err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

fn rules_dir(name: &str, file: &str, text: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    write(&dir.join(file), text);
    dir
}

const GOOD_RULE: &str = r#"id: s3-bucket-custom-check
title: Custom
description: A custom rule.
resource: aws.s3.bucket
severity: low
remediation: {text: fix it, url: "https://docs.aws.amazon.com/"}
condition: {attribute: versioning.status, eq: Enabled}
tests:
  - {name: ok, resource: {versioning: {status: Enabled}}, expect: PASS}
  - {name: ko, resource: {versioning: {status: Suspended}}, expect: FAIL}
"#;

#[test]
fn a_rule_file_that_does_not_parse_is_refused_with_its_position() {
    let dir = rules_dir(
        "yaml",
        "s3-bucket-custom-check.yaml",
        "id: s3-bucket-custom-check\ntitle: [unclosed\n",
    );
    let out = run(compliance(&[
        "scan",
        "--list-rules",
        "--rules",
        dir.to_str().unwrap(),
    ]));
    assert_refused(&out, "s3-bucket-custom-check.yaml");
    assert!(stderr(&out).contains("line"), "{}", stderr(&out));
}

#[test]
fn an_unknown_operator_is_refused_with_its_position() {
    let text = GOOD_RULE.replace("eq: Enabled", "eqq: Enabled");
    let dir = rules_dir("operator", "s3-bucket-custom-check.yaml", &text);
    let out = run(compliance(&[
        "scan",
        "--list-rules",
        "--rules",
        dir.to_str().unwrap(),
    ]));
    assert_refused(&out, "unknown field `eqq`");
    assert!(stderr(&out).contains("line 7"), "{}", stderr(&out));
}

#[test]
fn an_unknown_attribute_is_refused() {
    let text = GOOD_RULE.replace("versioning.status", "versioning.state");
    let dir = rules_dir("attribute", "s3-bucket-custom-check.yaml", &text);
    let out = run(compliance(&[
        "scan",
        "--list-rules",
        "--rules",
        dir.to_str().unwrap(),
    ]));
    assert_refused(&out, "condition: unknown attribute `versioning.state`");
}

#[test]
fn an_unknown_resource_kind_is_refused() {
    let text = GOOD_RULE.replace("aws.s3.bucket", "aws.s3.bukket");
    let dir = rules_dir("kind", "s3-bucket-custom-check.yaml", &text);
    let out = run(compliance(&[
        "scan",
        "--list-rules",
        "--rules",
        dir.to_str().unwrap(),
    ]));
    assert_refused(&out, "unknown resource kind `aws.s3.bukket`");
}

#[test]
fn a_rule_whose_own_tests_fail_is_refused() {
    let text = format!("{GOOD_RULE}  - {{name: wrong, resource: {{versioning: {{status: Disabled}}}}, expect: PASS}}\n");
    let dir = rules_dir("tests", "s3-bucket-custom-check.yaml", &text);
    let out = run(compliance(&[
        "scan",
        "--list-rules",
        "--rules",
        dir.to_str().unwrap(),
    ]));
    assert_refused(&out, "test `wrong` expects PASS but the rule says FAIL");
    let one_sided = GOOD_RULE.replace("expect: PASS", "expect: FAIL");
    let dir = rules_dir("one-sided", "s3-bucket-custom-check.yaml", &one_sided);
    let out = run(compliance(&[
        "scan",
        "--list-rules",
        "--rules",
        dir.to_str().unwrap(),
    ]));
    assert_refused(&out, "at least one PASS and one FAIL");
}

#[test]
fn a_rule_directory_adds_and_overrides_rules() {
    let dir = rules_dir("custom", "s3-bucket-custom-check.yaml", GOOD_RULE);
    let override_text =
        std::fs::read_to_string(repo().join("rules/s3/s3-bucket-mandatory-tags.yaml"))
            .unwrap()
            .replace("severity: low", "severity: high");
    write(&dir.join("s3-bucket-mandatory-tags.yaml"), &override_text);
    let out = run(compliance(&[
        "scan",
        "--list-rules",
        "--format",
        "csv",
        "--rules",
        dir.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("s3-bucket-custom-check,low"), "{text}");
    assert!(
        text.contains("s3-bucket-mandatory-tags,high"),
        "the override wins: {text}"
    );
}

#[test]
fn an_unknown_rule_id_is_refused() {
    let out = run(compliance(&["scan", "--rule", "s3-bucket-nope"]));
    assert_refused(&out, "unknown rule id `s3-bucket-nope`");
    // A control character is shown escaped, never sent to the terminal raw.
    let out = run(compliance(&["scan", "--rule", "s3-\u{1b}[2Jx"]));
    assert_refused(&out, "unknown rule id `s3-\\u{1b}[2Jx`");
    assert!(!stderr(&out).contains('\u{1b}'));
}

#[test]
fn missing_credentials_are_refused_before_any_call() {
    let out = run(
        compliance(&["scan", "--endpoint-url", "http://127.0.0.1:9"])
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY"),
    );
    assert_refused(&out, "no AWS credentials");
}

#[test]
fn a_missing_profile_is_named_as_such() {
    let out = run(compliance(&["scan", "--profile", "nope-no-such-profile"]));
    assert_refused(
        &out,
        "the AWS profile `nope-no-such-profile` is not in the AWS config",
    );
    // A profile that is there is taken.
    let dir = temp_dir("profiles");
    write(&dir.join("config"), "[profile audit]\nregion = us-east-1\n");
    let out = run(compliance(&[
        "scan",
        "--profile",
        "audit",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ])
    .env("AWS_CONFIG_FILE", dir.join("config")));
    assert_refused(&out, "cannot reach");
}

#[test]
fn an_empty_or_malformed_endpoint_is_refused_in_one_sentence() {
    for url in ["", "localhost:5000", "http://"] {
        let out = run(compliance(&["scan", "--endpoint-url", url]));
        assert_refused(&out, "is not an endpoint URL");
    }
    let out = run(compliance(&["scan"]).env("AWS_ENDPOINT_URL", ""));
    assert_refused(&out, "AWS_ENDPOINT_URL `` is not an endpoint URL");
}

#[test]
fn credentials_in_an_endpoint_are_refused_and_never_echoed() {
    let out = run(compliance(&[
        "scan",
        "--endpoint-url",
        "http://admin:s3cr3t@127.0.0.1:9",
    ]));
    assert_refused(&out, "carries credentials");
    let err = stderr(&out);
    assert!(!err.contains("s3cr3t") && !err.contains("admin"), "{err}");
}

#[test]
fn a_malformed_region_is_named_not_blamed_on_the_credentials() {
    let out = run(
        compliance(&["scan", "--endpoint-url", "http://127.0.0.1:9"])
            .env("AWS_REGION", "us east 1"),
    );
    assert_refused(&out, "`us east 1` is not an AWS region name");
}

#[test]
fn an_unreachable_endpoint_is_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run(compliance(&[
        "scan",
        "--endpoint-url",
        &format!("http://127.0.0.1:{port}"),
    ]));
    assert_refused(&out, "cannot reach");
}

#[test]
fn an_unknown_region_is_refused() {
    let emu = Emulator::start();
    let out = run(compliance(&[
        "scan",
        "--endpoint-url",
        &emu.url,
        "--region",
        "mars-north-1",
    ]));
    assert_refused(&out, "unknown region `mars-north-1`");
}

#[test]
fn a_foreign_inventory_file_is_refused() {
    let dir = temp_dir("inventory");
    let file = dir.join("inventory.json");
    write(&file, r#"{"hello": "world"}"#);
    let out = run(compliance(&["scan", "--inventory", file.to_str().unwrap()]));
    assert_refused(&out, "is not an inventory saved by `scan --save-inventory`");
    let missing = run(compliance(&[
        "scan",
        "--inventory",
        dir.join("nope.json").to_str().unwrap(),
    ]));
    assert_refused(&missing, "cannot read inventory");
}

#[test]
fn an_output_file_in_a_missing_directory_is_refused_before_scanning() {
    let dir = temp_dir("outdir");
    let target = dir.join("missing/report.csv");
    let out = run(compliance(&[
        "scan",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--output",
        target.to_str().unwrap(),
    ]));
    assert_refused(&out, "does not exist");
    assert!(!target.exists());
}

#[test]
fn bad_flags_are_usage_errors() {
    let out = run(compliance(&["scan", "--concurrency", "0"]));
    assert_refused(&out, "--concurrency");
    let out = run(compliance(&["scan", "--fail-on", "severe"]));
    assert_refused(&out, "unknown severity `severe`");
    let out = run(compliance(&["scan", "--no-such-flag"]));
    assert_refused(
        &out,
        "unexpected argument '--no-such-flag' found (see `compliance scan --help`)",
    );
    let help = run(compliance(&["scan", "--help"]));
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("--accept-errors"));
}

/// `scan --list-rules --rules DIR`: loads the rules and nothing else.
fn list_rules_in(dir: &std::path::Path) -> Output {
    run(compliance(&[
        "scan",
        "--list-rules",
        "--rules",
        dir.to_str().unwrap(),
    ]))
}

#[test]
fn rule_files_that_are_not_regular_files_are_refused_without_reading_them() {
    use std::os::unix::fs::symlink;
    // A FIFO would block the read forever; /dev/zero would never end.
    let fifo = temp_dir("rules-fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(fifo.join("s3-bucket-custom-check.yaml"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_refused(&list_rules_in(&fifo), "is not a regular file");
    let zero = temp_dir("rules-zero");
    symlink("/dev/zero", zero.join("s3-bucket-custom-check.yaml")).unwrap();
    assert_refused(&list_rules_in(&zero), "is not a regular file");
    let huge = rules_dir(
        "rules-huge",
        "s3-bucket-custom-check.yaml",
        &" ".repeat(2 << 20),
    );
    assert_refused(&list_rules_in(&huge), "at most 1048576");
}

#[test]
fn a_symbolic_link_loop_in_a_rules_directory_is_named() {
    let dir = rules_dir("rules-loop", "s3/s3-bucket-custom-check.yaml", GOOD_RULE);
    std::os::unix::fs::symlink(&dir, dir.join("s3/back")).unwrap();
    let out = list_rules_in(&dir);
    assert_refused(&out, "symbolic link loop");
}

#[test]
fn a_byte_order_mark_does_not_hide_a_rule() {
    let dir = rules_dir(
        "rules-bom",
        "s3-bucket-custom-check.yaml",
        &format!("\u{feff}{GOOD_RULE}"),
    );
    let out = list_rules_in(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("s3-bucket-custom-check"));
}

#[test]
fn an_invalid_pattern_is_one_sentence_naming_it() {
    let text = GOOD_RULE.replace("eq: Enabled", "matches: \"(Enabled\"");
    let dir = rules_dir("rules-regex", "s3-bucket-custom-check.yaml", &text);
    assert_refused(
        &list_rules_in(&dir),
        "invalid regular expression `(Enabled`: unclosed group",
    );
}
