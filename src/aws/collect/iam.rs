//! IAM, once for the account: the account's settings, its users, its customer-managed
//! policies and its server certificates. Whatever IAM can answer for every user at once is asked once — the
//! credential report (passwords, MFA, access keys) and one authorisation-details
//! listing (each user's policies and groups, each policy's default version) — so a
//! user or a policy costs no call of its own. Each call is made only when an enabled
//! rule reads what it fills.

mod attached_admin;
mod report;

use std::collections::BTreeMap;

use aws_sdk_iam::types::{EntityType, SummaryKeyType};
use aws_sdk_iam::Client;

use super::{error, resource, Collected, Collector, Scope, Wanted};
use crate::aws::errors::{or_absent, CallError};
use crate::model::iam::{
    Account, PasswordPolicy, Permissions, Policy, Root, ServerCertificate, User, GLOBAL,
};
use crate::model::{identity_policy, Properties, ResourceKind};

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, _home| Box::pin(collect(scope)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

async fn collect(scope: &Scope<'_>) -> Collected {
    let client = &Client::new(&scope.session.config);
    let needs = scope.needs;
    let mut out = Collected::default();
    let details = if needs.any(ResourceKind::IamUser, &["permissions"])
        || needs.kind(ResourceKind::IamPolicy)
        || needs.any(ResourceKind::IamAccount, &["attached_admin_policies"])
    {
        Some(authorization_details(scope, client).await)
    } else {
        None
    };
    // One report for the users' credentials and the root user's.
    let report = if needs.any(ResourceKind::IamUser, &["credentials"])
        || needs.any(ResourceKind::IamAccount, &["root_credentials"])
    {
        Some(report::read(client).await)
    } else {
        None
    };
    let report = report.as_ref();
    if needs.kind(ResourceKind::IamAccount) {
        account(scope, client, details.as_ref(), report, &mut out).await;
    }
    if needs.kind(ResourceKind::IamUser) {
        users(scope, client, details.as_ref(), report, &mut out).await;
    }
    if let Some(details) = &details {
        if needs.kind(ResourceKind::IamPolicy) {
            policies(details, &mut out);
        }
    }
    if needs.kind(ResourceKind::ServerCertificate) {
        server_certificates(client, &mut out).await;
    }
    out
}

/// IAM has no fix yet: a re-read is the whole collection, kept to the one resource.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let mut all = collect(scope).await;
    all.resources
        .retain(|r| r.properties.kind() == wanted.kind && r.id == wanted.id);
    all
}

/// The caller's partition (`aws`, `aws-cn`, `aws-us-gov`), from its ARN.
fn partition<'s>(scope: &Scope<'s>) -> &'s str {
    scope.session.caller_arn.split(':').nth(1).unwrap_or("aws")
}

/// The partition's AWS-managed policy `name`.
fn managed_policy_arn(scope: &Scope<'_>, name: &str) -> String {
    format!("arn:{}:iam::aws:policy/{name}", partition(scope))
}

