//! Safe fixes for failed findings, the pure half: the plan a report calls for (which
//! fix, by the id a rule names, on which resource), the values fixes take from the
//! command line, what a fix decides, and the audit record every action leaves. The
//! fixes themselves (id, permissions, decision, write), and the loop that re-reads each
//! resource through its collector and judges it with its rule, live in `aws::remediate`.
//!
//! Safe means: a fix only ever adds or turns on configuration (it never deletes, and it
//! never removes a security-group rule or a policy statement: such findings get the
//! rule's manual instructions); it acts only when the re-read state still fails; and it
//! counts as applied only when the state read after it passes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::ResourceKind;
use crate::report::{Finding, Report};
use crate::rules::RuleSet;

/// Values the fixes take from the command line, and the facts they name things by.
#[derive(Debug, Clone)]
pub struct FixOptions {
    /// `--kms-key`: SSE-KMS for buckets, the key for topics.
    pub kms_key: Option<String>,
    /// `--tag KEY=VALUE`: values for missing mandatory tags.
    pub tags: BTreeMap<String, String>,
    pub account_id: String,
    /// Dates the flow-log group's conventional name.
    pub today: NaiveDate,
}

impl FixOptions {
    /// The options of a run starting now.
    pub fn new(
        kms_key: Option<String>,
        tags: BTreeMap<String, String>,
        account_id: &str,
    ) -> FixOptions {
        FixOptions {
            kms_key,
            tags,
            account_id: account_id.to_string(),
            today: Utc::now().date_naive(),
        }
    }
}

/// The resource a fix acts on, as the finding named it.
#[derive(Debug, Clone, PartialEq)]
pub struct FixTarget {
    pub rule_id: String,
    pub resource_type: ResourceKind,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub region: String,
    /// For mandatory tags: the keys the rule requires.
    pub required_tags: Vec<String>,
}

/// One fix to attempt on one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The fix's id, as the rule's `remediation.automatic` names it.
    pub fix: String,
    pub target: FixTarget,
}

/// What a fix makes of a resource its rule fails on, re-read just now.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Make this change (described naming the API call).
    Change(String),
    /// Not done unattended: a value only the operator can give is missing, or the
    /// change would replace what someone chose.
    NeedsInput(String),
}

/// A failed finding no fix applies to: what a person should do.
#[derive(Debug, Clone, PartialEq)]
pub struct Manual {
    pub target: FixTarget,
    pub instructions: String,
    pub url: String,
}

/// What a report calls for.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub manual: Vec<Manual>,
}

/// Narrows a plan to some rules and resources (empty: everything).
#[derive(Debug, Default)]
pub struct Filter {
    pub rules: Vec<String>,
    /// Resource ids or ARNs.
    pub resources: Vec<String>,
}

impl Filter {
    /// Whether the filter keeps `finding`.
    pub fn keeps(&self, finding: &Finding) -> bool {
        (self.rules.is_empty() || self.rules.contains(&finding.rule_id))
            && (self.resources.is_empty() || self.resources.iter().any(|r| names(finding, r)))
    }
}

/// Whether `resource` (an id or an ARN) is the finding's resource.
pub fn names(finding: &Finding, resource: &str) -> bool {
    finding.resource_id == resource || finding.resource_arn.as_deref() == Some(resource)
}

/// The plan for the report's failed findings: one action per fix and resource (for
/// findings whose rule names a fix in `allowed`), manual instructions for the rest.
pub fn plan(report: &Report, rules: &RuleSet, filter: &Filter, allowed: &[&str]) -> Plan {
    let mut out = Plan::default();
    for f in report
        .findings
        .iter()
        .filter(|f| f.fails() && filter.keeps(f))
    {
        let target = FixTarget {
            rule_id: f.rule_id.clone(),
            resource_type: f.resource_type,
            resource_id: f.resource_id.clone(),
            resource_arn: f.resource_arn.clone(),
            region: f.region.clone(),
            required_tags: required_tags(rules, &f.rule_id),
        };
        let fix = f
            .remediation
            .automatic
            .clone()
            .filter(|fix| allowed.contains(&fix.as_str()));
        let Some(fix) = fix else {
            out.manual.push(Manual {
                target,
                instructions: f.remediation.text.clone(),
                url: f.remediation.url.clone(),
            });
            continue;
        };
        let duplicate = out.actions.iter().any(|a| {
            a.fix == *fix
                && a.target.resource_id == target.resource_id
                && a.target.region == target.region
        });
        if !duplicate {
            out.actions.push(Action { fix, target });
        }
    }
    out
}

