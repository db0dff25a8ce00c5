//! SQS queues as the rules see them. One GetQueueAttributes answers encryption and the
//! access policy; tags cost a call of their own, and who manages the queue's KMS key one
//! per key, each made only when a rule reads it.

use serde::{Deserialize, Serialize};

use super::policy::{ResourcePolicy, RESOURCE_POLICY};
use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Queue {
    pub name: String,
    /// `encryption` and `policy` come from the same GetQueueAttributes call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<QueueEncryption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<ResourcePolicy>,
    /// `CUSTOMER` or `AWS`: who manages the SSE-KMS key; `AWS` for SSE-SQS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct QueueEncryption {
    /// SSE-SQS: encrypted with keys SQS manages.
    pub sqs_managed: bool,
    /// SSE-KMS: the KMS key, as the queue names it (an id, ARN or alias).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
}

/// The call behind `encryption` and `policy`.
pub const GET_QUEUE_ATTRIBUTES: &str = "GetQueueAttributes";

const ENCRYPTION: &[Field] = &[
    Field::listed("sqs_managed", Type::Bool, "SSE-SQS on"),
    Field::listed(
        "kms_master_key_id",
        Type::String,
        "the KMS key of SSE-KMS (id, ARN or alias)",
    ),
];

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "queue name"),
    Field::called(
        "encryption",
        Type::Object(ENCRYPTION),
        GET_QUEUE_ATTRIBUTES,
        "encryption at rest",
    ),
    Field::called(
        "policy",
        Type::Object(RESOURCE_POLICY),
        GET_QUEUE_ATTRIBUTES,
        "queue policy analysis",
    ),
    Field::called(
        "kms_key_manager",
        Type::String,
        "DescribeKey",
        "CUSTOMER or AWS: who manages the encryption key (AWS for SSE-SQS and aws/sqs)",
    ),
    Field::called("tags", Type::Map, "ListQueueTags", "queue tags"),
];
