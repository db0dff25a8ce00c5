use super::*;
use crate::output::fixtures;
use crate::rules::Status;

fn all_rules(report: &Report) -> BTreeSet<&str> {
    report.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn a_run_writes_its_failures_only_and_remembers_them() {
    let report = fixtures::report();
    let (items, failing) = items(&report, &Failing::default(), &all_rules(&report), 90);
    let written: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i.rule_id.as_str(), i.status.as_str()))
        .collect();
    assert_eq!(
        written,
        [
            ("s3-bucket-public-access-block", "FAIL"),
            ("s3-bucket-no-public-read", "FAIL")
        ],
        "no pass, no error"
    );
    let leaky = &items[1];
    assert_eq!(leaky.resource, "arn:aws:s3:::leaky");
    assert_eq!(
        leaky.evaluated,
        "2026-11-23T12:00:00Z#s3-bucket-no-public-read"
    );
    assert_eq!(
        leaky.expires_at,
        report.scan.finished_at.timestamp() + 90 * 86_400
    );
    assert_eq!(failing.failures.len(), 2);
    assert_eq!(failing.scan_id, "scan-1");
}

#[test]
fn the_next_run_resolves_what_it_saw_fixed_or_gone_and_keeps_what_it_could_not_see() {
    let first = fixtures::report();
    let (_, failing) = items(&first, &Failing::default(), &all_rules(&first), 90);

    let mut next = fixtures::report();
    next.scan.id = "scan-2".into();
    // leaky is fixed; `open` cannot be read this time.
    next.findings[2].status = Status::Pass;
    next.findings[1].status = Status::Error;
    let (items, kept) = items(&next, &failing, &all_rules(&next), 90);
    let written: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| (i.rule_id.as_str(), i.status.as_str(), i.detail.as_str()))
        .collect();
    assert_eq!(
        written,
        [("s3-bucket-no-public-read", "RESOLVED", "now PASS")]
    );
    let kept: Vec<&str> = kept
        .failures
        .iter()
        .map(|k| k.resource_id.as_str())
        .collect();
    assert_eq!(
        kept,
        ["open, \"quoted\""],
        "what could not be read still fails"
    );

    // A run of another rule only resolves nothing.
    let mut narrow = fixtures::report();
    narrow
        .findings
        .retain(|f| f.rule_id == "s3-bucket-versioning-enabled");
    let only: BTreeSet<&str> = ["s3-bucket-versioning-enabled"].into();
    let (items, kept) = super::items(&narrow, &failing, &only, 90);
    assert!(items.is_empty(), "{items:?}");
    assert_eq!(kept.failures.len(), 2);

    // The resource gone: resolved, saying so.
    let mut gone = fixtures::report();
    gone.findings.retain(|f| f.resource_id != "leaky");
    let (items, _) = super::items(&gone, &failing, &all_rules(&first), 90);
    assert!(items
        .iter()
        .any(|i| i.status == "RESOLVED" && i.detail == "the resource is gone"));

    // Accepted: resolved as accepted, and not written as a failure.
    let mut accepted = fixtures::report();
    accepted.findings[2].suppressed = Some(fixtures::suppression());
    let (items, _) = super::items(&accepted, &failing, &all_rules(&first), 90);
    let leaky: Vec<&Item> = items
        .iter()
        .filter(|i| i.resource == "arn:aws:s3:::leaky")
        .collect();
    assert_eq!(leaky.len(), 1);
    assert_eq!(
        (leaky[0].status.as_str(), leaky[0].detail.as_str()),
        ("RESOLVED", "accepted by a suppression")
    );
}

/// The fixture scanned in each of `scanned`, and `denied` not reached; `leaky` has no
/// ARN, as a regional settings resource named after its region has none.
fn organisation(scanned: &[&str], denied: &str) -> Report {
    use crate::organization::tests::{account, run};
    use crate::organization::{combine, Outcome};
    let mut outcomes: Vec<Outcome> = scanned
        .iter()
        .map(|id| {
            let mut report = fixtures::report();
            report.scan.account_id = id.to_string();
            report.findings[2].resource_arn = None;
            Outcome {
                account: account(id),
                result: Ok(report),
            }
        })
        .collect();
    outcomes.push(Outcome {
        account: account(denied),
        result: Err("cannot assume the role: AccessDenied".into()),
    });
    combine(run(), outcomes)
}

#[test]
fn an_organisation_run_keeps_each_accounts_failures_apart() {
    let (a, b) = ("111111111111", "222222222222");
    let both = organisation(&[a, b], "333333333333");
    let (items, failing) = items(&both, &Failing::default(), &all_rules(&both), 90);
    let leaky: Vec<(&str, Option<&str>)> = items
        .iter()
        .filter(|i| i.rule_id == "s3-bucket-no-public-read")
        .map(|i| (i.resource.as_str(), i.account_id.as_deref()))
        .collect();
    assert_eq!(
        leaky,
        [
            ("111111111111/leaky", Some(a)),
            ("222222222222/leaky", Some(b))
        ],
        "the same id in two accounts is two resources"
    );
    assert_eq!(failing.failures.len(), 4);

    // B's finding is not A's failure.
    let mut only_a = failing.clone();
    only_a
        .failures
        .retain(|k| k.account_id.as_deref() == Some(a));
    let b_leaky = both
        .findings
        .iter()
        .find(|f| f.resource_id == "leaky" && f.account_id.as_deref() == Some(b))
        .unwrap();
    assert!(!only_a.had(b_leaky), "a failure new in B is new");
    assert!(failing.had(b_leaky));

    // Next run: A fixed leaky, B's role is denied. Only A's failure is resolved; B's
    // are kept, unseen rather than fixed.
    let mut next = organisation(&[a], b);
    let fixed = next
        .findings
        .iter_mut()
        .find(|f| f.resource_id == "leaky")
        .unwrap();
    fixed.status = Status::Pass;
    let (items, kept) = super::items(&next, &failing, &all_rules(&both), 90);
    let written: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i.resource.as_str(), i.status.as_str()))
        .collect();
    assert_eq!(
        written,
        [
            ("arn:aws:s3:::open, \"quoted\"", "FAIL"),
            ("111111111111/leaky", "RESOLVED")
        ]
    );
    let mut kept: Vec<(Option<&str>, &str)> = kept
        .failures
        .iter()
        .map(|k| (k.account_id.as_deref(), k.resource_id.as_str()))
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            (Some(a), "open, \"quoted\""),
            (Some(b), "leaky"),
            (Some(b), "open, \"quoted\"")
        ]
    );
}
