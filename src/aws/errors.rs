//! Turns SDK errors into the short code and message a report records, and tells the
//! "this sub-resource is simply not configured" answers apart from real failures.

use std::error::Error as StdError;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// A failed call, reduced to what a report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub code: String,
    pub message: String,
}

impl<E> From<SdkError<E, HttpResponse>> for CallError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    fn from(err: SdkError<E, HttpResponse>) -> CallError {
        let status = err.raw_response().map(|r| r.status().as_u16());
        let (code, message) = match (&err, err.code()) {
            (SdkError::TimeoutError(_), _) => {
                ("Timeout".to_string(), "the call timed out".to_string())
            }
            (SdkError::DispatchFailure(_), _) => ("DispatchFailure".to_string(), causes(&err)),
            (SdkError::ServiceError(_), Some(code)) => (
                code.to_string(),
                err.message()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("HTTP {}", status.unwrap_or(0))),
            ),
            _ => {
                // Not an AWS error document (a proxy's or an emulator's page): show its start.
                let body = err
                    .raw_response()
                    .and_then(|r| r.body().bytes())
                    .map(|b| one_line(&String::from_utf8_lossy(&b[..b.len().min(160)])))
                    .filter(|b| !b.is_empty())
                    .map(|b| format!(": {b}"))
                    .unwrap_or_default();
                let status = status.map(|s| format!("HTTP {s} ")).unwrap_or_default();
                (
                    "InvalidResponse".to_string(),
                    format!("the {status}response could not be understood{body}"),
                )
            }
        };
        CallError {
            code,
            message: one_line(&message),
        }
    }
}

impl CallError {
    /// Whether the service answered with one of `codes` (e.g. `NoSuchBucketPolicy`).
    pub fn is(&self, codes: &[&str]) -> bool {
        codes.contains(&self.code.as_str())
    }

    /// Whether the failure was reaching the endpoint at all, rather than an answer.
    pub fn is_unreachable(&self) -> bool {
        self.code == "DispatchFailure" || self.code == "Timeout"
    }
}

/// Turns a service's "this is not configured" answers (`codes`, e.g.
/// `NoSuchBucketPolicy`) into the `absent` value: a fact, not a failure.
pub fn or_absent<T>(
    result: Result<T, CallError>,
    codes: &[&str],
    absent: impl FnOnce() -> T,
) -> Result<T, CallError> {
    match result {
        Err(e) if e.is(codes) => Ok(absent()),
        other => other,
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// An error and its causes, each said once: `dispatch failure: io error: …`.
pub(crate) fn causes(err: &dyn StdError) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut cause = err.source();
    while let Some(e) = cause {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = e.source();
    }
    parts.join(": ")
}

/// Folds whitespace and caps the length: a report line, not a dump.
fn one_line(s: &str) -> String {
    const MAX: usize = 300;
    let folded = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match folded.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &folded[..cut]),
        None => folded,
    }
}
