//! The findings history table (`compliance-findings-<suffix>`): its items (what a run
//! of the scanner Lambda writes, `record.rs`) and how `report --resource` reads one
//! resource's back, as episodes of failing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What an item records besides a failure (`FAIL`): the end of one.
pub const RESOLVED: &str = "RESOLVED";

/// The table's partition key for a resource: its ARN, else its id (within its account
/// in a run of several, `<account>/<id>`, as `report --resource ID --account A` asks).
pub fn partition(account_id: Option<&str>, arn: Option<&str>, resource_id: &str) -> String {
    match (arn, account_id) {
        (Some(arn), _) => arn.to_string(),
        (None, Some(account)) => format!("{account}/{resource_id}"),
        (None, None) => resource_id.to_string(),
    }
}

/// One item: partition key `resource` (`partition`), sort key `evaluated`
/// (`<RFC 3339 time>#<rule>`), and an `expires_at` (epoch seconds) for the table's TTL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub resource: String,
    /// In an organisation run: the resource's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub evaluated: String,
    pub rule_id: String,
    /// `FAIL`, or `RESOLVED` with the verdict that ended it in `detail`.
    pub status: String,
    pub severity: String,
    pub region: String,
    pub resource_type: String,
    pub detail: String,
    pub scan_id: String,
    pub expires_at: i64,
}

impl Item {
    /// When it was evaluated, and the rule, from the sort key.
    pub fn when(&self) -> &str {
        self.evaluated.split('#').next().unwrap_or_default()
    }
}

/// One stretch of a rule failing on a resource, as `report --resource` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    pub rule_id: String,
    pub severity: String,
    pub region: String,
    pub first_failed: String,
    pub last_failed: String,
    /// When it stopped failing, and why; absent while it still fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// The last failure's message.
    pub detail: String,
}

/// A resource's items (any order) as episodes per rule, oldest first.
pub fn episodes(items: &[Item]) -> Vec<Episode> {
    let mut sorted: Vec<&Item> = items.iter().collect();
    sorted.sort_by(|a, b| (a.when(), &a.rule_id).cmp(&(b.when(), &b.rule_id)));
    let mut open: BTreeMap<(&str, &str), Episode> = BTreeMap::new();
    let mut out = Vec::new();
    for i in sorted {
        let slot = (i.rule_id.as_str(), i.region.as_str());
        if i.status == RESOLVED {
            if let Some(mut e) = open.remove(&slot) {
                e.resolved = Some(i.when().to_string());
                e.resolution = Some(i.detail.clone());
                out.push(e);
            }
            continue;
        }
        let e = open.entry(slot).or_insert_with(|| Episode {
            rule_id: i.rule_id.clone(),
            severity: i.severity.clone(),
            region: i.region.clone(),
            first_failed: i.when().to_string(),
            last_failed: i.when().to_string(),
            resolved: None,
            resolution: None,
            detail: i.detail.clone(),
        });
        e.last_failed = i.when().to_string();
        e.detail = i.detail.clone();
    }
    out.extend(open.into_values());
    out.sort_by(|a, b| (&a.first_failed, &a.rule_id).cmp(&(&b.first_failed, &b.rule_id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(when: &str, rule: &str, status: &str, detail: &str) -> Item {
        Item {
            resource: "arn:aws:s3:::b".into(),
            account_id: None,
            evaluated: format!("{when}#{rule}"),
            rule_id: rule.into(),
            status: status.into(),
            severity: "high".into(),
            region: "us-east-1".into(),
            resource_type: "aws.s3.bucket".into(),
            detail: detail.into(),
            scan_id: "s".into(),
            expires_at: 0,
        }
    }

    #[test]
    fn items_become_episodes_of_failing_per_rule() {
        let items = [
            item("2026-12-03T06:00:00Z", "a", "FAIL", "still open"),
            item("2026-12-01T00:00:00Z", "a", "FAIL", "open"),
            item("2026-12-02T00:00:00Z", "a", "RESOLVED", "now PASS"),
            item("2026-12-01T06:00:00Z", "b", "FAIL", "b open"),
            item("2026-12-01T12:00:00Z", "b", "FAIL", "b open again"),
        ];
        let e = episodes(&items);
        let got: Vec<(&str, &str, &str, Option<&str>)> = e
            .iter()
            .map(|e| {
                (
                    e.rule_id.as_str(),
                    e.first_failed.as_str(),
                    e.last_failed.as_str(),
                    e.resolved.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "a",
                    "2026-12-01T00:00:00Z",
                    "2026-12-01T00:00:00Z",
                    Some("2026-12-02T00:00:00Z")
                ),
                ("b", "2026-12-01T06:00:00Z", "2026-12-01T12:00:00Z", None),
                ("a", "2026-12-03T06:00:00Z", "2026-12-03T06:00:00Z", None),
            ]
        );
        assert_eq!(e[0].resolution.as_deref(), Some("now PASS"));
        assert_eq!(e[1].detail, "b open again");
    }
}
