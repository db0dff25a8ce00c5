//! Calls on the deployed scanner Lambda for `scan --remote`: invoke it and wait, or
//! send the on-demand scan event through EventBridge.

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_lambda::primitives::Blob;
use serde_json::Value;

use super::errors::CallError;
use super::session::Session;
use crate::lambda::event::{ON_DEMAND_DETAIL_TYPE, ON_DEMAND_SOURCE};

/// What an invocation answered.
pub struct Answer {
    /// The function failed (its `errorMessage` is in `body`).
    pub function_error: bool,
    /// The payload, `null` when it was not JSON.
    pub body: Value,
}

/// Invokes `function` with `payload` and waits for its answer.
pub async fn invoke(
    session: &Session,
    function: &str,
    payload: Vec<u8>,
) -> Result<Answer, CallError> {
    let out = aws_sdk_lambda::Client::new(&session.config)
        .invoke()
        .function_name(function)
        .payload(Blob::new(payload))
        .send()
        .await?;
    let body = out
        .payload()
        .and_then(|b| serde_json::from_slice(b.as_ref()).ok())
        .unwrap_or(Value::Null);
    Ok(Answer {
        function_error: out.function_error().is_some(),
        body,
    })
}

/// Sends the on-demand scan event with `detail`; the error says why it was not accepted.
pub async fn request(session: &Session, detail: String) -> Result<(), String> {
    let entry = PutEventsRequestEntry::builder()
        .source(ON_DEMAND_SOURCE)
        .detail_type(ON_DEMAND_DETAIL_TYPE)
        .detail(detail)
        .build();
    let out = aws_sdk_eventbridge::Client::new(&session.config)
        .put_events()
        .entries(entry)
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot send the scan request to EventBridge: {}",
                CallError::from(e)
            )
        })?;
    if out.failed_entry_count() > 0 {
        let reason = out
            .entries()
            .first()
            .and_then(|e| e.error_message())
            .unwrap_or("no reason given");
        return Err(format!("EventBridge refused the scan request: {reason}"));
    }
    Ok(())
}
