//! ECR repositories against the local AWS endpoint: scanning as the registry's rules and
//! the repository's own setting decide it, asked for 25 repositories a call; policies
//! and lifecycles only when a rule reads them; a refused batch errors its repositories.

mod common;

use common::*;
use serde_json::json;

/// `team-0` … `team-24`: matched by a registry rule scanning them on push; `pushed`: its
/// own scan on push; `manual`: neither. 27 repositories, two scanning batches.
fn account() -> Emulator {
    let emu = Emulator::start();
    emu.boto(
        r#"
ecr = client("ecr")
for i in range(25):
    ecr.create_repository(repositoryName=f"team-{i}")
ecr.create_repository(repositoryName="pushed", imageScanningConfiguration={"scanOnPush": True})
ecr.create_repository(repositoryName="manual")
ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[
    {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "team-*", "filterType": "WILDCARD"}]}])
"#,
    );
    emu
}

const SCANNING: &str = "ecr-repository-image-scanning";

#[test]
fn scanning_is_asked_for_25_repositories_a_call_and_judged_as_ecr_applies_it() {
    let emu = account();
    let proxy = Proxy::start(&emu.url, json!([]));
    let out = run(scan(
        &proxy.url,
        "json",
        &["--rule", SCANNING, "--region", "us-east-1"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = findings_of(&json_report(&out), SCANNING);
    assert_eq!(found.len(), 27);
    for (repository, status) in &found {
        let want = if repository == "manual" {
            "FAIL"
        } else {
            "PASS"
        };
        assert_eq!(status, want, "{repository}");
    }
    assert_eq!(proxy.count("DescribeRepositories"), 1);
    assert_eq!(proxy.count("BatchGetRepositoryScanningConfiguration"), 2);
    for unread in [
        "GetLifecyclePolicy",
        "GetRepositoryPolicy",
        "ListTagsForResource",
    ] {
        assert_eq!(proxy.count(unread), 0, "{unread}");
    }
}

#[test]
fn a_refused_scanning_batch_errors_its_repositories_and_no_other() {
    let emu = account();
    let proxy = Proxy::start(
        &emu.url,
        json!([{"target": "AmazonEC2ContainerRegistry_V20150921.BatchGetRepositoryScanningConfiguration",
                "status": 400, "code": "AccessDeniedException", "format": "json", "times": 1}]),
    );
    let out = run(scan(
        &proxy.url,
        "json",
        &[
            "--rule",
            SCANNING,
            "--rule",
            "ecr-repository-lifecycle-policy",
            "--region",
            "us-east-1",
        ],
    ));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = json_report(&out);
    let found = findings_of(&report, SCANNING);
    let errors: Vec<&String> = found
        .iter()
        .filter(|(_, s)| s == "ERROR")
        .map(|(r, _)| r)
        .collect();
    assert!(errors.len() == 25 || errors.len() == 2, "{found:?}");
    for (repository, status) in &found {
        assert!(
            status == "ERROR" || (status == "FAIL") == (repository == "manual"),
            "{repository}: {status}"
        );
    }
    // The lifecycle, its own call, is judged for every repository.
    let lifecycle = findings_of(&report, "ecr-repository-lifecycle-policy");
    assert_eq!(lifecycle.len(), 27);
    assert!(lifecycle.iter().all(|(_, s)| s == "FAIL"), "{lifecycle:?}");
}
