//! `compliance scan` against the local AWS endpoint seeded with the demo account:
//! verdicts, formats, replay, exit codes, and the calls a narrowed scan makes.

mod common;

use common::*;
use serde_json::json;

#[test]
fn every_seeded_resource_gets_the_verdict_the_demo_expects() {
    let (emu, manifest) = shared_demo();
    let out = run(scan(&emu.url, "json", &[]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);
    let expected = manifest["expect"].as_array().unwrap();
    assert!(
        expected.len() > 60,
        "the demo names verdicts across services"
    );
    let mut wrong = Vec::new();
    for e in expected {
        let (rule, id) = (
            e["rule_id"].as_str().unwrap(),
            e["resource_id"].as_str().unwrap(),
        );
        let got = status_of(&report, rule, id);
        if got != e["status"].as_str() {
            wrong.push(format!(
                "{rule} on {id}: expected {}, got {got:?}",
                e["status"]
            ));
        }
    }
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
    // Every service with rules is seeded: a verified pass and a verified failure each.
    let rules = run(compliance(&["scan", "--list-rules", "--format", "json"]));
    let services: std::collections::BTreeSet<String> = json_report(&rules)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["resource"]
                .as_str()
                .unwrap()
                .split('.')
                .nth(1)
                .unwrap()
                .to_string()
        })
        // The template-only rules have nothing live to seed (tests/template_scan.rs).
        .filter(|service| service != "cloudformation")
        .collect();
    assert!(services.len() >= 5, "{services:?}");
    // A service judged once per region (GuardDuty, Security Hub) has one verdict in
    // the one-region demo; its own tests (tests/logging.rs) hold both verdicts.
    let per_region_only = |service: &str| {
        json_report(&rules).as_array().unwrap().iter().all(|r| {
            let resource = r["resource"].as_str().unwrap();
            !resource.starts_with(&format!("aws.{service}."))
                || resource.ends_with(".region-settings")
        })
    };
    for service in services {
        let statuses: &[&str] = if per_region_only(&service) {
            &[]
        } else {
            &["PASS", "FAIL"]
        };
        assert!(
            expected.iter().any(|e| e["rule_id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{service}-"))),
            "the demo seeds nothing for {service}"
        );
        for status in statuses {
            assert!(
                expected.iter().any(|e| e["status"] == *status
                    && e["rule_id"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("{service}-"))),
                "the demo seeds no {status} for {service}"
            );
        }
    }
}

#[test]
fn json_report_follows_the_documented_schema() {
    let (emu, _) = shared_demo();
    let out = run(scan(&emu.url, "json", &[]));
    let r = json_report(&out);
    assert_eq!(r["schema_version"], "1.6");
    let scan = &r["scan"];
    assert_eq!(scan["tool"], "compliance");
    assert_eq!(scan["account_id"], "123456789012");
    assert_eq!(scan["regions"], json!(["us-east-1"]));
    assert_eq!(scan["source"], "live");
    let listed = json_report(&run(compliance(&[
        "scan",
        "--list-rules",
        "--format",
        "json",
    ])));
    assert_eq!(
        scan["rules_evaluated"].as_u64(),
        Some(listed.as_array().unwrap().len() as u64),
        "every built-in rule"
    );
    for stamp in ["started_at", "finished_at", "collected_at"] {
        let text = scan[stamp].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with('Z'),
            "{stamp}: {text}"
        );
    }
    assert_eq!(scan["id"].as_str().unwrap().len(), 36, "a UUID scan id");

    let findings = r["findings"].as_array().unwrap();
    let summary = &r["summary"];
    let count = |status: &str| findings.iter().filter(|f| f["status"] == status).count() as u64;
    for status in ["PASS", "FAIL", "ERROR", "NOT_APPLICABLE"] {
        assert_eq!(
            summary["by_status"][status].as_u64(),
            Some(count(status)),
            "{status}"
        );
    }
    let (pass, fail) = (count("PASS") as f64, count("FAIL") as f64);
    let score = summary["score"].as_f64().unwrap();
    assert!(
        (score - (pass * 100.0 / (pass + fail))).abs() < 0.06,
        "score {score}"
    );
    let failed_critical = findings
        .iter()
        .filter(|f| f["status"] == "FAIL" && f["severity"] == "critical")
        .count();
    assert_eq!(
        summary["failed_by_severity"]["critical"].as_u64(),
        Some(failed_critical as u64)
    );
    assert_eq!(summary["findings"].as_u64(), Some(findings.len() as u64));

    for f in findings {
        for key in [
            "rule_id",
            "title",
            "severity",
            "status",
            "resource_type",
            "resource_id",
            "region",
            "message",
            "timestamp",
        ] {
            assert!(f[key].is_string(), "finding lacks {key}: {f}");
        }
        assert!(
            f["remediation"]["text"].is_string()
                && f["remediation"]["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://")
        );
        assert!(f["frameworks"].is_object());
    }
    let pab = findings
        .iter()
        .find(|f| {
            f["rule_id"] == "s3-bucket-public-access-block"
                && f["resource_id"] == "compliance-demo-public"
        })
        .unwrap();
    assert_eq!(pab["frameworks"]["aws-fsbp"], json!(["S3.8"]));
    assert_eq!(pab["resource_arn"], "arn:aws:s3:::compliance-demo-public");
    // The rule's sentence, and the evaluator's explanation beside it.
    assert_eq!(
        pab["message"],
        "public access is not blocked by all four settings"
    );
    assert!(
        pab["evidence"]
            .as_str()
            .unwrap()
            .contains("block_public_acls is false"),
        "{}",
        pab["evidence"]
    );
    assert_eq!(r["errors"], json!([]));
}

