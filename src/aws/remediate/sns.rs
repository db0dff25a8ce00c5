//! SNS fix: encryption at rest with a KMS key (the given one, else SNS's AWS-managed key).

use super::{failed, Fix};
use crate::aws::session::Session;
use crate::remediate::{Decision, FixOptions, FixTarget};

/// SNS's AWS-managed key, used when no `--kms-key` is given.
const SNS_MANAGED_KEY: &str = "alias/aws/sns";

pub const KMS_ENCRYPTION: Fix = Fix {
    id: "sns-kms-encryption",
    permissions: |_| &["sns:GetTopicAttributes", "sns:SetTopicAttributes"],
    decide: |_, _, options| {
        Decision::Change(format!(
            "SetTopicAttributes: KmsMasterKeyId none → {}",
            options.kms_key.as_deref().unwrap_or(SNS_MANAGED_KEY)
        ))
    },
    apply: |session, target, options, _| Box::pin(encrypt(session, target, options)),
};

async fn encrypt(
    session: &Session,
    target: &FixTarget,
    options: &FixOptions,
) -> Result<(), String> {
    aws_sdk_sns::Client::new(&session.regional(&target.region))
        .set_topic_attributes()
        .topic_arn(
            target
                .resource_arn
                .as_deref()
                .unwrap_or(&target.resource_id),
        )
        .attribute_name("KmsMasterKeyId")
        .attribute_value(options.kms_key.as_deref().unwrap_or(SNS_MANAGED_KEY))
        .send()
        .await
        .map(drop)
        .map_err(failed("SetTopicAttributes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::remediate::tests::{options, target};
    use crate::model::{Properties, ResourceKind};

    #[test]
    fn topics_get_the_given_key_else_snss_own() {
        let topic =
            Properties::from_attributes(ResourceKind::SnsTopic, serde_json::json!({"name": "t"}))
                .unwrap();
        assert_eq!(
            (KMS_ENCRYPTION.decide)(&topic, &target(&[]), &options(None, &[])),
            Decision::Change("SetTopicAttributes: KmsMasterKeyId none → alias/aws/sns".into())
        );
    }
}
