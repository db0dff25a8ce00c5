//! Keeps docs/permissions.md true: its scan policy allows exactly the calls a scan makes
//! (the service registry's), its remediate policy exactly what the fixes declare.

use std::collections::BTreeSet;

use crate::aws::remediate::FIXES;
use crate::model::ResourceKind;

/// The `Action` lists of the JSON policies in docs/permissions.md, in order.
pub fn policies() -> Vec<BTreeSet<String>> {
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

#[test]
fn the_scan_policy_allows_exactly_the_calls_a_scan_makes() {
    assert_eq!(policies()[0], crate::model::registry::scan_actions());
}

#[test]
fn the_remediate_policy_allows_exactly_what_the_fixes_declare() {
    let mut declared: BTreeSet<String> = BTreeSet::from(["sts:GetCallerIdentity".to_string()]);
    for fix in FIXES {
        for &kind in ResourceKind::ALL {
            declared.extend((fix.permissions)(kind).iter().map(|a| a.to_string()));
        }
    }
    assert_eq!(policies()[1], declared);
}
