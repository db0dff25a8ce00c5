//! The stack `deploy` applies and `destroy` removes: its embedded template, its name,
//! and the checks on the suffix that every resource name is built from. Pure: no AWS.

pub mod package;

/// The CloudFormation template, embedded so the binary deploys itself.
pub const TEMPLATE: &str = include_str!("../../infra/template.yaml");

/// The read-only scan role of a member account (`deploy --member-role`, StackSets).
pub const MEMBER_ROLE_TEMPLATE: &str = include_str!("../../infra/member-role.yaml");

/// The stack `deploy --member-role` applies it as, one per account and region.
pub const MEMBER_ROLE_STACK: &str = "compliance-member-role";

/// The member role's name by default: the member template's `RoleName` and the stack's
/// `MemberRoleName` (a unit test holds the three equal).
pub const DEFAULT_MEMBER_ROLE: &str = "ComplianceScanRole";

/// The longest suffix every derived name stays legal with: the bucket names
/// `compliance-artifacts-<suffix>-<12-digit account>` must fit S3's 63 characters, and
/// the role `compliance-flowlogs-delivery-<suffix>` IAM's 64.
pub const MAX_SUFFIX_LEN: usize = 20;

/// Where the scanner Lambda stores its outputs in the report bucket: under
/// `scans/YYYY/MM/DD/`, one `<scan id>.json` (the report), `.csv` and `.inventory.json`.
pub const SCANS_PREFIX: &str = "scans/";

/// Where the scheduled scans read the suppression file `deploy --suppressions` uploads.
pub const SUPPRESSIONS_KEY: &str = "config/suppressions.yaml";

/// Where the scanner keeps the last run's failures for the findings history.
#[cfg(feature = "lambda")]
pub const FAILING_KEY: &str = "state/failing.json";

/// The same for the organisation runs (`OrganizationScan`), apart, so that a direct
/// scan of the security account alone never reads as every other account resolved.
#[cfg(feature = "lambda")]
pub const ORGANIZATION_FAILING_KEY: &str = "state/organization-failing.json";

/// The key prefix of one stored scan's outputs, dated the day it started.
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

/// Checks `--schedule` as EventBridge reads a schedule expression: `rate(N unit)` (a
/// positive N; `minute`, `hour`, `day` for 1, their plurals otherwise) or `cron(…)` with
/// six fields, one of day-of-month and day-of-week being `?`.
pub fn check_schedule(expr: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("--schedule `{}` {why}", expr.escape_debug()));
    if let Some(inner) = expr.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let mut parts = inner.split(' ');
        let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return bad("is not rate(N UNIT), e.g. rate(6 hours)");
        };
        let n: u32 = match n.parse() {
            Ok(n) if n > 0 => n,
            _ => return bad("needs a whole number of at least 1, e.g. rate(6 hours)"),
        };
        let singular = ["minute", "hour", "day"];
        let ok = if n == 1 {
            singular.contains(&unit)
        } else {
            singular.iter().any(|s| unit == format!("{s}s"))
        };
        return if ok {
            Ok(())
        } else {
            bad("takes minute(s), hour(s) or day(s): the singular for 1, the plural otherwise")
        };
    }
    if let Some(inner) = expr.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        if fields.len() != 6 {
            return bad("needs six fields: minutes hours day-of-month month day-of-week year");
        }
        let allowed = |f: &str| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || ",-*/?#".contains(c))
        };
        if !fields.iter().all(|f| allowed(f)) {
            return bad("has characters a cron field does not take");
        }
        if (fields[2] == "?") == (fields[4] == "?") {
            return bad("needs `?` in exactly one of day-of-month and day-of-week");
        }
        return Ok(());
    }
    bad("is not a schedule expression: give rate(6 hours) or cron(0 3 * * ? *)")
}

/// Checks `--alert-email`: one address, `name@domain.tld`.
pub fn check_email(address: &str) -> Result<(), String> {
    let valid = address.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !address
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == ',');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "--alert-email `{}` is not one email address (name@example.com)",
            address.escape_debug()
        ))
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

    /// The findings history table's name, as the template names it.
    pub fn findings_table(&self) -> String {
        format!("compliance-findings-{}", self.0)
    }

    /// The scanner Lambda's name, as the template names it.
    pub fn function_name(&self) -> String {
        format!("compliance-scanner-{}", self.0)
    }

    /// The organisation run's state machine (`OrganizationScan`), as the template names it.
    pub fn state_machine_name(&self) -> String {
        format!("compliance-organization-{}", self.0)
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
    fn schedules_are_checked_as_eventbridge_reads_them() {
        for ok in [
            "rate(6 hours)",
            "rate(1 hour)",
            "rate(30 minutes)",
            "rate(1 day)",
            "cron(0 3 * * ? *)",
            "cron(0/15 * ? * MON-FRI *)",
        ] {
            assert_eq!(check_schedule(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("every 6 hours", "is not a schedule expression"),
            ("rate(0 hours)", "at least 1"),
            ("rate(1 hours)", "the singular for 1"),
            ("rate(6 hour)", "the plural otherwise"),
            ("rate(6 weeks)", "minute(s), hour(s) or day(s)"),
            ("cron(0 3 * * *)", "six fields"),
            (
                "cron(0 3 * * * *)",
                "exactly one of day-of-month and day-of-week",
            ),
            ("cron(0 3 ? * ? *)", "exactly one of"),
            ("cron(0 3 * * ? *;)", "characters"),
        ] {
            let e = check_schedule(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn an_alert_email_is_one_address() {
        assert_eq!(check_email("secops@example.com"), Ok(()));
        for bad in [
            "",
            "secops",
            "@example.com",
            "a@b",
            "a@b.",
            "a b@c.d",
            "a@c.d,b@c.d",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn both_templates_default_to_the_same_member_role() {
        assert_eq!(
            template_default("MemberRoleName").as_deref(),
            Some(DEFAULT_MEMBER_ROLE)
        );
        let member: serde_yaml_ng::Value = serde_yaml_ng::from_str(MEMBER_ROLE_TEMPLATE).unwrap();
        assert_eq!(
            member["Parameters"]["RoleName"]["Default"].as_str(),
            Some(DEFAULT_MEMBER_ROLE)
        );
    }

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
