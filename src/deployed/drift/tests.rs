use super::*;
use crate::model::s3::{Bucket, Encryption, Versioning};
use crate::model::Properties;

fn bucket(name: &str, status: &str, key: Option<&str>, tags: &[(&str, &str)]) -> Resource {
    Resource {
        id: name.into(),
        arn: None,
        region: "us-east-1".into(),
        location: None,
        properties: Properties::S3Bucket(Bucket {
            name: name.into(),
            versioning: Some(Versioning {
                status: status.into(),
                mfa_delete: false,
            }),
            encryption: Some(Encryption {
                enabled: true,
                algorithm: Some(if key.is_some() { "aws:kms" } else { "AES256" }.into()),
                kms_key_id: key.map(str::to_string),
                kms_key_manager: None,
                bucket_key_enabled: false,
            }),
            tags: Some(
                tags.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Bucket::default()
        }),
    }
}

fn physical() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("Reports".to_string(), "reports-ci".to_string()),
        ("ReportKey".to_string(), "1234abcd".to_string()),
    ])
}

fn attributes(d: &[Difference]) -> Vec<&str> {
    d.iter().map(|d| d.attribute.as_str()).collect()
}

#[test]
fn versioning_suspended_live_is_drift_with_both_values() {
    let physical = physical();
    let cx = Context {
        physical: &physical,
        unknown: BTreeSet::new(),
    };
    let template = bucket("Reports", "Enabled", None, &[]);
    let live = bucket("reports-ci", "Suspended", None, &[]);
    let d = differences(&template, &live, &cx);
    assert_eq!(attributes(&d), ["versioning.status"]);
    assert_eq!(d[0].template, "Enabled");
    assert_eq!(d[0].live, "Suspended");
    assert!(differences(&template, &template, &cx).is_empty());
}

#[test]
fn a_reference_to_the_stacks_key_is_its_physical_id_and_arn_alike() {
    let physical = physical();
    let cx = Context {
        physical: &physical,
        unknown: BTreeSet::new(),
    };
    let arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd";
    for template_key in ["ReportKey", "${ReportKey}"] {
        let template = bucket("Reports", "Enabled", Some(template_key), &[]);
        let live = bucket("reports-ci", "Enabled", Some(arn), &[]);
        assert!(
            differences(&template, &live, &cx).is_empty(),
            "{template_key}"
        );
    }
    let other = bucket(
        "reports-ci",
        "Enabled",
        Some("arn:aws:kms:us-east-1:1:key/ffff"),
        &[],
    );
    let template = bucket("Reports", "Enabled", Some("ReportKey"), &[]);
    assert_eq!(
        attributes(&differences(&template, &other, &cx)),
        ["encryption.kms_key_id"]
    );
    // A key id that merely ends the same way is another key.
    let suffix = bucket(
        "reports-ci",
        "Enabled",
        Some("arn:aws:kms:us-east-1:1:key/x1234abcd"),
        &[],
    );
    assert_eq!(
        attributes(&differences(&template, &suffix, &cx)),
        ["encryption.kms_key_id"]
    );
}

#[test]
fn what_the_template_cannot_tell_or_resolve_is_not_compared() {
    let physical = physical();
    let template = bucket(
        "Reports",
        "Enabled",
        Some("arn:aws:kms:us-east-1:${AWS::AccountId}:key/other"),
        &[],
    );
    let live = bucket(
        "reports-ci",
        "Suspended",
        Some("arn:aws:kms:us-east-1:1:key/x"),
        &[],
    );
    let cx = Context {
        physical: &physical,
        unknown: BTreeSet::from(["versioning".to_string()]),
    };
    assert!(differences(&template, &live, &cx).is_empty());
}

#[test]
fn tags_cloudformation_adds_are_not_drift_but_a_changed_tag_is() {
    let physical = physical();
    let cx = Context {
        physical: &physical,
        unknown: BTreeSet::new(),
    };
    let template = bucket("Reports", "Enabled", None, &[("Owner", "sec")]);
    let live = bucket(
        "reports-ci",
        "Enabled",
        None,
        &[("Owner", "sec"), ("aws:cloudformation:stack-name", "app")],
    );
    assert!(differences(&template, &live, &cx).is_empty());
    let changed = bucket("reports-ci", "Enabled", None, &[("Owner", "web")]);
    assert_eq!(attributes(&differences(&template, &changed, &cx)), ["tags"]);
}

#[test]
fn lists_compare_as_sets() {
    assert!(same(
        &serde_json::json!(["a", "${ReportKey}", 3]),
        &serde_json::json!([3, "a", "${ReportKey}"])
    ));
    assert!(!same(
        &serde_json::json!(["a", "a"]),
        &serde_json::json!(["a", "b"])
    ));
    assert!(!same(
        &serde_json::json!(["a"]),
        &serde_json::json!(["a", "b"])
    ));
}