async fn account(
    scope: &Scope<'_>,
    client: &Client,
    details: Option<&Details>,
    report: Option<&Result<report::Report, CallError>>,
    out: &mut Collected,
) {
    let kind = ResourceKind::IamAccount;
    let id = scope.session.account_id.as_str();
    let needs = |attr: &str| scope.needs.any(kind, &[attr]);
    let mut fail = |attr: &str, operation: &str, e: CallError| {
        out.errors
            .push(error(kind, GLOBAL, Some(id), &[attr], operation, e));
    };
    let mut account = Account {
        account_id: id.to_string(),
        ..Account::default()
    };
    if needs("password_policy") {
        let answer = client.get_account_password_policy().send().await;
        let policy = answer.map_err(CallError::from).map(|o| {
            o.password_policy().map(|p| PasswordPolicy {
                present: true,
                minimum_password_length: p.minimum_password_length().map(i64::from),
                require_symbols: p.require_symbols(),
                require_numbers: p.require_numbers(),
                require_uppercase_characters: p.require_uppercase_characters(),
                require_lowercase_characters: p.require_lowercase_characters(),
                allow_users_to_change_password: p.allow_users_to_change_password(),
                max_password_age: p
                    .max_password_age()
                    .filter(|_| p.expire_passwords())
                    .map(i64::from),
                password_reuse_prevention: p.password_reuse_prevention().map(i64::from),
                hard_expiry: p.hard_expiry().unwrap_or(false),
            })
        });
        // An account that never set a policy answers NoSuchEntity: a fact.
        match or_absent(policy, &["NoSuchEntity"], || None) {
            Ok(Some(p)) => account.password_policy = Some(p),
            Ok(None) => account.password_policy = Some(PasswordPolicy::default()),
            Err(e) => fail("password_policy", "GetAccountPasswordPolicy", e),
        }
    }
    if needs("root") {
        match client.get_account_summary().send().await {
            Ok(o) => match o.summary_map() {
                Some(map) => {
                    let flag = |key| map.get(&key).is_some_and(|n| *n > 0);
                    account.root = Some(Root {
                        mfa_enabled: flag(SummaryKeyType::AccountMfaEnabled),
                        access_keys_present: flag(SummaryKeyType::AccountAccessKeysPresent),
                    });
                }
                None => fail(
                    "root",
                    "GetAccountSummary",
                    CallError {
                        code: "IncompleteAnswer".to_string(),
                        message: "the account summary came without its SummaryMap".to_string(),
                    },
                ),
            },
            Err(e) => fail("root", "GetAccountSummary", e.into()),
        }
    }
    if needs("root_credentials") {
        match report {
            Some(Ok(r)) => match &r.root {
                Some(root) => account.root_credentials = Some(root.clone()),
                None => fail(
                    "root_credentials",
                    "GetCredentialReport",
                    CallError {
                        code: "IncompleteAnswer".to_string(),
                        message: "the credential report has no row for the root user".to_string(),
                    },
                ),
            },
            Some(Err(e)) => fail("root_credentials", "GetCredentialReport", e.clone()),
            None => {}
        }
    }
    if needs("root_mfa_virtual") {
        let devices = client
            .list_virtual_mfa_devices()
            .assignment_status(aws_sdk_iam::types::AssignmentStatusType::Assigned)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        match devices {
            Ok(devices) => {
                account.root_mfa_virtual = Some(devices.iter().any(|d| {
                    d.user().is_some_and(|u| u.arn().ends_with(":root"))
                        || d.serial_number().ends_with("/root-account-mfa-device")
                }))
            }
            Err(e) => fail("root_mfa_virtual", "ListVirtualMFADevices", e.into()),
        }
    }
    if needs("support_access") || needs("support_roles") {
        let arn = managed_policy_arn(scope, "AWSSupportAccess");
        match entities_for_policy(client, &arn).await {
            Ok(holders) => {
                let roles = holders
                    .iter()
                    .filter_map(|h| h.strip_prefix("role/"))
                    .map(str::to_string)
                    .collect();
                account.support_roles = Some(roles);
                account.support_access = Some(holders);
            }
            Err(e) => {
                for attr in ["support_access", "support_roles"] {
                    fail(attr, "ListEntitiesForPolicy", e.clone());
                }
            }
        }
    }
    if needs("cloudshell_full_access") {
        let arn = managed_policy_arn(scope, "AWSCloudShellFullAccess");
        match entities_for_policy(client, &arn).await {
            Ok(holders) => account.cloudshell_full_access = Some(holders),
            Err(e) => fail("cloudshell_full_access", "ListEntitiesForPolicy", e),
        }
    }
    if let (true, Some(details)) = (needs("attached_admin_policies"), details) {
        match attached_admin::policies(scope, client, details).await {
            Ok(names) => account.attached_admin_policies = Some(names),
            Err((operation, e)) => fail("attached_admin_policies", operation, e),
        }
    }
    let arn = format!("arn:{}:iam::{id}:root", partition(scope));
    out.resources.push(resource(
        id,
        Some(&arn),
        GLOBAL,
        Properties::IamAccount(account),
    ));
}

