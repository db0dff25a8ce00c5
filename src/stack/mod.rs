//! The stack `deploy` applies and `destroy` removes: its embedded template, its name,
//! and the checks on the suffix that every resource name is built from. Pure: no AWS.

pub mod package;

/// The CloudFormation template, embedded so the binary deploys itself.
pub const TEMPLATE: &str = include_str!("../../infra/template.yaml");

/// The longest suffix every derived name stays legal with: the bucket names
/// `compliance-artifacts-<suffix>-<12-digit account>` must fit S3's 63 characters, and
/// the role `compliance-flowlogs-delivery-<suffix>` IAM's 64.
pub const MAX_SUFFIX_LEN: usize = 20;

/// Where the scanner Lambda stores its outputs in the report bucket: under
/// `scans/YYYY/MM/DD/`, one `<scan id>.json` (the report), `.csv` and `.inventory.json`.
pub const SCANS_PREFIX: &str = "scans/";

/// The key prefix of one stored scan's outputs, dated the day it started.
#[cfg(feature = "lambda")]
pub fn scan_key(started_at: chrono::DateTime<chrono::Utc>, scan_id: &str) -> String {
    format!("{SCANS_PREFIX}{}/{scan_id}", started_at.format("%Y/%m/%d"))
}

/// The first key of the scans stored on or after `day`.
pub fn scans_from(day: chrono::NaiveDate) -> String {
    format!("{SCANS_PREFIX}{}", day.format("%Y/%m/%d"))
}

/// The template's default for parameter `key`.
pub fn template_default(key: &str) -> Option<String> {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(TEMPLATE).ok()?;
    match &doc["Parameters"][key]["Default"] {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A suffix checked against the naming rules of every resource it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suffix(String);

impl Suffix {
    /// Checks `raw`; the error names the rule it breaks.
    pub fn parse(raw: &str) -> Result<Suffix, String> {
        let bad = |rule: &str| Err(format!("invalid suffix `{raw}`: {rule}"));
        if raw.is_empty() {
            return bad("it is empty");
        }
        if raw.len() > MAX_SUFFIX_LEN {
            return bad(&format!(
                "it has {} characters; at most {MAX_SUFFIX_LEN} keep the S3 bucket names within 63",
                raw.len()
            ));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad("use only lowercase letters, digits and hyphens (S3 bucket names allow nothing else)");
        }
        if !raw.as_bytes()[0].is_ascii_lowercase() {
            return bad("it must start with a lowercase letter");
        }
        if raw.ends_with('-') || raw.contains("--") {
            return bad("it must not end with a hyphen or hold two in a row");
        }
        Ok(Suffix(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stack's name: `compliance-<suffix>`.
    pub fn stack_name(&self) -> String {
        format!("compliance-{}", self.0)
    }

    /// The scanner Lambda's name, as the template names it.
    pub fn function_name(&self) -> String {
        format!("compliance-scanner-{}", self.0)
    }
}

impl std::fmt::Display for Suffix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_defaults_are_read_from_the_template() {
        assert_eq!(template_default("Owner").as_deref(), Some("security"));
        assert_eq!(
            template_default("ReportRetentionDays").as_deref(),
            Some("90")
        );
        assert_eq!(template_default("EnvironmentSuffix"), None);
    }

    #[test]
    fn ci_style_suffixes_are_accepted() {
        for ok in [
            "pr-42",
            "prod",
            "a1",
            "team-x-staging",
            "abcdefghij0123456789",
        ] {
            assert_eq!(Suffix::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(
            Suffix::parse("pr-42").unwrap().stack_name(),
            "compliance-pr-42"
        );
    }

    #[test]
    fn each_broken_rule_is_named() {
        let cases = [
            ("", "empty"),
            ("PR-42", "lowercase letters"),
            ("pr_42", "lowercase letters"),
            ("42-pr", "start with a lowercase letter"),
            ("-pr", "start with a lowercase letter"),
            ("pr-", "end with a hyphen"),
            ("pr--42", "two in a row"),
            ("abcdefghij0123456789x", "at most 20"),
        ];
        for (raw, rule) in cases {
            let e = Suffix::parse(raw).unwrap_err();
            assert!(e.contains(rule), "{raw}: {e}");
        }
    }

    #[test]
    fn the_longest_suffix_keeps_every_name_legal() {
        let s = "a".repeat(MAX_SUFFIX_LEN);
        assert!(format!("compliance-artifacts-{s}-123456789012").len() <= 63);
        assert!(format!("compliance-reports-{s}-123456789012").len() <= 63);
        assert!(
            format!("compliance-flowlogs-delivery-{s}").len() <= 64,
            "IAM policy names"
        );
        assert!(
            format!("compliance-scanner-errors-{s}").len() <= 64,
            "Lambda and role names"
        );
    }
}
