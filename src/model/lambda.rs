//! Lambda functions as the rules see them. Environment variable names are kept,
//! their values never are: a snapshot must be safe to hand to an auditor.

use serde::{Deserialize, Serialize};

use super::policy::{ResourcePolicy, RESOURCE_POLICY};
use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Function {
    pub name: String,
    /// Absent for container-image functions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    pub package_type: String,
    pub architectures: Vec<String>,
    pub role: String,
    /// `Active` or `PassThrough`.
    pub tracing_mode: String,
    /// Absent when the function is not attached to a VPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc: Option<FunctionVpc>,
    pub environment_variable_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<ResourcePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<FunctionUrl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FunctionVpc {
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Concurrency {
    /// Reserved concurrent executions; absent when none is reserved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FunctionUrl {
    pub configured: bool,
    /// `AWS_IAM` or `NONE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
}

const VPC: &[Field] = &[
    Field::listed("vpc_id", Type::String, "the VPC"),
    Field::listed("subnet_ids", Type::StringList, "subnets"),
    Field::listed("security_group_ids", Type::StringList, "security groups"),
];
const CONCURRENCY: &[Field] = &[Field::listed(
    "reserved",
    Type::Int,
    "reserved concurrent executions",
)];
const URL: &[Field] = &[
    Field::listed("configured", Type::Bool, "the function has a URL"),
    Field::listed("auth_type", Type::String, "AWS_IAM or NONE"),
];

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "function name"),
    Field::listed("runtime", Type::String, "runtime id; absent for images"),
    Field::listed("package_type", Type::String, "Zip or Image"),
    Field::listed("architectures", Type::StringList, "x86_64, arm64"),
    Field::listed("role", Type::String, "execution role ARN"),
    Field::listed("tracing_mode", Type::String, "Active or PassThrough"),
    Field::listed(
        "vpc",
        Type::Object(VPC),
        "VPC attachment; absent outside a VPC",
    ),
    Field::listed(
        "environment_variable_names",
        Type::StringList,
        "variable names (never values)",
    ),
    Field::called(
        "concurrency",
        Type::Object(CONCURRENCY),
        "GetFunctionConcurrency",
        "reserved concurrency",
    ),
    Field::called(
        "policy",
        Type::Object(RESOURCE_POLICY),
        "GetPolicy",
        "resource policy analysis",
    ),
    Field::called(
        "url",
        Type::Object(URL),
        "GetFunctionUrlConfig",
        "function URL",
    ),
    Field::called("tags", Type::Map, "ListTags", "function tags"),
];
