//! IAM as the rules see it: the account's identity settings (password policy, root user,
//! who holds the support and CloudShell policies), its users and its customer-managed
//! policies and server certificates. IAM is global: every resource here has the region
//! `global`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

/// The region IAM resources are filed under: IAM has none.
pub const GLOBAL: &str = "global";

/// The account itself, one resource named after its id.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Account {
    pub account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<Root>,
    /// The root user's MFA device is a virtual one (an app), not hardware.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_mfa_virtual: Option<bool>,
    /// The root user's row of the credential report: when its password and keys were
    /// last used (CIS 1.7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_credentials: Option<Credentials>,
    /// Users, groups and roles (`role/NAME`, …) the AWSSupportAccess policy is attached to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_access: Option<Vec<String>>,
    /// The roles among them (names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_roles: Option<Vec<String>>,
    /// Users, groups and roles the AWSCloudShellFullAccess policy is attached to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloudshell_full_access: Option<Vec<String>>,
    /// Attached policies, customer- or AWS-managed, whose default version allows `*` on
    /// `*` (names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attached_admin_policies: Option<Vec<String>>,
}

/// The account password policy; `present: false` (and AWS's defaults below it) when
/// none was ever set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    pub present: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_password_length: Option<i64>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    /// Days a password lasts; absent when passwords never expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_password_age: Option<i64>,
    /// How many previous passwords cannot be reused; absent when any can.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_reuse_prevention: Option<i64>,
    pub hard_expiry: bool,
}

/// The root user, from the account summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Root {
    pub mfa_enabled: bool,
    pub access_keys_present: bool,
}

const PASSWORD_POLICY: &[Field] = &[
    Field::listed("present", Type::Bool, "a password policy is set"),
    Field::listed(
        "minimum_password_length",
        Type::Int,
        "fewest characters; not set without a policy",
    ),
    Field::listed("require_symbols", Type::Bool, "a symbol is required"),
    Field::listed("require_numbers", Type::Bool, "a number is required"),
    Field::listed(
        "require_uppercase_characters",
        Type::Bool,
        "an uppercase letter is required",
    ),
    Field::listed(
        "require_lowercase_characters",
        Type::Bool,
        "a lowercase letter is required",
    ),
    Field::listed(
        "allow_users_to_change_password",
        Type::Bool,
        "users may change their own password",
    ),
    Field::listed(
        "max_password_age",
        Type::Int,
        "days a password lasts; not set when passwords never expire",
    ),
    Field::listed(
        "password_reuse_prevention",
        Type::Int,
        "previous passwords that cannot be reused; not set when any can",
    ),
    Field::listed(
        "hard_expiry",
        Type::Bool,
        "an expired password can only be reset by an administrator",
    ),
];

const ROOT: &[Field] = &[
    Field::listed("mfa_enabled", Type::Bool, "the root user has MFA"),
    Field::listed(
        "access_keys_present",
        Type::Bool,
        "the root user has an access key",
    ),
];

pub const ACCOUNT_SCHEMA: &[Field] = &[
    Field::listed("account_id", Type::String, "account id"),
    Field::called(
        "password_policy",
        Type::Object(PASSWORD_POLICY),
        "GetAccountPasswordPolicy",
        "the account password policy",
    ),
    Field::called(
        "root",
        Type::Object(ROOT),
        "GetAccountSummary",
        "the root user's MFA and access keys",
    ),
    Field::called(
        "root_credentials",
        Type::Object(CREDENTIALS),
        "GetCredentialReport",
        "the root user's row of the credential report: last use of its password and keys",
    ),
    Field::called(
        "root_mfa_virtual",
        Type::Bool,
        "ListVirtualMFADevices",
        "the root user's MFA device is virtual, not hardware",
    ),
    Field::called(
        "support_access",
        Type::StringList,
        "ListEntitiesForPolicy",
        "users, groups and roles (`role/NAME`) with AWSSupportAccess attached",
    ),
    Field::called(
        "support_roles",
        Type::StringList,
        "ListEntitiesForPolicy",
        "roles with AWSSupportAccess attached (names)",
    ),
    Field::called(
        "cloudshell_full_access",
        Type::StringList,
        "ListEntitiesForPolicy",
        "users, groups and roles with AWSCloudShellFullAccess attached",
    ),
    Field::called(
        "attached_admin_policies",
        Type::StringList,
        "ListPolicies",
        "attached policies (customer- or AWS-managed) allowing * on *",
    ),
];