/// Who holds a managed policy: `user/NAME`, `group/NAME`, `role/NAME`. A policy the
/// partition does not have is held by nobody.
async fn entities_for_policy(client: &Client, arn: &str) -> Result<Vec<String>, CallError> {
    let pages = client
        .list_entities_for_policy()
        .policy_arn(arn)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(CallError::from);
    let pages = or_absent(pages, &["NoSuchEntity"], Vec::new)?;
    let mut out = Vec::new();
    for page in &pages {
        out.extend(
            page.policy_users()
                .iter()
                .filter_map(|u| u.user_name())
                .map(|n| format!("user/{n}")),
        );
        out.extend(
            page.policy_groups()
                .iter()
                .filter_map(|g| g.group_name())
                .map(|n| format!("group/{n}")),
        );
        out.extend(
            page.policy_roles()
                .iter()
                .filter_map(|r| r.role_name())
                .map(|n| format!("role/{n}")),
        );
    }
    Ok(out)
}

/// Every user's policies and groups and every customer-managed policy, as far as the
/// rules need them: one paginated listing for both.
pub(super) struct Details {
    pub users: Result<BTreeMap<String, Permissions>, CallError>,
    /// ARN, policy, and why its default version could not be read.
    pub policies: Result<Vec<(String, Policy, Option<String>)>, CallError>,
}

async fn authorization_details(scope: &Scope<'_>, client: &Client) -> Details {
    let mut request = client.get_account_authorization_details();
    if scope.needs.any(ResourceKind::IamUser, &["permissions"]) {
        request = request.filter(EntityType::User);
    }
    if scope.needs.kind(ResourceKind::IamPolicy)
        || scope
            .needs
            .any(ResourceKind::IamAccount, &["attached_admin_policies"])
    {
        request = request.filter(EntityType::LocalManagedPolicy);
    }
    let pages = match request.into_paginator().send().try_collect().await {
        Ok(pages) => pages,
        Err(e) => {
            let e = CallError::from(e);
            return Details {
                users: Err(e.clone()),
                policies: Err(e),
            };
        }
    };
    let mut users = BTreeMap::new();
    let mut policies = Vec::new();
    for page in &pages {
        for u in page.user_detail_list() {
            let names = |list: Vec<Option<&str>>| {
                list.into_iter()
                    .flatten()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            };
            users.insert(
                u.user_name().unwrap_or_default().to_string(),
                Permissions {
                    attached_policies: names(
                        u.attached_managed_policies()
                            .iter()
                            .map(|p| p.policy_name())
                            .collect(),
                    ),
                    inline_policies: names(
                        u.user_policy_list()
                            .iter()
                            .map(|p| p.policy_name())
                            .collect(),
                    ),
                    groups: u.group_list().to_vec(),
                },
            );
        }
        for p in page.policies() {
            let Some(arn) = p.arn() else { continue };
            let document = p
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version())
                .and_then(|v| v.document());
            let facts = document
                .ok_or_else(|| "the listing gave no default version".to_string())
                .and_then(identity_policy::analyze);
            let (facts, unreadable) = match facts {
                Ok(facts) => (facts, None),
                Err(reason) => (Default::default(), Some(reason)),
            };
            let policy = Policy {
                // The name is also the ARN's last segment (whatever the path).
                policy_name: p
                    .policy_name()
                    .or_else(|| arn.rsplit('/').next())
                    .unwrap_or_default()
                    .to_string(),
                attachment_count: p.attachment_count().map_or(0, i64::from),
                permissions_boundary_usage_count: p
                    .permissions_boundary_usage_count()
                    .map_or(0, i64::from),
                allows_full_admin: facts.allows_full_admin,
                full_service_actions: facts.full_service_actions,
            };
            policies.push((arn.to_string(), policy, unreadable));
        }
    }
    Details {
        users: Ok(users),
        policies: Ok(policies),
    }
}

