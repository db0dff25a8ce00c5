//! Rules as data: each rule is a YAML file under `rules/` (embedded in the binary at
//! build time) or a directory given with `--rules`. This module loads and validates
//! them and judges one resource against one rule; it never performs I/O on AWS.

pub mod condition;
pub mod evaluate;
pub mod format;
pub mod load;
pub mod message;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::schema::Field;
use crate::model::{ResourceKind, Service};
use condition::Condition;
use evaluate::{evaluate, Setting};
use message::{deciding_item, Message, Values};

/// How bad a failure is, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Whether this severity is `threshold` or worse.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s.to_ascii_lowercase())
            .ok_or_else(|| format!("unknown severity `{s}` (critical, high, medium, low, info)"))
    }
}

/// A verdict, in AWS Config's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    Error,
    Pass,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::NotApplicable => "NOT_APPLICABLE",
            Status::Error => "ERROR",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            Status::Pass,
            Status::Fail,
            Status::NotApplicable,
            Status::Error,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| format!("unknown status `{s}` (PASS, FAIL, NOT_APPLICABLE, ERROR)"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remediation {
    pub text: String,
    pub url: String,
    /// The automatic remediation that can fix a failure, when one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<String>,
}

/// A validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub description: String,
    pub resource: ResourceKind,
    pub severity: Severity,
    /// Framework → control ids, e.g. `aws-fsbp` → `["S3.8"]`.
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub remediation: Remediation,
    pub parameters: BTreeMap<String, Value>,
    pub applies_when: Option<Condition>,
    pub condition: Condition,
    /// The sentences a person reads for a failure (and a pass).
    pub message: Option<Message>,
    /// Where the rule came from: `built-in` or a file path.
    pub source: String,
}

/// A verdict on one resource: the sentence a person reads, and the evaluator's full
/// explanation (the same when the rule has no written message for the verdict).
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub status: Status,
    pub message: String,
    pub evidence: String,
}

impl Rule {
    /// The top-level attributes the rule reads (its applicability and its condition).
    pub fn attributes(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if let Some(applies) = &self.applies_when {
            applies.attributes(&mut out);
        }
        self.condition.attributes(&mut out);
        out
    }

    /// What collecting a resource for this rule alone must read.
    pub fn needs(&self) -> Needs {
        let mut needs = Needs::default();
        needs.0.insert(self.resource, self.attributes());
        needs
    }

    /// Judges one resource. `failed` gives the collection error of an attribute that
    /// could not be read; an attribute collected on demand that is simply absent was
    /// not collected (a snapshot taken for other rules) and is an ERROR too.
    pub fn judge(
        &self,
        attrs: &Value,
        failed: &dyn Fn(&str) -> Option<String>,
        setting: Setting<'_>,
    ) -> Judgement {
        let schema = self.resource.schema();
        let unavailable = |cond: &Condition| -> Option<Judgement> {
            let mut needed = BTreeSet::new();
            cond.attributes(&mut needed);
            needed
                .iter()
                .find_map(|attr| {
                    if let Some(error) = failed(attr) {
                        return Some(format!("could not read {attr}: {error}"));
                    }
                    let on_demand = schema
                        .iter()
                        .any(|f: &Field| f.name == attr && f.call.is_some());
                    (on_demand && attrs.get(attr).is_none_or(Value::is_null))
                        .then(|| format!("{attr} was not collected in this inventory"))
                })
                .map(|message| Judgement {
                    status: Status::Error,
                    evidence: message.clone(),
                    message,
                })
        };
        if let Some(applies) = &self.applies_when {
            if let Some(error) = unavailable(applies) {
                return error;
            }
            let outcome = evaluate(applies, attrs, setting);
            if !outcome.holds {
                let message = format!("not applicable: {}", outcome.observed);
                return Judgement {
                    status: Status::NotApplicable,
                    evidence: message.clone(),
                    message,
                };
            }
        }
        if let Some(error) = unavailable(&self.condition) {
            return error;
        }
        let outcome = evaluate(&self.condition, attrs, setting);
        let status = if outcome.holds {
            Status::Pass
        } else {
            Status::Fail
        };
        let evidence = outcome.message();
        let message = match self.written(status, attrs, setting) {
            Some(Ok(sentence)) => sentence,
            _ => evidence.clone(),
        };
        Judgement {
            status,
            message,
            evidence,
        }
    }

    /// The written message for `status` on this resource: `None` when the rule has none
    /// for it, an error naming the placeholder that has no value.
    pub fn written(
        &self,
        status: Status,
        attrs: &Value,
        setting: Setting<'_>,
    ) -> Option<Result<String, String>> {
        let message = self.message.as_ref()?;
        let template = match status {
            Status::Fail => &message.fail,
            Status::Pass => message.pass.as_ref()?,
            Status::NotApplicable | Status::Error => return None,
        };
        let values = Values {
            attrs,
            item: deciding_item(&self.condition, attrs, setting),
            params: &self.parameters,
        };
        Some(template.render(&values))
    }
}

/// The rules a run uses, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Keeps only the rules `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&Rule) -> bool) {
        self.rules.retain(|r| keep(r));
    }

    /// Which attributes each resource kind must be collected with.
    pub fn needs(&self) -> Needs {
        let mut needs = Needs::default();
        for rule in &self.rules {
            needs
                .0
                .entry(rule.resource)
                .or_default()
                .extend(rule.attributes());
        }
        needs
    }
}

/// Which rules a run evaluates: the `scan` flags, or an on-demand request's detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Selection {
    /// Only these rule ids (all when empty).
    pub rules: Vec<String>,
    pub skip_rules: Vec<String>,
    /// Only rules on these services (all when empty).
    pub services: Vec<Service>,
    pub min_severity: Severity,
}

impl Default for Selection {
    fn default() -> Selection {
        Selection {
            rules: Vec::new(),
            skip_rules: Vec::new(),
            services: Vec::new(),
            min_severity: Severity::Info,
        }
    }
}

impl RuleSet {
    /// The rules `selection` keeps; an id it names that no rule has is an error.
    pub fn select(mut self, selection: &Selection) -> Result<RuleSet, String> {
        if let Some(id) = selection
            .rules
            .iter()
            .chain(&selection.skip_rules)
            .find(|id| self.get(id).is_none())
        {
            return Err(format!(
                "unknown rule id `{}`: `compliance scan --list-rules` lists the rules",
                id.escape_debug()
            ));
        }
        self.retain(|r| {
            (selection.rules.is_empty() || selection.rules.contains(&r.id))
                && !selection.skip_rules.contains(&r.id)
                && (selection.services.is_empty()
                    || selection.services.contains(&r.resource.service()))
                && r.severity.at_least(selection.min_severity)
        });
        Ok(self)
    }
}

/// Resource kinds to collect and, for each, the attributes the enabled rules read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Needs(pub BTreeMap<ResourceKind, BTreeSet<String>>);

impl Needs {
    pub fn kind(&self, kind: ResourceKind) -> bool {
        self.0.contains_key(&kind)
    }

    /// Whether any of `attrs` of `kind` is needed.
    pub fn any(&self, kind: ResourceKind, attrs: &[&str]) -> bool {
        self.0
            .get(&kind)
            .is_some_and(|set| attrs.iter().any(|a| set.contains(*a)))
    }
}
