//! The scanner as a Lambda function: the same binary, serving Lambda's Runtime API when
//! started with `AWS_LAMBDA_RUNTIME_API` set (built with the `lambda` feature). Each
//! invocation runs the same engine as `compliance scan`, stores the reports in the
//! stack's bucket, alerts, and emits the dashboard's metrics; AWS Config's invocations
//! of the stack's rules are answered with evaluations.

pub mod event;

#[cfg(feature = "lambda")]
mod alert;
#[cfg(feature = "lambda")]
mod config_answer;
#[cfg(feature = "lambda")]
mod config_event;
#[cfg(feature = "lambda")]
mod deliveries;
#[cfg(feature = "lambda")]
mod fan_out;
#[cfg(feature = "lambda")]
mod handler;
#[cfg(feature = "lambda")]
mod history;
#[cfg(feature = "lambda")]
mod invocation;
#[cfg(feature = "lambda")]
mod log;
#[cfg(feature = "lambda")]
mod metrics;
#[cfg(feature = "lambda")]
mod settings;
#[cfg(feature = "lambda")]
mod shares;

#[cfg(feature = "lambda")]
pub use handler::serve;
