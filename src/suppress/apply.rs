//! Marks a report's failed findings with the first unexpired entry that matches each,
//! and says where every entry stands (active, expiring, expired, stale, out of scope).

use std::collections::BTreeSet;

use chrono::Duration;

use super::{Entry, Suppressions, EXPIRING_DAYS};
use crate::report::{EntryStatus, Finding, Report, Suppression, SuppressionEntry};
use crate::rules::Status;

/// Applies `set` to `report`, replacing what an earlier application marked; the
/// summary is the caller's to recount (`engine::suppress`). `evaluated` are the rule ids
/// the scan evaluated: an entry is only called stale when the scan evaluated all its rules.
pub fn apply(set: &Suppressions, report: &mut Report, evaluated: &BTreeSet<&str>) {
    let day = report.scan.collected_at.date_naive();
    let account = report.scan.account_id.clone();
    let mut matched = vec![0usize; set.entries.len()];
    for finding in &mut report.findings {
        finding.suppressed = None;
        if finding.status != Status::Fail {
            continue;
        }
        for (i, entry) in set.entries.iter().enumerate() {
            if !entry.matches(finding, &account) {
                continue;
            }
            matched[i] += 1;
            if finding.suppressed.is_none() && entry.expires >= day {
                finding.suppressed = Some(Suppression {
                    entry: entry.source.clone(),
                    reason: entry.reason.clone(),
                    owner: Some(entry.owner.clone()),
                    expires: Some(entry.expires),
                    ticket: entry.ticket.clone(),
                });
            }
        }
    }
    let complete = !report.scan.incomplete;
    report.suppressions = set
        .entries
        .iter()
        .zip(matched)
        .map(|(entry, findings)| {
            let in_scope = complete
                && entry
                    .rule_ids
                    .iter()
                    .all(|r| evaluated.contains(r.as_str()))
                && (entry.regions.is_empty()
                    || report
                        .scan
                        .regions
                        .iter()
                        .any(|r| entry.regions.iter().any(|g| g.matches(r))));
            let status = if entry.expires < day {
                EntryStatus::Expired
            } else if findings == 0 && in_scope {
                EntryStatus::Stale
            } else if findings == 0 {
                EntryStatus::OutOfScope
            } else if entry.expires <= day + Duration::days(EXPIRING_DAYS) {
                EntryStatus::Expiring
            } else {
                EntryStatus::Active
            };
            SuppressionEntry {
                entry: entry.source.clone(),
                rules: entry.rules.iter().map(|g| g.as_str().to_string()).collect(),
                resources: entry
                    .resources
                    .iter()
                    .map(|g| g.as_str().to_string())
                    .collect(),
                reason: entry.reason.clone(),
                owner: entry.owner.clone(),
                expires: entry.expires,
                ticket: entry.ticket.clone(),
                status,
                findings,
            }
        })
        .collect();
}

impl Entry {
    fn matches(&self, f: &Finding, account: &str) -> bool {
        self.rules.iter().any(|g| g.matches(&f.rule_id))
            && self.resources.iter().any(|g| {
                g.matches(&f.resource_id) || f.resource_arn.as_deref().is_some_and(|a| g.matches(a))
            })
            && (self.accounts.is_empty() || self.accounts.iter().any(|a| a == account))
            && (self.regions.is_empty() || self.regions.iter().any(|g| g.matches(&f.region)))
            && self
                .tags
                .iter()
                .all(|(k, v)| f.resource_tags.get(k) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::engine::summarize;
    use crate::output::fixtures;
    use crate::suppress::file::{parse, Context};

    const RULES: [&str; 4] = [
        "s3-bucket-versioning-enabled",
        "s3-bucket-public-access-block",
        "s3-bucket-no-public-read",
        "s3-bucket-ssl-requests-only",
    ];

    fn set(entries: &str) -> Suppressions {
        let context = Context {
            known_rules: &RULES,
            today: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            max_days: 365,
        };
        parse(
            "s.yaml",
            &format!("version: 1\nsuppressions:\n{entries}"),
            &context,
        )
        .unwrap()
    }

    fn all() -> BTreeSet<&'static str> {
        RULES.into_iter().collect()
    }

    fn entry(rule: &str, resource: &str, expires: &str, extra: &str) -> String {
        format!("- rules: ['{rule}']\n  resources: ['{resource}']\n  reason: accepted\n  owner: ops\n  expires: {expires}\n{extra}")
    }

    fn marked(report: &Report) -> Vec<(&str, Option<&str>)> {
        report
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| {
                (
                    f.resource_id.as_str(),
                    f.suppressed.as_ref().map(|s| s.entry.as_str()),
                )
            })
            .collect()
    }

    #[test]
    fn a_matching_entry_suppresses_a_failure_and_takes_it_out_of_the_score() {
        // The fixture was collected on 2026-11-23; `leaky` fails s3-bucket-no-public-read.
        let mut report = fixtures::report();
        let before = report.summary.clone();
        apply(
            &set(&entry(
                "s3-bucket-no-public-read",
                "leaky",
                "2026-12-31",
                "",
            )),
            &mut report,
            &all(),
        );
        report.summary = summarize(&report.findings, 4);
        assert_eq!(
            marked(&report),
            [("open, \"quoted\"", None), ("leaky", Some("s.yaml:3"))]
        );
        assert_eq!(report.summary.suppressed, 1);
        assert_eq!(
            report.summary.count(Status::Fail),
            before.count(Status::Fail) - 1
        );
        assert_eq!(
            report.summary.score,
            Some(50.0),
            "1 pass, 1 unsuppressed failure"
        );
        let leaky = report
            .findings
            .iter()
            .find(|f| f.resource_id == "leaky")
            .unwrap();
        assert_eq!(leaky.status, Status::Fail, "the verdict is kept");
        assert!(!leaky.fails());
        assert_eq!(report.suppressions[0].status, EntryStatus::Active);
        assert_eq!(report.suppressions[0].findings, 1);
    }

