//! Keeps docs/permissions.md true: its scan policy must allow every call the resource
//! schema names, and its remediate policy every permission a fix declares.

use std::collections::BTreeSet;

use crate::model::ResourceKind;
use crate::remediate::Fix;

/// The `Action` lists of the JSON policies in docs/permissions.md, in order.
fn policies() -> Vec<BTreeSet<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/permissions.md");
    let text = std::fs::read_to_string(path).unwrap();
    text.split("```json")
        .skip(1)
        .map(|block| {
            let json = block.split("```").next().unwrap();
            let policy: serde_json::Value = serde_json::from_str(json).unwrap();
            policy["Statement"][0]["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// The IAM action behind an API call of `kind`'s service (S3's names differ).
fn iam_action(kind: ResourceKind, call: &str) -> String {
    let renamed = match call {
        "GetBucketEncryption" => "GetEncryptionConfiguration",
        "GetPublicAccessBlock" => "GetBucketPublicAccessBlock",
        "GetBucketLifecycleConfiguration" => "GetLifecycleConfiguration",
        other => other,
    };
    format!("{}:{renamed}", kind.service().as_str())
}

#[test]
fn the_scan_policy_allows_every_call_the_schema_names() {
    let scan = &policies()[0];
    for kind in ResourceKind::ALL {
        for field in kind.schema() {
            if let Some(call) = field.call {
                let action = iam_action(kind, call);
                assert!(
                    scan.contains(&action),
                    "{action} ({kind}.{}) is missing",
                    field.name
                );
            }
        }
    }
}

#[test]
fn the_remediate_policy_allows_every_permission_a_fix_declares() {
    let remediate = &policies()[1];
    for fix in Fix::ALL {
        for kind in ResourceKind::ALL {
            for action in fix.permissions(kind) {
                assert!(
                    remediate.contains(*action),
                    "{action} ({}) is missing",
                    fix.id()
                );
            }
        }
    }
}
