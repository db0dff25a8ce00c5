//! Reads an identity policy document (a customer-managed policy's default version) into
//! the facts IAM.1 and IAM.21 ask about, as AWS Config's rules define them: an `Allow`
//! of action `*` on resource `*` (full administrator), and actions allowed with an
//! unrestricted wildcard (`ec2:*`, or `*` itself) — `ec2:Describe*` is not one.

use serde_json::Value;

/// What an identity policy allows, as far as the rules care.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityFacts {
    pub allows_full_admin: bool,
    /// As written, deduplicated, in the order first seen.
    pub full_service_actions: Vec<String>,
}

/// Analyses `document`, as IAM returns it: URL-encoded JSON (plain JSON is read too).
pub fn analyze(document: &str) -> Result<IdentityFacts, String> {
    let text = if document.trim_start().starts_with('{') {
        document.to_string()
    } else {
        percent_encoding::percent_decode_str(document)
            .decode_utf8()
            .map_err(|e| format!("policy document is not URL-encoded UTF-8: {e}"))?
            .into_owned()
    };
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| format!("policy document is not JSON: {e}"))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => return Err("policy document has no Statement".to_string()),
    };
    let mut facts = IdentityFacts::default();
    for statement in statements
        .iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
    {
        let actions = strings(statement.get("Action"));
        let on_everything = strings(statement.get("Resource")).iter().any(|r| r == "*");
        if on_everything && actions.iter().any(|a| a == "*") {
            facts.allows_full_admin = true;
        }
        for action in actions {
            let unrestricted = action == "*"
                || action
                    .split_once(':')
                    .is_some_and(|(service, name)| !service.is_empty() && name == "*");
            if unrestricted && !facts.full_service_actions.contains(&action) {
                facts.full_service_actions.push(action);
            }
        }
    }
    Ok(facts)
}

/// A string-or-list field as a list.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(doc: &str) -> IdentityFacts {
        analyze(doc).unwrap()
    }

    #[test]
    fn action_star_on_resource_star_is_full_admin() {
        let admin = facts(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#);
        assert!(admin.allows_full_admin);
        assert_eq!(admin.full_service_actions, ["*"]);
        // The same in lists, beside narrower statements.
        let listed = facts(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]},
                {"Effect": "Allow", "Action": ["ec2:Describe*", "*"], "Resource": ["arn:aws:s3:::b", "*"]}]}"#,
        );
        assert!(listed.allows_full_admin);
    }

    #[test]
    fn star_on_one_resource_or_denied_is_not_full_admin() {
        let scoped = facts(
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]}"#,
        );
        assert!(!scoped.allows_full_admin);
        assert_eq!(scoped.full_service_actions, ["*"]);
        let denied =
            facts(r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#);
        assert_eq!(denied, IdentityFacts::default());
    }

    #[test]
    fn service_wildcards_count_and_prefixed_wildcards_do_not() {
        let doc = facts(
            r#"{"Statement": [
                {"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*", "iam:Get*"], "Resource": "*"},
                {"Effect": "Allow", "Action": "S3:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}]}"#,
        );
        assert!(!doc.allows_full_admin);
        assert_eq!(doc.full_service_actions, ["s3:*", "S3:*"]);
    }

    #[test]
    fn url_encoded_documents_as_iam_returns_them_are_read() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        assert!(facts(encoded).allows_full_admin);
    }

    #[test]
    fn unreadable_documents_are_errors() {
        assert!(analyze("not json").is_err());
        assert!(analyze(r#"{"Version": "2012-10-17"}"#).is_err());
        assert!(analyze("%FF%FE").is_err());
    }
}