#[test]
fn csv_holds_the_json_findings_and_a_saved_inventory_replays_them_exactly() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("replay");
    let saved = dir.join("inventory.json");
    let live = run(scan(
        &emu.url,
        "csv",
        &["--save-inventory", saved.to_str().unwrap()],
    ));
    assert_eq!(live.status.code(), Some(0), "{}", stderr(&live));
    let json_out = run(scan(&emu.url, "json", &[]));
    let report = json_report(&json_out);

    let mut reader = csv::Reader::from_reader(live.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "timestamp",
            "account_id",
            "region",
            "rule_id",
            "title",
            "severity",
            "status",
            "resource_type",
            "resource_id",
            "resource_arn",
            "message",
            "frameworks",
            "remediation",
            "remediation_url",
            "suppressed",
            "suppression_reason",
            "suppression_owner",
            "suppression_expires",
            "suppression_ticket",
            "baseline",
            "evidence",
            "location"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let key = |rule: &str, id: &str, status: &str, message: &str| {
        format!("{rule}|{id}|{status}|{message}")
    };
    let mut from_csv: Vec<String> = rows
        .iter()
        .map(|r| key(&r[3], &r[8], &r[6], &r[10]))
        .collect();
    let mut from_json: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            key(
                f["rule_id"].as_str().unwrap(),
                f["resource_id"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    from_csv.sort();
    from_json.sort();
    assert_eq!(from_csv, from_json);
    let framework_cell = rows
        .iter()
        .find(|r| &r[3] == "s3-bucket-public-access-block")
        .unwrap()[11]
        .to_string();
    assert_eq!(
        framework_cell,
        "aws-fsbp:S3.8;cis-aws-3.0:2.1.4;pci-dss-4.0:1.4.4"
    );

    // Offline: no endpoint (a call would have to reach AWS, which it cannot), same
    // findings byte for byte.
    let replay = run(compliance(&[
        "scan",
        "--inventory",
        saved.to_str().unwrap(),
        "--format",
        "csv",
        "--fail-on",
        "none",
    ]));
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert_eq!(stdout(&replay), stdout(&live));
}

#[test]
fn fail_on_sets_the_exit_code() {
    let (emu, _) = shared_demo();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--endpoint-url", &emu.url, "--format", "csv"];
        args.extend_from_slice(extra);
        run(compliance(&args)).status.code()
    };
    assert_eq!(
        scan(&[]),
        Some(1),
        "failures at or above the default threshold (low)"
    );
    assert_eq!(
        scan(&["--fail-on", "critical"]),
        Some(1),
        "critical failures exist"
    );
    assert_eq!(scan(&["--fail-on", "none"]), Some(0));
    assert_eq!(
        scan(&[
            "--rule",
            "s3-bucket-versioning-enabled",
            "--fail-on",
            "high"
        ]),
        Some(0),
        "only medium failures in this selection"
    );
    assert_eq!(
        scan(&[
            "--rule",
            "s3-bucket-versioning-enabled",
            "--fail-on",
            "medium"
        ]),
        Some(1)
    );
}

#[test]
fn stdout_carries_only_the_requested_output() {
    let (emu, _) = shared_demo();
    let out = run(scan(&emu.url, "csv", &[]));
    let text = stdout(&out);
    assert!(
        text.starts_with("timestamp,account_id,"),
        "{}",
        &text[..80.min(text.len())]
    );
    assert!(
        stderr(&out).contains("scanned"),
        "the summary goes to stderr"
    );
    let quiet = run(scan(&emu.url, "csv", &["--quiet"]));
    assert_eq!(
        stderr(&quiet),
        "",
        "--quiet keeps stderr empty when nothing failed to collect"
    );

    let table = run(compliance(&[
        "scan",
        "--endpoint-url",
        &emu.url,
        "--fail-on",
        "none",
    ]));
    let text = stdout(&table);
    assert!(
        text.contains("Score ") && text.contains("Failed by severity: critical"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    let first_critical = text.find("\nCRITICAL  ").unwrap();
    let first_low = text.find("\nLOW       ").unwrap();
    assert!(first_critical < first_low, "most severe first");
    // Fits a 120-column terminal: no line wraps, no box drawing, one line per resource.
    assert!(text.lines().all(|l| l.chars().count() <= 120), "{text}");
    assert!(!text.contains('│') && !text.contains('┌'), "{text}");
    let listed = text.lines().filter(|l| l.starts_with("  ")).count();
    let report = json_report(&run(scan(&emu.url, "json", &[])));
    let failing = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL" || f["status"] == "ERROR")
        .count();
    assert_eq!(listed, failing, "one line per failed resource:\n{text}");
    let wide = run(
        compliance(&["scan", "--endpoint-url", &emu.url, "--fail-on", "none"])
            .env("COLUMNS", "200"),
    );
    assert!(
        stdout(&wide).lines().any(|l| l.chars().count() > 120),
        "COLUMNS sets the width"
    );
}

#[test]
fn output_file_holds_the_report_and_stdout_stays_empty() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("output");
    let file = dir.join("report.json");
    let out = run(scan(
        &emu.url,
        "json",
        &["--output", file.to_str().unwrap()],
    ));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "", "the report goes to the file, not stdout");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["scan"]["account_id"], "123456789012");
}

