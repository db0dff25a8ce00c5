//! `AWS::SNS::Topic`, with `AWS::SNS::TopicPolicy` and `AWS::SNS::Subscription` folded
//! in. A topic is unencrypted unless it names `KmsMasterKeyId`; with no topic policy it
//! has SNS's default policy, which gives only the owning account access.

use crate::model::policy::ResourcePolicy;
use crate::model::sns::{Subscription, Topic, TopicEncryption};
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{policy_attachment, tags, Input, Targets};

pub fn topic(input: &mut Input<'_>) -> Properties {
    let name = input.named("TopicName");
    let encryption = input.attr("encryption", &["KmsMasterKeyId"], |p| {
        Ok(TopicEncryption {
            kms_master_key_id: optional(p.get("KmsMasterKeyId"), Node::text)?,
        })
    });
    let subscriptions = input.attr("subscriptions", &["Subscription"], |p| {
        let mut out = Vec::new();
        if let Some(list) = p.get("Subscription") {
            for s in list.list()? {
                out.push(subscription(s)?);
            }
        }
        Ok(out)
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::SnsTopic(Topic {
        name,
        encryption,
        policy: Some(ResourcePolicy {
            present: true,
            public: false,
        }),
        subscriptions,
        tags,
    })
}

fn subscription(s: &Node) -> Result<Subscription, String> {
    Ok(Subscription {
        protocol: s
            .get("Protocol")
            .ok_or("a subscription without Protocol")?
            .text()?
            .to_ascii_lowercase(),
    })
}

/// `AWS::SNS::TopicPolicy`: the policy of every topic in `Topics`.
pub fn topic_policy(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    policy_attachment(
        input,
        targets,
        "Topics",
        ResourceKind::SnsTopic,
        |props, policy| {
            if let Properties::SnsTopic(t) = props {
                t.policy = Some(policy);
            }
        },
    );
}

/// `AWS::SNS::Subscription`: one more subscription of the topic `TopicArn` names.
pub fn topic_subscription(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let Some(topic) = input.props.get("TopicArn") else {
        return;
    };
    let read = subscription(input.props);
    let line = input.props.line;
    targets.each(topic, ResourceKind::SnsTopic, |props, marks| {
        let Properties::SnsTopic(t) = props else {
            return;
        };
        marks.lines.entry("subscriptions".into()).or_insert(line);
        match &read {
            Ok(s) => t.subscriptions.get_or_insert_with(Vec::new).push(s.clone()),
            Err(why) => marks.unknown("subscriptions", why.clone()),
        }
    });
}
