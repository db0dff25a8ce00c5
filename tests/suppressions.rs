//! Accepted risks and baselines against the demo account: a suppression file marks the
//! failures it accepts in every format, keeps them out of the score and the exit code,
//! warns of expired, expiring and stale entries; bad files are refused before any call;
//! a baseline makes CI fail only on what is new; `baseline create` drafts a file that is
//! refused until a person fills it in; `report --suppressions` and `remediate` honour it.

mod common;

use std::path::{Path, PathBuf};

use chrono::{Days, Utc};
use common::*;
use serde_json::Value;

/// A date `days` from today (negative: past).
fn day(days: i64) -> String {
    let today = Utc::now().date_naive();
    let d = if days >= 0 {
        today + Days::new(days as u64)
    } else {
        today - Days::new(days.unsigned_abs())
    };
    d.to_string()
}

fn file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("suppressions.yaml");
    write(&path, text);
    path
}

/// The demo's accepted risks: the public bucket's public read (line 3), versioning on
/// every bucket tagged Environment=demo (line 10), an expired entry (line 16), one
/// expiring in five days (line 21), and one for a bucket that does not exist (line 26).
fn demo_file(dir: &Path) -> PathBuf {
    file(
        dir,
        &format!(
            "version: 1
suppressions:
  - rules: [s3-bucket-no-public-read]
    resources: [compliance-demo-public]
    reason: the public website's assets
    owner: web-team@example.com
    expires: {}
    ticket: WEB-12

  - rules: ['s3-bucket-mfa-*']
    resources: ['*']
    tags: [Environment=demo]
    reason: MFA delete needs the root user; tracked for the demo account
    owner: platform
    expires: {}
  - rules: [s3-bucket-versioning-enabled]
    resources: [arn:aws:s3:::compliance-demo-legacy]
    reason: legacy bucket, migration planned
    owner: data-team
    expires: {}
  - rules: [s3-bucket-lifecycle-configured]
    resources: [compliance-demo-logs]
    reason: logs kept by the log archive's own policy
    owner: platform
    expires: {}
  - rules: [s3-bucket-ssl-requests-only]
    resources: [compliance-demo-deleted-long-ago]
    reason: gone
    owner: nobody
    expires: {}
",
            day(60),
            day(90),
            day(-1),
            day(5),
            day(30)
        ),
    )
}

