//! Loads rule files (the embedded ones, then `--rules` directories, which add rules or
//! override built-in ones of the same id), validates each, and runs its test cases, so
//! a rule that does not do what its own tests say is refused before any scan uses it.

use std::collections::BTreeMap;

use chrono::DateTime;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use regex::Regex;

use serde_json::Value;

use super::condition::{compile, Condition, Params};
use super::evaluate::Setting;
use super::format::RuleFile;
use super::message::{Message, Template};
use super::{Remediation, Rule, RuleSet, Status};
use crate::model::{Properties, ResourceKind};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A rule file that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub file: String,
    pub reason: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule file {}: {}", self.file, self.reason)
    }
}

/// The built-in rules plus those under `dirs`, validated and tested; `fixes` are the
/// ids of the automatic remediations this build applies. Every file is read before any
/// is compiled, so a rule may take a parameter from another (`{param: …, rule: …}`),
/// as that other rule stands after the directories' overrides.
pub fn load(dirs: &[PathBuf], fixes: &[&str]) -> Result<RuleSet, LoadError> {
    // By id: (file, its content, where it came from).
    let mut files: BTreeMap<String, (String, RuleFile, String)> = BTreeMap::new();
    for (path, text) in EMBEDDED {
        let raw = read_rule(path, text)?;
        files.insert(
            raw.id.clone(),
            (path.to_string(), raw, "built-in".to_string()),
        );
    }
    for dir in dirs {
        let mut paths = Vec::new();
        let mut visited = Vec::new();
        walk(dir, &mut paths, &mut visited).map_err(|reason| LoadError {
            file: dir.display().to_string(),
            reason,
        })?;
        paths.sort();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for path in paths {
            let name = path.display().to_string();
            let text = read(&path).map_err(|reason| LoadError {
                file: name.clone(),
                reason,
            })?;
            let raw = read_rule(&name, &text)?;
            if let Some(other) = seen.insert(raw.id.clone(), name.clone()) {
                return Err(LoadError {
                    file: name,
                    reason: format!("id `{}` is also defined in {other}", raw.id),
                });
            }
            files.insert(raw.id.clone(), (name.clone(), raw, name));
        }
    }
    let params: BTreeMap<String, BTreeMap<String, Value>> = files
        .iter()
        .map(|(id, (_, raw, _))| (id.clone(), raw.parameters.clone()))
        .collect();
    let rules = files
        .into_values()
        .map(|(file, raw, source)| build(&file, raw, &source, fixes, &params))
        .collect::<Result<_, _>>()?;
    Ok(RuleSet { rules })
}

/// The rule files under `dir`. `visited` holds the directories walked so far (as the
/// file system resolves them), so a symbolic link back up the tree is refused by name
/// instead of walked forever.
fn walk(dir: &Path, files: &mut Vec<PathBuf>, visited: &mut Vec<PathBuf>) -> Result<(), String> {
    let real = fs::canonicalize(dir)
        .map_err(|e| format!("the rules directory {} cannot be read: {e}", dir.display()))?;
    if let Some(seen) = visited.iter().find(|v| **v == real) {
        return Err(format!(
            "{} leads back to {} (a symbolic link loop): remove the link",
            dir.display(),
            seen.display()
        ));
    }
    visited.push(real);
    let entries =
        fs::read_dir(dir).map_err(|e| format!("the rules directory cannot be read: {e}"))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("the rules directory cannot be read: {e}"))?
            .path();
        if path.is_dir() {
            walk(&path, files, visited)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
    visited.pop();
    Ok(())
}

/// The largest rule file read: rules are a few kilobytes.
const MAX_RULE_FILE: u64 = 1024 * 1024;

