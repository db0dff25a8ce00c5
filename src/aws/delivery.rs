//! Where a Lambda run's results go: objects in the report bucket (never overwriting)
//! and the alert on the SNS topic.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sns::types::MessageAttributeValue;

use super::errors::CallError;

/// Stores `body` at `key`, refusing to replace an object that is already there.
pub async fn store_new(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    content_type: &str,
) -> Result<(), CallError> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .if_none_match("*")
        .content_type(content_type)
        .body(ByteStream::from(body))
        .send()
        .await?;
    Ok(())
}

/// Publishes a message with string or number attributes (`(type, value)`).
pub async fn publish<'a>(
    sns: &aws_sdk_sns::Client,
    topic_arn: &str,
    subject: &str,
    message: &str,
    attributes: impl IntoIterator<Item = (&'a String, &'a (&'static str, String))>,
) -> Result<(), CallError> {
    let mut request = sns
        .publish()
        .topic_arn(topic_arn)
        .subject(subject)
        .message(message);
    for (name, (data_type, value)) in attributes {
        let attribute = MessageAttributeValue::builder()
            .data_type(*data_type)
            .string_value(value)
            .build()
            .map_err(|e| CallError {
                code: "InvalidParameter".to_string(),
                message: e.to_string(),
            })?;
        request = request.message_attributes(name, attribute);
    }
    request.send().await?;
    Ok(())
}
