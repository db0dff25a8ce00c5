//! S3 buckets as the rules see them.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};
use super::Tags;

/// A bucket. Every `Option` group is filled by one API call, only when a rule needs it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versioning: Option<Versioning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<BucketPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

/// Default encryption. `enabled` is false when the bucket has no configuration at all
/// (older APIs and emulators; real S3 has applied SSE-S3 to every bucket since 2023).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Encryption {
    pub enabled: bool,
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// `CUSTOMER` or `AWS` (from DescribeKey on the bucket's key; `AWS` when the
    /// bucket names no key, which means the `aws/s3` managed key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_manager: Option<String>,
    pub bucket_key_enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Versioning {
    /// `Enabled`, `Suspended`, or `Disabled` when never configured.
    pub status: String,
    pub mfa_delete: bool,
}

/// The bucket's public access block; all false when none is configured.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// What the bucket policy grants and denies (see `model::policy`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BucketPolicy {
    pub present: bool,
    pub public_read: bool,
    pub public_write: bool,
    pub denies_insecure_transport: bool,
}

impl BucketPolicy {
    /// What a present policy document says (the collector's and the template's reading).
    pub fn from_facts(facts: &super::policy::PolicyFacts) -> BucketPolicy {
        BucketPolicy {
            present: true,
            public_read: facts.public_allows_any(&["s3:GetObject", "s3:ListBucket"]),
            public_write: facts.public_allows_any(&[
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:PutBucketPolicy",
                "s3:PutBucketAcl",
            ]),
            denies_insecure_transport: facts.denies_insecure_transport,
        }
    }
}

/// Grants to the AllUsers and AuthenticatedUsers groups.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Acl {
    pub public_read: bool,
    pub public_write: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Ownership {
    /// `BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`; absent when the
    /// bucket has no ownership controls (ACLs in force).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_ownership: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Logging {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_bucket: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Lifecycle {
    pub rule_count: i64,
    pub enabled_rule_count: i64,
}

const ENCRYPTION: &[Field] = &[
    Field::listed(
        "enabled",
        Type::Bool,
        "a default encryption configuration exists",
    ),
    Field::listed("algorithm", Type::String, "AES256, aws:kms or aws:kms:dsse"),
    Field::listed("kms_key_id", Type::String, "the KMS key the bucket names"),
    Field::listed("kms_key_manager", Type::String, "CUSTOMER or AWS"),
    Field::listed("bucket_key_enabled", Type::Bool, "S3 Bucket Key on"),
];
const VERSIONING: &[Field] = &[
    Field::listed("status", Type::String, "Enabled, Suspended or Disabled"),
    Field::listed("mfa_delete", Type::Bool, "MFA delete enabled"),
];
const PUBLIC_ACCESS_BLOCK: &[Field] = &[
    Field::listed("block_public_acls", Type::Bool, "BlockPublicAcls"),
    Field::listed("ignore_public_acls", Type::Bool, "IgnorePublicAcls"),
    Field::listed("block_public_policy", Type::Bool, "BlockPublicPolicy"),
    Field::listed(
        "restrict_public_buckets",
        Type::Bool,
        "RestrictPublicBuckets",
    ),
];
const POLICY: &[Field] = &[
    Field::listed("present", Type::Bool, "the bucket has a policy"),
    Field::listed(
        "public_read",
        Type::Bool,
        "grants read or list to everyone, unconditionally",
    ),
    Field::listed(
        "public_write",
        Type::Bool,
        "grants write or delete to everyone, unconditionally",
    ),
    Field::listed(
        "denies_insecure_transport",
        Type::Bool,
        "denies requests with aws:SecureTransport false",
    ),
];
const ACL: &[Field] = &[
    Field::listed(
        "public_read",
        Type::Bool,
        "AllUsers/AuthenticatedUsers have READ or FULL_CONTROL",
    ),
    Field::listed(
        "public_write",
        Type::Bool,
        "AllUsers/AuthenticatedUsers have WRITE, WRITE_ACP or FULL_CONTROL",
    ),
];
const OWNERSHIP: &[Field] = &[Field::listed(
    "object_ownership",
    Type::String,
    "BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter",
)];
pub(crate) const LOGGING: &[Field] = &[
    Field::listed("enabled", Type::Bool, "server access logging on"),
    Field::listed("target_bucket", Type::String, "where the logs go"),
];
const LIFECYCLE: &[Field] = &[
    Field::listed("rule_count", Type::Int, "lifecycle rules"),
    Field::listed(
        "enabled_rule_count",
        Type::Int,
        "lifecycle rules with status Enabled",
    ),
];

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "bucket name"),
    Field::called(
        "encryption",
        Type::Object(ENCRYPTION),
        "GetBucketEncryption",
        "default encryption (and one DescribeKey per distinct KMS key, to tell customer keys from AWS's)",
    ),
    Field::called(
        "versioning",
        Type::Object(VERSIONING),
        "GetBucketVersioning",
        "versioning",
    ),
    Field::called(
        "public_access_block",
        Type::Object(PUBLIC_ACCESS_BLOCK),
        "GetPublicAccessBlock",
        "bucket-level block public access",
    ),
    Field::called(
        "policy",
        Type::Object(POLICY),
        "GetBucketPolicy",
        "bucket policy analysis",
    ),
    Field::called(
        "acl",
        Type::Object(ACL),
        "GetBucketAcl",
        "ACL grants to everyone",
    ),
    Field::called(
        "ownership",
        Type::Object(OWNERSHIP),
        "GetBucketOwnershipControls",
        "object ownership",
    ),
    Field::called(
        "logging",
        Type::Object(LOGGING),
        "GetBucketLogging",
        "server access logging",
    ),
    Field::called(
        "lifecycle",
        Type::Object(LIFECYCLE),
        "GetBucketLifecycleConfiguration",
        "lifecycle rules",
    ),
    Field::called("tags", Type::Map, "GetBucketTagging", "bucket tags"),
];
