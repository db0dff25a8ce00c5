//! The mandatory-tags fix: adds the missing keys with the operator's values, for every
//! resource kind that has a mandatory-tags rule. Existing tags are never changed.

use std::collections::BTreeMap;

use super::{failed, Fix};
use crate::aws::session::Session;
use crate::model::{Properties, ResourceKind, Tags};
use crate::remediate::{Decision, FixOptions, FixTarget};

pub const MANDATORY_TAGS: Fix = Fix {
    id: "mandatory-tags",
    permissions: |kind| match kind {
        ResourceKind::S3Bucket => &["s3:GetBucketTagging", "s3:PutBucketTagging"],
        ResourceKind::Vpc => &["ec2:DescribeVpcs", "ec2:CreateTags"],
        ResourceKind::Instance => &["ec2:DescribeInstances", "ec2:CreateTags"],
        ResourceKind::Volume => &["ec2:DescribeVolumes", "ec2:CreateTags"],
        ResourceKind::Snapshot => &["ec2:DescribeSnapshots", "ec2:CreateTags"],
        ResourceKind::Image => &["ec2:DescribeImages", "ec2:CreateTags"],
        ResourceKind::KmsKey => &["kms:DescribeKey", "kms:ListResourceTags", "kms:TagResource"],
        ResourceKind::LambdaFunction => &[
            "lambda:GetFunction",
            "lambda:ListTags",
            "lambda:TagResource",
        ],
        ResourceKind::SnsTopic => &["sns:ListTagsForResource", "sns:TagResource"],
        ResourceKind::DbInstance => &["rds:DescribeDBInstances", "rds:AddTagsToResource"],
        ResourceKind::DbCluster => &["rds:DescribeDBClusters", "rds:AddTagsToResource"],
        ResourceKind::DbSnapshot => &["rds:DescribeDBSnapshots", "rds:AddTagsToResource"],
        ResourceKind::DbClusterSnapshot => {
            &["rds:DescribeDBClusterSnapshots", "rds:AddTagsToResource"]
        }
        ResourceKind::EfsFileSystem => &[
            "elasticfilesystem:DescribeFileSystems",
            "elasticfilesystem:TagResource",
        ],
        ResourceKind::EfsAccessPoint => &[
            "elasticfilesystem:DescribeAccessPoints",
            "elasticfilesystem:TagResource",
        ],
        ResourceKind::SqsQueue => &["sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:TagQueue"],
        ResourceKind::Secret => &["secretsmanager:ListSecrets", "secretsmanager:TagResource"],
        ResourceKind::DynamodbTable => &[
            "dynamodb:DescribeTable",
            "dynamodb:ListTagsOfResource",
            "dynamodb:TagResource",
        ],
        ResourceKind::EcrRepository => &[
            "ecr:DescribeRepositories",
            "ecr:ListTagsForResource",
            "ecr:TagResource",
        ],
        ResourceKind::LoadBalancer => &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:AddTags",
        ],
        _ => &[],
    },
    decide,
    apply: |session, target, options, before| {
        Box::pin(add_missing(session, target, options, before))
    },
};

/// The resource's tags as its collector read them.
fn tags(properties: &Properties) -> Option<&Tags> {
    match properties {
        Properties::S3Bucket(b) => b.tags.as_ref(),
        Properties::Vpc(v) => Some(&v.tags),
        Properties::Instance(i) => Some(&i.tags),
        Properties::Volume(v) => Some(&v.tags),
        Properties::Snapshot(s) => Some(&s.tags),
        Properties::Image(i) => Some(&i.tags),
        Properties::KmsKey(k) => k.tags.as_ref(),
        Properties::LambdaFunction(f) => f.tags.as_ref(),
        Properties::SnsTopic(t) => t.tags.as_ref(),
        Properties::DbInstance(i) => Some(&i.tags),
        Properties::DbCluster(c) => Some(&c.tags),
        Properties::DbSnapshot(s) | Properties::DbClusterSnapshot(s) => Some(&s.tags),
        Properties::EfsFileSystem(f) => Some(&f.tags),
        Properties::EfsAccessPoint(a) => Some(&a.tags),
        Properties::SqsQueue(q) => q.tags.as_ref(),
        Properties::Secret(s) => Some(&s.tags),
        Properties::DynamodbTable(t) => t.tags.as_ref(),
        Properties::EcrRepository(r) => r.tags.as_ref(),
        Properties::LoadBalancer(b) => b.tags.as_ref(),
        _ => None,
    }
}