#[test]
fn accepted_risks_are_marked_in_every_format_and_leave_the_score() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("suppressions");
    let path = demo_file(&dir);
    let path = path.to_str().unwrap();

    let plain = json_report(&run(scan(&emu.url, "json", &["--service", "s3"])));
    let out = run(scan(
        &emu.url,
        "json",
        &["--service", "s3", "--suppressions", path],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&out);

    // The verdict is kept, with the entry that accepts it.
    let public = finding(
        &report,
        "s3-bucket-no-public-read",
        "compliance-demo-public",
    );
    assert_eq!(public["status"], "FAIL");
    assert_eq!(public["suppressed"]["owner"], "web-team@example.com");
    assert_eq!(public["suppressed"]["ticket"], "WEB-12");
    assert_eq!(public["suppressed"]["entry"], format!("{path}:3"));
    // By tag: only the tagged bucket, though the other three fail the same rule.
    let secure = finding(
        &report,
        "s3-bucket-mfa-delete-enabled",
        "compliance-demo-secure",
    );
    assert_eq!(secure["suppressed"]["entry"], format!("{path}:10"));
    let legacy_mfa = finding(
        &report,
        "s3-bucket-mfa-delete-enabled",
        "compliance-demo-legacy",
    );
    assert!(
        legacy_mfa.get("suppressed").is_none(),
        "untagged: {legacy_mfa}"
    );
    // Expired: fails again. Expiring: still accepted.
    let legacy = finding(
        &report,
        "s3-bucket-versioning-enabled",
        "compliance-demo-legacy",
    );
    assert!(legacy.get("suppressed").is_none());
    let logs = finding(
        &report,
        "s3-bucket-lifecycle-configured",
        "compliance-demo-logs",
    );
    assert!(logs.get("suppressed").is_some());

    // Three accepted failures leave the counts and the score.
    assert_eq!(report["summary"]["suppressed"], 3);
    assert_eq!(
        report["summary"]["by_status"]["FAIL"].as_u64().unwrap() + 3,
        plain["summary"]["by_status"]["FAIL"].as_u64().unwrap()
    );
    assert!(report["summary"]["score"].as_f64() > plain["summary"]["score"].as_f64());
    let statuses: Vec<(&str, &str, u64)> = report["suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entry"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
                e["findings"].as_u64().unwrap(),
            )
        })
        .collect();
    let line = |n: u32| format!("{path}:{n}");
    assert_eq!(
        statuses,
        [
            (line(3).as_str(), "active", 1),
            (line(10).as_str(), "active", 1),
            (line(16).as_str(), "expired", 1),
            (line(21).as_str(), "expiring", 1),
            (line(26).as_str(), "stale", 0),
        ]
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("suppression {path}:16")) && err.contains("expired on"),
        "{err}"
    );
    assert!(
        err.contains(&format!("suppression {path}:21")) && err.contains("expires on"),
        "{err}"
    );
    assert!(
        err.contains(&format!("suppression {path}:26")) && err.contains("matched no failure"),
        "{err}"
    );
    assert!(err.contains("(3 more suppressed)"), "{err}");

    // CSV: the same findings, with the entry's fields.
    let csv_out = run(scan(
        &emu.url,
        "csv",
        &["--service", "s3", "--suppressions", path],
    ));
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| {
            &r[col("rule_id")] == "s3-bucket-no-public-read"
                && &r[col("resource_id")] == "compliance-demo-public"
        })
        .unwrap();
    assert_eq!(&row[col("status")], "FAIL");
    assert_eq!(&row[col("suppressed")], "true");
    assert_eq!(&row[col("suppression_owner")], "web-team@example.com");
    assert_eq!(&row[col("suppression_expires")], day(60));

    let to_file = |format: &str, name: &str| {
        let file = dir.join(name);
        let args = [
            "--service",
            "s3",
            "--suppressions",
            path,
            "-o",
            file.to_str().unwrap(),
        ];
        assert_eq!(run(scan(&emu.url, format, &args)).status.code(), Some(0));
        file
    };

    // SARIF: still a result, with an external, accepted suppression (schema-validated).
    let sarif = to_file("sarif", "s.sarif");
    let read = check_report("sarif", &sarif);
    let result = read["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "s3-bucket-no-public-read")
        .unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "the public website's assets"
    );

    // JUnit: a skipped case naming the reason (schema-validated).
    let junit = to_file("junit", "s.xml");
    let read = check_report("junit", &junit);
    let case = read["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["classname"] == "s3-bucket-no-public-read"
                && c["name"]
                    .as_str()
                    .unwrap()
                    .contains("compliance-demo-public")
        })
        .unwrap();
    assert_eq!(case["outcome"], "skipped");
    assert_eq!(
        read["failures"].as_u64().unwrap(),
        report["summary"]["by_status"]["FAIL"].as_u64().unwrap()
    );

    // HTML: its own section.
    let html = to_file("html", "s.html");
    let read = check_report("html", &html);
    assert!(read["ids"]["suppressed"]
        .as_str()
        .unwrap()
        .contains("the public website's assets"));
    assert!(
        read["ids"]["suppressed"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "the entries to act on"
    );

    // Table: counted, listed only when asked.
    let table = stdout(&run(scan(
        &emu.url,
        "table",
        &["--service", "s3", "--suppressions", path],
    )));
    assert!(
        table.contains("Suppressed: 3 accepted failure(s)"),
        "{table}"
    );
    assert!(!table.contains("web-team@example.com"), "{table}");
    let shown = stdout(&run(scan(
        &emu.url,
        "table",
        &[
            "--service",
            "s3",
            "--suppressions",
            path,
            "--show-suppressed",
        ],
    )));
    assert!(
        shown.contains("Accepted risks (suppressed):") && shown.contains("web-team@example.com"),
        "{shown}"
    );
}

#[test]
fn accepted_failures_do_not_fail_the_scan() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("suppressions-exit");
    let only = [
        "scan",
        "--endpoint-url",
        &emu.url,
        "--format",
        "json",
        "--rule",
        "s3-bucket-no-public-read",
    ];
    let failing = run(compliance(&only));
    assert_eq!(failing.status.code(), Some(1), "{}", stderr(&failing));
    let path = demo_file(&dir);
    let mut args = only.to_vec();
    args.extend(["--suppressions", path.to_str().unwrap()]);
    let accepted = run(compliance(&args));
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    // Only one rule ran: entries for the others are out of scope, not stale.
    let report = json_report(&accepted);
    let stale = report["suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "stale")
        .count();
    assert_eq!(stale, 0, "{}", report["suppressions"]);
}

