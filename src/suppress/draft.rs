//! `compliance baseline create`: a report's unaccepted failures written as a suppression
//! file draft — one entry per rule and region — whose reason, owner and expiry are
//! placeholders that fail validation until a person fills them in, so adopting the
//! scanner on a backlog is a reviewed change, never a silent mute.

use std::collections::BTreeMap;

use serde::Serialize;

use super::file::PLACEHOLDER;
use crate::report::Report;

#[derive(Serialize)]
struct Draft {
    version: u32,
    suppressions: Vec<DraftEntry>,
}

#[derive(Serialize)]
struct DraftEntry {
    rules: Vec<String>,
    resources: Vec<String>,
    accounts: Vec<String>,
    regions: Vec<String>,
    reason: String,
    owner: String,
    expires: String,
}

/// The draft for `report`'s failures that no entry accepts yet; `None` when there are none.
pub fn draft(report: &Report) -> Option<String> {
    let mut groups: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.fails()) {
        groups.entry((&f.rule_id, &f.region)).or_default().push(
            f.resource_arn
                .clone()
                .unwrap_or_else(|| f.resource_id.clone()),
        );
    }
    if groups.is_empty() {
        return None;
    }
    let suppressions = groups
        .into_iter()
        .map(|((rule, region), mut resources)| {
            resources.sort();
            resources.dedup();
            DraftEntry {
                rules: vec![rule.to_string()],
                resources,
                accounts: vec![report.scan.account_id.clone()],
                regions: vec![region.to_string()],
                reason: format!("{PLACEHOLDER}: why this risk is accepted>"),
                owner: format!("{PLACEHOLDER}: who answers for it>"),
                expires: format!("{PLACEHOLDER}: the last day it is accepted, YYYY-MM-DD>"),
            }
        })
        .collect();
    let body = serde_yaml_ng::to_string(&Draft {
        version: 1,
        suppressions,
    })
    .expect("a draft of strings serializes");
    Some(format!(
        "# Drafted by `compliance baseline create` from scan {} of account {}.\n\
         # Each entry accepts the failures of one rule in one region. Fill in every\n\
         # reason, owner and expiry (at most a year away), delete what must be fixed\n\
         # instead, and commit the file through review: until then it is refused.\n{body}",
        report.scan.id, report.scan.account_id
    ))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::output::fixtures;
    use crate::suppress::file::{parse, Context};

    #[test]
    fn the_draft_lists_each_failure_and_is_refused_until_filled_in() {
        let report = fixtures::report();
        let text = draft(&report).unwrap();
        assert!(text.contains("arn:aws:s3:::leaky"), "{text}");
        assert!(text.contains("s3-bucket-public-access-block"), "{text}");
        assert!(
            !text.contains("denied"),
            "an ERROR is not a failure to accept: {text}"
        );
        let rules = ["s3-bucket-public-access-block", "s3-bucket-no-public-read"];
        let context = Context {
            known_rules: &rules,
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            max_days: 365,
        };
        let e = parse("draft.yaml", &text, &context).unwrap_err();
        assert!(e.contains("still the placeholder"), "{e}");
        let filled = text
            .replace("<fill in: why this risk is accepted>", "legacy site")
            .replace("<fill in: who answers for it>", "web@example.com")
            .replace(
                "<fill in: the last day it is accepted, YYYY-MM-DD>",
                "2027-03-31",
            );
        let set = parse("draft.yaml", &filled, &context).unwrap();
        assert_eq!(set.entries.len(), 2);
        let mut suppressed = report.clone();
        crate::engine::suppress(&mut suppressed, &set, &rules.into_iter().collect());
        assert_eq!(
            suppressed.summary.suppressed, 2,
            "the filled draft accepts every failure"
        );
        assert!(draft(&suppressed).is_none(), "nothing left to draft");
    }
}
