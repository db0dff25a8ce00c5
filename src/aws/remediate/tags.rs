//! The mandatory-tags fix: adds the missing keys with the operator's values, for every
//! resource kind that has a mandatory-tags rule. Existing tags are never changed.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::failed;
use crate::aws::collect::{kms, lambda, s3, sns};
use crate::aws::errors::CallError;
use crate::aws::session::Session;
use crate::model::{ResourceKind, Tags};
use crate::remediate::fix::missing_tags;
use crate::remediate::{Context, Target};

/// `{tags}`.
pub async fn read(session: &Session, t: &Target) -> Result<Value, CallError> {
    let tags: Tags = match t.resource_type {
        ResourceKind::S3Bucket => s3::tags(&session.s3_in(&t.region), &t.resource_id).await?,
        ResourceKind::Vpc => vpc_tags(session, t).await?,
        ResourceKind::KmsKey => kms::tags(&kms_client(session, t), &t.resource_id).await?,
        ResourceKind::LambdaFunction => lambda::tags(&lambda_client(session, t), arn(t)).await?,
        ResourceKind::SnsTopic => sns::tags(&sns_client(session, t), arn(t)).await?,
        other => return Err(unsupported(other)),
    };
    Ok(json!({ "tags": tags }))
}

/// Adds the required keys `before` lacks, with the values from `--tag`.
pub async fn add_missing(
    session: &Session,
    t: &Target,
    ctx: &Context,
    before: &Value,
) -> Result<(), String> {
    let added: BTreeMap<String, String> = missing_tags(before, t)
        .into_iter()
        .filter_map(|k| ctx.tags.get(&k).map(|v| (k, v.clone())))
        .collect();
    match t.resource_type {
        ResourceKind::S3Bucket => {
            // S3 replaces the whole set: write what was read plus the additions.
            let mut all: Tags = serde_json::from_value(before["tags"].clone())
                .map_err(|e| format!("the bucket's tags could not be read back: {e}"))?;
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
        ResourceKind::Vpc => {
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
        other => Err(unsupported(other).to_string()),
    }
}

async fn vpc_tags(session: &Session, t: &Target) -> Result<Tags, CallError> {
    let out = ec2_client(session, t)
        .describe_vpcs()
        .vpc_ids(&t.resource_id)
        .send()
        .await?;
    Ok(out
        .vpcs()
        .first()
        .map(|v| {
            v.tags()
                .iter()
                .filter_map(|tag| Some((tag.key()?.to_string(), tag.value()?.to_string())))
                .collect()
        })
        .unwrap_or_default())
}

fn unsupported(kind: ResourceKind) -> CallError {
    CallError {
        code: "Unsupported".to_string(),
        message: format!("tags on {} are not added by this build", kind.as_str()),
    }
}

fn arn(t: &Target) -> &str {
    t.resource_arn.as_deref().unwrap_or(&t.resource_id)
}

fn ec2_client(session: &Session, t: &Target) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&session.regional(&t.region))
}

fn kms_client(session: &Session, t: &Target) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&session.regional(&t.region))
}

fn lambda_client(session: &Session, t: &Target) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(&session.regional(&t.region))
}

fn sns_client(session: &Session, t: &Target) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(&session.regional(&t.region))
}