/// An IAM user.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct User {
    pub user_name: String,
    pub create_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
}

/// A user's sign-in credentials, from the account's credential report (never secrets).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Credentials {
    /// The user has a console password.
    pub password_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_last_used: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_last_changed: Option<DateTime<Utc>>,
    pub mfa_active: bool,
    pub access_keys: Vec<AccessKey>,
    pub active_access_keys: i64,
}

/// One of a user's (at most two) access keys, as the credential report numbers them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AccessKey {
    pub number: i64,
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<DateTime<Utc>>,
}

/// Where a user's permissions come from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Permissions {
    /// Managed policies attached to the user directly (names).
    pub attached_policies: Vec<String>,
    /// Inline policies embedded in the user (names).
    pub inline_policies: Vec<String>,
    pub groups: Vec<String>,
}

const ACCESS_KEY: &[Field] = &[
    Field::listed("number", Type::Int, "1 or 2"),
    Field::listed("active", Type::Bool, "the key is active"),
    Field::listed(
        "last_rotated",
        Type::Time,
        "when the key was created or last rotated",
    ),
    Field::listed("last_used", Type::Time, "last use; not set if never used"),
];

const CREDENTIALS: &[Field] = &[
    Field::listed(
        "password_enabled",
        Type::Bool,
        "the user has a console password",
    ),
    Field::listed(
        "password_last_used",
        Type::Time,
        "last console sign-in; not set if never",
    ),
    Field::listed(
        "password_last_changed",
        Type::Time,
        "when the password was set",
    ),
    Field::listed("mfa_active", Type::Bool, "an MFA device is assigned"),
    Field::listed("access_keys", Type::List(ACCESS_KEY), "the access keys"),
    Field::listed("active_access_keys", Type::Int, "how many keys are active"),
];

const PERMISSIONS: &[Field] = &[
    Field::listed(
        "attached_policies",
        Type::StringList,
        "managed policies attached to the user",
    ),
    Field::listed(
        "inline_policies",
        Type::StringList,
        "inline policies of the user",
    ),
    Field::listed("groups", Type::StringList, "groups the user is in"),
];

pub const USER_SCHEMA: &[Field] = &[
    Field::listed("user_name", Type::String, "user name"),
    Field::listed("create_date", Type::Time, "when the user was created"),
    Field::called(
        "credentials",
        Type::Object(CREDENTIALS),
        "GetCredentialReport",
        "password, MFA and access keys (one report for every user)",
    ),
    Field::called(
        "permissions",
        Type::Object(PERMISSIONS),
        "GetAccountAuthorizationDetails",
        "policies and groups (one listing for every user)",
    ),
];

/// A customer-managed policy, judged by its default version.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub policy_name: String,
    /// Users, groups and roles it is attached to.
    pub attachment_count: i64,
    /// Users and roles it bounds as a permissions boundary.
    pub permissions_boundary_usage_count: i64,
    /// An `Allow` of action `*` on resource `*`.
    pub allows_full_admin: bool,
    /// Actions allowed with an unrestricted wildcard (`s3:*`, `*`), as written.
    pub full_service_actions: Vec<String>,
}

pub const POLICY_SCHEMA: &[Field] = &[
    Field::listed("policy_name", Type::String, "policy name"),
    Field::listed(
        "attachment_count",
        Type::Int,
        "users, groups and roles it is attached to",
    ),
    Field::listed(
        "permissions_boundary_usage_count",
        Type::Int,
        "users and roles it bounds as a permissions boundary",
    ),
    Field::listed(
        "allows_full_admin",
        Type::Bool,
        "its default version allows action * on resource *",
    ),
    Field::listed(
        "full_service_actions",
        Type::StringList,
        "actions it allows with an unrestricted wildcard (s3:*, *)",
    ),
];

/// A server certificate stored in IAM (for load balancers and CloudFront before ACM).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerCertificate {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_date: Option<DateTime<Utc>>,
}

pub const SERVER_CERTIFICATE_SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "certificate name"),
    Field::listed("expiration", Type::Time, "when the certificate expires"),
    Field::listed("upload_date", Type::Time, "when it was uploaded"),
];
