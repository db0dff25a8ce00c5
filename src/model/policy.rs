//! Reads IAM-style resource policies (S3 bucket, Lambda, KMS key, SNS topic) into the
//! few facts the rules ask about: who is let in, and whether plain HTTP is refused.
//!
//! "Public" means an `Allow` to `*` (or `{"AWS": "*"}`) that no condition narrows to
//! known callers. Conditions on the source account, ARN, VPC, organisation or caller
//! account narrow it; a condition whose value is itself `*` does not. Reporting
//! conditioned grants as public is the false positive users of other scanners report
//! most, so this errs the other way only where a condition names real callers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::{Field, Type};

/// A resource-based policy reduced to what the rules ask of it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ResourcePolicy {
    pub present: bool,
    /// Allows anyone (`*`) without a condition that narrows who.
    pub public: bool,
}

impl ResourcePolicy {
    /// A present policy as the rules see it (the collectors' and the templates' reading).
    pub fn from_facts(facts: &PolicyFacts) -> ResourcePolicy {
        ResourcePolicy {
            present: true,
            public: facts.is_public(),
        }
    }
}

pub(crate) const RESOURCE_POLICY: &[Field] = &[
    Field::listed("present", Type::Bool, "a resource policy exists"),
    Field::listed(
        "public",
        Type::Bool,
        "allows anyone without a narrowing condition",
    ),
];

/// Condition keys that narrow who a public principal really is (compared lowercased).
const NARROWING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
    "lambda:eventsourcetoken",
];

/// What a policy document says, as far as the rules care.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyFacts {
    /// Actions (as written, e.g. `s3:GetObject`, `s3:*`) allowed to everyone unconditionally.
    pub public_actions: Vec<String>,
    /// A `Deny` of every action for everyone when `aws:SecureTransport` is false.
    pub denies_insecure_transport: bool,
}

impl PolicyFacts {
    /// Whether any public grant covers one of `actions` (wildcards in the grant count).
    pub fn public_allows_any(&self, actions: &[&str]) -> bool {
        self.public_actions
            .iter()
            .any(|granted| actions.iter().any(|wanted| glob_matches(granted, wanted)))
    }

    pub fn is_public(&self) -> bool {
        !self.public_actions.is_empty()
    }
}

/// Reads a policy document. An unparsable document yields `Err` with the reason.
pub fn analyze(document: &str) -> Result<PolicyFacts, String> {
    let doc: Value =
        serde_json::from_str(document).map_err(|e| format!("the policy is not valid JSON: {e}"))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    };
    let mut facts = PolicyFacts::default();
    for st in &statements {
        let effect = st.get("Effect").and_then(Value::as_str).unwrap_or("");
        let public = principal_is_everyone(st.get("Principal"));
        let actions = strings(st.get("Action"));
        if effect.eq_ignore_ascii_case("Allow") && public && !is_narrowed(st.get("Condition")) {
            if st.get("NotAction").is_some() {
                // Allow everything but a few actions: as broad as "*" for our purposes.
                facts.public_actions.push("*".to_string());
            }
            facts.public_actions.extend(actions.iter().cloned());
        }
        if effect.eq_ignore_ascii_case("Deny")
            && public
            && actions
                .iter()
                .any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"))
            && denies_without_tls(st.get("Condition"))
        {
            facts.denies_insecure_transport = true;
        }
    }
    Ok(facts)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn principal_is_everyone(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(map)) => map
            .get("AWS")
            .map(|aws| strings(Some(aws)).iter().any(|p| p == "*"))
            .unwrap_or(false),
        _ => false,
    }
}

/// True when some condition key in the statement names real callers.
fn is_narrowed(condition: Option<&Value>) -> bool {
    let Some(Value::Object(operators)) = condition else {
        return false;
    };
    operators.values().any(|keys| {
        let Value::Object(keys) = keys else {
            return false;
        };
        keys.iter().any(|(key, value)| {
            NARROWING_KEYS.contains(&key.to_ascii_lowercase().as_str())
                && strings(Some(value)).iter().any(|v| v != "*")
        })
    })
}

fn denies_without_tls(condition: Option<&Value>) -> bool {
    let Some(Value::Object(operators)) = condition else {
        return false;
    };
    operators.iter().any(|(op, keys)| {
        op.eq_ignore_ascii_case("Bool")
            && keys
                .as_object()
                .and_then(|k| {
                    k.iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case("aws:SecureTransport"))
                })
                .map(|(_, v)| {
                    strings(Some(v))
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case("false"))
                })
                .unwrap_or(false)
    })
}

/// IAM action matching: case-insensitive, `*` any run, `?` one character.
fn glob_matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_get_object_is_public_read() {
        let facts = analyze(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        )
        .unwrap();
        assert!(facts.public_allows_any(&["s3:GetObject"]));
        assert!(!facts.public_allows_any(&["s3:PutObject"]));
    }

    #[test]
    fn wildcard_actions_cover_writes() {
        let facts = analyze(
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:Put*"]}}"#,
        )
        .unwrap();
        assert!(facts.public_allows_any(&["s3:PutObject"]));
        assert!(!facts.public_allows_any(&["s3:GetObject"]));
    }

    #[test]
    fn source_account_condition_is_not_public() {
        let facts = analyze(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:Publish",
               "Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}"#,
        )
        .unwrap();
        assert!(!facts.is_public());
    }

    #[test]
    fn wildcard_condition_value_does_not_narrow() {
        let facts = analyze(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*",
               "Condition":{"StringLike":{"aws:SourceAccount":"*"}}}]}"#,
        )
        .unwrap();
        assert!(facts.is_public());
    }

    #[test]
    fn account_principal_is_not_public() {
        let facts = analyze(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*"}]}"#,
        )
        .unwrap();
        assert!(!facts.is_public());
    }

    #[test]
    fn tls_deny_statement_is_recognised() {
        let facts = analyze(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",
               "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        )
        .unwrap();
        assert!(facts.denies_insecure_transport);
        assert!(!facts.is_public());
    }

    #[test]
    fn tls_deny_of_one_action_is_not_enough() {
        let facts = analyze(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject",
               "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        )
        .unwrap();
        assert!(!facts.denies_insecure_transport);
    }

    #[test]
    fn invalid_json_is_an_error() {
        assert!(analyze("{not json").is_err());
    }
}
