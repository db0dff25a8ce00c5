//! (tests only) Walks the service registry and checks every service is complete: it has
//! rules, the demo seeds resources its rules judge, the template's VPC has its endpoint
//! and the template's scan policy and docs/permissions.md grant its calls. A service
//! added to the registry without one of these fails here, naming what is missing.

use std::collections::BTreeSet;

use crate::model::registry::{self, ServiceSpec};
use crate::model::SERVICES;
use crate::rules::RuleSet;
use crate::stack::TEMPLATE;

/// What the repository holds, read once.
#[derive(Clone)]
struct Evidence {
    rules: RuleSet,
    /// Services the demo seeds: its `seed_<service>()` functions (the integration test
    /// `every_seeded_resource_gets_the_verdict_the_demo_expects` holds each service's
    /// seeded verdicts to a real scan).
    seeded: BTreeSet<String>,
    /// Services with a VPC endpoint in the template.
    endpoints: BTreeSet<String>,
    template_policy: BTreeSet<String>,
    docs_policy: BTreeSet<String>,
}

fn template() -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(TEMPLATE).unwrap()
}

fn evidence() -> Evidence {
    let doc = template();
    let endpoints = doc["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::VPCEndpoint")
        .map(|r| {
            let name = match &r["Properties"]["ServiceName"] {
                serde_yaml_ng::Value::Tagged(t) => t.value.as_str().unwrap().to_string(),
                other => other.as_str().unwrap().to_string(),
            };
            // com.amazonaws.${AWS::Region}.<endpoint> (IAM's has no region), and the
            // endpoint may itself have a dot (ecr.api).
            let rest = name.strip_prefix("com.amazonaws.").unwrap();
            rest.strip_prefix("${AWS::Region}.")
                .unwrap_or(rest)
                .to_string()
        })
        .collect();
    let template_policy = doc["Resources"]["ScanReadPolicy"]["Properties"]["PolicyDocument"]
        ["Statement"][0]["Action"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/seed_demo.py"),
    )
    .unwrap();
    let seeded = seed
        .lines()
        .filter_map(|l| l.strip_prefix("def seed_"))
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_string)
        .collect();
    Evidence {
        rules: crate::rules::load::load(&[], &crate::aws::remediate::ids()).unwrap(),
        seeded,
        endpoints,
        template_policy,
        docs_policy: crate::permissions_doc::policies().swap_remove(0),
    }
}

/// What `spec` lacks, one sentence each.
fn problems(spec: &ServiceSpec, ev: &Evidence) -> Vec<String> {
    let name = spec.name;
    let mut out = Vec::new();
    let rules: Vec<&str> = ev
        .rules
        .rules
        .iter()
        .filter(|r| spec.kinds.contains(&r.resource))
        .map(|r| r.id.as_str())
        .collect();
    if rules.is_empty() {
        out.push(format!("{name}: no rule under rules/{name}/"));
    }
    // A template-only service has nothing live to seed.
    if !ev.seeded.contains(name) && spec.listed != registry::Listed::Template {
        out.push(format!(
            "{name}: scripts/seed_demo.py has no seed_{name}() seeding its resources"
        ));
    }
    for endpoint in spec.endpoints {
        if !ev.endpoints.contains(*endpoint) {
            out.push(format!(
                "{name}: infra/template.yaml has no VPC endpoint com.amazonaws.<region>.{endpoint}"
            ));
        }
    }
    for action in spec.scan_actions() {
        if !ev.template_policy.contains(&action) {
            out.push(format!(
                "{name}: the template's ScanReadPolicy lacks {action}"
            ));
        }
        if !ev.docs_policy.contains(&action) {
            out.push(format!(
                "{name}: docs/permissions.md's scan policy lacks {action}"
            ));
        }
    }
    out
}

