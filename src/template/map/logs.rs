//! `AWS::Logs::LogGroup`: events never expire unless `RetentionInDays` says, and only
//! CloudWatch Logs' own encryption applies unless `KmsKeyId` names a key.

use crate::model::logs::LogGroup;
use crate::model::Properties;
use crate::template::node::{optional, Node};

use super::Input;

pub fn log_group(input: &mut Input<'_>) -> Properties {
    let name = input.named("LogGroupName");
    let retention_in_days = input
        .attr("retention_in_days", &["RetentionInDays"], |p| {
            optional(p.get("RetentionInDays"), Node::integer)
        })
        .flatten();
    let kms_key_id = input.text("kms_key_id", "KmsKeyId");
    Properties::LogGroup(LogGroup {
        name,
        retention_in_days,
        kms_key_id,
    })
}
