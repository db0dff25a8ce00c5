//! IAM: `AWS::IAM::ManagedPolicy` (an `aws.iam.policy`) and `AWS::IAM::User`, with what
//! attaches to them folded in: roles, users and groups naming a template policy in
//! `ManagedPolicyArns` or `PermissionsBoundary`, `AWS::IAM::Policy` (inline) and
//! `ManagedPolicy` naming users, `AWS::IAM::AccessKey`s. A user the template creates
//! is new when deployed: created, its keys made, at the scan's time; it has a console
//! password only with a `LoginProfile`, and no MFA device (CloudFormation cannot
//! enable one).

use crate::model::iam::{AccessKey, Credentials, Permissions, Policy, User};
use crate::model::identity_policy;
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{Input, Targets};

pub fn managed_policy(input: &mut Input<'_>) -> Properties {
    let policy_name = input.named("ManagedPolicyName");
    let facts = input.attr("allows_full_admin", &["PolicyDocument"], |p| {
        let document = p.get("PolicyDocument").ok_or("no PolicyDocument")?;
        identity_policy::analyze(&document.to_json()?.to_string())
    });
    let attached = input
        .attr("attachment_count", &["Roles", "Users", "Groups"], |p| {
            let mut n = 0;
            for key in ["Roles", "Users", "Groups"] {
                n += optional(p.get(key), Node::list)?.map_or(0, |l| l.len() as i64);
            }
            Ok(n)
        })
        .unwrap_or_default();
    let (allows_full_admin, full_service_actions) = match facts {
        Some(f) => (f.allows_full_admin, f.full_service_actions),
        None => {
            // The same document decides both attributes.
            input.same_as("full_service_actions", "allows_full_admin");
            (false, Vec::new())
        }
    };
    Properties::IamPolicy(Policy {
        policy_name,
        attachment_count: attached,
        permissions_boundary_usage_count: 0,
        allows_full_admin,
        full_service_actions,
    })
}

/// Roles, users and groups: each template policy they attach or bound them with.
pub fn principal(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    if let Some(Ok(arns)) = p.get("ManagedPolicyArns").map(Node::list) {
        for arn in arns {
            targets.each(arn, ResourceKind::IamPolicy, |props, _| {
                if let Properties::IamPolicy(policy) = props {
                    policy.attachment_count += 1;
                }
            });
        }
    }
    if let Some(boundary) = p.get("PermissionsBoundary") {
        targets.each(boundary, ResourceKind::IamPolicy, |props, _| {
            if let Properties::IamPolicy(policy) = props {
                policy.permissions_boundary_usage_count += 1;
            }
        });
    }
}

pub fn user(input: &mut Input<'_>) -> Properties {
    let user_name = input.named("UserName");
    let at = input.at;
    let credentials = input.attr("credentials", &["LoginProfile"], |p| {
        let password = p.get("LoginProfile").is_some();
        Ok(Credentials {
            password_enabled: password,
            password_last_changed: password.then_some(at),
            ..Credentials::default()
        })
    });
    let permissions = input.attr(
        "permissions",
        &["ManagedPolicyArns", "Policies", "Groups"],
        |p| {
            let mut inline = Vec::new();
            for policy in optional(p.get("Policies"), Node::list)?.unwrap_or_default() {
                inline.push(
                    policy
                        .get("PolicyName")
                        .ok_or("a policy without PolicyName")?
                        .text()?,
                );
            }
            Ok(Permissions {
                attached_policies: optional(p.get("ManagedPolicyArns"), Node::texts)?
                    .unwrap_or_default(),
                inline_policies: inline,
                groups: optional(p.get("Groups"), Node::texts)?.unwrap_or_default(),
            })
        },
    );
    Properties::IamUser(User {
        user_name,
        create_date: Some(at),
        credentials,
        permissions,
    })
}

/// `AWS::IAM::AccessKey`: a key of the user `UserName` names, made at deploy.
pub fn access_key(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(user) = p.get("UserName") else {
        return;
    };
    let active = optional(p.get("Status"), Node::text).map(|s| s.is_none_or(|s| s == "Active"));
    let at = input.at;
    targets.each(user, ResourceKind::IamUser, |props, marks| {
        let Properties::IamUser(u) = props else {
            return;
        };
        let Some(credentials) = u.credentials.as_mut() else {
            return;
        };
        match &active {
            Ok(active) => {
                credentials.access_keys.push(AccessKey {
                    number: credentials.access_keys.len() as i64 + 1,
                    active: *active,
                    last_rotated: Some(at),
                    last_used: None,
                });
                credentials.active_access_keys += i64::from(*active);
            }
            Err(why) => marks.unknown("credentials", why.clone()),
        }
    });
}

/// `AWS::IAM::Policy` (inline) and `AWS::IAM::ManagedPolicy` naming `Users`: policies
/// of those users.
pub fn user_policy(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(Ok(users)) = p.get("Users").map(Node::list) else {
        return;
    };
    let inline = p.get("PolicyName").and_then(|n| n.text().ok());
    let name = inline.clone().unwrap_or_else(|| input.id.to_string());
    for user in users {
        targets.each(user, ResourceKind::IamUser, |props, _| {
            if let Properties::IamUser(u) = props {
                let permissions = u.permissions.get_or_insert_with(Permissions::default);
                match &inline {
                    Some(_) => permissions.inline_policies.push(name.clone()),
                    None => permissions.attached_policies.push(name.clone()),
                }
            }
        });
    }
}

/// `AWS::IAM::Policy`: an inline policy of each role, user and group it names, as the
/// template-only rules count them.
pub fn inline_policy(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let name = p
        .get("PolicyName")
        .and_then(|n| n.text().ok())
        .unwrap_or_else(|| input.id.to_string());
    for key in ["Roles", "Users", "Groups"] {
        let Some(Ok(holders)) = p.get(key).map(Node::list) else {
            continue;
        };
        for holder in holders {
            targets.each(holder, ResourceKind::StackResource, |props, _| {
                if let Properties::StackResource(r) = props {
                    r.inline_policies.push(name.clone());
                }
            });
        }
    }
}
