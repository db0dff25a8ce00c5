//! Lambda fix: active X-Ray tracing.

use aws_sdk_lambda::types::{TracingConfig, TracingMode};
use serde_json::{json, Value};

use super::failed;
use crate::aws::errors::CallError;
use crate::aws::session::Session;
use crate::remediate::Target;

/// `{tracing_mode}`.
pub async fn tracing(session: &Session, t: &Target) -> Result<Value, CallError> {
    let out = client(session, t)
        .get_function_configuration()
        .function_name(&t.resource_id)
        .send()
        .await?;
    Ok(json!({
        "tracing_mode": out
            .tracing_config()
            .and_then(|c| c.mode())
            .map_or("PassThrough", |m| m.as_str()),
    }))
}

pub async fn activate_tracing(session: &Session, t: &Target) -> Result<(), String> {
    client(session, t)
        .update_function_configuration()
        .function_name(&t.resource_id)
        .tracing_config(TracingConfig::builder().mode(TracingMode::Active).build())
        .send()
        .await
        .map(drop)
        .map_err(failed("UpdateFunctionConfiguration"))
}

fn client(session: &Session, t: &Target) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(&session.regional(&t.region))
}
