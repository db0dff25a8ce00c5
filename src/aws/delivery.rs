//! Where a Lambda run's alert goes: the SNS topic (its results go to the report bucket,
//! `buckets::store_new`).

use aws_sdk_sns::types::MessageAttributeValue;

use super::errors::CallError;

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
