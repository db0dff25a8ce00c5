//! `compliance report` over stored scans: the latest or a named scan in any format, the
//! trend, what changed between scans, and refusals of files that are not reports.

mod common;

use common::*;
use serde_json::Value;

/// Three scans of the demo account: as seeded, after a fix, after a regression.
fn three_scans() -> (std::path::PathBuf, Vec<String>, Vec<String>) {
    let emu = Emulator::start();
    emu.seed_demo();
    let dir = temp_dir("report");
    let (mut files, mut ids) = (Vec::new(), Vec::new());
    let changes = [
        "",
        r#"client("s3").put_bucket_versioning(Bucket="compliance-demo-legacy", VersioningConfiguration={"Status": "Enabled"})"#,
        r#"client("s3").delete_public_access_block(Bucket="compliance-demo-secure")"#,
    ];
    for (n, change) in changes.iter().enumerate() {
        if !change.is_empty() {
            emu.boto(change);
        }
        let file = dir.join(format!("scan-{n}.json"));
        ids.push(scan_to_file(&emu.url, &file));
        files.push(file.to_str().unwrap().to_string());
    }
    (dir, files, ids)
}

#[test]
fn report_shows_a_scan_the_trend_and_the_changes() {
    let (_dir, files, ids) = three_scans();
    // Files first: `--diff` takes up to two scan ids after it.
    let with_files = |args: &[&str]| {
        let mut all: Vec<&str> = vec!["report"];
        all.extend(files.iter().map(String::as_str));
        all.extend_from_slice(args);
        run(compliance(&all))
    };

    let latest = with_files(&["--format", "json"]);
    assert_eq!(latest.status.code(), Some(0), "{}", stderr(&latest));
    assert_eq!(json_report(&latest)["scan"]["id"], ids[2].as_str());

    let first = with_files(&["--scan", &ids[0], "--format", "csv"]);
    let text = stdout(&first);
    assert!(text.starts_with("timestamp,account_id,"), "{text}");
    assert!(
        text.contains("s3-bucket-versioning-enabled") && text.contains("compliance-demo-legacy")
    );

    let trend = with_files(&["--trend", "--format", "csv"]);
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(trend.stdout.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows.iter().map(|r| r[1].clone()).collect::<Vec<_>>(),
        ids,
        "oldest first"
    );
    let scores: Vec<f64> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(
        scores[1] > scores[0] && scores[2] < scores[1],
        "fix raises, regression lowers: {scores:?}"
    );

    let fixed = with_files(&["--diff", &ids[0], &ids[1], "--format", "json"]);
    let changes: Value = serde_json::from_slice(&fixed.stdout).unwrap();
    let resolved: Vec<&Value> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "resolved")
        .collect();
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(
        (
            resolved[0]["rule_id"].as_str(),
            resolved[0]["resource_id"].as_str()
        ),
        (
            Some("s3-bucket-versioning-enabled"),
            Some("compliance-demo-legacy")
        )
    );

    let fsbp = with_files(&["--framework", "aws-fsbp", "--format", "json"]);
    assert_eq!(fsbp.status.code(), Some(0), "{}", stderr(&fsbp));
    let grouped: Value = serde_json::from_slice(&fsbp.stdout).unwrap();
    let control = |id: &str| {
        grouped["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["control"] == id)
            .cloned()
            .unwrap()
    };
    let s3_8 = control("S3.8");
    assert_eq!(s3_8["status"], "FAIL");
    assert!(
        s3_8["failing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "compliance-demo-secure"),
        "the regression shows: {s3_8}"
    );
    assert_eq!(
        s3_8["rules"],
        serde_json::json!(["s3-bucket-public-access-block"])
    );
    assert_eq!(control("EC2.15")["status"], "FAIL");
    // FSBP's catalogue: every control of the standard with AWS's severity, and nothing
    // outside it (the CIS standard's CloudWatch.1 is a Security Hub control, not FSBP's).
    assert_eq!(grouped["controls"].as_array().unwrap().len(), 205);
    assert_eq!(s3_8["severity"], "high");
    assert_eq!(
        control("RDS.1")["status"],
        "FAIL",
        "demo-reporting-export is public"
    );
    assert_eq!(
        control("DynamoDB.2")["status"],
        "FAIL",
        "demo-cache has no recovery"
    );
    assert_eq!(
        control("ECR.1")["status"],
        "FAIL",
        "demo/scratch is scanned only when asked"
    );
    assert_eq!(control("ECS.1")["status"], "NOT_COVERED");
    assert!(grouped["controls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["control"] != "CloudWatch.1"));
    // A framework with a catalogue lists every control, decided or not.
    let cis = with_files(&["--framework", "cis-aws-3.0", "--format", "json"]);
    assert_eq!(cis.status.code(), Some(0), "{}", stderr(&cis));
    let cis: Value = serde_json::from_slice(&cis.stdout).unwrap();
    let controls = cis["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 62, "every CIS v3.0.0 control");
    let cis_control = |id: &str| controls.iter().find(|c| c["control"] == id).unwrap();
    assert_eq!(cis_control("1.10")["status"], "FAIL", "demo-bob has no MFA");
    assert_eq!(cis_control("1.1")["status"], "MANUAL");
    assert!(cis_control("1.1")["check"]
        .as_str()
        .unwrap()
        .contains("contacts"));
    assert_eq!(
        cis_control("2.3.1")["status"],
        "FAIL",
        "demo-reporting is unencrypted"
    );
    assert_eq!(
        cis_control("2.4.1")["status"],
        "FAIL",
        "demo-scratch is unencrypted"
    );
    // Every control the benchmark calls automated is decided by a rule.
    let uncovered: Vec<&Value> = controls
        .iter()
        .filter(|c| c["status"] == "NOT_COVERED")
        .map(|c| &c["control"])
        .collect();
    assert!(uncovered.is_empty(), "not covered: {uncovered:?}");
    assert!(cis_control("3.1")["title"]
        .as_str()
        .unwrap()
        .contains("CloudTrail is enabled in all regions"));
    let unknown = with_files(&["--framework", "nist-800-53"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown)
            .contains("(they map to: aws-fsbp, aws-securityhub, cis-aws-3.0, pci-dss-4.0)"),
        "{}",
        stderr(&unknown)
    );

    let regressed = with_files(&["--diff"]);
    let text = stdout(&regressed);
    assert!(
        text.starts_with(&format!(
            "From scan {} to {}: 1 new, 0 resolved,",
            ids[1], ids[2]
        )),
        "{text}"
    );
    assert!(
        text.contains("s3-bucket-public-access-block") && text.contains("compliance-demo-secure"),
        "{text}"
    );
    // Piped: the same columns, without box drawing.
    assert!(!text.contains('│') && !text.contains('─'), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("compliance-demo-secure"))
        .unwrap();
    assert!(row.trim_start().starts_with("new "), "{row}");
}

#[test]
fn report_formats_read_back_as_their_consumers_read_them() {
    let (dir, files, ids) = three_scans();
    let render = |extra: &[&str], name: &str| {
        let out_file = dir.join(name);
        let mut all: Vec<&str> = vec!["report"];
        all.extend(files.iter().map(String::as_str));
        all.extend_from_slice(extra);
        all.extend_from_slice(&["--output", out_file.to_str().unwrap()]);
        let out = run(compliance(&all));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "--output leaves stdout empty");
        out_file
    };
    let latest: Value = serde_json::from_slice(
        &std::fs::read(render(&["--latest", "--format", "json"], "l.json")).unwrap(),
    )
    .unwrap();
    let count = |status: &str| {
        latest["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == status)
            .count()
    };

    let sarif = check_report("sarif", &render(&["--format", "sarif"], "r.sarif"));
    let results = sarif["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        count("FAIL"),
        "one result per failed finding"
    );
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "s3-bucket-public-access-block"
            && r["uri"] == "arn:aws:s3:::compliance-demo-secure"
            && r["level"] == "error"));

    let junit = check_report("junit", &render(&["--format", "junit"], "r.xml"));
    assert_eq!(junit["tests"], latest["findings"].as_array().unwrap().len());
    assert_eq!(junit["failures"], count("FAIL"));
    assert_eq!(junit["errors"], count("ERROR"));
    let case = junit["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["classname"] == "s3-bucket-public-access-block"
                && c["name"]
                    .as_str()
                    .unwrap()
                    .contains("compliance-demo-secure")
        })
        .cloned()
        .unwrap();
    assert_eq!(case["outcome"], "failure");

    let page = check_report("html", &render(&["--format", "html"], "r.html"));
    let ids_in_page = &page["ids"];
    assert_eq!(
        page["external"],
        serde_json::json!([]),
        "nothing outside the file"
    );
    assert_eq!(ids_in_page["scan-id"], ids[2].as_str());
    assert_eq!(
        ids_in_page["score"],
        format!("{:.1}%", latest["summary"]["score"].as_f64().unwrap()).as_str()
    );
    for severity in ["critical", "high", "medium", "low", "info"] {
        let expected = latest["summary"]["failed_by_severity"][severity]
            .as_u64()
            .unwrap_or(0);
        assert_eq!(
            ids_in_page[format!("failed-{severity}")],
            expected.to_string().as_str(),
            "{severity}"
        );
    }
    assert_eq!(ids_in_page["failed"], count("FAIL").to_string().as_str());
    assert!(
        ids_in_page["trend"]
            .as_str()
            .unwrap()
            .starts_with("Trend over 3 scans"),
        "three scans given, three charted"
    );
    let first = check_report(
        "html",
        &render(&["--scan", &ids[0], "--format", "html"], "first.html"),
    );
    assert!(
        first["ids"].get("trend").is_none(),
        "nothing precedes the first scan"
    );

    // `scan` writes the same formats directly.
    let direct = dir.join("direct.sarif");
    let (emu, _) = shared_demo();
    let scanned = run(scan(
        &emu.url,
        "sarif",
        &["--output", direct.to_str().unwrap()],
    ));
    assert_eq!(scanned.status.code(), Some(0), "{}", stderr(&scanned));
    assert!(!check_report("sarif", &direct)["results"]
        .as_array()
        .unwrap()
        .is_empty());

    let refused = run(compliance(&[
        "report", &files[0], "--trend", "--format", "sarif",
    ]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--trend prints as table, json or csv"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn files_that_are_not_reports_are_refused_by_name() {
    let dir = temp_dir("report-bad");
    let cut = dir.join("cut.json");
    write(&cut, r#"{"schema_version": "1.1", "scan": {"#);
    let out = run(compliance(&["report", cut.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cut.json is not JSON"),
        "{}",
        stderr(&out)
    );
    let inventory = dir.join("inventory.json");
    write(&inventory, r#"{"schema_version": 1, "account_id": "1"}"#);
    let out = run(compliance(&["report", inventory.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("inventory.json is not a compliance report"),
        "{}",
        stderr(&out)
    );
    let unknown = run(compliance(&[
        "report",
        "--scan",
        "nope",
        cut.to_str().unwrap(),
    ]));
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn report_reads_the_scans_the_stack_stored() {
    let emu = Emulator::start();
    emu.seed_demo();
    let binary = env!("CARGO_BIN_EXE_compliance");
    let deployed = run(compliance(&[
        "deploy",
        "--suffix",
        "rep",
        "--endpoint-url",
        &emu.url,
        "--lambda-binary",
        binary,
    ]));
    assert_eq!(deployed.status.code(), Some(0), "{}", stderr(&deployed));
    let dir = temp_dir("report-bucket");
    let mut ids = Vec::new();
    for day in ["21", "22"] {
        let file = dir.join(format!("{day}.json"));
        // One S3 rule: the stack's own KMS keys and function are beyond what the
        // emulator answers (DescribeKey 500, an unreadable ListFunctions).
        let out = run(scan(
            &emu.url,
            "json",
            &[
                "--rule",
                "s3-bucket-versioning-enabled",
                "--output",
                file.to_str().unwrap(),
            ],
        ));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let id = report["scan"]["id"].as_str().unwrap().to_string();
        emu.boto(&format!(
            r#"
s3 = client("s3")
bucket = "compliance-reports-rep-123456789012"
s3.upload_file("{file}", bucket, "scans/2026/11/{day}/{id}.json")
s3.put_object(Bucket=bucket, Key="scans/2026/11/{day}/{id}.csv", Body=b"not json")
s3.put_object(Bucket=bucket, Key="scans/2026/11/{day}/{id}.inventory.json", Body=b"{{}}")
"#,
            file = file.display()
        ));
        ids.push(id);
    }
    let trend = run(compliance(&[
        "report",
        "--suffix",
        "rep",
        "--endpoint-url",
        &emu.url,
        "--trend",
        "--format",
        "csv",
    ]));
    assert_eq!(trend.status.code(), Some(0), "{}", stderr(&trend));
    let rows: Vec<String> = csv::Reader::from_reader(trend.stdout.as_slice())
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    assert_eq!(
        rows, ids,
        "both stored scans, CSV and inventory objects left out"
    );
    let latest = run(compliance(&[
        "report",
        "--suffix",
        "rep",
        "--endpoint-url",
        &emu.url,
        "--format",
        "json",
    ]));
    assert_eq!(json_report(&latest)["scan"]["id"], ids[1].as_str());
    // A pull request's scan against the latest scan the stack stored: nothing new.
    let gated = run(compliance(&[
        "scan",
        "--endpoint-url",
        &emu.url,
        "--format",
        "json",
        "--rule",
        "s3-bucket-versioning-enabled",
        "--baseline-suffix",
        "rep",
        "--fail-on-new",
        "low",
    ]));
    assert_eq!(gated.status.code(), Some(0), "{}", stderr(&gated));
    let gated = json_report(&gated);
    assert_eq!(gated["baseline"]["scan_id"], ids[1].as_str());
    assert!(gated["baseline"]["existing"].as_u64().unwrap() > 0);
    assert_eq!(gated["baseline"]["new"], 0);
    let missing = run(compliance(&[
        "report",
        "--suffix",
        "nope",
        "--endpoint-url",
        &emu.url,
    ]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("stack compliance-nope does not exist"),
        "{}",
        stderr(&missing)
    );
}