/// The required tag keys the resource lacks, in the rule's order.
fn missing(before: &Properties, target: &FixTarget) -> Vec<String> {
    let present = tags(before);
    target
        .required_tags
        .iter()
        .filter(|k| !present.is_some_and(|t| t.contains_key(k.as_str())))
        .cloned()
        .collect()
}

fn decide(before: &Properties, target: &FixTarget, options: &FixOptions) -> Decision {
    let missing = missing(before, target);
    let (given, lacking): (Vec<&String>, Vec<&String>) =
        missing.iter().partition(|k| options.tags.contains_key(*k));
    if !lacking.is_empty() {
        let keys: Vec<&str> = lacking.iter().map(|k| k.as_str()).collect();
        return Decision::NeedsInput(format!(
            "no value for {}: pass --tag KEY=VALUE for each",
            keys.join(", ")
        ));
    }
    let pairs: Vec<String> = given
        .iter()
        .map(|k| format!("{k}={}", options.tags[*k]))
        .collect();
    Decision::Change(format!(
        "add tags {} (existing tags are kept)",
        pairs.join(", ")
    ))
}

/// Adds the required keys `before` lacks, with the values from `--tag`.
async fn add_missing(
    session: &Session,
    t: &FixTarget,
    options: &FixOptions,
    before: &Properties,
) -> Result<(), String> {
    let added: BTreeMap<String, String> = missing(before, t)
        .into_iter()
        .filter_map(|k| options.tags.get(&k).map(|v| (k, v.clone())))
        .collect();
    match t.resource_type {
        ResourceKind::S3Bucket => {
            // S3 replaces the whole set: write what was read plus the additions.
            let mut all: Tags = tags(before).cloned().unwrap_or_default();
            all.extend(added);
            let set = all
                .iter()
                .map(|(k, v)| aws_sdk_s3::types::Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            let tagging = aws_sdk_s3::types::Tagging::builder()
                .set_tag_set(Some(set))
                .build()
                .map_err(|e| e.to_string())?;
            session
                .s3_in(&t.region)
                .put_bucket_tagging()
                .bucket(&t.resource_id)
                .tagging(tagging)
                .send()
                .await
                .map(drop)
                .map_err(failed("PutBucketTagging"))
        }
        ResourceKind::Vpc
        | ResourceKind::Instance
        | ResourceKind::Volume
        | ResourceKind::Snapshot
        | ResourceKind::Image => {
            let tags: Vec<_> = added
                .iter()
                .map(|(k, v)| aws_sdk_ec2::types::Tag::builder().key(k).value(v).build())
                .collect();
            ec2_client(session, t)
                .create_tags()
                .resources(&t.resource_id)
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("CreateTags"))
        }
        ResourceKind::KmsKey => {
            let tags = added
                .iter()
                .map(|(k, v)| {
                    aws_sdk_kms::types::Tag::builder()
                        .tag_key(k)
                        .tag_value(v)
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            kms_client(session, t)
                .tag_resource()
                .key_id(&t.resource_id)
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("TagResource"))
        }
        ResourceKind::LambdaFunction => lambda_client(session, t)
            .tag_resource()
            .resource(arn(t))
            .set_tags(Some(added.into_iter().collect()))
            .send()
            .await
            .map(drop)
            .map_err(failed("TagResource")),
        ResourceKind::SnsTopic => {
            let tags = added
                .iter()
                .map(|(k, v)| aws_sdk_sns::types::Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            sns_client(session, t)
                .tag_resource()
                .resource_arn(arn(t))
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("TagResource"))
        }
        ResourceKind::DbInstance
        | ResourceKind::DbCluster
        | ResourceKind::DbSnapshot
        | ResourceKind::DbClusterSnapshot => {
            let tags: Vec<_> = added
                .iter()
                .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
                .collect();
            aws_sdk_rds::Client::new(&session.regional(&t.region))
                .add_tags_to_resource()
                .resource_name(arn(t))
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("AddTagsToResource"))
        }
        ResourceKind::EfsFileSystem | ResourceKind::EfsAccessPoint => {
            let tags = added
                .iter()
                .map(|(k, v)| aws_sdk_efs::types::Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            aws_sdk_efs::Client::new(&session.regional(&t.region))
                .tag_resource()
                .resource_id(&t.resource_id)
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("TagResource"))
        }
        ResourceKind::SqsQueue => {
            let client = aws_sdk_sqs::Client::new(&session.regional(&t.region));
            let url = client
                .get_queue_url()
                .queue_name(&t.resource_id)
                .send()
                .await
                .map_err(failed("GetQueueUrl"))?
                .queue_url
                .ok_or("GetQueueUrl answered no URL")?;
            client
                .tag_queue()
                .queue_url(url)
                .set_tags(Some(added.into_iter().collect()))
                .send()
                .await
                .map(drop)
                .map_err(failed("TagQueue"))
        }
        ResourceKind::Secret => {
            let tags = added
                .iter()
                .map(|(k, v)| {
                    aws_sdk_secretsmanager::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                })
                .collect();
            aws_sdk_secretsmanager::Client::new(&session.regional(&t.region))
                .tag_resource()
                .secret_id(arn(t))
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("TagResource"))
        }
        ResourceKind::DynamodbTable => {
            let tags = added
                .iter()
                .map(|(k, v)| {
                    aws_sdk_dynamodb::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            aws_sdk_dynamodb::Client::new(&session.regional(&t.region))
                .tag_resource()
                .resource_arn(arn(t))
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("TagResource"))
        }
        ResourceKind::EcrRepository => {
            let tags = added
                .iter()
                .map(|(k, v)| aws_sdk_ecr::types::Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            aws_sdk_ecr::Client::new(&session.regional(&t.region))
                .tag_resource()
                .resource_arn(arn(t))
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("TagResource"))
        }
        ResourceKind::LoadBalancer => {
            let tags = added
                .iter()
                .map(|(k, v)| {
                    aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                })
                .collect::<Vec<_>>();
            aws_sdk_elasticloadbalancingv2::Client::new(&session.regional(&t.region))
                .add_tags()
                .resource_arns(arn(t))
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(failed("AddTags"))
        }
        other => Err(format!(
            "tags on {} are not added by this build",
            other.as_str()
        )),
    }
}