    #[test]
    fn expiry_is_judged_on_the_scan_day() {
        // Collected 2026-11-23 12:00 UTC: an entry expiring that day still holds.
        for (expires, suppressed, status) in [
            ("2026-11-22", false, EntryStatus::Expired),
            ("2026-11-23", true, EntryStatus::Expiring),
            ("2026-12-07", true, EntryStatus::Expiring),
            ("2026-12-08", true, EntryStatus::Active),
        ] {
            let mut report = fixtures::report();
            apply(
                &set(&entry("s3-bucket-no-public-read", "leaky", expires, "")),
                &mut report,
                &all(),
            );
            assert_eq!(marked(&report)[1].1.is_some(), suppressed, "{expires}");
            assert_eq!(report.suppressions[0].status, status, "{expires}");
            assert_eq!(report.suppressions[0].findings, 1, "{expires}");
        }
        // The same report replayed later is judged as it was.
        let mut report = fixtures::report();
        report.scan.started_at = Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap();
        apply(
            &set(&entry(
                "s3-bucket-no-public-read",
                "leaky",
                "2026-11-30",
                "",
            )),
            &mut report,
            &all(),
        );
        assert!(marked(&report)[1].1.is_some());
    }

    #[test]
    fn an_expired_entry_gives_way_to_a_later_one_that_holds() {
        let mut report = fixtures::report();
        let entries = entry("s3-bucket-no-public-read", "leaky", "2026-01-01", "")
            + &entry("s3-*", "arn:aws:s3:::lea*", "2026-12-31", "");
        apply(&set(&entries), &mut report, &all());
        assert_eq!(
            marked(&report)[1].1,
            Some("s.yaml:8"),
            "matched by ARN glob"
        );
        assert_eq!(report.suppressions[0].status, EntryStatus::Expired);
    }

    #[test]
    fn tags_accounts_and_regions_must_all_match() {
        let tagged = entry("s3-*", "*", "2026-12-31", "  tags: [Env=web, Team=site]\n");
        let mut report = fixtures::report();
        apply(&set(&tagged), &mut report, &all());
        assert!(
            marked(&report).iter().all(|(_, s)| s.is_none()),
            "no tags collected: nothing matches"
        );
        for f in &mut report.findings {
            f.resource_tags.insert("Env".into(), "web".into());
        }
        apply(&set(&tagged), &mut report, &all());
        assert!(
            marked(&report).iter().all(|(_, s)| s.is_none()),
            "one tag of two"
        );
        report.findings[2]
            .resource_tags
            .insert("Team".into(), "site".into());
        apply(&set(&tagged), &mut report, &all());
        assert_eq!(marked(&report)[1].1, Some("s.yaml:3"));

        for (extra, hits) in [
            ("  accounts: ['123456789012']\n", true),
            ("  accounts: ['999999999999']\n", false),
            ("  regions: ['us-*']\n", true),
            ("  regions: [eu-west-1]\n", false),
        ] {
            let mut report = fixtures::report();
            apply(
                &set(&entry(
                    "s3-bucket-no-public-read",
                    "leaky",
                    "2026-12-31",
                    extra,
                )),
                &mut report,
                &all(),
            );
            assert_eq!(marked(&report)[1].1.is_some(), hits, "{extra}");
        }
    }

    #[test]
    fn passes_and_errors_are_never_suppressed() {
        let mut report = fixtures::report();
        apply(
            &set(&entry(
                "s3-*",
                "*",
                "2026-12-31",
                "  regions: [us-east-1]\n",
            )),
            &mut report,
            &all(),
        );
        for f in &report.findings {
            assert_eq!(
                f.suppressed.is_some(),
                f.status == Status::Fail,
                "{}",
                f.resource_id
            );
        }
        report.summary = summarize(&report.findings, 4);
        assert_eq!(
            report.summary.count(Status::Error),
            1,
            "an unread resource still counts"
        );
    }

    #[test]
    fn an_unmatched_entry_is_stale_only_when_the_scan_covered_it() {
        let gone = entry(
            "s3-bucket-no-public-read",
            "deleted-bucket",
            "2026-12-31",
            "",
        );
        let mut report = fixtures::report();
        apply(&set(&gone), &mut report, &all());
        assert_eq!(report.suppressions[0].status, EntryStatus::Stale);

        let narrowed: BTreeSet<&str> = ["s3-bucket-versioning-enabled"].into_iter().collect();
        apply(&set(&gone), &mut report, &narrowed);
        assert_eq!(
            report.suppressions[0].status,
            EntryStatus::OutOfScope,
            "its rule was not run"
        );

        let elsewhere = entry(
            "s3-bucket-no-public-read",
            "deleted-bucket",
            "2026-12-31",
            "  regions: [eu-west-1]\n",
        );
        apply(&set(&elsewhere), &mut report, &all());
        assert_eq!(
            report.suppressions[0].status,
            EntryStatus::OutOfScope,
            "its region was not scanned"
        );

        report.scan.incomplete = true;
        apply(&set(&gone), &mut report, &all());
        assert_eq!(
            report.suppressions[0].status,
            EntryStatus::OutOfScope,
            "a scan cut short"
        );
    }
}
