//! The scanner's structured log lines (JSON on stdout, which Lambda sends to the
//! function's log group) and the invocation's error result.

use chrono::Utc;
use lambda_runtime::Error;
use serde_json::{json, Value};

/// Logs the failure and turns it into the invocation's error result.
pub fn fail(message: &str) -> Error {
    log("error", message, json!({}));
    Error::from(message.to_string())
}

/// One structured log line on stdout, which Lambda sends to the function's log group.
pub fn log(level: &str, message: &str, fields: Value) {
    let mut line =
        json!({"timestamp": Utc::now().to_rfc3339(), "level": level, "message": message});
    if let (Some(line), Some(fields)) = (line.as_object_mut(), fields.as_object()) {
        line.extend(fields.clone());
    }
    println!("{line}");
}