#[test]
fn a_tag_entry_collects_the_tags_even_when_no_rule_reads_them() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("suppressions-tags");
    let path = demo_file(&dir);
    let out = run(scan(
        &emu.url,
        "json",
        &[
            "--rule",
            "s3-bucket-mfa-delete-enabled",
            "--suppressions",
            path.to_str().unwrap(),
        ],
    ));
    let report = json_report(&out);
    let secure = finding(
        &report,
        "s3-bucket-mfa-delete-enabled",
        "compliance-demo-secure",
    );
    assert!(secure.get("suppressed").is_some(), "{secure}");
    assert_eq!(report["summary"]["suppressed"], 1);
}

#[test]
fn the_default_file_is_read_from_the_current_directory_unless_told_not_to() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("suppressions-default");
    let text = std::fs::read_to_string(demo_file(&temp_dir("suppressions-src"))).unwrap();
    write(&dir.join(".compliance/suppressions.yaml"), &text);
    let mut cmd = scan(&emu.url, "json", &["--service", "s3"]);
    cmd.current_dir(&dir);
    let report = json_report(&run(cmd));
    assert_eq!(report["summary"]["suppressed"], 3);
    assert_eq!(
        report["suppressions"][0]["entry"],
        ".compliance/suppressions.yaml:3"
    );
    let mut cmd = scan(&emu.url, "json", &["--service", "s3", "--no-suppressions"]);
    cmd.current_dir(&dir);
    let report = json_report(&run(cmd));
    assert_eq!(report["summary"]["suppressed"], 0);
    assert!(report.get("suppressions").is_none());
}

