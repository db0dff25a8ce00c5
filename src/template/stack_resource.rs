//! Every template resource as an `aws.cloudformation.resource`, for the rules only a
//! template can answer: its deletion and update-replace policies (with CloudFormation's
//! defaults), a role's inline policies (its own `Policies` and the `AWS::IAM::Policy`
//! resources naming it, folded in by `map::iam::inline_policy`), and the parameters its
//! physical name is built from.

use crate::model::cloudformation::StackResource;
use crate::model::Properties;

use super::map::Input;
use super::node::{Node, Value};
use super::resolve::Context;

/// Types whose default deletion and update-replace policy is `Snapshot` (CloudFormation
/// User Guide, "DeletionPolicy attribute"); a DB instance only outside a cluster.
fn default_policy(template_type: &str, props: &Node) -> &'static str {
    match template_type {
        "AWS::RDS::DBCluster" => "Snapshot",
        "AWS::RDS::DBInstance" if props.get("DBClusterIdentifier").is_none() => "Snapshot",
        _ => "Delete",
    }
}

/// The property that names a resource of `template_type`: `<Type>Name` (`BucketName`,
/// `FunctionName`, `RoleName`), else `Name`, `AliasName`, a DB identifier.
fn name_key<'d>(template_type: &str, declared: &'d Node) -> Option<&'d str> {
    let last = template_type.rsplit("::").next().unwrap_or_default();
    let own = format!("{last}Name");
    let props = declared.get("Properties")?;
    let Value::Map(entries) = &props.value else {
        return None;
    };
    let wanted = [
        own.as_str(),
        "Name",
        "AliasName",
        "DBInstanceIdentifier",
        "DBClusterIdentifier",
    ];
    wanted
        .iter()
        .find_map(|w| entries.iter().find(|e| e.key == *w).map(|e| e.key.as_str()))
}

/// The parameters `node` (unresolved) refers to: `Ref`s and `${…}` in `Fn::Sub`.
fn parameters_in(node: &Node, declared: &[String], out: &mut Vec<String>) {
    fn note(name: &str, declared: &[String], out: &mut Vec<String>) {
        if declared.iter().any(|p| p == name) && !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                match (e.key.as_str(), &e.node.value) {
                    ("Ref", Value::Scalar(name)) => note(name, declared, out),
                    ("Fn::Sub", _) => {
                        let text = match &e.node.value {
                            Value::List(items) => items.first().and_then(|t| t.text().ok()),
                            _ => e.node.text().ok(),
                        };
                        for piece in text.unwrap_or_default().split("${").skip(1) {
                            if let Some(name) = piece.split('}').next() {
                                note(name.trim(), declared, out);
                            }
                        }
                    }
                    _ => {}
                }
                parameters_in(&e.node, declared, out);
            }
        }
        Value::List(items) => items.iter().for_each(|i| parameters_in(i, declared, out)),
        _ => {}
    }
}

/// The `aws.cloudformation.resource` of `declared`, with `props` its resolved properties.
pub fn map(
    input: &mut Input<'_>,
    declared: &Node,
    template_type: &str,
    context: &Context<'_>,
    template_parameters: &[String],
) -> Properties {
    let default = default_policy(template_type, input.props);
    let policy = |input: &mut Input<'_>, key: &str, attr: &str| -> String {
        match declared
            .get(key)
            .map(|p| context.resolve(p).and_then(|v| v.text()))
        {
            None => default.to_string(),
            Some(Ok(text)) => text,
            Some(Err(why)) => {
                input.unknown(attr, format!("{key}: {why}"));
                String::new()
            }
        }
    };
    let deletion_policy = policy(input, "DeletionPolicy", "deletion_policy");
    let update_replace_policy = policy(input, "UpdateReplacePolicy", "update_replace_policy");
    let inline_policies = match template_type {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => input
            .attr("inline_policies", &["Policies"], |p| {
                let mut names = Vec::new();
                if let Some(list) = p.get("Policies") {
                    for policy in list.list()? {
                        names.push(
                            policy
                                .get("PolicyName")
                                .ok_or("a policy without PolicyName")?
                                .text()?,
                        );
                    }
                }
                Ok(names)
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let name_property = name_key(template_type, declared).map(str::to_string);
    let mut name_parameters = Vec::new();
    if let Some(key) = &name_property {
        input.named(key);
        if let Some(raw) = declared.path(&["Properties", key]) {
            parameters_in(raw, template_parameters, &mut name_parameters);
        }
    }
    Properties::StackResource(StackResource {
        logical_id: input.id.to_string(),
        resource_type: template_type.to_string(),
        deletion_policy,
        update_replace_policy,
        inline_policies,
        name_property,
        name_parameters,
        template_parameters: template_parameters.to_vec(),
    })
}
