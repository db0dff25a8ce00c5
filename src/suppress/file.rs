//! The suppression file (`version: 1`, `suppressions:`), read strictly: an unknown key,
//! a missing reason, owner or expiry, an expiry past the ceiling, an unknown rule id or
//! a `*` that would silence everything is refused with the file and the entry's line,
//! before anything is scanned.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::glob::Glob;
use super::{Entry, Suppressions};

/// What an entry is checked against: the rules this run knows, the day it is read on and
/// how far ahead an expiry may be.
pub struct Context<'a> {
    pub known_rules: &'a [&'a str],
    pub today: NaiveDate,
    pub max_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    #[serde(default)]
    suppressions: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    rules: Vec<String>,
    resources: Vec<String>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    reason: String,
    owner: String,
    expires: String,
    #[serde(default)]
    ticket: Option<String>,
}

/// What `baseline create` writes where a person must decide; loading refuses it.
pub const PLACEHOLDER: &str = "<fill in";

/// Parses and validates `text`, read from `file`.
pub fn parse(file: &str, text: &str, context: &Context<'_>) -> Result<Suppressions, String> {
    let raw: RawFile =
        serde_yaml_ng::from_str(text).map_err(|e| format!("suppression file {file}: {e}"))?;
    if raw.version != 1 {
        return Err(format!(
            "suppression file {file}: version {} is not one this build reads (version: 1)",
            raw.version
        ));
    }
    let lines = entry_lines(text, raw.suppressions.len());
    let entries = raw
        .suppressions
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let line = lines.as_ref().map(|l| l[i]);
            let at = match line {
                Some(line) => format!(" at line {line}"),
                None => String::new(),
            };
            entry_of(entry, context)
                .map(|entry| Entry {
                    source: match line {
                        Some(line) => format!("{file}:{line}"),
                        None => format!("{file}#{}", i + 1),
                    },
                    ..entry
                })
                .map_err(|reason| {
                    format!("suppression file {file}: suppressions[{i}]: {reason}{at}")
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Suppressions { entries })
}

fn entry_of(raw: RawEntry, context: &Context<'_>) -> Result<Entry, String> {
    if raw.rules.is_empty() {
        return Err("`rules` is empty: name the rule ids (or globs) it accepts".into());
    }
    let mut rule_ids = Vec::new();
    for rule in &raw.rules {
        let glob = Glob::new(rule);
        let matched: Vec<&str> = context
            .known_rules
            .iter()
            .copied()
            .filter(|id| glob.matches(id))
            .collect();
        if matched.is_empty() {
            return Err(if glob.is_pattern() {
                format!("rule pattern `{rule}` matches no rule")
            } else {
                format!("unknown rule id `{rule}` (`compliance scan --list-rules` lists them)")
            });
        }
        rule_ids.extend(matched.into_iter().map(str::to_string));
    }
    rule_ids.sort();
    rule_ids.dedup();

    if raw.resources.is_empty() || raw.resources.iter().any(|r| r.trim().is_empty()) {
        return Err("`resources` needs at least one id, ARN or glob, none empty".into());
    }
    let resources: Vec<Glob> = raw.resources.iter().map(|r| Glob::new(r)).collect();
    let narrowed = !raw.tags.is_empty() || !raw.accounts.is_empty() || !raw.regions.is_empty();
    if let Some(all) = resources.iter().find(|g| g.matches_all()) {
        if !narrowed {
            return Err(format!(
                "resources `{}` would silence every resource: narrow it with `tags`, `accounts` or `regions`",
                all.as_str()
            ));
        }
    }
    if let Some(bad) = raw
        .accounts
        .iter()
        .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("account `{bad}` is not a 12-digit account id"));
    }
    if raw.regions.iter().any(|r| r.trim().is_empty()) {
        return Err("`regions` has an empty region".into());
    }
    let mut tags = BTreeMap::new();
    for tag in &raw.tags {
        match tag.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                tags.insert(k.trim().to_string(), v.to_string());
            }
            _ => return Err(format!("tag `{tag}` is not KEY=VALUE")),
        }
    }
    for (field, value) in [("reason", &raw.reason), ("owner", &raw.owner)] {
        if value.trim().is_empty() {
            return Err(format!("`{field}` is empty: say {}", said(field)));
        }
        if value.trim_start().starts_with(PLACEHOLDER) {
            return Err(format!(
                "`{field}` is still the placeholder: say {}",
                said(field)
            ));
        }
    }
    if raw.expires.trim_start().starts_with(PLACEHOLDER) {
        return Err(
            "`expires` is still the placeholder: say the last day the risk is accepted".into(),
        );
    }
    let expires = NaiveDate::parse_from_str(raw.expires.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "expires `{}` is not a date like 2027-03-31: every accepted risk ends",
            raw.expires
        )
    })?;
    let ceiling = context.today + chrono::Days::new(u64::from(context.max_days));
    if expires > ceiling {
        return Err(format!(
            "expires {expires} is more than {} days away (after {ceiling}): accept the risk for a shorter time, or raise the ceiling with --max-suppression-days",
            context.max_days
        ));
    }
    let ticket = raw.ticket.filter(|t| !t.trim().is_empty());
    Ok(Entry {
        source: String::new(),
        rules: raw.rules.iter().map(|r| Glob::new(r)).collect(),
        rule_ids,
        resources,
        accounts: raw.accounts,
        regions: raw.regions.iter().map(|r| Glob::new(r)).collect(),
        tags,
        reason: raw.reason.trim().to_string(),
        owner: raw.owner.trim().to_string(),
        expires,
        ticket,
    })
}

