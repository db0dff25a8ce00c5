//! A template's resource as the template-only rules see it: what only a template says
//! (its deletion policies, a role's inline policies, the parameters its name is built
//! from). Filled by `scan --template` for every resource, whatever its type; no live
//! collector fills it.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StackResource {
    pub logical_id: String,
    /// The CloudFormation type, e.g. `AWS::S3::Bucket`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// `Delete`, `Retain`, `RetainExceptOnCreate` or `Snapshot`; CloudFormation's
    /// default when the template sets none (`Snapshot` for DB clusters and for DB
    /// instances outside one, else `Delete`).
    pub deletion_policy: String,
    /// The same, on replacement.
    pub update_replace_policy: String,
    /// The names of an IAM role's (or user's, or group's) inline `Policies`.
    pub inline_policies: Vec<String>,
    /// The property naming the resource, when the template names it (`BucketName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_property: Option<String>,
    /// The template parameters that name is built from (`Ref`, `${…}` in `Fn::Sub`).
    pub name_parameters: Vec<String>,
    /// Every parameter the template declares.
    pub template_parameters: Vec<String>,
}

pub const SCHEMA: &[Field] = &[
    Field::listed("logical_id", Type::String, "the resource's logical id"),
    Field::listed("type", Type::String, "its CloudFormation type"),
    Field::listed(
        "deletion_policy",
        Type::String,
        "DeletionPolicy, or CloudFormation's default",
    ),
    Field::listed(
        "update_replace_policy",
        Type::String,
        "UpdateReplacePolicy, or CloudFormation's default",
    ),
    Field::listed(
        "inline_policies",
        Type::StringList,
        "names of an IAM role's, user's or group's inline Policies",
    ),
    Field::listed(
        "name_property",
        Type::String,
        "the property that names it, when the template names it",
    ),
    Field::listed(
        "name_parameters",
        Type::StringList,
        "the template parameters its name is built from",
    ),
    Field::listed(
        "template_parameters",
        Type::StringList,
        "every parameter the template declares",
    ),
];