async fn users(
    scope: &Scope<'_>,
    client: &Client,
    details: Option<&Details>,
    report: Option<&Result<report::Report, CallError>>,
    out: &mut Collected,
) {
    let kind = ResourceKind::IamUser;
    let listed = client
        .list_users()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let listed = match listed {
        Ok(users) => users,
        Err(e) => {
            out.errors
                .push(error(kind, GLOBAL, None, &[], "ListUsers", e.into()));
            return;
        }
    };
    for u in listed {
        let name = u.user_name();
        let mut user = User {
            user_name: name.to_string(),
            create_date: super::time(Some(u.create_date())),
            ..User::default()
        };
        let mut fail = |attr: &str, operation: &str, e: CallError| {
            out.errors
                .push(error(kind, GLOBAL, Some(name), &[attr], operation, e));
        };
        match report.filter(|_| scope.needs.any(kind, &["credentials"])) {
            None => {}
            Some(Ok(report)) => match report.users.get(name) {
                Some(credentials) => user.credentials = Some(credentials.clone()),
                None => fail(
                    "credentials",
                    "GetCredentialReport",
                    CallError {
                        code: "NotInReport".to_string(),
                        message: format!(
                            "the user is newer than the credential report (generated {})",
                            report.generated
                        ),
                    },
                ),
            },
            Some(Err(e)) => fail("credentials", "GetCredentialReport", e.clone()),
        }
        if scope.needs.any(kind, &["permissions"]) {
            match details.map(|d| &d.users) {
                Some(Ok(map)) => match map.get(name) {
                    Some(p) => user.permissions = Some(p.clone()),
                    None => fail(
                        "permissions",
                        "GetAccountAuthorizationDetails",
                        CallError {
                            code: "NotListed".to_string(),
                            message: "the user was not in the authorisation details".to_string(),
                        },
                    ),
                },
                Some(Err(e)) => fail("permissions", "GetAccountAuthorizationDetails", e.clone()),
                None => {}
            }
        }
        out.resources.push(resource(
            name,
            Some(u.arn()),
            GLOBAL,
            Properties::IamUser(user),
        ));
    }
}

fn policies(details: &Details, out: &mut Collected) {
    let kind = ResourceKind::IamPolicy;
    let list = match &details.policies {
        Ok(list) => list,
        Err(e) => {
            let e = e.clone();
            out.errors.push(error(
                kind,
                GLOBAL,
                None,
                &[],
                "GetAccountAuthorizationDetails",
                e,
            ));
            return;
        }
    };
    for (arn, policy, unreadable) in list {
        if let Some(reason) = unreadable {
            let e = CallError {
                code: "InvalidPolicy".to_string(),
                message: reason.clone(),
            };
            let attrs = ["allows_full_admin", "full_service_actions"];
            let operation = "GetAccountAuthorizationDetails";
            let name = policy.policy_name.as_str();
            out.errors
                .push(error(kind, GLOBAL, Some(name), &attrs, operation, e));
        }
        let properties = Properties::IamPolicy(policy.clone());
        out.resources
            .push(resource(&policy.policy_name, Some(arn), GLOBAL, properties));
    }
}

/// Server certificates: the listing holds everything the rules read.
async fn server_certificates(client: &Client, out: &mut Collected) {
    let kind = ResourceKind::ServerCertificate;
    let listed = client
        .list_server_certificates()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(list) => out.resources.extend(list.iter().map(|c| {
            let name = c.server_certificate_name();
            let certificate = ServerCertificate {
                name: name.to_string(),
                expiration: super::time(c.expiration()),
                upload_date: super::time(c.upload_date()),
            };
            let properties = Properties::ServerCertificate(certificate);
            resource(name, Some(c.arn()), GLOBAL, properties)
        })),
        Err(e) => out.errors.push(error(
            kind,
            GLOBAL,
            None,
            &[],
            "ListServerCertificates",
            e.into(),
        )),
    }
}
