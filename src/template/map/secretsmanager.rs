//! `AWS::SecretsManager::Secret`, with `AWS::SecretsManager::RotationSchedule` folded
//! in. A secret is encrypted with the `aws/secretsmanager` AWS managed key unless it
//! names `KmsKeyId`, and does not rotate until a rotation schedule says so. A secret
//! the template creates is new when it is deployed: created (and never yet rotated or
//! read) at the scan's time, its first rotation one schedule later.

use chrono::Duration;

use crate::model::secretsmanager::Secret;
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{key_manager, tags, Input, Targets};

pub fn secret(input: &mut Input<'_>) -> Properties {
    let name = input.named("Name");
    let key = input.attr("kms_key_manager", &["KmsKeyId"], |p| {
        match p.get("KmsKeyId") {
            None => Ok((None, "AWS".to_string())),
            Some(key) => Ok((Some(key.text()?), key_manager(key)?.to_string())),
        }
    });
    let (kms_key_id, kms_key_manager) = match key {
        Some((id, manager)) => (id, Some(manager)),
        None => (None, None),
    };
    let tags = input.attr("tags", &["Tags"], tags).unwrap_or_default();
    Properties::Secret(Secret {
        name,
        kms_key_id,
        kms_key_manager,
        rotation_enabled: false,
        rotation_days: None,
        last_rotated: None,
        next_rotation: None,
        last_accessed: None,
        created: Some(input.at),
        tags,
    })
}

/// `AWS::SecretsManager::RotationSchedule`: the secret `SecretId` names rotates every
/// `RotationRules.AutomaticallyAfterDays` (a `ScheduleExpression` is read as a
/// rotation whose period only the expression tells).
pub fn rotation(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(secret) = p.get("SecretId") else {
        return;
    };
    let days = optional(
        p.path(&["RotationRules", "AutomaticallyAfterDays"]),
        Node::integer,
    );
    let line = p.line;
    let at = input.at;
    targets.each(secret, ResourceKind::Secret, |props, marks| {
        let Properties::Secret(s) = props else {
            return;
        };
        marks.lines.insert("rotation_enabled".into(), line);
        match &days {
            Ok(days) => {
                s.rotation_enabled = true;
                s.rotation_days = *days;
                s.next_rotation = days.map(|d| at + Duration::days(d));
            }
            Err(why) => marks.unknown("rotation_enabled", why.clone()),
        }
    });
}
