//! AWS Config in one region, as the rules see it: its configuration recorders (what
//! they record, with which role, whether they run) and whether a delivery channel
//! exists. One resource per region, named after it.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegionSettings {
    pub recorders: Vec<Recorder>,
    pub delivery_channels: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Recorder {
    pub name: String,
    /// Records every resource type the region supports.
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The role is AWS Config's service-linked role (AWSServiceRoleForConfig).
    pub service_linked_role: bool,
    /// The recorder is running.
    pub recording: bool,
    /// SUCCESS, PENDING or FAILURE: how its last delivery went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
}

const RECORDER: &[Field] = &[
    Field::listed("name", Type::String, "recorder name"),
    Field::listed(
        "all_supported",
        Type::Bool,
        "records every supported resource type",
    ),
    Field::listed(
        "include_global_resource_types",
        Type::Bool,
        "records global resources (IAM)",
    ),
    Field::listed("role_arn", Type::String, "the role it records with"),
    Field::listed(
        "service_linked_role",
        Type::Bool,
        "the role is AWSServiceRoleForConfig",
    ),
    Field::listed("recording", Type::Bool, "the recorder is running"),
    Field::listed(
        "last_status",
        Type::String,
        "SUCCESS, PENDING or FAILURE of its last delivery",
    ),
];

pub const SCHEMA: &[Field] = &[
    Field::listed(
        "recorders",
        Type::List(RECORDER),
        "configuration recorders of the region",
    ),
    Field::listed(
        "delivery_channels",
        Type::Int,
        "delivery channels of the region",
    ),
];