#[test]
fn a_bad_suppression_file_is_refused_with_its_line_before_any_call() {
    let dir = temp_dir("suppressions-bad");
    let entry = |extra: &str| {
        format!(
            "version: 1\nsuppressions:\n  - rules: [s3-bucket-versioning-enabled]\n    resources: [a]\n    reason: r\n    owner: o\n    expires: {}\n  - rules: [s3-bucket-no-public-read]\n{extra}",
            day(10)
        )
    };
    let far = day(400);
    let cases = [
        (entry("    resources: [b]\n    reason: r\n    owner: o\n    expires: 2027-01-01\n    colour: red\n"), "unknown field `colour`"),
        (entry("    resources: [b]\n    owner: o\n    expires: 2027-01-01\n"), "missing field `reason`"),
        (entry("    resources: [b]\n    reason: r\n    expires: 2027-01-01\n"), "missing field `owner`"),
        (entry("    resources: [b]\n    reason: r\n    owner: o\n"), "missing field `expires`"),
        (entry(&format!("    resources: [b]\n    reason: r\n    owner: o\n    expires: {far}\n")), "more than 365 days away"),
        (entry("    resources: ['*']\n    reason: r\n    owner: o\n    expires: 2027-01-01\n"), "would silence every resource"),
        (
            entry("    resources: [b]\n    reason: r\n    owner: o\n    expires: 2027-01-01\n").replace("s3-bucket-no-public-read", "s3-bucket-no-public-reed"),
            "unknown rule id `s3-bucket-no-public-reed`",
        ),
        ("version: 1\nsuppressions: [\n".to_string(), "suppression file"),
    ];
    // Nothing listens here: a scan that called AWS would fail differently.
    for (text, needle) in cases {
        let path = file(&dir, &text);
        let out = run(compliance(&[
            "scan",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--suppressions",
            path.to_str().unwrap(),
        ]));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{needle}: {err}");
        assert_eq!(stdout(&out), "", "{needle}");
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(
            err.contains(path.to_str().unwrap()),
            "names the file: {err}"
        );
        assert!(err.contains("line "), "names the line: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    let path = file(
        &dir,
        &entry(&format!(
            "    resources: [b]\n    reason: r\n    owner: o\n    expires: {far}\n"
        )),
    );
    let wide = run(compliance(&[
        "scan",
        "--list-rules",
        "--suppressions",
        path.to_str().unwrap(),
        "--max-suppression-days",
        "730",
    ]));
    assert_eq!(
        wide.status.code(),
        Some(0),
        "the ceiling is a flag: {}",
        stderr(&wide)
    );
    let missing = run(compliance(&[
        "scan",
        "--list-rules",
        "--suppressions",
        "/nonexistent/s.yaml",
    ]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read suppression file /nonexistent/s.yaml"));
}

#[test]
fn a_baseline_fails_ci_only_on_new_failures_and_lists_what_was_resolved() {
    let emu = Emulator::start();
    emu.seed_demo();
    let dir = temp_dir("baseline");
    let before = dir.join("before.json");
    scan_to_file(&emu.url, &before);
    let before = before.to_str().unwrap();
    let gate = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--endpoint-url",
            emu.url.as_str(),
            "--format",
            "json",
            "--service",
            "s3",
            "--baseline",
            before,
        ];
        args.extend_from_slice(extra);
        run(compliance(&args))
    };

    let same = gate(&["--fail-on-new", "low"]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "nothing new: {}",
        stderr(&same)
    );
    let report = json_report(&same);
    assert_eq!(report["baseline"]["new"], 0);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL")
        .all(|f| f["baseline"] == "existing"));
    assert_eq!(
        gate(&[]).status.code(),
        Some(1),
        "without --fail-on-new, every failure counts"
    );

    // A regression and a fix.
    emu.boto(r#"client("s3").delete_public_access_block(Bucket="compliance-demo-secure")"#);
    emu.boto(r#"client("s3").put_bucket_versioning(Bucket="compliance-demo-legacy", VersioningConfiguration={"Status": "Enabled"})"#);
    let changed = gate(&["--fail-on-new", "high"]);
    assert_eq!(
        changed.status.code(),
        Some(1),
        "a new high failure: {}",
        stderr(&changed)
    );
    let report = json_report(&changed);
    let new: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline"] == "new")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(new, ["s3-bucket-public-access-block"], "{new:?}");
    assert_eq!(
        finding(
            &report,
            "s3-bucket-public-access-block",
            "compliance-demo-secure"
        )["baseline"],
        "new"
    );
    // The baseline scanned every service, this scan S3 only: what it did not look at is
    // not called resolved.
    let resolved = report["baseline"]["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0]["resource_id"], "compliance-demo-legacy");
    assert!(
        stderr(&changed).contains("1 new, 1 resolved since scan"),
        "{}",
        stderr(&changed)
    );
    assert_eq!(
        gate(&["--fail-on-new", "critical"]).status.code(),
        Some(0),
        "nothing new at critical"
    );

    // Accepting the new failure clears the gate.
    let accept = file(
        &dir,
        &format!("version: 1\nsuppressions:\n  - rules: [s3-bucket-public-access-block]\n    resources: [compliance-demo-secure]\n    reason: r\n    owner: o\n    expires: {}\n", day(7)),
    );
    assert_eq!(
        gate(&[
            "--fail-on-new",
            "high",
            "--suppressions",
            accept.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );

    // The table leads with what is new.
    let table = stdout(&run(compliance(&[
        "scan",
        "--endpoint-url",
        &emu.url,
        "--service",
        "s3",
        "--baseline",
        before,
        "--fail-on",
        "none",
    ])));
    assert!(table.contains("1 new failure(s), 1 resolved"), "{table}");
    let first_group = table
        .lines()
        .find(|l| l.starts_with("CRITICAL") || l.starts_with("HIGH") || l.starts_with("MEDIUM"))
        .unwrap();
    assert!(
        first_group.contains("s3-bucket-public-access-block"),
        "the new failure's rule leads: {table}"
    );
    assert!(
        table.contains("\n  new compliance-demo-secure"),
        "marked new: {table}"
    );

    let other = run(compliance(&[
        "scan",
        "--list-rules",
        "--fail-on-new",
        "high",
    ]));
    assert_eq!(
        other.status.code(),
        Some(2),
        "--fail-on-new needs a baseline"
    );
    let missing = run(compliance(&[
        "scan",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--baseline",
        "/nonexistent.json",
    ]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("/nonexistent.json"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn baseline_create_drafts_a_file_refused_until_filled_in() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("baseline-create");
    let scan_file = dir.join("scan.json");
    let out = run(scan(
        &emu.url,
        "json",
        &["--service", "s3", "-o", scan_file.to_str().unwrap()],
    ));
    assert_eq!(out.status.code(), Some(0));
    let draft = dir.join(".compliance/suppressions.yaml");
    let out = run(compliance(&[
        "baseline",
        "create",
        "--from",
        scan_file.to_str().unwrap(),
        "--output",
        draft.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let text = std::fs::read_to_string(&draft).unwrap();
    assert!(
        text.contains("compliance-demo-public") && text.contains("s3-bucket-no-public-read"),
        "{text}"
    );

    let refused = run(scan(
        &emu.url,
        "json",
        &["--service", "s3", "--suppressions", draft.to_str().unwrap()],
    ));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("still the placeholder"),
        "{}",
        stderr(&refused)
    );

    let filled = text
        .replace(
            "<fill in: why this risk is accepted>",
            "adopted with its backlog",
        )
        .replace("<fill in: who answers for it>", "platform")
        .replace(
            "<fill in: the last day it is accepted, YYYY-MM-DD>",
            &day(90),
        );
    std::fs::write(&draft, filled).unwrap();
    let adopted = run(compliance(&[
        "scan",
        "--endpoint-url",
        &emu.url,
        "--format",
        "json",
        "--service",
        "s3",
        "--suppressions",
        draft.to_str().unwrap(),
    ]));
    assert_eq!(
        adopted.status.code(),
        Some(0),
        "every failure accepted: {}",
        stderr(&adopted)
    );
    assert_eq!(json_report(&adopted)["summary"]["by_status"]["FAIL"], 0);

    let again = run(compliance(&[
        "baseline",
        "create",
        "--from",
        scan_file.to_str().unwrap(),
        "--output",
        draft.to_str().unwrap(),
    ]));
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing file is never replaced"
    );
}

#[test]
fn report_lists_each_entry_against_a_stored_scan() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("report-suppressions");
    let stored = dir.join("scan.json");
    let path = demo_file(&dir);
    let out = run(scan(
        &emu.url,
        "json",
        &[
            "--service",
            "s3",
            "-o",
            stored.to_str().unwrap(),
            "--suppressions",
            path.to_str().unwrap(),
        ],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The entries the scan applied, as it applied them.
    let listed = run(compliance(&[
        "report",
        stored.to_str().unwrap(),
        "--suppressions",
        "--format",
        "json",
    ]));
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    let entries: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let statuses: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["active", "active", "expired", "expiring", "stale"]
    );

    // Another file, judged against the stored scan (its tags are in the report).
    let other = file(
        &temp_dir("report-suppressions-other"),
        &format!("version: 1\nsuppressions:\n  - rules: ['s3-*']\n    resources: ['*']\n    tags: [Environment=demo]\n    reason: r\n    owner: o\n    expires: {}\n", day(100)),
    );
    let table = run(compliance(&[
        "report",
        stored.to_str().unwrap(),
        "--suppressions",
        other.to_str().unwrap(),
    ]));
    let text = stdout(&table);
    assert!(text.contains("active") && text.contains(":3"), "{text}");
    let entries: Value = serde_json::from_slice(
        &run(compliance(&[
            "report",
            stored.to_str().unwrap(),
            "--suppressions",
            other.to_str().unwrap(),
            "--format",
            "json",
        ]))
        .stdout,
    )
    .unwrap();
    assert_eq!(
        entries[0]["findings"], 1,
        "the tagged bucket's one failure: {entries}"
    );
}

#[test]
fn remediate_leaves_accepted_risks_alone() {
    let (emu, _) = shared_demo();
    let dir = temp_dir("remediate-suppressions");
    let path = file(
        &dir,
        &format!("version: 1\nsuppressions:\n  - rules: [s3-bucket-versioning-enabled]\n    resources: [compliance-demo-legacy]\n    reason: legacy\n    owner: data\n    expires: {}\n", day(30)),
    );
    let audit = dir.join("audit.jsonl").to_str().unwrap().to_string();
    let plan = |extra: &[&str]| {
        let mut args = vec![
            "remediate",
            "--endpoint-url",
            emu.url.as_str(),
            "--rule",
            "s3-bucket-versioning-enabled",
            "--format",
            "json",
            "--audit-log",
            audit.as_str(),
        ];
        args.extend_from_slice(extra);
        run(compliance(&args))
    };
    let planned = |out: &std::process::Output| -> Vec<String> {
        let records: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)));
        records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["resource_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let all = planned(&plan(&[]));
    assert!(all.iter().any(|r| r == "compliance-demo-legacy"), "{all:?}");
    let out = plan(&["--suppressions", path.to_str().unwrap()]);
    let some = planned(&out);
    assert!(
        !some.iter().any(|r| r == "compliance-demo-legacy"),
        "{some:?}"
    );
    assert_eq!(some.len() + 1, all.len());
    assert!(
        stderr(&out).contains("1 failed findings are accepted risks"),
        "{}",
        stderr(&out)
    );
}
