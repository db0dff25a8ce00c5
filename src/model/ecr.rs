//! ECR private repositories as the rules see them. DescribeRepositories carries tag
//! mutability and encryption; the scanning a repository gets is answered for up to 25
//! repositories a call; the lifecycle policy, the repository policy and tags cost a call
//! each, made only when a rule reads them.

use serde::{Deserialize, Serialize};

use super::policy::{ResourcePolicy, RESOURCE_POLICY};
use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Repository {
    pub name: String,
    /// `MUTABLE`, `IMMUTABLE`, or either `_WITH_EXCLUSION` (some tags exempted).
    pub image_tag_mutability: String,
    /// `AES256` (keys ECR manages), `KMS` or `KMS_DSSE`.
    pub encryption_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// How the repository's images are scanned, with the registry's rules applied:
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL` (not scanned unless asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_frequency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle_policy: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<ResourcePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

/// The call behind `scan_frequency`, answering for up to 25 repositories.
pub const SCANNING_CONFIGURATION: &str = "BatchGetRepositoryScanningConfiguration";

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "repository name"),
    Field::listed(
        "image_tag_mutability",
        Type::String,
        "MUTABLE, IMMUTABLE, MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION",
    ),
    Field::listed(
        "encryption_type",
        Type::String,
        "AES256 (ECR-managed keys), KMS or KMS_DSSE",
    ),
    Field::listed(
        "kms_key",
        Type::String,
        "the KMS key ARN, for KMS encryption",
    ),
    Field::called(
        "scan_frequency",
        Type::String,
        SCANNING_CONFIGURATION,
        "image scanning with the registry's rules applied: SCAN_ON_PUSH, CONTINUOUS_SCAN or MANUAL",
    ),
    Field::called(
        "lifecycle_policy",
        Type::Bool,
        "GetLifecyclePolicy",
        "a lifecycle policy is set",
    ),
    Field::called(
        "policy",
        Type::Object(RESOURCE_POLICY),
        "GetRepositoryPolicy",
        "repository policy analysis",
    ),
    Field::called("tags", Type::Map, "ListTagsForResource", "repository tags"),
];
