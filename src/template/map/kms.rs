//! `AWS::KMS::Key`. Defaults from the CloudFormation reference: a symmetric
//! (`SYMMETRIC_DEFAULT`) `ENCRYPT_DECRYPT` key of origin `AWS_KMS`, enabled, rotation
//! off (`EnableKeyRotation` false); with no `KeyPolicy`, the default key policy, which
//! gives the account alone access.

use crate::model::kms::{Key, Rotation};
use crate::model::policy::ResourcePolicy;
use crate::model::Properties;
use crate::template::node::{optional, Node};

use super::{resource_policy, tags, Input};

pub fn key(input: &mut Input<'_>) -> Properties {
    let p = input.props;
    let text = |key: &str, default: &str| {
        optional(p.get(key), Node::text)
            .ok()
            .flatten()
            .unwrap_or_else(|| default.to_string())
    };
    let (key_spec, key_usage, origin) = (
        text("KeySpec", "SYMMETRIC_DEFAULT"),
        text("KeyUsage", "ENCRYPT_DECRYPT"),
        text("Origin", "AWS_KMS"),
    );
    let description = text("Description", "");
    let enabled = input.attr("key_state", &["Enabled"], |p| {
        Ok(optional(p.get("Enabled"), Node::boolean)?.unwrap_or(true))
    });
    let rotation = input.attr("rotation", &["EnableKeyRotation"], |p| {
        Ok(Rotation {
            enabled: optional(p.get("EnableKeyRotation"), Node::boolean)?.unwrap_or(false),
        })
    });
    let policy = input.attr("policy", &["KeyPolicy"], |p| match p.get("KeyPolicy") {
        Some(document) => resource_policy(document),
        None => Ok(ResourcePolicy {
            present: true,
            public: false,
        }),
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::KmsKey(Key {
        key_id: input.id.to_string(),
        description,
        key_state: match enabled {
            Some(false) => "Disabled".into(),
            _ => "Enabled".into(),
        },
        key_spec,
        key_usage,
        origin,
        deletion_date: None,
        rotation,
        policy,
        tags,
    })
}