/// Refuses `--tag` keys no loaded rule requires: most likely a misspelt key, which
/// would otherwise only show up as every tag fix skipped.
pub fn check_tag_keys<'k>(
    rules: &RuleSet,
    keys: impl IntoIterator<Item = &'k String>,
) -> Result<(), String> {
    let required: BTreeSet<String> = rules
        .rules
        .iter()
        .flat_map(|r| required_tags(rules, &r.id))
        .collect();
    for key in keys {
        if !required.contains(key) {
            return Err(format!(
                "--tag {key}: no mandatory-tags rule requires this key (they require: {})",
                required
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

/// The keys a mandatory-tags rule requires (its `required_tags` parameter).
fn required_tags(rules: &RuleSet, rule_id: &str) -> Vec<String> {
    rules
        .rules
        .iter()
        .find(|r| r.id == rule_id)
        .and_then(|r| r.parameters.get("required_tags"))
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// What happened to an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Dry run: the change that `--apply` would make.
    Planned,
    Applied,
    /// Nothing to do (already compliant, gone) or a value is missing (`--kms-key`, `--tag`).
    Skipped,
    Failed,
    /// No fix applies; a person has to act (the record carries the instructions).
    Manual,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Planned => "planned",
            Outcome::Applied => "applied",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
            Outcome::Manual => "manual",
        }
    }
}

/// One audit line (JSON Lines): every action leaves one, whatever its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: DateTime<Utc>,
    /// Groups the records of one `remediate` run.
    pub run_id: String,
    /// Who made (or would make) the change.
    pub caller: String,
    pub account_id: String,
    pub scan_id: String,
    pub remediation: String,
    pub rule_id: String,
    pub resource_type: ResourceKind,
    pub resource_id: String,
    pub region: String,
    /// The exact change, in words naming the API call.
    pub change: String,
    /// The resource's relevant state read before acting (null when it could not be read).
    pub before: Value,
    /// The state read after acting (null when nothing was changed).
    pub after: Value,
    pub result: Outcome,
    pub reason: String,
}

/// What every record of one `remediate` run (or one Lambda run) shares.
#[derive(Debug, Clone)]
pub struct Run {
    pub run_id: String,
    pub scan_id: String,
    pub caller: String,
    pub account_id: String,
}

impl Run {
    /// A record of `result` for `target`, with no change and no state yet.
    pub fn record(
        &self,
        target: &FixTarget,
        fix: Option<&str>,
        result: Outcome,
        reason: String,
    ) -> AuditRecord {
        AuditRecord {
            time: Utc::now(),
            run_id: self.run_id.clone(),
            caller: self.caller.clone(),
            account_id: self.account_id.clone(),
            scan_id: self.scan_id.clone(),
            remediation: fix.unwrap_or_default().to_string(),
            rule_id: target.rule_id.clone(),
            resource_type: target.resource_type,
            resource_id: target.resource_id.clone(),
            region: target.region.clone(),
            change: String::new(),
            before: Value::Null,
            after: Value::Null,
            result,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;
    use crate::rules::load;

    fn builtin() -> RuleSet {
        load::load(&[], &crate::aws::remediate::ids()).unwrap()
    }

    fn all() -> Vec<&'static str> {
        crate::aws::remediate::ids()
    }

    #[test]
    fn failed_findings_naming_a_fix_become_one_action_per_resource() {
        let mut report = fixtures::report();
        for f in &mut report.findings {
            f.remediation.automatic = Some("s3-versioning".to_string());
        }
        let mut twice = report.findings[1].clone();
        twice.rule_id = "another-rule".to_string();
        report.findings.push(twice);
        let plan = plan(&report, &builtin(), &Filter::default(), &["s3-versioning"]);
        let buckets: Vec<&str> = plan
            .actions
            .iter()
            .map(|a| a.target.resource_id.as_str())
            .collect();
        assert_eq!(
            buckets,
            ["open, \"quoted\"", "leaky"],
            "failed findings only, each bucket once"
        );
        assert!(plan.manual.is_empty());
        assert!(plan.actions.iter().all(|a| a.fix == "s3-versioning"));
    }

    #[test]
    fn findings_without_a_fix_get_the_rules_manual_instructions() {
        let plan = plan(&fixtures::report(), &builtin(), &Filter::default(), &all());
        assert!(plan.actions.is_empty());
        assert_eq!(plan.manual.len(), 2);
        assert_eq!(plan.manual[0].instructions, "fix it");
    }

    #[test]
    fn filters_narrow_by_rule_and_by_resource_id_or_arn() {
        let report = fixtures::report();
        let by_rule = Filter {
            rules: vec!["s3-bucket-no-public-read".into()],
            resources: vec![],
        };
        let by_arn = Filter {
            rules: vec![],
            resources: vec!["arn:aws:s3:::leaky".into()],
        };
        for filter in [by_rule, by_arn] {
            let plan = plan(&report, &builtin(), &filter, &all());
            let ids: Vec<&str> = plan
                .manual
                .iter()
                .map(|m| m.target.resource_id.as_str())
                .collect();
            assert_eq!(ids, ["leaky"]);
        }
    }

    #[test]
    fn mandatory_tag_actions_carry_the_rules_required_keys() {
        let mut report = fixtures::report();
        report.findings[2].rule_id = "s3-bucket-mandatory-tags".into();
        report.findings[2].remediation.automatic = Some("mandatory-tags".into());
        let plan = plan(&report, &builtin(), &Filter::default(), &all());
        assert_eq!(
            plan.actions[0].target.required_tags,
            ["Environment", "Owner", "CostCenter", "ComplianceLevel"]
        );
    }

    #[test]
    fn tag_keys_no_rule_requires_are_refused() {
        let rules = builtin();
        let owner = "Owner".to_string();
        let typo = "Ownr".to_string();
        assert!(check_tag_keys(&rules, [&owner]).is_ok());
        let e = check_tag_keys(&rules, [&owner, &typo]).unwrap_err();
        assert!(e.starts_with("--tag Ownr: no mandatory-tags rule requires this key (they require: ComplianceLevel, CostCenter, Environment, Owner)"), "{e}");
    }

    #[test]
    fn fixes_outside_the_allowed_set_are_left_to_a_person() {
        let mut report = fixtures::report();
        report.findings[2].remediation.automatic = Some("s3-versioning".into());
        let plan = plan(
            &report,
            &builtin(),
            &Filter::default(),
            &["s3-default-encryption"],
        );
        assert!(plan.actions.is_empty());
        assert_eq!(plan.manual.len(), 2);
    }
}
