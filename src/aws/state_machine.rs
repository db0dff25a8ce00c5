//! Calls on the stack's organisation state machine for `scan --remote --organization`:
//! start an execution named for the run, and read how it is going.

use aws_sdk_sfn::types::ExecutionStatus;
use chrono::{DateTime, Utc};

use super::errors::CallError;
use super::session::Session;

/// Where an execution is.
pub struct Progress {
    pub status: ExecutionStatus,
    pub started_at: DateTime<Utc>,
    /// The last step's answer (the aggregation's, for a finished run).
    pub output: Option<String>,
    /// Why it failed: its error and cause.
    pub error: Option<String>,
}

/// Starts `machine` as the run `name`; the execution's ARN.
pub async fn start(session: &Session, machine: &str, name: &str) -> Result<String, CallError> {
    let out = aws_sdk_sfn::Client::new(&session.config)
        .start_execution()
        .state_machine_arn(machine)
        .name(name)
        .input("{}")
        .send()
        .await?;
    Ok(out.execution_arn().to_string())
}

pub async fn describe(session: &Session, execution: &str) -> Result<Progress, CallError> {
    let out = aws_sdk_sfn::Client::new(&session.config)
        .describe_execution()
        .execution_arn(execution)
        .send()
        .await?;
    let started = out.start_date();
    let started_at =
        DateTime::from_timestamp(started.secs(), started.subsec_nanos()).unwrap_or_else(Utc::now);
    let error = match (out.error(), out.cause()) {
        (None, None) => None,
        (error, cause) => Some(format!(
            "{}: {}",
            error.unwrap_or("no error"),
            cause.unwrap_or("no cause")
        )),
    };
    Ok(Progress {
        status: out.status().clone(),
        started_at,
        output: out.output().map(str::to_string),
        error,
    })
}