fn arn(t: &FixTarget) -> &str {
    t.resource_arn.as_deref().unwrap_or(&t.resource_id)
}

fn ec2_client(session: &Session, t: &FixTarget) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&session.regional(&t.region))
}

fn kms_client(session: &Session, t: &FixTarget) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&session.regional(&t.region))
}

fn lambda_client(session: &Session, t: &FixTarget) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(&session.regional(&t.region))
}

fn sns_client(session: &Session, t: &FixTarget) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(&session.regional(&t.region))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::aws::remediate::tests::{options, target};

    #[test]
    fn missing_tags_are_added_only_with_values_for_all_of_them() {
        let bucket = Properties::from_attributes(
            ResourceKind::S3Bucket,
            json!({"name": "b", "tags": {"Owner": "team"}}),
        )
        .unwrap();
        let t = target(&["Owner", "CostCenter", "Environment"]);
        assert_eq!(
            decide(&bucket, &t, &options(None, &[("CostCenter", "7")])),
            Decision::NeedsInput("no value for Environment: pass --tag KEY=VALUE for each".into())
        );
        let all = options(
            None,
            &[("CostCenter", "7"), ("Environment", "prod"), ("Owner", "x")],
        );
        assert_eq!(
            decide(&bucket, &t, &all),
            Decision::Change(
                "add tags CostCenter=7, Environment=prod (existing tags are kept)".into()
            ),
            "an existing Owner is not overwritten"
        );
    }
}
