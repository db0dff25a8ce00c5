//! SNS topics as the rules see them. Subscription endpoints (addresses, URLs) are not
//! kept, only their protocols.

use serde::{Deserialize, Serialize};

use super::policy::{ResourcePolicy, RESOURCE_POLICY};
use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Topic {
    pub name: String,
    /// `encryption` and `policy` come from the same GetTopicAttributes call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<TopicEncryption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<ResourcePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Vec<Subscription>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TopicEncryption {
    /// Absent when the topic is not encrypted at rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Subscription {
    /// `https`, `http`, `email`, `sqs`, `lambda`, …
    pub protocol: String,
}

/// The call behind `encryption` and `policy`.
pub const GET_TOPIC_ATTRIBUTES: &str = "GetTopicAttributes";

const ENCRYPTION: &[Field] = &[Field::listed(
    "kms_master_key_id",
    Type::String,
    "KMS key encrypting the topic",
)];
const SUBSCRIPTION: &[Field] = &[Field::listed(
    "protocol",
    Type::String,
    "https, http, email, sqs, lambda, …",
)];

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "topic name"),
    Field::called(
        "encryption",
        Type::Object(ENCRYPTION),
        GET_TOPIC_ATTRIBUTES,
        "encryption at rest",
    ),
    Field::called(
        "policy",
        Type::Object(RESOURCE_POLICY),
        GET_TOPIC_ATTRIBUTES,
        "topic policy analysis",
    ),
    Field::called(
        "subscriptions",
        Type::List(SUBSCRIPTION),
        "ListSubscriptionsByTopic",
        "subscription protocols",
    ),
    Field::called("tags", Type::Map, "ListTagsForResource", "topic tags"),
];