/// Which API operation a logged request was.
fn operation(entry: &serde_json::Value) -> String {
    let action = entry["action"].as_str().unwrap_or_default();
    let target = entry["target"].as_str().unwrap_or_default();
    if !action.is_empty() {
        return action.to_string();
    }
    if !target.is_empty() {
        return target.rsplit('.').next().unwrap().to_string();
    }
    let query: Vec<&str> = entry["query"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q.as_str())
        .collect();
    let path = entry["path"].as_str().unwrap();
    match (entry["method"].as_str().unwrap(), path, query.as_slice()) {
        ("GET", "/", _) => "ListBuckets".to_string(),
        ("GET", _, [sub]) => format!("s3:{sub}"),
        (method, path, _) => format!("{method} {path}"),
    }
}

#[test]
fn a_scan_narrowed_to_one_rule_makes_only_the_calls_that_rule_needs() {
    let (emu, _) = shared_demo();
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(compliance(&[
        "scan",
        "--endpoint-url",
        &proxy.url,
        "--rule",
        "s3-bucket-versioning-enabled",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let buckets = json_report(&out)["findings"].as_array().unwrap().len();
    assert_eq!(buckets, 4);
    let mut ops: Vec<String> = proxy.log().iter().map(operation).collect();
    ops.sort();
    let mut expected = vec![
        "GetCallerIdentity".to_string(),
        "DescribeRegions".to_string(),
        "ListBuckets".to_string(),
    ];
    // The emulator's ListBuckets carries no bucket region, so each bucket costs a
    // GetBucketLocation there (real S3 names the region in ListBuckets).
    for _ in 0..buckets {
        expected.push("s3:location".to_string());
        expected.push("s3:versioning".to_string());
    }
    expected.sort();
    assert_eq!(ops, expected);
}

#[test]
fn a_network_acl_rule_costs_one_listing_per_region_whatever_the_number_of_acls() {
    let (emu, _) = shared_demo();
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(
        &proxy.url,
        "json",
        &["--rule", "ec2-network-acl-no-public-admin-ports"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let acls = json_report(&out)["findings"].as_array().unwrap().len();
    assert!(acls >= 4, "the default ACLs and the seeded ones: {acls}");
    let mut ops: Vec<String> = proxy.log().iter().map(operation).collect();
    ops.sort();
    assert_eq!(
        ops,
        [
            "DescribeNetworkAcls",
            "DescribeRegions",
            "GetCallerIdentity"
        ],
        "one region scanned, one listing"
    );
}

#[test]
fn list_rules_needs_no_aws() {
    let out =
        run(compliance(&["scan", "--list-rules", "--format", "json"])
            .env_remove("AWS_ACCESS_KEY_ID"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.len() >= 30);
    for service in ["s3", "ec2", "lambda", "kms", "sns"] {
        assert!(
            rules
                .iter()
                .any(|r| r["id"].as_str().unwrap().starts_with(service)),
            "{service}"
        );
    }
    let narrowed = run(compliance(&[
        "scan",
        "--list-rules",
        "--format",
        "csv",
        "--service",
        "kms",
        "--min-severity",
        "high",
    ]));
    let text = stdout(&narrowed);
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["kms-key-not-pending-deletion", "kms-key-policy-not-public"]
    );
}

#[test]
fn csv_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let (emu, _) = shared_demo();
    let mut child = scan(&emu.url, "csv", &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("timestamp,"), "{first}");
    // The reader is gone (`| head -1`): the rest of the report meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
}

#[test]
fn outputs_go_through_links_and_devices_and_never_over_an_input() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("scan-outputs");
    // Through a symbolic link: the file it names gets the report, the link stays.
    let real = dir.join("real.json");
    write(&real, "old");
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = run(scan(
        &emu.url,
        "json",
        &["--output", link.to_str().unwrap()],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));

    // A device is written to, not replaced.
    let out = run(scan(&emu.url, "csv", &["--output", "/dev/stdout"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("timestamp,"));

    // The evidence being replayed is never overwritten by the report.
    let evidence = dir.join("evidence.json");
    let saved = run(scan(
        &emu.url,
        "json",
        &["--save-inventory", evidence.to_str().unwrap()],
    ));
    assert_eq!(saved.status.code(), Some(0), "{}", stderr(&saved));
    let before = std::fs::read(&evidence).unwrap();
    let e = evidence.to_str().unwrap();
    let out = run(compliance(&["scan", "--inventory", e, "--output", e]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is also the --inventory file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&evidence).unwrap(), before, "nothing changed");
}

#[test]
fn buckets_in_regions_not_scanned_are_named_with_the_flag_that_judges_them() {
    let emu = Emulator::start();
    emu.boto(
        "s3 = client('s3')\n\
         s3.create_bucket(Bucket='home-ledger')\n\
         s3.create_bucket(Bucket='dublin-archive', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})\n",
    );
    let out = run(scan(
        &emu.url,
        "json",
        &["--service", "s3", "--region", "us-east-1"],
    ));
    let report = json_report(&out);
    let err = stderr(&out);
    assert_eq!(
        report["scan"]["outside_regions"],
        serde_json::json!([{"resource_type": "aws.s3.bucket", "resource_id": "dublin-archive", "region": "eu-west-1"}])
    );
    assert!(
        err.contains("1 resource(s) are in regions this scan did not cover")
            && err.contains("aws.s3.bucket dublin-archive (eu-west-1)")
            && err.contains("add --region eu-west-1 or use --all-regions"),
        "{err}"
    );
    assert!(findings_of(&report, "s3-bucket-versioning-enabled")
        .iter()
        .all(|(id, _)| id == "home-ledger"));

    // With its region scanned it is judged, and nothing is left outside.
    let out = run(scan(
        &emu.url,
        "json",
        &[
            "--service",
            "s3",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
        ],
    ));
    let report = json_report(&out);
    assert!(report["scan"].get("outside_regions").is_none());
    assert_eq!(
        status_of(&report, "s3-bucket-versioning-enabled", "dublin-archive"),
        Some("FAIL")
    );
    assert!(!stderr(&out).contains("did not cover"));
}