#[test]
fn every_registered_service_is_complete() {
    let ev = evidence();
    let all: Vec<String> = SERVICES.iter().flat_map(|s| problems(s, &ev)).collect();
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn the_check_names_each_missing_piece() {
    let ev = evidence();
    let sns = crate::model::Service::Sns.spec();
    let mut broken = ev.clone();
    broken.endpoints.remove("sns");
    broken.template_policy.remove("sns:ListTopics");
    broken.docs_policy.remove("sns:GetTopicAttributes");
    broken.seeded.remove("sns");
    assert_eq!(
        problems(sns, &broken),
        [
            "sns: scripts/seed_demo.py has no seed_sns() seeding its resources",
            "sns: infra/template.yaml has no VPC endpoint com.amazonaws.<region>.sns",
            "sns: docs/permissions.md's scan policy lacks sns:GetTopicAttributes",
            "sns: the template's ScanReadPolicy lacks sns:ListTopics",
        ]
    );
    broken
        .rules
        .retain(|r| r.resource.service() != crate::model::Service::Sns);
    assert!(problems(sns, &broken).contains(&"sns: no rule under rules/sns/".to_string()));
}

#[test]
fn the_scan_policy_grants_exactly_the_calls_the_collectors_make() {
    assert_eq!(evidence().template_policy, registry::scan_actions());
}

#[test]
fn the_member_role_has_the_scan_policy_alone_and_trusts_only_the_security_account() {
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(crate::stack::MEMBER_ROLE_TEMPLATE).unwrap();
    let resources = doc["Resources"].as_mapping().unwrap();
    let types: BTreeSet<&str> = resources
        .values()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        BTreeSet::from(["AWS::IAM::ManagedPolicy", "AWS::IAM::Role"]),
        "managed policies only: no inline policy, nothing else"
    );
    let policy = &doc["Resources"]["ScanReadPolicy"]["Properties"]["PolicyDocument"];
    let statements = policy["Statement"].as_sequence().unwrap();
    assert_eq!(statements.len(), 1);
    let actions: BTreeSet<String> = statements[0]["Action"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, registry::scan_actions());
    assert_eq!(statements[0]["Effect"], "Allow");
    let role = &doc["Resources"]["ScanRole"]["Properties"];
    assert_eq!(role["ManagedPolicyArns"].as_sequence().unwrap().len(), 1);
    assert!(role.get("Policies").is_none());
    let trust = serde_yaml_ng::to_string(&role["AssumeRolePolicyDocument"]).unwrap();
    assert!(trust.contains("${TrustedAccountId}:root"), "{trust}");
    assert!(trust.contains("aws:PrincipalArn"), "{trust}");
    assert!(trust.contains("sts:ExternalId"), "{trust}");
}

#[test]
fn the_change_triggered_config_rule_covers_exactly_the_recorded_types_rules_judge() {
    let ev = evidence();
    let judged: BTreeSet<String> = ev
        .rules
        .rules
        .iter()
        .filter_map(|r| r.resource.config_type())
        .map(str::to_string)
        .collect();
    let scope: BTreeSet<String> = template()["Resources"]["ChangeConfigRule"]["Properties"]
        ["Scope"]["ComplianceResourceTypes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    assert_eq!(scope, judged);
    assert!(
        scope.len() <= 100,
        "a Config rule's scope holds 100 types at most"
    );
}

#[test]
fn the_vpc_has_an_endpoint_for_exactly_the_services_the_scanner_calls() {
    let wanted: BTreeSet<String> = registry::endpoints()
        .into_iter()
        .map(str::to_string)
        .collect();
    assert_eq!(evidence().endpoints, wanted);
}

#[test]
fn every_built_in_rule_sits_in_its_services_folder_named_after_its_id() {
    let ev = evidence();
    assert!(ev.rules.rules.len() >= 30, "{} rules", ev.rules.rules.len());
    for rule in &ev.rules.rules {
        let path = crate::rules::load::EMBEDDED
            .iter()
            .map(|(path, _)| std::path::Path::new(path))
            .find(|p| p.file_stem().is_some_and(|s| *s == *rule.id))
            .unwrap_or_else(|| panic!("{} is not embedded from a file of its name", rule.id));
        let folder = path.parent().and_then(|p| p.file_name()).unwrap();
        assert_eq!(
            folder.to_string_lossy(),
            rule.resource.service().as_str(),
            "{} sits in its service's folder",
            rule.id
        );
    }
}
