//! The evaluator against hand-written attributes: each operator, quantifier and
//! explanation.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::model::ResourceKind;
use crate::rules::condition::{compile, Params};
use crate::rules::format::Node;

const SETTING: Setting<'static> = Setting {
    region: "eu-west-1",
    account_id: "123456789012",
    at: DateTime::UNIX_EPOCH,
};

fn check(kind: ResourceKind, condition: Value, attrs: Value) -> Evaluation {
    check_with(kind, condition, attrs, json!({}))
}

fn check_with(kind: ResourceKind, condition: Value, attrs: Value, params: Value) -> Evaluation {
    let node: Node = serde_json::from_value(condition).unwrap();
    let params: BTreeMap<String, Value> = serde_json::from_value(params).unwrap();
    let params = Params {
        own: &params,
        others: &BTreeMap::new(),
    };
    let cond = compile(&node, kind.schema(), &params, "condition").unwrap();
    evaluate(&cond, &attrs, SETTING)
}

const S3: ResourceKind = ResourceKind::S3Bucket;
const SG: ResourceKind = ResourceKind::SecurityGroup;

#[test]
fn eq_reports_the_observed_value_and_the_expectation() {
    let o = check(
        S3,
        json!({"attribute": "versioning.status", "eq": "Enabled"}),
        json!({"versioning": {"status": "Suspended"}}),
    );
    assert!(!o.holds);
    assert_eq!(
        o.message(),
        r#"versioning.status is "Suspended"; expected versioning.status = "Enabled""#
    );
    let o = check(
        S3,
        json!({"attribute": "versioning.status", "eq": "Enabled"}),
        json!({"versioning": {"status": "Enabled"}}),
    );
    assert!(o.holds);
    assert_eq!(o.message(), r#"versioning.status is "Enabled""#);
}

#[test]
fn a_missing_attribute_fails_comparisons_and_satisfies_exists_false() {
    let attrs = json!({"encryption": {"enabled": false}});
    assert!(
        !check(
            S3,
            json!({"attribute": "encryption.algorithm", "eq": "AES256"}),
            attrs.clone()
        )
        .holds
    );
    assert!(
        !check(
            S3,
            json!({"attribute": "encryption.algorithm", "in": ["AES256"]}),
            attrs.clone()
        )
        .holds
    );
    assert!(
        !check(
            S3,
            json!({"attribute": "encryption.algorithm", "not_in": ["AES256"]}),
            attrs.clone()
        )
        .holds
    );
    assert!(
        check(
            S3,
            json!({"attribute": "encryption.algorithm", "exists": false}),
            attrs.clone()
        )
        .holds
    );
    let o = check(
        S3,
        json!({"attribute": "encryption.algorithm", "exists": true}),
        attrs,
    );
    assert_eq!(
        o.message(),
        "encryption.algorithm is not set; expected encryption.algorithm set"
    );
}

#[test]
fn numbers_compare() {
    let attrs = json!({"lifecycle": {"rule_count": 2, "enabled_rule_count": 0}});
    assert!(
        check(
            S3,
            json!({"attribute": "lifecycle.rule_count", "gte": 2}),
            attrs.clone()
        )
        .holds
    );
    assert!(
        !check(
            S3,
            json!({"attribute": "lifecycle.rule_count", "gt": 2}),
            attrs.clone()
        )
        .holds
    );
    assert!(
        check(
            S3,
            json!({"attribute": "lifecycle.enabled_rule_count", "lt": 1}),
            attrs.clone()
        )
        .holds
    );
    assert!(
        check(
            S3,
            json!({"attribute": "lifecycle.enabled_rule_count", "lte": 0}),
            attrs
        )
        .holds
    );
}

#[test]
fn patterns_fill_in_the_resource_s_region() {
    let cond = json!({"attribute": "flow_logs", "every": {"attribute": "log_group_name", "matches": "^audit-${region}$"}});
    let vpc = ResourceKind::Vpc;
    assert!(
        check(
            vpc,
            cond.clone(),
            json!({"flow_logs": [{"log_group_name": "audit-eu-west-1"}]})
        )
        .holds
    );
    let o = check(
        vpc,
        cond,
        json!({"flow_logs": [{"log_group_name": "audit-us-east-1"}]}),
    );
    assert!(!o.holds);
    assert!(
        o.message()
            .contains("flow_logs[0]: log_group_name is \"audit-us-east-1\""),
        "{}",
        o.message()
    );
    assert!(
        o.message().contains("/^audit-eu-west-1$/"),
        "{}",
        o.message()
    );
}

#[test]
fn quantifiers_over_lists() {
    let vpc = ResourceKind::Vpc;
    let some = json!({"attribute": "flow_logs", "some": {"attribute": "status", "eq": "ACTIVE"}});
    assert!(!check(vpc, some.clone(), json!({"flow_logs": []})).holds);
    assert_eq!(
        check(vpc, some.clone(), json!({"flow_logs": []})).observed,
        "flow_logs is empty"
    );
    assert!(
        check(
            vpc,
            some,
            json!({"flow_logs": [{"status": "x"}, {"status": "ACTIVE"}]})
        )
        .holds
    );
    let every =
        json!({"attribute": "flow_logs", "every": {"attribute": "traffic_type", "eq": "ALL"}});
    assert!(
        check(vpc, every.clone(), json!({"flow_logs": []})).holds,
        "vacuously true"
    );
    assert!(
        !check(
            vpc,
            every,
            json!({"flow_logs": [{"traffic_type": "ALL"}, {"traffic_type": "REJECT"}]})
        )
        .holds
    );
}

#[test]
fn port_ranges_that_contain_a_port_count() {
    let cond = json!({"attribute": "ingress", "none": {"all": [
        {"attribute": "ports", "range_includes": [22]},
        {"attribute": "ipv4_ranges", "contains": "0.0.0.0/0"}]}});
    let open = |from: i64, to: i64| json!({"ingress": [{"protocol": "tcp", "ports": {"from": from, "to": to}, "ipv4_ranges": ["0.0.0.0/0"]}]});
    assert!(!check(SG, cond.clone(), open(22, 22)).holds);
    let o = check(SG, cond.clone(), open(0, 1024));
    assert!(!o.holds);
    assert!(
        o.message().contains("ports 0-1024 includes port 22"),
        "{}",
        o.message()
    );
    assert!(check(SG, cond.clone(), open(23, 1024)).holds);
    assert!(
        check(
            SG,
            cond,
            json!({"ingress": [{"protocol": "icmp", "ipv4_ranges": ["0.0.0.0/0"]}]})
        )
        .holds,
        "no ports"
    );
}

#[test]
fn has_keys_names_what_is_missing() {
    let o = check_with(
        S3,
        json!({"attribute": "tags", "has_keys": {"param": "required"}}),
        json!({"tags": {"Owner": "a"}}),
        json!({"required": ["Owner", "CostCenter"]}),
    );
    assert!(!o.holds);
    assert_eq!(o.observed, "tags lacks CostCenter");
}

#[test]
fn any_all_and_not_combine() {
    let attrs = json!({"policy": {"public_read": true}, "acl": {"public_read": false}});
    let all = json!({"all": [{"attribute": "policy.public_read", "eq": false}, {"attribute": "acl.public_read", "eq": false}]});
    let o = check(S3, all, attrs.clone());
    assert!(!o.holds);
    assert_eq!(
        o.message(),
        "policy.public_read is true; expected policy.public_read = false"
    );
    let any = json!({"any": [{"attribute": "policy.public_read", "eq": false}, {"attribute": "acl.public_read", "eq": false}]});
    assert!(check(S3, any, attrs.clone()).holds);
    let not = json!({"not": {"attribute": "policy.public_read", "eq": true}});
    assert!(!check(S3, not, attrs).holds);
}

#[test]
fn empty_applies_to_lists_and_maps() {
    assert!(
        check(
            SG,
            json!({"attribute": "ingress", "empty": true}),
            json!({"ingress": []})
        )
        .holds
    );
    assert!(
        !check(
            SG,
            json!({"attribute": "egress", "empty": true}),
            json!({"egress": [{"protocol": "all"}]})
        )
        .holds
    );
    assert!(
        check(
            S3,
            json!({"attribute": "tags", "empty": false}),
            json!({"tags": {"a": "b"}})
        )
        .holds
    );
}

#[test]
fn a_value_s_date_in_a_schedule_is_compared_with_the_scan_s_start() {
    let node: Node = serde_json::from_value(json!({
        "attribute": "runtime",
        "before_date_in": {"dates": {"param": "ends"}, "days_ahead": {"param": "ahead"}}
    }))
    .unwrap();
    let judge = |runtime: Value, at: &str, ahead: u64| {
        let own: BTreeMap<String, Value> = serde_json::from_value(json!({
            "ends": {"python3.10": "2026-10-31", "python3.13": "2029-06-30"},
            "ahead": ahead
        }))
        .unwrap();
        let params = Params {
            own: &own,
            others: &BTreeMap::new(),
        };
        let lambda = ResourceKind::LambdaFunction;
        let cond = compile(&node, lambda.schema(), &params, "condition").unwrap();
        let setting = Setting {
            at: at.parse().unwrap(),
            ..SETTING
        };
        evaluate(&cond, &json!({"runtime": runtime}), setting)
    };
    assert!(judge(json!("python3.10"), "2026-10-30T23:59:59Z", 0).holds);
    let ended = judge(json!("python3.10"), "2026-10-31T00:00:00Z", 0);
    assert!(!ended.holds);
    assert_eq!(
        ended.message(),
        "runtime is \"python3.10\" (its end: 2026-10-31); expected runtime still supported on 2026-10-31"
    );
    // Ahead: the end falls within the next 90 days.
    assert!(!judge(json!("python3.10"), "2026-08-15T00:00:00Z", 90).holds);
    assert!(judge(json!("python3.10"), "2026-07-01T00:00:00Z", 90).holds);
    assert!(judge(json!("python3.13"), "2026-12-01T00:00:00Z", 90).holds);
    let unlisted = judge(json!("cobol85"), "2026-12-01T00:00:00Z", 0);
    assert!(!unlisted.holds);
    assert!(
        unlisted.observed.contains("does not list"),
        "{}",
        unlisted.observed
    );
}

#[test]
fn a_timestamp_s_age_is_counted_from_the_scan_s_start() {
    let judge = |op: &str, days: Value, when: Value| {
        let node: Node =
            serde_json::from_value(json!({"attribute": "deletion_date", op: days})).unwrap();
        let params = Params {
            own: &BTreeMap::new(),
            others: &BTreeMap::new(),
        };
        let cond = compile(&node, ResourceKind::KmsKey.schema(), &params, "condition").unwrap();
        let setting = Setting {
            at: "2026-12-01T12:00:00Z".parse().unwrap(),
            ..SETTING
        };
        evaluate(&cond, &json!({"deletion_date": when}), setting)
    };
    // 90 days before the start, to the second, is not older than 90 days.
    assert!(!judge("older_than_days", json!(90), json!("2026-09-02T12:00:00Z")).holds);
    let old = judge("older_than_days", json!(90), json!("2026-09-02T11:59:59Z"));
    assert!(old.holds);
    assert_eq!(
        old.observed,
        "deletion_date is \"2026-09-02T11:59:59Z\" (90 days before the scan)"
    );
    assert!(judge("within_days", json!(90), json!("2026-09-02T12:00:00Z")).holds);
    let stale = judge("within_days", json!(90), json!("2025-01-01T00:00:00Z"));
    assert!(!stale.holds);
    assert_eq!(
        stale.message(),
        "deletion_date is \"2025-01-01T00:00:00Z\" (699 days before the scan); expected deletion_date at most 90 days before the scan of 2026-12-01"
    );
    // Other time zones are the same instant; a time after the start is within any days.
    assert!(
        judge(
            "older_than_days",
            json!(0),
            json!("2026-12-01T11:00:00+00:30")
        )
        .holds
    );
    assert!(judge("within_days", json!(0), json!("2027-01-01T00:00:00Z")).holds);
    assert!(!judge("older_than_days", json!(0), json!("2027-01-01T00:00:00Z")).holds);
    // Absent or unreadable: neither holds.
    for op in ["older_than_days", "within_days"] {
        assert!(!judge(op, json!(1), Value::Null).holds);
        let odd = judge(op, json!(1), json!("last tuesday"));
        assert!(!odd.holds && odd.observed.ends_with("not a timestamp"));
    }
}

#[test]
fn age_operators_take_days_and_a_timestamp_attribute() {
    let params = Params {
        own: &BTreeMap::new(),
        others: &BTreeMap::new(),
    };
    let fail = |node: Value| {
        let node: Node = serde_json::from_value(node).unwrap();
        compile(&node, ResourceKind::KmsKey.schema(), &params, "condition").unwrap_err()
    };
    assert!(
        fail(json!({"attribute": "deletion_date", "older_than_days": -1}))
            .contains("a number of days")
    );
    assert!(
        fail(json!({"attribute": "deletion_date", "within_days": "90"}))
            .contains("a number of days")
    );
    assert!(
        fail(json!({"attribute": "key_state", "older_than_days": 3}))
            .contains("a timestamp attribute")
    );
}