fn said(field: &str) -> &'static str {
    match field {
        "reason" => "why the risk is accepted",
        _ => "who answers for it",
    }
}

/// The line each entry of the block list under `suppressions:` starts on, when the file
/// is written that way (a flow-style list gives `None`, and entries are named by number).
fn entry_lines(text: &str, count: usize) -> Option<Vec<usize>> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    lines.find(|(_, l)| l.starts_with("suppressions:"))?;
    let mut starts = Vec::new();
    let mut indent = None;
    for (number, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let here = line.len() - trimmed.len();
        let item = trimmed == "-" || trimmed.starts_with("- ");
        match indent {
            None if item => indent = Some(here),
            None => return None,
            Some(i) if here == i && item => {}
            Some(i) if here > i => continue,
            Some(_) => break,
        }
        starts.push(number);
    }
    (starts.len() == count).then_some(starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: [&str; 3] = [
        "s3-bucket-versioning-enabled",
        "s3-bucket-public-read-prohibited",
        "lambda-function-public-access-prohibited",
    ];

    fn context() -> Context<'static> {
        Context {
            known_rules: &RULES,
            today: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            max_days: 365,
        }
    }

    fn entry(extra: &str) -> String {
        format!(
            "version: 1\nsuppressions:\n  - rules: [s3-bucket-versioning-enabled]\n    resources: [logs]\n    reason: ok\n    owner: ops\n    expires: 2027-01-01\n  - rules: [s3-bucket-public-read-prohibited]\n    resources: [site]\n{extra}"
        )
    }

    fn refused(text: &str) -> String {
        parse("s.yaml", text, &context()).unwrap_err()
    }

    #[test]
    fn a_good_file_loads_with_each_entry_named_by_its_line() {
        let text = entry(
            "    regions: [eu-*]\n    tags: [Env=prod]\n    reason: public website\n    owner: web-team@example.com\n    expires: \"2027-06-30\"\n    ticket: WEB-12\n",
        );
        let set = parse("s.yaml", &text, &context()).unwrap();
        assert_eq!(set.entries.len(), 2);
        assert_eq!(set.entries[0].source, "s.yaml:3");
        assert_eq!(set.entries[1].source, "s.yaml:8");
        let second = &set.entries[1];
        assert_eq!(second.tags, BTreeMap::from([("Env".into(), "prod".into())]));
        assert_eq!(
            second.expires,
            NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()
        );
        assert_eq!(second.ticket.as_deref(), Some("WEB-12"));
        let none = parse("s.yaml", "version: 1\nsuppressions: []\n", &context()).unwrap();
        assert!(none.entries.is_empty());
    }

    #[test]
    fn globs_are_expanded_against_the_known_rules() {
        let text = "version: 1\nsuppressions:\n- rules: ['s3-*']\n  resources: [a]\n  reason: r\n  owner: o\n  expires: 2027-01-01\n";
        let set = parse("s.yaml", text, &context()).unwrap();
        assert_eq!(
            set.entries[0].rule_ids,
            [
                "s3-bucket-public-read-prohibited",
                "s3-bucket-versioning-enabled"
            ]
        );
        assert_eq!(
            set.entries[0].source, "s.yaml:3",
            "a list at the key's indent"
        );
    }

    #[test]
    fn every_bad_entry_is_refused_with_its_line() {
        let base = "    reason: r\n    owner: o\n    expires: 2027-01-01\n";
        let cases = [
            (entry("    reason: r\n    owner: o\n"), "missing field `expires`"),
            (entry("    owner: o\n    expires: 2027-01-01\n"), "missing field `reason`"),
            (entry(&format!("{base}    colour: red\n")), "unknown field `colour`"),
            (entry("    reason: \" \"\n    owner: o\n    expires: 2027-01-01\n"), "`reason` is empty"),
            (
                entry("    reason: r\n    owner: \"<fill in: who answers for it>\"\n    expires: 2027-01-01\n"),
                "`owner` is still the placeholder",
            ),
            (entry("    reason: r\n    owner: o\n    expires: next year\n"), "expires `next year` is not a date"),
            (entry("    reason: r\n    owner: o\n    expires: 2027-12-03\n"), "more than 365 days away"),
            (entry(&format!("{base}    accounts: ['1234']\n")), "not a 12-digit account id"),
            (entry(&format!("{base}    tags: [Env]\n")), "tag `Env` is not KEY=VALUE"),
        ];
        for (text, expected) in cases {
            let e = refused(&text);
            assert!(e.contains(expected), "{expected}: {e}");
            assert!(
                e.starts_with("suppression file s.yaml: suppressions[1]: "),
                "{e}"
            );
            assert!(e.contains(" at line "), "{e}");
        }
        let e = refused(&entry(&format!("{base}    tags: [Env]\n")));
        assert!(e.ends_with(" at line 8"), "the entry's own line: {e}");
        let e = refused(&entry(base).replace(
            "[s3-bucket-public-read-prohibited]",
            "[s3-bucket-public-read]",
        ));
        assert!(e.contains("unknown rule id `s3-bucket-public-read`"), "{e}");
        let e = refused(&entry(base).replace("[s3-bucket-public-read-prohibited]", "['ec2-*']"));
        assert!(e.contains("rule pattern `ec2-*` matches no rule"), "{e}");
        let e = refused(&entry(base).replace("[site]", "['*']"));
        assert!(e.contains("would silence every resource"), "{e}");
        assert!(
            parse(
                "s.yaml",
                &entry(&format!("{base}    regions: [us-east-1]\n")).replace("[site]", "['*']"),
                &context()
            )
            .is_ok(),
            "`*` narrowed by a region is allowed"
        );
        assert!(refused("version: 2\nsuppressions: []\n").contains("version 2"));
        assert!(refused("- not a file\n").starts_with("suppression file s.yaml: "));
    }

    #[test]
    fn the_ceiling_is_a_parameter() {
        let text = entry("    reason: r\n    owner: o\n    expires: 2028-06-01\n");
        let wide = Context {
            max_days: 730,
            ..context()
        };
        assert!(parse("s.yaml", &text, &wide).is_ok());
        let today = entry("    reason: r\n    owner: o\n    expires: 2027-12-02\n");
        assert!(
            parse("s.yaml", &today, &context()).is_ok(),
            "exactly the ceiling"
        );
        let past = entry("    reason: r\n    owner: o\n    expires: 2020-01-01\n");
        assert!(
            parse("s.yaml", &past, &context()).is_ok(),
            "an expired entry loads, and is reported expired"
        );
    }
}
