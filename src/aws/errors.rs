//! Turns SDK errors into the short code and message a report records, and tells the
//! "this sub-resource is simply not configured" answers apart from real failures.

use std::error::Error as StdError;
use std::fmt::Debug;

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// A failed call, reduced to what a report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub code: String,
    pub message: String,
}

impl<E, R> From<SdkError<E, R>> for CallError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: Debug,
{
    fn from(err: SdkError<E, R>) -> CallError {
        let (code, message) = match &err {
            SdkError::TimeoutError(_) => ("Timeout".to_string(), "the call timed out".to_string()),
            SdkError::DispatchFailure(_) => {
                ("DispatchFailure".to_string(), DisplayErrorContext(&err).to_string())
            }
            SdkError::ServiceError(_) => (
                err.code().unwrap_or("Unknown").to_string(),
                err.message().map(str::to_string).unwrap_or_else(|| DisplayErrorContext(&err).to_string()),
            ),
            _ => ("InvalidResponse".to_string(), DisplayErrorContext(&err).to_string()),
        };
        CallError { code, message: one_line(&message) }
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

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
