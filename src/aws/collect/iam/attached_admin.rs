//! The attached policies that allow every action on every resource, as CIS 1.16 audits
//! them: customer-managed ones from the authorisation details already read, and the
//! AWS-managed ones attached in the account (`ListPolicies` with `OnlyAttached`), each
//! read at its default version. A policy that cannot be read leaves the answer open.

use aws_sdk_iam::types::PolicyScopeType;
use aws_sdk_iam::Client;

use super::{CallError, Details};
use crate::aws::collect::Scope;
use crate::model::identity_policy;

/// The names of the attached full-administrator policies, or the call that failed.
pub(super) async fn policies(
    scope: &Scope<'_>,
    client: &Client,
    details: &Details,
) -> Result<Vec<String>, (&'static str, CallError)> {
    let operation = "GetAccountAuthorizationDetails";
    let customer = details
        .policies
        .as_ref()
        .map_err(|e| (operation, e.clone()))?;
    let mut names = Vec::new();
    for (_, policy, unreadable) in customer.iter().filter(|(_, p, _)| p.attachment_count > 0) {
        if let Some(reason) = unreadable {
            let e = CallError {
                code: "InvalidPolicy".to_string(),
                message: format!("{}: {reason}", policy.policy_name),
            };
            return Err((operation, e));
        }
        if policy.allows_full_admin {
            names.push(policy.policy_name.clone());
        }
    }
    let attached = client
        .list_policies()
        .scope(PolicyScopeType::Aws)
        .only_attached(true)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| ("ListPolicies", CallError::from(e)))?;
    let read = scope
        .bounded(attached, |p| async move {
            let arn = p.arn().unwrap_or_default().to_string();
            let version = p.default_version_id().unwrap_or("v1").to_string();
            let answer = client
                .get_policy_version()
                .policy_arn(&arn)
                .version_id(&version)
                .send()
                .await
                .map_err(|e| ("GetPolicyVersion", CallError::from(e)))?;
            let document = answer
                .policy_version()
                .and_then(|v| v.document())
                .unwrap_or_default();
            let facts = identity_policy::analyze(document).map_err(|reason| {
                let message = format!("{arn}: {reason}");
                let code = "InvalidPolicy".to_string();
                ("GetPolicyVersion", CallError { code, message })
            })?;
            let name = p.policy_name().unwrap_or_default().to_string();
            Ok(facts.allows_full_admin.then_some(name))
        })
        .await;
    for result in read {
        names.extend(result?);
    }
    names.sort();
    Ok(names)
}
