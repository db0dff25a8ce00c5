//! `AWS::SQS::Queue`, with `AWS::SQS::QueuePolicy` folded in. A new queue has SSE-SQS
//! on unless it names a KMS key or sets `SqsManagedSseEnabled: false` (SQS Developer
//! Guide, "Encryption at rest": SSE-SQS is the default for queues created since
//! October 2022); with no queue policy, only the owning account has access.

use crate::model::policy::ResourcePolicy;
use crate::model::sqs::{Queue, QueueEncryption};
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{key_manager, policy_attachment, tags, Input, Targets};

pub fn queue(input: &mut Input<'_>) -> Properties {
    let name = input.named("QueueName");
    let encryption = input.attr(
        "encryption",
        &["KmsMasterKeyId", "SqsManagedSseEnabled"],
        |p| {
            let key = optional(p.get("KmsMasterKeyId"), Node::text)?;
            let sqs_managed = optional(p.get("SqsManagedSseEnabled"), Node::boolean)?;
            Ok(QueueEncryption {
                sqs_managed: key.is_none() && sqs_managed.unwrap_or(true),
                kms_master_key_id: key,
            })
        },
    );
    let kms_key_manager = input
        .attr("kms_key_manager", &["KmsMasterKeyId"], |p| {
            Ok(match p.get("KmsMasterKeyId") {
                Some(key) => Some(key_manager(key)?.to_string()),
                None => Some("AWS".to_string()),
            })
        })
        .flatten();
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::SqsQueue(Queue {
        name,
        encryption,
        policy: Some(ResourcePolicy::default()),
        kms_key_manager,
        tags,
    })
}

/// `AWS::SQS::QueuePolicy`: the policy of every queue in `Queues` (by URL: `Ref`).
pub fn queue_policy(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    policy_attachment(
        input,
        targets,
        "Queues",
        ResourceKind::SqsQueue,
        |props, policy| {
            if let Properties::SqsQueue(q) = props {
                q.policy = Some(policy);
            }
        },
    );
}