/// A rule file's text: only a regular file (not a FIFO or a device, which could block
/// or never end), of at most `MAX_RULE_FILE` bytes, in UTF-8; a byte-order mark is
/// dropped.
fn read(path: &Path) -> Result<String, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a regular file (a rule file must be one)".to_string());
    }
    if meta.len() > MAX_RULE_FILE {
        return Err(format!(
            "is {} bytes; a rule file may have at most {MAX_RULE_FILE}",
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_RULE_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() as u64 > MAX_RULE_FILE {
        return Err(format!("grew past {MAX_RULE_FILE} bytes while being read"));
    }
    let text = String::from_utf8(bytes).map_err(|e| format!("is not UTF-8 text: {e}"))?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// Parses and validates one rule file on its own; `source` is recorded on the rule.
#[cfg(test)]
pub fn parse(file: &str, text: &str, source: &str, fixes: &[&str]) -> Result<Rule, LoadError> {
    build(
        file,
        read_rule(file, text)?,
        source,
        fixes,
        &BTreeMap::new(),
    )
}

/// A rule file's content, as written (unknown keys refused).
fn read_rule(file: &str, text: &str) -> Result<RuleFile, LoadError> {
    serde_yaml_ng::from_str(text).map_err(|e| LoadError {
        file: file.to_string(),
        reason: e.to_string(),
    })
}

/// Validates one rule file's content, compiles its conditions (taking parameters of
/// the rules in `others` where it names them) and runs its test cases.
fn build(
    file: &str,
    raw: RuleFile,
    source: &str,
    fixes: &[&str],
    others: &BTreeMap<String, BTreeMap<String, Value>>,
) -> Result<Rule, LoadError> {
    let err = |reason: String| LoadError {
        file: file.to_string(),
        reason,
    };

    let id_shape = Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)+$").expect("valid regex");
    if !id_shape.is_match(&raw.id) {
        return Err(err(format!(
            "id `{}` is not kebab-case `<service>-<resource>-<property>`",
            raw.id
        )));
    }
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != raw.id {
        return Err(err(format!(
            "the file is named `{stem}` but the rule's id is `{}`; name the file after the id",
            raw.id
        )));
    }
    for field in [
        ("title", &raw.title),
        ("description", &raw.description),
        ("remediation.text", &raw.remediation.text),
    ] {
        if field.1.trim().is_empty() {
            return Err(err(format!("`{}` is empty", field.0)));
        }
    }
    if !raw.remediation.url.starts_with("https://") {
        return Err(err(format!(
            "remediation.url `{}` is not an https:// URL",
            raw.remediation.url
        )));
    }
    if let Some(id) = &raw.remediation.automatic {
        if !fixes.contains(&id.as_str()) {
            return Err(err(format!(
                "remediation.automatic `{id}` is not a fix this build applies (known: {})",
                fixes.join(", ")
            )));
        }
    }
    let framework_shape = Regex::new(r"^[a-z0-9][a-z0-9.-]*$").expect("valid regex");
    for (framework, controls) in &raw.frameworks {
        if !framework_shape.is_match(framework) || controls.is_empty() {
            return Err(err(format!("frameworks.{framework}: name a framework in lowercase (e.g. aws-fsbp) with at least one control id")));
        }
    }
    let resource: ResourceKind = raw
        .resource
        .parse()
        .map_err(|e| err(format!("resource: {e}")))?;
    let schema = resource.schema();
    let params = Params {
        own: &raw.parameters,
        others,
    };
    let applies_when = raw
        .applies_when
        .as_ref()
        .map(|node| compile(node, schema, &params, "applies_when"))
        .transpose()
        .map_err(err)?;
    let condition = compile(&raw.condition, schema, &params, "condition").map_err(err)?;
    let timed = condition.uses_time() || applies_when.as_ref().is_some_and(Condition::uses_time);
    if let Some(case) = raw.tests.iter().find(|t| timed && t.at.is_none()) {
        return Err(err(format!(
            "test `{}`: the rule compares dates, so each test case says when it is judged (`at: 2026-12-01T00:00:00Z`)",
            case.name
        )));
    }

    let message = raw
        .message
        .as_ref()
        .map(|m| {
            let parse = |text: &str, which: &str| {
                Template::parse(text, schema, &raw.parameters)
                    .map_err(|e| err(format!("message.{which} {e}")))
            };
            Ok::<_, LoadError>(Message {
                fail: parse(&m.fail, "fail")?,
                pass: m.pass.as_deref().map(|p| parse(p, "pass")).transpose()?,
            })
        })
        .transpose()?;
    let rule = Rule {
        id: raw.id,
        title: raw.title.trim().to_string(),
        description: raw.description.trim().to_string(),
        resource,
        severity: raw.severity,
        frameworks: raw.frameworks,
        remediation: Remediation {
            text: raw.remediation.text.trim().to_string(),
            url: raw.remediation.url,
            automatic: raw.remediation.automatic,
        },
        parameters: raw.parameters,
        applies_when,
        condition,
        message,
        source: source.to_string(),
    };

    let expected: Vec<Status> = raw
        .tests
        .iter()
        .map(|t| {
            t.expect
                .parse::<Status>()
                .map_err(|e| err(format!("test `{}`: {e}", t.name)))
        })
        .collect::<Result<_, _>>()?;
    if !expected.contains(&Status::Pass) || !expected.contains(&Status::Fail) {
        return Err(err(
            "a rule needs test cases with at least one PASS and one FAIL resource".to_string(),
        ));
    }
    for (case, want) in raw.tests.iter().zip(expected) {
        let props = Properties::from_attributes(resource, case.resource.clone()).map_err(|e| {
            err(format!(
                "test `{}`: the resource is not a valid {resource}: {e}",
                case.name
            ))
        })?;
        let region = case.region.as_deref().unwrap_or("us-east-1");
        let setting = Setting {
            region,
            account_id: "123456789012",
            at: case.at.unwrap_or(DateTime::UNIX_EPOCH),
        };
        let got = rule.judge(&props.attributes(), &|_| None, setting);
        if got.status != want {
            return Err(err(format!(
                "test `{}` expects {want} but the rule says {} ({})",
                case.name, got.status, got.evidence
            )));
        }
        // The written message renders for the rule's own cases.
        if let Some(Err(e)) = rule.written(got.status, &props.attributes(), setting) {
            return Err(err(format!("message: test `{}`: {e}", case.name)));
        }
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;

    #[test]
    fn a_message_must_render_for_the_rules_own_failing_cases() {
        let with =
            |message: &str| RULE.replace("tests:\n", &format!("message: {message}\ntests:\n"));
        let rule = parse(
            "s3-bucket-sample-rule.yaml",
            &with("{fail: \"versioning is {versioning.status}\", pass: versioning is on}"),
            "test",
            &fixes(),
        )
        .unwrap();
        let attrs = serde_json::json!({"versioning": {"status": "Suspended", "mfa_delete": false}});
        let setting = Setting {
            region: "us-east-1",
            account_id: "123456789012",
            at: DateTime::UNIX_EPOCH,
        };
        let judged = rule.judge(&attrs, &|_| None, setting);
        assert_eq!(judged.message, "versioning is Suspended");
        assert!(
            judged
                .evidence
                .contains("expected versioning.status = \"Enabled\""),
            "{}",
            judged.evidence
        );

        let e = parse(
            "s3-bucket-sample-rule.yaml",
            &with("{fail: \"policy is {policy.public_read}\"}"),
            "test",
            &fixes(),
        )
        .unwrap_err();
        assert!(
            e.reason
                .contains("message: test `off`: `{policy.public_read}` has no value"),
            "{e}"
        );
        let e = parse(
            "s3-bucket-sample-rule.yaml",
            &with("{fail: \"{nope}\"}"),
            "test",
            &fixes(),
        )
        .unwrap_err();
        assert!(
            e.reason
                .contains("message.fail `{nope}`: unknown attribute `nope`"),
            "{e}"
        );
    }

    #[test]
    fn every_built_in_rule_has_a_written_message() {
        // Each message renders for the rule's failing cases: the harness checked it
        // while loading.
        let rules = load(&[], &crate::aws::remediate::ids()).unwrap();
        let missing: Vec<&str> = rules
            .rules
            .iter()
            .filter(|r| r.message.is_none())
            .map(|r| r.id.as_str())
            .collect();
        assert!(missing.is_empty(), "rules without a message: {missing:?}");
    }

    /// No rule here names an automatic fix.
    fn fixes() -> Vec<&'static str> {
        Vec::new()
    }

    const RULE: &str = r#"id: s3-bucket-sample-rule
title: Sample
description: A sample rule.
resource: aws.s3.bucket
severity: medium
frameworks: {aws-fsbp: [S3.14]}
parameters: {wanted: Enabled}
remediation: {text: Turn it on., url: "https://docs.aws.amazon.com/x"}
condition: {attribute: versioning.status, eq: {param: wanted}}
tests:
  - {name: on, resource: {versioning: {status: Enabled}}, expect: PASS}
  - {name: off, resource: {versioning: {status: Suspended}}, expect: FAIL}
"#;

    fn error(text: &str) -> String {
        parse(
            "rules/s3/s3-bucket-sample-rule.yaml",
            text,
            "test",
            &fixes(),
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn a_valid_rule_loads_with_its_parameters_resolved() {
        let rule = parse(
            "rules/s3/s3-bucket-sample-rule.yaml",
            RULE,
            "test",
            &fixes(),
        )
        .unwrap();
        assert_eq!(rule.severity, Severity::Medium);
        assert_eq!(rule.frameworks["aws-fsbp"], vec!["S3.14".to_string()]);
        assert_eq!(
            rule.attributes().into_iter().collect::<Vec<_>>(),
            vec!["versioning".to_string()]
        );
    }

    #[test]
    fn syntax_errors_carry_the_file_and_the_position() {
        let e = error("id: [unclosed\n");
        assert!(
            e.starts_with("rule file rules/s3/s3-bucket-sample-rule.yaml: "),
            "{e}"
        );
        assert!(e.contains("line 1"), "{e}");
        let e = error(&RULE.replace("severity: medium", "severty: medium"));
        assert!(
            e.contains("unknown field `severty`") && e.contains("line 5"),
            "{e}"
        );
        let e = error(&RULE.replace("severity: medium", "severity: severe"));
        assert!(e.contains("unknown variant `severe`"), "{e}");
    }

    #[test]
    fn semantic_errors_name_the_place_in_the_condition() {
        let e = error(&RULE.replace("versioning.status, eq", "versioning.status, gt"));
        assert!(e.contains("condition.gt: `gt` takes a number"), "{e}");
        let e = error(&RULE.replace("eq: {param: wanted}", "eq: true"));
        assert!(
            e.contains("`eq` does not apply to `versioning.status`, a string"),
            "{e}"
        );
        let e = error(&RULE.replace("{param: wanted}", "{param: missing}"));
        assert!(e.contains("unknown parameter `missing`"), "{e}");
        let e = error(&RULE.replace("eq: {param: wanted}", "eq: x, ne: y"));
        assert!(e.contains("several operators (eq, ne)"), "{e}");
        let e = error(&RULE.replace(
            "condition: {attribute: versioning.status, eq: {param: wanted}}",
            "condition: {all: []}",
        ));
        assert!(e.contains("condition.all: the list is empty"), "{e}");
        let e = error(&RULE.replace(
            "url: \"https://docs.aws.amazon.com/x\"}",
            "url: \"https://docs.aws.amazon.com/x\", automatic: delete-bucket}",
        ));
        assert!(
            e.contains("remediation.automatic `delete-bucket` is not a fix this build applies"),
            "{e}"
        );
    }

    #[test]
    fn identity_and_metadata_are_checked() {
        let e = parse("rules/s3/other-name.yaml", RULE, "test", &fixes())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("named `other-name` but the rule's id is `s3-bucket-sample-rule`"),
            "{e}"
        );
        let e = error(&RULE.replace("https://docs.aws.amazon.com/x", "http://example.com"));
        assert!(e.contains("not an https:// URL"), "{e}");
        let e = error(&RULE.replace("aws-fsbp: [S3.14]", "AWS FSBP: [S3.14]"));
        assert!(e.contains("frameworks.AWS FSBP"), "{e}");
    }

    #[test]
    fn test_cases_must_be_valid_resources() {
        let e = error(&RULE.replace(
            "{versioning: {status: Enabled}}",
            "{versioning: {state: Enabled}}",
        ));
        assert!(
            e.contains("test `on`: the resource is not a valid aws.s3.bucket"),
            "{e}"
        );
    }

    const DATED: &str = r#"id: lambda-function-sample-rule
title: Sample
description: A sample rule.
resource: aws.lambda.function
severity: low
parameters: {ends: {python3.10: 2026-10-31}}
remediation: {text: Move., url: "https://docs.aws.amazon.com/x"}
condition: {attribute: runtime, before_date_in: {dates: {param: ends}}}
tests:
  - {name: before, at: 2026-01-01T00:00:00Z, resource: {runtime: python3.10}, expect: PASS}
  - {name: after, at: 2026-12-01T00:00:00Z, resource: {runtime: python3.10}, expect: FAIL}
"#;

    #[test]
    fn a_rule_that_compares_dates_says_when_each_test_is_judged() {
        let file = "rules/lambda/lambda-function-sample-rule.yaml";
        assert!(parse(file, DATED, "test", &fixes()).is_ok());
        let undated = DATED.replace("at: 2026-01-01T00:00:00Z, ", "");
        let e = parse(file, &undated, "test", &fixes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("test `before`: the rule compares dates"), "{e}");
        let bad_date = DATED.replace("2026-10-31", "31/10/2026");
        let e = parse(file, &bad_date, "test", &fixes())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("dates.python3.10: `\"31/10/2026\"` is not a YYYY-MM-DD date"),
            "{e}"
        );
    }

    #[test]
    fn a_parameter_of_another_rule_is_taken_as_that_rule_has_it() {
        let file = "rules/lambda/lambda-function-sample-rule.yaml";
        let borrowed = DATED.replace(
            "{param: ends}",
            "{param: ends, rule: lambda-function-other-rule}",
        );
        let others: BTreeMap<String, BTreeMap<String, Value>> = serde_json::from_value(
            serde_json::json!({"lambda-function-other-rule": {"ends": {"python3.10": "2026-10-31"}}}),
        )
        .unwrap();
        let raw = read_rule(file, &borrowed).unwrap();
        assert!(build(file, raw, "test", &fixes(), &others).is_ok());
        let e = parse(file, &borrowed, "test", &fixes())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no rule `lambda-function-other-rule` to take parameter `ends` from"),
            "{e}"
        );
    }
}
