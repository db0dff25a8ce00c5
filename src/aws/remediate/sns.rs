//! SNS fix: encryption at rest with a KMS key (the given one, else SNS's AWS-managed key).

use serde_json::{json, Value};

use super::failed;
use crate::aws::collect::sns as collected;
use crate::aws::errors::CallError;
use crate::aws::session::Session;
use crate::remediate::{Target, SNS_MANAGED_KEY};

/// `{kms_master_key_id}`.
pub async fn encryption(session: &Session, t: &Target) -> Result<Value, CallError> {
    let (encryption, _) = collected::attributes(&client(session, t), arn(t)).await?;
    Ok(json!({ "kms_master_key_id": encryption.kms_master_key_id }))
}

pub async fn encrypt(session: &Session, t: &Target, kms_key: Option<&str>) -> Result<(), String> {
    client(session, t)
        .set_topic_attributes()
        .topic_arn(arn(t))
        .attribute_name("KmsMasterKeyId")
        .attribute_value(kms_key.unwrap_or(SNS_MANAGED_KEY))
        .send()
        .await
        .map(drop)
        .map_err(failed("SetTopicAttributes"))
}

fn arn(t: &Target) -> &str {
    t.resource_arn.as_deref().unwrap_or(&t.resource_id)
}

fn client(session: &Session, t: &Target) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(&session.regional(&t.region))
}
