//! The rule file format as written on disk (YAML), before validation.
//!
//! Unknown keys are refused by serde so a typo (`eqq:`, `severty:`) is reported with
//! its line and column instead of being ignored.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::Severity;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub id: String,
    pub title: String,
    pub description: String,
    pub resource: String,
    pub severity: Severity,
    #[serde(default)]
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub remediation: RemediationFile,
    #[serde(default)]
    pub parameters: BTreeMap<String, Value>,
    #[serde(default)]
    pub applies_when: Option<Node>,
    pub condition: Node,
    /// The sentence a person reads (see `message.rs` for its placeholders).
    #[serde(default)]
    pub message: Option<MessageFile>,
    #[serde(default)]
    pub tests: Vec<TestCaseFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageFile {
    pub fail: String,
    #[serde(default)]
    pub pass: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemediationFile {
    pub text: String,
    pub url: String,
    #[serde(default)]
    pub automatic: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCaseFile {
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    /// When the case is judged: required of rules that compare dates.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    pub resource: Value,
    pub expect: String,
}

/// One condition node: a combinator (`all`, `any`, `not`), or an `attribute` with
/// exactly one operator or quantifier. Which fields may be set together is checked
/// when the node is compiled.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub all: Option<Vec<Node>>,
    pub any: Option<Vec<Node>>,
    pub not: Option<Box<Node>>,
    pub attribute: Option<String>,
    pub eq: Option<Value>,
    pub ne: Option<Value>,
    #[serde(rename = "in")]
    pub in_: Option<Value>,
    pub not_in: Option<Value>,
    pub exists: Option<bool>,
    pub matches: Option<Value>,
    pub gt: Option<Value>,
    pub gte: Option<Value>,
    pub lt: Option<Value>,
    pub lte: Option<Value>,
    pub contains: Option<Value>,
    pub empty: Option<bool>,
    pub has_keys: Option<Value>,
    pub range_includes: Option<Value>,
    pub before_date_in: Option<Value>,
    pub older_than_days: Option<Value>,
    pub within_days: Option<Value>,
    pub every: Option<Box<Node>>,
    pub some: Option<Box<Node>>,
    pub none: Option<Box<Node>>,
}
